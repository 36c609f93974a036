import { equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";
import { assertBelow } from "./_assert.ts";

const report = await lessonReport(5);

Deno.test("lesson 5: every check passes, the run is numpy's run", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  ok(checkNamed(report, "initial Wf = numpy's draws").diff === 0);
  ok(checkNamed(report, "buggy check probes the same entries as numpy").ok);
  ok(checkNamed(report, "EMA trace (every 100 iterations) = numpy's").ok);
});

Deno.test("lesson 5: the bug is large, its cause is proven, the fix is small", () => {
  const buggy = report.values.buggy_check_max_rel_error as Record<string, number>;
  const fixed = report.values.fixed_check_max_rel_error as Record<string, number>;
  equal(Object.keys(buggy).length, 10);
  for (const k of Object.keys(buggy)) {
    ok(buggy[k] > 1e-3, `buggy ${k}: ${buggy[k]}`);
    assertBelow(fixed[k], 1e-5, `fixed ${k}`);
  }
  ok(
    checkNamed(report, "proof: buggy numeric = exact gradient of the loss from (h_T, c_T)").diff <
      1e-6,
  );
});

Deno.test("lesson 5: tolerance analysis, training trace and TF.js cross-check in --json", () => {
  const analysis = report.values.tolerance_analysis as {
    fixed_fail_ours: number;
    buggy_fail_ours: number;
  }[];
  equal(analysis.length, 5);
  for (const a of analysis) {
    equal(a.fixed_fail_ours, 0);
    ok(a.buggy_fail_ours > 100);
  }
  const trace = report.values.ema_every_100 as number[];
  equal(trace.length, 50);
  ok(trace[49] < trace[0] / 2);
  const tf = report.values.tfjs_cross_check_max_abs_diff as Record<string, number>;
  equal(Object.keys(tf).length, 5);
  for (const [k, v] of Object.entries(tf)) assertBelow(v, 1e-4, `TF.js ${k}`);
});
