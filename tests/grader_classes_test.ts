/**
 * Issue 26's classes of wrong solutions that used to pass, each closed in the grader's core so
 * every exercise gains it: (1) the learner's forward feeding the learner's backward, (2)
 * accumulators probed pre-filled and over several steps, (3) random cases from a printed,
 * repeatable seed, (4) inputs changed in place, for every function of every exercise, (5) errors
 * nobody awaited, reported, (6) a named mistake confirmed on several cases, (7) a sound softmax
 * handed out. Graded in-process (the same judge as the command line) unless the class needs the
 * child process.
 */

import { deepEqual, match, notEqual, ok } from "node:assert/strict";
import { EXERCISES } from "../tools/grader/exercises.ts";
import { type ExerciseResult, gradeInProcess, type Impl, probesOf } from "../tools/grader/mod.ts";
import { grade } from "../tools/grader/run_child.ts";
import * as M from "./exercise_fixtures/mutants.ts";
import { softmax_columns } from "../exercises/01_rnn_cell.ts";
import { NDArray } from "../lib/mod.ts";

const MUTANTS = new URL("./exercise_fixtures/mutants.ts", import.meta.url).href;
const spec = (n: number) => EXERCISES.find((e) => e.number === n)!;
const failing = (r: ExerciseResult) => r.tests.filter((t) => !t.ok);

Deno.test("class 1: a forward whose cache is in another order is rejected: its cache is checked and its own backward composed", () => {
  const r = gradeInProcess(spec(1), M.cacheOrderSwapped, undefined, undefined, 1);
  const forward = failing(r).filter((t) => t.function === "rnn_cell_forward");
  ok(forward.length > 0);
  match(forward[0].message, /cache\[0\] should be a_next .*got a_prev/);
  const composed = failing(r).filter((t) => t.function === "rnn_cell_forward → rnn_cell_backward");
  ok(composed.length > 0, "the composition fails");
  ok(composed.every((t) => t.mistake === "the cache stored in another order"));
  // Each function alone, on the reference's cache, is right: only the composition shows it.
  ok(r.tests.filter((t) => t.function === "rnn_cell_backward").every((t) => t.ok));
});

Deno.test("class 1: exercises 1, 2 and 4 grade the learner's forward feeding the learner's backward", () => {
  for (const n of [1, 2, 4]) {
    const composed = probesOf(spec(n), 1).filter((p) => p.fn.includes(" → "));
    ok(composed.length >= 3, `exercise ${n}: fixed and random composed checks`);
    ok(composed.every((p) => p.gradcheck && p.covers?.length === 2));
  }
});

Deno.test("class 2: dlstm assigning its gradients (dW =) is rejected on pre-filled accumulators and named", () => {
  const r = gradeInProcess(spec(5), M.dlstmAssigns, "dlstm", undefined, 3);
  const bad = failing(r);
  ok(bad.length > 0);
  ok(bad.every((t) => t.mistake === "gradients assigned (dW =) instead of added (dW +=)"));
  // The one-step probes from zero pass: only pre-filled, chained probes expose it.
  ok(r.tests.some((t) => t.ok && /vs central differences$/.test(t.name)));
  ok(bad.every((t) => /pre-filled/.test(t.name)));
});

Deno.test("class 3: random cases are drawn from a seed, repeatable, named by their own seed, and new each run", () => {
  for (const s of EXERCISES) {
    const a = probesOf(s, 12345).map((p) => p.name);
    deepEqual(probesOf(s, 12345).map((p) => p.name), a, `exercise ${s.number}: repeatable`);
    const random = a.filter((n) => !s.probes.some((p) => p.name === n));
    ok(random.length >= 2, `exercise ${s.number} has random cases`);
    ok(random.every((n) => /seed \d+/.test(n)), `exercise ${s.number}: each names its seed`);
    notEqual(probesOf(s, 54321).map((p) => p.name).join(), a.join());
  }
  const r1 = gradeInProcess(spec(6), spec(6).reference);
  const r2 = gradeInProcess(spec(6), spec(6).reference);
  ok(r1.seed !== undefined && r2.seed !== undefined && r1.seed !== r2.seed, "a fresh seed per run");
});

Deno.test("class 3: the reference solutions pass every random case on several seeds (the checks are sound)", () => {
  for (const s of EXERCISES) {
    for (const seed of [1, 2, 3]) {
      const r = gradeInProcess(s, s.reference, undefined, undefined, seed);
      deepEqual(failing(r).map((t) => `seed ${seed}: ${t.name}: ${t.message}`), []);
    }
  }
});

