import { equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(2);

Deno.test("lesson 2 reproduces the notebook's published values", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  for (
    const name of [
      "a[4][1]",
      "y_pred[1][3]",
      "caches[1][1][3]",
      "len(caches)",
      "a.shape",
      "y_pred.shape",
    ]
  ) {
    ok(checkNamed(report, name).ok, name);
  }
  equal(checkNamed(report, "a[4][1]").tolerance, 5e-9);
});

Deno.test("lesson 2 rnn_backward matches central differences", () => {
  for (const key of ["dx", "da0", "dWax", "dWaa", "dba"]) {
    const c = checkNamed(report, `rnn_backward ${key} vs numerical gradient`);
    ok(c.ok && c.relative && c.diff < 1e-7, key);
  }
});
