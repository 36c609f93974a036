/**
 * numpy-style printing, so a lesson's output can be read next to the source's.
 *
 * `formatArray` follows numpy's defaults (`np.set_printoptions(precision=8)`, `floatmode
 * "maxprec"`): at most `precision` fractional digits, fewer when fewer identify the value,
 * decimal points aligned, scientific notation when the magnitudes call for it (unless
 * `suppress`), rows wrapped at 75 characters. `pyRepr` prints a float the way Python's
 * `repr` does (the shortest decimal that reads back to the same double).
 *
 * ```ts
 * import { formatArray, pyRepr } from "./display.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { equal } from "node:assert/strict";
 * equal(formatArray(NDArray.from([-0.999993752, 0.5, 0.25])), "[-0.99999375  0.5         0.25      ]");
 * equal(formatArray(NDArray.from([[1, 2], [3, 4]])), "[[1. 2.]\n [3. 4.]]");
 * equal(pyRepr(1e-5), "1e-05");
 * ```
 *
 * In a Jupyter notebook on the Deno kernel, {@link show} also emits an HTML rendering.
 *
 * @module
 */

import { NDArray } from "../numerics/ndarray.ts";

/** Columns a string takes in a terminal (East Asian wide characters count two, ANSI none). */
export function displayWidth(s: string): number {
  let w = 0;
  // deno-lint-ignore no-control-regex
  for (const ch of s.replace(/\x1b\[[0-9;]*m/g, "")) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x300 && c <= 0x36f || c === 0x20d7) continue; // combining marks
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff)
      ? 2
      : 1;
  }
  return w;
}

