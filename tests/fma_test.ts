/**
 * lib/numerics/fma.ts against exact rational arithmetic. The oracle (tests/_exact.ts, shared with
 * tests/float32_test.ts) is written independently of the library: a double becomes an exact fraction of BigInts, `a·b + c` is computed on
 * fractions, and the fraction is rounded back to the nearest double (ties to even) by long
 * division. The oracle is itself checked against the hardware, whose `+` and `*` are
 * correctly rounded by IEEE 754: on random pairs, rounding the exact sum and the exact
 * product must give exactly `x + y` and `x * y`.
 */
import { equal, ok } from "node:assert/strict";
import { fma, fmaByIntegers, roundScaled } from "../lib/numerics/fma.ts";
import { add, type Fraction, mul, neg, roundFraction, toFraction } from "./_exact.ts";

// ---- the oracle ---------------------------------------------------------------------

/** The exact fma by the oracle, with IEEE 754's rules for special values and zeros. */
function fmaOracle(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) {
    if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c)) return NaN;
    const infProduct = !Number.isFinite(a) || !Number.isFinite(b);
    if (infProduct && (a === 0 || b === 0)) return NaN; // ∞ · 0
    if (infProduct) {
      const sp = Math.sign(a) * Math.sign(b);
      if (!Number.isFinite(c) && Math.sign(c) !== sp) return NaN; // ∞ − ∞
      return sp * Infinity;
    }
    return c; // finite product + ∞
  }
  const exact = add(mul(toFraction(a), toFraction(b)), toFraction(c));
  if (exact.n === 0n) {
    // An exact zero: −0 only when the product and c are both −0 (round to nearest). The
    // sign of a zero product is exact in hardware.
    const p = a * b;
    return (Object.is(p, -0) && Object.is(c, -0)) ? -0 : 0;
  }
  return roundFraction(exact);
}

// ---- random doubles -----------------------------------------------------------------

/** splitmix64: a seeded source of 64-bit words. */
function splitmix(seed: bigint) {
  let s = seed;
  const M = (1n << 64n) - 1n;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & M;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
}

const view = new DataView(new ArrayBuffer(8));
function fromBits(b: bigint): number {
  view.setBigUint64(0, b);
  return view.getFloat64(0);
}

function makeGen(seed: bigint) {
  const next = splitmix(seed);
  const u = () => Number(next() >> 11n) / 2 ** 53; // [0, 1)
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  /** A double with a random 53-bit significand, random sign, exponent in [lo, hi]. */
  const withExponent = (lo: number, hi: number) => {
    const e = int(lo, hi);
    const sig = 1 + Number(next() >> 12n) / 2 ** 52;
    return (u() < 0.5 ? -1 : 1) * sig * 2 ** e;
  };
  const anyFinite = () => {
    for (;;) {
      const x = fromBits(next());
      if (Number.isFinite(x)) return x;
    }
  };
  return { next, u, int, withExponent, anyFinite };
}

function check(a: number, b: number, c: number, label: string): void {
  const want = fmaOracle(a, b, c);
  const got = fma(a, b, c);
  if (!Object.is(got, want)) {
    throw new Error(`${label}: fma(${a}, ${b}, ${c}) = ${got}, exact rounding gives ${want}`);
  }
  const slow = fmaByIntegers(a, b, c);
  if (!Object.is(slow, want)) {
    throw new Error(`${label}: fmaByIntegers(${a}, ${b}, ${c}) = ${slow}, expected ${want}`);
  }
}

// ---- the oracle against the hardware ----------------------------------------------------

Deno.test("the oracle rounds exact sums and products as the hardware's + and * do", () => {
  const g = makeGen(7n);
  let n = 0;
  for (let i = 0; i < 20_000; i++) {
    const x = i % 2 ? g.anyFinite() : g.withExponent(-1074, 1023);
    const y = i % 3 ? g.anyFinite() : x * (1 + g.u() * 1e-15) * (g.u() < 0.5 ? -1 : 1);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const pairs: [Fraction, number][] = [
      [add(toFraction(x), toFraction(y)), x + y],
      [mul(toFraction(x), toFraction(y)), x * y],
    ];
    for (const [exact, hw] of pairs) {
      // (an exact zero's sign is a rule about zeros, tested below, not a rounding)
      const r = roundFraction(exact);
      if (exact.n === 0n ? r !== hw : !Object.is(r, hw)) {
        throw new Error(`oracle: ${x}, ${y}: ${r} vs hardware ${hw}`);
      }
      n++;
    }
  }
  ok(n > 39_000, `${n} comparisons`);
});

