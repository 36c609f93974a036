import { deepEqual, equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport, runLessonCli } from "./_run_lesson.ts";
import { assertBelow } from "./_assert.ts";

const report = await lessonReport(6);
const values = report.values as {
  gradients: Record<string, Record<string, number[][]>>;
  rel_errors: Record<string, Record<string, { max: number; norm: number }>>;
  ladder_T1: Record<string, Record<string, number>>;
  ladder_T4: Record<string, Record<string, number>>;
  formula_last_step: Record<string, Record<string, number>>;
  scalar_dh3_dW: Record<string, number>;
  VC_read_literally: Record<string, Record<string, number>>;
  last_step_only_vs_full_loss: Record<string, number>;
  literal_vs_numpy: Record<string, { ours: number[]; bound: number }>;
};
const KEYS = ["U", "W", "b", "V", "c"];
const RECURRENT = ["U", "W", "b"];

Deno.test("lesson 6: every check passes; the source printed no numbers", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  equal(report.checks.filter((c) => c.kind === "published").length, 0);
  // 38: the claims against central differences are one gradient-policy check per claim (all
  // its parameters together), no longer one fixed-1e-7 row per parameter, and the 15 checks of
  // our TypeScript against numpy's run of the loop are tests below, not lesson checks.
  ok(report.checks.length >= 38, `only ${report.checks.length} checks`);
  // No claim against central differences is judged by a fixed relative tolerance any more.
  const numerical = report.checks.filter((c) => /= numerical|= ∂L_T\/∂/.test(c.name));
  ok(numerical.length >= 9);
  for (const c of numerical) ok(c.name.endsWith("(gradient policy)"), c.name);
  ok(checkNamed(report, "∂L/∂(U, W, b, V, c): BPTT = numerical (gradient policy)").ok);
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  equal(planted.length, 4);
  ok(planted.some((c) => c.name.includes("carry from step t + 1 dropped")));
  for (const c of planted) ok(c.ok && c.bound === "≥" && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-5, `power ${power}`);
  for (const key of KEYS) {
    ok(checkNamed(report, `∂L/∂${key}: sum over k = BPTT`).ok);
  }
  // bit-for-bit inputs and numpy's own reduce
  for (
    const name of [
      "input W = numpy RandomState(6)",
      "the code's reduce = numpy's reduce (fed numpy's h)",
    ]
  ) {
    const c = checkNamed(report, name);
    equal(c.tolerance, 0, name);
    equal(c.diff, 0, name);
  }
});

Deno.test("lesson 6: --json carries the four gradients per parameter", () => {
  const shapes: Record<string, [number, number]> = {
    U: [4, 3],
    W: [4, 4],
    b: [4, 1],
    V: [3, 4],
    c: [3, 1],
  };
  for (const key of KEYS) {
    deepEqual(Object.keys(values.gradients[key]), [
      "BPTT",
      "sum over k",
      "post's code",
      "numerical",
    ]);
    for (const g of Object.values(values.gradients[key])) {
      deepEqual([g.length, g[0].length], shapes[key], key);
    }
  }
  equal(Object.keys(values.rel_errors).length, 6);
});

Deno.test("lesson 6: the code is right for V and c, wrong for U, W and b", () => {
  const code = values.rel_errors["post's code | numerical"];
  for (const key of RECURRENT) ok(code[key].norm > 0.1, `${key}: ${code[key].norm}`);
  for (const key of ["V", "c"]) assertBelow(code[key].norm, 1e-8, key);
  for (const key of KEYS) {
    assertBelow(values.rel_errors["BPTT | numerical"][key].norm, 1e-8, key);
    assertBelow(values.rel_errors["BPTT | sum over k"][key].norm, 1e-14, key);
  }
  // the broadcast: every column of the code's ∂L/∂W is the same
  for (const row of values.gradients.W["post's code"]) ok(row.every((v) => v === row[0]));
});

Deno.test("lesson 6: one step — (a), (c) and (d) explain the whole disagreement", () => {
  const t1 = values.ladder_T1;
  for (const key of RECURRENT) ok(t1["as printed"][key] > 0.1, key);
  assertBelow(t1["(a) matrix power"].U, 1e-8, "(a) U");
  assertBelow(t1["(a) matrix power"].b, 1e-8, "(a) b");
  ok(t1["(a) matrix power"].W > 0.1);
  ok(t1["(a)+(c) outer product, h^t"].W > 0.1);
  ok(t1["(a)+(d) broadcast, h^{t−1}"].W > 0.1);
  for (const key of RECURRENT) assertBelow(t1["(a)+(c)+(d)"][key], 1e-8, key);
});

Deno.test("lesson 6: four steps — only the interleaved formula is the gradient", () => {
  const t4 = values.ladder_T4;
  for (const key of RECURRENT) {
    ok(t4["(a)–(d) + previous state"][key] > 0.1, key);
    ok(t4["(e) formula, read literally"][key] > 0.05, key);
    assertBelow(t4["(f) formula, interleaved"][key], 1e-8, key);
    ok(values.formula_last_step["read literally, loss at step T"][key] > 0.05, key);
    assertBelow(values.formula_last_step["interleaved, loss at step T"][key], 1e-8, key);
    ok(values.last_step_only_vs_full_loss[key] > 0.1, key);
  }
});

Deno.test("lesson 6: the derivation's slips, in numbers", () => {
  const s = values.scalar_dh3_dW;
  ok(Math.abs(s.with_h0 - s.numerical) < 1e-8 * Math.abs(s.numerical));
  ok(Math.abs(s.with_W_h0 - s.numerical) > 1e-3 * Math.abs(s.numerical));
  // Σ_k of a summand in t is T = 4 copies of the last term: norm-wise error (T−1)/(T+1) = 0.6
  for (const key of ["V", "c"]) {
    ok(Math.abs(values.VC_read_literally[key]["vs ∂L_T (last step)"] - 0.6) < 1e-8, key);
  }
});

Deno.test("lesson 6: two runs print identical bytes", async () => {
  const a = await runLessonCli("6", "--json");
  const b = await runLessonCli("6", "--json");
  equal(a.code, 0);
  equal(a.stdout, b.stdout);
});

Deno.test("lesson 6's rendition of the post's loop = numpy's run of it, within the rounding bound", () => {
  // numpy's own run (tools/gen_bptt_literal.py), read here, not through the lesson.
  const numpy = JSON.parse(
    Deno.readTextFileSync(new URL("../data/bptt/literal_numpy.json", import.meta.url)),
  ) as { runs: Record<string, Record<string, string[]>>[] };
  const stored: Record<string, Record<string, string[]>> = {
    "code, T=4": numpy.runs[0].literal,
    "code, T=1": numpy.runs[1].literal,
    "code+h[t-1] list, T=4": numpy.runs[0].literal_prev_list,
  };
  const rows = values.literal_vs_numpy;
  equal(Object.keys(rows).length, 15);
  for (const [label, want] of Object.entries(stored)) {
    for (const key of KEYS) {
      const row = rows[`${label}/${key}`];
      ok(row, `${label}/${key} recorded`);
      ok(row.bound > 0 && row.bound < 1e-12, `${label}/${key}: bound ${row.bound}`);
      equal(row.ours.length, want[key].length, `${label}/${key}: size`);
      row.ours.forEach((v, i) => {
        const d = Math.abs(v - Number(want[key][i]));
        ok(d <= row.bound, `${label}/${key}[${i}]: |${v} − ${want[key][i]}| = ${d} > ${row.bound}`);
      });
    }
  }
});
