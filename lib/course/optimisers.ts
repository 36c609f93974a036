/**
 * The optimisers and gradient norms of `train.ts`, in a module of their own that imports
 * nothing but arrays and the parameter types: the grader's reference solutions (which the
 * in-page grader runs in a Web Worker, with no terminal) use `clipByGlobalNorm`, and
 * `train.ts`'s `fit` draws a progress bar. `train.ts` re-exports everything here.
 *
 * ```ts
 * import { clipByGlobalNorm, globalNorm } from "./optimisers.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { equal } from "node:assert/strict";
 * const grads = { w: NDArray.from([3, 0]), b: NDArray.from([4]) };
 * equal(globalNorm(grads), 5);
 * const { norm, scale } = clipByGlobalNorm(grads, 1);
 * equal(norm, 5);
 * equal(scale, 0.2); // min(1, maxNorm / ‖g‖)
 * ```
 *
 * @module
 */

import { type NDArray, shapeStr } from "../numerics/ndarray.ts";
import { type GradsOf, parameters } from "../nn/params.ts";

function gradFor<P extends { [K in keyof P]: NDArray }>(
  op: string,
  name: keyof P & string,
  p: NDArray,
  grads: GradsOf<P>,
): NDArray {
  const g = grads[name];
  if (g === undefined) throw new RangeError(`${op}: no gradient for parameter ${name}`);
  if (g.size !== p.size || g.shape.some((d, i) => d !== p.shape[i])) {
    throw new RangeError(
      `${op}: gradient of ${name} has shape ${shapeStr(g.shape)}, parameter ${shapeStr(p.shape)}`,
    );
  }
  return g;
}

/**
 * The norm of all gradients together, `‖g‖ = √(Σ_arrays Σ_entries g²)`, summed array by
 * array in key order. Inputs: any record of arrays. Returns: a number (∞ or NaN if an entry is).
 */
export function globalNorm<G extends { [K in keyof G]: NDArray }>(grads: G): number {
  return Math.sqrt(
    (Object.values(grads) as NDArray[]).reduce((s, a) => s + a.square().sum(), 0),
  );
}

/**
 * Clipping by global norm: `g ← g · scale` with `scale = maxNorm / ‖g‖` when
 * `‖g‖ > maxNorm`, else 1. Returns the norm and the scale, and leaves `grads` untouched, so
 * that the caller folds the scale into its step (`sgdStep(p, g, lr · scale)`).
 * `maxNorm = Infinity` never clips. Inputs: any record of arrays, maxNorm > 0.
 */
export function clipByGlobalNorm<G extends { [K in keyof G]: NDArray }>(
  grads: G,
  maxNorm: number,
): { norm: number; scale: number } {
  if (!(maxNorm > 0)) {
    throw new RangeError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  }
  const norm = globalNorm(grads);
  return { norm, scale: norm > maxNorm ? maxNorm / norm : 1 };
}

/**
 * One step of gradient descent, in place: `p ← p − lr · g` for every parameter, entry by
 * entry. Inputs: `params` and `grads` keyed alike, each gradient shaped like its parameter,
 * lr. Returns: nothing (the parameters change in place).
 */
export function sgdStep<P extends { [K in keyof P]: NDArray }>(
  params: P,
  grads: GradsOf<P>,
  lr: number,
): void {
  for (const [k, p] of parameters(params)) {
    const w = p.data, dw = gradFor("sgdStep", k, p, grads).data;
    for (let j = 0; j < w.length; j++) w[j] -= dw[j] * lr;
  }
}

/**
 * Adam (Kingma & Ba 2015), in place, with β₁ = 0.9, β₂ = 0.999, ε = 1e-8: per entry
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `p ← p − lr · m̂ / (√v̂ + ε)` with the
 * bias corrections `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)` at step t = 1, 2, ….
 * Its moments are kept per parameter name.
 */
export class Adam {
  private m = new Map<string, Float64Array>();
  private v = new Map<string, Float64Array>();
  private t = 0;
  constructor(private lr: number) {
    if (!(lr > 0)) throw new RangeError(`Adam: learning rate must be > 0, got ${lr}`);
  }
  /** One update of every parameter in `params` from `grads` (keyed alike). */
  step<P extends { [K in keyof P]: NDArray }>(params: P, grads: GradsOf<P>): void {
    this.t++;
    for (const [k, p] of parameters(params)) {
      const g = gradFor("Adam.step", k, p, grads).data;
      const m = this.m.get(k) ?? new Float64Array(g.length),
        v = this.v.get(k) ?? new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        const mh = m[i] / (1 - 0.9 ** this.t), vh = v[i] / (1 - 0.999 ** this.t);
        p.data[i] -= (this.lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
      this.m.set(k, m);
      this.v.set(k, v);
    }
  }
}

/** One gradient-descent rule: `step` updates the parameters in place from gradients keyed alike. */
export interface Optimiser<P> {
  step(params: P, grads: GradsOf<P>): void;
}

/** Plain gradient descent as an {@link Optimiser}: each `step` is {@link sgdStep} with `lr`. */
export class Sgd {
  constructor(readonly lr: number) {
    if (!(lr > 0)) throw new RangeError(`Sgd: learning rate must be > 0, got ${lr}`);
  }
  /** `p ← p − lr · g` for every parameter. */
  step<P extends { [K in keyof P]: NDArray }>(params: P, grads: GradsOf<P>): void {
    sgdStep(params, grads, this.lr);
  }
}
