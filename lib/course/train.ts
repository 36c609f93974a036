/**
 * Training helpers for any model of `lib/nn`: a model's parameters are a record of named
 * arrays (`{ U, W, b, V, c }`, `{ Wf, …, by }`), its gradients a record with the same keys
 * (see the contract in `../nn/mod.ts`), and everything here works on any such pair, so no cast
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
 * The types (`Params`, `GradsOf`, `parameters`, `zerosLikeParams`) live in `../nn/params.ts`, so
 * that no model imports anything from training; the losses live in `../nn/losses.ts`.
 *
 * ```ts
 * import { Adam, globalNorm, sgdStep } from "./train.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
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

import type { GradsOf } from "../nn/params.ts";
import { type Progress, progress } from "./progress.ts";
import type { RandomState } from "../numerics/random.ts";
import type { Optimiser } from "./optimisers.ts";

export * from "./optimisers.ts";

/**
 * A model as the training loop sees it: its parameters (micrograd's one `parameters()`: the
 * record the optimiser updates in place) and, for one batch, the loss and its gradients keyed
 * exactly like the parameters. `lib/course/tasks.ts` builds one from a model of `lib/nn` and a
 * task's loss head (`sequenceRegressor`, `lastStepClassifier`, `columnClassifier`).
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
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { RandomState } from "../numerics/random.ts";
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
