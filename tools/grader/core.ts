/**
 * The exercise grader: runs the learner's functions where they can be stopped, and says in the
 * learner's terms what is wrong.
 *
 * An exercise is a spec ({@link ExerciseSpec}): a list of probes, each calling one of the
 * learner's functions on fixed inputs (`run`), the independent references its outputs must
 * match (`expect`: the lessons' published values, committed numpy / torch vectors, central
 * differences of a reference forward pass), and the known mistakes (`mistakes`): variants of
 * the solution with one classic slip each. The learner's module runs in a child process
 * (`child.ts`), one probe at a time under a time limit; the references and mistakes run here.
 *
 * Outcomes are kept apart, so a dead or stopped run never counts as a pass: not implemented
 * (the stub's {@link NotImplemented}), threw (its message and the learner's line), did not
 * return in time (stopped), wrong type or shape (named, a transpose said so), NaN or infinity
 * (where it first appears), inaccurate (worst entry against what), a known mistake (named, with
 * the lesson section that explains it), or passed (saying what was checked).
 *
 * Why a subprocess and not a `Worker`: measured on Deno 2.9.6, `worker.terminate()` on a worker
 * spinning in `while (true) {}` returns, but the loop keeps its thread at 100 % CPU and the
 * process never exits; killing a child process stops it cleanly. The child may only read the
 * repository (`--allow-read=<root>`: no writes, network, environment or subprocesses), costs
 * ~0.2 s to start, and its error stacks keep the learner's TypeScript line numbers.
 *
 * @module
 */

import { NDArray } from "../../lib/mod.ts";
import { wrapLine } from "../../lib/display.ts";

/** A shape as numpy prints it: `(5, 3)`, `(5,)`. */
export const shapeStr = (s: readonly number[]) =>
  s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`;
import { checkGradients } from "../../lib/gradient_policy.ts";

/** The learner's exports (or a reference / mistaken solution), by the source's names. */
// deno-lint-ignore no-explicit-any
export type Impl = Record<string, any>;

/** Raised by a probe's own code when the learner's function returned the wrong kind of thing. */
export class GradeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GradeError";
  }
}

/** A known mistake: a solution with one slip, and how to explain it. */
export interface Mistake {
  /** Short name, e.g. "missing (1 − a²)". */
  name: string;
  /** One or two sentences: what the code does and what it should do. */
  explain: string;
  /** Where the lessons explain it, e.g. `lesson 1, “One RNN cell, forward and backward”`. */
  section: string;
  /** The functions whose probes it can explain. */
  fns: string[];
  /** The mistaken solution (same exports as the reference). */
  impl: Impl;
}

/** One output of a probe and the independent reference it must match. */
export interface Expect {
  /** The output's name, as the source names it (`dWax`). */
  key: string;
  /** Expected shape (defaults to `value.shape`). */
  shape?: number[];
  /** Every entry's reference value, with an absolute tolerance and what the reference is. */
  value?: NDArray;
  tolerance?: number;
  against?: string;
  /** Single published entries: `name` as printed, index into the output, value, tolerance. */
  entries?: { name: string; index: number[]; value: number; tolerance: number }[];
}

/** A gradient check of some outputs against central differences of a reference loss. */
export interface GradCheck {
  loss: () => number;
  /** Parameter name → the array the loss reads (perturbed in place). */
  params: Record<string, NDArray>;
  /** Output key → parameter name. */
  keys: Record<string, string>;
}

/** One call of one learner function on fixed inputs, and what its outputs must be. */
export interface Probe {
  fn: string;
  /** What it checks, in a few words. */
  name: string;
  /** Calls the implementation; returns its outputs by name. Runs in the child process. */
  run(impl: Impl): Record<string, unknown>;
  /** The independent references (computed in the grader, never from the learner's code). */
  expect?(): Expect[];
  gradcheck?(): GradCheck;
  /** Which outputs the mistakes are matched on (default: every returned array). */
  matchKeys?: string[];
}

/** An exercise: its functions, probes and known mistakes. */
export interface ExerciseSpec {
  number: number;
  slug: string;
  title: string;
  /** The URL of the module exporting this spec as `spec` (the child process imports it). */
  url: string;
  functions: string[];
  probes: Probe[];
  mistakes: Mistake[];
  /** The reference solution (the library, through exercises/_solutions.ts). */
  reference: Impl;
}

/** A value the learner returned, as it crossed from the child process. */
export type Got =
  | { kind: "nd"; shape: number[]; data: Float64Array }
  | { kind: "num"; value: number }
  | { kind: "other"; what: string };

/** What happened when a probe ran the learner's code. */
export type Outcome =
  | { kind: "returned"; outputs: Record<string, Got> }
  | { kind: "not_implemented"; what: string }
  | { kind: "threw"; name: string; message: string; where?: string }
  | { kind: "bad_return"; message: string }
  | { kind: "timeout"; ms: number }
  | { kind: "load_failed"; message: string; where?: string }
  | { kind: "load_timeout"; ms: number };

/** The verdict kinds a test can have. */
export type Verdict =
  | "passed"
  | "not_implemented"
  | "threw"
  | "timeout"
  | "load_failed"
  | "wrong_type"
  | "wrong_shape"
  | "non_finite"
  | "inaccurate"
  | "mistake";

/** One graded test, as `--json` prints it. */
export interface TestResult {
  function: string;
  name: string;
  ok: boolean;
  message: string;
  outcome: Verdict;
  /** The mistake's name when `outcome` is "mistake". */
  mistake?: string;
}

/** A graded exercise. */
export interface ExerciseResult {
  exercise: number;
  title: string;
  tests: TestResult[];
}

// ---------------------------------------------------------------------------------------------
// Describing values (shared with the child process).

/** How a value looks, for a message: "an NDArray of shape (5, 3)", "an object with keys …". */
export function describe(v: unknown): string {
  if (isNd(v)) return `an NDArray of shape ${shapeStr(v.shape)}`;
  if (v === undefined) return "undefined (did the function return?)";
  if (v === null) return "null";
  if (typeof v === "number") return `the number ${v}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "object") {
    const keys = Object.keys(v);
    return keys.length ? `an object with keys ${keys.join(", ")}` : "an empty object";
  }
  return `a ${typeof v}`;
}

