/**
 * Judging what a probe's run returned: a pure function from a spec, a probe and its
 * {@link Outcome} to a {@link TestResult}, comparing with the probe's independent references and
 * matching the known mistakes. Host-independent: no `Deno.*`, no Node built-ins.
 *
 * Outcomes are kept apart, so a dead or stopped run never counts as a pass: not implemented
 * (the stub's `NotImplemented`), threw (its message and the learner's line), did not return in
 * time (stopped), an input changed in place, wrong type or shape (named, a transpose said so),
 * NaN or infinity (where it first appears), inaccurate (worst entry against what), a known
 * mistake (named, with the lesson section that explains it), or passed (saying what was
 * checked).
 *
 * @module
 */

import { NDArray } from "../../lib/numerics/ndarray.ts";
import { checkGradients } from "../../lib/numerics/gradient_policy.ts";
import type { ExerciseSpec, Impl, Probe } from "./spec.ts";
import { type Got, type Outcome, serialize } from "./protocol.ts";
import { isNd, shapeStr } from "./values.ts";

/** The verdict kinds a test can have. */
export type Verdict =
  | "passed"
  | "not_implemented"
  | "threw"
  | "timeout"
  | "load_failed"
  | "changed_input"
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
  /** Lines to show verbatim under the message (a syntax error's code frame). */
  detail?: string;
}

/** A graded exercise. */
export interface ExerciseResult {
  exercise: number;
  title: string;
  /** The seed the random cases were drawn from (`--seed` repeats them). */
  seed?: number;
  tests: TestResult[];
}

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
  /** The output it is about. */
  key?: string;
  verdict: Verdict;
  message: string;
}

