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
  const c = checkNamed(
    report,
    "rnn_backward (all five gradients) vs numerical gradient (gradient policy)",
  );
  ok(c.ok && c.bound === "≤" && (c.reproduced as number) <= 1);
});

Deno.test("lesson 2's gradient check flags every planted bug and reports its power", () => {
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  equal(planted.length, 5);
  ok(planted.some((c) => c.name.includes("a⟨t⟩ used for a⟨t−1⟩")));
  for (const c of planted) ok(c.ok && c.bound === "≥" && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-5, `power ${power}`);
});
