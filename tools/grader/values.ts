/**
 * Describing and unpacking what the learner's functions return, in the learner's terms
 * (host-independent).
 *
 * ```ts
 * import { describe } from "./values.ts";
 * import { equal } from "node:assert/strict";
 * equal(describe(new Float64Array(30)), "a Float64Array of length 30");
 * equal(describe([1, 2]), "an array of length 2");
 * ```
 *
 * @module
 */

import { NDArray } from "../../lib/numerics/ndarray.ts";
import { GradeError } from "./spec.ts";

/** A shape as numpy prints it: `(5, 3)`, `(5,)`. */
export const shapeStr = (s: readonly number[]) =>
  s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`;

/** An NDArray, also one made by another copy of the library (a learner's import path). */
export function isNd(v: unknown): v is NDArray {
  if (v instanceof NDArray) return true;
  const o = v as { shape?: unknown; data?: unknown } | null;
  return typeof o === "object" && o !== null && Array.isArray(o.shape) &&
    o.data instanceof Float64Array;
}

/** How a value looks, for a message: "an NDArray of shape (5, 3)", "an object with keys …". */
export function describe(v: unknown): string {
  if (isNd(v)) return `an NDArray of shape ${shapeStr(v.shape)}`;
  if (v === undefined) return "undefined (did the function return?)";
  if (v === null) return "null";
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "boolean") return `the boolean ${v}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.slice(0, 40))}`;
  if (typeof v === "function") return `a function (${v.name || "anonymous"}) — was it called?`;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const name = v.constructor?.name ?? "typed array";
    return `a ${name} of length ${(v as unknown as { length: number }).length}`;
  }
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v instanceof Promise) return "a Promise (the function is async; it must return the value)";
  if (typeof v === "object") {
    const keys = Object.keys(v);
    const name = v.constructor?.name;
    const what = name && name !== "Object" ? `a ${name} object` : "an object";
    if (!keys.length) return `${what} with no keys`;
    const shown = keys.length > 8 ? [...keys.slice(0, 8), "…"] : keys;
    return `${what} with keys ${shown.join(", ")}`;
  }
  return `a ${typeof v}`;
}

/** `[a, b, c] = result`, or a {@link GradeError} naming what came back instead. */
export function tuple(result: unknown, fn: string, names: string[]): unknown[] {
  if (!Array.isArray(result) || result.length !== names.length) {
    throw new GradeError(
      `${fn} should return [${names.join(", ")}], got ${describe(result)}`,
    );
  }
  return result;
}

/** `result[key]` for each key, or a {@link GradeError} naming the missing keys. */
export function record(result: unknown, fn: string, names: string[]): Record<string, unknown> {
  if (typeof result !== "object" || result === null || Array.isArray(result)) {
    throw new GradeError(`${fn} should return {${names.join(", ")}}, got ${describe(result)}`);
  }
  const missing = names.filter((k) => !(k in result));
  if (missing.length) {
    throw new GradeError(
      `${fn} should return {${names.join(", ")}}; ${missing.join(", ")} missing (got ${
        describe(result)
      })`,
    );
  }
  return result as Record<string, unknown>;
}
