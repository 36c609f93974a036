import { deepEqual, equal, match, ok, rejects, throws } from "node:assert/strict";
import {
  heatmap,
  lineChart,
  mimeBundle,
  plot,
  SCHEMA,
  sparkline,
  sparklines,
  type Spec,
  toSvg,
  VEGA_LITE_MAJOR,
  VEGA_LITE_MIME,
  vegaLibraries,
} from "../lib/course/plot.ts";

import { DOMParser } from "@xmldom/xmldom";
import { importGraph } from "./_import_graph.ts";

type Values<T> = { values: T[] };

/**
 * Parses an SVG with an XML parser (`@xmldom/xmldom`: an independent check that it is
 * well-formed; malformed XML throws) and returns, per Vega mark container
 * (`<g class="mark-… role-mark …">`), how many elements it holds, plus every text it draws.
 */
function parseSvg(svg: string): Promise<{ marks: Record<string, number>; texts: string[] }> {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level: string, msg: string) => {
      if (level !== "warning") errors.push(msg);
    },
  }).parseFromString(svg, "image/svg+xml");
  equal(errors.join("\n"), "", "the SVG is not well-formed XML");
  equal(doc.documentElement?.tagName, "svg");
  const marks: Record<string, number> = {};
  const gs = doc.getElementsByTagName("g");
  for (let i = 0; i < gs.length; i++) {
    const cls = (gs[i].getAttribute("class") ?? "").split(/\s+/);
    if (!cls.includes("role-mark")) continue;
    let n = 0;
    for (let c = gs[i].firstChild; c; c = c.nextSibling) if (c.nodeType === 1) n++;
    marks[cls[0]] = (marks[cls[0]] ?? 0) + n;
  }
  const texts: string[] = [];
  const ts = doc.getElementsByTagName("text");
  for (let i = 0; i < ts.length; i++) {
    let t = "";
    for (let c = ts[i].firstChild; c; c = c.nextSibling) if (c.nodeType === 3) t += c.nodeValue;
    texts.push(t);
  }
  return Promise.resolve({ marks, texts });
}

Deno.test("the MIME type and schema name the vega-lite major version that compiles the specs", async () => {
  const { vl } = await vegaLibraries();
  equal(Number(vl.version.split(".")[0]), VEGA_LITE_MAJOR, `vega-lite ${vl.version}`);
  equal(VEGA_LITE_MIME, `application/vnd.vegalite.v${VEGA_LITE_MAJOR}+json`);
  equal(SCHEMA, `https://vega.github.io/schema/vega-lite/v${VEGA_LITE_MAJOR}.json`);
});

Deno.test("lineChart: one point per finite value, series in the given order, log scale", async () => {
  const spec = lineChart({
    title: "loss",
    series: { zeta: [1, 10, 100, 0, NaN], alpha: [2, 3, 4, 5, 6] },
    x: [0, 100, 200, 300, 400],
    logY: true,
  });
  equal(spec.$schema, SCHEMA);
  const values = (spec.data as Values<{ x: number; y: number; series: string }>).values;
  // zeta keeps 1, 10, 100 (0 has no logarithm, NaN is no number); alpha keeps all five.
  deepEqual(values.filter((v) => v.series === "zeta").map((v) => [v.x, v.y]), [
    [0, 1],
    [100, 10],
    [200, 100],
  ]);
  equal(values.length, 8);
  const enc = spec.encoding as Record<string, Record<string, unknown>>;
  deepEqual(enc.color.sort, ["zeta", "alpha"]);
  deepEqual(enc.y.scale, { type: "log" });

  const svg = await toSvg(spec);
  const { marks, texts } = await parseSvg(svg);
  equal(marks["mark-line"], 2, "one line per series");
  equal(marks["mark-symbol"], 8, "one point per value");
  ok(texts.includes("loss"), "the title is drawn");
  ok(texts.includes("zeta") && texts.includes("alpha"), "the legend names the series");
  equal(svg, await toSvg(spec), "the same spec gives the same bytes");
});

Deno.test("lineChart and heatmap name what is wrong with their input", () => {
  throws(
    () => lineChart({ title: "t", series: { a: [1, 2, 3] }, x: [0, 1] }),
    /lineChart "t": series "a" has 3 values but x has 2/,
  );
  throws(
    () => heatmap({ title: "h", rows: ["r1", "r2"], cols: ["c"], values: [[1]] }),
    /heatmap "h": values must be 2 rows of 1, got 1/,
  );
});

Deno.test("heatmap: a labelled rect per finite cell, coloured by value, |value| or log10", async () => {
  const o = {
    title: "errors",
    rows: ["U", "W"],
    cols: ["a", "b"],
    values: [[1e-3, 1e-12], [-0.5, NaN]],
  };
  const colour = (spec: Spec) =>
    (spec.data as Values<{ value: number; label: string }>).values.map((v) => v.value);
  deepEqual(colour(heatmap(o)), [1e-3, 1e-12, -0.5]);
  deepEqual(colour(heatmap({ ...o, absolute: true })), [1e-3, 1e-12, 0.5]);
  deepEqual(colour(heatmap({ ...o, log10: true })).map((v) => Math.round(v * 1e9) / 1e9), [
    -3,
    -12,
    Math.round(Math.log10(0.5) * 1e9) / 1e9,
  ]);

  const spec = heatmap({ ...o, log10: true });
  const { marks, texts } = await parseSvg(await toSvg(spec));
  equal(marks["mark-rect"], 3, "the NaN cell is left blank");
  equal(marks["mark-text"], 3);
  for (const label of ["1.0e-3", "1.0e-12", "-5.0e-1", "errors", "U", "W", "a", "b"]) {
    ok(texts.includes(label), `"${label}" is drawn`);
  }
  const ints = heatmap({ ...o, values: [[0, -30], [2, 1]], format: String, colorTitle: "ULPs" });
  const drawn = (await parseSvg(await toSvg(ints))).texts;
  ok(["0", "-30", "2", "1", "ULPs"].every((t) => drawn.includes(t)), drawn.join(" "));
});

