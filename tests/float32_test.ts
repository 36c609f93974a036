/**
 * lib/numerics/float32.ts against exact rational arithmetic and against numpy. The oracle
 * (tests/_exact.ts, shared with tests/fma_test.ts): a float32 becomes an exact fraction of
 * BigInts, the operation is done on fractions, and the fraction is rounded to the nearest
 * float32 (ties to even, subnormals, overflow) by long division. The oracle is itself checked against `Math.fround` of the hardware's
 * float64 `+ − × ÷` (correctly rounded for float32 operands, Figueroa 1995) on random pairs.
 */
import { equal, ok, throws } from "node:assert/strict";
import {
  add32,
  div32,
  fma32,
  fma32ByIntegers,
  mul32,
  numpyPrints32,
  sub32,
  sum32,
  ulps32,
} from "../lib/numerics/float32.ts";
import { add, FLOAT32, type Fraction, mul, neg, roundFraction, toFraction } from "./_exact.ts";

const toFraction32 = (x: number) => toFraction(x, FLOAT32);
/** The float32 nearest to n/d, ties to even; +0 for a zero fraction. */
const roundFraction32 = (f: Fraction) => roundFraction(f, FLOAT32);

function fma32Oracle(a: number, b: number, c: number): number {
  const p = mul(toFraction32(a), toFraction32(b));
  const s = add(p, toFraction32(c));
  if (s.n === 0n) {
    // IEEE 754: an exact zero sum is −0 only if both addends are zeros of negative sign
    const pNeg = (a < 0 || Object.is(a, -0)) !== (b < 0 || Object.is(b, -0));
    const pZero = p.n === 0n;
    if (pZero && toFraction32(c).n === 0n) return pNeg && Object.is(c, -0) ? -0 : 0;
    return 0;
  }
  return roundFraction32(s);
}

// A seeded generator of float32 values over many magnitudes (subnormal to 2^60).
let seed = 0x9e3779b9;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
function randomFloat32(minExp = -150, maxExp = 60): number {
  const e = Math.floor(minExp + rand() * (maxExp - minExp));
  const v = (1 + rand()) * 2 ** e * (rand() < 0.5 ? -1 : 1);
  return Math.fround(v);
}
const same = (x: number, y: number) => Object.is(x, y);

// Zero signs of + − × ÷ are IEEE's business and not what this oracle models; fma32's are below.
const sameValue = (x: number, y: number) => same(x || 0, y || 0);

Deno.test("oracle: rounding exact + − × ÷ of float32 pairs = Math.fround of float64's", () => {
  for (let i = 0; i < 3000; i++) {
    const x = randomFloat32(-140, 60);
    const y = randomFloat32(-140, 60);
    const fx = toFraction32(x);
    const fy = toFraction32(y);
    ok(sameValue(roundFraction32(add(fx, fy)), add32(x, y)), `${x} + ${y}`);
    ok(sameValue(roundFraction32(add(fx, neg(fy))), sub32(x, y)), `${x} - ${y}`);
    ok(sameValue(roundFraction32(mul(fx, fy)), mul32(x, y)), `${x} * ${y}`); // zero signs: below
    ok(sameValue(roundFraction32({ n: fx.n * fy.d, d: fx.d * fy.n }), div32(x, y)), `${x} / ${y}`);
  }
});

Deno.test("fma32 = the exactly computed a·b + c rounded once, on random float32 triples", () => {
  for (let i = 0; i < 4000; i++) {
    const a = randomFloat32(-80, 40);
    const b = randomFloat32(-80, 40);
    // c near a·b in magnitude half of the time (cancellation), anywhere otherwise
    const c = i % 2 ? Math.fround(-a * b * (1 + (rand() - 0.5) * 2 ** -20)) : randomFloat32();
    const want = fma32Oracle(a, b, c);
    ok(same(fma32(a, b, c), want), `fma32(${a}, ${b}, ${c}) = ${fma32(a, b, c)}, exact ${want}`);
    ok(same(fma32ByIntegers(a, b, c), want), `fma32ByIntegers(${a}, ${b}, ${c})`);
  }
});

