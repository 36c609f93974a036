/**
 * A correctly rounded fused multiply-add for JavaScript, which has none: `fma(a, b, c)` is
 * `a·b + c` computed exactly and rounded once, to nearest, ties to even — what the x86-64
 * `vfmadd` instructions (and C's `fma`) return. BLAS kernels on CPUs with FMA accumulate
 * dot products this way, so reproducing their last digits needs it.
 *
 * Two methods, one answer:
 *
 * 1. **Error-free transformations** (the fast path, for operands well inside the normal
 *    range): Dekker's TwoProduct splits `a·b = uh + ul` exactly (Veltkamp splitting, no
 *    FMA needed), Knuth's TwoSum gives `c + uh = th + tl` exactly, then
 *    `v = RO(tl + ul)` is added in *round-to-odd* (emulated: round to nearest, recover the
 *    error with TwoSum, and if the sum was inexact and landed on an even significand, step
 *    one ULP towards the error) and finally `RN(th + v)`. Boldo and Melquiond proved this
 *    sequence returns the correctly rounded `a·b + c` in binary floating point when nothing
 *    underflows or overflows ("Emulation of FMA and correctly rounded sums: proved
 *    algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008).
 * 2. **Exact integers** (everything else: huge or tiny operands, subnormal or tiny results,
 *    overflow): each double is an integer times a power of two, so `a·b + c = M·2^E` with a
 *    `BigInt` M; rounding M·2^E to 53 bits (fewer in the subnormal range) with ties to even
 *    is a shift and a comparison of the remainder with half.
 *
 * Special values follow IEEE 754: NaN in, NaN out; `∞·0` is NaN; `∞ − ∞` is NaN; an exact
 * zero result is +0 unless both `a·b` and `c` are zeros of the same negative sign.
 *
 * ```ts
 * import { fma } from "./fma.ts";
 * import { equal } from "node:assert/strict";
 * const a = 1 + 2 ** -30;
 * equal(a * a - 1, 2 ** -29);              // two roundings lose the 2^-60
 * equal(fma(a, a, -1), 2 ** -29 + 2 ** -60); // one rounding keeps it
 * ```
 *
 * @module
 */

// Bounds of the fast path: far enough inside the normal range that the splitting cannot
// overflow, the product's error term is representable, and the result is not subnormal.
import { twoProduct } from "./summation.ts";

const BIG = 2 ** 995;
const SMALL = 2 ** -900;
const TINY_RESULT = 2 ** -960;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: u32[0] low word, u32[1] high word

/** `x + y` rounded to odd: the truncated sum, with its last bit set if it was inexact. */
function addRoundToOdd(x: number, y: number): number {
  const s = x + y;
  const z = s - x;
  const e = (x - (s - z)) + (y - z); // s + e = x + y exactly (Knuth's TwoSum)
  if (e === 0) return s;
  f64[0] = s;
  if ((u32[0] & 1) === 1) return s; // already odd
  // s is even and inexact: the odd neighbour on the side of the exact value.
  const away = (s > 0) === (e > 0); // towards larger magnitude?
  if (away) {
    u32[0] += 1; // the low word is even, so no carry
  } else if (u32[0] === 0) {
    u32[1] -= 1;
    u32[0] = 0xffffffff;
  } else {
    u32[0] -= 1;
  }
  return f64[0];
}

/** The fast path (Boldo–Melquiond); callers guarantee the operands are in range. */
function fmaEft(a: number, b: number, c: number): number {
  const [uh, ul] = twoProduct(a, b); // a·b = uh + ul exactly
  const th = c + uh;
  const z = th - c;
  const tl = (c - (th - z)) + (uh - z); // c + uh = th + tl
  return th + addRoundToOdd(tl, ul);
}

/** A finite double as `[m, e]` with value `m · 2^e`, `m` a signed BigInt (exact). */
export function decompose(x: number): [bigint, number] {
  f64[0] = x;
  const hi = u32[1];
  const lo = u32[0];
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = -1074;
  if (biased !== 0) {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  return [hi >>> 31 ? -m : m, e];
}

function bitLength(m: bigint): number {
  // m > 0. toString(16) is exact and fast; count the bits of the leading hex digit.
  const h = m.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0], 16)));
}