Deno.test("sparklines: one bar per value, on the chart's common scale", () => {
  equal(sparkline([1, 2, 3, 4]), "▁▃▆█");
  equal(sparkline([1, 10, 100], true), "▁▅█");
  equal(sparkline([5, 5, 5]), "▁▁▁");
  equal(sparkline([]), "");
  equal(sparkline([0, 10], false, [0, 20]), "▁▅");
  equal(sparkline([-5, 30], false, [0, 20]), "▁█", "values outside the range are clamped");
  const lines = sparklines(lineChart({ title: "t", series: { one: [1, 1, 1], low: [0, 0.5, 0] } }));
  deepEqual(lines, [`  ${"one".padEnd(24)} ███`, `  ${"low".padEnd(24)} ▁▅▁`]);
  deepEqual(sparklines(heatmap({ title: "h", rows: ["r"], cols: ["c"], values: [[1]] })), []);
});

Deno.test("the Jupyter bundle holds the spec, its SVG and a text fallback", async () => {
  const spec = lineChart({ title: "loss", series: { train: [3, 2, 1] } });
  const bundle = await mimeBundle(spec);
  deepEqual(Object.keys(bundle).sort(), ["image/svg+xml", "text/plain", VEGA_LITE_MIME].sort());
  equal(bundle[VEGA_LITE_MIME], spec);
  equal(bundle["image/svg+xml"], await toSvg(spec));
  equal(bundle["text/plain"], `[plot: loss]\n  ${"train".padEnd(24)} █▅▁`);
});

Deno.test("plot in a terminal writes out/<name>.svg and prints sparklines", async () => {
  // log10 of 8, 4, 2, 1 is 3, 2, 1, 0 times log10(2): levels 7, 4.67, 2.33, 0 of 7.
  const spec = lineChart({ title: "decay", series: { e: [8, 4, 2, 1] }, logY: true });
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    await plot(spec, "plot_test_decay");
  } finally {
    console.log = log;
  }
  const file = new URL("../out/plot_test_decay.svg", import.meta.url);
  equal(Deno.readTextFileSync(file), await toSvg(spec));
  deepEqual(printed.join("\n").split("\n"), [
    "[plot “decay” written to out/plot_test_decay.svg]",
    `  ${"e".padEnd(24)} █▆▃▁`,
  ]);
  await rejects(() => plot(spec, "../evil"), /plot: bad file name "..\/evil"/);
  match(await toSvg(spec), /^<svg[^>]*>.*<\/svg>$/s);
});

Deno.test("the SVG check rejects malformed XML", async () => {
  await rejects(async () => await parseSvg(`<svg><g class="mark-rect role-mark"></svg>`));
  await rejects(async () => await parseSvg(`<html></html>`));
});

Deno.test("a heat map fits the classic Notebook's 960 px, wrapping column labels it must", async () => {
  const cols = ["sequential", "4 lanes", "compensated", "numpy a⟨t⟩, 4 lanes", "numpy here"];
  const spec = heatmap({
    title: "ULPs",
    rows: ["da_prev[2][3] (a long row label)", "b"],
    cols,
    values: [[1, -30, 3, 4, 5], [0, 0, 0, 0, 0]],
    absolute: true,
  });
  const svg = await toSvg(spec);
  const width = Number(svg.match(/<svg[^>]* width="([0-9.]+)"/)![1]);
  ok(width <= 960, `the SVG is ${width} px wide`);
  // Every column label is drawn whole (wrapped lines joined back), none cut with "…".
  const { texts } = await parseSvg(svg);
  ok(!texts.some((t) => t.includes("…")), texts.join(" | "));
  const wide = heatmap({
    title: "w",
    rows: ["r"],
    cols,
    values: [[1, 2, 3, 4, 5]],
    maxWidth: 2000,
  });
  equal(JSON.stringify(wide).includes("labelExpr"), false, "no wrapping when there is room");
});

Deno.test("lib/mod.ts re-exports the plots, and its import graph names no npm package (vega loads at the first plot)", async () => {
  const mod = await import("../lib/mod.ts");
  equal(mod.plot, plot, "mod.ts re-exports plot.ts's plot");
  equal(mod.heatmap, heatmap);
  // An npm package anywhere in the graph, even behind a literal import(), makes Deno install
  // deno.lock's npm packages before the lesson runs.
  deepEqual((await importGraph("../lib/mod.ts")).filter((s) => s.startsWith("npm:")), []);
  // The walk does see npm packages where a module imports one.
  ok(
    (await importGraph("../lib/course/framework.ts")).some((s) =>
      /^npm:\/?@tensorflow\/tfjs@/.test(s)
    ),
  );
});
