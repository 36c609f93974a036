/**
 * Exact rational arithmetic for the tests' oracles, written independently of the library: a
 * float64 or float32 value becomes an exact fraction of BigInts (read from its bits), the
 * operation is done on fractions, and the fraction is rounded to the nearest value of the
 * format (ties to even, subnormals, overflow to ±∞) by long division. Used by
 * tests/fma_test.ts (float64) and tests/float32_test.ts (float32); each checks the oracle
 * against the hardware's correctly rounded `+ − × ÷` before trusting it.
 *
 * @module
 */

/** n/d, exactly; d is never zero (it may be negative after a division). */
export interface Fraction {
  n: bigint;
  d: bigint;
}

/** A binary floating-point format: its significand bits, its smallest exponent, its width. */
export interface Format {
  /** Significand bits, the hidden bit counted: 53 or 24. */
  precision: number;
  /** The exponent of the least subnormal: −1074 or −149. */
  minExp: number;
  /** The largest exponent plus one: a rounded value of 2^maxExp or more is ±∞. */
  maxExp: number;
  /** Bytes of the encoding, read through a DataView. */
  bytes: 8 | 4;
}

export const FLOAT64: Format = { precision: 53, minExp: -1074, maxExp: 1024, bytes: 8 };
export const FLOAT32: Format = { precision: 24, minExp: -149, maxExp: 128, bytes: 4 };

/** A finite value of `format` as an exact fraction (from its bits; ±0 become 0/1). */
export function toFraction(x: number, format: Format = FLOAT64): Fraction {
  const view = new DataView(new ArrayBuffer(8));
  let sign: bigint, biased: number, frac: bigint;
  if (format.bytes === 8) {
    view.setFloat64(0, x);
    const b = view.getBigUint64(0);
    sign = b >> 63n ? -1n : 1n;
    biased = Number((b >> 52n) & 0x7ffn);
    frac = b & ((1n << 52n) - 1n);
  } else {
    view.setFloat32(0, x);
    const b = view.getUint32(0);
    sign = b >>> 31 ? -1n : 1n;
    biased = (b >>> 23) & 0xff;
    frac = BigInt(b & 0x7fffff);
  }
  const hidden = 1n << BigInt(format.precision - 1);
  const m = biased === 0 ? frac : frac | hidden;
  const e = biased === 0 ? format.minExp : biased - 1 + format.minExp;
  return e >= 0 ? { n: sign * m * (1n << BigInt(e)), d: 1n } : { n: sign * m, d: 1n << BigInt(-e) };
}

export const add = (x: Fraction, y: Fraction): Fraction => ({
  n: x.n * y.d + y.n * x.d,
  d: x.d * y.d,
});
export const mul = (x: Fraction, y: Fraction): Fraction => ({ n: x.n * y.n, d: x.d * y.d });
export const neg = (x: Fraction): Fraction => ({ n: -x.n, d: x.d });
export const div = (x: Fraction, y: Fraction): Fraction => ({ n: x.n * y.d, d: x.d * y.n });

/** The number of bits of a non-negative BigInt (0 for 0). */
export const bits = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

/**
 * The value of `format` nearest to n/d, ties to even, ±∞ at or beyond the largest value's
 * rounding boundary; a zero fraction gives +0 (the caller decides a zero's sign).
 */
export function roundFraction({ n, d }: Fraction, format: Format = FLOAT64): number {
  if (d < 0n) return roundFraction({ n: -n, d: -d }, format);
  if (n === 0n) return 0;
  const negative = n < 0n;
  const a = negative ? -n : n;
  // q = floor(a / (d·2^k)) with k chosen so that q has at most `precision` bits, and exactly
  // that many unless k is held at minExp (the subnormal grid): a/d lies in
  // (2^(ba−bd−1), 2^(ba−bd+1)).
  const divide = (k: number) => {
    const num = k < 0 ? a << BigInt(-k) : a;
    const den = k < 0 ? d : d << BigInt(k);
    return { q: num / den, r: num % den, den };
  };
  let k = Math.max(bits(a) - bits(d) - format.precision, format.minExp);
  let { q, r, den } = divide(k);
  if (bits(q) > format.precision) {
    k += 1;
    ({ q, r, den } = divide(k));
  }
  const c = 2n * r - den; // the remainder against half a unit
  if (c > 0n || (c === 0n && (q & 1n) === 1n)) q += 1n;
  // q·2^k with q ≤ 2^precision: scale in steps so no step overflows or underflows on its own;
  // downwards the result is on the grid, so every step is exact until the last.
  let v = Number(q);
  while (k > 0) {
    const step = Math.min(k, 1000);
    v *= 2 ** step;
    k -= step;
  }
  while (k < 0) {
    const step = Math.max(k, -1000);
    v *= 2 ** step;
    k -= step;
  }
  const out = v >= 2 ** format.maxExp ? Infinity : v;
  return negative ? -out : out;
}