function isNd(v: unknown): v is NDArray {
  if (v instanceof NDArray) return true;
  const o = v as { shape?: unknown; data?: unknown } | null;
  return typeof o === "object" && o !== null && Array.isArray(o.shape) &&
    o.data instanceof Float64Array;
}

/** Turns one returned value into something that can cross to the grader. */
export function serialize(v: unknown): Got {
  if (isNd(v)) return { kind: "nd", shape: [...v.shape], data: Float64Array.from(v.data) };
  if (typeof v === "number") return { kind: "num", value: v };
  return { kind: "other", what: describe(v) };
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

/** The first `file:` stack frame in the learner's files, as `path:line`, relative to `root`. */
export function learnerLine(stack: string | undefined, learnerDir: string, root: string) {
  for (const m of (stack ?? "").matchAll(/(file:\/\/[^\s()]+?):(\d+):(\d+)/g)) {
    const url = m[1];
    if (!url.startsWith(learnerDir) || url.endsWith("/_solutions.ts")) continue;
    const path = url.startsWith(root) ? url.slice(root.length) : url;
    return `${decodeURIComponent(path)}:${m[2]}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Running the learner's code in a child process.

/** Options of {@link runProbes} and {@link grade}. */
export interface RunOptions {
  /** The learner's module exports the implementation under this name (tests' mutants). */
  exportName?: string;
  /** Per-probe time limit in ms (default 5000). */
  timeoutMs?: number;
  /** Time limit for loading the module in ms (default 30000). */
  loadTimeoutMs?: number;
}

/** The prefix of the child's protocol lines on its stdout. */
export const PROTOCOL = "\u0001grader ";

/** An {@link Outcome} as JSON (NaN and infinities as strings, which JSON cannot hold). */
export function encodeOutcome(o: Outcome): unknown {
  if (o.kind !== "returned") return o;
  const outputs: Record<string, unknown> = {};
  for (const [k, g] of Object.entries(o.outputs)) {
    outputs[k] = g.kind === "nd"
      ? { ...g, data: [...g.data].map((v) => (Number.isFinite(v) ? v : String(v))) }
      : g;
  }
  return { kind: "returned", outputs };
}

function decodeOutcome(o: Outcome): Outcome {
  if (o.kind !== "returned") return o;
  for (const g of Object.values(o.outputs)) {
    if (g.kind === "nd") {
      g.data = Float64Array.from(g.data as unknown as (number | string)[], Number);
    }
  }
  return o;
}

type FromChild =
  | { type: "ready" }
  | { type: "start"; i: number }
  | { type: "result"; i: number; outcome: Outcome }
  | { type: "load_failed"; message: string; where?: string }
  | { type: "done" };

/**
 * Runs every probe of `spec` on the module at `moduleUrl` in a child Deno process that may
 * only read the repository, under the time limits: a probe that does not return is killed
 * (SIGKILL), reported as stopped, and a new child goes on with the remaining probes.
 */
export async function runProbes(
  spec: ExerciseSpec,
  moduleUrl: string,
  options: RunOptions = {},
): Promise<Outcome[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const loadTimeoutMs = options.loadTimeoutMs ?? 30000;
  const root = new URL("../../", import.meta.url);
  const outcomes: (Outcome | undefined)[] = new Array(spec.probes.length);
  let remaining = spec.probes.map((_, i) => i);
  while (remaining.length) {
    const request = {
      specUrl: spec.url,
      moduleUrl,
      exportName: options.exportName,
      indices: remaining,
    };
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        // The grader's own packages (fast-check), locked: see tools/locks.ts.
        `--config=${new URL("../../deps/exercise.json", import.meta.url).pathname}`,
        `--allow-read=${root.pathname}`,
        new URL("./child.ts", import.meta.url).pathname,
        JSON.stringify(request),
      ],
      cwd: root.pathname,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let current = -1;
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
      const m = JSON.parse(line.slice(PROTOCOL.length)) as FromChild;
      if (m.type === "ready") clearTimeout(timer);
      else if (m.type === "start") {
        current = m.i;
        arm(timeoutMs, { kind: "timeout", ms: timeoutMs });
      } else if (m.type === "result") {
        clearTimeout(timer);
        outcomes[m.i] = decodeOutcome(m.outcome);
      } else if (m.type === "load_failed") {
        loadFailure = { kind: "load_failed", message: m.message, where: m.where };
      }
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
    await child.status;
    clearTimeout(timer);
    const errText = (await stderr).trim();
    if (killedFor?.kind === "timeout" && current >= 0 && !outcomes[current]) {
      outcomes[current] = killedFor;
    } else if (killedFor || loadFailure) {
      for (const i of remaining) outcomes[i] ??= killedFor ?? loadFailure;
    } else if (current >= 0 && !outcomes[current]) {
      // The child died inside a probe (Deno.exit, a crash): that probe failed, the rest go on.
      outcomes[current] = {
        kind: "threw",
        name: "Error",
        message: `the process ended inside the function${
          errText ? `: ${errText.split("\n").pop()}` : ""
        }`,
      };
    } else if (!remaining.some((i) => outcomes[i])) {
      for (const i of remaining) {
        outcomes[i] = {
          kind: "load_failed",
          message: errText.split("\n")[0] || "the grader's child process failed",
        };
      }
    }
    remaining = remaining.filter((i) => !outcomes[i]);
  }
  return outcomes as Outcome[];
}

// ---------------------------------------------------------------------------------------------
// Judging what came back.

const fmtIndex = (shape: readonly number[], flat: number) => {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(", ")}]`;
};

const flatOf = (shape: readonly number[], index: readonly number[]) =>
  index.reduce((f, i, d) => f * shape[d] + i, 0);

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(8));
const exp = (v: number) => v.toExponential(1);

function toNd(g: Got & { kind: "nd" }): NDArray {
  return new NDArray(g.data, g.shape);
}

function sameShape(a: readonly number[], b: readonly number[]) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

interface Issue {
  verdict: Verdict;
  message: string;
}

/** Problems with the type, shape or finiteness of one output, or undefined. */
function formIssue(key: string, g: Got | undefined, shape: number[]): Issue | undefined {
  if (!g || g.kind !== "nd") {
    return {
      verdict: "wrong_type",
      message: `${key}: expected an NDArray of shape ${shapeStr(shape)}, got ${
        g ? (g.kind === "num" ? `the number ${g.value}` : g.what) : "nothing"
      }`,
    };
  }
  if (!sameShape(g.shape, shape)) {
    const transposed = shape.length === 2 && g.shape.length === 2 && shape[0] !== shape[1] &&
      g.shape[0] === shape[1] && g.shape[1] === shape[0];
    return {
      verdict: "wrong_shape",
      message: `${key}: expected shape ${shapeStr(shape)}, got ${shapeStr(g.shape)}${
        transposed ? " — the transpose of what is expected" : ""
      }`,
    };
  }
  const bad = g.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const count = g.data.filter((v) => !Number.isFinite(v)).length;
    return {
      verdict: "non_finite",
      message:
        `${key}: ${g.data[bad]} at ${fmtIndex(g.shape, bad)} (${count} of ${g.data.length} ` +
        `entries are NaN or infinite)`,
    };
  }
  return undefined;
}