/** Problems with the type, shape or finiteness of one output, or undefined. */
function formIssue(key: string, g: Got | undefined, shape: number[]): Issue | undefined {
  if (!g || g.kind !== "nd") {
    return {
      key,
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
      key,
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
      key,
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
 * Returns the outputs that tell the mistake apart, or undefined.
 */
function explainedBy(
  got: Record<string, Got>,
  theirs: Record<string, unknown>,
  reference: Record<string, unknown>,
  keys: string[],
): string[] | undefined {
  const telling: string[] = [];
  for (const key of keys) {
    if (!isNd(theirs[key])) continue;
    const likeMistake = close(got[key], theirs[key]);
    const likeReference = close(got[key], reference[key]);
    if (!likeMistake && !likeReference) return undefined;
    if (likeMistake && !close(serialize(theirs[key]), reference[key])) telling.push(key);
  }
  return telling.length ? telling : undefined;
}

/**
 * Does the mistake also agree with the learner on another probe of the same function? The
 * outputs that told it apart must equal the mistake's there too (one pass/fail bit is not
 * enough: the same slip gives the same numbers on every case), the others the mistake's or the
 * reference's. A probe where either could not run says nothing.
 */
function consistentWith(
  got: Record<string, Got>,
  theirs: Record<string, unknown>,
  reference: Record<string, unknown>,
  keys: string[],
  telling: string[],
): boolean {
  for (const key of keys) {
    if (!isNd(theirs[key])) continue;
    if (close(got[key], theirs[key])) continue;
    if (telling.includes(key) || !close(got[key], reference[key])) return false;
  }
  return true;
}

function runQuietly(probe: Probe, impl: Impl): Record<string, unknown> | undefined {
  try {
    return probe.run(impl);
  } catch {
    return undefined;
  }
}

/** The other probes of a run and their outcomes, for confirming a mistake on several cases. */
export interface RunContext {
  probes: Probe[];
  outcomes: Outcome[];
  /** What the reference and each mistake returned on each probe, computed once per run. */
  memo?: Map<Probe, Map<Impl, Record<string, unknown> | undefined>>;
}

/** `probe.run(impl)` (undefined if it throws), once per run when a context is given. */
function runMemo(probe: Probe, impl: Impl, context?: RunContext) {
  if (!context) return runQuietly(probe, impl);
  context.memo ??= new Map();
  let byImpl = context.memo.get(probe);
  if (!byImpl) context.memo.set(probe, byImpl = new Map());
  if (!byImpl.has(impl)) byImpl.set(impl, runQuietly(probe, impl));
  return byImpl.get(impl);
}

const VERDICT_WORDS: Partial<Record<Verdict, string>> = {
  wrong_type: "wrong type",
  wrong_shape: "wrong shape",
  non_finite: "NaN or infinite",
  inaccurate: "wrong values",
  changed_input: "an input changed",
};

/** "dWaa, dba wrong values; dxt wrong shape": every further problem, named briefly. */
function alsoWrong(issues: Issue[]): string {
  const groups = new Map<string, string[]>();
  for (const i of issues) {
    const word = VERDICT_WORDS[i.verdict] ?? i.verdict;
    groups.set(word, [...(groups.get(word) ?? []), i.key ?? "?"]);
  }
  return [...groups].map(([word, keys]) => `${[...new Set(keys)].join(", ")}: ${word}`).join("; ");
}

/** Turns a probe's outcome into a test result. */
export function judge(
  spec: ExerciseSpec,
  probe: Probe,
  outcome: Outcome,
  context?: RunContext,
): TestResult {
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
      return fail(outcome.verdict ?? "wrong_type", outcome.message);
    case "changed_input":
      return fail("changed_input", outcome.message);
    case "timeout":
      return fail(
        "timeout",
        `did not return within ${
          outcome.ms / 1000
        } s and was stopped — is there a loop that never ends?`,
      );
    case "load_failed": {
      // Said once, on the first check; the others point to it.
      const first = !context ||
        context.outcomes.findIndex((o) => o?.kind === "load_failed") ===
          context.probes.indexOf(probe);
      if (!first) return fail("load_failed", "the exercise file could not be loaded (see above)");
      return {
        ...fail(
          "load_failed",
          `the exercise file could not be loaded: ${outcome.message}${
            outcome.where ? ` (at ${outcome.where})` : ""
          }`,
        ),
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      };
    }
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
    if (e.boolean) {
      const g = got[e.key];
      const want = e.value?.data[0] === 1;
      const v = g?.kind === "nd" && g.data.length === 1 ? g.data[0] : undefined;
      if (v !== (want ? 1 : 0)) {
        issues.push({
          key: e.key,
          verdict: "inaccurate",
          message: `${e.key} = ${
            v === undefined ? "nothing" : v === 1
          }, expected ${want}: ${e.against}`,
        });
      } else checked.push(`${e.key} = ${want}`);
      continue;
    }
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
          key: e.key,
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
          key: e.key,
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
          key: keyOf[v.name],
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
  const more = issues.length > 1 ? ` (also: ${alsoWrong(issues.slice(1))})` : "";
  // A known mistake, confirmed on every other case of the same function?
  const keys = probe.matchKeys ?? Object.keys(got);
  const reference = runMemo(probe, spec.reference, context) ?? {};
  for (const m of spec.mistakes) {
    if (![probe.fn, ...probe.covers ?? []].some((f) => m.fns.includes(f))) continue;
    const theirs = runMemo(probe, m.impl, context);
    const telling = theirs && explainedBy(got, theirs, reference, keys);
    if (!telling || !confirmed(spec, probe, m.impl, telling, context)) continue;
    return fail(
      "mistake",
      `looks like: ${m.name}. ${m.explain} See ${m.section}. (${issues[0].message}${more})`,
      m.name,
    );
  }
  return fail(issues[0].verdict, issues[0].message + more);
}

/** The mistake agrees with the learner on every other case of the probe's function. */
function confirmed(
  spec: ExerciseSpec,
  probe: Probe,
  impl: Impl,
  telling: string[],
  context: RunContext | undefined,
): boolean {
  if (!context) return true;
  return context.probes.every((q, i) => {
    const o = context.outcomes[i];
    if (q === probe || q.fn !== probe.fn || o?.kind !== "returned") return true;
    const theirs = runMemo(q, impl, context);
    const reference = runMemo(q, spec.reference, context);
    if (!theirs || !reference) return true;
    return consistentWith(
      o.outputs,
      theirs,
      reference,
      q.matchKeys ?? Object.keys(o.outputs),
      telling,
    );
  });
}
