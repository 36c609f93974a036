import { equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(1);

Deno.test("lesson 1 reproduces every published value", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  const published = report.checks.filter((c) => c.kind === "published");
  equal(published.length, 10);
  for (
    const name of [
      'gradients["dxt"][1][2]',
      'gradients["da_prev"][2][3]',
      'gradients["dWax"][3][1]',
      'gradients["dWaa"][1][2]',
    ]
  ) {
    const c = checkNamed(report, name);
    ok(c.ok && c.diff <= c.tolerance, name);
    // The roundoff allowance stays small: well under 1e-13 absolute.
    ok(c.tolerance < 1e-13, `${name}: tolerance ${c.tolerance}`);
  }
  equal(checkNamed(report, 'gradients["dba"][4]').tolerance, 5e-9);
});

Deno.test("lesson 1 backward matches central differences and numpy", () => {
  ok(checkNamed(report, "all five gradients vs numerical gradient (gradient policy)").ok);
  for (const key of ["dxt", "da_prev", "dWax", "dWaa", "dba"]) {
    ok(checkNamed(report, `${key} (all entries) vs numpy`).ok, key);
  }
});

Deno.test("lesson 1's gradient check flags every planted bug and reports its power", () => {
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  equal(planted.length, 4);
  ok(planted.some((c) => c.name.includes("a⟨t⟩ used for a⟨t−1⟩")));
  for (const c of planted) ok(c.ok && c.bound === "≥" && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-5, `power ${power}`);
});

Deno.test("lesson 1 reports the ULP table and the stale ba", () => {
  const ulps = report.values.ulps_from_published as Record<string, Record<string, number>>;
  equal(Object.keys(ulps).length, 4);
  for (const row of Object.values(ulps)) ok(Math.abs(row.compensated) < 64);
  equal((report.values.ba as number[][]).length, 5);
});