function close(g: Got | undefined, o: unknown): boolean {
  if (!isNd(o) || !g || g.kind !== "nd" || !sameShape(g.shape, o.shape)) return false;
  let scale = 1;
  for (const v of o.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < o.data.length; i++) {
    if (Object.is(g.data[i], o.data[i])) continue; // also the same NaN or infinity
    if (!(Math.abs(g.data[i] - o.data[i]) <= 1e-9 * scale)) return false;
  }
  return true;
}

/**
 * Is the learner's result explained by a mistake, to roundoff? Every compared output equals
 * either the mistake's or the reference's, and at least one where the two differ equals the
 * mistake's (so a slip made in only one of the outputs it affects is still recognised).
 */
function explainedBy(
  got: Record<string, Got>,
  theirs: Record<string, unknown>,
  reference: Record<string, unknown>,
  keys: string[],
): boolean {
  let telling = 0;
  for (const key of keys) {
    if (!isNd(theirs[key])) continue;
    const likeMistake = close(got[key], theirs[key]);
    const likeReference = close(got[key], reference[key]);
    if (!likeMistake && !likeReference) return false;
    if (likeMistake && !close(serialize(theirs[key]), reference[key])) telling++;
  }
  return telling > 0;
}

function runQuietly(probe: Probe, impl: Impl): Record<string, unknown> | undefined {
  try {
    return probe.run(impl);
  } catch {
    return undefined;
  }
}

