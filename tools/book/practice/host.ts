/// <reference lib="dom" />
/**
 * The page's host around the grader: what `runProbes` in `tools/grader/run_child.ts` does with a
 * child process, done with Web Workers. One fresh module worker per attempt runs the probes in
 * order; a probe that does not return within the limit gets its worker terminated (which frees
 * its thread at once: the page never waits on it), is reported as stopped, and a new worker
 * goes on with the probes that remain. A worker that fails to load, or dies, is reported — never
 * swallowed. A second worker then judges the outcomes with the grader's `judge`.
 *
 * The limits are the command line's: {@link PROBE_LIMIT_MS} per check, {@link LOAD_LIMIT_MS}
 * to load the file.
 *
 * @module
 */

import type { ExerciseResult, Outcome, TestResult } from "../../grader/mod.ts";
import type { FromWorker, LearnerFiles, ToWorker } from "./protocol.ts";

/** Per-check wall-clock limit, as `deno task exercise` (run_child.ts `runProbes`, default 5000). */
export const PROBE_LIMIT_MS = 5000;
/** Limit for loading the exercise file, as `deno task exercise` (default 30000). */
export const LOAD_LIMIT_MS = 30000;

/** What the page hears while a run goes on. */
export type RunEvent =
  | { type: "start"; i: number }
  | { type: "result"; i: number; outcome: Outcome }
  | { type: "stopped"; i: number; ms: number }
  | { type: "print"; stream: "log" | "error"; text: string }
  | { type: "judging" };

export interface RunRequest {
  exercise: number;
  title: string;
  /** `exercises/NN_slug.ts`. */
  main: string;
  /** The learner's files, types stripped (the main file and the exercise files it imports). */
  files: LearnerFiles;
  /** How many probes the exercise has. */
  probes: number;
  probeLimitMs?: number;
  loadLimitMs?: number;
}

/**
 * A module worker whose script is a `blob:` URL importing `workerUrl`: a worker from a blob
 * inherits the page's Content-Security-Policy (a worker from an http URL would get only what its
 * response headers say, which a static host may not let us set).
 */
export function startWorker(workerUrl: string): Worker {
  const src = `import ${JSON.stringify(workerUrl)};`;
  const blob = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const w = new Worker(blob, { type: "module", name: "practice" });
  setTimeout(() => URL.revokeObjectURL(blob), 60_000);
  return w;
}

const errorText = (e: ErrorEvent) =>
  e.message || (e.error ? String(e.error) : "the worker's script could not be loaded");

/** Runs every probe, as `runProbes` does, and returns one outcome per probe. */
export async function runProbesInWorkers(
  workerUrl: string,
  req: RunRequest,
  onEvent: (e: RunEvent) => void = () => {},
): Promise<Outcome[]> {
  const probeMs = req.probeLimitMs ?? PROBE_LIMIT_MS;
  const loadMs = req.loadLimitMs ?? LOAD_LIMIT_MS;
  const outcomes: (Outcome | undefined)[] = new Array(req.probes);
  let remaining = [...Array(req.probes).keys()];
  while (remaining.length) {
    const indices = remaining;
    await new Promise<void>((resolve) => {
      const w = startWorker(workerUrl);
      let current = -1;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        w.terminate();
        resolve();
      };
      const failAll = (o: Outcome) => {
        for (const i of indices) outcomes[i] ??= o;
        finish();
      };
      const arm = (ms: number, onTimeout: () => void) => {
        clearTimeout(timer);
        timer = setTimeout(onTimeout, ms);
      };
      arm(loadMs, () => failAll({ kind: "load_timeout", ms: loadMs }));
      w.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === "ready") clearTimeout(timer);
        else if (m.type === "start") {
          current = m.i;
          onEvent({ type: "start", i: m.i });
          arm(probeMs, () => {
            outcomes[m.i] = { kind: "timeout", ms: probeMs };
            onEvent({ type: "stopped", i: m.i, ms: probeMs });
            finish(); // the next worker goes on with the rest
          });
        } else if (m.type === "result") {
          clearTimeout(timer);
          outcomes[m.i] = m.outcome;
          onEvent({ type: "result", i: m.i, outcome: m.outcome });
        } else if (m.type === "load_failed") {
          failAll({ kind: "load_failed", message: m.message, where: m.where });
        } else if (m.type === "print") onEvent(m);
        else if (m.type === "done") finish();
        else if (m.type === "crashed") died(m.message);
      };
      const died = (message: string) => {
        if (current >= 0 && !outcomes[current]) {
          // It died inside a probe: that probe failed, the rest go on (as the command line).
          outcomes[current] = {
            kind: "threw",
            name: "Error",
            message: `the worker ended inside the function: ${message}`,
          };
          finish();
        } else if (current < 0) {
          failAll({ kind: "load_failed", message });
        } else finish();
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        died(errorText(e));
      };
      w.onmessageerror = () => died("a message from the worker could not be read");
      w.postMessage(
        {
          role: "probe",
          exercise: req.exercise,
          main: req.main,
          files: req.files,
          indices,
        } satisfies ToWorker,
      );
    });
    remaining = remaining.filter((i) => !outcomes[i]);
  }
  return outcomes as Outcome[];
}

/** Judges the outcomes in a second worker with the grader's `judge`. */
export function judgeInWorker(
  workerUrl: string,
  exercise: number,
  outcomes: Outcome[],
): Promise<TestResult[]> {
  return new Promise((resolve, reject) => {
    const w = startWorker(workerUrl);
    const done = (f: () => void) => {
      w.terminate();
      f();
    };
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === "judged") done(() => resolve(m.tests));
      else if (m.type === "crashed") done(() => reject(new Error(m.message)));
    };
    w.onerror = (e) => {
      e.preventDefault();
      done(() => reject(new Error(`the grader's worker failed: ${errorText(e)}`)));
    };
    w.postMessage({ role: "judge", exercise, outcomes } satisfies ToWorker);
  });
}

/** Runs and judges: the page's `grade`. */
export async function gradeInPage(
  workerUrl: string,
  req: RunRequest,
  onEvent?: (e: RunEvent) => void,
): Promise<ExerciseResult> {
  const outcomes = await runProbesInWorkers(workerUrl, req, onEvent);
  onEvent?.({ type: "judging" });
  const tests = await judgeInWorker(workerUrl, req.exercise, outcomes);
  return { exercise: req.exercise, title: req.title, tests };
}
