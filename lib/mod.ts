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
 * it: import `../lib/framework.ts` directly. The plots (`plot.ts`) are: importing them costs
 * nothing, since vega and vega-lite are loaded by a dynamic `import()` when the first plot is
 * drawn, never by this module's static imports (`tests/plot_test.ts` checks the graph).
 *
 * @module
 */

// arrays, random numbers, linear algebra
export * from "./ndarray.ts";
export * from "./random.ts";
export * from "./torch_random.ts";
export * from "./linalg.ts";
export * from "./summation.ts";
// models (the contract is in nn/mod.ts) and training
export * from "./nn/mod.ts";
export * from "./train.ts";
export * from "./tasks.ts";
// gradient checks
export * from "./gradcheck.ts";
// lessons: published values, the harness, display and plots, data, progress
export * from "./published.ts";
export * from "./lesson.ts";
export * from "./display.ts";
export * from "./plot.ts";
export * from "./data.ts";
export * from "./torch_runs.ts";
export * from "./progress.ts";
// the last digits: fused multiply-add, dot products in a chosen order, glibc's log
export * from "./fma.ts";
export * from "./dot_orders.ts";
export * from "./glibc_log.ts";
