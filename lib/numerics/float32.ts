/**
 * float32 arithmetic for JavaScript, which computes only in float64.
 *
 * - `add32`, `sub32`, `mul32`, `div32`: one float64 operation, then `Math.fround`. For
 *   float32 operands this is the correctly rounded float32 result: float64 has more than
 *   2·24 + 2 bits, so rounding first to float64 and then to float32 cannot double-round for
 *   `+ − × ÷` (Figueroa, "When is double rounding innocuous?", SIGNUM 1995).
 * - `fma32(a, b, c)`: `a·b + c` rounded once to float32. `Math.fround(a * b + c)` is *not*
 *   that: the product of two float32 is exact in float64, but the float64 sum can round onto
 *   a float32 midpoint, and the second rounding then breaks the tie the wrong way. We
 *   compute the float64 sum and its exact error (Knuth's TwoSum); only when the sum landed
 *   exactly on a float32 midpoint with a non-zero error does the error decide the side.
 *   `fma32ByIntegers` does the same with BigInt integers, for tests.
 * - `numpyPrints32(x)`: the text numpy prints for a float32 array element in positional
 *   notation (`precision=8`, `floatmode="maxprec"`): the shortest decimal that identifies
 *   the float32 *if it has at most 8 digits after the point*, otherwise the value rounded
 *   to 8 digits after the point (ties to even). Below 0.1 such a text can name several
 *   float32 values: `numpyPrints32(x) === text` is the test "x prints as text".
 *
 * ```ts
 * import { fma32, numpyPrints32 } from "./float32.ts";
 * import { equal } from "node:assert/strict";
 * const a = Math.fround(1 + 2 ** -12);
 * equal(fma32(a, a, -1), Math.fround(2 ** -11 + 2 ** -24));
 * equal(numpyPrints32(Math.fround(0.1)), "0.1");
 * equal(numpyPrints32(Math.fround(1 / 512)), "0.00195312"); // 0.001953125: a tie, to even
 * ```
 *
 * @module
 */
import { decompose, roundToBits } from "./fma.ts";

/** Rounds to the nearest float32 (ties to even). */
export const f32 = Math.fround;

/** Whether `x` is exactly a float32 value (NaN and ±∞ included). */
export function isFloat32(x: number): boolean {
  return Number.isNaN(x) || Math.fround(x) === x;
}

function need32(name: string, xs: number[]): void {
  for (let i = 0; i < xs.length; i++) {
    if (!isFloat32(xs[i])) {
      throw new RangeError(`${name}: operand ${i + 1} (${xs[i]}) is not a float32 value`);
    }
  }
}

/** float32 `a + b`, correctly rounded. */
export const add32 = (a: number, b: number): number => Math.fround(a + b);
/** float32 `a − b`, correctly rounded. */
export const sub32 = (a: number, b: number): number => Math.fround(a - b);
/** float32 `a · b`, correctly rounded. */
export const mul32 = (a: number, b: number): number => Math.fround(a * b);
/** float32 `a / b`, correctly rounded. */
export const div32 = (a: number, b: number): number => Math.fround(a / b);

/** Is the double `s` exactly halfway between two adjacent float32 values? */
function isMidpoint32(s: number): boolean {
  if (s === 0 || !Number.isFinite(s)) return false;
  const a = Math.abs(s);
  if (a >= 2 ** 128) return false;
  // The float32 grid spacing at |s| (subnormal spacing 2^-149 below 2^-126).
  const e = Math.max(Math.floor(Math.log2(a)), -126);
  // log2 can be off by one near powers of two: correct it.
  let k = e;
  if (2 ** k > a) k--;
  else if (2 ** (k + 1) <= a) k++;
  const spacing = 2 ** (Math.max(k, -126) - 23);
  const q = a / spacing; // exact: a power-of-two scaling
  return q - Math.floor(q) === 0.5;
}

/** The float32 neighbour of float32 `x` in the direction of `dir` (+1 up, −1 down). */
export function next32(x: number, dir: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  let bits = view.getUint32(0);
  if (x === 0) {
    bits = dir > 0 ? 1 : 0x80000001;
  } else if ((x > 0) === (dir > 0)) bits += 1;
  else bits -= 1;
  view.setUint32(0, bits >>> 0);
  return view.getFloat32(0);
}

/**
 * `a·b + c` for float32 `a, b, c`, rounded once to the nearest float32 (ties to even), as
 * IEEE 754's fusedMultiplyAdd in binary32 (CUDA's `fmaf`, x86's `vfmadd…ps`). Operands that
 * are not float32 values are an error.
 */
