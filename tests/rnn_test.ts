import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  fusedOneMinusSquare,
  initRnnCellParams,
  NDArray,
  numericalGradient,
  RandomState,
  readTorchRnnRuns,
  relError,
  RnnCell,
  rnnCellClassBackward,
  rnnCellClassForward,
  torchGradsAsClassNames,
  torchRnnBackward,
  torchRnnForward,
  type TorchRnnParams,
  type TorchRun,
  ulpOf,
} from "../lib/mod.ts";
import { assertAllBelow } from "./_assert.ts";
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";

Deno.test("RnnCell backward = central differences (batch 2, 4 steps)", () => {
  const r = new RandomState(5);
  const [wih, whh, bih, bhh] = [r.randn(3, 2), r.randn(3, 3), r.randn(3), r.randn(3)];
  const xs = r.randn(4, 2, 2), h0 = r.randn(2, 3), dhs = r.randn(4, 2, 3);
  const run = () => {
    const c = new RnnCell(wih, whh, bih, bhh);
    let h = h0, L = 0;
    for (let t = 0; t < 4; t++) {
      h = c.call(xs.take(0, t), h);
      L += h.mul(dhs.take(0, t)).sum();
    }
    return { c, L };
  };
  const { c } = run();
  for (let t = 3; t >= 0; t--) c.backward(dhs.take(0, t));
  const g = c.grads();
  const f = () => run().L;
  assertAllBelow(relError(g.dW_ih, numericalGradient(f, wih)), 1e-7, "dW_ih rel. error");
  assertAllBelow(relError(g.dW_hh, numericalGradient(f, whh)), 1e-7, "dW_hh rel. error");
  assertAllBelow(relError(g.db_ih, numericalGradient(f, bih)), 1e-7, "db_ih rel. error");
  assertAllBelow(relError(c.dh0, numericalGradient(f, h0)), 1e-7, "dh0 rel. error");
});

Deno.test("RnnCell.dx_list[t] = ∂L/∂x_t, first step first (central differences, batch 2, 4 steps)", () => {
  const r = new RandomState(6);
  const [wih, whh, bih, bhh] = [r.randn(3, 2), r.randn(3, 3), r.randn(3), r.randn(3)];
  const xs = r.randn(4, 2, 2), h0 = r.randn(2, 3), dhs = r.randn(4, 2, 3);
  const run = () => {
    const c = new RnnCell(wih, whh, bih, bhh);
    let h = h0, L = 0;
    for (let t = 0; t < 4; t++) {
      h = c.call(xs.take(0, t), h);
      L += h.mul(dhs.take(0, t)).sum() as number;
    }
    return { c, L };
  };
  const { c } = run();
  let list: NDArray[] = [];
  for (let t = 3; t >= 0; t--) list = c.backward(dhs.take(0, t));
  equal(list, c.dx_list, "backward returns dx_list itself");
  equal(c.dx_list.length, 4);
  const numeric = numericalGradient(() => run().L, xs);
  for (let t = 0; t < 4; t++) {
    assertAllBelow(relError(c.dx_list[t], numeric.take(0, t)), 1e-7, `dx_list[${t}] rel. error`);
  }
});

Deno.test("RnnCell errors name the shapes", () => {
  throws(
    () =>
      new RnnCell(
        NDArray.zeros([3, 2]),
        NDArray.zeros([2, 2]),
        NDArray.zeros([3]),
        NDArray.zeros([3]),
      ),
    /RnnCell: weight_ih \(3,2\), weight_hh \(2,2\)/,
  );
  const c = new RnnCell(
    NDArray.zeros([3, 2]),
    NDArray.zeros([3, 3]),
    NDArray.zeros([3]),
    NDArray.zeros([3]),
  );
  throws(
    () => c.call(NDArray.zeros([1, 4]), NDArray.zeros([1, 3])),
    /x \(1,4\) and prev_hidden \(1,3\) must be \(batch, 2\) and \(batch, 3\)/,
  );
  throws(() => c.backward(NDArray.zeros([1, 3])), /more backward steps than forward steps/);
});

const torchRuns = readTorchRnnRuns();
function torchCase(run: TorchRun, seq: "first" | "second") {
  const s = run[seq];
  // looked up by gradient name below
  const torch: Record<string, NDArray> = { ...s.torch };
  return { params: run.weights, x: s.x, h0: s.h0, dh: s.dh, torch };
}
const sameBits = (a: NDArray, b: NDArray, what: string) =>
  deepEqual([...a.data], [...b.data], `${what} differs from torch`);

