import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import {
  initSimpleRnnParams,
  NDArray,
  RandomState,
  simpleRnnBackward,
  simpleRnnForward,
  simpleRnnLoss,
  softmaxCrossEntropyRows,
} from "../lib/mod.ts";

function setup() {
  const r = new RandomState(21);
  const p = {
    U: r.randn(3, 4),
    W: r.randn(4, 4).mul(0.5),
    b: r.randn(4),
    V: r.randn(4, 5),
    c: r.randn(5),
  };
  const x = r.randn(4, 3), h0 = r.randn(4);
  const y = r.random([4, 5]);
  return { p, x, h0, yn: y.div(y.sum(1, true)) };
}

Deno.test("SimpleRNN + Dense on the contract (T=4, n_in=3, n_h=4, n_out=5): grads keyed like params, dInputs, dState = central differences of the softmax cross-entropy (gradient policy)", () => {
  const { p, x, h0, yn } = setup();
  const { outputs, cache } = simpleRnnForward(p, x, h0);
  const ce = softmaxCrossEntropyRows(outputs, yn);
  const back = simpleRnnBackward(ce.dLogits, cache);
  deepEqual(Object.keys(back.grads), Object.keys(p));
  const L = () => softmaxCrossEntropyRows(simpleRnnForward(p, x, h0).outputs, yn).loss;
  const verdict = checkGradients(L, { ...p, x, h0 }, {
    ...back.grads,
    x: back.dInputs,
    h0: back.dState,
  });
  ok(verdict.ok, verdict.summary);
  equal(
    checkGradients(L, p, plantedBugs.scaled({ ...back.grads }, 1e-4)).ok,
    false,
    "1e-4 scale error",
  );
  // the document's δ_T = (ŷ_T − y_T) Vᵀ: nothing comes back from after the last step
  const deltaT = ce.dLogits.take(0, 3).reshape(1, 5).dot(p.V.T).reshape(4);
  ok(back.delta.take(0, 3).sub(deltaT).abs().max() <= 1e-15 * Math.max(1, deltaT.abs().max()));
});

Deno.test("simpleRnnLoss = simpleRnnForward then softmaxCrossEntropyRows, bit for bit; shapes are checked", () => {
  const { p, x, h0, yn } = setup();
  const run = simpleRnnLoss(p, x, h0, yn);
  const f = simpleRnnForward(p, x, h0);
  const ce = softmaxCrossEntropyRows(f.outputs, yn);
  equal(run.loss, ce.loss);
  deepEqual(run.yhat.data, ce.probs.data);
  deepEqual(f.state.data, f.h.take(0, 3).data);
  throws(() => simpleRnnForward(p, NDArray.zeros([4, 2]), h0), /simpleRnnForward: x \(4,2\)/);
  throws(
    () => simpleRnnBackward(NDArray.zeros([4, 4]), f.cache),
    /dOutputs \(4,4\) must be \(4,5\)/,
  );
  throws(() => softmaxCrossEntropyRows(f.outputs, NDArray.zeros([3, 5])), /targets \(3,5\)/);
  const q = initSimpleRnnParams(new RandomState(0), { n_in: 3, n_h: 2, n_out: 4 });
  deepEqual(Object.values(q).map((a) => a.shape), [[3, 2], [2, 2], [2], [2, 4], [4]]);
  throws(
    () => initSimpleRnnParams(new RandomState(0), { n_in: 0, n_h: 2, n_out: 4 }),
    /n_in must be/,
  );
});