/** Turns a probe's outcome into a test result. */
export function judge(spec: ExerciseSpec, probe: Probe, outcome: Outcome): TestResult {
  const base = { function: probe.fn, name: probe.name };
  const fail = (outcome: Verdict, message: string, mistake?: string): TestResult => ({
    ...base,
    ok: false,
    message,
    outcome,
    ...(mistake ? { mistake } : {}),
  });
  switch (outcome.kind) {
    case "not_implemented":
      return fail(
        "not_implemented",
        outcome.what === probe.fn || !outcome.what
          ? "not implemented yet"
          : `not implemented yet: this check also runs ${outcome.what}, still a stub`,
      );
    case "threw":
      return fail(
        "threw",
        `threw ${outcome.name}: ${outcome.message}${outcome.where ? ` (at ${outcome.where})` : ""}`,
      );
    case "bad_return":
      return fail("wrong_type", outcome.message);
    case "timeout":
      return fail(
        "timeout",
        `did not return within ${
          outcome.ms / 1000
        } s and was stopped — is there a loop that never ends?`,
      );
    case "load_failed":
      return fail(
        "load_failed",
        `the exercise file could not be loaded: ${outcome.message}${
          outcome.where ? ` (at ${outcome.where})` : ""
        }`,
      );
    case "load_timeout":
      return fail(
        "timeout",
        `the exercise file did not finish loading within ${
          outcome.ms / 1000
        } s and was stopped — is there a loop at the top level?`,
      );
  }
  const got = outcome.outputs;
  const issues: Issue[] = [];
  const checked: string[] = [];
  const printedOk: string[] = [];
  const arraysOk = new Map<string, string[]>();
  const expects = probe.expect?.() ?? [];
  for (const e of expects) {
    const shape = e.shape ?? [...(e.value?.shape ?? [])];
    const form = formIssue(e.key, got[e.key], shape);
    if (form) {
      issues.push(form);
      continue;
    }
    const g = toNd(got[e.key] as Got & { kind: "nd" });
    for (const p of e.entries ?? []) {
      const v = g.data[flatOf(shape, p.index)];
      const err = Math.abs(v - p.value);
      if (!(err <= p.tolerance)) {
        issues.push({
          verdict: "inaccurate",
          message: `${p.name}: got ${v}, the source printed ${p.value} (|error| ${exp(err)} > ` +
            `tolerance ${exp(p.tolerance)})`,
        });
      }
    }
    for (const p of e.entries ?? []) printedOk.push(p.name);
    if (e.value) {
      let worst = -1, worstErr = -1;
      for (let i = 0; i < g.data.length; i++) {
        const err = Math.abs(g.data[i] - e.value.data[i]);
        if (err > worstErr) [worst, worstErr] = [i, err];
      }
      const tol = e.tolerance ?? 0;
      if (!(worstErr <= tol)) {
        issues.push({
          verdict: "inaccurate",
          message: `${e.key}${fmtIndex(shape, worst)} = ${num(g.data[worst])}, expected ${
            num(e.value.data[worst])
          } (${e.against}; |error| ${exp(worstErr)} > tolerance ${exp(tol)})`,
        });
      } else arraysOk.set(e.against ?? "", [...(arraysOk.get(e.against ?? "") ?? []), e.key]);
    } else if (!e.entries?.length) checked.push(`${e.key}'s shape ${shapeStr(shape)}`);
  }
  if (probe.gradcheck) {
    const gc = probe.gradcheck();
    const analytic: Record<string, NDArray> = {};
    const params: Record<string, NDArray> = {};
    for (const [key, param] of Object.entries(gc.keys)) {
      const p = gc.params[param];
      if (expects.some((e) => e.key === key)) {
        if (issues.length) continue; // already reported on this output
      } else {
        const form = formIssue(key, got[key], [...p.shape]);
        if (form) {
          issues.push(form);
          continue;
        }
      }
      analytic[param] = toNd(got[key] as Got & { kind: "nd" });
      params[param] = p;
    }
    if (Object.keys(params).length && !issues.length) {
      const verdict = checkGradients(gc.loss, params, analytic);
      const keyOf = Object.fromEntries(Object.entries(gc.keys).map(([k, p]) => [p, k]));
      for (const v of verdict.params) {
        if (v.ok) continue;
        const w = v.worst;
        issues.push({
          verdict: "inaccurate",
          message: `${keyOf[v.name]}${fmtIndex(params[v.name].shape, w.index)} = ${
            num(w.analytic)
          }, central differences give ${num(w.numeric)} (|error| ${exp(w.error)} > tolerance ${
            exp(w.tolerance)
          }; ${v.failures} of ${v.size} entries off)`,
        });
      }
      if (verdict.ok) {
        const worst = verdict.params.reduce((a, b) =>
          b.worst.error / b.worst.tolerance > a.worst.error / a.worst.tolerance ? b : a
        );
        checked.push(
          `${Object.keys(params).map((p) => keyOf[p]).join(", ")} vs central differences ` +
            `(worst ${keyOf[worst.name]}: error ${exp(worst.worst.error)}, ${
              (worst.worst.error / worst.worst.tolerance * 100).toFixed(0)
            } % of its tolerance ${exp(worst.worst.tolerance)})`,
        );
      }
    }
  }
  if (!issues.length) {
    const what = [
      ...(printedOk.length ? [`the printed ${printedOk.join(", ")}`] : []),
      ...[...arraysOk].map(([against, keys]) => `${keys.join(", ")} vs ${against}`),
      ...checked,
    ];
    return { ...base, ok: true, message: `agrees: ${what.join("; ")}`, outcome: "passed" };
  }
  // A known mistake?
  const keys = probe.matchKeys ?? Object.keys(got);
  const reference = runQuietly(probe, spec.reference) ?? {};
  for (const m of spec.mistakes) {
    if (!m.fns.includes(probe.fn)) continue;
    const theirs = runQuietly(probe, m.impl);
    if (theirs && explainedBy(got, theirs, reference, keys)) {
      return fail(
        "mistake",
        `looks like: ${m.name}. ${m.explain} See ${m.section}. (${issues[0].message})`,
        m.name,
      );
    }
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : "";
  return fail(issues[0].verdict, issues[0].message + more);
}

function serializeAll(o: Record<string, unknown>): Record<string, Got> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, serialize(v)]));
}

