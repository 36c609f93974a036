/**
 * The command line's host: runs the probes of an exercise on a learner's module in a child Deno
 * process (`child.ts`) that may only read the repository, one probe at a time under a time
 * limit, and grades what comes back.
 *
 * Why a subprocess and not a `Worker`: measured on Deno 2.9.6, `worker.terminate()` on a worker
 * spinning in `while (true) {}` returns, but the loop keeps its thread at 100 % CPU and the
 * process never exits; killing a child process stops it cleanly. The child may only read the
 * repository (`--allow-read=<root>`: no writes, network, environment or subprocesses), costs
 * ~0.2 s to start, and its error stacks keep the learner's TypeScript line numbers.
 *
 * @module
 */

import { decodeOutcome, type FromRunner, type Outcome, PROTOCOL } from "./protocol.ts";
import type { StackPaths } from "./probe.ts";
import { type ExerciseSpec, probesOf } from "./spec.ts";
import { type ExerciseResult, freshSeed, judgeAll, processProblem } from "./mod.ts";

/** Options of {@link runProbes} and {@link grade}. */
export interface RunOptions {
  /** The learner's module exports the implementation under this name (tests' mutants). */
  exportName?: string;
  /** Per-probe time limit in ms (default 5000). */
  timeoutMs?: number;
  /** Time limit for loading the module in ms (default 30000). */
  loadTimeoutMs?: number;
  /** The seed of the random cases (default: a fresh one, reported in the result). */
  seed?: number;
}

const ROOT = new URL("../../", import.meta.url);

/** The learner's frames: the module's directory, but not the reference solutions. */
export function cliPaths(learnerDir: string, root: string = ROOT.href): StackPaths {
  return {
    isLearner: (url) => url.startsWith(learnerDir) && !url.endsWith("/_solutions.ts"),
    show: (url) => decodeURIComponent(url.startsWith(root) ? url.slice(root.length) : url),
  };
}

/** What the child processes said: an outcome per probe, and what went wrong around them. */
export interface ProbeRun {
  outcomes: Outcome[];
  /** Errors of the process itself (an exit status, an uncaught error's text), never dropped. */
  problems: string[];
}

/**
 * Runs every probe of `spec` on the module at `moduleUrl` in a child Deno process that may
 * only read the repository, under the time limits: a probe that does not return is killed
 * (SIGKILL), reported as stopped, and a new child goes on with the remaining probes.
 */
export async function runProbes(
  spec: ExerciseSpec,
  moduleUrl: string,
  options: RunOptions & { seed: number },
): Promise<ProbeRun> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const loadTimeoutMs = options.loadTimeoutMs ?? 30000;
  const count = probesOf(spec, options.seed).length;
  const outcomes: (Outcome | undefined)[] = new Array(count);
  const problems: string[] = [];
  let remaining = [...Array(count).keys()];
  while (remaining.length) {
    const request = {
      specUrl: spec.url,
      moduleUrl,
      exportName: options.exportName,
      indices: remaining,
      seed: options.seed,
    };
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        // The grader's own packages (fast-check), locked: see tools/locks.ts.
        `--config=${new URL("../../deps/exercise.json", import.meta.url).pathname}`,
        `--allow-read=${ROOT.pathname}`,
        new URL("./child.ts", import.meta.url).pathname,
        JSON.stringify(request),
      ],
      cwd: ROOT.pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let current = -1;
    let done = false;
    let killedFor: Outcome | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const kill = (o: Outcome) => {
      killedFor = o;
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    };
    const arm = (ms: number, o: Outcome) => {
      clearTimeout(timer);
      timer = setTimeout(() => kill(o), ms);
    };
    arm(loadTimeoutMs, { kind: "load_timeout", ms: loadTimeoutMs });
    const stderr = new Response(child.stderr).text();
    let loadFailure: Outcome | undefined;
    let buffer = "";
    const handle = (line: string) => {
      if (!line.startsWith(PROTOCOL)) {
        if (line.trim()) console.error(line); // the learner's own output
        return;
      }
      const m = JSON.parse(line.slice(PROTOCOL.length)) as FromRunner;
      if (m.type === "ready") clearTimeout(timer);
      else if (m.type === "start") {
        current = m.i;
        arm(timeoutMs, { kind: "timeout", ms: timeoutMs });
      } else if (m.type === "result") {
        clearTimeout(timer);
        outcomes[m.i] = decodeOutcome(m.outcome);
      } else if (m.type === "load_failed") {
        loadFailure = { kind: "load_failed", message: m.message, where: m.where, detail: m.detail };
      } else if (m.type === "done") done = true;
    };
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        handle(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    }
    if (buffer) handle(buffer);
    const status = await child.status;
    clearTimeout(timer);
    const errText = (await stderr).trim();
    const uncaught = errText.indexOf("error: ");
    if (uncaught > 0) console.error(errText.slice(0, uncaught).trimEnd()); // the learner's own
    else if (uncaught < 0 && errText) console.error(errText);
    const errorText = uncaught >= 0 ? errText.slice(uncaught) : "";
    if (killedFor?.kind === "timeout" && current >= 0 && !outcomes[current]) {
      outcomes[current] = killedFor;
    } else if (killedFor || loadFailure) {
      for (const i of remaining) outcomes[i] ??= killedFor ?? loadFailure;
    } else if (current >= 0 && !outcomes[current]) {
      // The child died inside a probe (Deno.exit, a crash): that probe failed, the rest go on.
      outcomes[current] = {
        kind: "threw",
        name: "Error",
        message: `the process ended inside the function (exit status ${status.code})${
          errorText ? `: ${firstLine(errorText)}` : ""
        }`,
      };
    } else if (!remaining.some((i) => outcomes[i])) {
      for (const i of remaining) {
        outcomes[i] = {
          kind: "load_failed",
          message: firstLine(errorText || errText) || "the grader's child process failed",
        };
      }
    } else if (!killedFor && (!status.success || errorText || !done)) {
      // Every result arrived, but the process did not end well: say so, never drop it.
      problems.push(
        `after its last check the process ended with exit status ${status.code}${
          errorText ? `: ${firstLine(errorText)}` : done ? "" : " before it said it was done"
        }`,
      );
    }
    remaining = remaining.filter((i) => !outcomes[i]);
  }
  return { outcomes: outcomes as Outcome[], problems };
}

const firstLine = (s: string) => s.split("\n").find((l) => l.trim())?.trim() ?? "";

/** Grades the module at `moduleUrl` (its exports, or `options.exportName` of them). */
export async function grade(
  spec: ExerciseSpec,
  moduleUrl: string,
  options: RunOptions = {},
): Promise<ExerciseResult> {
  const seed = options.seed ?? freshSeed();
  const { outcomes, problems } = await runProbes(spec, moduleUrl, { ...options, seed });
  const r = judgeAll(spec, outcomes, seed);
  r.tests.push(...problems.map(processProblem));
  return r;
}
