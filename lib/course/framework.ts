/**
 * The bridge to TensorFlow.js (`npm:@tensorflow/tfjs`), CPU backend, float32: the
 * framework whose autodiff our hand-derived gradients are checked against.
 *
 * TensorFlow.js computes in float32 (about 7 significant digits: unit roundoff
 * 2^-24 ≈ 6e-8), so its results agree with our float64 ones only to float32 tolerance.
 *
 * ```ts
 * import { fromTensor, tf, toTensor } from "./framework.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const x = toTensor(NDArray.from([[1, 2], [3, 4]]));
 * deepEqual(fromTensor(tf.matMul(x, x)).toNested(), [[7, 10], [15, 22]]);
 * ```
 *
 * @module
 */

// The version is pinned here, not in deno.json's import map: `deno task` installs every package
// of the import map before it runs anything, and TensorFlow.js is 272 MB that lessons 1 and 2
// never load. Imported from this file only.
// deno-lint-ignore no-import-prefix
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { NDArray } from "../numerics/ndarray.ts";

await tf.setBackend("cpu");
// The CPU backend prints a banner suggesting tfjs-node on its first tensor; we use the
// pure-JS CPU backend on purpose, so mark it as already used.
(tf.backend() as unknown as { firstUse: boolean }).firstUse = false;

export { tf };

/** An `NDArray` as a float32 `tf.Tensor` (values rounded to float32). */
export function toTensor(a: NDArray): tf.Tensor {
  return tf.tensor(Float32Array.from(a.data), [...a.shape], "float32");
}

/** A `tf.Tensor`'s values as a float64 `NDArray` (exact: every float32 is a float64). */
export function fromTensor(t: tf.Tensor): NDArray {
  return new NDArray(Float64Array.from(t.dataSync() as Float32Array), t.shape);
}