Deno.test("torchRnnForward/Backward = torch's portable kernel, bit for bit, both sequences", () => {
  for (const seq of ["first", "second"] as const) {
    const c = torchCase(torchRuns.portable, seq);
    const { outputs: hidden, cache } = torchRnnForward(c.params, c.x, c.h0);
    sameBits(hidden, c.torch.hidden, `${seq} hidden`);
    const g = torchGradsAsClassNames(torchRnnBackward(c.dh, cache));
    for (const [name, v] of Object.entries(g)) sameBits(v, c.torch[name], `${seq} ${name}`);
  }
});

Deno.test("torchRnnBackward with the fused 1 − y² = torch's AVX2 kernel (from its hidden states)", () => {
  for (const seq of ["first", "second"] as const) {
    const c = torchCase(torchRuns.avx2, seq);
    const torchCache = { params: c.params, x: c.x, h0: c.h0, hidden: c.torch.hidden };
    const g = torchGradsAsClassNames(
      torchRnnBackward(c.dh, torchCache, { fusedTanhGrad: true }),
    );
    for (const [name, v] of Object.entries(g)) sameBits(v, c.torch[name], `${seq} ${name}`);
    // Without the fusion some gradients move by a few ULPs: the option matters.
    const plain = torchRnnBackward(c.dh, torchCache);
    ok(plain.dInputs.data.some((v, i) => v !== c.torch.dx.data[i]));
  }
});

Deno.test("torchRnnForward/Backward on the contract = central differences (gradient policy; batch 2, 5 steps, 3 inputs, 4 hidden): grads keyed like params, dInputs, dState", () => {
  const r = new RandomState(11);
  const p: TorchRnnParams = {
    weight_ih_l0: r.randn(4, 3).mul(0.5),
    weight_hh_l0: r.randn(4, 4).mul(0.5),
    bias_ih_l0: r.randn(4),
    bias_hh_l0: r.randn(4),
  };
  const x = r.randn(5, 2, 3), h0 = r.randn(1, 2, 4), dh = r.randn(5, 2, 4);
  const L = () => torchRnnForward(p, x, h0).outputs.mul(dh).sum();
  const g = torchRnnBackward(dh, torchRnnForward(p, x, h0).cache);
  deepEqual(Object.keys(g.grads), Object.keys(p));
  const verdict = checkGradients(L, { ...p, x, h0 }, { ...g.grads, x: g.dInputs, h0: g.dState });
  ok(verdict.ok, verdict.summary);
  equal(
    checkGradients(L, { ...p }, plantedBugs.scaled({ ...g.grads }, 1e-4)).ok,
    false,
    "1e-4 scale error",
  );
});

