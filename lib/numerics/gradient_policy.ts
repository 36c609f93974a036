/**
 * The course's one policy for judging an analytic gradient against central differences, and
 * a measure of how small a mistake it can see.
 *
 * A central difference `D(h) = (L(x+h) − L(x−h)) / 2h` differs from the true derivative by
 * **truncation**, `h²·L‴/6 + O(h⁴)`, and by **rounding**, the errors in the two computed
 * losses divided by `2h`. A fixed relative tolerance (CS231n's 1e-7, or the 1e-7 of lesson 5's
 * question) ignores both: it rejects correct gradients whose entries are small or whose loss is
 * large, and lets through errors smaller than it. Instead, for each entry:
 *
 * - truncation is **measured** by step halving: `D(2h) − D(h) ≈ 3·(h²L‴/6)`, so
 *   `trunc = |D(2h) − D(h)| / 3`;
 * - rounding is **measured from the data**: `D(h)` and `D(h·(1 + 1/64))` have almost the same
 *   truncation (they differ by 3 % of it, counted) but independent rounding, so their
 *   difference samples the rounding noise. The noise of the loss, `σ_L`, is pooled over all
 *   entries (root mean square, so one lucky entry does not shrink it), and each entry's
 *   rounding allowance is `ROUNDING_SIGMAS · σ_L / h`;
 * - the test is absolute: `|analytic − D(h)| ≤ 2·trunc + rounding` (twice the estimated
 *   truncation: the estimate drops `O(h⁴)` and is itself a difference of noisy values). It needs no floor for
 *   entries near zero (both sides are absolute), and is relative where it matters (both
 *   sides scale with the loss).
 *
 * A NaN or an infinity in the analytic gradient, the numerical one or the loss fails the
 * check and is reported with its index. The check also reports its **power**: the smallest
 * relative scale error `s` (analytic·(1 + s)) it would flag, `min_i (tol_i + |a_i − n_i|) / |a_i|`
 * over the entries — what "passed" is worth.
 *
 * ```ts
 * import { checkGradients } from "./gradient_policy.ts";
 * import { NDArray } from "./ndarray.ts";
 * import { equal, ok } from "node:assert/strict";
 * const x = NDArray.from([0.5, -1, 2]);
 * const loss = () => x.data.reduce((s, v) => s + Math.sin(v) * v, 0); // ∂/∂x = sin x + x cos x
 * const right = NDArray.from([...x.data].map((v) => Math.sin(v) + v * Math.cos(v)));
 * equal(checkGradients(loss, { x }, { x: right }).ok, true);
 * equal(checkGradients(loss, { x }, { x: right.mul(1 + 1e-4) }).ok, false);
 * ok(checkGradients(loss, { x }, { x: right }).smallestDetectable < 1e-6);
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "./ndarray.ts";

/** How many measured noise standard deviations the rounding allowance is. */
export const ROUNDING_SIGMAS = 8;
/** The default step: near the optimum `(ε/|L‴|)^(1/3)` for order-one losses in float64. */
export const DEFAULT_STEP = 1e-5;

/** One entry's numbers. */
export interface EntryVerdict {
  /** Flat index into the parameter. */
  index: number;
  analytic: number;
  numeric: number;
  /** |analytic − numeric| */
  error: number;
  truncation: number;
  rounding: number;
  /** 2·truncation + rounding (twice the estimate: it drops O(h⁴) and is itself a noisy difference) */
  tolerance: number;
}

/** One parameter's verdict. */
export interface ParamVerdict {
  name: string;
  ok: boolean;
  /** Entries checked. */
  size: number;
  /** The entry with the largest error / tolerance (or the first non-finite one). */
  worst: EntryVerdict;
  /** Where a NaN or infinity first appears (analytic or numerical), if anywhere. */
  nonFinite?: { index: number; analytic: number; numeric: number };
  /** How many entries fail. */
  failures: number;
  entries: EntryVerdict[];
}

/** The whole check. */
export interface PolicyVerdict {
  ok: boolean;
  params: ParamVerdict[];
  /** The measured rounding noise of the loss (root mean square over entries). */
  lossNoise: number;
  /** The smallest relative scale error of the whole gradient this check would flag. */
  smallestDetectable: number;
  /** A one-line account: worst margin, noise, power. */
  summary: string;
}

/** Options of {@link checkGradients}. */
export interface PolicyOptions {
  /** The step h (default {@link DEFAULT_STEP}). */
  h?: number;
}

function centralDifference(loss: () => number, x: NDArray, i: number, h: number): number {
  const old = x.data[i];
  x.data[i] = old + h;
  const fp = loss();
  x.data[i] = old - h;
  const fm = loss();
  x.data[i] = old;
  return (fp - fm) / (2 * h);
}

/**
 * Checks `analytic[name]` against central differences of `loss` for every entry of every
 * parameter in `params` (perturbed in place and restored), by the policy in the module doc.
 * Throws on a missing gradient, a shape mismatch, an empty parameter or a bad step.
 */
