/**
 * float32 `tanh` and `exp` as the vendor math libraries under TensorFlow evaluate them,
 * re-implemented (our code) from the algorithms and constants of their published sources,
 * one float32 operation at a time (`Math.fround` after every `+ − × ÷`, `fma32` for a
 * fused multiply-add). Each constant is the float32 nearest the decimal the source writes
 * (C's `f` suffix does the same).
 *
 * - `eigenTanh32(x, fused)`: Eigen's `generic_fast_tanh_float` (Eigen 3.3.x, in
 *   `Eigen/src/Core/MathFunctionsImpl.h`; TensorFlow 2.0–2.4 vendor an Eigen of that
 *   line). The input is clamped, and for |x| < 0.0004 the result is x; otherwise an odd
 *   degree-13 polynomial over an even degree-6 one in x², each evaluated by Horner's
 *   rule with `pmadd`, then one division. `pmadd` is a fused multiply-add when Eigen is
 *   compiled with FMA (`fused`), otherwise a product and a sum, each rounded.
 * - `eigenExp32(x, fused)`: Eigen's `pexp_float` of the same era
 *   (`Eigen/src/Core/arch/Default/GenericPacketMathFunctions.h`): m = ⌊x·log₂e + ½⌋,
 *   r = x − m·ln 2 (with FMA one fused step with ln 2 in float32; without, Cephes' two
 *   parts C1 = 0.693359375 and C2 = −2.12194440e-4), Cephes' degree-5 polynomial for
 *   (eʳ − 1 − r)/r², then 2^m.
 * - `cudaTanhf32(x)`, `cudaExpf32(x)`: the algorithms of CUDA 3.2's `math_functions.h`
 *   (the last CUDA whose headers carried the device source; later versions ship the same
 *   functions as compiled `libdevice` bitcode without source). `tanhf` below |x| = 0.55 is
 *   an odd polynomial, all fused multiply-adds: fully specified float32 arithmetic. At
 *   and above 0.55 it is 1 − 2/(e^{2|x|} + 1) with `__fdividef` and `exp2f`, which run on
 *   the GPU's special-function unit (`rcp.approx`, `ex2.approx`): their last bits are not
 *   documented, and this model takes them correctly rounded — an assumption, flagged
 *   wherever a result depends on it (`CUDA_APPROX_ASSUMED`).
 * - `crTanh32`, `crExp32`: the float64 function rounded to float32 (what a correctly
 *   rounded float32 library returns except in rare double-rounding cases; glibc's `expf`
 *   is correctly rounded in all but a few cases).
 *
 * ```ts
 * import { eigenTanh32, eigenExp32, cudaTanhf32 } from "./vendor_math32.ts";
 * import { equal, ok } from "node:assert/strict";
 * const tiny = Math.fround(0.0001);
 * equal(eigenTanh32(tiny, false), tiny); // below 0.0004: tanh(x) ≈ x
 * equal(eigenExp32(0, false), 1);
 * ok(Math.abs(cudaTanhf32(Math.fround(0.25)) - Math.tanh(0.25)) < 1e-7);
 * ```
 *
 * @module
 */
import { add32, div32, fma32, mul32, sub32 } from "../numerics/float32.ts";

const f = Math.fround;

/** A multiply-add `a·b + c` in float32: one rounding when `fused`, else two. */
export function madd32(a: number, b: number, c: number, fused: boolean): number {
  return fused ? fma32(a, b, c) : add32(mul32(a, b), c);
}

function needFloat32(name: string, x: number): void {
  if (typeof x !== "number" || Number.isNaN(x) || f(x) !== x) {
    throw new RangeError(`${name}: ${x} is not a float32 value (round it with Math.fround)`);
  }
}

// Eigen 3.3.x generic_fast_tanh_float: the constants as the source writes them.
const TANH_ALPHA = [
  4.89352455891786e-03,
  6.37261928875436e-04,
  1.48572235717979e-05,
  5.12229709037114e-08,
  -8.60467152213735e-11,
  2.00018790482477e-13,
  -2.76076847742355e-16,
].map(f); // α1, α3, …, α13
const TANH_BETA = [
  4.89352518554385e-03,
  2.26843463243900e-03,
  1.18534705686654e-04,
  1.19825839466702e-06,
].map(f); // β0, β2, β4, β6
/** The clamp: the smallest input where the approximation reaches 1 (per FMA or not). */
export const EIGEN_TANH_CLAMP = { fused: f(7.99881172180175781), plain: f(7.90531110763549805) };

