import { throws } from "node:assert/strict";
import {
  dlstmLoss,
  gradCheck,
  initLstmParams,
  LSTM_PARAM_NAMES,
  lstmLoss,
  NDArray,
  RandomState,
} from "../lib/mod.ts";
import { assertBelow } from "./_assert.ts";

Deno.test("LSTM backward = central differences for every entry (x_n=2, h_n=3, o_n=2)", () => {
  const rng = new RandomState(11);
  const params = initLstmParams(rng, 2, 3, 2);
  const inputs = rng.randn(6, 2);
  const targets = rng.randn(6, 2);
  const h0 = rng.randn(3).data;
  const c0 = rng.randn(3).data;
  const run = lstmLoss(params, h0, c0, inputs, targets);
  const grads = dlstmLoss(params, inputs, targets, run.outputs, run.caches);
  const results = gradCheck(
    () => lstmLoss(params, h0, c0, inputs, targets).loss,
    Object.fromEntries(LSTM_PARAM_NAMES.map((k) => [k, params[k]])),
    Object.fromEntries(LSTM_PARAM_NAMES.map((k) => [k, grads[k]])),
  );
  for (const r of results) assertBelow(r.maxRelError, 1e-6, `${r.name} ${r.nonFinite}`);
});

Deno.test("LSTM shape errors name what was wrong", () => {
  const params = initLstmParams(new RandomState(0), 1, 5, 1);
  throws(
    () =>
      lstmLoss(
        params,
        new Float64Array(5),
        new Float64Array(5),
        NDArray.zeros([3, 1]),
        NDArray.zeros([4, 1]),
      ),
    /lstmLoss: inputs \(3,1\) and targets \(4,1\)/,
  );
  throws(
    () =>
      lstmLoss(
        params,
        new Float64Array(4),
        new Float64Array(5),
        NDArray.zeros([3, 1]),
        NDArray.zeros([3, 1]),
      ),
    /lstm: input of length 1, h of 4, c of 5; expected 1, 5, 5/,
  );
});
