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

Deno.test("lesson 7: clipping and weight decay measured over 10 seeds per configuration, counted", () => {
  type Runs = {
    seeds: number[];
    maxGradNorm: number[];
    lastTenMeanLoss: number[];
    sigmaMaxEnd: number[];
  };
  const runs = report.values.exploding as Record<string, Runs>;
  deepEqual(Object.keys(runs), ["unclipped", "clipped at 1", "decay 0.005", "decay 0.05"]);
  for (const r of Object.values(runs)) {
    deepEqual(r.seeds, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const xs of [r.maxGradNorm, r.lastTenMeanLoss, r.sigmaMaxEnd]) equal(xs.length, 10);
  }
  // The counted checks recount what the values hold.
  const count = (xs: number[], f: (x: number) => boolean) => xs.filter(f).length;
  const reproduced = (prefix: string) => {
    const c = report.checks.find((c) => c.name.startsWith(prefix));
    ok(c, prefix);
    return c.reproduced;
  };
  equal(
    reproduced("clipped at 1: runs whose last-10-step mean loss is below chance"),
    count(runs["clipped at 1"].lastTenMeanLoss, (l) => l < Math.LN2),
  );
  equal(
    reproduced("unclipped: runs whose last-10-step mean loss is at or above chance"),
    count(runs.unclipped.lastTenMeanLoss, (l) => l >= Math.LN2),
  );
  equal(
    reproduced("decay 0.005: runs whose σ_max(W) ends above its start 2.5"),
    count(runs["decay 0.005"].sigmaMaxEnd, (s) => s > 2.5),
  );
  equal(
    reproduced("decay 0.05: runs whose σ_max(W) ends below 0.5"),
    count(runs["decay 0.05"].sigmaMaxEnd, (s) => s < 0.5),
  );
  // The thresholds are the stated rule: every run for the cure, more than half for a failure.
  const threshold = (prefix: string) =>
    report.checks.find((c) => c.name.startsWith(prefix))?.published;
  equal(threshold("clipped at 1: runs whose last-10-step mean loss is below chance"), 10);
  equal(threshold("unclipped: runs whose last-10-step mean loss is at or above chance"), 6);
});

Deno.test("lesson 7: a one-ULP nudge of seed 1's W[0, 0] separates both runs' losses by more than 1 %", () => {
  const nudge = report.values["one-ULP nudge of W[0, 0], seed 1"] as Record<
    string,
    { firstDifferentStep: number; firstStepOnePercentApart: number; lastTenMeanLoss: number[] }
  >;
  deepEqual(Object.keys(nudge), ["unclipped", "clipped at 1"]);
  for (const r of Object.values(nudge)) {
    ok(r.firstDifferentStep >= 0 && r.firstStepOnePercentApart > r.firstDifferentStep);
  }
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