Deno.test("fusedOneMinusSquare rounds 1 − y² once", () => {
  // Exact values from Python's fractions: float(1 - Fraction(y)**2).
  equal(fusedOneMinusSquare(0.143), 0.979551);
  equal(fusedOneMinusSquare(0.23), 0.9470999999999999);
  equal(fusedOneMinusSquare(0.259), 0.9329189999999999);
  equal(fusedOneMinusSquare(-0.259), 0.9329189999999999);
  equal(fusedOneMinusSquare(1), 0);
  equal(fusedOneMinusSquare(0), 1);
  equal(fusedOneMinusSquare(2 ** -30), 1);
  // Property: the result is within half an ULP of the exact 1 − y² (checked in exact integers).
  const r = new RandomState(3);
  for (let n = 0; n < 2000; n++) {
    const y = r.uniform(-1, 1) as number;
    const f = fusedOneMinusSquare(y);
    const scale = 2n ** 1100n, toBig = (v: number) => BigInt(v * 2 ** 550) * 2n ** 550n;
    const exact = scale - (toBig(y) * toBig(y)) / scale; // y·2^1100 squared, scaled back: exact
    const err = toBig(f) - exact;
    const halfUlp = toBig(ulpOf(f)) / 2n;
    ok((err < 0n ? -err : err) <= halfUlp, `y = ${y}`);
  }
  // Tiny y (the shortcut's neighbourhood, around 2⁻²⁷): same exact-integer check.
  for (let n = 0; n < 2000; n++) {
    const y = (r.uniform(-1, 1) as number) * 2 ** -25;
    const f = fusedOneMinusSquare(y);
    const scale = 2n ** 1100n, toBig = (v: number) => BigInt(v * 2 ** 550) * 2n ** 550n;
    const exact = scale - (toBig(y) * toBig(y)) / scale;
    const err = toBig(f) - exact;
    const halfUlp = toBig(ulpOf(f)) / 2n;
    ok((err < 0n ? -err : err) <= halfUlp, `y = ${y}`);
  }
  // 1 − (1.5·2⁻²⁷)² = 1 − 2.25·2⁻⁵⁴ is nearer 1 − 2⁻⁵³ than 1
  equal(fusedOneMinusSquare(1.5 * 2 ** -27), 1 - 2 ** -53);
  throws(() => fusedOneMinusSquare(1.5), /outside tanh's range/);
});

Deno.test("torchRnnForward/Backward name the shapes that do not fit", () => {
  const c = torchCase(torchRuns.portable, "first");
  throws(
    () => torchRnnForward(c.params, NDArray.zeros([3, 3, 5]), c.h0),
    /torchRnnForward: x \(3,3,5\) and h0 \(1,3,5\) must be \(T, batch, 4\) and \(1, batch, 5\)/,
  );
  throws(
    () =>
      torchRnnBackward(c.dh, {
        params: c.params,
        x: c.x,
        h0: c.h0,
        hidden: NDArray.zeros([2, 3, 5]),
      }),
    /torchRnnBackward: hidden \(2,3,5\) must be \(3,3,5\) like the output/,
  );
});

Deno.test("document 000's class on the contract (rnnCellClassForward/Backward) = central differences (gradient policy): grads keyed like params, dInputs, dState; one backward per forward", () => {
  const r = new RandomState(13);
  const p = initRnnCellParams(r, { input_size: 3, hidden_size: 4 });
  deepEqual(Object.values(p).map((a) => a.shape), [[4, 3], [4, 4], [4], [4]]);
  const x = r.randn(5, 2, 3), h0 = r.randn(2, 4), dh = r.randn(5, 2, 4);
  const L = () => rnnCellClassForward(p, x, h0).outputs.mul(dh).sum();
  const { cache } = rnnCellClassForward(p, x, h0);
  const g = rnnCellClassBackward(dh, cache);
  deepEqual(Object.keys(g.grads), Object.keys(p));
  const verdict = checkGradients(L, { ...p, x, h0 }, { ...g.grads, x: g.dInputs, h0: g.dState });
  ok(verdict.ok, verdict.summary);
  throws(() => rnnCellClassBackward(dh, cache), /more backward steps than forward steps/);
  throws(() => rnnCellClassBackward(dh.take(0, 0), cache), /dOutputs \(2,4\) must be \(5,2,4\)/);
});

Deno.test("torchRnnBackward's bias row sums = torch.sum(·, 0) bit for bit for n = 1…40 rows (data/torch_rowsum, every n mod 4)", async () => {
  // With W_hh = 0 and every hidden state 0, the pre-activation gradient d is dh itself, so one
  // step over a batch of n gives bias_ih's and bias_hh's gradients as the row sums of dh.
  const file = JSON.parse(
    await Deno.readTextFile(new URL("../data/torch_rowsum/rowsum.json", import.meta.url)),
  ) as { columns: number; cases: { n: number; x: string[]; sum: string[] }[] };
  const H = file.columns;
  equal(file.cases.length, 40);
  const wrong: string[] = [];
  for (const { n, x, sum } of file.cases) {
    const p: TorchRnnParams = {
      weight_ih_l0: NDArray.zeros([H, 1]),
      weight_hh_l0: NDArray.zeros([H, H]),
      bias_ih_l0: NDArray.zeros([H]),
      bias_hh_l0: NDArray.zeros([H]),
    };
    const dh = new NDArray(Float64Array.from(x, Number), [1, n, H]);
    const { grads: g } = torchRnnBackward(dh, {
      params: p,
      x: NDArray.zeros([1, n, 1]),
      h0: NDArray.zeros([1, n, H]),
      hidden: NDArray.zeros([1, n, H]),
    });
    for (let j = 0; j < H; j++) {
      for (const [name, v] of [["bias_ih", g.bias_ih_l0], ["bias_hh", g.bias_hh_l0]] as const) {
        if (v.data[j] !== Number(sum[j])) {
          wrong.push(`n = ${n}, ${name}[${j}]: ${v.data[j]} vs torch ${sum[j]}`);
        }
      }
    }
  }
  deepEqual(wrong, []);
  // The data can tell the orders apart: a plain left-to-right sum differs for some n of each
  // class n mod 4 ≥ 2 (else the test could not see a slip in the leftover rows).
  for (const r of [2, 3]) {
    ok(
      file.cases.some(({ n, x, sum }) =>
        n % 4 === r && n > 4 &&
        sum.some((s, j) => {
          let t = 0;
          for (let i = 0; i < n; i++) t += Number(x[i * H + j]);
          return t !== Number(s);
        })
      ),
      `n mod 4 = ${r}: no case where the order shows`,
    );
  }
});