// ---- random triples ---------------------------------------------------------------------

Deno.test("fma is correctly rounded on 280,000 random triples (exact BigInt oracle)", () => {
  const g = makeGen(20261202n);
  const N = 40_000;
  // 1. typical magnitudes
  for (let i = 0; i < N; i++) {
    check(g.withExponent(-40, 40), g.withExponent(-40, 40), g.withExponent(-80, 80), "typical");
  }
  // 2. any finite bit patterns (huge, tiny, subnormal, overflowing products)
  for (let i = 0; i < N; i++) check(g.anyFinite(), g.anyFinite(), g.anyFinite(), "any bits");
  // 3. near-total cancellation: c ≈ −a·b, a few ULPs off
  for (let i = 0; i < N; i++) {
    const a = g.withExponent(-30, 30);
    const b = g.withExponent(-30, 30);
    const c = fromBitsNear(-(a * b), g.int(-3, 3));
    check(a, b, c, "cancellation");
  }
  // 4. results near and in the subnormal range, and near overflow
  for (let i = 0; i < N; i++) {
    const low = i % 2 === 0;
    const a = low ? g.withExponent(-560, -500) : g.withExponent(500, 530);
    const b = low ? g.withExponent(-560, -500) : g.withExponent(490, 500);
    const c = low ? (g.u() < 0.5 ? g.withExponent(-1074, -1000) : -fromBitsNear(a * b, 1)) : (
      g.u() < 0.5 ? g.withExponent(1015, 1023) : -a * b
    );
    check(a, b, c, low ? "subnormal range" : "overflow range");
  }
  // 5. halfway cases: integer operands whose exact sum is odd at 2^53..2^54 (spacing 2)
  for (let i = 0; i < N; i++) {
    const a = g.int(2 ** 26, 2 ** 27 - 1);
    const b = g.int(2 ** 26, 2 ** 27 - 1);
    const c = g.int(2 ** 53 - a * b + 1, 2 ** 54 - a * b - 1);
    const s = 2 ** g.int(-600, 600);
    check(a * s, b, c * s, "halfway");
  }
  // 6. mixed exponents (a·b and c far apart and close)
  for (let i = 0; i < N; i++) {
    const a = g.withExponent(-300, 300);
    const b = g.withExponent(-300, 300);
    const e = Math.round(Math.log2(Math.abs(a * b)));
    check(a, b, g.withExponent(e - 110, e + 110), "mixed");
  }
  // 7. the hard case for emulations: a·b = h·(1 + ε) with h exactly half an ULP of c, so
  //    c + a·b is a hair off a midpoint; rounding the product's tail to nearest (instead of
  //    to odd) before the last addition lands on the midpoint and breaks the tie wrongly.
  let offTie = 0;
  for (let i = 0; i < N; i++) {
    const c = g.withExponent(-200, 200);
    const h = (g.u() < 0.5 ? -0.5 : 0.5) * ulpAt(c);
    const a = g.withExponent(-3, 3);
    const b = h / a;
    if (a * b === h && fmaOracle(a, b, -h) !== 0) offTie++; // rounds onto h, not equal to it
    check(a, b, c, "a hair off a tie");
  }
  ok(offTie > N / 4, `only ${offTie} products rounded onto the half ULP`);
});

/** The spacing of doubles at x (x normal). */
function ulpAt(x: number): number {
  view.setFloat64(0, Math.abs(x));
  const e = Number(view.getBigUint64(0) >> 52n) - 1075;
  return 2 ** e;
}

/** The double `k` ULPs away from x (by bit pattern, same sign). */
function fromBitsNear(x: number, k: number): number {
  view.setFloat64(0, x);
  const b = view.getBigUint64(0) + BigInt(k);
  return fromBits(b & ((1n << 64n) - 1n));
}

// ---- adversarial cases ------------------------------------------------------------------

