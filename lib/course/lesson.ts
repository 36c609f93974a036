/**
 * The lesson harness: every lesson records its comparisons here and ends with a table of
 * them — each number its source printed, ours beside it, the tolerance and ✓/✗ — plus the
 * checks against independent references (numpy/torch vectors, numerical gradients,
 * TensorFlow.js). A ✗ fails the lesson: in a terminal the exit code is 1, in Jupyter the
 * cell raises, under the runner (`deno task lesson N`) the report says `ok: false`.
 *
 * ```ts
 * import { Lesson } from "./lesson.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { equal } from "node:assert/strict";
 * const lesson = new Lesson(1, { quiet: true });
 * lesson.check("a tiny check", NDArray.from([1, 2]), NDArray.from([1, 2 + 1e-15]), {
 *   tolerance: 1e-12,
 *   against: "itself, shifted",
 * });
 * equal(lesson.report().ok, true);
 * ```
 *
 * @module
 */

import { NDArray } from "../numerics/ndarray.ts";
import { formatArray, inJupyter, printRich, pyRepr, wrapLine } from "./display.ts";
import { flushOutput } from "./jupyter.ts";
import { loadPublished, type PublishedFile, type PublishedValue } from "../numerics/published.ts";
import {
  checkGradients,
  type PolicyVerdict,
  ROUNDING_SIGMAS,
} from "../numerics/gradient_policy.ts";
import { numpyPrints32 } from "../numerics/float32.ts";

/** How a planted-bug row's basis starts (the table groups such rows under one basis). */
const PLANTED_PREFIX = "planted bug (";
/** How a gradient-policy row's basis starts. */
const POLICY_PREFIX = "worst |analytic − central difference| / ";

/** One row of a lesson's table. */
export interface Check {
  name: string;
  /** `published`: a number the source printed; `reference`: an independent computation. */
  kind: "published" | "reference";
  /** What we compared against: the printed text, or the reference's values. */
  published: string | number | number[];
  /** What the lesson computed. */
  reproduced: number | number[];
  /** Allowed max |ours − theirs| (or max relative error when `relative`). */
  tolerance: number;
  /** The measured max |ours − theirs| (or max relative error). */
  diff: number;
  relative: boolean;
  /**
   * A one-sided check ({@link Lesson.atMost}, {@link Lesson.atLeast}): `published` is the
   * threshold, `reproduced` the measured value, `diff` the margin (how far inside the bound,
   * negative when outside) and `tolerance` 0.
   */
  bound?: "≤" | "≥";
  /** Where the reference came from, or why the tolerance is what it is. */
  against: string;
  ok: boolean;
}

/** What a lesson reports: `deno task lesson N --json` prints this. */
export interface Report {
  lesson: number;
  title: string;
  source: string;
  ok: boolean;
  checks: Check[];
  values: Record<string, unknown>;
}

/** Reports of the lessons run in this process, in order (the runner reads them). */
export const reports: Report[] = [];

type Numbers = number | readonly number[] | NDArray;

function flat(x: Numbers): number[] {
  if (typeof x === "number") return [x];
  if (x instanceof NDArray) return [...x.data];
  return [...x];
}

/** A tolerance or roundoff must be a finite number >= 0: anything else is a harness error. */
function bound(what: string, x: number): void {
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
    throw new RangeError(`${what} is ${x}: it must be a finite number >= 0`);
  }
}

/** NaN or ±Infinity on either side fails a comparison (it is never a ✓). */
function allFinite(xs: readonly number[]): boolean {
  return xs.every((x) => Number.isFinite(x));
}

function plain(x: number[]): number | number[] {
  return x.length === 1 ? x[0] : x;
}

/** Options of {@link Lesson.check}. */
export interface CheckOptions {
  /** Allowed max |ours − reference| (or relative error with `relative`). */
  tolerance: number;
  /** The independent reference: "numerical gradient", "torch 1.13 vectors", "TensorFlow.js"… */
  against: string;
  /** Compare `|a − b| / max(|a| + |b|, tiny)` instead of `|a − b|`. */
  relative?: boolean;
}

