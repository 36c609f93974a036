import { deepEqual, equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport, runLessonCli } from "./_run_lesson.ts";
import { assertBelow } from "./_assert.ts";
import { dot, gamma, NDArray, readDataJson, UNIT_ROUNDOFF } from "../lib/mod.ts";

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
  inputs: Record<string, number[][] | number[][][] | number[]>;
  forward_h: number[][][];
  "code fed numpy's forward": Record<
    string,
    { gradients: Record<string, number[][]>; magnitude: Record<string, number[][]> }
  >;
  "reduce fed numpy's h": number[][][];
};
const KEYS = ["U", "W", "b", "V", "c"];
const RECURRENT = ["U", "W", "b"];

Deno.test("lesson 6: every check passes; the source printed no numbers", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  equal(report.checks.filter((c) => c.kind === "published").length, 0);
  ok(report.checks.length >= 29, `only ${report.checks.length} checks`);
  ok(checkNamed(report, "∂L/∂(U, W, b, V, c): BPTT = numerical (gradient policy)").ok);
  const planted = report.checks.filter((c) => c.name.startsWith("the gradient check flags"));
  deepEqual(planted.map((c) => c.name.split(": ")[1]), [
    "∂L/∂W transposed",
    "the carry from step t+1 dropped",
    "h^t where h^(t−1) belongs",
    "every gradient scaled by 1 + 1e-3",
    "every gradient scaled by 1 + 1e-5",
  ]);
  for (const c of planted) ok(c.ok && c.bound === "≥" && (c.reproduced as number) > 1, c.name);
  const power = report.values["gradient check: smallest detectable relative error"] as number;
  ok(power > 0 && power < 1e-5, `power ${power}`);
  for (const key of KEYS) ok(checkNamed(report, `∂L/∂${key}: sum over k = BPTT`).ok);
  // One policy: every comparison with central differences is a gradient-policy row, and no
  // row is a fixed relative tolerance.
  for (const c of report.checks) {
    equal(c.relative, false, `${c.name}: a fixed relative tolerance`);
    if (/numerical/.test(c.name) && !/≥ 0\.1 off/.test(c.name)) {
      ok(/step halving|planted bug/.test(c.against), `${c.name}: not judged by the policy`);
    }
  }
  // The headline numbers of "What we will find" are one-sided checks in the table.
  for (
    const name of [
      "∂L/∂W, T = 4: the post's code as printed is ≥ 0.1 off (norm-wise)",
      "∂L/∂W, T = 4: the code with (a)–(d) repaired is still ≥ 0.1 off (norm-wise)",
      "∂L/∂W, T = 4: the formula read literally is ≥ 0.1 off (norm-wise)",
    ]
  ) {
    const c = checkNamed(report, name);
    ok(c.ok && c.bound === "≥" && c.published === 0.1, name);
  }
});

// ── Our TypeScript keeps numpy's semantics ─────────────────────────────────────────────
// Not claims about the post, so not rows of the lesson's table: the lesson records its
// inputs, its forward states and its rendition of the post's loop fed numpy's own forward
// values, and these tests compare them with numpy's run (tools/gen_bptt_literal.py).

const REFERENCE = "bptt/literal_numpy.json";
const numpy = readDataJson<{
  inputs: Record<string, (string | number)[]>;
  power: Record<string, string[]>;
  runs: {
    T: number;
    forward: { h: string[] };
    d_tanh: string[];
    literal: Record<string, string[]>;
    literal_prev_list: Record<string, string[]>;
  }[];
}>(REFERENCE);
const n_h = 4, n_y = 3, n_x = 3, T = 4;