/**
 * `q · 2^e` (q > 0) rounded to `bits` significant bits, ties to even, keeping no bit below
 * `2^minExp` (the subnormal grid): the result is `q' · 2^k` with `q' ≤ 2^bits`. The shared
 * step of rounding an exact value to doubles (53, −1074) and to float32 (24, −149).
 */
export function roundToBits(
  q: bigint,
  e: number,
  bits: number,
  minExp: number,
): { q: bigint; k: number } {
  const shift = Math.max(bitLength(q) - bits, minExp - e);
  if (shift <= 0) return { q, k: e };
  const s = BigInt(shift);
  const rest = q & ((1n << s) - 1n);
  let r = q >> s;
  const half = 1n << (s - 1n);
  if (rest > half || (rest === half && (r & 1n) === 1n)) r += 1n;
  return { q: r, k: e + shift };
}

/**
 * `m · 2^e` rounded to the nearest double, ties to even (subnormals and overflow to ±∞
 * included). `m` may be any BigInt; 0 gives +0.
 */
export function roundScaled(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const negative = m < 0n;
  let { q, k } = roundToBits(negative ? -m : m, e, 53, -1074);
  // q ≤ 2^53 is exact as a number, and q·2^k lies on the double grid (or overflows to ∞).
  // 2^k alone may overflow while the product does not (q < 1 impossible; q ≥ 1): split it.
  let r = Number(q);
  if (k > 1023) {
    r *= 2 ** 1023;
    k -= 1023;
  }
  r *= 2 ** k;
  return negative ? -r : r;
}

/** `a·b + c` exactly (as `M · 2^E`), then rounded once; a, b, c finite. */
function fmaExact(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const mp = ma * mb;
  const ep = ea + eb;
  if (mp === 0n && mc === 0n) return a * b + c; // IEEE's rule for the sign of a zero sum
  let m: bigint;
  let e: number;
  if (ep <= ec) {
    m = mp + (mc << BigInt(ec - ep));
    e = ep;
  } else {
    m = (mp << BigInt(ep - ec)) + mc;
    e = ec;
  }
  return roundScaled(m, e); // an exact cancellation gives +0, as round-to-nearest does
}

/**
 * `a·b + c` with a single rounding (to nearest, ties to even), as IEEE 754's
 * fusedMultiplyAdd; see the module doc for the method.
 */
export function fma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) {
    // NaN or ∞ among the inputs. A finite product plus ±∞ is ±∞ even if a·b overflows;
    // otherwise the product is exact (±∞, or NaN for 0·∞) and so is the sum.
    if (Number.isFinite(a) && Number.isFinite(b) && !Number.isNaN(c)) return c;
    return a * b + c;
  }
  if (a === 0 || b === 0) return a * b + c; // exact product ±0, one rounding of the sum
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const ac = Math.abs(c);
  const p = aa * ab;
  if (
    aa < BIG && ab < BIG && aa > SMALL && ab > SMALL && p > SMALL && p < BIG && ac < BIG
  ) {
    const r = fmaEft(a, b, c);
    if (Math.abs(r) > TINY_RESULT) return r;
  }
  return fmaExact(a, b, c);
}

/** `Σ x_i y_i` computed exactly (BigInt) and rounded once: the correctly rounded dot product. */
export function dotExact(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) {
    throw new RangeError(`dotExact: vectors of lengths ${x.length} and ${y.length}`);
  }
  const terms: [bigint, number][] = [];
  let zero = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new RangeError(`dotExact: term ${i} is ${x[i]} · ${y[i]}, not finite`);
    }
    const [mx, ex] = decompose(x[i]);
    const [my, ey] = decompose(y[i]);
    terms.push([mx * my, ex + ey]);
    zero += x[i] * y[i] === 0 ? 0 : 1;
  }
  if (terms.length === 0 || zero === 0) return 0;
  const e = Math.min(...terms.map(([, t]) => t));
  let m = 0n;
  for (const [mt, et] of terms) m += mt << BigInt(et - e);
  return roundScaled(m, e);
}

/** `fma` by the exact method only (slow): for tests and for checking the fast path. */
export function fmaByIntegers(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return fma(a, b, c);
  return fmaExact(a, b, c);
}
