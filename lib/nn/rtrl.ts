/**
 * Real-time recurrent learning (RTRL) for the vanilla RNN of `vanilla_rnn.ts`: the gradient of
 * the loss with respect to the recurrent matrix `W`, computed forward in time instead of
 * backward. It carries the sensitivities `P^t = ∂h^t/∂W` (n_h × n_h² numbers) along the
 * sequence,
 *
 *   P^t = diag(1 − (h^t)²) · (E^t + W P^{t−1}),   P^0 = 0,   E^t_{a,(a,b)} = h^{t−1}_b,
 *
 * and sums `∂L/∂W += (Vᵀ ∂L/∂o^t)ᵀ P^t` at every step the loss reads. It equals BPTT's `∂L/∂W`
 * in exact arithmetic (lesson 7 checks it does in floating point too) at a cost of O(n_h⁴) per
 * step rather than O(n_h²): the reason BPTT is what everyone uses.
 *
 * ```ts
 * import { rtrlGradientW } from "./rtrl.ts";
 * import { oneHot, vanillaRnnBackward, vanillaRnnLoss } from "./vanilla_rnn.ts";
 * import { RandomState } from "../numerics/random.ts";
 * import { ok } from "node:assert/strict";
 * const rng = new RandomState(0);
 * const params = {
 *   U: rng.randn(3, 2), W: rng.randn(3, 3).mul(0.5), b: rng.randn(3, 1),
 *   V: rng.randn(2, 3), c: rng.randn(2, 1),
 * };
 * const xs = [rng.randn(2, 1), rng.randn(2, 1), rng.randn(2, 1)];
 * const run = vanillaRnnLoss(params, xs, rng.randn(3, 1), xs.map(() => oneHot([1], 2)));
 * const bptt = vanillaRnnBackward(run.dOutputs, run.cache).grads.W;
 * ok(rtrlGradientW(run.dOutputs, run.cache).sub(bptt).abs().max() < 1e-12);
 * ```
 *
 * @module
 */

import { NDArray, shapeStr } from "../numerics/ndarray.ts";
import type { VanillaRnnCache } from "./vanilla_rnn.ts";

/** Options of {@link rtrlGradientW}: the two slips lesson 7 plants to show its check can see them. */
export interface RtrlOptions {
  /** Carry `W P^{t−1}` from step to step (default true; false drops it — a planted bug). */
  carry?: boolean;
  /** Use h^t where h^{t−1} belongs in `E^t` (default false; true is a planted bug). */
  current?: boolean;
}

/**
 * ∂L/∂W of the vanilla RNN by RTRL. Inputs: `dOutputs[t] = ∂L/∂o^t` (n_y, 1) or `undefined`
 * (as `vanillaRnnBackward` takes them), the cache of `vanillaRnnForward` for one sequence
 * (batch m = 1). Returns: ∂L/∂W (n_h, n_h).
 */
export function rtrlGradientW(
  dOutputs: readonly (NDArray | undefined)[],
  cache: VanillaRnnCache,
  options: RtrlOptions = {},
): NDArray {
  const { carry = true, current = false } = options;
  const { params: p, h0, h: hs } = cache;
  const nn = p.W.shape[0];
  if (h0.shape[1] !== 1 || dOutputs.length !== hs.length) {
    throw new RangeError(
      `rtrlGradientW: one sequence (h0 ${shapeStr(h0.shape)} must be (${nn}, 1)) and one ` +
        `output gradient per step (${dOutputs.length} for ${hs.length})`,
    );
  }
  let P = NDArray.zeros([nn, nn * nn]);
  let out = NDArray.zeros([nn, nn]);
  let hPrev = h0.reshape(nn);
  for (let t = 0; t < hs.length; t++) {
    const h = hs[t].reshape(nn);
    const D = h.square().neg().add(1);
    const direct = NDArray.zeros([nn, nn * nn]);
    const hIn = current ? h : hPrev;
    for (let a = 0; a < nn; a++) {
      for (let b = 0; b < nn; b++) direct.set([a, a * nn + b], hIn.get(b));
    }
    P = (carry ? direct.add(p.W.dot(P)) : direct).mul(D.reshape(nn, 1));
    const dO = dOutputs[t];
    if (dO !== undefined) {
      const dLdh = p.V.T.dot(dO).reshape(nn);
      out = out.add(dLdh.dot(P).reshape(nn, nn));
    }
    hPrev = h;
  }
  return out;
}