export function fma32(a: number, b: number, c: number): number {
  need32("fma32", [a, b, c]);
  const p = a * b; // exact: 24 + 24 bits fit in 53, exponents far inside float64's range
  if (!Number.isFinite(p) || !Number.isFinite(c)) return Math.fround(p + c);
  if (p === 0 || c === 0) return Math.fround(p + c); // one rounding (signed zeros as IEEE)
  const s = p + c;
  const z = s - p;
  const err = (p - (s - z)) + (c - z); // s + err = p + c exactly
  const r = Math.fround(s);
  if (err === 0 || !isMidpoint32(s)) return r;
  // s sits on a float32 midpoint but the exact sum is beyond it, on err's side.
  const lo = Math.fround(s - Math.abs(s) * 2 ** -30); // the float32 below the midpoint
  const hi = next32(lo, 1);
  return err > 0 ? hi : lo;
}

/** `m · 2^e` rounded to the nearest float32, ties to even (subnormals, overflow to ±∞). */
export function roundScaled32(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const negative = m < 0n;
  const { q, k } = roundToBits(negative ? -m : m, e, 24, -149);
  // q ≤ 2^24: q·2^k is a float32 unless it overflows float32's range.
  const r = Number(q) * 2 ** k;
  const out = r >= 2 ** 128 ? Infinity : r;
  return negative ? -out : out;
}

/** `fma32` by exact integers only (slow): the reference for tests. */
export function fma32ByIntegers(a: number, b: number, c: number): number {
  need32("fma32ByIntegers", [a, b, c]);
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) {
    return Math.fround(a * b + c);
  }
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const mp = ma * mb;
  const ep = ea + eb;
  if (mp === 0n && mc === 0n) return Math.fround(a * b + c); // IEEE's signed-zero rule
  const e = Math.min(ep, ec);
  const m = (mp << BigInt(ep - e)) + (mc << BigInt(ec - e));
  return roundScaled32(m, e);
}

/** The float32 bit pattern as a signed ordinal: adjacent float32 values differ by 1. */
export function ordinal32(x: number): number {
  need32("ordinal32", [x]);
  if (Number.isNaN(x)) throw new RangeError("ordinal32: NaN has no place on the float32 line");
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const bits = view.getUint32(0);
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

/** How many float32 steps from `a` to `b` (signed, `b − a`); ±0 are the same point. */
export function ulps32(a: number, b: number): number {
  return ordinal32(b) - ordinal32(a);
}

// ---- numpy's printing ------------------------------------------------------------------

/** x = n / d exactly, d a power of two. */
function fraction32(x: number): [bigint, bigint] {
  const [m, e] = decompose(x);
  return e >= 0 ? [m << BigInt(e), 1n] : [m, 1n << BigInt(-e)];
}

/** Round n/d (n ≥ 0, d > 0) to an integer, ties to even. */
function roundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r2 = 2n * (n - q * d);
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/**
 * The text numpy (1.14 and later) prints for float32 `x` as an element of an array in
 * positional notation, `np.set_printoptions` defaults (`precision=8`, `floatmode="maxprec"`),
 * without padding: `"-0.02345729"`, `"0.3758163"`, `"1."`. numpy switches a whole array to
 * scientific notation when an element is below 1e-4 or (for float32, as numpy 2.4 does) at
 * least 1e6 in magnitude, or the largest exceeds 1000× the smallest; this function refuses such magnitudes rather than
 * guess the array around them.
 */
export function numpyPrints32(x: number): string {
  need32("numpyPrints32", [x]);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  // numpy compares in float32: float32(1e-4), just below the float64 1e-4, is still positional.
  if (a !== 0 && (a < Math.fround(1e-4) || a >= 1e6)) {
    throw new RangeError(
      `numpyPrints32: |${x}| is outside [1e-4, 1e6), where numpy prints in scientific notation`,
    );
  }
  if (a === 0) return sign + "0.";
  const [n, d] = fraction32(a);
  // The rounding interval of a: halfway to each float32 neighbour.
  const up = next32(a, 1);
  const down = next32(a, -1);
  const [nu, du] = fraction32(up);
  const [nd, dd] = fraction32(down);
  // Common denominator D (the largest power of two among them), times 2 for the midpoints.
  const D = [d, du, dd].reduce((p, q) => (p > q ? p : q)) * 2n;
  const X = n * (D / d); // a·D
  const hiB = (X + nu * (D / du)) / 2n; // (a + up)/2 · D, exact: both terms are even
  const loB = (X + nd * (D / dd)) / 2n; // (a + down)/2 · D
  const even = inclusiveBounds(a);
  const inside = (k: bigint, p: bigint) => {
    // Is k / p (decimal) inside the interval? k·D vs bound·p
    const v = k * D;
    const lo = loB * p;
    const hi = hiB * p;
    return even ? v >= lo && v <= hi : v > lo && v < hi;
  };
  for (let digits = 0; digits <= 8; digits++) {
    const p = 10n ** BigInt(digits);
    const k = roundHalfEven(n * p, d); // nearest candidate with this many digits
    if (inside(k, p)) return sign + layout(k, digits);
    for (const alt of [k - 1n, k + 1n]) {
      if (alt >= 0n && inside(alt, p)) return sign + layout(alt, digits);
    }
  }
  return sign + layout(roundHalfEven(n * 10n ** 8n, d), 8);
}

/** Ties-to-even parsing keeps a boundary iff the float32's significand is even. */
function inclusiveBounds(a: number): boolean {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, a);
  return (view.getUint32(0) & 1) === 0;
}