Deno.test("fma32 breaks ties where Math.fround(a*b + c) double-rounds (each case checked)", () => {
  // a·b = 2^-24·(1 − 2^-46)·2^K lands just below a float32 midpoint of c = (1 + j·2^-23)·2^K;
  // float64 rounds the sum onto the midpoint, and float32's ties-to-even then goes up for odd j.
  let doubleRounded = 0;
  for (let t = 0; t < 400; t++) {
    const K = Math.floor(rand() * 80) - 40;
    const j = Math.floor(rand() * 2 ** 22);
    const s = rand() < 0.5 ? -1 : 1;
    const a = Math.fround(s * 2 ** -12 * (1 + 2 ** -23) * 2 ** K);
    const b = Math.fround(2 ** -12 * (1 - 2 ** -23));
    const c = Math.fround(s * (1 + j * 2 ** -23) * 2 ** K);
    const want = fma32Oracle(a, b, c);
    ok(same(fma32(a, b, c), want), `fma32(${a}, ${b}, ${c})`);
    if (Math.fround(a * b + c) !== want) doubleRounded++;
  }
  ok(doubleRounded > 100, `only ${doubleRounded} of 400 cases double-round: the family is wrong`);
});

Deno.test("fma32 signed zeros and exact cancellation follow IEEE 754", () => {
  const cases: [number, number, number][] = [
    [0, 1, 0],
    [0, -1, 0],
    [-0, 1, -0],
    [0, -1, -0],
    [-0, -1, -0],
    [0, 1, -0],
    [2, 3, -6],
    [-2, 3, 6],
    [Math.fround(0.1), Math.fround(0.3), -Math.fround(0.1) * Math.fround(0.3)],
    [2 ** -75, 2 ** -75, 0],
    [-(2 ** -75), 2 ** -75, -0],
    [2 ** -75, 2 ** -76, -0],
  ];
  for (const [a, b, c] of cases) {
    const cc = Math.fround(c);
    ok(
      same(fma32(a, b, cc), fma32Oracle(a, b, cc)),
      `fma32(${a}, ${b}, ${cc}) = ${fma32(a, b, cc)}`,
    );
  }
  ok(same(fma32(0, -1, 0), 0) && same(fma32(-0, 1, -0), -0));
  // a tiny negative exact result rounds to −0, a positive one to +0 (subnormal underflow)
  ok(same(fma32(-(2 ** -75), 2 ** -76, 0), -0));
});

Deno.test("fma32 rejects operands that are not float32 values", () => {
  throws(() => fma32(0.1, 1, 0), /operand 1 \(0.1\) is not a float32/);
  throws(() => fma32ByIntegers(1, 1, 1 + 2 ** -40), /operand 3/);
});

Deno.test("ulps32 counts float32 steps, across zero too", () => {
  equal(ulps32(1, Math.fround(1 + 2 ** -23)), 1);
  equal(ulps32(-(2 ** -149), 2 ** -149), 2);
  equal(ulps32(-0, 0), 0);
  equal(ulps32(Math.fround(-0.24834856), Math.fround(-0.24834853)), 2);
});

const file = JSON.parse(
  await Deno.readTextFile(new URL("../data/float32/numpy_printing.json", import.meta.url)),
) as { values: { bits: string; value: string; numpy: string }[] };

Deno.test("numpyPrints32 = numpy's printing of every float32 in data/float32/numpy_printing.json", () => {
  ok(file.values.length > 300);
  const view = new DataView(new ArrayBuffer(4));
  const wrong: string[] = [];
  for (const { bits: b, numpy } of file.values) {
    view.setUint32(0, parseInt(b, 16));
    const x = view.getFloat32(0);
    const ours = numpyPrints32(x);
    if (ours !== numpy) wrong.push(`${b}: ours ${ours}, numpy ${numpy}`);
  }
  equal(wrong.length, 0, wrong.slice(0, 10).join("\n"));
});

