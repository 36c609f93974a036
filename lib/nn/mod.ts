/**
 * The models, and the one contract they follow. Import them from `lib/mod.ts` (which
 * re-exports this module) or from here.
 *
 * ## The contract
 *
 * A model `foo.ts` exports, with "Inputs / Returns" shapes in every public doc comment:
 *
 * 1. `FooParams` — its parameters, a record of named `NDArray`s named as its source names them
 *    (`U, W, b, V, c`; `Wf … by`; `weight_ih_l0 …`), and `initFooParams(rng, sizes)` that draws
 *    them (`sizes` a record: `{ x_n, h_n, o_n }`, `{ n_x, n_h, n_y }`, …).
 * 2. `fooForward(params, inputs, state) → { outputs, state, cache }` — parameters first, then
 *    the inputs, then the start state (a default where zeros make sense); the outputs are what
 *    a head reads (logits, not probabilities), the state is the final one, and the cache holds
 *    everything the backward pass reads (the parameters included), nothing else.
 * 3. `fooBackward(dOutputs, cache) → { grads, dInputs, dState }` — from `∂L/∂outputs`,
 *    `grads` **keyed exactly like the parameters** (`GradsOf<FooParams>`, `params.ts`), and the
 *    gradients of the inputs and of the start state apart from them. A model trained one
 *    sequence at a time takes a third argument `into`, a gradient record to accumulate into
 *    (what a batch sums).
 * 4. No loss inside a forward pass: losses are functions of their own in `losses.ts`
 *    (`squaredErrorLoss`, `sigmoidCrossEntropy`, `softmaxCrossEntropy`), each with the
 *    derivative that becomes `dOutputs`. Nothing here imports training: `lib/course/train.ts`
 *    (`fit`, `Adam`, `Sgd`, `clipByGlobalNorm`) and `lib/course/tasks.ts` (the tasks and the
 *    heads that make a model a `SequenceModel`) import the models, never the other way round.
 *
 * Where a source names things otherwise, the lesson keeps the source's names through a thin
 * adapter of its own (lesson 1's `rnn_cell_forward(xt, a_prev, parameters)` calls
 * `rnnCellForward(parameters, xt, a_prev)`), and the library says which:
 *
 * | file                | params / init                                 | forward → outputs                    | backward → grads (+ dInputs, dState)       | source names (adapter)                         |
 * | ------------------- | --------------------------------------------- | ------------------------------------ | ------------------------------------------ | ---------------------------------------------- |
 * | `rnn_cell.ts`       | `RnnParameters`, `initRnnParameters`          | `rnnCellForward`, `rnnForward` → `{a, logits}` | `rnnCellBackward`, `rnnBackward`: `Wax…by` | lessons 1–2: `rnn_cell_forward` …; `courseraGradients` |
 * | `vanilla_rnn.ts`    | `VanillaRnnParams`, `initVanillaRnnParams`    | `vanillaRnnForward` → logits `o^t`   | `vanillaRnnBackward`: `U…c`               | `vanillaRnnLoss` (forward + its loss)          |
 * | `simple_rnn.ts`     | `SimpleRnnParams`, `initSimpleRnnParams`      | `simpleRnnForward` → logits (T, n_out) | `simpleRnnBackward`: `U…c`, + `delta`    | `simpleRnnLoss`; `simpleRnnDocumentGradients` |
 * | `lstm.ts`           | `LstmParams`, `initLstmParams`                | `lstmForward` → `y_t`                | `lstmBackward`: `Wf…by` (`into` sums a batch) | `lstm`, `dlstm`, `lstmLoss`, `dlstmLoss`    |
 * | `torch_rnn.ts`      | `TorchRnnParams`, `initTorchRnnParams`        | `torchRnnForward` → hidden states    | `torchRnnBackward`: `weight_ih_l0…`       | `torchGradsAsClassNames` (`dW_ih …`)           |
 * | `rnn_cell_class.ts` | `RnnCellParams`, `initRnnCellParams`          | `rnnCellClassForward` → hidden states | `rnnCellClassBackward`: `weight_ih…`     | the class `RnnCell` itself (document 000)      |
 *
 * `lstmLoss` / `dlstmLoss` (document 001's `lstm_loss` / `dlstm_loss`) and `vanillaRnnLoss`
 * compose a forward pass with its loss for the lessons that follow a source doing so.
 *
 * The shared recurrence `h = tanh(Wx·x + Wh·h_prev + b)` of the column-layout models is
 * `tanhRecurrence` / `tanhRecurrenceBackward` (`rnn_cell.ts`), and their one BPTT loop is
 * `tanhRecurrenceBptt` (used by `rnnBackward` and `vanillaRnnBackward`). Shapes: column layout is
 * `(features, batch)` per step (`rnn_cell.ts`, `vanilla_rnn.ts`), row layout `(T, features)`
 * (`simple_rnn.ts`, `lstm.ts` one example at a time), torch's `(T, batch, features)`.
 *
 * A new model (the GRU of lesson 10, say) is `gru.ts` with `GruParams`, `initGru`, `gruForward`,
 * `gruBackward` on this contract, a test against central differences through
 * `lib/numerics/gradient_policy.ts`, and an export line below; `lastStepClassifier`
 * (`lib/course/tasks.ts`) makes it a classifier of lesson 7's memory task and `fit` trains it
 * as it is.
 *
 * ```ts
 * import { initVanillaRnnParams, NDArray, oneHot, RandomState } from "../mod.ts";
 * import { softmaxCrossEntropy, vanillaRnnBackward, vanillaRnnForward } from "../mod.ts";
 * import { Adam, clipByGlobalNorm } from "../mod.ts";
 * import { deepEqual, ok } from "node:assert/strict";
 * const params = initVanillaRnnParams(new RandomState(0), { n_x: 1, n_h: 4, n_y: 2 });
 * const xs = [NDArray.ones([1, 3]), NDArray.ones([1, 3]).neg()];
 * const ys = xs.map(() => oneHot([0, 1, 1], 2));
 * const adam = new Adam(0.05);
 * const loss = () => softmaxCrossEntropy(vanillaRnnForward(params, xs).outputs, ys).loss;
 * const before = loss();
 * for (let s = 0; s < 20; s++) {
 *   const { outputs, cache } = vanillaRnnForward(params, xs); // h0 = zeros
 *   const { grads } = vanillaRnnBackward(softmaxCrossEntropy(outputs, ys).dLogits, cache);
 *   deepEqual(Object.keys(grads), Object.keys(params)); // keyed exactly like params
 *   ok(clipByGlobalNorm(grads, 10).norm >= 0);
 *   adam.step(params, grads);
 * }
 * ok(loss() < before);
 * ```
 *
 * @module
 */

export * from "./params.ts";
export * from "./activations.ts";
export * from "./losses.ts";
export * from "./rnn_cell.ts";
export * from "./vanilla_rnn.ts";
export * from "./rtrl.ts";
export * from "./simple_rnn.ts";
export * from "./lstm.ts";
export * from "./rnn_cell_class.ts";
export * from "./torch_rnn.ts";
export * from "./gru.ts";