/** Grades the module at `moduleUrl` (its exports, or `options.exportName` of them). */
export async function grade(
  spec: ExerciseSpec,
  moduleUrl: string,
  options: RunOptions = {},
): Promise<ExerciseResult> {
  const outcomes = await runProbes(spec, moduleUrl, options);
  return {
    exercise: spec.number,
    title: spec.title,
    tests: spec.probes.map((p, i) => judge(spec, p, outcomes[i])),
  };
}

/**
 * Grades an implementation given as an object, in this thread (for notebooks, whose functions
 * live in the kernel and cannot be sent to a child process): the same verdicts, but a function that
 * never returns cannot be stopped here (interrupt the kernel).
 */
export function gradeInProcess(
  spec: ExerciseSpec,
  impl: Impl,
  only?: string,
): ExerciseResult {
  const probes = spec.probes.filter((p) => !only || p.fn === only);
  return {
    exercise: spec.number,
    title: spec.title,
    tests: probes.map((p) =>
      judge(spec, p, runOne(p, impl, new URL("../../", import.meta.url).href))
    ),
  };
}

/** Runs one probe on an implementation, classifying what happens (used by the child process too). */
export function runOne(probe: Probe, impl: Impl, learnerDir: string, root = learnerDir): Outcome {
  try {
    const outputs = probe.run(impl);
    return { kind: "returned", outputs: serializeAll(outputs) };
  } catch (e) {
    return classify(e, learnerDir, root);
  }
}

