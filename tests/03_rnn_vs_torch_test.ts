import { deepEqual, equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";
import { assertBelow } from "./_assert.ts";

const report = await lessonReport(3);
const names = ["hidden", "dx", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"];

Deno.test("lesson 3: every check passes", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  equal(report.checks.length, 60); // none silently dropped
});

Deno.test("lesson 3: the weights are torch's bit for bit, on both kernels, printed as torch prints", () => {
  for (const name of ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]) {
    equal(checkNamed(report, `bit-exact vs torch kernel: initial ${name} (AVX2)`).diff, 0);
    equal(checkNamed(report, `bit-exact vs torch kernel: initial ${name} (portable)`).diff, 0);
    equal(checkNamed(report, `print(${name}) = torch's, character for character`).reproduced, 0);
  }
  const weights = report.values.initial_weights as Record<string, number[][]>;
  deepEqual(Object.keys(weights), ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]);
  equal(weights.weight_ih_l0.length, 5);
  equal(weights.weight_ih_l0[0].length, 4);
  // torch prints weight_ih_l0[0][0] as -0.1824; the float32 value widened to float64:
  ok(Math.abs(weights.weight_ih_l0[0][0] + 0.1824) < 5e-5);
  equal(Math.fround(weights.weight_ih_l0[0][0]), weights.weight_ih_l0[0][0]);
  equal(report.values.weights_differing_between_kernels, 33);
});

Deno.test("lesson 3: torch ~1e-16, TF.js ~1e-7, central differences ~1e-10, for every quantity", () => {
  const table = report.values.max_abs_differences as Record<string, Record<string, number>>;
  deepEqual(Object.keys(table), names);
  for (const [name, row] of Object.entries(table)) {
    ok(row["torch (float64)"] > 0, name);
    assertBelow(row["torch (float64)"], 1e-15, name);
    ok(row["TF.js (float32)"] > 1e-8, name);
    assertBelow(row["TF.js (float32)"], 1e-6, name);
    if (name !== "hidden") assertBelow(row["central differences (max rel)"], 1e-9, name);
  }
  ok(checkNamed(report, "dh0 vs torch").ok);
});

Deno.test("lesson 3's gradient check passes, flags every planted bug and reports its power", () => {
  ok(checkNamed(report, "all six gradients vs numerical gradient (gradient policy)").ok);
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  equal(planted.length, 5);
  ok(planted.some((c) => c.name.includes("carry")), "a dropped carry is among the planted bugs");
  ok(planted.some((c) => c.name.includes("h_t for h_(t−1)")), "h_t for h_(t−1) is among them");
  for (const c of planted) ok(c.ok && c.bound === "≥" && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-5, `power ${power}`);
});

Deno.test("lesson 3: the kernel forensics are labelled as such: 21 bit-exact checks and one ≤ 3 ULPs", () => {
  const forensic = report.checks.filter((c) => c.name.startsWith("bit-exact vs torch kernel: "));
  equal(forensic.length, 21);
  for (const c of forensic) equal(c.diff, 0, c.name);
  const tanh = checkNamed(
    report,
    "torch kernel, ≤ 3 ULPs: one AVX2 step from torch's state (only the tanh differs)",
  );
  ok(tanh.ok && tanh.bound === "≤" && tanh.published === 3);
  // The finding comes first: the stale stacks' checks precede every forensic one.
  const first = (p: string) => report.checks.findIndex((c) => c.name.startsWith(p));
  ok(first("without reset") < first("bit-exact vs torch kernel"));
});

Deno.test("lesson 3: in torch's order of operations the differences vanish", () => {
  type Counts = Record<string, { differing: string; "max ULPs": number }>;
  const bits = report.values.bit_for_bit as Record<string, Counts | number>;
  const replica = bits.torch_order_vs_torch_portable as Counts;
  for (const name of names) {
    equal(replica[name]["max ULPs"], 0, name);
    equal(
      checkNamed(report, `bit-exact vs torch kernel: ${name} in torch's order (portable)`).diff,
      0,
    );
    if (name !== "hidden") {
      equal(
        checkNamed(
          report,
          `bit-exact vs torch kernel: ${name} in torch's order + fused 1−y² (AVX2)`,
        ).diff,
        0,
      );
    }
  }
  // ... while the document's grouping does differ from torch in the last bits.
  const doc = bits.document_class_vs_torch_avx2 as Counts;
  ok(names.some((n) => doc[n]["max ULPs"] > 0));
  const tanhUlps = bits.avx2_one_step_tanh_max_ulps as number;
  ok(tanhUlps >= 1 && tanhUlps <= 3);
});

Deno.test("lesson 3: the never-emptied stacks add the first sequence to the second; reset fixes it", () => {
  equal(checkNamed(report, "without reset: dx_list holds 6 steps, not 3").reproduced, 6);
  for (const name of ["dW_ih", "dW_hh", "db_ih"]) {
    ok(checkNamed(report, `without reset: ${name} = torch's first + second sequence`).ok);
  }
  const miss = checkNamed(report, "without reset: the second sequence's max |dW_ih − torch's|");
  ok(miss.ok && miss.bound === "≥" && (miss.reproduced as number) > 1, "a miss of order 1");
  for (const name of names) {
    ok(checkNamed(report, `after reset: second sequence ${name} vs torch`).ok, name);
  }
});
