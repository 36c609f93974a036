/**
 * The notebook runner's judgement, on made-up runs: what makes a lesson's or an exercise's
 * notebook fail, so a broken grading cell cannot pass unseen.
 */
import { equal, ok } from "node:assert/strict";
import {
  type CellResult,
  type NotebookRun,
  type Output,
  solvedNotebook,
} from "../tools/notebook_driver.ts";
import { kindOf, type NotebookKind, problems } from "../tools/notebook_verdicts.ts";
import { exercisePairs } from "../tools/notebooks.ts";

const stdout = (text: string): Output => ({ output_type: "stream", name: "stdout", text });

function cell(n: number, source: string, ...text: string[]): CellResult {
  return {
    cell: n,
    source,
    outputs: text.map(stdout),
    late: [],
    status: "ok",
    executionCount: n,
  };
}

function run(...cells: CellResult[]): NotebookRun {
  return { name: "x.ipynb", mode: "all", cells, orphans: 0, seconds: 0, kernelStderr: "" };
}

const GRADE = '// Grade rnn_cell_forward: the checks\ngradeHere(1, { rnn_cell_forward }, "f");';
const report = (...lines: string[]) =>
  ["Exercise 1 · One RNN cell", "  rnn_cell_forward", ...lines].join("\n") + "\n";
const NI = "    ✗ document 000's printout: not implemented yet";
const NI_ALSO = "    ✗ shapes: not implemented yet: this check also runs softmax, still a stub";
const PASS = "    ✓ document 000's printout: agrees";
const FAIL = "    ✗ document 000's printout: a_next[0][1] is 0.5, expected 0.25";

function found(kind: NotebookKind, ...cells: CellResult[]): string {
  return problems(run(...cells), kind).found.join("\n");
}

Deno.test("kindOf: notebooks in an exercises/ folder are exercises, the rest lessons", () => {
  equal(kindOf("/r/notebooks/exercises/01_rnn_cell.ipynb"), "stubs");
  equal(kindOf("notebooks/01_rnn_cell.ipynb"), "lesson");
  equal(kindOf("/r/notebooks/exercises_old/01.ipynb"), "lesson");
});

Deno.test("an exercise notebook as committed passes only if all its checks are not implemented", () => {
  equal(found("stubs", cell(2, GRADE, report(NI, NI_ALSO, "0 of 2 checks passed"))), "");
  ok(
    found("stubs", cell(2, GRADE, report(NI, PASS, "1 of 2 checks passed"))).includes(
      "1 of 2 checks pass on the committed stubs",
    ),
  );
  ok(
    found("stubs", cell(2, GRADE, report(FAIL, "0 of 1 checks passed"))).includes(
      "a_next[0][1] is 0.5",
    ),
  );
  // A check's line wrapped within 100 columns is read whole: "not implemented yet" may come
  // on the continuation line, and a failure there is not hidden either.
  const head = "    ✗ document 000's printout, its five gradients and the whole arrays:\n";
  const wrapped = head + "      not implemented yet";
  equal(found("stubs", cell(2, GRADE, report(wrapped, "0 of 1 checks passed"))), "");
  const wrappedFail = head + "      a_next[0][1] is 0.5, expected 0.25";
  ok(
    found("stubs", cell(2, GRADE, report(wrappedFail, "0 of 1 checks passed"))).includes(
      "arrays: a_next[0][1] is 0.5",
    ),
  );
});

Deno.test("an exercise notebook with the solutions passes only when every check passes", () => {
  equal(found("solved", cell(2, GRADE, report(PASS, "all 1 checks passed"))), "");
  ok(
    found("solved", cell(2, GRADE, report(FAIL, PASS, "1 of 2 checks passed"))).includes(
      "only 1 of 2 checks pass on the reference solutions",
    ),
  );
  // The count line alone is not trusted: a ✗ line fails it too.
  ok(found("solved", cell(2, GRADE, report(NI, "all 1 checks passed"))).includes(NI.trim()));
});

Deno.test("a grading cell must print the grader's report for the functions it names", () => {
  ok(found("solved", cell(2, GRADE, "hello\n")).includes("not the grader's report"));
  ok(found("solved", cell(2, GRADE)).includes("not the grader's report"));
  ok(found("solved", cell(2, GRADE, report("all 0 checks passed"))).includes("ran no checks"));
  const other = "Exercise 1 · One RNN cell\n  rnn_cell_backward\n" + PASS +
    "\nall 1 checks passed\n";
  ok(found("solved", cell(2, GRADE, other)).includes("but its report names rnn_cell_backward"));
  // A class's methods are reported as Class.method.
  const cls = "Exercise 3 · x\n  RNNCell.call\n" + PASS + "\nall 1 checks passed\n";
  equal(found("solved", cell(2, "// Grade RNNCell: x\ngradeHere(3, { RNNCell });", cls)), "");
  ok(found("stubs", cell(2, "const x = 1;")).includes("no grading cell"));
});

Deno.test("a lesson notebook still needs its HTML table and no ✗ line", () => {
  ok(found("lesson", cell(2, "x", "✓ fine\n")).includes("no published-value table"));
  ok(found("lesson", cell(2, "x", "✗ a check failed\n")).includes("✗ a check failed"));
  // An exercise's indented ✗ under a lesson's rules is not hidden either: the table is missing.
  ok(found("lesson", cell(2, GRADE, report(NI, "0 of 1 checks passed"))).length > 0);
});

Deno.test("problems reports late outputs and errors in exercise notebooks too", () => {
  const late = cell(2, GRADE, report(PASS, "all 1 checks passed"));
  late.late.push(stdout("after idle"));
  ok(found("solved", late).includes("arrived after its idle"));
  const err = cell(2, GRADE);
  err.status = "error";
  err.error = "ReferenceError: rnn_cell_forward is not defined";
  ok(found("solved", err).includes("ReferenceError"));
});

Deno.test("solvedNotebook puts every stub's name from the solutions into its own cell", () => {
  for (const p of exercisePairs()) {
    const path = solvedNotebook(p.notebook.pathname);
    ok(path.endsWith(`/out/solved/${p.name}.ipynb`), path);
    const cells = JSON.parse(Deno.readTextFileSync(path)).cells as {
      cell_type: string;
      source: string | string[];
    }[];
    const sources = cells.map((c) => Array.isArray(c.source) ? c.source.join("") : c.source);
    const stubs = sources.filter((s) => s.includes("new NotImplemented("));
    ok(stubs.length > 0, p.name);
    for (const s of stubs) {
      const assigned = s.match(
        /\(\{ ([\w, ]+) \} = await import\("\.\.\/\.\.\/exercises\/_solutions\.ts"\)\);/,
      );
      ok(assigned, `${p.name}: a stub cell without the solutions: ${s.slice(0, 80)}`);
      // Every function or class the cell declares is replaced, and the cell still ends flushed.
      const declared = [...s.matchAll(/^(?:function|class) (\w+)/gm)].map((m) => m[1]);
      equal(assigned[1], declared.join(", "));
      ok(s.trimEnd().endsWith("await flushOutput();"));
    }
  }
});
