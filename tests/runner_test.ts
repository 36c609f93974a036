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
  match(r.stderr, /unknown flag "--jsn"; valid flags: --json, --help/);
});

Deno.test("--json keeps stdout pure JSON", async () => {
  const r = await runLessonCli("2", "--json");
  equal(r.code, 0);
  const report = JSON.parse(r.stdout);
  equal(report.lesson, 2);
  ok(Array.isArray(report.checks));
  match(r.stderr, /Lesson 2/);
});