/** Options of the {@link Lesson} constructor. */
export interface LessonOptions {
  /** Print nothing (for tests and doc examples). */
  quiet?: boolean;
}

function findPublished(lesson: number): PublishedFile {
  const dir = new URL("../../data/published/", import.meta.url);
  const prefix = String(lesson).padStart(2, "0") + "_";
  const names: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.name.endsWith(".json")) names.push(e.name);
  }
  const name = names.find((n) => n.startsWith(prefix));
  if (!name) {
    throw new Error(
      `lesson ${lesson}: no data/published/${prefix}*.json (found: ${names.sort().join(", ")})`,
    );
  }
  return loadPublished(new URL(name, dir));
}

/** One lesson's running record of checks; see the module doc. */
export class Lesson {
  readonly number: number;
  readonly title: string;
  readonly source: PublishedFile["source"];
  private readonly published_: Map<string, PublishedValue>;
  private readonly checks: Check[] = [];
  private readonly values: Record<string, unknown> = {};
  private readonly quiet: boolean;
  private readonly file: PublishedFile;
  private ended = false;

  constructor(lesson: number, options: LessonOptions = {}) {
    const file = findPublished(lesson);
    this.file = file;
    this.number = file.lesson;
    this.title = file.title;
    this.source = file.source;
    this.published_ = new Map(file.values.map((v) => [v.name, v]));
    this.quiet = options.quiet ?? false;
    if (!this.quiet) {
      // The lesson's own heading (its first markdown cell) gives the title; this names the
      // source. The title may already name its document; notebooks wrap at ~110 characters.
      const doc = `document ${this.source.document}`;
      const title = this.source.title.includes(doc)
        ? this.source.title
        : `${this.source.title} (${doc})`;
      console.log(
        `Source: “${title}”`.length > 100
          ? `Source:\n${wrapLine(`“${title}”`, TABLE_WIDTH - 8, "  ", "  ")}\n`
          : `Source: “${title}”\n`,
      );
    }
  }

  /** The whole published-values file (with any extra keys it records, e.g. printed inputs). */
  publishedFile(): PublishedFile & Record<string, unknown> {
    return this.file as PublishedFile & Record<string, unknown>;
  }

  /** The entry the source printed under `name` (an error lists the names there are). */
  publishedValue(name: string): PublishedValue {
    const v = this.published_.get(name);
    if (!v) {
      throw new Error(
        `lesson ${this.number}: the source printed no "${name}"; it printed: ${
          [...this.published_.keys()].join(", ")
        }`,
      );
    }
    return v;
  }

  /**
   * Compares `ours` with the number(s) the source printed under `name`: each must be within
   * the recorded tolerance, plus `roundoff` — a bound the lesson derives from the
   * computation when the source printed every digit of a float64 (see `gamma`).
   */
  published(name: string, ours: Numbers, options: { roundoff?: number } = {}): boolean {
    const entry = this.publishedValue(name);
    const theirs = Array.isArray(entry.value) ? entry.value : [entry.value];
    const mine = flat(ours);
    if (mine.length !== theirs.length) {
      throw new Error(
        `lesson ${this.number}: "${name}": the source printed ${theirs.length} number(s), we computed ${mine.length}`,
      );
    }
    if (mine.length === 0) {
      throw new Error(`lesson ${this.number}: "${name}": no numbers to compare`);
    }
    const roundoff = options.roundoff ?? 0;
    bound(`lesson ${this.number}: "${name}": roundoff`, roundoff);
    bound(`lesson ${this.number}: "${name}": recorded tolerance`, entry.tolerance);
    const tolerance = entry.tolerance + roundoff;
    const diff = Math.max(...mine.map((x, i) => Math.abs(x - theirs[i])));
    const ok = diff <= tolerance && allFinite(mine) && allFinite(theirs);
    this.checks.push({
      name,
      kind: "published",
      published: entry.printed,
      reproduced: plain(mine),
      tolerance,
      diff,
      relative: false,
      against: roundoff ? `${entry.why}; + roundoff bound ${roundoff.toExponential(1)}` : entry.why,
      ok,
    });
    return ok;
  }