Deno.test("numpyPrints32: below 0.1 one printed text names several float32 values", () => {
  const x = Math.fround(-0.02345729);
  const names = [-2, -1, 0, 1, 2].map((k) => {
    let y = x;
    const v = new DataView(new ArrayBuffer(4));
    v.setFloat32(0, y);
    v.setUint32(0, v.getUint32(0) + k);
    y = v.getFloat32(0);
    return numpyPrints32(y);
  });
  ok(names.filter((t) => t === "-0.02345729").length >= 2, names.join(", "));
  throws(() => numpyPrints32(Math.fround(1e-5)), /scientific notation/);
  throws(() => numpyPrints32(0.1), /not a float32/);
});

const boundaries = JSON.parse(
  await Deno.readTextFile(new URL("../data/float32/numpy_boundaries.json", import.meta.url)),
) as { values: { bits: string; value: string; numpy: string; scientific: boolean }[] };

Deno.test("numpyPrints32 at numpy's boundaries (data/float32/numpy_boundaries.json): 1e-4 and 1e6 on both sides, the decades, ties", () => {
  const view = new DataView(new ArrayBuffer(4));
  const wrong: string[] = [];
  let positional = 0, scientific = 0;
  for (const { bits: b, numpy, scientific: sci } of boundaries.values) {
    view.setUint32(0, parseInt(b, 16));
    const x = view.getFloat32(0);
    let ours: string;
    try {
      ours = numpyPrints32(x);
    } catch (e) {
      ours = e instanceof RangeError && /scientific notation/.test(e.message)
        ? "(refused: scientific)"
        : `(threw ${e})`;
    }
    const want = sci ? "(refused: scientific)" : numpy;
    if (ours !== want) wrong.push(`${b} (${x}): ours ${ours}, numpy ${numpy}`);
    if (sci) scientific++;
    else positional++;
  }
  ok(positional > 150 && scientific > 20, `${positional} positional, ${scientific} scientific`);
  equal(wrong.length, 0, wrong.slice(0, 10).join("\n"));
});

Deno.test("sum32 pairwise splits at ⌈n/2⌉ and blocked4 deals terms round-robin, at the lengths where the orders part", () => {
  const u = 2 ** -24; // half an ulp of 1 in float32: 1 + u is a tie, rounded to the even 1
  equal(sum32([], "pairwise"), 0);
  equal(sum32([1.5], "pairwise"), 1.5);
  equal(sum32([1, u], "pairwise"), 1);
  // n = 3: (1 + u) + u = 1 (each tie goes to 1); a split at ⌊3/2⌋ would give 1 + (u + u) = 1 + 2u.
  equal(sum32([1, u, u], "pairwise"), 1);
  equal(sum32([u, u, 1], "pairwise"), 1 + 2 * u);
  // n = 5, split 3 + 2: ((1 + u) + u) + (u + u) = 1 + 2u. Split 2 + 3 it would be
  // (1 + u) + (u + (u + u)) = 1 + 3u, a tie between 1 + 2u and 1 + 4u, rounded to the even 1 + 4u.
  equal(sum32([1, u, u, u, u], "pairwise"), 1 + 2 * u);
  equal(sum32([1, u, u, u, u], "sequential"), 1);
  // blocked4, n = 6: lanes [1 + u → 1, u + u, u, u], added in order: 1 + 2u, then + u is the tie
  // 1 + 3u → 1 + 4u, then + u is the tie 1 + 5u → 1 + 4u (even). One term at a time: 1.
  equal(sum32([1, u, u, u, u, u], "blocked4"), 1 + 4 * u);
  equal(sum32([1, u, u, u, u, u], "sequential"), 1);
});