/** k / 10^digits as "int.frac" with trailing zeros of the fraction dropped ("1." kept). */
function layout(k: bigint, digits: number): string {
  const s = k.toString().padStart(digits + 1, "0");
  const int = s.slice(0, s.length - digits);
  const frac = s.slice(s.length - digits).replace(/0+$/, "");
  return `${int}.${frac}`;
}

/**
 * Every float32 value numpy prints as `text` (see {@link numpyPrints32}), in increasing
 * order. From 0.1 up a text names one float32; below 0.1 numpy's 8 digits after the point
 * can fit several (`"0.01066787"` fits 11). The values form one run on the float32 line,
 * walked from the float32 nearest the decimal.
 */
export function admissible32(text: string): number[] {
  const x = Math.fround(Number(text));
  if (!Number.isFinite(x) || text.trim() === "") {
    throw new RangeError(`admissible32: "${text}" is not a finite number`);
  }
  if (numpyPrints32(x) !== text) {
    throw new RangeError(
      `admissible32: "${text}" is not a numpy float32 print (the nearest float32 prints "${
        numpyPrints32(x)
      }")`,
    );
  }
  // A neighbour numpy would print in scientific notation is not this text.
  const printsAs = (v: number) => {
    try {
      return numpyPrints32(v) === text;
    } catch {
      return false;
    }
  };
  const out = [x];
  for (let v = next32(x, -1); printsAs(v); v = next32(v, -1)) out.unshift(v);
  for (let v = next32(x, 1); printsAs(v); v = next32(v, 1)) out.push(v);
  return out;
}

/** Every float32 value in the closed interval [lo, hi] (float64 bounds), in order. */
export function float32sIn(lo: number, hi: number): number[] {
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new RangeError(`float32sIn: [${lo}, ${hi}] is not a finite interval`);
  }
  let v = Math.fround(lo);
  if (v < lo) v = next32(v, 1);
  const out: number[] = [];
  for (; v <= hi; v = next32(v, 1)) {
    out.push(v);
    if (out.length > 1_000_000) throw new RangeError(`float32sIn: [${lo}, ${hi}] is too wide`);
  }
  return out;
}

// ---- float32 sums and dot products -------------------------------------------------------

/** How a float32 sum is ordered. */
export type Sum32Order = "sequential" | "pairwise" | "blocked4" | "blocked8";

/** The float32 terms `x` summed in the given order, each addition rounded to float32. */
export function sum32(x: number[], order: Sum32Order = "sequential"): number {
  if (x.length === 0) return 0;
  if (order === "sequential") {
    let s = x[0];
    for (let i = 1; i < x.length; i++) s = add32(s, x[i]);
    return s;
  }
  if (order === "pairwise") {
    if (x.length === 1) return x[0];
    const h = Math.ceil(x.length / 2);
    return add32(sum32(x.slice(0, h), "pairwise"), sum32(x.slice(h), "pairwise"));
  }
  // blocked: lanes accumulate every w-th term (as SIMD registers do), then the lanes are
  // added in order.
  const w = order === "blocked4" ? 4 : 8;
  const lanes: number[] = [];
  for (let i = 0; i < x.length; i++) {
    lanes[i % w] = lanes[i % w] === undefined ? x[i] : add32(lanes[i % w], x[i]);
  }
  return sum32(lanes, "sequential");
}

/**
 * A float32 dot product: with `fused`, a sequential chain of `fma32` (each step
 * `fma32(x_i, y_i, s)`), otherwise the rounded products summed in `order`.
 */
export function dot32(
  x: number[],
  y: number[],
  order: Sum32Order = "sequential",
  fused = false,
): number {
  if (x.length !== y.length) {
    throw new RangeError(`dot32: vectors of lengths ${x.length} and ${y.length}`);
  }
  if (fused && order === "sequential") {
    let s = 0;
    for (let i = 0; i < x.length; i++) s = fma32(x[i], y[i], s);
    return s;
  }
  if (fused) {
    // Pairwise/blocked with fused leaves: each lane is an fma chain.
    const w = order === "blocked4" ? 4 : order === "blocked8" ? 8 : 2;
    const lanes: number[] = new Array(Math.min(w, x.length)).fill(0);
    for (let i = 0; i < x.length; i++) lanes[i % w] = fma32(x[i], y[i], lanes[i % w]);
    return sum32(lanes, order === "pairwise" ? "pairwise" : "sequential");
  }
  return sum32(x.map((v, i) => mul32(v, y[i])), order);
}
