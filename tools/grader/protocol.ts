/**
 * What crosses between the host that runs the learner's code (a child process, a Web Worker)
 * and the grader: the values a probe returned ({@link Got}), what happened ({@link Outcome}),
 * and the messages of the run ({@link FromRunner}), as JSON. Host-independent.
 *
 * ```ts
 * import { decodeOutcome, encodeOutcome, type Outcome } from "./protocol.ts";
 * import { deepEqual } from "node:assert/strict";
 * const o: Outcome = {
 *   kind: "returned",
 *   outputs: { y: { kind: "nd", shape: [3], data: Float64Array.of(NaN, -Infinity, 1) } },
 * };
 * const back = decodeOutcome(JSON.parse(JSON.stringify(encodeOutcome(o))));
 * deepEqual(back.kind === "returned" && back.outputs.y.kind === "nd" && [...back.outputs.y.data], [
 *   NaN,
 *   -Infinity,
 *   1,
 * ]);
 * ```
 *
 * @module
 */

import { describe, isNd } from "./values.ts";
import type { GradeErrorKind } from "./spec.ts";

/** A value the learner returned, as it crossed from where their code ran. */
export type Got =
  | { kind: "nd"; shape: number[]; data: Float64Array }
  | { kind: "num"; value: number }
  | { kind: "other"; what: string };

/** What happened when a probe ran the learner's code. */
export type Outcome =
  | { kind: "returned"; outputs: Record<string, Got> }
  | { kind: "not_implemented"; what: string }
  | { kind: "threw"; name: string; message: string; where?: string }
  | { kind: "bad_return"; message: string; verdict?: GradeErrorKind }
  | { kind: "changed_input"; message: string }
  | { kind: "timeout"; ms: number }
  | { kind: "load_failed"; message: string; where?: string; detail?: string }
  | { kind: "load_timeout"; ms: number };

/** Turns one returned value into something that can cross to the grader. */
export function serialize(v: unknown): Got {
  if (isNd(v)) return { kind: "nd", shape: [...v.shape], data: Float64Array.from(v.data) };
  if (typeof v === "number") return { kind: "num", value: v };
  return { kind: "other", what: describe(v) };
}

/** Every output of a probe, serialized. */
export function serializeAll(o: Record<string, unknown>): Record<string, Got> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, serialize(v)]));
}

/** An {@link Outcome} as JSON (NaN and infinities as strings, which JSON cannot hold). */
export function encodeOutcome(o: Outcome): unknown {
  if (o.kind !== "returned") return o;
  const outputs: Record<string, unknown> = {};
  for (const [k, g] of Object.entries(o.outputs)) {
    outputs[k] = g.kind === "nd"
      ? { ...g, data: [...g.data].map((v) => (Number.isFinite(v) ? v : String(v))) }
      : g.kind === "num" && !Number.isFinite(g.value)
      ? { ...g, value: String(g.value) }
      : g;
  }
  return { kind: "returned", outputs };
}

/** The inverse of {@link encodeOutcome}. */
export function decodeOutcome(json: unknown): Outcome {
  const o = json as Outcome;
  if (o.kind !== "returned") return o;
  const outputs: Record<string, Got> = {};
  for (const [k, g] of Object.entries(o.outputs)) {
    outputs[k] = g.kind === "nd"
      ? { ...g, data: Float64Array.from(g.data as unknown as (number | string)[], Number) }
      : g.kind === "num"
      ? { ...g, value: Number(g.value) }
      : g;
  }
  return { kind: "returned", outputs };
}

/**
 * The messages of a run, in order: `ready` once the spec and the learner's module are loaded
 * (or `load_failed`), then `start` and `result` around each probe, then `done`.
 */
export type FromRunner =
  | { type: "ready" }
  | { type: "start"; i: number }
  | { type: "result"; i: number; outcome: unknown }
  | { type: "load_failed"; message: string; where?: string; detail?: string }
  | { type: "done" };

/** The prefix of the child process's protocol lines on its stdout. */
export const PROTOCOL = "\u0001grader ";
