/**
 * The course's training tasks, and the loss heads that turn a model of `lib/nn` into a
 * {@link SequenceModel} that `fit` (lib/course/train.ts) trains on them.
 *
 * - {@link sineTask}: document 001's `test_sin` — windows of `sin(linspace(0, 3π, 30))`, the
 *   target the window rolled by one step, each from a random start state (lesson 5).
 * - {@link signMemoryTask}: lesson 7's memory task — a run of random signs ±1, answer the sign
 *   of the first at the last step (label 1 for +1).
 * - {@link sequenceRegressor}: a row-layout model's outputs against targets by squared error.
 * - {@link lastStepClassifier}: a row-layout model's last output read as one logit, sigmoid
 *   cross-entropy, one example at a time (lesson 7's LSTM; a GRU the same way).
 * - {@link columnClassifier}: a column-layout model's last-step logits `(2, m)`, softmax
 *   cross-entropy over the whole batch at once (lesson 7's vanilla RNN).
 * - {@link accuracy}: the share of predictions equal to their labels.
 *
 * A model plugs in through {@link RowModel}: its contract functions `forward(params, inputs,
 * state)` and `backward(dOutputs, cache, into)`, as `lib/nn/mod.ts` states them.
 *
 * ```ts
 * import { lastStepClassifier, signMemoryTask } from "./tasks.ts";
 * import { Adam, fit } from "./train.ts";
 * import { initLstmParams, lstmBackward, lstmForward } from "../nn/lstm.ts";
 * import { RandomState } from "../numerics/random.ts";
 * import { ok } from "node:assert/strict";
 * const rng = new RandomState(1);
 * const lstm = { forward: lstmForward, backward: lstmBackward };
 * const model = lastStepClassifier(lstm, initLstmParams(rng, { x_n: 1, h_n: 4, o_n: 1 }));
 * const { losses } = fit(model, signMemoryTask(5), new Adam(0.05), {
 *   steps: 60, batchSize: 16, rng, progress: false,
 * });
 * ok(losses[59] < losses[0]);
 * ```
 *
 * @module
 */

import { NDArray, roll } from "../numerics/ndarray.ts";
import type { RandomState } from "../numerics/random.ts";
import { softmax } from "../nn/activations.ts";
import {
  dSquaredErrorLoss,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
  squaredErrorLoss,
} from "../nn/losses.ts";
import { type GradsOf, zerosLikeParams } from "../nn/params.ts";
import { oneHot } from "../nn/vanilla_rnn.ts";
import type { SequenceModel, Task } from "./train.ts";

/**
 * A row-layout recurrent model of `lib/nn` seen through its contract: `forward(params, inputs,
 * state?)` over inputs (T, x_n) returns the outputs (T arrays of o_n) and a cache;
 * `backward(dOutputs, cache, into?)` returns gradients keyed like the parameters, accumulated
 * into `into` when given. `{ forward: lstmForward, backward: lstmBackward }` is one.
 */
export interface RowModel<P, S, C> {
  forward(params: P, inputs: NDArray, state?: S): { outputs: Float64Array[]; cache: C };
  backward(
    dOutputs: readonly Float64Array[],
    cache: C,
    into?: P,
  ): { grads: GradsOf<P> };
}

/** One example of {@link sineTask}: inputs and targets (T, 1) and the start state. */
export interface SineExample<S> {
  inputs: NDArray;
  targets: NDArray;
  state: S;
}

/**
 * Document 001's `test_sin` as a task: `sample(rng)` draws `s = randint(0, 7)`,
 * `e = randint(22, 30)`, the window `[s, e)` of `sin(linspace(0, 3π, 30))` as inputs (T, 1),
 * the window rolled by one step as targets (T, 1), then a start state with `startState(rng)`
 * (the question's `h, c ~ normal(0, 1, h_n)`) — in that order of random calls. One example per
 * sample (the question's batch size is 1).
 * Inputs: `startState(rng)`. Returns: the task; its examples hold inputs and targets (T, 1).
 */
export function sineTask<S>(startState: (rng: RandomState) => S): Task<SineExample<S>> {
  const wave = NDArray.linspace(0, 3 * Math.PI, 30).map(Math.sin);
  return {
    name: "test_sin",
    sample(rng: RandomState, size: number): SineExample<S> {
      if (size !== 1) throw new RangeError(`sineTask: one window per sample, not ${size}`);
      const s = rng.randint(0, Math.floor(30 / 4));
      const e = rng.randint(Math.floor((30 * 3) / 4), 30);
      const inputs = wave.slice(0, s, e).reshape(-1, 1);
      return { inputs, targets: roll(inputs, 1), state: startState(rng) };
    },
  };
}

/** A batch of {@link signMemoryTask}: `xs[t]` (1, m) holds step t's sign of every example. */
export interface SignBatch {
  /** T arrays (1, m): the signs ±1 at step t, one example per column. */
  xs: NDArray[];
  /** m labels: 1 where the first sign is +1, 0 where it is −1. */
  labels: number[];
}

/** Example j of a {@link SignBatch} as one sequence. Inputs: the batch, j. Returns: (T, 1). */
export function signSequence(batch: SignBatch, j: number): NDArray {
  return NDArray.from(batch.xs.map((x) => x.data[j])).reshape(-1, 1);
}

/**
 * Lesson 7's memory task: `sample(rng, m)` draws the signs (`randint(0, 2, [length, m])·2 − 1`,
 * one call) and labels every example by its first sign; the answer is due at the last step,
 * `length − 1` steps after the sign it asks for. Inputs: length T ≥ 1. Returns: the task;
 * its batches hold xs (T arrays of (1, m)) and m labels.
 */
