import fc from "fast-check";
import { ok } from "node:assert/strict";
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
      const da = rng.randn(d.n_a, d.m);
      const { cache } = rnnCellForward(xt, a_prev, parameters);
      const g = rnnCellBackward(da, cache);
      const f = () => rnnCellForward(xt, a_prev, parameters).a_next.mul(da).sum();
      ok(agrees(g.xt, numericalGradient(f, xt)), "dxt");
      ok(agrees(g.a_prev, numericalGradient(f, a_prev)), "da_prev");
      ok(agrees(g.Wax, numericalGradient(f, parameters.Wax)), "dWax");
      ok(agrees(g.Waa, numericalGradient(f, parameters.Waa)), "dWaa");
      ok(agrees(g.ba, numericalGradient(f, parameters.ba)), "dba");
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
      const da = rng.randn(d.n_a, d.m, d.T);
      const g = rnnBackward(da, rnnForward(x, a0, parameters).caches);
      const f = () => rnnForward(x, a0, parameters).a.mul(da).sum();
      ok(agrees(g.x, numericalGradient(f, x)), "dx");
      ok(agrees(g.a0, numericalGradient(f, a0)), "da0");
      ok(agrees(g.Waa, numericalGradient(f, parameters.Waa)), "dWaa");
      ok(agrees(g.Wax, numericalGradient(f, parameters.Wax)), "dWax");
      ok(agrees(g.ba, numericalGradient(f, parameters.ba)), "dba");
    }),
    { numRuns: 40, seed: 20261122 },
  );
});

Deno.test("shape errors name the function, the argument and both shapes", () => {
  const { parameters } = setup({ n_x: 3, n_a: 5, n_y: 2, m: 10, seed: 1 });
  const rng = new RandomState(2);
  let msg = "";
  try {
    rnnCellForward(rng.randn(4, 10), rng.randn(5, 10), parameters);
  } catch (e) {
    msg = (e as Error).message;
  }
  ok(/rnnCellForward: Wax has shape \(5,3\), expected \(5,4\)/.test(msg), msg);
  try {
    rnnCellForward(rng.randn(3, 10), rng.randn(5, 9), parameters);
  } catch (e) {
    msg = (e as Error).message;
  }
  ok(/rnnCellForward: a_prev has shape \(5,9\), expected \(5,10\)/.test(msg), msg);
});
