/**
 * The messages between the practice page and its workers. A probe worker speaks the same
 * protocol as the command line's child process (`tools/grader/child.ts`: ready, start, result,
 * load_failed, done), as structured-clone messages instead of lines on stdout (a Float64Array
 * with NaN crosses as it is), plus `print` for what the learner's code writes to the console.
 *
 * @module
 */

import type { Outcome, TestResult } from "../../grader/core.ts";

/** The learner's files, already stripped of types: `exercises/NN_slug.ts` → JavaScript. */
export type LearnerFiles = Record<string, string>;

/** Page → worker. */
export type ToWorker =
  | { role: "probe"; exercise: number; main: string; files: LearnerFiles; indices: number[] }
  | { role: "judge"; exercise: number; outcomes: Outcome[] };

/** Worker → page. */
export type FromWorker =
  | { type: "ready" }
  | { type: "start"; i: number }
  | { type: "result"; i: number; outcome: Outcome }
  | { type: "load_failed"; message: string; where?: string }
  | { type: "done" }
  | { type: "print"; stream: "log" | "error"; text: string }
  | { type: "judged"; tests: TestResult[] }
  | { type: "crashed"; message: string };

/** Where the learner's files live, as the grader's `learnerLine` sees them. */
export const ROOT_URL = "file:///";
export const LEARNER_DIR = "file:///exercises/";
