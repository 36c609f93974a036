/**
 * The exercise grader (tools/grader, `deno task exercise`): the reference solutions pass every
 * check; each known mistake, written as a learner might in tests/exercise_fixtures/mutants.ts,
 * is caught and named; the committed stubs (read from git, not the working tree) grade as
 * "not implemented"; a throwing, NaN-returning, wrong-shape, wrong-type and never-returning
 * function are each reported in the learner's terms. Nothing here grades the learner's edits
 * in exercises/.
 */

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { type ExerciseResult, gradeInProcess } from "../tools/grader/mod.ts";
import { grade } from "../tools/grader/run_child.ts";
import {
  committed,
  exerciseNotebookOf,
  exercisePairs,
  nbformatProblems,
} from "../tools/notebooks.ts";
import { missingTanhDerivative } from "./exercise_fixtures/mutants.ts";
import { EXERCISES, SOLUTIONS_URL } from "../tools/grader/exercises.ts";
import { formatList } from "../tools/exercise.ts";

const ROOT = new URL("../", import.meta.url);
const MUTANTS = new URL("./exercise_fixtures/mutants.ts", import.meta.url).href;
const spec = (n: number) => EXERCISES.find((e) => e.number === n)!;
const failing = (r: ExerciseResult) => r.tests.filter((t) => !t.ok);

for (const s of EXERCISES) {
  Deno.test(`exercise ${s.number}: the reference solutions pass every check`, async () => {
    const r = await grade(s, SOLUTIONS_URL);
    deepEqual(failing(r).map((t) => `${t.function}: ${t.message}`), []);
    deepEqual([...new Set(r.tests.map((t) => t.function))], s.functions);
  });
}

/** One mistake → the diagnosis it must get (its name), on which function. */
const MISTAKES: [number, string, string, string][] = [
  [1, "missingTanhDerivative", "rnn_cell_backward", "missing (1 − a²)"],
  [1, "transposedDWax", "rnn_cell_backward", "transposed weight gradients"],
  [1, "dbaWrongAxis", "rnn_cell_backward", "dba summed over the wrong axis"],
  [1, "dbaNoKeepdims", "rnn_cell_backward", "dba summed without keepdims"],
  [1, "swappedWeights", "rnn_cell_forward", "Wax and Waa swapped"],
  [2, "batchSoftmax", "softmax", "softmax over the whole batch (document 000's softmax)"],
  [2, "noCarry", "rnn_backward", "the gradient from the next step dropped (no carry)"],
  [
    2,
    "rnnBackwardOverMissingTanh",
    "rnn_backward",
    "missing (1 − a²) (in rnn_cell_backward, which rnn_backward calls)",
  ],
  [3, "classNoCarry", "RNNCell.backward", "prev_dh carry dropped"],
  [3, "classNoReset", "RNNCell.reset", "the stacks never emptied between sequences"],
  [4, "simpleRnnOutputFromPrevious", "simple_rnn_forward", "o = V h^(t−1) instead of V h^(t)"],
  [4, "simpleRnnDVFromPrevious", "simple_rnn_backward", "o = V h^(t−1) instead of V h^(t)"],
  [
    4,
    "simpleRnnSigmoidPrime",
    "simple_rnn_backward",
    "σ′ = h(1 − h) (the sigmoid's) instead of tanh′ = 1 − h²",
  ],
  [
    4,
    "simpleRnnColumnForward",
    "simple_rnn_forward",
    "column-vector kernels (U·x) where Keras uses row kernels (x·U)",
  ],
  [
    4,
    "simpleRnnColumnBackward",
    "simple_rnn_backward",
    "column-vector kernels (U·x) where Keras uses row kernels (x·U)",
  ],
  [5, "dlstmNoDhNext", "dlstm", "dh_next not added"],
  [5, "dlstmNoDcNext", "dlstm", "dc_next not added (the cell-state carry dropped)"],
  [5, "checkGradFixed1e7", "check_grad", "a fixed relative tolerance of 1e-7"],
  [
    5,
    "checkGradOverwritesState",
    "check_grad",
    "the state overwritten between evaluations (the question's bug)",
  ],
  [5, "checkGradOneSided", "check_grad", "a one-sided difference"],
  [6, "sumOverKNpPower", "sum_over_k", "np.power (elementwise) for W^(t−k)"],
  [6, "sumOverKReduceAtT", "sum_over_k", "a reduce that always uses h[t]"],
  [6, "sumOverKBroadcast", "sum_over_k", "a broadcast where an outer product is needed"],
  [6, "sumOverKCurrentState", "sum_over_k", "h^t for h^(t−1)"],
  [6, "sumOverKJacobiansFirst", "sum_over_k", "all Jacobians first, then W^(t−k)"],
  [7, "clipEachSeparately", "clip_by_global_norm", "clipping each tensor separately"],
  [
    7,
    "jacobianWithoutTanh",
    "jacobian_norm",
    "forgetting the tanh derivative in the Jacobian product",
  ],
  [7, "rtrlWithoutTanh", "rtrl_dW", "forgetting the tanh derivative in the Jacobian product"],
];

