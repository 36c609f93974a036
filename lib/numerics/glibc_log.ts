/**
 * glibc's `log`, reproduced bit for bit: the algorithm glibc has used since 2.28 (from ARM's
 * optimized-routines), with its table and polynomials read from the library itself
 * (`tools/gen_glibc_log_table.py` writes `data/glibc/log_data.json` from this machine's
 * `libm.so.6`), in the variant x86-64 glibc runs on CPUs with FMA (`__log_fma`, chosen at
 * load time: the file is compiled with `-mfma -mavx2`, so the first step is an explicit
 * fused multiply-add and GCC contracts the polynomial's multiply-adds into FMAs too).
 *
 * Which operations are fused we know by measurement: with every `a·b + c` of the C source
 * fused (including `y = r3·poly; y += lo` near 1), this function equals this machine's
 * `log` (Python's `math.log`) on 2,000,000 inputs (1.5 M in (0, 1), 0.3 M near 1, 0.2 M over
 * 10^±300) — while leaving that last near-1 product unfused already differs on 51 of them,
 * and V8's `Math.log` on 1,492. The committed test replays 2,700 of those references.
 *
 * V8's `Math.log` is correctly rounded; glibc's `log` is not always (its error bound is about
 * 0.52 ULP), which is why numpy's gaussians — computed with glibc's `log` — occasionally
 * differ from ours in the last bit. {@link glibcLog} lets a `RandomState` draw numpy's
 * gaussians exactly.
 *
 * The method, for x = 2^k·z with z in [0x1.6p-1, 0x1.6p0): the top 7 bits of z's significand
 * pick c (table entry i, with invc ≈ 1/c and logc ≈ log c); r = fma(z, invc, −1) ≈ z/c − 1,
 * |r| < 1/256; log x = k·ln2 + logc + r + (log1p(r) − r), the last part a degree-6
 * polynomial in r. Close to 1 (x in [1 − 2^-4, 1 + 0x1.09p-4)) it uses r = x − 1 directly and
 * a degree-12 polynomial, with r² split into exact halves.
 *
 * ```ts
 * import { glibcLog } from "./glibc_log.ts";
 * import { equal } from "node:assert/strict";
 * equal(glibcLog(1), 0);
 * equal(glibcLog(Math.E), Math.log(Math.E));
 * ```
 *
 * @module
 */

import logData from "../../data/glibc/log_data.json" with { type: "json" };
import { fma } from "./fma.ts";

interface LogData {
  ln2hi: string;
  ln2lo: string;
  poly: string[];
  poly1: string[];
  invc: string[];
  logc: string[];
}

/** Python's float.hex() text as a number (`-0x1.8p+1` → −3). */
export function parseHexFloat(h: string): number {
  const m = h.match(/^(-?)0x([01])\.([0-9a-f]*)p([+-]\d+)$/);
  if (!m) throw new Error(`not a hex float: "${h}"`);
  const frac = m[3] ? parseInt(m[3], 16) / 16 ** m[3].length : 0;
  const mag = (Number(m[2]) + frac) * 2 ** Math.max(Number(m[4]), -1022) *
    2 ** Math.min(Number(m[4]) + 1022, 0);
  return m[1] ? -mag : mag;
}

let table: {
  ln2hi: number;
  ln2lo: number;
  A: number[];
  B: number[];
  invc: Float64Array;
  logc: Float64Array;
} | null = null;

function data() {
  if (table) return table;
  // A JSON module, not a file read: the library also runs where there is no file system.
  const d = logData as LogData;
  table = {
    ln2hi: parseHexFloat(d.ln2hi),
    ln2lo: parseHexFloat(d.ln2lo),
    A: d.poly.map(parseHexFloat),
    B: d.poly1.map(parseHexFloat),
    invc: Float64Array.from(d.invc, parseHexFloat),
    logc: Float64Array.from(d.logc, parseHexFloat),
  };
  if (table.invc.length !== 128 || table.A.length !== 5 || table.B.length !== 11) {
    throw new Error("data/glibc/log_data.json: expected 128 table entries, 5 + 11 coefficients");
  }
  return table;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const OFF = 0x3fe6000000000000n;

/** glibc 2.36's `log(x)` on x86-64 with FMA, bit for bit. */
export function glibcLog(x: number): number {
  const { ln2hi, ln2lo, A, B, invc: INVC, logc: LOGC } = data();
  if (x >= 1 - 2 ** -4 && x < 1 + 0x109 / 4096) {
    if (x === 1) return 0;
    const r = x - 1;
    const r2 = r * r;
    const r3 = r * r2;
    const inner = fma(r3, B[10], fma(r2, B[9], fma(r, B[8], B[7])));
    const mid = fma(r3, inner, fma(r2, B[6], fma(r, B[5], B[4])));
    const poly = fma(r3, mid, fma(r2, B[3], fma(r, B[2], B[1])));
    const w0 = r * 2 ** 27;
    const rhi = r + w0 - w0;
    const rlo = r - rhi;
    const w = rhi * rhi * B[0]; // exact: rhi has 26 bits, B[0] = −0.5
    const hi = r + w;
    const lo0 = r - hi + w;
    const lo = fma(B[0] * rlo, rhi + r, lo0);
    // y = r3·poly; y += lo: GCC contracts the product into the addition as well.
    return fma(r3, poly, lo) + hi;
  }
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  f64[0] = x;
  let ix = u64[0];
  if (x < 2 ** -1022) {
    f64[0] = x * 2 ** 52; // subnormal: normalise
    ix = u64[0] - (52n << 52n);
  }
  const tmp = (ix - OFF) & 0xffffffffffffffffn;
  const i = Number((tmp >> 45n) % 128n);
  const k = Number(BigInt.asIntN(64, tmp) >> 52n);
  u64[0] = ix - (tmp & (0xfffn << 52n));
  const z = f64[0];
  const invc = INVC[i];
  const logc = LOGC[i];
  const r = fma(z, invc, -1);
  const kd = k;
  const w = fma(kd, ln2hi, logc);
  const hi = w + r;
  const lo = fma(kd, ln2lo, w - hi + r);
  const r2 = r * r;
  const p = fma(r2, fma(r, A[4], A[3]), fma(r, A[2], A[1]));
  const y = fma(r * r2, p, fma(r2, A[0], lo)) + hi;
  return y;
}
