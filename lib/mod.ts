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
 * it: import `./course/framework.ts` directly. The plots (`course/plot.ts`) are: importing them
 * costs nothing, since vega and vega-lite are loaded by a dynamic `import()` when the first plot is
 * drawn, never by this module's static imports (`tests/plot_test.ts` checks the graph).
 *
 * @module
 */

// arrays, random numbers, linear algebra
export * from "./numerics/ndarray.ts";
export * from "./numerics/random.ts";
export * from "./numerics/torch_random.ts";
export * from "./numerics/linalg.ts";
export * from "./numerics/summation.ts";
// models (the contract is in nn/mod.ts) and training
export * from "./nn/mod.ts";
export * from "./course/train.ts";
export * from "./course/tasks.ts";
// gradient checks
export * from "./numerics/gradcheck.ts";
// lessons: published values, the harness, display and plots, data, progress
export * from "./numerics/published.ts";
export * from "./course/lesson.ts";
export * from "./course/display.ts";
export * from "./course/plot.ts";
export * from "./numerics/data.ts";
export * from "./course/torch_runs.ts";
export * from "./course/progress.ts";
// the last digits: fused multiply-add, dot products in a chosen order, glibc's log
export * from "./numerics/fma.ts";
export * from "./forensics/dot_orders.ts";
export * from "./numerics/glibc_log.ts";
