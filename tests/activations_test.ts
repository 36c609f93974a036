/**
 * The models' softmaxes subtract a maximum before `exp`: on logits near 1000 (where `exp`
 * alone overflows to Infinity and Infinity/Infinity is NaN) each gives the closed-form
 * probabilities. lib/nn/activations.ts's `softmax` (column layout), lib/nn/simple_rnn.ts's
 * forward pass (rows) and lib/forensics/tf_rnn32.ts's float32 forward pass (rows).
 */
import { equal, ok } from "node:assert/strict";
import { NDArray, simpleRnnLoss, softmax } from "../lib/mod.ts";
import { forward32, type Machine } from "../lib/forensics/tf_rnn32.ts";
import { softmax_columns } from "../exercises/01_rnn_cell.ts";

/** softmax of [a, a + d₁, a + d₂, …] in closed form: e^{d_i} / Σ e^{d_j}, d small. */
const closedForm = (offsets: number[]) => {
  const e = offsets.map(Math.exp);
  const s = e.reduce((p, q) => p + q, 0);
  return e.map((v) => v / s);
};

Deno.test("softmax (columns) subtracts the maximum: logits near 1000 give the closed-form probabilities", () => {
  ok(!Number.isFinite(Math.exp(1000)), "exp(1000) overflows: the test needs it to");
  // Two examples (columns) whose logits are 1000 + offsets.
  const offsets = [[0, 0.5], [1, -1], [-2, 0.25]];
  const x = NDArray.from(offsets.map((r) => r.map((d) => 1000 + d)));
  const p = softmax(x);
  for (let j = 0; j < 2; j++) {
    const want = closedForm(offsets.map((r) => r[j]));
    for (let i = 0; i < 3; i++) {
      const got = p.get(i, j);
      ok(Math.abs(got - want[i]) <= 4 * Number.EPSILON, `p[${i}, ${j}] = ${got}, want ${want[i]}`);
    }
  }
  // and far below zero, where exp alone underflows to 0/0
  const low = softmax(NDArray.from([[-1000], [-1001]]));
  const want = closedForm([0, -1]);
  ok(Math.abs(low.get(0, 0) - want[0]) <= 4 * Number.EPSILON, String(low.get(0, 0)));
});

for (
  const [name, f] of [
    ["lib/nn/activations.ts's softmax", softmax],
    ["exercise 1's hand-out softmax_columns", softmax_columns],
  ] as const
) {
  Deno.test(`${name} subtracts each column's own maximum: columns near +1000 and −1000 side by side give no NaN, each column the closed form and summing to 1`, () => {
    // With the whole array's maximum (about 1000) subtracted, the −1000 column would be
    // exp(≈ −2000) = 0 everywhere: 0/0 = NaN. Each column's own maximum leaves e⁰ = 1 in it.
    ok(Math.exp(-2000) === 0, "exp(−2000) underflows to 0: the test needs it to");
    const offsets = [[0, 0.5, -1], [1, -1, 0], [-2, 0.25, 2]];
    const centres = [1000, -1000, 3];
    const x = NDArray.from(offsets.map((r) => r.map((d, j) => centres[j] + d)));
    const p = f(x);
    equal(p.data.filter(Number.isNaN).length, 0, `NaN in ${p.data}`);
    for (let j = 0; j < 3; j++) {
      const want = closedForm(offsets.map((r) => r[j]));
      let sum = 0;
      for (let i = 0; i < 3; i++) {
        const got = p.get(i, j);
        sum += got;
        // every c + d here is exact in float64, so x − (column max) is the offsets' difference
        ok(
          Math.abs(got - want[i]) <= 4 * Number.EPSILON,
          `p[${i}, ${j}] = ${got}, want ${want[i]}`,
        );
      }
      ok(Math.abs(sum - 1) <= 4 * Number.EPSILON, `column ${j} sums to ${sum}`);
    }
  });
}

Deno.test("the simple RNN's row softmax (softmaxRows, through simpleRnnLoss) subtracts each step's maximum: outputs near 1000 give the closed-form ŷ", () => {
  // h = tanh(·) is bounded, so with V = 0 the logits are exactly c, at every step.
  const c = [1000, 1001, 998.5];
  const p = {
    U: NDArray.full([2, 2], 0.3),
    W: NDArray.eye(2),
    b: NDArray.zeros([2]),
    V: NDArray.zeros([2, 3]),
    c: NDArray.from(c),
  };
  const f = simpleRnnLoss(
    p,
    NDArray.from([[1, 0], [0, 1]]),
    NDArray.zeros([2]),
    NDArray.zeros([2, 3]),
  );
  const want = closedForm(c.map((v) => v - 1000));
  for (let t = 0; t < 2; t++) {
    for (let q = 0; q < 3; q++) {
      const got = f.yhat.get(t, q);
      ok(Math.abs(got - want[q]) <= 4 * Number.EPSILON, `ŷ[${t}, ${q}] = ${got}, want ${want[q]}`);
    }
  }
});

Deno.test("forward32's softmax subtracts each step's maximum: float32 logits near 1000 give the closed-form p", () => {
  const m: Machine = {
    matmul: "seq",
    tanh: "cr",
    exp: "cr",
    norm: "div",
    sum3: "abc",
    tanhGrad: "plain",
    addN: "3→1",
  };
  const c = [1000, 1001, 998.5]; // float32 values; V = 0 makes them the logits
  const inputs = {
    X: Array.from({ length: 12 }, (_, i) => Math.fround(0.1 * i)),
    h0: [0, 0],
    U: Array(8).fill(Math.fround(0.1)),
    W: [1, 0, 0, 1],
    b: [0, 0],
    V: Array(6).fill(0),
    c,
    Y: Array(9).fill(0),
  };
  const { P } = forward32(m, inputs);
  const want = closedForm(c.map((v) => v - 1001)); // the float32 offsets are exact here
  equal(P.length, 3);
  for (const row of P) {
    for (let q = 0; q < 3; q++) {
      // float32: a few units of 2⁻²⁴ relative
      ok(Math.abs(row[q] - want[q]) <= 8 * 2 ** -24 * want[q], `p = ${row[q]}, want ${want[q]}`);
    }
  }
});
