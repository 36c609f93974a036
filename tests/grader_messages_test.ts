/**
 * The grader's messages, in the learner's terms (issue 26): a Float64Array called one, a
 * boolean check read as a boolean, every further problem named briefly, a syntax error's code
 * frame shown once with its caret in place and a path relative to the repository, a refused
 * access explained, `--json` outcome kinds that say what happened, and exercise 1's mistake
 * table naming document 000's batch-wide softmax.
 */

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { EXERCISES } from "../tools/grader/exercises.ts";
import {
  describe,
  type ExerciseResult,
  formatResult,
  gradeInProcess,
} from "../tools/grader/mod.ts";
import { grade } from "../tools/grader/run_child.ts";
import * as M from "./exercise_fixtures/mutants.ts";

const ROOT = new URL("../", import.meta.url);
const MUTANTS = new URL("./exercise_fixtures/mutants.ts", import.meta.url).href;
const spec = (n: number) => EXERCISES.find((e) => e.number === n)!;
const failing = (r: ExerciseResult) => r.tests.filter((t) => !t.ok);

Deno.test("a Float64Array is described as one, not as an object with keys 0, 1, …", () => {
  equal(describe(new Float64Array(30)), "a Float64Array of length 30");
  const r = gradeInProcess(spec(1), M.typedArrayDxt, "rnn_cell_backward", undefined, null);
  const t = failing(r)[0];
  equal(t.outcome, "wrong_type");
  equal(t.message, "dxt: expected an NDArray of shape (3, 10), got a Float64Array of length 30");
});

Deno.test("a boolean check reads as true / false, with why", () => {
  const r = gradeInProcess(spec(5), M.checkGradNeverPasses, "check_grad", undefined, null);
  equal(
    failing(r)[0].message,
    "ok = false, expected true: the backward is correct (lib/nn/lstm.ts, checked in lesson 5), " +
      "so a check must accept it",
  );
});

Deno.test("every further problem is named briefly, not '(and N more problem(s))'", () => {
  const r = gradeInProcess(spec(1), M.doubledGradients, "rnn_cell_backward", undefined, null);
  const t = failing(r)[0];
  ok(!/more problem/.test(t.message));
  match(t.message, /^gradients\["dxt"\]\[1\]\[2\]: got .* \(also: .*dWaa.*dba.*: wrong values\)$/);
  const gc = failing(r).find((t) => /central differences/.test(t.name))!;
  match(gc.message, /^dxt\[.*\(also: da_prev, dWax, dWaa, dba: wrong values\)$/);
});

Deno.test("a syntax error: its code frame once, verbatim, the caret under the column, the path relative", async () => {
  const dir = new URL("out/grader_messages/", ROOT);
  await Deno.mkdir(dir, { recursive: true });
  const text = (await Deno.readTextFile(new URL("exercises/_solutions.ts", ROOT)))
    .replaceAll('from "../lib/', 'from "../../lib/')
    .replace(
      "export function softmax(x: NDArray): NDArray {\n",
      "export function softmax(x: NDArray): NDArray {\n  const q = (1 + ;\n",
    );
  const file = new URL("syntax.ts", dir);
  await Deno.writeTextFile(file, text);
  const line = text.split("\n").findIndex((l) => l.includes("(1 + ;")) + 1;
  const r = await grade(spec(2), file.href, { seed: 1 });
  equal(r.tests[0].outcome, "load_failed");
  equal(
    r.tests[0].message,
    `the exercise file could not be loaded: SyntaxError: Expression expected (at out/grader_messages/syntax.ts:${line})`,
  );
  const frame = r.tests[0].detail!.split("\n");
  const code = frame.find((l) => l.includes("(1 + ;"))!;
  const caret = frame[frame.indexOf(code) + 1];
  equal(caret.indexOf("~"), code.indexOf(";"), "the caret under the ';'");
  for (const t of r.tests.slice(1)) {
    equal(t.outcome, "load_failed");
    equal(t.message, "the exercise file could not be loaded (see above)");
    equal(t.detail, undefined);
  }
  const printed = formatResult(r);
  equal(printed.split("(1 + ;").length, 2, "the frame printed once");
  ok(!printed.includes("file://"));
  ok(printed.split("\n").some((l) => l === `      ${caret}`), "the caret line not re-wrapped");
});

Deno.test("a refused access says the grader runs the code read-only, and why — not 'run again with --allow-…'", async () => {
  const r = await grade(spec(1), MUTANTS, { exportName: "readsOutside", seed: 1 });
  const t = failing(r)[0];
  equal(t.outcome, "threw");
  match(
    t.message,
    /^threw NotCapable: your code tried to read the environment \(.*\), which the grader does not allow: it runs your code read-only/,
  );
  match(t.message, /a grade depends only on the arguments/);
  ok(!/--allow/.test(t.message));
});

Deno.test("--json outcome kinds say what happened: changed_input, wrong_shape, wrong_type, non_finite, threw", async () => {
  const kinds = async (
    exportName: string,
  ) => [
    ...new Set(
      failing(await grade(spec(1), MUTANTS, { exportName, seed: 1 })).map((t) => t.outcome),
    ),
  ];
  deepEqual(await kinds("wrongShape"), ["wrong_shape"]);
  deepEqual(await kinds("typedArrayDxt"), ["wrong_type"]);
  deepEqual(await kinds("returnsNaN"), ["non_finite"]);
  equal((await kinds("throws"))[0], "threw");
  const mutated = gradeInProcess(
    spec(7),
    {
      ...spec(7).reference,
      clip_by_global_norm: (grads: Record<string, { data: Float64Array }>, max_norm: number) => {
        const r = spec(7).reference.clip_by_global_norm(grads, max_norm);
        grads.W.data[0] = 0;
        return r;
      },
    },
    "clip_by_global_norm",
    undefined,
    null,
  );
  ok(failing(mutated).every((t) => t.outcome === "changed_input"));
  match(
    failing(mutated)[0].message,
    /^clip_by_global_norm changed its argument grads\.W in place \(entry 0 was -?[\d.]+, now 0\): leave the inputs/,
  );
});

Deno.test("exercise 1's mistake table names document 000's batch-wide softmax", () => {
  const r = gradeInProcess(spec(1), M.cellBatchSoftmax, "rnn_cell_forward", undefined, null);
  ok(failing(r).length > 0);
  ok(
    failing(r).every((t) => t.mistake === "softmax over the whole batch (document 000's softmax)"),
  );
  match(failing(r)[0].message, /See lesson 2, “Two softmaxes”/);
});
