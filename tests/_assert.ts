/**
 * Test helper: "every value is below the tolerance", written so that it cannot pass by
 * accident. `ok(relError(a, n).max() < tol)` passed on an all-NaN gradient while `max`
 * skipped NaN, and `ok(values.x < tol)` passes when `--json` turned a NaN into `null`
 * (`null < 1e-8` is true in JavaScript). Here a NaN, an infinity, a `null`, a non-number or
 * no values at all fail, and the message names the first offending entry.
 */
import { AssertionError } from "node:assert";
import { NDArray } from "../lib/numerics/ndarray.ts";

/** What {@link assertAllBelow} accepts: an array, a list, a record of numbers, or one number. */
export type Values = NDArray | ArrayLike<unknown> | Record<string, unknown> | number;

function entries(values: Values): [string, unknown][] {
  if (values instanceof NDArray) return [...values.data].map((v, i) => [`[${i}]`, v]);
  if (typeof values === "number") return [["", values]];
  if (typeof (values as ArrayLike<unknown>).length === "number") {
    return Array.from(values as ArrayLike<unknown>, (v, i) => [`[${i}]`, v]);
  }
  return Object.entries(values as Record<string, unknown>).map(([k, v]) => [`.${k}`, v]);
}

/**
 * Asserts that `values` is non-empty and every entry is a finite number `< tol`.
 * `what` names the quantity in the failure message (e.g. `"dW rel. error"`).
 */
export function assertAllBelow(values: Values, tol: number, what: string): void {
  if (!(typeof tol === "number" && Number.isFinite(tol) && tol > 0)) {
    throw new AssertionError({ message: `${what}: tolerance ${tol} must be finite and > 0` });
  }
  const list = entries(values);
  if (list.length === 0) {
    throw new AssertionError({ message: `${what}: no values to check` });
  }
  for (const [where, v] of list) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new AssertionError({ message: `${what}${where} is ${v}, not a finite number` });
    }
    if (!(v < tol)) {
      throw new AssertionError({ message: `${what}${where} = ${v} is not below ${tol}` });
    }
  }
}

/** `assertAllBelow` for one number (a `null` from JSON, NaN or ∞ fails). */
export function assertBelow(value: unknown, tol: number, what: string): void {
  if (typeof value !== "number") {
    throw new AssertionError({ message: `${what} is ${value}, not a finite number` });
  }
  assertAllBelow(value, tol, what);
}
