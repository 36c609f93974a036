/**
 * The messages between the practice page and its workers. A probe worker speaks the same
 * protocol as the command line's child process (`tools/grader/child.ts`: ready, start, result,
 * load_failed, done), as structured-clone messages instead of lines on stdout (a Float64Array
 * with NaN crosses as it is), plus `print` for what the learner's code writes to the console.
 *
 * @module
 */

import type { ExerciseResult, Outcome } from "../../grader/mod.ts";

/** A probe as the page names it while it runs. */
export interface ProbeName {
  fn: string;
  name: string;
}

/** The learner's files, already stripped of types: `exercises/NN_slug.ts` → JavaScript. */
export type LearnerFiles = Record<string, string>;

/** Page → worker. */
export type ToWorker =
  | {
    role: "probe";
    exercise: number;
    main: string;
    files: LearnerFiles;
    indices: number[];
    seed: number;
  }
  | { role: "list"; exercise: number; seed: number }
  | { role: "judge"; exercise: number; seed: number; outcomes: Outcome[] };

/**
 * Worker → page. `loaded` is the worker's first word, said once its own script (the bundled
 * grader) has loaded and run: an error before it is the page's script failing, never the
 * learner's code. `page_failed`: a bundled module the learner's file imports did not load.
 */
export type FromWorker =
  | { type: "loaded" }
  | { type: "page_failed"; message: string }
  | { type: "ready" }
  | { type: "start"; i: number }
  | { type: "result"; i: number; outcome: Outcome }
  | { type: "load_failed"; message: string; where?: string; detail?: string }
  | { type: "done" }
  | { type: "print"; stream: "log" | "error"; text: string }
  | { type: "probes"; probes: ProbeName[] }
  | { type: "judged"; result: ExerciseResult }
  | { type: "crashed"; message: string };

/** The learner's files' paths are resolved against this (only to rewrite their imports). */
export const ROOT_URL = "file:///";

/**
 * The course's modules an exercise file may import (the stubs, the reference solutions and the
 * committed wrong solutions import these), by path from the repository's root. Each is bundled
 * as `<practice>/` + {@link bundledName}, sharing its chunks with the grader.
 */
export const LEARNER_MODULES = [
  "lib/mod.ts",
  "lib/nn/mod.ts",
  "lib/numerics/ndarray.ts",
  "lib/numerics/linalg.ts",
  "lib/course/train.ts",
  "lib/course/optimisers.ts",
  "lib/numerics/gradient_policy.ts",
  "lib/course/not_implemented.ts",
];

/** `lib/nn/mod.ts` → `lib_nn_mod.js`. */
export const bundledName = (path: string) => path.replace(/\//g, "_").replace(/\.ts$/, ".js");
