/**
 * Plots for the lessons: Vega-Lite specs, rendered to SVG with Vega (no browser, no canvas).
 *
 * `plot(spec, name)` does what fits the place it runs in:
 * - in Jupyter (Deno kernel) it displays a MIME bundle with the Vega-Lite spec
 *   (`application/vnd.vegalite.v5+json`, drawn interactively by JupyterLab's built-in Vega
 *   renderer) **and** the SVG (`image/svg+xml`, what the classic notebook and GitHub show);
 * - in a terminal it writes `out/<name>.svg` and prints a Unicode sparkline per line series.
 *
 * We depend on vega-lite 5 (and vega 5), not 6: JupyterLab's renderer takes the v5 MIME type
 * and has none for v6, so the spec we label v5 is compiled by the same major version that
 * will draw it (a test checks the installed major against the MIME type). Rendering is
 * deterministic (no timestamps, fixed sizes), so the same data gives the same SVG bytes.
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

import process from "node:process";
import { inJupyter, type MimeBundle, printRich } from "./display.ts";

/** A Vega-Lite specification (plain JSON). */
export type Spec = Record<string, unknown>;

/** The Vega-Lite major version our specs are written for and compiled with. */
export const VEGA_LITE_MAJOR = 5;
/** The `$schema` every spec declares. */
export const SCHEMA = `https://vega.github.io/schema/vega-lite/v${VEGA_LITE_MAJOR}.json`;
/** The MIME type of the spec in a Jupyter bundle (what JupyterLab's renderer accepts). */
export const VEGA_LITE_MIME = `application/vnd.vegalite.v${VEGA_LITE_MAJOR}+json`;

type Vega = typeof import("npm:vega@5.33.1");
type VegaLite = typeof import("npm:vega-lite@5.23.0");
type Libraries = { vega: Vega; vl: VegaLite };
// The specifiers are held in variables, not written in the `import()`s: Deno builds a
// module's graph from the string literals it imports (dynamic ones included) and, when that
// graph names any npm package, installs every package of deno.lock before running (on an
// empty cache, 400 MB with TensorFlow.js), so a literal here made every importer of
// `lib/mod.ts` pay for vega even when it draws nothing. Resolved at run time, vega is
// fetched by the first plot only.
const VEGA: string = "npm:vega@5.33.1", VEGA_LITE: string = "npm:vega-lite@5.23.0";
let libraries: Promise<Libraries> | undefined;

/**
 * Loads vega and vega-lite on first use. vega 5's loader pulls in `node-fetch`, whose URL
 * library requires Node's deprecated `punycode` module; Deno then prints a deprecation
 * warning that has nothing to do with the lesson, so it is muted while the modules load.
 */
export function vegaLibraries(): Promise<Libraries> {
  libraries ??= (async () => {
    // `noDeprecation` is Node's documented switch; @types/node does not declare it.
    const proc = process as unknown as { noDeprecation?: boolean };
    const muted = proc.noDeprecation;
    proc.noDeprecation = true;
    try {
      const [vega, vl] = await Promise.all([import(VEGA), import(VEGA_LITE)]);
      return { vega, vl } as Libraries;
    } finally {
      proc.noDeprecation = muted;
    }
  })();
  return libraries;
}

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
    if (o.x && o.x.length !== ys.length) {
      throw new Error(
        `lineChart "${o.title}": series "${name}" has ${ys.length} values but x has ${o.x.length}`,
      );
    }
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
      color: {
        field: "series",
        type: "nominal",
        title: null,
        sort: Object.keys(o.series),
        legend: { labelLimit: 320 },
      },
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
  /** Colour by log10 of |value| (for errors spanning many orders of magnitude). */
  log10?: boolean;
  /** Colour by |value| (for signed distances whose size is what matters). */
  absolute?: boolean;
  /** The colour legend's title (default "log10", "|value|" or "value"). */
  colorTitle?: string;
  /** The label written in each cell (default: `v.toExponential(1)`, and "0" for zero). */
  format?: (v: number) => string;
  /** The widest the whole chart may be, in pixels (default 960: the classic Notebook's output area). */
  maxWidth?: number;
}

