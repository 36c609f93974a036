import { equal, ok } from "node:assert/strict";
import { checkNamed, lessonReport } from "./_run_lesson.ts";

const report = await lessonReport(8);

const PRINTED = [
  'gradients["dxt"][1][2]',
  'gradients["da_prev"][2][3]',
  'gradients["dWax"][3][1]',
  'gradients["dWaa"][1][2]',
];

Deno.test("lesson 8 reproduces the four printed gradients bit for bit", () => {
  ok(report.ok, report.checks.filter((c) => !c.ok).map((c) => c.name).join(", "));
  const published = report.checks.filter((c) => c.kind === "published");
  equal(published.length, 4);
  for (const name of PRINTED) {
    const c = checkNamed(report, name);
    ok(c.ok, name);
    equal(c.diff, 0, `${name}: |Δ| = ${c.diff}, not 0`);
    equal(c.reproduced, Number(c.published), name);
  }
});

Deno.test("lesson 8's candidate table: every arithmetic tried, the hits all share one backward", () => {
  const table = report.values.candidates as {
    forward: string;
    tanh: string;
    backward: string;
    ulps: Record<string, number>;
  }[];
  // 12 forward × 12 backward with the C library's tanh, plus numpy's tanh where recorded.
  ok(table.length >= 144, `${table.length} candidates`);
  const hits = table.filter((r) => Object.values(r.ulps).every((u) => u === 0));
  ok(hits.length >= 1);
  for (const h of hits) {
    equal(h.backward, "sequential, fused");
    equal(h.tanh, "libm");
  }
  // Lesson 1's plain loops are a candidate, and it misses (da_prev by dozens of ULPs).
  const plain = table.find((r) =>
    r.forward === "sequential" && r.backward === "sequential" && r.tanh === "libm"
  );
  ok(plain && Math.abs(plain.ulps.da_prev) > 10, JSON.stringify(plain));
  equal(
    (report.values.candidates_reproducing_all_four as string[]).length,
    hits.length,
  );
});

Deno.test("lesson 8's independent checks: tanh libraries, z against Python and numpy", () => {
  for (
    const name of [
      "V8 Math.tanh = glibc tanh on 1650 inputs",
      "z, sequential fused (our fma) = Python's exact-fraction fma loop",
      "z, sequential fused = numpy's np.dot here (OpenBLAS dgemm)",
      "numpy here = fused sequential with numpy's SIMD tanh (the four entries)",
    ]
  ) {
    const c = checkNamed(report, name);
    ok(c.ok, name);
    equal(c.diff, 0, name);
  }
  const simd = report.values.tanh_v8_vs_numpy_simd as { differ: number; maxUlps: number };
  ok(simd.differ > 0 && simd.maxUlps <= 2, JSON.stringify(simd));
  for (const key of ["dxt", "da_prev", "dWax", "dWaa"]) {
    ok(checkNamed(report, `every candidate within the roundoff bound: ${key}`).ok, key);
  }
});

Deno.test("lesson 8's gaussians: 6 miss numpy's with Math.log, none with glibc's log", () => {
  const h = report.values.gaussian_ulps_histogram as Record<string, Record<string, number>>;
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  ok(total(h.glibcLog) > 12_000);
  equal(total(h["Math.log"]), total(h.glibcLog));
  equal(total(h["Math.log"]) - (h["Math.log"]["0"] ?? 0), 6);
  equal(Object.keys(h.glibcLog).join(), "0");
  const c = report.checks.find((c) => c.name.endsWith("gaussians = numpy's, with glibc's log"));
  ok(c?.ok && c.diff === 0);
});