export function checkGradients(
  loss: () => number,
  params: Record<string, NDArray>,
  analytic: Record<string, NDArray>,
  options: PolicyOptions = {},
): PolicyVerdict {
  const h = options.h ?? DEFAULT_STEP;
  if (!(h > 0 && Number.isFinite(h))) {
    throw new RangeError(`checkGradients: the step h must be a positive number, got ${h}`);
  }
  const names = Object.keys(params);
  if (names.length === 0) throw new RangeError("checkGradients: no parameters to check");
  for (const name of names) {
    const p = params[name], a = analytic[name];
    if (!a) throw new Error(`checkGradients: no analytic gradient for "${name}"`);
    if (a.ndim !== p.ndim || a.shape.some((d, i) => d !== p.shape[i])) {
      throw new RangeError(
        `checkGradients: gradient of "${name}" has shape ${shapeStr(a.shape)}, parameter has ${
          shapeStr(p.shape)
        }`,
      );
    }
    if (p.size === 0) throw new RangeError(`checkGradients: parameter "${name}" is empty`);
  }
  const base = loss();
  const h2 = h * (1 + 1 / 64);
  type Raw = { name: string; i: number; a: number; d1: number; d2: number; d3: number };
  const raw: Raw[] = [];
  for (const name of names) {
    const p = params[name], a = analytic[name];
    for (let i = 0; i < p.size; i++) {
      raw.push({
        name,
        i,
        a: a.data[i],
        d1: centralDifference(loss, p, i, h),
        d2: centralDifference(loss, p, i, 2 * h),
        d3: centralDifference(loss, p, i, h2),
      });
    }
  }
  // D(h') − D(h) = rounding noise + truncation·((h'/h)² − 1); remove the truncation part
  // (estimated by step halving) and pool the rest as noise of L: each D carries noise of
  // about σ_L·√2 / (2h), the difference of two about σ_L / h.
  const stretch = (h2 / h) ** 2 - 1;
  let sumSquares = 0, counted = 0;
  for (const r of raw) {
    const trunc = (r.d2 - r.d1) / 3;
    const noise = Math.abs(r.d3 - r.d1 - trunc * stretch) * h;
    if (Number.isFinite(noise)) {
      sumSquares += noise * noise;
      counted++;
    }
  }
  const lossNoise = counted ? Math.sqrt(sumSquares / counted) : NaN;
  const rounding = (ROUNDING_SIGMAS * lossNoise) / h;
  const verdicts: ParamVerdict[] = names.map((name) => {
    const entries: EntryVerdict[] = raw.filter((r) => r.name === name).map((r) => {
      const truncation = Math.abs(r.d2 - r.d1) / 3;
      return {
        index: r.i,
        analytic: r.a,
        numeric: r.d1,
        error: Math.abs(r.a - r.d1),
        truncation,
        rounding,
        tolerance: 2 * truncation + rounding,
      };
    });
    const bad = entries.find((e) => !Number.isFinite(e.analytic) || !Number.isFinite(e.numeric));
    let worst = entries[0];
    let failures = 0;
    for (const e of entries) {
      const ok = e.error <= e.tolerance; // false for NaN
      if (!ok) failures++;
      if (!(e.error / e.tolerance <= worst.error / worst.tolerance)) worst = e;
    }
    return {
      name,
      ok: failures === 0 && !bad && Number.isFinite(base),
      size: entries.length,
      worst: bad ?? worst,
      ...(bad
        ? { nonFinite: { index: bad.index, analytic: bad.analytic, numeric: bad.numeric } }
        : {}),
      failures,
      entries,
    };
  });
  let smallestDetectable = Infinity;
  for (const v of verdicts) {
    for (const e of v.entries) {
      if (e.analytic !== 0) {
        smallestDetectable = Math.min(
          smallestDetectable,
          (e.tolerance + e.error) / Math.abs(e.analytic),
        );
      }
    }
  }
  const ok = verdicts.every((v) => v.ok) && Number.isFinite(lossNoise);
  const worst = verdicts.reduce((w, v) =>
    v.worst.error / v.worst.tolerance > w.worst.error / w.worst.tolerance ? v : w
  );
  const nonFinite = verdicts.find((v) => v.nonFinite);
  const summary = nonFinite
    ? `${nonFinite.name}[${nonFinite.nonFinite!.index}] is not finite (analytic ${
      nonFinite.nonFinite!.analytic
    }, numerical ${nonFinite.nonFinite!.numeric})`
    : `${ok ? "passes" : "fails"}: worst ${worst.name}[${worst.worst.index}] error ${
      worst.worst.error.toExponential(1)
    } vs tolerance ${worst.worst.tolerance.toExponential(1)} (truncation ${
      worst.worst.truncation.toExponential(1)
    } + rounding ${rounding.toExponential(1)}); detects a relative error ≥ ${
      smallestDetectable.toExponential(1)
    }`;
  return { ok, params: verdicts, lossNoise, smallestDetectable, summary };
}

/**
 * Planted mistakes for measuring a check's power on a correct gradient: each returns a
 * changed copy of the gradients (never modifies its input).
 */
export const plantedBugs = {
  /** Every entry scaled by (1 + s). */
  scaled(grads: Record<string, NDArray>, s: number): Record<string, NDArray> {
    return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.mul(1 + s)]));
  },
  /** One square matrix parameter's gradient transposed. */
  transposed(grads: Record<string, NDArray>, name: string): Record<string, NDArray> {
    const g = grads[name];
    if (!g || g.ndim !== 2 || g.shape[0] !== g.shape[1]) {
      throw new RangeError(`plantedBugs.transposed: "${name}" is not a square matrix gradient`);
    }
    return { ...grads, [name]: g.transpose() };
  },
};
