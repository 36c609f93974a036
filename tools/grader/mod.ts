/**
 * The exercise grader's core: runs the learner's functions where they can be stopped, and says
 * in the learner's terms what is wrong. Nothing in it (nor in any exercise's spec) uses a
 * `Deno.*` API or a Node built-in, so the command line and a web page grade with the same code:
 *
 * - `spec.ts` — what an exercise declares: probes, references, known mistakes;
 * - `values.ts` — describing and unpacking what the learner's functions return;
 * - `protocol.ts` — outcomes and the run's messages as JSON;
 * - `probe.ts` — running probe i on the learner's module, inputs guarded against changes;
 * - `judge.ts` — judging an outcome against the references and the mistakes (pure);
 * - `format.ts` — the text report.
 *
 * ## The host contract
 *
 * A host (the command line's child process, `run_child.ts` + `child.ts`; a Web Worker in the
 * page) must:
 *
 * 1. **Load the learner's module** into a realm of its own (a process, a worker) and import the
 *    exercise's spec module (`spec.url`, or the registry `exercises.ts`) there, reporting a
 *    module that fails to load as `{type: "load_failed", ...loadError(error, paths)}` (its first
 *    line, the code frame kept verbatim, the learner's line);
 * 2. **Run the probes** `probesOf(spec, seed)` (the fixed probes and the random cases of the
 *    run's seed, {@link freshSeed} unless one is given) one at a time with
 *    {@link runProbe}`(spec, i, learnerModule, paths, seed)`,
 *    awaiting {@link settle} after each and folding in the errors collected by
 *    {@link watchAsyncErrors} ({@link withAsyncErrors}); `paths` says which stack frames are the
 *    learner's and how to show them; send `start` before and `result` after each probe
 *    ({@link FromRunner}, values through {@link encodeOutcome});
 * 3. **Enforce a time limit** per probe (default 5 s) and for loading (default 30 s), counted
 *    from `start` on the grader's side, not inside the learner's realm;
 * 4. **Stop** the realm at the limit (kill the process, terminate the worker), record
 *    `{kind: "timeout"}` for that probe, and start a fresh realm for the remaining probes;
 * 5. **Never drop** what the realm said when it ended: a non-zero exit or an uncaught error
 *    after the last result becomes a failing check ({@link processProblem}).
 *
 * The grader side then calls {@link judgeAll}`(spec, outcomes, seed)`, in any realm: the
 * references and the mistakes run there, never in the learner's. `cases.ts` (random cases) and
 * `lib.ts` (the host-free part of the library) serve the specs.
 *
 * @module
 */

import { type ExerciseSpec, type Impl, probesOf } from "./spec.ts";
import type { Outcome } from "./protocol.ts";
import { type ExerciseResult, judge, type TestResult } from "./judge.ts";
import { guardInputs, runOne, type StackPaths } from "./probe.ts";

export * from "./spec.ts";
export * from "./values.ts";
export * from "./protocol.ts";
export * from "./probe.ts";
export * from "./judge.ts";
export * from "./format.ts";

/** Every probe's outcome judged, in the spec's order (the random cases of `seed` last). */
export function judgeAll(spec: ExerciseSpec, outcomes: Outcome[], seed?: number): ExerciseResult {
  const probes = probesOf(spec, seed);
  const context = { probes, outcomes };
  return {
    exercise: spec.number,
    title: spec.title,
    ...(seed !== undefined && spec.random ? { seed } : {}),
    tests: probes.map((p, i) => judge(spec, p, outcomes[i], context)),
  };
}

/** A fresh seed for a run's random cases (printed, so `--seed` can repeat it). */
export const freshSeed = () => Math.floor(Math.random() * 2 ** 31);

/** A problem of the realm itself (after every result arrived), as a failing check. */
export function processProblem(message: string): TestResult {
  return {
    function: "the exercise file",
    name: "ran to the end without an uncaught error",
    ok: false,
    message,
    outcome: "threw",
  };
}

/**
 * Grades an implementation given as an object, in this thread (for notebooks, whose functions
 * live in the kernel): the same verdicts, but a function that never returns cannot be stopped
 * here (interrupt the kernel).
 */
export function gradeInProcess(
  spec: ExerciseSpec,
  impl: Impl,
  only?: string,
  paths: StackPaths = {
    isLearner: (url) => !/\/(lib|tools)\/[^/]+/.test(url) && !/^(ext|node|npm):/.test(url),
    show: (url) => decodeURIComponent(url.replace(/^.*\//, "")),
  },
  /** The random cases' seed; `null`: the fixed probes only. */
  seed: number | null = freshSeed(),
): ExerciseResult {
  const guarded = guardInputs(impl, spec.mutates ?? {});
  const probes = probesOf(spec, seed ?? undefined).filter((p) => !only || p.fn === only);
  const outcomes = probes.map((p) => runOne(p, guarded, paths));
  return {
    exercise: spec.number,
    title: spec.title,
    ...(seed !== null && spec.random ? { seed } : {}),
    tests: probes.map((p, i) => judge(spec, p, outcomes[i], { probes, outcomes })),
  };
}
