/**
 * Numerical gradients by central differences, and the relative error used to compare them
 * with analytic ones. Always float64.
 *
 * The central difference `(f(x+h) − f(x−h)) / 2h` has truncation error `h²·f‴/6` and
 * rounding error about `ε·|f| / h`, so with `h = 1e-5` and `|f| ≈ 1` both are around
 * 1e-10 — relative errors near 1e-7…1e-11 mean "agree", 1e-2 means a bug.
 *
 * ```ts
 * import { numericalGradient, relError } from "./gradcheck.ts";
 * import { NDArray } from "./ndarray.ts";
 * import { ok } from "node:assert/strict";
 * const x = NDArray.from([1, 2, 3]);
 * const f = () => x.square().sum();            // f(x) = Σ x², ∇f = 2x
 * const g = numericalGradient(f, x);
 * ok(relError(g, x.mul(2)).max() < 1e-9);
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "./ndarray.ts";

/**
 * CS231n's `rel_error`, elementwise: `|a − n| / max(|a| + |n|, tiny)` (0 where both are 0),
 * and NaN where either is NaN or infinite — a non-finite gradient never agrees with anything.
 *
 * ```ts
 * import { relError } from "./gradcheck.ts";
 * import { equal } from "node:assert/strict";
 * equal(relError(1, 3), 0.5);
 * equal(relError(Infinity, Infinity), NaN);
 * ```
 */
export function relError(a: NDArray, n: NDArray): NDArray;
export function relError(a: number, n: number): number;
export function relError(a: NDArray | number, n: NDArray | number): NDArray | number {
  const one = (x: number, y: number) =>
    Number.isFinite(x) && Number.isFinite(y)
      ? Math.abs(x - y) / Math.max(Math.abs(x) + Math.abs(y), 1e-300)
      : NaN;
  if (typeof a === "number" && typeof n === "number") return one(a, n);
  if (!(a instanceof NDArray) || !(n instanceof NDArray)) {
    throw new TypeError(`relError: give two numbers or two arrays`);
  }
  if (a.ndim !== n.ndim || a.shape.some((d, i) => d !== n.shape[i])) {
    throw new RangeError(`relError: shapes ${shapeStr(a.shape)} and ${shapeStr(n.shape)} differ`);
  }
  const out = new Float64Array(a.size);
  for (let i = 0; i < out.length; i++) out[i] = one(a.data[i], n.data[i]);
  return new NDArray(out, a.shape);
}

/**
 * ∂f/∂x by central differences, perturbing `x` in place (and restoring it): for a scalar
 * function `f` that reads `x`.
 */
export function numericalGradient(f: () => number, x: NDArray, h = 1e-5): NDArray {
  const grad = NDArray.zeros(x.shape);
  for (let i = 0; i < x.size; i++) {
    const old = x.data[i];
    x.data[i] = old + h;
    const fp = f();
    x.data[i] = old - h;
    const fm = f();
    x.data[i] = old;
    grad.data[i] = (fp - fm) / (2 * h);
  }
  return grad;
}

/**
 * CS231n's `eval_numerical_gradient_array`: for an array-valued `f` and an upstream
 * gradient `df`, the gradient of `Σ f(x)·df` with respect to `x`.
 */
export function numericalGradientArray(
  f: () => NDArray,
  x: NDArray,
  df: NDArray,
  h = 1e-5,
): NDArray {
  return numericalGradient(() => f().mul(df).sum(), x, h);
}

/** One parameter's verdict from {@link gradCheck}. */
export interface GradCheckResult {
  name: string;
  /** The largest relative error; NaN when any entry is NaN or infinite. */
  maxRelError: number;
  /**
   * Flat index of the worst entry, and the two values there: the first non-finite entry
   * (analytic or numeric NaN/±Infinity) if there is one, else the largest relative error.
   */
  worst: { index: number; analytic: number; numeric: number };
  /** Says what `worst` is, e.g. `W[3]: analytic NaN, numeric 0.25` (empty when all finite). */
  nonFinite: string;
  numeric: NDArray;
}

/**
 * Compares analytic gradients with central differences for every entry of every parameter.
 * `loss` must read the parameters from `params` (they are perturbed in place).
 * Results come sorted as `params` lists them. A NaN or infinite entry makes that
 * parameter's `maxRelError` NaN (so `maxRelError < tol` fails) and is named in `nonFinite`;
 * no parameters, an empty parameter or a step `h` that is not a positive finite number are
 * errors, since nothing would be checked.
 *
 * ```ts
 * import { gradCheck } from "./gradcheck.ts";
 * import { NDArray } from "./ndarray.ts";
 * import { equal } from "node:assert/strict";
 * const x = NDArray.from([1, 2, 3]);
 * const [r] = gradCheck(() => x.square().sum(), { x }, { x: NDArray.from([2, NaN, 6]) });
 * equal(r.maxRelError, NaN);
 * equal(r.worst.index, 1);
 * ```
 */
export function gradCheck(
  loss: () => number,
  params: Record<string, NDArray>,
  analytic: Record<string, NDArray>,
  h = 1e-5,
): GradCheckResult[] {
  if (!(Number.isFinite(h) && h > 0)) {
    throw new RangeError(`gradCheck: step h = ${h} must be a positive finite number`);
  }
  const entries = Object.entries(params);
  if (entries.length === 0) throw new RangeError(`gradCheck: no parameters to check`);
  return entries.map(([name, p]) => {
    const a = analytic[name];
    if (!a) throw new Error(`gradCheck: no analytic gradient for "${name}"`);
    if (a.ndim !== p.ndim || a.shape.some((d, i) => d !== p.shape[i])) {
      throw new RangeError(
        `gradCheck: gradient of "${name}" has shape ${shapeStr(a.shape)}, parameter has ${
          shapeStr(p.shape)
        }`,
      );
    }
    if (p.size === 0) {
      throw new RangeError(
        `gradCheck: parameter "${name}" has shape ${shapeStr(p.shape)}: nothing to check`,
      );
    }
    const numeric = numericalGradient(loss, p, h);
    const rel = relError(a, numeric);
    let index = rel.data.findIndex((r) => Number.isNaN(r));
    const bad = index >= 0;
    if (!bad) {
      index = 0;
      for (let i = 1; i < rel.size; i++) if (rel.data[i] > rel.data[index]) index = i;
    }
    return {
      name,
      maxRelError: bad ? NaN : rel.data[index],
      worst: { index, analytic: a.data[index], numeric: numeric.data[index] },
      nonFinite: bad
        ? `${name}[${index}]: analytic ${a.data[index]}, numeric ${numeric.data[index]}`
        : "",
      numeric,
    };
  });
}