/** Greedy word wrap of a label into lines of at most `chars` characters (long words kept). */
function wrapLabel(label: string, chars: number): string[] {
  const lines: string[] = [];
  for (const word of label.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && [...last].length + 1 + [...word].length <= chars) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else lines.push(word);
  }
  return lines;
}

/** A heat map of a table of numbers, each cell labelled with its value. */
export function heatmap(o: HeatmapOptions): Spec {
  if (o.values.length !== o.rows.length || o.values.some((r) => r.length !== o.cols.length)) {
    throw new Error(
      `heatmap "${o.title}": values must be ${o.rows.length} rows of ${o.cols.length}, got ${
        o.values.map((r) => r.length).join(", ")
      }`,
    );
  }
  const format = o.format ?? ((v: number) => (v === 0 ? "0" : v.toExponential(1)));
  // Non-finite cells are left blank; with `log10`, zeros are drawn at 1e-17 (below float64
  // resolution of order-one values) so one exact match does not stretch the colour scale.
  const values = o.rows.flatMap((r, i) =>
    o.cols.map((c, j) => ({ row: r, col: c, v: o.values[i][j] }))
  ).filter((e) => Number.isFinite(e.v)).map(({ row, col, v }) => ({
    row,
    col,
    value: o.log10 ? Math.log10(Math.max(Math.abs(v), 1e-17)) : o.absolute ? Math.abs(v) : v,
    label: format(v),
  }));
  // Cells wide enough for their labels (without a canvas, Vega estimates a text's width as
  // 0.8·fontSize per character); labels white on the darker half of the colour scale.
  const longest = Math.max(0, ...values.map((e) => e.label.length));
  const longestCol = Math.max(0, ...o.cols.map((c) => c.length));
  const longestRow = Math.max(0, ...o.rows.map((r) => [...r].length));
  const cellMin = Math.max(48, 7 * longest + 12);
  // The whole chart fits `maxWidth`: row labels (Vega: 8 px a character at 10 px, at most 320),
  // the cells, the colour legend (~100 px). Column labels that do not fit their cell wrap.
  const budget = (o.maxWidth ?? 960) - Math.min(320, 8 * longestRow + 16) - 110;
  const step = Math.max(
    cellMin,
    Math.min(Math.min(8 * longestCol + 12, 200), Math.floor(budget / Math.max(1, o.cols.length))),
  );
  // Vega estimates a 10 px label at 8 px a character (no canvas here) and cuts what is longer.
  const perLine = Math.max(4, Math.floor((step - 6) / 8));
  const wrapped = Object.fromEntries(
    o.cols.filter((c) => [...c].length > perLine).map((c) => [c, wrapLabel(c, perLine)]),
  );
  const wraps = Object.keys(wrapped).length > 0;
  const shades = values.map((e) => e.value);
  const middle = (Math.min(...shades) + Math.max(...shades)) / 2;
  return {
    $schema: SCHEMA,
    title: o.title,
    width: { step },
    height: { step: 22 },
    data: { values },
    encoding: {
      x: {
        field: "col",
        type: "nominal",
        sort: o.cols,
        title: null,
        // Wrapped labels read downwards, so they go below the cells.
        axis: {
          labelAngle: 0,
          labelLimit: step - 4,
          orient: wraps ? "bottom" : "top",
          ...(wraps
            ? { labelExpr: `(${JSON.stringify(wrapped)})[datum.label] || datum.label` }
            : {}),
        },
      },
      y: { field: "row", type: "nominal", sort: o.rows, title: null, axis: { labelLimit: 320 } },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: "value",
            type: "quantitative",
            title: o.colorTitle ?? (o.log10 ? "log10" : o.absolute ? "|value|" : "value"),
          },
        },
      },
      {
        mark: { type: "text", fontSize: 10 },
        encoding: {
          text: { field: "label" },
          color: {
            condition: { test: `datum.value > ${middle}`, value: "white" },
            value: "black",
          },
        },
      },
    ],
  };
}