Deno.test("fma: the classic cases where two roundings differ from one", () => {
  const a = 1 + 2 ** -30;
  equal(fma(a, a, -1), 2 ** -29 + 2 ** -60);
  equal(a * a - 1, 2 ** -29);
  // x·x − x·x exposes the product's rounding error
  const x = 0.1;
  const p = x * x;
  ok(fma(x, x, -p) !== 0);
  equal(fma(x, x, -p), fmaOracle(x, x, -p));
  // 2^53 + 1 is a tie: ties to even
  equal(fma(2 ** 27, 2 ** 26, 1), 2 ** 53);
  equal(fma(2 ** 27, 2 ** 26, 3), 2 ** 53 + 4);
  // an exact tie goes to even; a tail of 2^-105 beyond it decides
  equal(fma(1, 2 ** -53, 1), 1);
  equal(fma(1 + 2 ** -52, 2 ** -53, 1), 1 + 2 ** -52);
  equal(fma(-(1 + 2 ** -52), 2 ** -54, 1), 1 - 2 ** -53);
});

Deno.test("fma: halfway ties, subnormal results, total cancellation, overflow", () => {
  const cases: [number, number, number][] = [
    // ties at every scale, including the subnormal one (2^-1075 is a tie between 0 and 2^-1074)
    [2 ** -538, 2 ** -537, 0],
    [2 ** -538, 2 ** -537, 2 ** -1074],
    [3 * 2 ** -538, 2 ** -537, 0], // 1.5 · 2^-1074: tie, to even (2^-1073)
    [5 * 2 ** -538, 2 ** -537, 0], // 2.5 · 2^-1074: tie, to even (2^-1073)
    [3 * 2 ** -538, 2 ** -538, 0], // 0.75 · 2^-1074: up to 2^-1074
    [2 ** -1074, 0.5, 0],
    [2 ** -1074, -0.5, 0], // rounds to −0
    [2 ** -1074, 0.5, -0],
    [-(2 ** -1074), 0.75, 0],
    // subnormal results from normal operands
    [1.5 * 2 ** -520, 1.25 * 2 ** -540, -(2 ** -1050)],
    [2 ** -1022, 0.5 + 2 ** -30, -(2 ** -1023)],
    [2 ** -1022, 1 - 2 ** -53, 0],
    [Number.MIN_VALUE, Number.MIN_VALUE, 0],
    [Number.MIN_VALUE, -Number.MIN_VALUE, 0],
    [Number.MIN_VALUE, 2 ** 1023, Number.MIN_VALUE],
    // total cancellation
    [3, 5, -15],
    [-3, 5, 15],
    [0.1, 0.3, -(0.1 * 0.3)],
    [1e308, 1e-308, -(1e308 * 1e-308)],
    [2 ** 600, 2 ** 400, -(2 ** 1000)],
    // overflow, and products that overflow while the sum does not
    [Number.MAX_VALUE, 2, -Number.MAX_VALUE],
    [Number.MAX_VALUE, 1 + 2 ** -52, 0],
    [Number.MAX_VALUE, 1, Number.MAX_VALUE],
    [2 ** 1023, 2, -(2 ** 1023)],
    [2 ** 1000, 2 ** 100, -Number.MAX_VALUE],
    [-(2 ** 1000), 2 ** 30, 0],
    [Number.MAX_VALUE, 1, 2 ** 970], // exactly the overflow tie: to ∞
    [Number.MAX_VALUE, 1, 2 ** 970 - 2 ** 918],
    // huge and tiny operands together
    [2 ** 1000, 2 ** -1074, 1],
    [2 ** -1074, 2 ** 1023, -(2 ** -51)],
    [Number.MAX_VALUE, Number.MIN_VALUE, 0],
  ];
  for (const [a, b, c] of cases) {
    check(a, b, c, "adversarial");
    check(b, a, c, "adversarial (swapped)");
    check(-a, b, -c, "adversarial (negated)");
  }
  equal(fma(3 * 2 ** -538, 2 ** -537, 0), 2 ** -1073);
  equal(fma(5 * 2 ** -538, 2 ** -537, 0), 2 ** -1073);
  equal(fma(3 * 2 ** -538, 2 ** -538, 0), 2 ** -1074);
  ok(Object.is(fma(2 ** -1074, -0.5, 0), -0));
  equal(fma(Number.MAX_VALUE, 2, -Number.MAX_VALUE), Number.MAX_VALUE);
  equal(fma(Number.MAX_VALUE, 1, 2 ** 970), Infinity);
  equal(fma(Number.MAX_VALUE, 1, 2 ** 970 - 2 ** 918), Number.MAX_VALUE);
});