/** Every entry finite, the same count, and max |ours − theirs| ≤ tol (NaN and null fail). */
function within(ours: unknown, theirs: readonly (string | number)[], tol: number, what: string) {
  const a = (ours as unknown[]).flat(3) as unknown[];
  const b = theirs.map(Number);
  equal(a.length, b.length, `${what}: ${a.length} values against numpy's ${b.length}`);
  ok(a.length > 0, `${what}: no values`);
  let worst = 0;
  a.forEach((v, i) => {
    ok(typeof v === "number" && Number.isFinite(v) && Number.isFinite(b[i]), `${what}[${i}]: ${v}`);
    worst = Math.max(worst, Math.abs((v as number) - b[i]));
  });
  ok(worst <= tol, `${what}: max |ours − numpy| = ${worst} > ${tol}`);
}
const arr = (nested: unknown) => NDArray.from(nested as number[][]);

Deno.test("lesson 6 vs numpy: the inputs are numpy's RandomState(6) draws, bit for bit", () => {
  for (const name of ["U", "W", "b", "V", "c", "x", "h0", "labels"]) {
    within(values.inputs[name], numpy.inputs[name], 0, `input ${name}`);
  }
});

Deno.test("lesson 6 vs numpy: the forward states, within a running rounding bound", () => {
  // A first-order bound: at each step the dot products may differ by 2γ_n·Σ|terms| (both
  // sides round), tanh by 2 ulps, and the previous state's difference is carried through
  // (1 − h²)·|W|.
  const [U, W, b] = ["U", "W", "b"].map((k) => arr(values.inputs[k]).abs());
  const x = arr(values.inputs.x), h0 = arr(values.inputs.h0);
  const h = values.forward_h.map(arr);
  let carried = NDArray.zeros([n_h, 1]), bound = 0;
  for (let t = 0; t < T; t++) {
    const hPrev = t > 0 ? h[t - 1] : h0;
    const terms = dot(U, x.take(0, t).abs()).add(dot(W, hPrev.abs())).add(b);
    const dNet = dot(W, carried).add(terms.mul(2 * gamma(n_x + n_h + 2)));
    carried = h[t].square().neg().add(1).mul(dNet).add(h[t].abs().mul(4 * UNIT_ROUNDOFF));
    bound = Math.max(bound, ...carried.data);
  }
  within(values.forward_h, numpy.runs[0].forward.h, bound, "forward h^1..h^T");
});

Deno.test("lesson 6 vs numpy: the post's loop, run by numpy and by us on numpy's forward", () => {
  // Only the dot products (n_h and n_y terms) and np.power (libm's pow against V8's, each
  // within an ulp) may round differently: 2γ_N times the loop run on absolute values.
  const N = 2 + n_h + 1 + n_y + 1 + T;
  const fed = values["code fed numpy's forward"];
  const cases: [string, Record<string, string[]>][] = [
    ["code, T=4", numpy.runs[0].literal],
    ["code, T=1", numpy.runs[1].literal],
    ["code+h[t-1] list, T=4", numpy.runs[0].literal_prev_list],
  ];
  deepEqual(Object.keys(fed), cases.map(([k]) => k));
  for (const [label, stored] of cases) {
    for (const key of KEYS) {
      const scale = Math.max(...fed[label].magnitude[key].flat());
      ok(scale > 0, `${label} ${key}: no magnitude`);
      within(
        fed[label].gradients[key],
        stored[key],
        2 * gamma(N) * scale,
        `${key}_gradient, ${label}`,
      );
    }
  }
  // The post's reduce, fed numpy's states: the same multiplications in the same order.
  within(values["reduce fed numpy's h"], numpy.runs[0].d_tanh, 0, "reduce fed numpy's h");
});

Deno.test("lesson 6 vs numpy: np.power(W, n) is our elementwise pow", () => {
  const W = arr(values.inputs.W);
  for (const n of [0, 2, 3]) {
    // x⁰ = 1 and x·x are exact; x³ is libm's pow against V8's Math.pow, each within an ulp.
    const tol = n <= 2 ? 0 : 2 * gamma(2) * Math.max(...W.abs().pow(n).data);
    within(W.pow(n).toNested(), numpy.power[`np.power(W, ${n})`], tol, `np.power(W, ${n})`);
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
