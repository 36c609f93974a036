/**
 * The runner of the grader's own mutation score (tools/grader/wrong_runner.ts, `deno task
 * exercise:mutants`): it reads the headers of the committed wrong solutions, flags a correct
 * solution presented as wrong as a survivor, counts a stub as rejected, and tells a named
 * mistake from an unnamed one. The full set is slow (`deno task exercise:mutants`, run by
 * .ci/run); only two files are graded here.
 */

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import type { ExerciseResult } from "../tools/grader/mod.ts";
import {
  gradeWrong,
  isNamed,
  parseHeader,
  report,
  score,
  wrongFiles,
} from "../tools/grader/wrong_runner.ts";
import { EXERCISES } from "../tools/grader/exercises.ts";

const ROOT = new URL("../", import.meta.url);
const SCRATCH = new URL("out/wrong_runner_test/ex01/", ROOT);

Deno.test("every committed wrong solution has a header; each exercise has ≥ 15 and one control", () => {
  for (const spec of EXERCISES) {
    const files = wrongFiles(spec.number);
    const heads = files.map((u) => parseHeader(Deno.readTextFileSync(u), u.pathname));
    const wrong = heads.filter((h) => h.expect === "rejected");
    ok(wrong.length >= 15, `exercise ${spec.number}: ${wrong.length} wrong solutions`);
    deepEqual(
      files.filter((_, i) => heads[i].expect === "accepted").map((u) =>
        u.pathname.split("/").pop()
      ),
      ["00_correct.ts"],
    );
    for (const [i, h] of heads.entries()) {
      ok(h.what.length > 20, `${files[i].pathname}: the header says what the mistake is`);
      // "fn: term" must name a graded function; anything else is a mistake's name.
      const fn = /^(\S+):(\s|$)/.exec(h.named ?? "")?.[1];
      if (fn) ok(spec.functions.includes(fn), `${files[i].pathname}: no function ${fn}`);
    }
  }
});

/** Lines of `a` and `b` outside a longest common subsequence: what a line diff would mark. */
function changedLines(a: string[], b: string[]): number {
  const lcs: number[][] = Array.from(
    { length: a.length + 1 },
    () => new Array(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  return Math.max(a.length, b.length) - lcs[0][0];
}

Deno.test("each wrong solution is its exercise's 00_correct.ts with one small change (at most 6 lines)", () => {
  const body = (u: URL) =>
    Deno.readTextFileSync(u).split("\n").filter((l, i, all) =>
      !(l.startsWith("//") && all.slice(0, i).every((m) => m.startsWith("//")))
    );
  for (const spec of EXERCISES) {
    const files = wrongFiles(spec.number);
    const correct = body(files.find((u) => u.pathname.endsWith("/00_correct.ts"))!);
    for (const u of files.filter((u) => !u.pathname.endsWith("/00_correct.ts"))) {
      // One mistake may touch a few lines apart (a convention swapped in three formulas): the
      // count is of changed lines, not of the span between the first and the last.
      const changed = changedLines(body(u), correct);
      ok(changed >= 1 && changed <= 6, `${u.pathname}: ${changed} lines differ from 00_correct.ts`);
    }
  }
});

Deno.test("parseHeader: reads expect, expect-named and what; refuses a file without expect", () => {
  deepEqual(
    parseHeader("// Exercise 1, f: a slip.\n// expect: rejected\n// expect-named: f: dWaa\ncode"),
    { expect: "rejected", named: "f: dWaa", what: "Exercise 1, f: a slip." },
  );
  throws(() => parseHeader("// nothing\nexport const x = 1;\n", "x.ts"), /x\.ts: no "\/\/ expect/);
});

Deno.test("isNamed: a known mistake by substring, or a function and the term its message names", () => {
  const r: ExerciseResult = {
    exercise: 1,
    title: "t",
    tests: [
      { function: "g", name: "n", ok: true, message: "agrees", outcome: "passed" },
      {
        function: "f",
        name: "n",
        ok: false,
        message: "dWaa[0, 1] = 2, expected 1",
        outcome: "mistake",
        mistake: "Missing (1 − a²)",
      },
    ],
  };
  ok(isNamed(r, "missing (1 − a²)", ["f", "g"]));
  ok(isNamed(r, "f: dWaa", ["f", "g"]));
  ok(isNamed(r, "f:", ["f", "g"]));
  ok(!isNamed(r, "f: Waa", ["f", "g"]), "Waa inside dWaa is not the term Waa");
  ok(!isNamed(r, "g: dWaa", ["f", "g"]), "g's check passed");
  ok(!isNamed(r, "transposed", ["f", "g"]));
});

Deno.test("a correct solution presented as wrong is a survivor; the stub is rejected", async () => {
  await Deno.mkdir(SCRATCH, { recursive: true });
  const fix = (text: string, header: string) =>
    header + text.replace(/^\/\/ expect.*\n/gm, "").replaceAll(
      /from "(\.\.\/)+(lib|tools)\//g,
      'from "../../../$2/',
    );
  const correct = new URL("copy_of_correct.ts", SCRATCH);
  await Deno.writeTextFile(
    correct,
    fix(
      await Deno.readTextFile(new URL("tools/grader/wrong/ex01/00_correct.ts", ROOT)),
      "// A correct solution, presented as wrong.\n// expect: rejected\n" +
        "// expect-named: rnn_cell_backward: dWaa\n",
    ),
  );
  const git = await new Deno.Command("git", {
    args: ["show", "HEAD:exercises/01_rnn_cell.ts"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  ok(git.success, "git show of the committed stub");
  const stub = new URL("stub.ts", SCRATCH);
  await Deno.writeTextFile(
    stub,
    fix(new TextDecoder().decode(git.stdout), "// The stub.\n// expect: rejected\n"),
  );
  const survivor = await gradeWrong(1, correct);
  equal(survivor.rejected, false);
  equal(survivor.named, false);
  match(survivor.verdict, /^all \d+ checks passed$/);
  const rejected = await gradeWrong(1, stub);
  equal(rejected.rejected, true);
  match(rejected.verdict, /not implemented/);
  const s = score(1, [survivor, rejected]);
  deepEqual(
    [s.wrong, s.rejected, s.survivors, s.expectNamed, s.named],
    [2, 1, ["ex01/copy_of_correct.ts"], 1, 0],
  );
  match(report([s], [survivor, rejected]), /SURVIVORS[^\n]*\n {2}ex01\/copy_of_correct\.ts/);
});

Deno.test("exercise:mutants: a bad --only exits 2 with the usage", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config=dev/deno.json",
      "--allow-read=.",
      "--allow-run",
      "tools/grader/wrong_runner.ts",
      "--only",
      "x",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.code, 2);
  match(new TextDecoder().decode(out.stderr), /usage: deno task exercise:mutants/);
});
