import { equal } from "node:assert/strict";
import { formatArray, pyRepr, showTable } from "../lib/display.ts";
import { NDArray } from "../lib/ndarray.ts";

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
