/**
 * The library every lesson builds on. Import from here:
 *
 * ```ts
 * import { NDArray, dot } from "./mod.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(dot(NDArray.eye(2), NDArray.from([3, 4])).toNested(), [3, 4]);
 * ```
 *
 * TensorFlow.js is not re-exported here, so that lessons which do not need it do not load
 * it: import `../lib/framework.ts` directly.
 *
 * @module
 */

export * from "./ndarray.ts";
export * from "./display.ts";
export * from "./published.ts";
export * from "./lesson.ts";
export * from "./gradcheck.ts";
export * from "./progress.ts";
export * from "./summation.ts";
export * from "./nn/activations.ts";
export * from "./nn/rnn_cell.ts";
export * from "./random.ts";
export * from "./nn/vanilla_rnn.ts";
export * from "./data.ts";
export * from "./nn/lstm.ts";
export * from "./linalg.ts";
export * from "./nn/simple_rnn.ts";
export * from "./torch_random.ts";
export * from "./nn/rnn.ts";
export * from "./fma.ts";
export * from "./dot_orders.ts";
export * from "./glibc_log.ts";
