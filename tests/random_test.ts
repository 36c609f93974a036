import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { glibcLog, NDArray, RandomState, readDataJson, ulpDistance } from "../lib/mod.ts";

interface Call {
  call: string;
  args: number[];
  hex?: string[];
  ints?: string[];
}
const vectors = readDataJson<{ cases: { seed: number; calls: Call[] }[] }>(
  "random/numpy_legacy.json",
);

/** Python's float.hex() back to a number: `-0x1.8p+1` → -3. */
function fromHex(h: string): number {
  const m = h.match(/^(-?)0x([01])\.([0-9a-f]*)p([+-]\d+)$/);
  if (!m) {
    if (/^-?0x0\.0p\+0$/.test(h)) return h.startsWith("-") ? -0 : 0;
    throw new Error(`bad hex float ${h}`);
  }
  const frac = m[3] ? parseInt(m[3], 16) / 16 ** m[3].length : 0;
  return (m[1] ? -1 : 1) * (Number(m[2]) + frac) * 2 ** Number(m[4]);
}

function replay(rs: RandomState, c: Call): number[] {
  const a = c.args;
  const flat = (v: number | NDArray) => (typeof v === "number" ? [v] : [...v.data]);
  switch (c.call) {
    case "seed":
      rs.seed(a[0]);
      return [];
    case "randn":
      return flat(a.length ? rs.randn(...(a as [number, ...number[]])) : rs.randn());
    case "random":
      return flat(a.length ? rs.random(a[0]) : rs.random());
    case "normal":
      return flat(a.length === 3 ? rs.normal(a[0], a[1], a[2]) : rs.normal(a[0], a[1]));
    case "uniform":
      return flat(a.length === 3 ? rs.uniform(a[0], a[1], a[2]) : rs.uniform(a[0], a[1]));
    case "randint":
      return flat(
        a.length === 3
          ? rs.randint(a[0], a[1], a[2])
          : a.length === 2
          ? rs.randint(a[0], a[1])
          : rs.randint(a[0]),
      );
  }
  throw new Error(`unknown call ${c.call}`);
}

/** Replays every case; returns the mismatches of gaussian-based values (numpy uses glibc's log). */
function compareAll(log?: (x: number) => number) {
  const gaussMismatches: { seed: number; call: string; i: number; ulps: number }[] = [];
  let uniformMismatches = 0, ints = 0, doubles = 0;
  for (const k of vectors.cases) {
    const rs = new RandomState(k.seed, { log });
    for (const c of k.calls) {
      const ours = replay(rs, c);
      if (c.ints) {
        deepEqual(ours.map(String), c.ints, `randint(${c.args}) after seed ${k.seed}`);
        ints += ours.length;
      } else if (c.hex) {
        c.hex.forEach((h, i) => {
          doubles++;
          const want = fromHex(h);
          if (Object.is(ours[i], want)) return;
          if (c.call === "randn" || c.call === "normal") {
            gaussMismatches.push({
              seed: k.seed,
              call: c.call,
              i,
              ulps: Math.abs(ulpDistance(want, ours[i])),
            });
          } else uniformMismatches++;
        });
      }
    }
  }
  return { gaussMismatches, uniformMismatches, ints, doubles };
}

Deno.test("with V8's Math.log, 6 gaussians differ from numpy's by 1-2 ULPs (glibc's log is not correctly rounded)", () => {
  const r = compareAll(Math.log);
  equal(r.uniformMismatches, 0, "random/uniform must be bit for bit");
  console.log(
    `${r.doubles} doubles and ${r.ints} integers compared; gaussians differing: ${r.gaussMismatches.length}`,
  );
  // V8's Math.log is correctly rounded, glibc's log (numpy's) is not always: a gaussian can
  // differ in its last bits. Counted here so the number cannot grow silently.
  // Measured with numpy 2.x on glibc 2.36 (Debian 12): 6 of 12,000+ gaussians (3 pairs — a
  // pair shares its factor sqrt(−2 log r² / r²)), two pairs 1 ULP away and one pair 2 ULPs.
  equal(r.gaussMismatches.length, 6, JSON.stringify(r.gaussMismatches));
  equal(Math.max(...r.gaussMismatches.map((m) => m.ulps)), 2);
});

Deno.test("RandomState replays numpy's legacy streams bit for bit, gaussians included (glibc's log, the default)", () => {
  const r = compareAll();
  equal(r.uniformMismatches, 0);
  equal(r.gaussMismatches.length, 0, JSON.stringify(r.gaussMismatches));
  ok(r.doubles > 12_000);
  equal(compareAll(glibcLog).gaussMismatches.length, 0, "glibcLog given explicitly");
});

Deno.test("RandomState errors name the bad input", () => {
  throws(() => new RandomState(-1), /seed: -1 is not an integer in \[0, 2\*\*32 - 1\]/);
  throws(() => new RandomState(2 ** 32), /seed: 4294967296 is not an integer/);
  throws(() => new RandomState(1.5), /seed: 1.5/);
  const rs = new RandomState(0);
  throws(() => rs.random(-1), /random: size must be non-negative integers, got -1/);
  throws(() => rs.randint(5, 5), /randint: low >= high \(low=5, high=5\)/);
  throws(() => rs.normal(0, -1), /normal: scale must be >= 0, got -1/);
  deepEqual(rs.random([2, 3]).shape, [2, 3]);
});
