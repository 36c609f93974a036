import { equal, match, ok, rejects } from "node:assert/strict";
import { heatmap, lineChart, plot, sparkline, toSvg } from "../lib/plot.ts";

Deno.test("lineChart: one point per finite value, log scale drops non-positive values", async () => {
  const spec = lineChart({ title: "t", series: { a: [1, 10, 100, 0, NaN] }, logY: true });
  const values = (spec.data as { values: unknown[] }).values;
  equal(values.length, 3);
  const svg = await toSvg(spec);
  match(svg, /^<svg[^>]*>.*<\/svg>$/s);
  equal(svg, await toSvg(spec), "deterministic");
});

Deno.test("heatmap renders a labelled grid", async () => {
  const spec = heatmap({
    title: "errors",
    rows: ["U", "W"],
    cols: ["a", "b"],
    values: [[1e-3, 1e-12], [0.5, 2e-16]],
    log10: true,
  });
  const svg = await toSvg(spec);
  ok(svg.includes("1.0e-3") && svg.includes("2.0e-16"));
});

Deno.test("sparkline and plot's errors", async () => {
  equal(sparkline([1, 2, 3, 4]), "▁▃▆█");
  equal(sparkline([1, 10, 100], true), "▁▅█");
  equal(sparkline([]), "");
  await rejects(
    () => plot(lineChart({ title: "x", series: { a: [1] } }), "../evil"),
    /plot: bad file name/,
  );
});
