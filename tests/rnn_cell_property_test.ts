import fc from "fast-check";
import { deepEqual, ok } from "node:assert/strict";
import {
  type NDArray,
  numericalGradient,
  RandomState,
  relError,
  rnnBackward,
  rnnCellBackward,
  rnnCellForward,
  rnnForward,
  type RnnParameters,
} from "../lib/mod.ts";

const dims = fc.record({
  n_x: fc.integer({ min: 1, max: 4 }),
  n_a: fc.integer({ min: 1, max: 5 }),
  n_y: fc.integer({ min: 1, max: 3 }),
  m: fc.integer({ min: 1, max: 4 }),
  T: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
});

function setup(d: { n_x: number; n_a: number; n_y: number; m: number; seed: number }) {
  const rng = new RandomState(d.seed);
  const parameters: RnnParameters = {
    Wax: rng.randn(d.n_a, d.n_x),
    Waa: rng.randn(d.n_a, d.n_a),
    Wya: rng.randn(d.n_y, d.n_a),
    ba: rng.randn(d.n_a, 1),
    by: rng.randn(d.n_y, 1),
  };
  return { rng, parameters };
}

// A relative error is meaningless for entries that are zero up to rounding (both sides ~1e-11):
// compare those absolutely. Otherwise central differences at h = 1e-5 agree to ~1e-8.
function agrees(analytic: NDArray, numeric: NDArray): boolean {
  const rel = relError(analytic, numeric);
  return rel.data.every((r, i) => r < 1e-6 || Math.abs(analytic.data[i] - numeric.data[i]) < 1e-9);
}

Deno.test("property: rnn_cell_backward = central differences, for random shapes and seeds", () => {
  fc.assert(
    fc.property(dims, (d) => {
      const { rng, parameters } = setup(d);
      const xt = rng.randn(d.n_x, d.m);
      const a_prev = rng.randn(d.n_a, d.m);
      const da = rng.randn(d.n_a, d.m), dz = rng.randn(d.n_y, d.m);
      const { cache } = rnnCellForward(parameters, xt, a_prev);
      const g = rnnCellBackward({ a: da, logits: dz }, cache);
      deepEqual(Object.keys(g.grads), Object.keys(parameters));
      // L = Σ a⟨t⟩ ⊙ da + Σ z⟨t⟩ ⊙ dz reads both outputs
      const f = () => {
        const { outputs } = rnnCellForward(parameters, xt, a_prev);
        return outputs.a.mul(da).sum() + outputs.logits.mul(dz).sum();
      };
      ok(agrees(g.dInputs, numericalGradient(f, xt)), "dxt");
      ok(agrees(g.dState, numericalGradient(f, a_prev)), "da_prev");
      for (const k of ["Wax", "Waa", "Wya", "ba", "by"] as const) {
        ok(agrees(g.grads[k], numericalGradient(f, parameters[k])), `d${k}`);
      }
    }),
    { numRuns: 60, seed: 20261122 },
  );
});

Deno.test("property: rnn_backward (BPTT) = central differences, for random shapes and seeds", () => {
  fc.assert(
    fc.property(dims, (d) => {
      const { rng, parameters } = setup(d);
      const x = rng.randn(d.n_x, d.m, d.T);
      const a0 = rng.randn(d.n_a, d.m);
      const da = rng.randn(d.n_a, d.m, d.T), dz = rng.randn(d.n_y, d.m, d.T);
      const g = rnnBackward({ a: da, logits: dz }, rnnForward(parameters, x, a0).cache);
      deepEqual(Object.keys(g.grads), Object.keys(parameters));
      const f = () => {
        const { outputs } = rnnForward(parameters, x, a0);
        return outputs.a.mul(da).sum() + outputs.logits.mul(dz).sum();
      };
      ok(agrees(g.dInputs, numericalGradient(f, x)), "dx");
      ok(agrees(g.dState, numericalGradient(f, a0)), "da0");
      for (const k of ["Wax", "Waa", "Wya", "ba", "by"] as const) {
        ok(agrees(g.grads[k], numericalGradient(f, parameters[k])), `d${k}`);
      }
      // without a logits gradient, Wya and by get none (the notebook's rnn_backward)
      const gA = rnnBackward({ a: da }, rnnForward(parameters, x, a0).cache);
      ok(gA.grads.Wya.abs().max() === 0 && gA.grads.by.abs().max() === 0, "dWya = dby = 0");
    }),
    { numRuns: 40, seed: 20261122 },
  );
});

Deno.test("shape errors name the function, the argument and both shapes", () => {
  const { parameters } = setup({ n_x: 3, n_a: 5, n_y: 2, m: 10, seed: 1 });
  const rng = new RandomState(2);
  let msg = "";
  try {
    rnnCellForward(parameters, rng.randn(4, 10), rng.randn(5, 10));
  } catch (e) {
    msg = (e as Error).message;
  }
  ok(/rnnCellForward: Wax has shape \(5,3\), expected \(5,4\)/.test(msg), msg);
  try {
    rnnCellForward(parameters, rng.randn(3, 10), rng.randn(5, 9));
  } catch (e) {
    msg = (e as Error).message;
  }
  ok(/rnnCellForward: a_prev has shape \(5,9\), expected \(5,10\)/.test(msg), msg);
});
