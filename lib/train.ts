/**
 * Training helpers for any model of `lib/nn`: a model's parameters are a record of named
 * arrays (`{ U, W, b, V, c }`, `{ Wf, …, by }`), its gradients a record with the same keys
 * (see the contract in `nn/mod.ts`), and everything here works on any such pair, so no cast
 * is needed to hand a model to an optimizer.
 *
 * - {@link parameters}: the `[name, array]` pairs of a parameter record, in key order.
 * - {@link globalNorm}, {@link clipByGlobalNorm}: the norm of all gradients together, and the
 *   factor `min(1, maxNorm / ‖g‖)` that clipping multiplies them by.
 * - {@link sgdStep}, {@link Sgd}, {@link Adam}: update the parameters in place; `Sgd` and
 *   `Adam` are {@link Optimiser}s.
 * - {@link fit}: the one training loop — any {@link SequenceModel} on any {@link Task} with any
 *   optimiser, a progress bar, the loss of every step.
 * - {@link movingAverage}: the smoother the lessons draw loss curves with.
 *
 * The types (`Params`, `GradsOf`, `parameters`, `zerosLikeParams`) live in `nn/params.ts`, so
 * that no model imports anything from training; the losses live in `nn/losses.ts`.
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
import { type GradsOf, parameters } from "./nn/params.ts";
import { type Progress, progress } from "./progress.ts";
import type { RandomState } from "./random.ts";

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

/**
 * A model as the training loop sees it: its parameters (micrograd's one `parameters()`: the
 * record the optimiser updates in place) and, for one batch, the loss and its gradients keyed
 * exactly like the parameters. `lib/tasks.ts` builds one from a model of `lib/nn` and a task's
 * loss head (`sequenceRegressor`, `lastStepClassifier`, `columnClassifier`).
 */
export interface SequenceModel<P, B> {
  readonly params: P;
  lossAndGrads(batch: B): { loss: number; grads: GradsOf<P> };
}

/** Where training data comes from: `sample(rng, size)` draws one batch of `size` examples. */
export interface Task<B> {
  readonly name: string;
  sample(rng: RandomState, size: number): B;
}

/** Options of {@link fit}. */
export interface FitOptions<P> {
  /** The number of optimiser steps, one batch each. */
  steps: number;
  /** Examples per batch (default 1). */
  batchSize?: number;
  /** The generator the task draws its batches from. */
  rng: RandomState;
  /** Called after every step with the step's index, its loss and its gradients. */
  onStep?: (step: number, loss: number, grads: GradsOf<P>) => void;
  /**
   * The progress bar: a label starts one of `steps` ticks (the default, labelled by the task's
   * name), a running {@link Progress} is ticked once a step and left open (to share one bar
   * between runs), `false` shows none.
   */
  progress?: string | Progress | false;
  /** A note beside the bar after each step (e.g. a smoothed loss). */
  note?: (step: number, loss: number) => string;
}

/**
 * The training loop, once for every model: `steps` times, draw a batch from the task
 * (`task.sample(rng, batchSize)`), ask the model for its loss and gradients, let the optimiser
 * update the parameters, record the loss, call `onStep`, tick the bar — in that order, so a
 * loop written by hand in the same order computes the same numbers bit for bit. A loss that
 * turns infinite or NaN is recorded, not hidden (lesson 7 watches runs diverge).
 * Inputs: the model, the task, an optimiser, {@link FitOptions}. Returns: every step's loss.
 *
 * ```ts
 * import { fit, Sgd, type SequenceModel, type Task } from "./train.ts";
 * import { NDArray } from "./ndarray.ts";
 * import { RandomState } from "./random.ts";
 * import { ok } from "node:assert/strict";
 * // Fit w in y = w·x to y = 3x: loss (w·x − 3x)², gradient 2(w·x − 3x)·x.
 * const task: Task<number> = { name: "y = 3x", sample: (rng) => rng.uniform(-1, 1, [1]).get(0) };
 * const model: SequenceModel<{ w: NDArray }, number> = {
 *   params: { w: NDArray.from([0]) },
 *   lossAndGrads(x) {
 *     const e = this.params.w.get(0) * x - 3 * x;
 *     return { loss: e * e, grads: { w: NDArray.from([2 * e * x]) } };
 *   },
 * };
 * const { losses } = fit(model, task, new Sgd(0.5), { steps: 200, rng: new RandomState(0), progress: false });
 * ok(Math.abs(model.params.w.get(0) - 3) < 1e-6 && losses[199] < losses[0]);
 * ```
 */
export function fit<P, B>(
  model: SequenceModel<P, B>,
  task: Task<B>,
  optimiser: Optimiser<P>,
  options: FitOptions<P>,
): { losses: number[] } {
  const { steps, batchSize = 1, rng, onStep, note } = options;
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`fit: steps must be a whole number ≥ 0, got ${steps}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`fit: batchSize must be a whole number ≥ 1, got ${batchSize}`);
  }
  const opt = options.progress ?? task.name;
  const bar = opt === false ? null : typeof opt === "string" ? progress(steps, opt) : opt;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const batch = task.sample(rng, batchSize);
    const { loss, grads } = model.lossAndGrads(batch);
    optimiser.step(model.params, grads);
    losses.push(loss);
    onStep?.(s, loss, grads);
    bar?.tick(1, note?.(s, loss));
  }
  if (typeof opt === "string") bar?.done();
  return { losses };
}

/**
 * The trailing moving average of a curve: entry i is the mean of the last `window` values up
 * to i (fewer at the start). Inputs: numbers, a window ≥ 1. Returns: as many numbers.
 */
export function movingAverage(xs: readonly number[], window: number): number[] {
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`movingAverage: window must be a whole number ≥ 1, got ${window}`);
  }
  return xs.map((_, i) =>
    xs.slice(Math.max(0, i - (window - 1)), i + 1).reduce((a, b) => a + b, 0) /
    Math.min(i + 1, window)
  );
}