  /** Compares `ours` with an independent reference, elementwise; shapes must agree. */
  check(name: string, ours: Numbers, reference: Numbers, options: CheckOptions): boolean {
    if (ours instanceof NDArray && reference instanceof NDArray) {
      const same = ours.ndim === reference.ndim &&
        ours.shape.every((d, i) => d === reference.shape[i]);
      if (!same) {
        throw new Error(
          `lesson ${this.number}: check "${name}": shapes (${ours.shape}) and (${reference.shape}) differ`,
        );
      }
    }
    const a = flat(ours);
    const b = flat(reference);
    if (a.length !== b.length) {
      throw new Error(
        `lesson ${this.number}: check "${name}": ${a.length} values against ${b.length}`,
      );
    }
    if (a.length === 0) {
      throw new Error(`lesson ${this.number}: check "${name}": no values to compare`);
    }
    bound(`lesson ${this.number}: check "${name}": tolerance`, options.tolerance);
    const relative = options.relative ?? false;
    const errs = a.map((x, i) => {
      const d = Math.abs(x - b[i]);
      return relative ? d / Math.max(Math.abs(x) + Math.abs(b[i]), 1e-300) : d;
    });
    const diff = Math.max(...errs);
    const ok = diff <= options.tolerance && allFinite(a) && allFinite(b);
    this.checks.push({
      name,
      kind: "reference",
      published: plain(b),
      reproduced: plain(a),
      tolerance: options.tolerance,
      diff,
      relative,
      against: options.against,
      ok,
    });
    return ok;
  }

  /**
   * A one-sided check: passes when `value ≤ threshold`. The table shows the value, the
   * threshold and the margin `threshold − value`, so how much room a claim has is visible.
   * NaN never passes; a non-finite threshold is a harness error.
   */
  atMost(name: string, value: number, threshold: number, options: { against: string }): boolean {
    return this.oneSided(name, value, threshold, "≤", options.against);
  }

  /** A one-sided check: passes when `value ≥ threshold`; see {@link Lesson.atMost}. */
  atLeast(name: string, value: number, threshold: number, options: { against: string }): boolean {
    return this.oneSided(name, value, threshold, "≥", options.against);
  }

  private oneSided(
    name: string,
    value: number,
    threshold: number,
    bound: "≤" | "≥",
    against: string,
  ): boolean {
    if (!Number.isFinite(threshold)) {
      throw new Error(
        `lesson ${this.number}: check "${name}": threshold ${threshold} is not finite`,
      );
    }
    if (typeof value !== "number") {
      throw new Error(`lesson ${this.number}: check "${name}": value must be a number`);
    }
    const margin = bound === "≤" ? threshold - value : value - threshold;
    const ok = Number.isFinite(value) && margin >= 0;
    this.checks.push({
      name,
      kind: "reference",
      published: threshold,
      reproduced: value,
      tolerance: 0,
      diff: margin,
      relative: false,
      bound,
      against,
      ok,
    });
    return ok;
  }

  /**
   * Records a {@link PolicyVerdict} of `checkGradients` (lib/numerics/gradient_policy.ts) as a
   * one-sided row: the worst entry's error / tolerance must be ≤ 1, and no entry may be NaN or ∞.
   * The basis states the policy and its measured power ("flags a relative error ≥ X"). With
   * `planted` (a deliberately wrong gradient, named), the row instead passes only when the check
   * *fails* — ratio ≥ 1 — so the table shows the check can catch that bug.
   */
  gradientCheck(name: string, result: PolicyVerdict, options: { planted?: string } = {}): boolean {
    let ratio = 0;
    for (const p of result.params) {
      ratio = p.nonFinite ? NaN : Math.max(ratio, p.worst.error / p.worst.tolerance);
      if (Number.isNaN(ratio)) break;
    }
    const planted = options.planted !== undefined;
    const ok = planted ? !result.ok : result.ok;
    const power = result.smallestDetectable.toExponential(1);
    this.checks.push({
      name,
      kind: "reference",
      published: 1,
      reproduced: ratio,
      tolerance: 0,
      diff: planted ? ratio - 1 : 1 - ratio,
      relative: false,
      bound: planted ? "≥" : "≤",
      against: planted
        ? `${PLANTED_PREFIX}${options.planted}) must be flagged by the gradient policy; ${result.summary}`
        : `${POLICY_PREFIX}(2·truncation by step halving + ${ROUNDING_SIGMAS}σ measured rounding), per entry; flags a relative error ≥ ${power}; ${result.summary}`,
      ok,
    });
    return ok;
  }