export function signMemoryTask(length: number): Task<SignBatch> & { length: number } {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`signMemoryTask: length must be a whole number ≥ 1, got ${length}`);
  }
  return {
    name: `sign memory, gap ${length}`,
    length,
    sample(rng: RandomState, m: number): SignBatch {
      const signs = rng.randint(0, 2, [length, m]).mul(2).sub(1);
      const xs = [...Array(length).keys()].map((t) => signs.take(0, t).reshape(1, m));
      const labels = [...signs.take(0, 0).data].map((s) => (s > 0 ? 1 : 0));
      return { xs, labels };
    },
  };
}

/**
 * A row-layout model trained by squared error on every step ({@link sineTask}): the loss of an
 * example is `squaredErrorLoss(outputs, targets)`, its gradients the model's backward pass of
 * `dSquaredErrorLoss`. Inputs: the model's contract functions and its parameters (updated in
 * place by training). Returns: a {@link SequenceModel} of those parameters.
 */
export function sequenceRegressor<P, S, C>(
  model: RowModel<P, S, C>,
  params: P,
): SequenceModel<P, SineExample<S>> {
  return {
    params,
    lossAndGrads({ inputs, targets, state }) {
      const { outputs, cache } = model.forward(params, inputs, state);
      const loss = squaredErrorLoss(outputs, targets);
      return { loss, grads: model.backward(dSquaredErrorLoss(outputs, targets), cache).grads };
    },
  };
}

/**
 * A row-layout model as a classifier of {@link SignBatch}es: every example runs from the zero
 * state, its last output's first entry is read as a logit z, the loss is
 * `sigmoidCrossEntropy(z, label)`; the batch's loss is the mean, and its gradients, keyed like
 * the parameters, are those of the mean — `∂/∂z = (σ(z) − label) / m` at the last step, 0 at
 * the others — accumulated example by example into one record.
 * Inputs: the model's contract functions, its parameters (trained in place). Returns: the
 * {@link SequenceModel}, and `logit(inputs (T, x_n))` for predictions.
 */
export function lastStepClassifier<P extends { [K in keyof P]: NDArray }, S, C>(
  model: RowModel<P, S, C>,
  params: P,
): SequenceModel<P, SignBatch> & { logit(inputs: NDArray): number } {
  const run = (inputs: NDArray) => {
    const { outputs, cache } = model.forward(params, inputs);
    return { logit: outputs[outputs.length - 1][0], cache, T: outputs.length };
  };
  return {
    params,
    logit: (inputs) => run(inputs).logit,
    lossAndGrads(batch) {
      const m = batch.labels.length;
      const grads = zerosLikeParams(params) as P;
      let loss = 0;
      for (let j = 0; j < m; j++) {
        const { logit, cache, T } = run(signSequence(batch, j));
        const ce = sigmoidCrossEntropy(logit, batch.labels[j]);
        loss += ce.loss;
        const dys = [...Array(T).keys()].map((t) =>
          Float64Array.of(t === T - 1 ? ce.dlogit / m : 0)
        );
        model.backward(dys, cache, grads);
      }
      return { loss: loss / m, grads };
    },
  };
}

/**
 * A column-layout model as a classifier of {@link SignBatch}es over the whole batch at once:
 * `forward(params, xs)` over xs (T arrays of (1, m)) returns the logits (2, m) of every step
 * and a cache, `backward(dLogits, cache)` the gradients, keyed like the parameters, of what
 * reaches the logits (`undefined`: nothing); the loss is the softmax cross-entropy at the last
 * step against one-hot labels, `ŷ = softmax(logits)`. `reduce` says what the batch reports:
 * `"mean"` — the mean loss and the mean gradients (each divided by m) — or `"sum"` — the mean
 * loss and the summed gradients, for an optimiser that folds the 1/m into its step (lesson 7's
 * clipped SGD). Inputs: the model's functions, its parameters (trained in place), `reduce`.
 * Returns: the {@link SequenceModel}, and `probs(xs)`: the softmax of the last step (2, m).
 */
export function columnClassifier<P extends { [K in keyof P]: NDArray }, C>(
  model: {
    forward(params: P, xs: readonly NDArray[]): { logits: NDArray[]; cache: C };
    backward(dLogits: readonly (NDArray | undefined)[], cache: C): { grads: GradsOf<P> };
  },
  params: P,
  reduce: "mean" | "sum" = "mean",
): SequenceModel<P, SignBatch> & { probs(xs: readonly NDArray[]): NDArray } {
  const targets = (batch: SignBatch) => batch.xs.map(() => oneHot(batch.labels, 2));
  return {
    params,
    probs(xs) {
      const { logits } = model.forward(params, xs);
      return softmax(logits[logits.length - 1]);
    },
    lossAndGrads(batch) {
      const m = batch.labels.length, T = batch.xs.length;
      const { logits, cache } = model.forward(params, batch.xs);
      const ce = softmaxCrossEntropy(logits, targets(batch), [T - 1]);
      const { grads } = model.backward(ce.dLogits, cache);
      const out = {} as { [K in keyof P]: NDArray };
      for (const k of Object.keys(grads) as (keyof P)[]) {
        out[k] = reduce === "mean" ? grads[k].div(m) : grads[k];
      }
      return { loss: ce.loss / m, grads: out };
    },
  };
}

/**
 * The share of predictions equal to their labels. Inputs: two lists of the same length.
 * Returns: a number in [0, 1].
 */
export function accuracy(predictions: readonly number[], labels: readonly number[]): number {
  if (predictions.length !== labels.length || labels.length === 0) {
    throw new RangeError(
      `accuracy: ${predictions.length} predictions for ${labels.length} labels`,
    );
  }
  return labels.filter((l, j) => predictions[j] === l).length / labels.length;
}
