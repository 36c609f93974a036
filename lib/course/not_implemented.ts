/**
 * The error every exercise stub throws until the learner writes the function. The grader
 * reports it as "not implemented yet", without a stack trace.
 *
 * ```ts
 * import { isNotImplemented, NotImplemented } from "./not_implemented.ts";
 * import { equal } from "node:assert/strict";
 * equal(isNotImplemented(new NotImplemented("rnn_cell_forward")), true);
 * equal(isNotImplemented(new Error("rnn_cell_forward")), false);
 * ```
 *
 * @module
 */

/** Thrown by a stub: `throw new NotImplemented("rnn_cell_forward")`. */
export class NotImplemented extends Error {
  constructor(readonly what: string) {
    super(`${what} is not implemented yet`);
    this.name = "NotImplemented";
  }
}

/** True for a {@link NotImplemented}, also one thrown from another copy of this module. */
export function isNotImplemented(e: unknown): e is { name: string; what?: string } {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "NotImplemented";
}
