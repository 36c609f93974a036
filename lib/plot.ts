/**
 * Plots for the lessons: Vega-Lite specs, rendered to SVG with Vega (no browser, no canvas).
 *
 * `plot(spec, name)` does what fits the place it runs in:
 * - in Jupyter (Deno kernel) it displays a MIME bundle with the Vega-Lite spec
 *   (`application/vnd.vegalite.v5+json`, rendered interactively by JupyterLab) **and** the
 *   SVG (`image/svg+xml`, what the classic notebook and GitHub show);
 * - in a terminal it writes `out/<name>.svg` and prints a Unicode sparkline per series.
 *
 * The specs use only Vega-Lite features common to v5 and v6, and declare the v5 schema so
 * that JupyterLab's built-in v5 renderer accepts them; we compile them with the
 * `vega-lite` package we depend on. Rendering is deterministic (no timestamps, fixed sizes),
 * so the same data gives the same SVG bytes.
 *
 * ```ts
 * import { lineChart, sparkline, toSvg } from "./plot.ts";
 * import { ok, equal } from "node:assert/strict";
 * const spec = lineChart({ title: "loss", series: { train: [3, 2, 1.5, 1.2] } });
 * ok((await toSvg(spec)).startsWith("<svg"));
 * equal(sparkline([1, 2, 3, 4]), "▁▃▆█");
 * ```
 *
 * @module
 */

import * as vl from "vega-lite";
import * as vega from "vega";
import { inJupyter } from "./display.ts";

/** A Vega-Lite specification (plain JSON). */
export type Spec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  /** One line per series; x defaults to 0, 1, 2, … */
  series: Record<string, readonly number[]>;
  x?: readonly number[];
  xTitle?: string;
  yTitle?: string;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** A multi-series line chart (optionally with a log y axis). */
export function lineChart(o: LineChartOptions): Spec {
  const values: { x: number; y: number; series: string }[] = [];
  for (const [name, ys] of Object.entries(o.series)) {
    ys.forEach((y, i) => {
      if (Number.isFinite(y) && (!o.logY || y > 0)) {
        values.push({ x: o.x?.[i] ?? i, y, series: name });
      }
    });
  }
  return {
    $schema: SCHEMA,
    title: o.title,
    width: o.width ?? 420,
    height: o.height ?? 240,
    data: { values },
    mark: { type: "line", point: values.length <= 60 },
    encoding: {
      x: { field: "x", type: "quantitative", title: o.xTitle ?? "x" },
      y: {
        field: "y",
        type: "quantitative",
        title: o.yTitle ?? "y",
        scale: o.logY ? { type: "log" } : { zero: false },
      },
      color: { field: "series", type: "nominal", title: null },
    },
  };
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  title: string;
  rows: readonly string[];
  cols: readonly string[];
  /** values[i][j] for row i, column j */
  values: readonly (readonly number[])[];
  /** Colour by log10 of the value (for errors spanning many orders of magnitude). */
  log10?: boolean;
}

/** A heat map of a table of numbers, each cell labelled with its value. */
export function heatmap(o: HeatmapOptions): Spec {
  // Non-finite cells are left blank; with `log10`, zeros are drawn at 1e-17 (below float64
  // resolution of order-one values) so one exact match does not stretch the colour scale.
  const values = o.rows.flatMap((r, i) =>
    o.cols.map((c, j) => ({ row: r, col: c, v: o.values[i][j] }))
  ).filter((e) => Number.isFinite(e.v)).map(({ row, col, v }) => ({
    row,
    col,
    value: o.log10 ? Math.log10(Math.max(Math.abs(v), 1e-17)) : v,
    label: v === 0 ? "0" : v.toExponential(1),
  }));
  return {
    $schema: SCHEMA,
    title: o.title,
    data: { values },
    encoding: {
      x: { field: "col", type: "nominal", sort: o.cols, title: null },
      y: { field: "row", type: "nominal", sort: o.rows, title: null },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: { field: "value", type: "quantitative", title: o.log10 ? "log10" : "value" },
        },
      },
      { mark: { type: "text", fontSize: 10 }, encoding: { text: { field: "label" } } },
    ],
  };
}

/** Renders a Vega-Lite spec to an SVG string (headless Vega). */
export async function toSvg(spec: Spec): Promise<string> {
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const BARS = "▁▂▃▄▅▆▇█";

/** A one-line Unicode sparkline of `values` (optionally on a log scale). */
export function sparkline(values: readonly number[], log = false): string {
  const v = values.map((x) => (log ? Math.log10(x) : x)).filter(Number.isFinite);
  if (v.length === 0) return "";
  const lo = Math.min(...v), hi = Math.max(...v);
  return v.map((x) => BARS[hi === lo ? 0 : Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1))])
    .join("");
}

/**
 * Shows a chart: a rich MIME bundle in Jupyter; elsewhere `out/<name>.svg` plus sparklines
 * of the line series (if any) on stdout.
 */
export async function plot(spec: Spec, name: string): Promise<void> {
  if (!/^[a-z0-9_-]+$/i.test(name)) {
    throw new Error(`plot: bad file name "${name}" (letters, digits, _ and - only)`);
  }
  const svg = await toSvg(spec);
  if (inJupyter()) {
    // deno-lint-ignore no-explicit-any
    await (Deno as any).jupyter.display({
      "application/vnd.vegalite.v5+json": spec,
      "image/svg+xml": svg,
      "text/plain": `[plot: ${spec.title ?? name}]`,
    }, { raw: true });
    return;
  }
  const dir = new URL("../out/", import.meta.url);
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(new URL(`${name}.svg`, dir), svg);
  console.log(`[plot “${spec.title ?? name}” written to out/${name}.svg]`);
  const values = ((spec.data as { values?: { series?: string; y?: number }[] })?.values) ?? [];
  const bySeries = new Map<string, number[]>();
  for (const p of values) {
    if (p.series !== undefined && p.y !== undefined) {
      bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p.y]);
    }
  }
  const log = ((spec.encoding as { y?: { scale?: { type?: string } } })?.y?.scale?.type) === "log";
  for (const [s, ys] of bySeries) console.log(`  ${s.padEnd(24)} ${sparkline(ys, log)}`);
}