  /**
   * Shows that the gradient check can catch each of a lesson's planted bugs: for each, runs
   * {@link checkGradients} on the deliberately wrong gradients, prints `planted <bug>: flagged`
   * (or `NOT flagged`) and records the row "the gradient check flags a planted bug: <bug>" by
   * {@link Lesson.gradientCheck} with `planted`, which passes only when the check fails.
   *
   * Inputs: `loss` and `params`, as `checkGradients` takes them (the same for every bug);
   * `planted`, the lesson's list of `[bug, gradients]` pairs — the bug's name and the wrong
   * gradients, keyed like `params`.
   * Returns: true when every planted bug is flagged (every row ✓). Every bug is checked and
   * recorded, whatever the earlier ones gave.
   */
  flagsPlantedBugs(
    loss: () => number,
    params: Record<string, NDArray>,
    planted: readonly (readonly [string, Record<string, NDArray>])[],
  ): boolean {
    let all = true;
    for (const [bug, gradients] of planted) {
      const verdict = checkGradients(loss, params, gradients);
      if (!this.quiet) console.log(`planted ${bug}: ${verdict.ok ? "NOT flagged" : "flagged"}`);
      const flagged = this.gradientCheck(
        `the gradient check flags a planted bug: ${bug}`,
        verdict,
        { planted: bug },
      );
      all &&= flagged;
    }
    return all;
  }

  /** Records an extra value for `--json` (arrays are stored as nested lists). */
  value(key: string, v: unknown): void {
    this.values[key] = v instanceof NDArray ? v.toNested() : v;
  }

  /** The report so far. */
  report(): Report {
    return {
      lesson: this.number,
      title: this.title,
      source: this.source.title,
      ok: this.checks.every((c) => c.ok),
      checks: this.checks,
      values: this.values,
    };
  }

  /**
   * Prints the table (an HTML table in Jupyter) and registers the report. A ✗ makes the
   * lesson fail: in Jupyter it throws; elsewhere it sets the exit code to 1.
   */
  async end(): Promise<Report> {
    if (this.ended) throw new Error(`lesson ${this.number}: end() called twice`);
    this.ended = true;
    const report = this.report();
    reports.push(report);
    const table = renderTable(report);
    if (inJupyter()) {
      // The verdict first, then the table; the cell shows nothing else (the notebook's last
      // line is `await flushOutput();`, so the report object is not displayed as a value).
      const verdict = table.text.trimEnd().split("\n").at(-1) ?? "";
      const body = table.text.trimEnd().split("\n").slice(0, -2).join("\n");
      // deno-lint-ignore no-explicit-any
      await (Deno as any).jupyter.display({
        "text/plain": `${verdict}\n${body}`,
        "text/html": table.html,
      }, { raw: true });
    } else if (!this.quiet) {
      printRich(table.text, "table");
    }
    const failed = report.checks.filter((c) => !c.ok);
    if (failed.length) {
      const msg = `lesson ${this.number}: ${failed.length} check(s) failed: ${
        failed.map((c) => c.name).join(", ")
      }`;
      if (inJupyter()) {
        // The cell stops here, before its own `await flushOutput();`: flush first.
        await flushOutput();
        throw new Error(msg);
      }
      if (!this.quiet) console.log(`\n✗ ${msg}`);
      Deno.exitCode = 1;
    }
    return report;
  }
}