Deno.test("fma: signed zeros follow IEEE 754 (round to nearest)", () => {
  const z = [0, -0];
  for (const a of [0, -0, 1, -1, 2 ** -1074]) {
    for (const b of [0, -0, 1, -1]) {
      for (const c of z) {
        const want = a * b + c; // a·b is exact here, so one rounding
        ok(Object.is(fma(a, b, c), want), `fma(${a}, ${b}, ${c})`);
        check(a, b, c, "signed zeros");
      }
    }
  }
  ok(Object.is(fma(-0, 1, -0), -0));
  ok(Object.is(fma(0, -1, -0), -0));
  ok(Object.is(fma(0, -1, 0), 0));
  ok(Object.is(fma(3, 5, -15), 0)); // exact cancellation: +0
  ok(Object.is(fma(-3, 5, 15), 0));
});

Deno.test("fma: NaN and infinities", () => {
  const I = Infinity;
  const cases: [number, number, number, number][] = [
    [NaN, 1, 1, NaN],
    [1, NaN, 1, NaN],
    [1, 1, NaN, NaN],
    [I, 0, 1, NaN],
    [0, -I, 1, NaN],
    [I, 0, NaN, NaN],
    [I, 1, -I, NaN],
    [I, -1, I, NaN],
    [I, 1, I, I],
    [-I, 1, 5, -I],
    [I, -2, -I, -I],
    [1, 1, -I, -I],
    [Number.MAX_VALUE, 2, I, I],
    [Number.MAX_VALUE, 2, -I, -I],
    [Number.MAX_VALUE, -2, 0, -I],
  ];
  for (const [a, b, c, want] of cases) {
    ok(Object.is(fma(a, b, c), want), `fma(${a}, ${b}, ${c}) should be ${want}`);
    ok(Object.is(fmaOracle(a, b, c), want), `oracle(${a}, ${b}, ${c}) should be ${want}`);
  }
});

Deno.test("roundScaled: m·2^e to the nearest double", () => {
  equal(roundScaled(1n, -1074), Number.MIN_VALUE);
  equal(roundScaled(1n, -1075), 0); // a tie, to even
  equal(roundScaled(3n, -1076), Number.MIN_VALUE); // 0.75 · 2^-1074
  equal(roundScaled((1n << 53n) + 1n, 0), 2 ** 53);
  equal(roundScaled((1n << 53n) + 3n, 0), 2 ** 53 + 4);
  equal(roundScaled(-5n, 3), -40);
  equal(roundScaled(1n, 1024), Infinity);
  equal(roundScaled((1n << 53n) - 1n, 971), Number.MAX_VALUE);
});

Deno.test("fma: the error-free path's round-to-odd keeps an inexact low part that is already odd", () => {
  // c = 1 and a·b = 3·2⁻⁵³ − δ with 2⁻¹⁰⁶ < δ < 2⁻¹⁰⁵: 1 + 3·2⁻⁵³ is a tie, so the high part
  // is th = 1 + 2⁻⁵¹ and the low part −2⁻⁵³ − δ, which rounds (inexactly) to the odd
  // −2⁻⁵³ − 2⁻¹⁰⁵. Kept there, th + it is just below the midpoint 1 + 2⁻⁵² + 2⁻⁵³ and rounds
  // to 1 + 2⁻⁵²; nudged one ulp to −2⁻⁵³ it would be the midpoint itself, rounded to the even
  // 1 + 2⁻⁵¹ — a double rounding, which round-to-odd exists to prevent.
  const a = 1.9223808990473596, c = 1;
  const b = (3 * 2 ** -53 - 1.5 * 2 ** -106) / a;
  const delta = add(toFraction(3 * 2 ** -53), neg(mul(toFraction(a), toFraction(b))));
  const above = (x: number) => add(delta, toFraction(-x)).n > 0n;
  ok(above(2 ** -106) && !above(2 ** -105), "2⁻¹⁰⁶ < δ < 2⁻¹⁰⁵");
  equal(fmaOracle(a, b, c), 1 + 2 ** -52);
  equal(fma(a, b, c), 1 + 2 ** -52);
});
