/**
 * The models, and the one contract they follow. Import them from `lib/mod.ts` (which
 * re-exports this module) or from here.
 *
 * ## The contract
 *
 * A model `foo.ts` exports, with "Inputs / Returns" shapes in every public doc comment:
 *
 * 1. `FooParams` — its parameters, a record of named `NDArray`s named as its source names them
 *    (`U, W, b, V, c`; `Wf … by`; `weight_ih_l0 …`), and an `init…` that draws them.
 * 2. `fooForward(…inputs, params) → { outputs…, cache }` — the cache holds everything the
 *    backward pass reads (the inputs, the states, the parameters), nothing else.
 * 3. `fooBackward(…, cache, dOut) → grads` — from the upstream gradient of the outputs,
 *    gradients **keyed exactly like the parameters** (`GradsOf<FooParams>`), plus the
 *    gradients of the inputs and initial state where the source has them.
 * 4. Losses are functions of their own (`squaredErrorLoss`, `sigmoidCrossEntropy`), so a
 *    model's forward pass does not fix its head; training goes through `lib/train.ts`
 *    (`parameters`, `globalNorm`, `clipByGlobalNorm`, `sgdStep`, `Adam`), which takes any
 *    such parameter and gradient pair without casts.
 *
 * Where a source names things otherwise, the lesson keeps the source's names and the library
 * says so:
 *
 * | file                | params               | forward → cache                         | backward → gradients                            |
 * | ------------------- | -------------------- | --------------------------------------- | ----------------------------------------------- |
 * | `vanilla_rnn.ts`    | `VanillaRnnParams`   | `vanillaRnnForward` → `cache`           | `vanillaRnnBackward(cache)`: `U…c` + `h0`  ✓    |
 * | `lstm.ts`           | `LstmParams`         | `lstmForward` → `caches`                | `lstmBackward(params, dOutputs, caches)`: `Wf…by` ✓ |
 * | `rnn_cell.ts`       | `RnnParameters`      | `rnnCellForward` / `rnnForward` → cache | `Wax, Waa, ba` + `xt, a_prev` / `x, a0` ✓; `courseraCellGradients` / `courseraGradients` give Coursera's `dWax …` |
 * | `simple_rnn.ts`     | `SimpleRnnParams`    | `simpleRnnForward` → the forward record | `U…c` + `h0`, `delta` ✓; `simpleRnnDocumentGradients` gives document 002's `dU …` |
 * | `torch_rnn.ts`      | `TorchRnnParams`     | `torchRnnForward` → hidden states       | `weight_ih_l0 …` + `x, h0` ✓ (`TorchRnnGrads`); `torchGradsAsClassNames` gives `dW_ih …` |
 * | `rnn_cell_class.ts` | constructor args     | `call()` pushes onto stacks             | `backward()`, `grads()`: document 000's class   |
 *
 * The shared recurrence `h = tanh(Wx·x + Wh·h_prev + b)` of the column-layout models is
 * `tanhRecurrence` / `tanhRecurrenceBackward` (`rnn_cell.ts`), and their one BPTT loop is
 * `tanhRecurrenceBptt` (used by `rnnBackward` and `vanillaRnnBackward`). Shapes: column layout is
 * `(features, batch)` per step (`rnn_cell.ts`, `vanilla_rnn.ts`), row layout `(T, features)`
 * (`simple_rnn.ts`, `lstm.ts` one example at a time), torch's `(T, batch, features)`.
 *
 * A new model (a GRU, say) is `gru.ts` with `GruParams`, `initGruParams`, `gruForward`,
 * `gruBackward` returning `GradsOf<GruParams>`, a test against central differences
 * (`gradCheck`), and an export line below; `Adam` and `clipByGlobalNorm` train it as they are.
 *
 * ```ts
 * import { Adam, clipByGlobalNorm, oneHot, vanillaRnnBackward, vanillaRnnForward } from "../mod.ts";
 * import { NDArray, RandomState } from "../mod.ts";
 * import { ok } from "node:assert/strict";
 * const rng = new RandomState(0);
 * const params = {
 *   U: rng.randn(4, 1), W: rng.randn(4, 4).mul(0.3), b: NDArray.zeros([4, 1]),
 *   V: rng.randn(2, 4), c: NDArray.zeros([2, 1]),
 * };
 * const xs = [NDArray.ones([1, 3]), NDArray.ones([1, 3]).neg()];
 * const ys = xs.map(() => oneHot([0, 1, 1], 2));
 * const adam = new Adam(0.05);
 * const loss = () => vanillaRnnForward(xs, NDArray.zeros([4, 3]), params, ys).loss;
 * const before = loss();
 * for (let s = 0; s < 20; s++) {
 *   const { cache } = vanillaRnnForward(xs, NDArray.zeros([4, 3]), params, ys);
 *   const { h0: _dh0, ...grads } = vanillaRnnBackward(cache); // keyed like params
 *   ok(clipByGlobalNorm(grads, 10).norm >= 0);
 *   adam.step(params, grads);
 * }
 * ok(loss() < before);
 * ```
 *
 * @module
 */

export * from "./activations.ts";
export * from "./rnn_cell.ts";
export * from "./vanilla_rnn.ts";
export * from "./simple_rnn.ts";
export * from "./lstm.ts";
export * from "./rnn_cell_class.ts";
export * from "./torch_rnn.ts";
export * from "./gru.ts";
