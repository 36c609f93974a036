import { deepEqual, equal, ok } from "node:assert/strict";
import { lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(7);

Deno.test("lesson 7: every claim of the document's theory part is a passing check", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  equal(report.checks.length, 26);
  // The claims with a threshold are one-sided checks: the table shows their margins.
  equal(report.checks.filter((c) => c.bound).length, 24);
  ok(report.checks.filter((c) => c.bound).every((c) => c.diff >= 0));
});

Deno.test("lesson 7: weight decay measured — too weak it lets W grow, strong it erases W", () => {
  const runs = report.values.exploding as Record<string, { maxGradNorm: number }>;
  deepEqual(Object.keys(runs), ["unclipped", "clipped at 1", "decay 0.005", "decay 0.05"]);
  const names = report.checks.map((c) => c.name);
  ok(names.some((n) => n.startsWith("decay 0.005: σ_max(W)")));
  ok(names.some((n) => n.startsWith("decay 0.05: σ_max(W)")));
});

Deno.test("lesson 7: the measurements behind the claims", () => {
  const norms = report.values.jacobian_norms as Record<string, number[]>;
  equal(Object.keys(norms).length, 3);
  ok(norms["ρ = 0.8"][38] < 1e-3);
  const lr = report.values.long_range as Record<
    string,
    { rnnAccuracy: number; lstmAccuracy: number }
  >;
  ok(lr.gap40.lstmAccuracy >= 0.9 && lr.gap40.rnnAccuracy <= 0.65);
  const cell = report.values.lstm_cell_path as { fullJacobianNorm: number };
  ok(cell.fullJacobianNorm > 0.1);
});

Deno.test("lesson 7's gradient check passes, flags every planted bug and reports its power", () => {
  const c = report.checks.find((c) =>
    c.name === "BPTT ∂L/∂W = central differences (gradient policy)"
  );
  ok(c?.ok);
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  equal(planted.length, 5);
  for (const c of planted) ok(c.ok && c.bound === "≥" && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-5, `power ${power}`);
});