/** Renders a Vega-Lite spec to an SVG string (headless Vega). */
export async function toSvg(spec: Spec): Promise<string> {
  const { vega, vl } = await vegaLibraries();
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A one-line Unicode sparkline of `values` (optionally on a log scale), scaled to their own
 * range or to `range` (so several series can share one scale, as they share a chart's axis).
 */
export function sparkline(
  values: readonly number[],
  log = false,
  range?: readonly [number, number],
): string {
  const scaled = (x: number) => (log ? Math.log10(x) : x);
  const v = values.map(scaled).filter(Number.isFinite);
  if (v.length === 0) return "";
  const lo = range ? scaled(range[0]) : Math.min(...v);
  const hi = range ? scaled(range[1]) : Math.max(...v);
  const level = (x: number) => Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1));
  return v.map((x) => BARS[hi === lo ? 0 : Math.min(Math.max(level(x), 0), BARS.length - 1)])
    .join("");
}

/** Averages `values` into at most `n` buckets of consecutive values (a shorter sparkline). */
export function downsample(values: readonly number[], n: number): number[] {
  if (values.length <= n) return [...values];
  return Array.from({ length: n }, (_, i) => {
    const from = Math.floor((i * values.length) / n);
    const to = Math.floor(((i + 1) * values.length) / n);
    const part = values.slice(from, to).filter(Number.isFinite);
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
}

/**
 * One sparkline per line series of a {@link lineChart} spec (none for other charts), all on
 * the chart's common y scale, each line at most `width` characters (longer series are
 * averaged into buckets; default 100, what a terminal and a notebook show unwrapped).
 */
export function sparklines(spec: Spec, width = 100): string[] {
  const values = ((spec.data as { values?: { series?: string; y?: number }[] })?.values) ?? [];
  const bySeries = new Map<string, number[]>();
  for (const p of values) {
    if (p.series !== undefined && p.y !== undefined) {
      bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p.y]);
    }
  }
  const log = ((spec.encoding as { y?: { scale?: { type?: string } } })?.y?.scale?.type) === "log";
  const all = [...bySeries.values()].flat();
  const range = [Math.min(...all), Math.max(...all)] as const;
  const labels = Math.max(24, ...[...bySeries.keys()].map((s) => s.length));
  const room = Math.max(8, width - labels - 3);
  return [...bySeries].map(([s, ys]) =>
    `  ${s.padEnd(labels)} ${sparkline(downsample(ys.filter(Number.isFinite), room), log, range)}`
  );
}

/** The Jupyter bundle for a chart: the Vega-Lite spec, its SVG and a text fallback. */
export async function mimeBundle(spec: Spec): Promise<MimeBundle> {
  return {
    [VEGA_LITE_MIME]: spec,
    "image/svg+xml": await toSvg(spec),
    "text/plain": [`[plot: ${spec.title ?? "untitled"}]`, ...sparklines(spec)].join("\n"),
  };
}

/**
 * Shows a chart: a rich MIME bundle in Jupyter; elsewhere `out/<name>.svg` plus sparklines
 * of the line series (if any) on stdout.
 */
export async function plot(spec: Spec, name: string): Promise<void> {
  if (!/^[a-z0-9_-]+$/i.test(name)) {
    throw new Error(`plot: bad file name "${name}" (letters, digits, _ and - only)`);
  }
  if (inJupyter()) {
    // deno-lint-ignore no-explicit-any
    await (Deno as any).jupyter.display(await mimeBundle(spec), { raw: true });
    return;
  }
  const svg = await toSvg(spec);
  const dir = new URL("../../out/", import.meta.url);
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(new URL(`${name}.svg`, dir), svg);
  const line = `[plot “${spec.title ?? name}” written to out/${name}.svg]`;
  const head = line.length > 100
    ? `[plot “${spec.title ?? name}”\n  written to out/${name}.svg]`
    : line;
  printRich([head, ...sparklines(spec)].join("\n"));
}
