/**
 * The numbers each source printed, and how to compare ours with them.
 *
 * `data/published/NN_slug.json` records, for one lesson, the source document's title and
 * every value it printed: the printed text, the value(s) parsed from it and the tolerance
 * the comparison allows, with the reason for that tolerance. A printed decimal carries
 * half a unit of its last digit of uncertainty ({@link halfUnit}); a lesson may add a
 * roundoff allowance it derives from the computation (see {@link gamma}).
 *
 * ```ts
 * import { halfUnit, parsePrinted } from "./published.ts";
 * import { equal, deepEqual } from "node:assert/strict";
 * equal(halfUnit("0.80517166"), 5e-9);
 * equal(halfUnit("[-0.99999375  0.77911235]"), 5e-9);
 * deepEqual(parsePrinted("[0.5 -1.25e-3]"), [0.5, -0.00125]);
 * ```
 *
 * @module
 */

/** One printed value of a source. */
export interface PublishedValue {
  /** The expression the source printed, e.g. `gradients["dxt"][1][2]`. */
  name: string;
  /** The text exactly as printed. */
  printed: string;
  /** The value(s) read from `printed` (a number, or the flattened numbers of an array/shape). */
  value: number | number[];
  /** Largest allowed |ours − published| for each number. */
  tolerance: number;
  /** Why that tolerance: how the number was printed and computed. */
  why: string;
}

/** A lesson's published-values file. */
export interface PublishedFile {
  lesson: number;
  slug: string;
  title: string;
  source: { document: string; title: string; note?: string };
  values: PublishedValue[];
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;

/** All numbers in a printed text, in order: `"[0.5 -1.]"` → `[0.5, -1]`. */
export function parsePrinted(text: string): number[] {
  return (text.match(NUMBER) ?? []).map(Number);
}

/**
 * Half a unit of the last printed digit: `"0.80517166"` → 5e-9, `"1.5e-03"` → 5e-5 · 1e-3.
 * In a numpy array print (`[…]`) every element was rounded to the same number of decimals
 * and trailing zeros were dropped (`-1.1425182` stands for `-1.14251820`), so the half
 * unit is that of the element printed with the most decimals.
 */
export function halfUnit(text: string): number {
  const halves = (text.match(NUMBER) ?? []).map((tok) => {
    const [mant, exp] = tok.toLowerCase().split("e");
    const frac = mant.includes(".") ? mant.split(".")[1].length : 0;
    return 0.5 * 10 ** (-frac + (exp === undefined ? 0 : Number(exp)));
  });
  if (halves.length === 0) return 0;
  const h = text.trim().startsWith("[") ? Math.min(...halves) : Math.max(...halves);
  return Number(h.toPrecision(12));
}

/** Unit roundoff of IEEE double precision, 2^-53. */
export const UNIT_ROUNDOFF = 2 ** -53;

/**
 * Higham's γ_n = n·u / (1 − n·u): a sum or dot product of n terms computed in floating
 * point in any order is within γ_n · Σ|terms| of the exact value. Two correct float64
 * evaluations of the same expression can therefore differ by up to 2·γ_n · Σ|terms|.
 */
export function gamma(n: number, u = UNIT_ROUNDOFF): number {
  if (!(n >= 0) || n * u >= 1) throw new RangeError(`gamma: n = ${n} is out of range`);
  return (n * u) / (1 - n * u);
}

/** Reads and validates `data/published/<file>.json` (relative to the project root). */
export function loadPublished(file: string | URL): PublishedFile {
  const url = file instanceof URL ? file : new URL(`../../data/published/${file}`, import.meta.url);
  let text: string;
  try {
    text = Deno.readTextFileSync(url);
  } catch (e) {
    throw new Error(`published values: cannot read ${url.pathname}: ${(e as Error).message}`);
  }
  const data = JSON.parse(text) as PublishedFile;
  const where = url.pathname.split("/").slice(-3).join("/");
  for (const key of ["lesson", "slug", "title", "source", "values"] as const) {
    if (data[key] === undefined) throw new Error(`published values: ${where} has no "${key}"`);
  }
  for (const v of data.values) {
    for (const key of ["name", "printed", "value", "tolerance", "why"] as const) {
      if (v[key] === undefined) {
        throw new Error(`published values: ${where}: entry "${v.name ?? "?"}" has no "${key}"`);
      }
    }
    const parsed = parsePrinted(v.printed);
    const value = Array.isArray(v.value) ? v.value : [v.value];
    if (parsed.length !== value.length || parsed.some((x, i) => x !== value[i])) {
      throw new Error(
        `published values: ${where}: entry "${v.name}": value ${
          JSON.stringify(v.value)
        } is not what "${v.printed}" says`,
      );
    }
  }
  return data;
}

function ordered(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

/**
 * How many float64 values lie between `a` and `b`, signed (`b` above `a` is positive):
 * the distance "in ULPs". 0 means the same double.
 *
 * ```ts
 * import { ulpDistance } from "./published.ts";
 * import { equal } from "node:assert/strict";
 * equal(ulpDistance(1, 1 + 2 ** -52), 1);
 * equal(ulpDistance(0.1 + 0.2, 0.3), -1);
 * ```
 */
export function ulpDistance(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`ulpDistance: ${a} and ${b} must both be finite`);
  }
  return Number(ordered(b) - ordered(a));
}

/**
 * How many float32 values lie between `a` and `b` (both rounded to float32 first), signed:
 * the distance in float32 ULPs.
 *
 * ```ts
 * import { ulpDistance32 } from "./published.ts";
 * import { equal } from "node:assert/strict";
 * equal(ulpDistance32(1, 1 + 2 ** -23), 1);
 * equal(ulpDistance32(-(2 ** -149), 2 ** -149), 2);
 * ```
 */
export function ulpDistance32(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`ulpDistance32: ${a} and ${b} must both be finite`);
  }
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  // Map the sign-magnitude bit patterns onto one ordered integer line (−0 and +0 both 0).
  const key = (i: number) => (i < 0 ? -(i & 0x7fffffff) : i);
  return key(bits[1]) - key(bits[0]);
}

/**
 * The spacing of doubles at `x` (one ULP): `2^(e − 52)` for `2^e ≤ |x| < 2^(e+1)`.
 *
 * ```ts
 * import { ulpOf } from "./published.ts";
 * import { equal } from "node:assert/strict";
 * equal(ulpOf(1), 2 ** -52);
 * equal(ulpOf(0.75), 2 ** -53);
 * ```
 */
export function ulpOf(x: number): number {
  const ax = Math.abs(x);
  if (ax === 0) return Number.MIN_VALUE;
  const e = Math.floor(Math.log2(ax));
  const exp = 2 ** e > ax ? e - 1 : 2 ** (e + 1) <= ax ? e + 1 : e;
  return 2 ** Math.max(exp - 52, -1074);
}