for (const [n, exportName, fn, diagnosis] of MISTAKES) {
  Deno.test(`exercise ${n}: ${exportName} is diagnosed as "${diagnosis}"`, async () => {
    const r = await grade(spec(n), MUTANTS, { exportName });
    const bad = failing(r);
    ok(bad.length > 0, "the mistake must fail at least one check");
    const named = bad.filter((t) => t.outcome === "mistake");
    ok(
      named.some((t) => t.function === fn),
      `no check of ${fn} named the mistake: ${bad.map((t) => t.message).join(" | ")}`,
    );
    for (const t of bad) {
      // Its own checks, the composed checks that run it, or named.
      ok(
        t.function.split(" → ").includes(fn) || t.outcome === "mistake",
        `${t.function} fails: ${t.message}`,
      );
    }
    for (const t of named) {
      equal(t.mistake, diagnosis);
      match(t.message, /See lesson \d/);
    }
  });
}

Deno.test("exercise 3: the document's class written out passes, so the class probes are fair", async () => {
  deepEqual(failing(await grade(spec(3), MUTANTS, { exportName: "classWritten" })), []);
});

Deno.test("exercise 4: the SimpleRNN written out entry by entry passes, so the probes are fair", async () => {
  deepEqual(failing(await grade(spec(4), MUTANTS, { exportName: "simpleRnnWritten" })), []);
});

Deno.test("exercise 5: a fixed relative 1e-7 rejects the correct backward on some of lesson 5's seeds and not others", async () => {
  const r = await grade(spec(5), MUTANTS, { exportName: "checkGradFixed1e7" });
  const seeds = r.tests.filter((t) => /^the correct backward, seed [0-4]:/.test(t.name));
  equal(seeds.length, 5);
  ok(seeds.some((t) => t.ok), "passes on some seeds");
  ok(seeds.some((t) => t.mistake === "a fixed relative tolerance of 1e-7"), "named on the others");
});

Deno.test("exercise 5: one LSTM step backward written out passes, so the dlstm probes are fair", async () => {
  deepEqual(failing(await grade(spec(5), MUTANTS, { exportName: "dlstmWritten" })), []);
});

Deno.test("exercise 5: a check written out with lesson 5's criterion passes, so the check probes are fair", async () => {
  deepEqual(failing(await grade(spec(5), MUTANTS, { exportName: "checkGradWritten" })), []);
});

Deno.test("exercise 6: the sum over k written out passes, so the BPTT probes are fair", async () => {
  deepEqual(failing(await grade(spec(6), MUTANTS, { exportName: "sumOverKWritten" })), []);
});

Deno.test("exercise 7: RTRL written out entry by entry passes, so the RTRL probes are fair", async () => {
  deepEqual(failing(await grade(spec(7), MUTANTS, { exportName: "rtrlWritten" })), []);
});

Deno.test("the committed stubs grade as not implemented, every check of every exercise", async () => {
  const dir = new URL("out/exercise_stubs/", ROOT);
  await Deno.mkdir(dir, { recursive: true });
  for (const s of EXERCISES) {
    const text = committed(`exercises/${s.slug}.ts`).replaceAll('from "../', `from "${ROOT.href}`);
    await Deno.writeTextFile(new URL(`${s.slug}.ts`, dir), text);
  }
  for (const s of EXERCISES) {
    const r = await grade(s, new URL(`${s.slug}.ts`, dir).href);
    for (const t of r.tests) {
      equal(t.outcome, "not_implemented", `${t.function}: ${t.message}`);
      ok(!/\bat\b.*:\d+/.test(t.message), `no stack trace: ${t.message}`);
    }
    deepEqual([...new Set(r.tests.map((t) => t.function))], s.functions);
  }
});

