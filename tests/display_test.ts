import { equal, throws } from "node:assert/strict";
import {
  formatArray,
  formatTorch,
  pyFixed,
  pyRepr,
  showTable,
  wrapLine,
} from "../lib/course/display.ts";
import { NDArray } from "../lib/numerics/ndarray.ts";

interface Case {
  shape: number[];
  data: string[];
  options: { precision?: number; suppress?: boolean };
  str: string;
}

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../data/display/numpy_print.json", import.meta.url)),
) as { cases: Case[] };

Deno.test("formatArray prints like numpy's str(array) (tools/gen_display_vectors.py)", () => {
  for (const c of vectors.cases) {
    const a = new NDArray(c.data.map(Number), c.shape);
    equal(formatArray(a, c.options), c.str, `options ${JSON.stringify(c.options)}`);
  }
});

Deno.test("pyRepr prints like Python's repr(float)", () => {
  equal(pyRepr(-0.4605641030588796), "-0.4605641030588796");
  equal(pyRepr(1e-5), "1e-05");
  equal(pyRepr(2.5e-7), "2.5e-07");
  equal(pyRepr(1e16), "1e+16");
  equal(pyRepr(3), "3.0");
  equal(pyRepr(-0), "-0.0");
  equal(pyRepr(0.0001), "0.0001");
});

Deno.test("showTable: aligned columns, the union of every row's keys, numbers right-aligned", async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (s: string) => printed.push(s);
  try {
    await showTable([{ name: "a", x: 1.5e-9 }, { name: "bb", x: 2, y: 0.25 }], { title: "T" });
  } finally {
    console.log = log;
  }
  equal(
    printed.join("\n"),
    ["T", "name        x      y", "a     1.50e-9", "bb          2  0.250"].join("\n"),
  );
});

Deno.test("formatTorch prints a parameter as torch 1.13 did (data/torch_rnn/lesson3.json)", () => {
  // tools/gen_torch_rnn.py recorded str(p) for nn.RNN(4, 5).double()'s parameters, on two
  // kernels whose weights differ in the last bits: eight printouts, with their float64 values.
  const shapes: Record<string, number[]> = {
    weight_ih_l0: [5, 4],
    weight_hh_l0: [5, 5],
    bias_ih_l0: [5],
    bias_hh_l0: [5],
  };
  const runs = JSON.parse(
    Deno.readTextFileSync(new URL("../data/torch_rnn/lesson3.json", import.meta.url)),
  ).runs as Record<
    string,
    { weights: Record<string, string[]>; printed: Record<string, string> }
  >;
  let compared = 0;
  for (const [kernel, run] of Object.entries(runs)) {
    for (const [name, shape] of Object.entries(shapes)) {
      const p = new NDArray(run.weights[name].map(Number), shape);
      const ours = formatTorch(p, { dtype: "float64", requiresGrad: true, parameter: true });
      equal(ours, run.printed[name], `${kernel} ${name}`);
      compared++;
    }
  }
  equal(compared, 8);
});

Deno.test("formatTorch prints like the examples in torch's documentation (torch.randn)", () => {
  // pytorch.org/docs/1.8.1/generated/torch.randn.html prints these float32 tensors; their
  // 4-decimal values, read back, must print the same way (widths, signs, hanging indent).
  equal(
    formatTorch(NDArray.from([-2.1436, 0.9966, 2.3426, -0.6366])),
    "tensor([-2.1436,  0.9966,  2.3426, -0.6366])",
  );
  equal(
    formatTorch(NDArray.from([[1.5954, 2.8929, -1.0923], [1.1719, -0.4709, -0.1996]])),
    "tensor([[ 1.5954,  2.8929, -1.0923],\n        [ 1.1719, -0.4709, -0.1996]])",
  );
  // All non-negative: no column for a sign (torch.rand's documented 0.xxxx outputs).
  equal(formatTorch(NDArray.from([0.5, 0.25])), "tensor([0.5000, 0.2500])");
});

Deno.test("formatTorch: a long row wraps at 80 columns, then the suffix goes on its own line", () => {
  // (80 − 7) / (7 + 2) = 8 values of width 7 per line, continuation under the first value.
  const v = NDArray.from(Array.from({ length: 10 }, (_, i) => (i % 2 ? -1 : 1) * (0.1 + i / 100)));
  const text = formatTorch(v, { dtype: "float64" });
  equal(
    text,
    "tensor([ 0.1000, -0.1100,  0.1200, -0.1300,  0.1400, -0.1500,  0.1600, -0.1700,\n" +
      "         0.1800, -0.1900], dtype=torch.float64)",
  );
});

Deno.test("formatTorch refuses what torch would not print in 4-decimal fixed point", () => {
  throws(() => formatTorch(NDArray.from([1e-5, 1])), /scientific notation/);
  throws(() => formatTorch(NDArray.from([0.5, 2000])), /scientific notation/);
  throws(() => formatTorch(NDArray.from([1, 2])), /all integers/);
  throws(() => formatTorch(NDArray.zeros([2, 2, 2])), /only 1-D and 2-D/);
  throws(() => formatTorch(NDArray.from([NaN, 1])), /NaN/);
});

Deno.test("pyFixed rounds the exact binary value, ties to even, like Python's format", () => {
  equal(pyFixed(0.125, 2), "0.12");
  equal(pyFixed(0.375, 2), "0.38");
  equal(pyFixed(2.675, 2), "2.67"); // 2.67499999999999982236431605997495353221893310546875
  equal(pyFixed(-0.00004, 4), "-0.0000");
  equal(pyFixed(1, 4), "1.0000");
  throws(() => pyFixed(Infinity, 4), /not a finite number/);
});

Deno.test("wrapLine: a line that exactly fills the width stays whole; one column more wraps", () => {
  const ten = "aaaa bbbbb"; // 10 columns
  equal(wrapLine(ten, 10), ten);
  equal(wrapLine(ten, 9), "aaaa\n  bbbbb");
  // with the first-line prefix and the continuation indent counted in the width
  equal(wrapLine("aaaa bbbbb cc dd", 12, "    ", "  "), "  aaaa bbbbb\n    cc dd");
  equal(wrapLine("aaaa bbbbb cc dd", 11, "    ", "  "), "  aaaa\n    bbbbb\n    cc dd");
  // a continuation line that exactly fills the width, in display columns (宽 is two)
  equal(wrapLine("x 宽宽宽 y", 8, "  "), "x 宽宽宽\n  y");
  equal(wrapLine("x 宽宽宽 y", 7, "  "), "x\n  宽宽宽\n  y");
  // a single word wider than the width is kept whole on its own line, never split or dropped
  equal(wrapLine("a abcdefghijkl b", 5), "a\n  abcdefghijkl\n  b");
});