/** Options for {@link formatArray}, named like numpy's `set_printoptions`. */
export interface PrintOptions {
  /** Maximum fractional digits (numpy default 8). */
  precision?: number;
  /** Never use scientific notation (numpy's `suppress=True`). */
  suppress?: boolean;
  /** Wrap rows at this many characters (numpy default 75). */
  linewidth?: number;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
export function pyRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const ax = Math.abs(x);
  if (ax >= 1e16 || ax < 1e-4) {
    const [mant, exp] = x.toExponential().split("e");
    const e = Number(exp);
    const es = `${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    return `${mant}e${es}`;
  }
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

/** Digits of `x` with at most `precision` fractional digits, trimmed (numpy "maxprec"). */
function positional(x: number, precision: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  let s = String(Math.abs(x));
  if (s.includes("e") || (s.split(".")[1]?.length ?? 0) > precision) {
    s = Math.abs(x).toFixed(precision);
  }
  if (s.includes(".")) s = s.replace(/0+$/, "");
  else s += ".";
  return (x < 0 || Object.is(x, -0) ? "-" : "") + s;
}

/** Mantissa digits `x` needs in scientific notation, at most `precision`. */
function sciDigits(x: number, precision: number): number {
  if (!Number.isFinite(x)) return 0;
  const mant = x.toExponential().split("e")[0];
  return Math.min(mant.split(".")[1]?.length ?? 0, precision);
}

function scientific(x: number, digits: number): string {
  if (!Number.isFinite(x)) return positional(x, digits);
  const [mant, exp] = x.toExponential(digits).split("e");
  const e = Number(exp);
  const m = mant.includes(".") ? mant : `${mant}.`;
  return `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/**
 * Formats an array like `print(np.array(...))` does: `[-0.99999375  0.77911235]`.
 * A number is formatted like a 0-d array.
 */
export function formatArray(a: NDArray | number, options: PrintOptions = {}): string {
  const arr = typeof a === "number" ? new NDArray(new Float64Array([a]), []) : a;
  const precision = options.precision ?? 8;
  const linewidth = options.linewidth ?? 75;
  const finite = [...arr.data].filter((x) => Number.isFinite(x) && x !== 0).map(Math.abs);
  const maxv = finite.length ? Math.max(...finite) : 0;
  const minv = finite.length ? Math.min(...finite) : 0;
  const sci = finite.length > 0 &&
    (maxv >= 1e8 || (!options.suppress && (minv < 1e-4 || maxv / minv > 1e3)));
  // In scientific notation numpy gives every element the same number of mantissa digits.
  const digits = sci ? Math.max(...[...arr.data].map((x) => sciDigits(x, precision))) : 0;
  const strs = [...arr.data].map((x) => (sci ? scientific(x, digits) : positional(x, precision)));
  // Align decimal points: pad the integer part on the left, the fraction on the right.
  const split = strs.map((s) => {
    const cut = s.indexOf(".");
    return cut < 0 ? [s, ""] : [s.slice(0, cut), s.slice(cut)];
  });
  const intW = Math.max(...split.map(([i]) => i.length));
  const fracW = Math.max(...split.map(([, f]) => f.length));
  const cells = split.map(([i, f]) => i.padStart(intW) + f.padEnd(fracW));
  if (arr.ndim === 0) return strs[0];
  let k = 0;
  // numpy's _formatArray: at depth d the hanging indent is d+1 spaces and the width 75−d.
  const render = (depth: number): string => {
    const indent = " ".repeat(depth + 1);
    const n = arr.shape[depth];
    let s = "";
    if (depth === arr.ndim - 1) {
      const elemWidth = linewidth - depth - 1;
      let line = indent;
      for (let i = 0; i < n; i++) {
        const word = cells[k++];
        if (line.length + word.length > elemWidth && line.length > indent.length) {
          s += line.trimEnd() + "\n";
          line = indent;
        }
        line += word;
        if (i < n - 1) line += " ";
      }
      s += line;
    } else {
      const sep = "\n".repeat(arr.ndim - depth - 1);
      for (let i = 0; i < n; i++) s += indent + render(depth + 1) + (i < n - 1 ? sep : "");
    }
    return "[" + s.slice(indent.length) + "]";
  };
  return render(0);
}

/**
 * Python's `format(x, f".{digits}f")`: the exact binary value of `x` rounded to `digits`
 * decimals, ties to even (JavaScript's `toFixed` rounds the exact value too, but ties away
 * from zero). Exact for |x| ≥ 2⁻⁴⁸, whose binary expansion ends within 100 decimals.
 *
 * ```ts
 * import { pyFixed } from "./display.ts";
 * import { equal } from "node:assert/strict";
 * equal(pyFixed(0.125, 2), "0.12"); // an exact tie, to even ('{:.2f}'.format(0.125))
 * equal(pyFixed(0.375, 2), "0.38");
 * equal(pyFixed(-0.18240195512771606, 4), "-0.1824");
 * ```
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`pyFixed: ${x} is not a finite number`);
  if (!Number.isInteger(digits) || digits < 1 || digits > 20) {
    throw new RangeError(`pyFixed: digits must be an integer from 1 to 20, got ${digits}`);
  }
  const [whole, frac] = Math.abs(x).toFixed(100).split(".");
  let kept = BigInt(whole + frac.slice(0, digits));
  const rest = frac.slice(digits), half = "5".padEnd(rest.length, "0");
  if (rest > half || (rest === half && kept % 2n === 1n)) kept += 1n;
  const s = kept.toString().padStart(digits + 1, "0");
  return `${x < 0 || Object.is(x, -0) ? "-" : ""}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** Options of {@link formatTorch}: what torch adds around the numbers. */
export interface TorchPrintOptions {
  /** The tensor's dtype: torch names it (`dtype=torch.float64`) unless it is the default float32. */
  dtype?: "float32" | "float64";
  /** A leaf that requires grad: `requires_grad=True` is appended. */
  requiresGrad?: boolean;
  /** An `nn.Parameter`: `Parameter containing:` and a line break come first. */
  parameter?: boolean;
}

/**
 * `print(t)` of a 1-D or 2-D floating-point torch tensor (torch 1.x–2.x's
 * `torch/_tensor_str.py` with default print options), in the case torch prints in fixed
 * point with 4 decimals: every nonzero finite |value| between 1e-4 and 1e8, the largest at
 * most 1000 times the smallest, and not all integers. Each value is Python's `{:.4f}` of the
 * float (see {@link pyFixed}), right-aligned to the widest; a row holds
 * ⌊(80 − indent) / (width + 2)⌋ values, nested rows hang under `tensor([`; the suffixes
 * (`dtype=…`, `requires_grad=True`) go on the last line while it stays within 80 characters
 * (torch counts one more than the line's length). Anything else — scientific or integer
 * notation, summarised (> 1000 entries), 0-D or 3-D and up, NaN/∞ — throws rather than print
 * something torch would not.
 *
 * ```ts
 * import { formatTorch } from "./display.ts";
 * import { NDArray } from "../numerics/ndarray.ts";
 * import { equal } from "node:assert/strict";
 * // the example printed in torch's documentation of torch.randn
 * equal(formatTorch(NDArray.from([-2.1436, 0.9966, 2.3426, -0.6366])),
 *   "tensor([-2.1436,  0.9966,  2.3426, -0.6366])");
 * ```
 */
export function formatTorch(a: NDArray, options: TorchPrintOptions = {}): string {
  const what = `formatTorch: a ${a.ndim}-D tensor of shape (${a.shape.join(", ")})`;
  if (a.ndim < 1 || a.ndim > 2) throw new RangeError(`${what}: only 1-D and 2-D are done`);
  if (a.size === 0 || a.size > 1000) {
    throw new RangeError(`${what}: only 1 to 1000 entries are done (torch summarises above)`);
  }
  if (![...a.data].every(Number.isFinite)) {
    throw new RangeError(`${what}: NaN and ±inf are not done`);
  }
  const nonzero = [...a.data].filter((v) => v !== 0);
  const abs = nonzero.map(Math.abs), lo = Math.min(...abs), hi = Math.max(...abs);
  if (!nonzero.length || nonzero.every(Number.isInteger)) {
    throw new RangeError(`${what}: all integers, which torch prints as "1." (not done)`);
  }
  if (hi / lo > 1000 || hi > 1e8 || lo < 1e-4) {
    throw new RangeError(
      `${what}: |values| from ${lo} to ${hi}, which torch prints in scientific notation (not done)`,
    );
  }
  const width = Math.max(...nonzero.map((v) => pyFixed(v, 4).length));
  const indent = "tensor(".length;
  const row = (values: number[], at: number) => {
    const perLine = Math.max(1, Math.floor((80 - at) / (width + 2)));
    const lines: string[] = [];
    for (let i = 0; i < values.length; i += perLine) {
      lines.push(values.slice(i, i + perLine).map((v) => pyFixed(v, 4).padStart(width)).join(", "));
    }
    return `[${lines.join(",\n" + " ".repeat(at + 1))}]`;
  };
  const rows = a.ndim === 1
    ? [row([...a.data], indent)]
    : Array.from({ length: a.shape[0] }, (_, i) => row([...a.take(0, i).data], indent + 1));
  let text = `tensor(${a.ndim === 1 ? rows[0] : `[${rows.join(",\n" + " ".repeat(indent + 1))}]`}`;
  let last = text.length - text.lastIndexOf("\n") + 1; // torch counts one more than the line
  const suffixes = [
    ...(options.dtype === "float64" ? ["dtype=torch.float64"] : []),
    ...(options.requiresGrad ? ["requires_grad=True"] : []),
  ];
  for (const suffix of suffixes) {
    const wrap = last + suffix.length + 2 > 80;
    text += wrap ? `,\n${" ".repeat(indent)}${suffix}` : `, ${suffix}`;
    last = wrap ? indent + suffix.length : last + suffix.length + 2;
  }
  return `${options.parameter ? "Parameter containing:\n" : ""}${text})`;
}

/** True when running inside a Jupyter kernel (`Deno.jupyter` exists only there). */
export function inJupyter(): boolean {
  try {
    // Outside the kernel, merely reading `Deno.jupyter` throws.
    // deno-lint-ignore no-explicit-any
    return typeof (Deno as any).jupyter?.display === "function";
  } catch {
    return false;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * What kind of text is being printed right now, outside Jupyter: `"display"` while a rich
 * display's text form is printed (in a notebook it would be an HTML table or a chart),
 * `"table"` while a lesson's published-value table is, `null` for ordinary output. The
 * lesson runner reads it (`--quiet` keeps only the table; the notebook comparison test
 * compares only ordinary output).
 */
export let printing: "display" | "table" | null = null;

/** Prints the text form of something that is a rich display in Jupyter (see {@link printing}). */
export function printRich(text: string, kind: "display" | "table" = "display"): void {
  const before = printing;
  printing = kind;
  try {
    console.log(text);
  } finally {
    printing = before;
  }
}

/** A MIME bundle for Jupyter's rich display; `text/plain` is always included. */
export type MimeBundle = Record<string, unknown> & { "text/plain": string };

/**
 * Displays a rich MIME bundle in Jupyter, or prints its `text/plain` elsewhere.
 * Outside the kernel this is just `console.log`.
 */
export async function display(bundle: MimeBundle): Promise<void> {
  if (inJupyter()) {
    // deno-lint-ignore no-explicit-any
    const jupyter = (Deno as any).jupyter;
    await jupyter.display(bundle, { raw: true });
  } else {
    printRich(bundle["text/plain"]);
  }
}

/**
 * Prints `label = <array>` the numpy way. In Jupyter it shows the array as an HTML table
 * (one row per row of a matrix); await it there, so the display reaches its own cell.
 */
export async function show(
  label: string,
  value: NDArray | number,
  options: PrintOptions = {},
): Promise<void> {
  const text = formatArray(value, options);
  // The value on a line of its own when it is several lines, or would not fit 100 columns.
  const plain = text.includes("\n") || [...label].length + text.length + 3 > 100
    ? `${label} =\n${text}`
    : `${label} = ${text}`;
  if (typeof value === "number" || value.ndim === 0 || value.ndim > 2) {
    console.log(plain);
    return;
  }
  if (!inJupyter()) {
    printRich(plain); // an HTML table in a notebook
    return;
  }
  const rows = value.ndim === 1
    ? [value]
    : [...Array(value.shape[0]).keys()].map((i) => value.take(0, i));
  const html = `<div><code>${escapeHtml(label)}</code> <small>shape ${
    value.ndim === 1 ? `(${value.shape[0]},)` : `(${value.shape.join(",")})`
  }</small><table style="font-family:monospace">${
    rows.map((r) =>
      `<tr>${
        [...r.data].map((x) =>
          `<td style="text-align:right">${
            escapeHtml(formatArray(x, { ...options, suppress: true }))
          }</td>`
        ).join("")
      }</tr>`
    ).join("")
  }</table></div>`;
  await display({ "text/plain": plain, "text/html": html });
}

/** Options of {@link showTable}. */
export interface TableOptions {
  /** A line printed above the table. */
  title?: string;
  /** How a number is written (default: integers as they are, others with 3 significant digits). */
  format?: (v: number, column: string) => string;
}

function cellText(v: unknown, column: string, options: TableOptions): string {
  if (typeof v !== "number") return String(v);
  if (options.format) return options.format(v, column);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2);
}

/**
 * Shows rows of named values as a table: aligned text columns in a terminal (numbers right,
 * text left, no frame: narrower than `console.table`), an HTML table in Jupyter. Every row
 * has every column that any row has (blank where a row has none), in order of appearance.
 *
 * ```ts
 * import { showTable } from "./display.ts";
 * await showTable([{ seed: 0, error: 1.5e-9 }, { seed: 1, error: 2.25e-8 }]);
 * // seed     error
 * //    0  1.50e-9
 * //    1  2.25e-8
 * ```
 */
export async function showTable(
  rows: readonly Record<string, unknown>[],
  options: TableOptions = {},
): Promise<void> {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => columns.map((c) => (c in r ? cellText(r[c], c, options) : "")));
  const numeric = columns.map((c) => rows.every((r) => !(c in r) || typeof r[c] === "number"));
  const width = columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const pad = (s: string, j: number) => (numeric[j] ? s.padStart(width[j]) : s.padEnd(width[j]));
  const lines = [columns.map(pad), ...cells.map((r) => r.map(pad))].map((r) =>
    r.join("  ").trimEnd()
  );
  const plain = [...(options.title ? [options.title] : []), ...lines].join("\n");
  const th = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = cells.map((r) =>
    `<tr>${
      r.map((s, j) =>
        `<td style="text-align:${numeric[j] ? "right" : "left"};font-family:monospace">${
          escapeHtml(s)
        }</td>`
      ).join("")
    }</tr>`
  ).join("");
  const caption = options.title ? `<p>${escapeHtml(options.title)}</p>` : "";
  await display({
    "text/plain": plain,
    "text/html":
      `<div>${caption}<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`,
  });
}

/**
 * Wraps a long line of prose-like output at spaces to `width` terminal columns (default 100,
 * what the terminal run and the notebooks keep to; wide characters count two), continuation
 * lines indented by `indent`, the first line by `first`.
 *
 * ```ts
 * import { wrapLine } from "./display.ts";
 * import { equal } from "node:assert/strict";
 * equal(wrapLine("aaa bbb ccc", 7), "aaa bbb\n  ccc");
 * equal(wrapLine("ratio 7.8e+9 ≥ 1", 14), "ratio 7.8e+9\n  ≥ 1");
 * ```
 */
export function wrapLine(text: string, width = 100, indent = "  ", first = ""): string {
  const lines: string[] = [];
  let line = first;
  // A relation keeps its right-hand side on its line ("≥ 1", never "≥" then "1" alone below).
  const words = text.replace(/ ([≤≥<>=]) (?=\S)/g, " $1\u0001").split(" ");
  for (const word of words.map((w) => w.replace("\u0001", " "))) {
    const candidate = line.trim() === "" ? line + word : `${line} ${word}`;
    if (displayWidth(candidate) > width && line.trim() !== "") {
      lines.push(line);
      line = indent + word;
    } else line = candidate;
  }
  lines.push(line);
  return lines.join("\n");
}
