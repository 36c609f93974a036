/**
 * `RandomState`: numpy's legacy random generator (`np.random.seed`, `np.random.randn`, …),
 * reproduced bit for bit, so a lesson draws exactly the numbers its source drew.
 *
 * - MT19937 seeded with numpy's `init_genrand` (a seed in [0, 2³²−1]);
 * - doubles from two 32-bit draws, `(a >>> 5, b >>> 6)` → 53 bits;
 * - gaussians by the polar (Marsaglia) method, which makes two at a time: the second is
 *   cached and returned by the next call (`seed` clears it);
 * - `randint` by masked rejection sampling, as numpy's legacy path does.
 *
 * With no size a method returns a number, otherwise an {@link NDArray}.
 *
 * ```ts
 * import { RandomState } from "./random.ts";
 * import { equal } from "node:assert/strict";
 * const rng = new RandomState(0);
 * equal(rng.random(), 0.5488135039273248);   // np.random.seed(0); np.random.random()
 * equal(rng.randint(0, 10), 5);              // then np.random.randint(0, 10)
 * ```
 *
 * numpy's gaussians go through glibc's `log`, which is not always correctly rounded; V8's
 * `Math.log` is, so the two differ in the last bit for rare arguments (6 of 12,000+
 * gaussians in tests/random_test.ts). So the default `log` is glibc's own algorithm and
 * table (lib/numerics/glibc_log.ts), and every gaussian matches numpy's; lesson 8 shows the
 * difference with `new RandomState(seed, { log: Math.log })`.
 *
 * @module
 */

import { glibcLog } from "./glibc_log.ts";
import { NDArray } from "./ndarray.ts";

/** A size argument as numpy takes it: a number or a list of dimensions. */
export type Size = number | readonly number[];

const N = 624;
const M = 397;

function sizeToShape(op: string, size: Size): number[] {
  const shape = typeof size === "number" ? [size] : [...size];
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(
        `${op}: size must be non-negative integers, got ${JSON.stringify(size)}`,
      );
    }
  }
  return shape;
}

/** Options of {@link RandomState}. */
export interface RandomStateOptions {
  /** The natural log of the polar method: `glibcLog` (numpy's, the default) or `Math.log`. */
  log?: (x: number) => number;
}

/** numpy's legacy `RandomState`. */
export class RandomState {
  private readonly log: (x: number) => number;
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;
  private hasGauss = false;
  private gauss = 0;

  /** `np.random.RandomState(seed)`. */
  constructor(seed = 0, options: RandomStateOptions = {}) {
    this.log = options.log ?? glibcLog;
    this.seed(seed);
  }

  /** `np.random.seed(seed)`: re-seeds and clears the cached gaussian. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed: ${seed} is not an integer in [0, 2**32 - 1]`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The next raw 32-bit output of MT19937. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  private nextGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * this.log(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  private fill(op: string, size: Size | undefined, draw: () => number): number | NDArray {
    if (size === undefined) return draw();
    const shape = sizeToShape(op, size);
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = draw();
    return new NDArray(data, shape);
  }

  /** `random(size)`: uniform doubles in [0, 1). */
  random(): number;
  random(size: Size): NDArray;
  random(size?: Size): number | NDArray {
    return this.fill("random", size, () => this.nextDouble());
  }

  /** `randn(d0, d1, …)`: standard normal draws; no dimensions gives one number. */
  randn(): number;
  randn(...dims: [number, ...number[]]): NDArray;
  randn(...dims: number[]): number | NDArray {
    return this.fill("randn", dims.length ? dims : undefined, () => this.nextGauss());
  }

  /** `normal(loc, scale, size)`: `loc + scale · gauss`. */
  normal(loc?: number, scale?: number): number;
  normal(loc: number, scale: number, size: Size): NDArray;
  normal(loc = 0, scale = 1, size?: Size): number | NDArray {
    if (!(scale >= 0)) throw new RangeError(`normal: scale must be >= 0, got ${scale}`);
    return this.fill("normal", size, () => loc + scale * this.nextGauss());
  }

  /** `uniform(low, high, size)`: `low + (high − low) · random()`. */
  uniform(low?: number, high?: number): number;
  uniform(low: number, high: number, size: Size): NDArray;
  uniform(low = 0, high = 1, size?: Size): number | NDArray {
    const range = high - low;
    if (!Number.isFinite(range)) {
      throw new RangeError(`uniform: range ${low}..${high} is not finite`);
    }
    return this.fill("uniform", size, () => low + range * this.nextDouble());
  }

  /**
   * `randint(low, high, size)`: integers in [low, high) (or [0, low) with one argument), by
   * numpy's masked rejection: draw, keep the bits under the smallest all-ones mask covering
   * the range, retry if above it. Ranges up to 2³²−1 use one 32-bit draw per try, larger
   * ones a 64-bit draw (high word first).
   */
  randint(low: number, high?: number): number;
  randint(low: number, high: number | undefined, size: Size): NDArray;
  randint(low: number, high?: number, size?: Size): number | NDArray {
    const [lo, hi] = high === undefined ? [0, low] : [low, high];
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) {
      throw new RangeError(`randint: bounds must be integers, got low=${lo}, high=${hi}`);
    }
    if (lo >= hi) throw new RangeError(`randint: low >= high (low=${lo}, high=${hi})`);
    const rng = BigInt(hi - lo - 1);
    const off = lo;
    const draw = (): number => {
      if (rng === 0n) return off;
      let mask = rng;
      for (const s of [1n, 2n, 4n, 8n, 16n, 32n]) mask |= mask >> s;
      if (rng <= 0xffffffffn) {
        const m = Number(mask);
        const r = Number(rng);
        let v: number;
        do v = (this.nextUint32() & m) >>> 0; while (v > r);
        return off + v;
      }
      let v: bigint;
      do {
        const hiWord = BigInt(this.nextUint32());
        const loWord = BigInt(this.nextUint32());
        v = ((hiWord << 32n) | loWord) & mask;
      } while (v > rng);
      return off + Number(v);
    };
    return this.fill("randint", size, draw);
  }
}
