/**
 * A model's parameters as the contract of `mod.ts` has them: a record of named arrays, and its
 * gradients a record with exactly the same keys. Nothing here trains; `lib/course/train.ts` builds
 * its optimisers on these types.
 *
 * ```ts
 * import { parameters, zerosLikeParams } from "./params.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const p = { W: NDArray.ones([2, 3]), b: NDArray.ones([2]) };
 * const g = zerosLikeParams(p);
 * deepEqual(parameters(g).map(([k, a]) => [k, a.shape, a.sum()]), [["W", [2, 3], 0], ["b", [2], 0]]);
 * ```
 *
 * @module
 */

import { NDArray } from "../numerics/ndarray.ts";

/** A model's parameters: named arrays of any shapes. */
export type Params = { readonly [name: string]: NDArray };

/** Gradients keyed exactly like the parameters `P` (each the shape of its parameter). */
export type GradsOf<P> = { readonly [K in keyof P]: NDArray };

/**
 * The parameters as `[name, array]` pairs, in the record's key order (micrograd's
 * `parameters()`, with names). Accepts interfaces and `Record` types alike.
 * Inputs: a parameter record. Returns: its `[name, array]` pairs (the arrays themselves).
 */
export function parameters<P extends { [K in keyof P]: NDArray }>(
  params: P,
): [keyof P & string, NDArray][] {
  return (Object.keys(params) as (keyof P & string)[]).map((k) => [k, params[k]]);
}

/**
 * Zeroed gradients keyed and shaped like the parameters, in the same key order, for any model.
 * Inputs: a parameter record. Returns: a record of fresh zero arrays, one per parameter.
 */
export function zerosLikeParams<P extends { [K in keyof P]: NDArray }>(
  params: P,
): { [K in keyof P]: NDArray } {
  const out = {} as { [K in keyof P]: NDArray };
  for (const [k, p] of parameters(params)) out[k] = NDArray.zeros(p.shape);
  return out;
}
