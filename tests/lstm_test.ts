import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import {
  dlstmLoss,
  dSquaredErrorLoss,
  fit,
  initLstmParams,
  lstmBackward,
  lstmForward,
  lstmLoss,
  NDArray,
  RandomState,
  readDataJson,
  sequenceRegressor,
  Sgd,
  sigmoidCrossEntropy,
  sineTask,
  squaredErrorLoss,
} from "../lib/mod.ts";

/** L = Σ_t w_t · y_t over random weights w: its ∂L/∂y_t = w_t reaches every output. */
function probe(seed: number, x_n: number, h_n: number, o_n: number, T: number) {
  const rng = new RandomState(seed);
  const params = initLstmParams(rng, { x_n, h_n, o_n });
  const inputs = rng.randn(T, x_n);
  const state = { h: rng.randn(h_n).data, c: rng.randn(h_n).data };
  const w = Array.from({ length: T }, () => rng.randn(o_n).data);
  const loss = () =>
    lstmForward(params, inputs, state).outputs.reduce(
      (s, y, t) => s + y.reduce((a, v, q) => a + v * w[t][q], 0),
      0,
    );
  return { params, inputs, state, w, loss };
}

Deno.test("lstmForward/lstmBackward on the contract: grads keyed like params, dInputs and dState = central differences (gradient policy)", () => {
  const { params, inputs, state, w, loss } = probe(11, 2, 3, 2, 6);
  const { cache } = lstmForward(params, inputs, state);
  const back = lstmBackward(w, cache);
  deepEqual(Object.keys(back.grads), Object.keys(params));
  const h = NDArray.from([...state.h]), c = NDArray.from([...state.c]);
  const run = () => {
    const saved = [state.h.slice(), state.c.slice()];
    state.h.set(h.data);
    state.c.set(c.data);
    const v = loss();
    state.h.set(saved[0]);
    state.c.set(saved[1]);
    return v;
  };
  const verdict = checkGradients(
    run,
    { ...params, inputs, h, c },
    {
      ...back.grads,
      inputs: back.dInputs,
      h: NDArray.from([...back.dState.h]),
      c: NDArray.from([...back.dState.c]),
    },
  );
  ok(verdict.ok, verdict.summary);
  // and the check has the power to see a small mistake
  const scaled = plantedBugs.scaled({ ...back.grads }, 1e-4);
  equal(checkGradients(run, { ...params }, scaled).ok, false, "a 1e-4 scale error must fail");
});

Deno.test("lstmBackward accumulates into `into`: two sequences into one record = the sum of their gradients", () => {
  const a = probe(3, 1, 4, 1, 5), b = probe(4, 1, 4, 1, 7);
  const into = lstmBackward(a.w, lstmForward(a.params, a.inputs, a.state).cache).grads;
  const gb = lstmBackward(b.w, lstmForward(a.params, b.inputs, b.state).cache).grads;
  const before = Object.fromEntries(Object.entries(into).map(([k, v]) => [k, v.copy()]));
  const out = lstmBackward(b.w, lstmForward(a.params, b.inputs, b.state).cache, into);
  equal(out.grads, into, "returns the record it was given");
  for (const k of Object.keys(into) as (keyof typeof into)[]) {
    const sum = before[k].add(gb[k]);
    ok(into[k].sub(sum).abs().max() <= 1e-15 * Math.max(1, sum.abs().max()), k);
  }
});

Deno.test("the question's lstmLoss/dlstmLoss = squaredErrorLoss of lstmForward / lstmBackward of its derivative, bit for bit", () => {
  const rng = new RandomState(11);
  const params = initLstmParams(rng, { x_n: 2, h_n: 3, o_n: 2 });
  const inputs = rng.randn(6, 2), targets = rng.randn(6, 2);
  const h0 = rng.randn(3).data, c0 = rng.randn(3).data;
  const run = lstmLoss(params, h0, c0, inputs, targets);
  const f = lstmForward(params, inputs, { h: h0, c: c0 });
  equal(run.loss, squaredErrorLoss(f.outputs, targets));
  const g = dlstmLoss(params, inputs, targets, run.outputs, run.caches);
  const g2 = lstmBackward(dSquaredErrorLoss(f.outputs, targets), f.cache).grads;
  for (const k of Object.keys(g) as (keyof typeof g)[]) deepEqual(g[k].data, g2[k].data, k);
  const verdict = checkGradients(() => lstmLoss(params, h0, c0, inputs, targets).loss, params, g);
  ok(verdict.ok, verdict.summary);
});

Deno.test("LSTM shape errors name what was wrong", () => {
  const params = initLstmParams(new RandomState(0), { x_n: 1, h_n: 5, o_n: 1 });
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
      lstmForward(params, NDArray.zeros([3, 1]), {
        h: new Float64Array(4),
        c: new Float64Array(5),
      }),
    /lstm: input of length 1, h of 4, c of 5; expected 1, 5, 5/,
  );
  throws(() => lstmForward(params, NDArray.zeros([3, 2])), /inputs \(3,2\) must be \(T, 1\)/);
  throws(
    () => initLstmParams(new RandomState(0), { x_n: 1, h_n: 0, o_n: 1 }),
    /h_n must be a positive integer, got 0/,
  );
});

Deno.test("lstmBackward with another head (a logit at the last step only) = central differences (gradient policy)", () => {
  const rng = new RandomState(5);
  const params = initLstmParams(rng, { x_n: 1, h_n: 4, o_n: 1 });
  params.bf = NDArray.full([4], 3);
  const inputs = rng.randint(0, 2, [9, 1]).mul(2).sub(1);
  const loss = () => sigmoidCrossEntropy(lstmForward(params, inputs).outputs[8][0], 1).loss;
  const { outputs, cache } = lstmForward(params, inputs);
  const { dlogit } = sigmoidCrossEntropy(outputs[8][0], 1);
  const dOutputs = outputs.map((_, t) => Float64Array.of(t === 8 ? dlogit : 0));
  const { grads } = lstmBackward(dOutputs, cache);
  const verdict = checkGradients(loss, params, grads);
  ok(verdict.ok, verdict.summary);
  throws(() => lstmBackward(dOutputs.slice(1), cache), /8 output gradients for 9 steps/);
});

Deno.test("fit on sineTask: the first three losses = numpy's run of the question's test_sin (seed 0)", () => {
  // deno-lint-ignore no-explicit-any
  const ref = readDataJson<any>("lstm/numpy_reference.json");
  const rng = new RandomState(0);
  const params = initLstmParams(rng, { x_n: 1, h_n: 5, o_n: 1 });
  const task = sineTask((r) => ({ h: r.normal(0, 1, 5).data, c: r.normal(0, 1, 5).data }));
  const model = sequenceRegressor({ forward: lstmForward, backward: lstmBackward }, params);
  const { losses } = fit(model, task, new Sgd(0.01), { steps: 3, rng, progress: false });
  const numpy = (ref.training.first_losses as string[]).map(Number);
  for (let i = 0; i < 3; i++) {
    ok(Math.abs(losses[i] - numpy[i]) <= 1e-12 * Math.abs(numpy[i]), `${losses[i]} vs ${numpy[i]}`);
  }
});
