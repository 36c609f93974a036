import { equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(3);

Deno.test("lesson 3: the weights are torch's, bit for bit, and every comparison passes", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  for (const name of ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]) {
    equal(checkNamed(report, `initial ${name} = torch's`).diff, 0);
  }
  const weights = report.values.initial_weights as Record<string, number[][]>;
  equal(weights.weight_ih_l0.length, 5);
});

Deno.test("lesson 3: torch ~1e-16, TF.js ~1e-7, central differences, dh0 exposed, reset needed", () => {
  const table = report.values.max_abs_differences as Record<string, Record<string, number>>;
  for (const [name, row] of Object.entries(table)) {
    ok(row["torch (float64)"] < 1e-14, name);
    ok(row["TF.js (float32)"] < 1e-5 && row["TF.js (float32)"] > 0, name);
  }
  ok(checkNamed(report, "dh0 vs torch").ok);
  ok(checkNamed(report, "without reset the second sequence's dW_ih is wrong").ok);
  ok(checkNamed(report, "after reset: second sequence dW_ih vs torch").ok);
});
