/**
 * Training helpers for any model of `lib/nn`: a model's parameters are a record of named
 * arrays (`{ U, W, b, V, c }`, `{ Wf, …, by }`), its gradients a record with the same keys
 * (see the contract in `nn/mod.ts`), and everything here works on any such pair, so no cast
 * is needed to hand a model to an optimizer.
 *
 * - {@link parameters}: the `[name, array]` pairs of a parameter record, in key order.
 * - {@link globalNorm}, {@link clipByGlobalNorm}: the norm of all gradients together, and the
 *   factor `min(1, maxNorm / ‖g‖)` that clipping multiplies them by.
 * - {@link sgdStep}, {@link Adam}: update the parameters in place.
 * - {@link sigmoidCrossEntropy}: a loss head on one logit, with its derivative.
 *
 * ```ts
 * import { Adam, globalNorm, sgdStep } from "./train.ts";
 * import { NDArray } from "./ndarray.ts";
 * import { equal, ok } from "node:assert/strict";
 * const params = { w: NDArray.from([1, 2]), b: NDArray.from([0.5]) };
 * const grads = { w: NDArray.from([3, 0]), b: NDArray.from([4]) };
 * equal(globalNorm(grads), 5); // √(3² + 0² + 4²)
 * sgdStep(params, grads, 0.5);
 * equal(params.w.get(0), -0.5); // 1 − 0.5·3
 * new Adam(0.1).step(params, grads); // Adam's first step moves each entry with g ≠ 0 by ≈ lr
 * ok(Math.abs(params.b.get(0) - (0.5 - 0.5 * 4 - 0.1)) < 1e-9);
 * ```
 *
 * @module
 */

import { type NDArray, shapeStr } from "./ndarray.ts";
import { logistic } from "./nn/activations.ts";

/** A model's parameters: named arrays of any shapes. */
export type Params = { readonly [name: string]: NDArray };

/** Gradients keyed exactly like the parameters `P` (each the shape of its parameter). */
export type GradsOf<P> = { readonly [K in keyof P]: NDArray };

/**
 * The parameters as `[name, array]` pairs, in the record's key order (micrograd's
 * `parameters()`, with names). Accepts interfaces and `Record` types alike.
 */
export function parameters<P extends { [K in keyof P]: NDArray }>(
  params: P,
): [keyof P & string, NDArray][] {
  return (Object.keys(params) as (keyof P & string)[]).map((k) => [k, params[k]]);
}

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
export function globalNorm(grads: { readonly [name: string]: NDArray }): number {
  return Math.sqrt(Object.values(grads).reduce((s, a) => s + a.square().sum(), 0));
}

/**
 * Clipping by global norm: `g ← g · scale` with `scale = maxNorm / ‖g‖` when
 * `‖g‖ > maxNorm`, else 1. Returns the norm and the scale, and leaves `grads` untouched, so
 * that the caller folds the scale into its step (`sgdStep(p, g, lr · scale)`).
 * `maxNorm = Infinity` never clips.
 */
export function clipByGlobalNorm(
  grads: { readonly [name: string]: NDArray },
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
 * entry. Inputs: `params` and `grads` keyed alike, each gradient shaped like its parameter.
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

/**
 * Binary cross-entropy on one logit z with label 0 or 1: `p = σ(z)`,
 * `loss = −log p` (label 1) or `−log(1 − p)` (label 0), `dlogit = ∂loss/∂z = p − label`.
 */
export function sigmoidCrossEntropy(
  logit: number,
  label: number,
): { loss: number; prob: number; dlogit: number } {
  if (label !== 0 && label !== 1) {
    throw new RangeError(`sigmoidCrossEntropy: label must be 0 or 1, got ${label}`);
  }
  const prob = logistic(logit);
  return { loss: label ? -Math.log(prob) : -Math.log(1 - prob), prob, dlogit: prob - label };
}
