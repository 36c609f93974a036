/// <reference lib="dom" />
/**
 * The page's host around the grader: what `runProbes` in `tools/grader/run_child.ts` does with a
 * child process, done with Web Workers. One fresh module worker per attempt runs the probes in
 * order; a probe that does not return within the limit gets its worker terminated (which frees
 * its thread at once: the page never waits on it), is reported as stopped, and a new worker
 * goes on with the probes that remain. A worker that fails to load, or dies, is reported — never
 * swallowed. A second worker, which never runs the learner's code, lists the run's probes for its
 * seed and then judges the outcomes with the grader's `judgeAll` ({@link GraderWorker}).
 *
 * The limits are the command line's: {@link PROBE_LIMIT_MS} per check, {@link LOAD_LIMIT_MS}
 * to load the file.
 *
 * @module
 */

import type { ExerciseResult, Outcome } from "../../grader/mod.ts";
import type { FromWorker, LearnerFiles, ProbeName, ToWorker } from "./protocol.ts";

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
  | { type: "probes"; probes: ProbeName[] }
  | { type: "judging" };

export interface RunRequest {
  exercise: number;
  title: string;
  /** `exercises/NN_slug.ts`. */
  main: string;
  /** The learner's files, types stripped (the main file and the exercise files it imports). */
  files: LearnerFiles;
  /** The seed of the run's random cases (as `deno task exercise N --seed S`). */
  seed: number;
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
  e.message || (e.error ? String(e.error) : "the script could not be loaded");

/**
 * The page's own scripts failed, not the learner's code: the worker's script (the bundled
 * grader, `worker.js`, or a module it imports) did not load or threw while loading, or a
 * bundled library module the learner's file imports did not load. The learner's code did not
 * run; the page says so (and how to go on) instead of reporting every check as failed.
 */
export class PageScriptError extends Error {
  override name = "PageScriptError";
}

/** The learner pressed Stop: the run's worker is terminated and nothing is judged. */
export class RunStopped extends Error {
  override name = "RunStopped";
  constructor() {
    super("stopped by the learner");
  }
}

const workerScriptFailed = (detail: string) =>
  new PageScriptError(`the grader's worker script (practice/worker.js) did not load: ${detail}`);

/** Runs every probe, as `runProbes` does, and returns one outcome per probe. */
export async function runProbesInWorkers(
  workerUrl: string,
  req: RunRequest & { probes: number },
  onEvent: (e: RunEvent) => void = () => {},
  signal?: AbortSignal,
): Promise<Outcome[]> {
  const probeMs = req.probeLimitMs ?? PROBE_LIMIT_MS;
  const loadMs = req.loadLimitMs ?? LOAD_LIMIT_MS;
  const outcomes: (Outcome | undefined)[] = new Array(req.probes);
  let remaining = [...Array(req.probes).keys()];
  while (remaining.length) {
    if (signal?.aborted) throw new RunStopped();
    const indices = remaining;
    await new Promise<void>((resolve, reject) => {
      const w = startWorker(workerUrl);
      let loaded = false;
      let current = -1;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", stop);
        w.terminate();
        resolve();
      };
      const stop = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        w.terminate();
        reject(new RunStopped());
      };
      signal?.addEventListener("abort", stop, { once: true });
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
        if (m.type === "loaded") loaded = true;
        else if (m.type === "page_failed") pageFailed(new PageScriptError(m.message));
        else if (m.type === "ready") clearTimeout(timer);
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
          failAll({
            kind: "load_failed",
            message: m.message,
            where: m.where,
            ...(m.detail ? { detail: m.detail } : {}),
          });
        } else if (m.type === "print") onEvent(m);
        else if (m.type === "done") finish();
        else if (m.type === "crashed") died(m.message);
      };
      const pageFailed = (e: PageScriptError) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", stop);
        w.terminate();
        reject(e);
      };
      const died = (message: string) => {
        if (!loaded) pageFailed(workerScriptFailed(message));
        else if (current >= 0 && !outcomes[current]) {
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
          seed: req.seed,
        } satisfies ToWorker,
      );
    });
    remaining = remaining.filter((i) => !outcomes[i]);
  }
  return outcomes as Outcome[];
}

/**
 * The grader's own worker (the learner's code never runs in it): lists a run's probes for its
 * seed (the fixed ones and the seed's random cases, `probesOf`), then judges the outcomes with
 * `judgeAll`. One per run, terminated when the run is judged.
 */
export class GraderWorker {
  #w: Worker;
  #pending?: { resolve(m: FromWorker): void; reject(e: Error): void };
  #loaded = false;
  #failed?: Error;
  constructor(workerUrl: string) {
    this.#w = startWorker(workerUrl);
    this.#w.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === "loaded") {
        this.#loaded = true;
        return;
      }
      const p = this.#pending;
      this.#pending = undefined;
      if (m.type === "crashed") p?.reject(new Error(m.message));
      else p?.resolve(m);
    };
    this.#w.onerror = (e) => {
      e.preventDefault();
      this.#failed = this.#loaded
        ? new Error(`the grader's worker failed: ${errorText(e)}`)
        : workerScriptFailed(errorText(e));
      this.#pending?.reject(this.#failed);
      this.#pending = undefined;
    };
  }
  #ask(m: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (this.#failed) return reject(this.#failed);
      this.#pending = { resolve, reject };
      this.#w.postMessage(m);
    });
  }
  async probes(exercise: number, seed: number): Promise<ProbeName[]> {
    const m = await this.#ask({ role: "list", exercise, seed });
    if (m.type !== "probes") throw new Error(`the grader's worker answered ${m.type}`);
    return m.probes;
  }
  async judge(exercise: number, seed: number, outcomes: Outcome[]): Promise<ExerciseResult> {
    const m = await this.#ask({ role: "judge", exercise, seed, outcomes });
    if (m.type !== "judged") throw new Error(`the grader's worker answered ${m.type}`);
    return m.result;
  }
  terminate() {
    this.#w.terminate();
  }
}

/**
 * Runs and judges: the page's `grade`. With `failure` (the file did not even parse), every
 * check gets that outcome and no learner worker is started.
 */
export async function gradeInPage(
  workerUrl: string,
  req: RunRequest,
  onEvent: (e: RunEvent) => void = () => {},
  failure?: Outcome,
  signal?: AbortSignal,
): Promise<ExerciseResult> {
  const grader = new GraderWorker(workerUrl);
  try {
    const probes = await grader.probes(req.exercise, req.seed);
    onEvent({ type: "probes", probes });
    const outcomes = failure
      ? probes.map(() => failure)
      : await runProbesInWorkers(workerUrl, { ...req, probes: probes.length }, onEvent, signal);
    onEvent({ type: "judging" });
    return await grader.judge(req.exercise, req.seed, outcomes);
  } finally {
    grader.terminate();
  }
}
