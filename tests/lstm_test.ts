import { ok, throws } from "node:assert/strict";
import {
  dlstmLoss,
  gradCheck,
  initLstmParams,
  LSTM_PARAM_NAMES,
  lstmBackward,
  lstmForward,
  lstmLoss,
  NDArray,
  RandomState,
  readDataJson,
  sigmoidCrossEntropy,
  sineTraining,
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

Deno.test("lstmBackward with another head (a logit at the last step only) = central differences", () => {
  const rng = new RandomState(5);
  const params = initLstmParams(rng, 1, 4, 1);
  params.bf = NDArray.full([4], 3);
  const inputs = rng.randint(0, 2, [9, 1]).mul(2).sub(1);
  const zeros = () => new Float64Array(4);
  const loss = () => {
    const { outputs } = lstmForward(params, zeros(), zeros(), inputs);
    return sigmoidCrossEntropy(outputs[8][0], 1).loss;
  };
  const { outputs, caches } = lstmForward(params, zeros(), zeros(), inputs);
  const { dlogit } = sigmoidCrossEntropy(outputs[8][0], 1);
  const dOutputs = outputs.map((_, t) => Float64Array.of(t === 8 ? dlogit : 0));
  const grads = lstmBackward(params, dOutputs, caches);
  const results = gradCheck(loss, { ...params }, { ...grads });
  for (const r of results) assertBelow(r.maxRelError, 1e-6, r.name);
  throws(() => lstmBackward(params, dOutputs.slice(1), caches), /8 output gradients for 9 steps/);
});

Deno.test("sineTraining's first three losses = numpy's run of the question's test_sin (seed 0)", () => {
  // deno-lint-ignore no-explicit-any
  const ref = readDataJson<any>("lstm/numpy_reference.json");
  const rng = new RandomState(0);
  const params = initLstmParams(rng, 1, 5, 1);
  const losses: number[] = [];
  sineTraining(params, rng, { iterations: 3, onStep: (_, loss) => losses.push(loss) });
  const numpy = (ref.training.first_losses as string[]).map(Number);
  for (let i = 0; i < 3; i++) {
    ok(Math.abs(losses[i] - numpy[i]) <= 1e-12 * Math.abs(numpy[i]), `${losses[i]} vs ${numpy[i]}`);
  }
});
