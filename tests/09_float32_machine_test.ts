import { deepEqual, equal, ok } from "node:assert/strict";
import { numpyPrints32 } from "../lib/numerics/float32.ts";
import { lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(9);

Deno.test("lesson 9: every printed quantity within lesson 4's float32 bound of the post", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  equal(report.checks.filter((c) => c.kind === "published").length, 15);
});

Deno.test("lesson 9 lists all 74 printed numbers, each with its reproduced float32, bits and ULPs", () => {
  const list = report.values.every_printed_number as {
    name: string;
    printed: string;
    ours: string;
    float32: string;
    value: number;
    ulp: number;
  }[];
  equal(list.length, 74);
  for (const l of list) {
    ok(Number.isInteger(l.ulp), l.name);
    // a zero distance is claimed exactly when numpy's printing of ours is the printed text
    equal(l.ulp === 0, l.ours === l.printed, `${l.name}: ${l.ours} vs ${l.printed}`);
    equal(numpyPrints32(l.value), l.ours, l.name);
    const dv = new DataView(new ArrayBuffer(4));
    dv.setFloat32(0, l.value);
    equal(l.float32, `0x${dv.getUint32(0).toString(16).padStart(8, "0")}`, l.name);
  }
  // The verdict: all but the two softmax probabilities (printed twice) bit for bit.
  deepEqual(
    list.filter((l) => l.ulp !== 0).map((l) => l.name),
    ["output_seq[0][1]", "output_seq[1][0]", "my_seqout[0][1]", "my_seqout[1][0]"],
  );
  const old = report.values.best_correctly_rounded_per_number as {
    ours: string;
    printed: string;
  }[];
  equal(old.filter((l) => l.ours === l.printed).length, report.values.reproduced_exactly);
});

Deno.test("lesson 9's exclusion proofs: Eigen's tanh, every CPU exp, all but one tape kernel", () => {
  const byName = (prefix: string) => report.checks.filter((c) => c.name.startsWith(prefix));
  equal(byName("exclusion: Eigen").length, 2);
  ok(byName("exclusion:").every((c) => c.ok));
  const stage = report.checks.find((c) => c.name.startsWith("stages 3–6"))!;
  ok(stage.ok && stage.reproduced === 1, stage.name);
});

Deno.test("lesson 9's candidate table: float32 candidates beat float64-then-round", () => {
  const table = report.values.candidates as { arithmetic: string; total: number }[];
  ok(table.length >= 20, `${table.length} rows`);
  const f64 = Math.max(
    ...table.filter((r) => r.arithmetic === "float64 then round").map((r) => r.total),
  );
  const f32 = Math.max(
    ...table.filter((r) => r.arithmetic !== "float64 then round").map((r) => r.total),
  );
  ok(f32 > f64, `best float32 candidate ${f32}, float64 then round ${f64}`);
});

Deno.test("lesson 9's vendor machines: GPU CUDA prints every h_seq, for every admissible weight", () => {
  const rows = report.values.vendor_machines as Record<string, number | string>[];
  const h = rows.find((r) => r.quantity === "h_seq")!;
  equal(h["GPU CUDA"], 6);
  ok((h["CPU Eigen"] as number) < 6);
  const sweep = report.values.admissible_sweep as {
    combos: number;
    rows: { machine: string; "all h_seq": string }[];
  };
  equal(sweep.combos, 6 * 3 * 3 * 5);
  equal(sweep.rows.find((r) => r.machine === "GPU CUDA")!["all h_seq"], `270 of 270`);
});