/** The reference with `fn` changing its first guarded array argument in place after the call. */
function mutating(n: number, fn: string): Impl {
  const s = spec(n);
  const change = (args: unknown[], allowed: number[]) => {
    const bump = (v: unknown): boolean => {
      if (v instanceof NDArray) return (v.data[0] += 1, true);
      if (v instanceof Float64Array) return (v[0] += 1, true);
      if (Array.isArray(v)) return v.some(bump);
      if (v && typeof v === "object") return Object.values(v).some(bump);
      return false;
    };
    args.some((a, i) => !allowed.includes(i) && bump(a));
  };
  const allowed = s.mutates?.[fn] ?? [];
  if (fn.startsWith("RNNCell.")) {
    const method = fn.slice(8);
    const Base = s.reference.RNNCell;
    return {
      ...s.reference,
      RNNCell: class extends Base {
        [method](...args: unknown[]) {
          const r = super[method](...args);
          change(args, allowed);
          return r;
        }
      },
    };
  }
  const f = s.reference[fn];
  return {
    ...s.reference,
    [fn]: (...args: unknown[]) => {
      const r = f(...args);
      change(args, allowed);
      return r;
    },
  };
}

Deno.test("class 4: every function of every exercise that changes an input in place is caught", () => {
  for (const s of EXERCISES) {
    for (const fn of s.functions.filter((f) => !f.includes(" → ") && f !== "RNNCell.reset")) {
      const r = gradeInProcess(s, mutating(s.number, fn), fn, undefined, null);
      const changed = r.tests.filter((t) => t.outcome === "changed_input");
      ok(changed.length > 0, `exercise ${s.number}, ${fn}: ${r.tests.map((t) => t.message)}`);
      match(changed[0].message, new RegExp(`^${fn.replace(".", "\\.")} changed its argument \\w+`));
    }
  }
});

Deno.test("class 5: an unawaited rejection and a throw from a timer are reported, never dropped", async () => {
  const fetches = await grade(spec(1), MUTANTS, { exportName: "fetchesInForward", seed: 1 });
  const bad = failing(fetches);
  ok(bad.length > 0, "not 'all checks passed'");
  ok(bad.every((t) => t.function !== "rnn_cell_backward"));
  match(bad[0].message, /tried to reach the network \("example\.com:443"\).*read-only/);
  match(bad[0].message, /nobody awaited/);
  match(bad[0].message, /at tests\/exercise_fixtures\/mutants\.ts:\d+/);

  const timer = await grade(spec(1), MUTANTS, { exportName: "throwsFromTimer", seed: 1 });
  ok(failing(timer).length > 0);
  match(failing(timer)[0].message, /threw Error: late \(raised by a promise or timer/);
});

Deno.test("class 6: a check that rejects a correct gradient for its own reasons is not called 'a fixed relative tolerance of 1e-7'", () => {
  for (const name of ["checkGradTooStrict", "checkGradNeverPasses"] as const) {
    const r = gradeInProcess(spec(5), M[name], "check_grad", undefined, 2);
    const bad = failing(r);
    ok(bad.length > 0, `${name} rejected`);
    ok(bad.every((t) => t.mistake === undefined), `${name}: ${bad.map((t) => t.mistake)}`);
    match(bad[0].message, /^ok = false, expected true: the backward is correct/);
  }
  // The question's own check is still named: its verdicts agree with it on every case.
  const q = gradeInProcess(spec(5), M.checkGradFixed1e7, "check_grad", undefined, 2);
  ok(failing(q).length > 0);
  ok(failing(q).every((t) => t.mistake === "a fixed relative tolerance of 1e-7"));
});

Deno.test("class 7: exercise 1's softmax_columns subtracts each column's maximum; the whole array's is caught and named", () => {
  const y = softmax_columns(NDArray.from([[0, 2000], [1, 2001], [-1, 1999]]));
  ok(y.data.every(Number.isFinite));
  for (const j of [0, 1]) ok(Math.abs(y.get(0, j) + y.get(1, j) + y.get(2, j) - 1) < 1e-15);
  const r = gradeInProcess(spec(1), M.wholeArrayMax, "rnn_cell_forward", undefined, null);
  const bad = failing(r);
  deepEqual(bad.map((t) => t.mistake), ["the whole array's maximum subtracted, not each column's"]);
  const ex2 = gradeInProcess(
    spec(2),
    { ...spec(2).reference, softmax: M.wholeArrayMaxSoftmax },
    "softmax",
    undefined,
    null,
  );
  deepEqual(failing(ex2).map((t) => t.mistake), [
    "the whole array's maximum subtracted, not each column's",
  ]);
});