/** Formats a value in the style the source printed it (tuple, integer, array, repr). */
function styled(x: number | number[], like: string): string {
  const xs = Array.isArray(x) ? x : [x];
  if (like.startsWith("(")) return `(${xs.join(", ")})`;
  if (/^-?\d+$/.test(like)) return xs.join(", ");
  // Float32 results (every value exactly a float32, none an integer) as numpy prints a
  // float32, so that `ours` reads as the printed text it is compared with (0.3842466, not the
  // float64 digits 0.38424659 of the same number).
  if (
    like.startsWith("[") && xs.every((v) => Math.fround(v) === v && !Number.isInteger(v)) &&
    xs.every((v) => Math.abs(v) >= 1e-4 && Math.abs(v) < 1e6)
  ) {
    return `[${xs.map(numpyPrints32).join(" ")}]`;
  }
  if (like.startsWith("[")) return formatArray(NDArray.from(xs));
  return xs.length === 1 ? pyRepr(xs[0]) : formatArray(NDArray.from(xs));
}

/** A number in six significant digits, or in exponent form when far from 1. */
function compact(x: number): string {
  if (Number.isInteger(x) || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(3);
}

/**
 * A reference value for the table: a number as it reads (`1`, `0.25`, `3.2e-9`, never numpy's
 * `1.`), up to four values as a list, more as their count (all are in `--json`).
 */
function short(x: number | number[]): string {
  if (typeof x === "number") return compact(x);
  if (x.length <= 4) return `[${x.map(compact).join(", ")}]`;
  return `[${x.length} values]`;
}

/**
 * A value printed numpy-style as one line: numpy wraps a long array at 75 columns and starts
 * each row of a matrix on a line of its own, each new line indented by the brackets still
 * open; here each such break, with that indentation, becomes the single space that separates
 * elements within a line — so the text is numpy's own for an array that fit on one line.
 */
function oneLine(value: string): string {
  return value.replace(/ *\n+( *)/g, (_break, indent: string, at: number) => {
    const before = value.slice(0, at);
    const open = before.split("[").length - before.split("]").length;
    return " " + indent.slice(Math.max(0, open));
  });
}

const TABLE_WIDTH = 100;

/**
 * A check's basis split in two: what it shares with the checks beside it (stated once per
 * group in the terminal and HTML tables) and what is its own (the gradient policy's summary
 * of this check, a published value's roundoff bound — in `--json`, and in the tolerance).
 */
function basisOf(c: Check): string {
  if (c.against.startsWith(PLANTED_PREFIX)) {
    return "a planted bug must be flagged by the gradient policy: ratio = worst |wrong − central " +
      "difference| / tolerance ≥ 1 (the policy's verdict on each bug is in --json)";
  }
  if (c.against.startsWith(POLICY_PREFIX)) {
    return "the gradient policy: ratio = " + c.against.split("; ")[0] +
      " ≤ 1 (its power, below, is the smallest relative error it flags; the verdict per entry is" +
      " in --json)";
  }
  return c.against.replace(/; \+ roundoff bound [^;]*$/, "");
}

/** How close a check came, in one phrase: `|Δ| 1e-9 ≤ 2e-8`, `ours 0.5 ≤ 1 (margin 5e-1)`. */
function closeness(c: Check, values: boolean, r: string[]): string {
  if (c.against.startsWith(PLANTED_PREFIX) || c.against.startsWith(POLICY_PREFIX)) {
    const power = c.against.match(/flags a relative error ≥ [^;]*/);
    const ratio = c.reproduced as number;
    const shown = Math.abs(ratio) >= 1000 ? ratio.toExponential(1) : Number(ratio.toPrecision(2));
    return `ratio ${shown} ${c.bound} 1${power ? `; ${power[0]}` : ""}`;
  }
  if (c.bound) {
    return `ours ${compact(c.reproduced as number)} ${c.bound} ${
      compact(c.published as number)
    } (margin ${c.diff.toExponential(1)})`;
  }
  const n = Array.isArray(c.reproduced) ? c.reproduced.length : 1;
  const shown = values ? `ours ${oneLine(r[3])} vs ${oneLine(r[2])}: ` : "";
  const over = !values && n > 1 ? ` (${n} values)` : "";
  return `${shown}${c.relative ? "relative error" : "|Δ|"} ${r[4]} ${c.ok ? "≤" : "exceeds"} ${
    r[5].replace(/^rel /, "")
  }${over}`;
}

/** A report as a text table and as an HTML table (for Jupyter). */
export function renderTable(report: Report): { text: string; html: string } {
  const rows = report.checks.map((c) => [
    c.ok ? "✓" : "✗",
    c.name,
    c.bound
      ? `${c.bound} ${compact(c.published as number)}`
      : typeof c.published === "string"
      ? c.published
      : short(c.published),
    c.bound
      ? compact(c.reproduced as number)
      : typeof c.published === "string"
      ? styled(c.reproduced, c.published)
      : short(c.reproduced),
    c.diff.toExponential(1),
    `${c.relative ? "rel " : ""}${c.tolerance.toExponential(1)}`,
  ]);
  // The checks with one basis form a group, in the order of its first check: the basis is
  // stated once, above them.
  const groups: { basis: string; members: number[] }[] = [];
  report.checks.forEach((c, i) => {
    const basis = basisOf(c);
    const same = groups.find((g) => g.basis === basis);
    if (same) same.members.push(i);
    else groups.push({ basis, members: [i] });
  });
  // The terminal: per group, the basis wrapped to 100 columns, then one line per check — its
  // name in full and how close it came, with the values when they fit on the line (an array
  // numpy-style printing broke over lines is joined first); a longer line wraps, never cut.
  const entry = (c: Check, r: string[]) => {
    const withValues = `  ${r[0]} ${c.name}: ${closeness(c, true, r)}`;
    const elided = /values\]/.test(r[2] + r[3]);
    if (!elided && [...withValues].length <= TABLE_WIDTH) return [withValues];
    return [wrapLine(`${r[0]} ${c.name}: ${closeness(c, false, r)}`, TABLE_WIDTH, "      ", "  ")];
  };
  const count = (kind: Check["kind"]) => {
    const of = report.checks.filter((c) => c.kind === kind);
    return `${of.filter((c) => c.ok).length}/${of.length}`;
  };
  const published = report.checks.some((c) => c.kind === "published")
    ? `${count("published")} published values reproduced, `
    : "";
  const summary = `${published}${count("reference")} reference checks passed ${
    report.ok ? "✓" : "✗"
  }`;
  const text = [
    "",
    `Published values and checks — lesson ${report.lesson}`,
    "─".repeat(TABLE_WIDTH),
    ...groups.flatMap((g, k) => [
      ...(k ? [""] : []),
      wrapLine(`basis: ${g.basis}`, TABLE_WIDTH, "    ", ""),
      ...g.members.flatMap((i) => entry(report.checks[i], rows[i])),
    ]),
    "",
    summary,
  ].join("\n");
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const head = ["", "check", "ours", "published / reference", "how close"];
  const td = (s: string, style = "") =>
    `<td style="text-align:left;vertical-align:top;${style}">${esc(s)}</td>`;
  // Values wrap inside their column (a long array would push "how close" off the page).
  const mono = "font-family:monospace;white-space:pre-wrap;max-width:26em;overflow-wrap:anywhere";
  const html = `<p style="font-weight:bold">${esc(summary)}</p><table><thead><tr>${
    head.map((h) => `<th style="text-align:left">${esc(h)}</th>`).join("")
  }</tr></thead><tbody>${
    groups.map((g) =>
      `<tr><td></td><td colspan="4" style="text-align:left;font-style:italic;color:#555">${
        esc(`basis: ${g.basis}`)
      }</td></tr>` +
      g.members.map((i) => {
        const [mark, name, theirs, ours] = rows[i];
        const c = report.checks[i];
        return `<tr style="color:${mark === "✓" ? "inherit" : "#c00"}">${
          td(mark) + td(name, "min-width:16em") + td(ours, mono) + td(theirs, mono) +
          td(closeness(c, false, rows[i]), "white-space:nowrap")
        }</tr>`;
      }).join("")
    ).join("")
  }</tbody></table>`;
  return { text, html };
}
