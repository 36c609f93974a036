import { equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(10);

Deno.test("lesson 10: every check passes", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
});

Deno.test("lesson 10: the backward pass = central differences, and every planted bug is flagged", () => {
  ok(
    checkNamed(
      report,
      "∂L/∂(W_ir … b_hn), reset after: gruBackward = central differences (gradient policy)",
    ).ok,
  );
  ok(checkNamed(report, "∂L/∂(W_ir … b_hn), reset before: gruBackward = central differences").ok);
  ok(checkNamed(report, "∂L/∂x and ∂L/∂h_0: gruBackward = central differences").ok);
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  equal(planted.length, 8);
  for (const c of planted) ok(c.ok && c.bound === "≥" && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-5, `power ${power}`);
});

Deno.test("lesson 10: both shapes and both conventions agree with torch; the paper's with TF.js", () => {
  const torch = report.checks.filter((c) => c.against.includes("torch 1.13"));
  equal(torch.length, 12); // 2 shapes × 2 conventions × (states, parameters, inputs)
  for (const c of torch) ok(c.ok && c.diff <= c.tolerance && c.tolerance < 1e-11, c.name);
  const tf = report.checks.filter((c) => c.against.startsWith("TF.js"));
  equal(tf.length, 1);
  ok(tf[0].ok);
});

Deno.test("lesson 10: the 40-step gap, measured", () => {
  const gap = report.values.gap40 as {
    accuracies: Record<string, number>;
    directPath: Record<string, number>;
  };
  equal(Object.keys(gap.accuracies).length, 4);
  ok(gap.accuracies["vanilla RNN"] <= 0.65);
  ok(gap.accuracies["LSTM, forget bias 3"] >= 0.9);
  ok(gap.directPath["b_iz = 3"] > gap.directPath["PyTorch's init"]);
});