/** An exception from learner code, as an {@link Outcome}. */
export function classify(e: unknown, learnerDir: string, root: string): Outcome {
  const err = e as { name?: string; message?: string; stack?: string; what?: string };
  if (err?.name === "NotImplemented") return { kind: "not_implemented", what: err.what ?? "" };
  if (err?.name === "GradeError") return { kind: "bad_return", message: String(err.message) };
  if (e instanceof Error || (typeof e === "object" && e !== null && "message" in e)) {
    return {
      kind: "threw",
      name: err.name ?? "Error",
      message: String(err.message),
      where: learnerLine(err.stack, learnerDir, root),
    };
  }
  return { kind: "threw", name: "a non-Error value", message: String(e) };
}

/** One line per test, ✓/✗ (wrapped within 100 columns), then a summary line. */
export function formatResult(r: ExerciseResult): string {
  const lines = [`Exercise ${r.exercise} · ${r.title}`];
  let fn = "";
  for (const t of r.tests) {
    if (t.function !== fn) {
      fn = t.function;
      lines.push(`  ${fn}`);
    }
    // Within 100 columns (terminal and notebook alike), continuation lines indented further.
    lines.push(wrapLine(`${t.ok ? "✓" : "✗"} ${t.name}: ${t.message}`, 100, " ".repeat(6), "    "));
  }
  const passed = r.tests.filter((t) => t.ok).length;
  lines.push(
    passed === r.tests.length
      ? `all ${r.tests.length} checks passed`
      : `${passed} of ${r.tests.length} checks passed`,
  );
  return lines.join("\n");
}