Deno.test("faults in learner code are reported in the learner's terms", async () => {
  const g = (exportName: string, timeoutMs?: number) =>
    grade(spec(1), MUTANTS, { exportName, timeoutMs });
  const first = (r: ExerciseResult) => failing(r)[0];

  const threw = first(await g("throws"));
  equal(threw.outcome, "threw");
  match(threw.message, /threw RangeError: dot: shapes \(5,3\) and \(5,10\) not aligned/);
  match(threw.message, /at tests\/exercise_fixtures\/mutants\.ts:\d+\)$/);

  const nan = first(await g("returnsNaN"));
  equal(nan.outcome, "non_finite");
  equal(nan.message, "dWaa: NaN at [2, 1] (1 of 25 entries are NaN or infinite)");

  const shape = first(await g("wrongShape"));
  equal(shape.outcome, "wrong_shape");
  equal(
    shape.message,
    "dxt: expected shape (3, 10), got (10, 3) — the transpose of what is expected",
  );

  const type = first(await g("wrongType"));
  equal(type.outcome, "wrong_type");
  match(
    type.message,
    /^rnn_cell_forward should return \[a_next, yt_pred, cache\], got an object with keys a_next, yt_pred, cache$/,
  );

  const t0 = performance.now();
  const slow = await g("neverReturns", 1500);
  const stopped = failing(slow);
  // Every check that calls rnn_cell_forward is stopped; the backward ones alone still graded.
  deepEqual(
    stopped.map((t) => t.function),
    slow.tests.map((t) => t.function).filter((f) => f !== "rnn_cell_backward"),
  );
  for (const t of stopped) {
    equal(t.outcome, "timeout");
    match(t.message, /did not return within 1\.5 s and was stopped/);
  }
  ok(slow.tests.filter((t) => t.function === "rnn_cell_backward").every((t) => t.ok));
  ok(performance.now() - t0 < stopped.length * 4500 + 10000, "stopped, not waited for");
});

Deno.test("deno task exercise: --solution --json, unknown exercise and flag", async () => {
  const run = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config=deps/exercise.json",
        "--allow-read=.",
        "--allow-run",
        "tools/exercise.ts",
        ...args,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const sol = await run("2", "--solution", "--json");
  equal(sol.code, 0);
  const json = JSON.parse(new TextDecoder().decode(sol.stdout));
  equal(json.exercise, 2);
  ok(json.tests.length > 0 && json.tests.every((t: { ok: boolean }) => t.ok));
  deepEqual(Object.keys(json.tests[0]).slice(0, 4), ["function", "name", "ok", "message"]);
  for (const bad of [["9"], ["1", "--bogus"]]) {
    const r = await run(...bad);
    equal(r.code, 2, bad.join(" "));
    match(
      new TextDecoder().decode(r.stderr),
      /exercises:\n {3}1 {2}01_rnn_cell {9}One RNN cell, forward and backward\n {3}2 {2}02_rnn_forward/,
    );
  }
});

Deno.test("deno task exercise lists every exercise with its title and status, in aligned columns", () => {
  const rows = EXERCISES.map((e) => ({
    exercise: e.number,
    slug: e.slug,
    title: e.title,
    status: "not started",
  }));
  rows.push({ exercise: 10, slug: "10_a_much_longer_slug", title: "T", status: "done" });
  const lines = formatList(rows).split("\n");
  equal(lines.length, rows.length + 1);
  const col = (l: string, s: string) => l.indexOf(s);
  for (const [i, r] of rows.entries()) {
    equal(col(lines[i], r.title), col(lines[0], rows[0].title), `title column, row ${i}`);
    equal(col(lines[i], r.status), col(lines[0], rows[0].status), `status column, row ${i}`);
  }
  match(lines[0], /^ 1 {2}01_rnn_cell {2,}One RNN cell, forward and backward {2,}not started$/);
});

Deno.test("exercise notebooks: committed, fresh from the committed exercises, valid nbformat", () => {
  // Both sides from git, so a learner's edits to exercises/ or the notebooks do not matter.
  const pairs = exercisePairs();
  deepEqual(pairs.map((p) => p.exercise), EXERCISES.map((e) => e.number));
  for (const p of pairs) {
    const want = exerciseNotebookOf(
      committed(`exercises/${p.name}.ts`),
      `exercises/${p.name}.ts`,
      p.exercise,
    );
    equal(
      committed(`notebooks/exercises/${p.name}.ipynb`),
      want,
      `${p.name}: run deno task notebooks`,
    );
    const nb = JSON.parse(want);
    deepEqual(nbformatProblems(nb), []);
    const grading = nb.cells.filter((c: { source: string[] }) =>
      c.source.join("").includes("gradeHere(")
    );
    ok(grading.length >= 1, `${p.name} has grading cells`);
  }
});

Deno.test("the notebooks' grading (in the kernel's thread) gives the same verdicts", () => {
  for (const s of EXERCISES) {
    const r = gradeInProcess(s, s.reference);
    deepEqual(r.tests.filter((t) => !t.ok).map((t) => t.message), []);
  }
  const r = gradeInProcess(spec(1), missingTanhDerivative, "rnn_cell_backward");
  ok(r.tests.length > 0 && r.tests.every((t) => t.function === "rnn_cell_backward"));
  ok(r.tests.some((t) => t.mistake === "missing (1 − a²)"));
});
