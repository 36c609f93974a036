import { deepEqual, equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(4);

Deno.test("lesson 4 reproduces all 15 printed quantities, by hand and with TF.js", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  equal(report.checks.filter((c) => c.kind === "published").length, 15);
  for (const name of ["dl_dU", "my_dl_dU", "delta_1", "h_seq", "output_seq"]) {
    ok(checkNamed(report, name).ok, name);
  }
  ok(checkNamed(report, "TF.js dl_dW vs ours (float64)").ok);
});

Deno.test("lesson 4 recovers the inputs: seed 0, init_state and the 2-dimensional family", () => {
  const search = report.values.seed_search as { best: { seed: number; residual: number }[] };
  equal(search.best[0].seed, 0);
  ok(search.best[0].residual < 1e-6 && search.best[1].residual > 0.1);
  const h0 = report.values.init_state as number[];
  equal(h0.length, 2);
  ok(Math.abs(h0[0] - 0.5680445) < 1e-6 && Math.abs(h0[1] - 0.9255966) < 1e-6);
  deepEqual((report.values.inputs as number[][]).map((r) => r.length), [4, 4, 4]);
  ok(checkNamed(report, "seed-0 draws − least-squares solution lies in the null space").ok);
});

Deno.test("lesson 4 verifies its δ recursion end to end: TF.js tape, central differences, planted bugs", () => {
  for (const name of ["g_t = ∂L/∂h_t", "δ_t = ∂L/∂net_t"]) {
    const c = checkNamed(report, `δ recursion end to end: ${name}, t = 1..3, ours vs TF.js tape`);
    ok(c.ok && c.diff > 0 && c.diff < 1e-6, name); // float32 differences, not zero
  }
  const policy = checkNamed(
    report,
    "δ recursion end to end: every gradient, g_t and δ_t vs central differences (gradient policy)",
  );
  ok(policy.ok && policy.bound === "≤");
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  equal(planted.length, 6);
  ok(planted.some((c) => c.name.includes("h_t used for h_(t−1)")));
  ok(planted.some((c) => c.name.includes("carry")), "a dropped carry is among the planted bugs");
  for (const c of planted) ok(c.ok && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-8, `power ${power}`);
});
