import { equal, match, ok } from "node:assert/strict";
import { runLessonCli } from "./_run_lesson.ts";

Deno.test("no argument lists the lessons", async () => {
  const r = await runLessonCli();
  equal(r.code, 0);
  match(r.stdout, /1 {2}1 · One RNN cell/);
});

Deno.test("an unknown lesson exits 2 and lists the valid ones", async () => {
  const r = await runLessonCli("99");
  equal(r.code, 2);
  match(r.stderr, /no lesson "99"; valid lessons: 1, 2(, \d+)*, or "all"/);
});

Deno.test("a bad flag exits 2 and lists the valid flags", async () => {
  const r = await runLessonCli("1", "--jsn");
  equal(r.code, 2);
  match(r.stderr, /unknown flag "--jsn"; valid flags: --quiet, --json, --cells, --help/);
});

Deno.test("--json keeps stdout pure JSON", async () => {
  const r = await runLessonCli("2", "--json");
  equal(r.code, 0);
  const report = JSON.parse(r.stdout);
  equal(report.lesson, 2);
  ok(Array.isArray(report.checks));
  match(r.stderr, /Source:/); // the lesson's own output goes to stderr
});

Deno.test("the terminal run shows each markdown cell before the outputs of the code after it", async () => {
  const r = await runLessonCli("2");
  equal(r.code, 0);
  const heading = r.stdout.indexOf("The test cell");
  const printed = r.stdout.indexOf("a.shape = (5, 10, 4)");
  const softmax = r.stdout.indexOf("Two softmaxes");
  ok(heading >= 0 && printed > heading && softmax > printed, r.stdout.slice(0, 2000));
});

Deno.test("--quiet shows only the published-value table", async () => {
  const r = await runLessonCli("2", "--quiet");
  equal(r.code, 0);
  ok(
    r.stdout.trimStart().startsWith("Published values and checks — lesson 2"),
    r.stdout.slice(0, 300),
  );
  equal(r.stdout.includes("Source:"), false);
});

Deno.test("two output modes at once are refused", async () => {
  const r = await runLessonCli("2", "--quiet", "--json");
  equal(r.code, 2);
  match(r.stderr, /give one of --quiet, --json, --cells/);
});