/** Eigen's float32 `tanh` (see the module notes); `fused`: compiled with FMA. */
export function eigenTanh32(x: number, fused: boolean): number {
  needFloat32("eigenTanh32", x);
  if (Math.abs(x) < f(0.0004)) return x;
  const c = fused ? EIGEN_TANH_CLAMP.fused : EIGEN_TANH_CLAMP.plain;
  const xc = Math.max(Math.min(x, c), -c);
  const x2 = mul32(xc, xc);
  let p = madd32(x2, TANH_ALPHA[6], TANH_ALPHA[5], fused);
  for (let k = 4; k >= 0; k--) p = madd32(x2, p, TANH_ALPHA[k], fused);
  p = mul32(xc, p);
  let q = madd32(x2, TANH_BETA[3], TANH_BETA[2], fused);
  q = madd32(x2, q, TANH_BETA[1], fused);
  q = madd32(x2, q, TANH_BETA[0], fused);
  return div32(p, q);
}

const EXP_P = [
  1.9875691500e-4,
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
].map(f);
const LOG2EF = f(1.44269504088896341);
const EXP_HI = f(88.3762626647950);
const EXP_LO = f(-88.3762626647949);

/** Eigen's float32 `exp` (`pexp_float`, see the module notes); `fused`: compiled with FMA. */
export function eigenExp32(x: number, fused: boolean): number {
  needFloat32("eigenExp32", x);
  const xc = Math.max(Math.min(x, EXP_HI), EXP_LO);
  const m = Math.floor(madd32(xc, LOG2EF, 0.5, fused));
  let r: number;
  if (fused) {
    r = fma32(m, f(-0.6931471805599453), xc);
  } else {
    r = sub32(xc, mul32(m, f(0.693359375)));
    r = sub32(r, mul32(m, f(-2.12194440e-4)));
  }
  const r2 = mul32(r, r);
  let y = EXP_P[0];
  for (let k = 1; k < 6; k++) y = madd32(y, r, EXP_P[k], fused);
  y = madd32(y, r2, r, fused);
  y = add32(y, 1);
  return Math.max(f(y * 2 ** m), x); // 2^m is exact; pmax with the input as the source does
}

/** The float64 `tanh` rounded to float32. */
export const crTanh32 = (x: number): number => f(Math.tanh(x));
/** The float64 `exp` rounded to float32. */
export const crExp32 = (x: number): number => f(Math.exp(x));

/**
 * Where CUDA's results rest on undocumented hardware: `ex2.approx` and `rcp.approx` are
 * modelled as correctly rounded.
 */
export const CUDA_APPROX_ASSUMED =
  "ex2.approx and rcp.approx (the GPU's special-function unit) modelled as correctly rounded";

const L2E = f(1.442695041);

/** CUDA 3.2's `__internal_expf_kernel(a, 0)`: argument reduction by fmas, then exp2. */
export function cudaExpf32(a: number): number {
  needFloat32("cudaExpf32", a);
  if (a < -105) return 0;
  if (a > 105) return Infinity;
  const j = Math.trunc(mul32(a, L2E));
  let z = fma32(j, f(-0.6931457519), a);
  z = fma32(j, f(-1.4286067653e-6), z);
  z = mul32(z, L2E);
  // exp2f(z) is ex2.approx (assumed correctly rounded); exp2f(j) is an exact power of two.
  return mul32(f(2 ** z), 2 ** j);
}

const CUDA_TANH_P = [
  1.643758066599993e-2,
  -5.267181327760551e-2,
  1.332072505223051e-1,
  -3.333294663641083e-1,
].map(f);

/** Whether {@link cudaTanhf32} at `x` depends on the special-function-unit assumption. */
export const cudaTanhfApprox = (x: number): boolean => Math.abs(x) >= f(0.55);

/** CUDA 3.2's `tanhf` (see the module notes). */
export function cudaTanhf32(a: number): number {
  needFloat32("cudaTanhf32", a);
  const t = Math.abs(a);
  if (t >= f(0.55)) {
    const e = cudaExpf32(mul32(2, t));
    // __fdividef(2, d) = 2 · rcp.approx(d): rcp assumed correctly rounded.
    let s = sub32(1, mul32(2, f(1 / add32(e, 1))));
    if (t >= 88) s = 1;
    return a < 0 || Object.is(a, -0) ? -s : s;
  }
  if (a === 0) return a + a;
  const z2 = mul32(a, a);
  let p = CUDA_TANH_P[0];
  for (let k = 1; k < 4; k++) p = fma32(p, z2, CUDA_TANH_P[k]);
  p = mul32(p, z2);
  return fma32(p, a, a);
}

/** The float32 `tanh` kernels by short name, as `tf_rnn32.ts`'s machines and lesson 9 pick them. */
export const TANH32: Record<"cr" | "eigen" | "eigen-fma" | "cuda", (x: number) => number> = {
  cr: crTanh32,
  eigen: (x) => eigenTanh32(x, false),
  "eigen-fma": (x) => eigenTanh32(x, true),
  cuda: cudaTanhf32,
};

/** The float32 `exp` kernels by short name (see {@link TANH32}). */
export const EXP32: Record<"cr" | "eigen" | "eigen-fma" | "cuda", (x: number) => number> = {
  cr: crExp32,
  eigen: (x) => eigenExp32(x, false),
  "eigen-fma": (x) => eigenExp32(x, true),
  cuda: cudaExpf32,
};
