import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  Adam,
  clipByGlobalNorm,
  globalNorm,
  NDArray,
  parameters,
  sgdStep,
  sigmoidCrossEntropy,
  type VanillaRnnParams,
} from "../lib/mod.ts";

const close = (a: number, b: number, tol: number) =>
  ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

Deno.test("parameters lists an interface's arrays by name, in key order", () => {
  const p: VanillaRnnParams = {
    U: NDArray.zeros([2, 1]),
    W: NDArray.zeros([2, 2]),
    b: NDArray.zeros([2, 1]),
    V: NDArray.zeros([3, 2]),
    c: NDArray.zeros([3, 1]),
  };
  deepEqual(parameters(p).map(([k, a]) => [k, a.shape]), [
    ["U", [2, 1]],
    ["W", [2, 2]],
    ["b", [2, 1]],
    ["V", [3, 2]],
    ["c", [3, 1]],
  ]);
});

Deno.test("globalNorm = √(sum of every squared entry), by hand: √(1+4+4+16) = 5", () => {
  equal(globalNorm({ a: NDArray.from([[1, 2]]), b: NDArray.from([2, 4]) }), 5);
  ok(Number.isNaN(globalNorm({ a: NDArray.from([NaN, 1]) })));
});

Deno.test("clipByGlobalNorm: scale = maxNorm/‖g‖ above the threshold, 1 at or below it", () => {
  const g = { a: NDArray.from([3, 4]) }; // ‖g‖ = 5
  deepEqual(clipByGlobalNorm(g, 1), { norm: 5, scale: 0.2 });
  deepEqual(clipByGlobalNorm(g, 5), { norm: 5, scale: 1 });
  deepEqual(clipByGlobalNorm(g, Infinity), { norm: 5, scale: 1 });
  const { scale } = clipByGlobalNorm(g, 2);
  close(globalNorm({ a: g.a.mul(scale) }), 2, 1e-15); // the clipped gradient has norm maxNorm
  throws(() => clipByGlobalNorm(g, 0), /clipByGlobalNorm: maxNorm must be > 0, got 0/);
});

Deno.test("clipByGlobalNorm refuses a NaN or negative threshold (NaN would silently never clip), and reports a NaN norm", () => {
  const g = { a: NDArray.from([3, 4]) };
  throws(() => clipByGlobalNorm(g, NaN), /clipByGlobalNorm: maxNorm must be > 0, got NaN/);
  throws(() => clipByGlobalNorm(g, -1), /maxNorm must be > 0, got -1/);
  throws(() => clipByGlobalNorm(g, -Infinity), /maxNorm must be > 0, got -Infinity/);
  // A NaN in the gradient makes the norm NaN (as documented): reported, never hidden.
  ok(Number.isNaN(clipByGlobalNorm({ a: NDArray.from([3, NaN]) }, 1).norm));
  ok(Number.isNaN(globalNorm({ a: NDArray.from([1]), b: NDArray.from([NaN]) })));
  equal(globalNorm({ a: NDArray.from([1]), b: NDArray.from([Infinity]) }), Infinity);
});

Deno.test("sgdStep: p − lr·g in place (hand computation), and names a missing or misshapen gradient", () => {
  const p = { w: NDArray.from([1, 2, 3]) };
  sgdStep(p, { w: NDArray.from([10, -10, 0]) }, 0.25);
  deepEqual([...p.w.data], [1 - 2.5, 2 + 2.5, 3]);
  throws(
    () => sgdStep(p, { w: NDArray.zeros([2]) }, 1),
    /sgdStep: gradient of w has shape \(2,\), parameter \(3,\)/,
  );
  throws(
    () => sgdStep({ w: p.w, v: NDArray.zeros([1]) }, { w: p.w } as never, 1),
    /sgdStep: no gradient for parameter v/,
  );
});

Deno.test("Adam: a constant gradient g moves each entry by lr·g/(|g|+ε) per step (m̂ = g, v̂ = g²)", () => {
  const lr = 0.01, g = NDArray.from([0.3, -2, 1e-3]);
  const p = { w: NDArray.zeros([3]) };
  const adam = new Adam(lr);
  for (let t = 0; t < 5; t++) adam.step(p, { w: g });
  for (let i = 0; i < 3; i++) {
    const gi = g.get(i);
    close(p.w.get(i), -5 * lr * gi / (Math.abs(gi) + 1e-8), 1e-12);
  }
});

Deno.test("Adam: two different gradients, against the bias-corrected moments written out by hand", () => {
  const lr = 0.1, g1 = 2, g2 = -1;
  const p = { w: NDArray.from([0]) };
  const adam = new Adam(lr);
  adam.step(p, { w: NDArray.from([g1]) });
  adam.step(p, { w: NDArray.from([g2]) });
  // step 1: m̂ = g1, v̂ = g1²; step 2: m̂ = (0.09 g1 + 0.1 g2)/0.19, v̂ = (0.000999 g1² + 0.001 g2²)/0.001999
  const step1 = lr * g1 / (Math.abs(g1) + 1e-8);
  const m2 = (0.09 * g1 + 0.1 * g2) / 0.19, v2 = (0.000999 * g1 ** 2 + 0.001 * g2 ** 2) / 0.001999;
  close(p.w.get(0), -step1 - lr * m2 / (Math.sqrt(v2) + 1e-8), 1e-12);
  throws(() => new Adam(0), /Adam: learning rate must be > 0, got 0/);
});

Deno.test("sigmoidCrossEntropy: dlogit = central difference of the loss; the loss by hand at z = 0", () => {
  for (const z of [-3, -0.2, 0, 1.5, 4]) {
    for (const label of [0, 1]) {
      const h = 1e-6;
      const numeric = (sigmoidCrossEntropy(z + h, label).loss -
        sigmoidCrossEntropy(z - h, label).loss) / (2 * h);
      close(sigmoidCrossEntropy(z, label).dlogit, numeric, 1e-8);
    }
  }
  close(sigmoidCrossEntropy(0, 1).loss, Math.LN2, 1e-15);
  throws(() => sigmoidCrossEntropy(0, 0.5), /label must be 0 or 1, got 0.5/);
});
