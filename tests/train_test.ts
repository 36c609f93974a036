import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  accuracy,
  Adam,
  clipByGlobalNorm,
  columnClassifier,
  fit,
  globalNorm,
  initLstmParams,
  initVanillaRnnParams,
  lastStepClassifier,
  lstmBackward,
  lstmForward,
  movingAverage,
  NDArray,
  oneHot,
  parameters,
  RandomState,
  type SequenceModel,
  Sgd,
  sgdStep,
  sigmoidCrossEntropy,
  signMemoryTask,
  signSequence,
  sineTask,
  type Task,
  vanillaRnnBackward,
  vanillaRnnForward,
  vanillaRnnLoss,
  type VanillaRnnParams,
  zerosLikeParams,
} from "../lib/mod.ts";

const close = (a: number, b: number, tol: number) =>
  ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

Deno.test("parameters lists an interface's arrays by name, in key order", () => {
  const p: VanillaRnnParams = {
    U: NDArray.zeros([2, 1]),
    W: NDArray.zeros([2, 2]),
    b: NDArray.zeros([2, 1]),
    V: NDArray.zeros([3, 2]),
    c: NDArray.zeros([3, 1]),
  };
  deepEqual(parameters(p).map(([k, a]) => [k, a.shape]), [
    ["U", [2, 1]],
    ["W", [2, 2]],
    ["b", [2, 1]],
    ["V", [3, 2]],
    ["c", [3, 1]],
  ]);
});

Deno.test("globalNorm = √(sum of every squared entry), by hand: √(1+4+4+16) = 5", () => {
  equal(globalNorm({ a: NDArray.from([[1, 2]]), b: NDArray.from([2, 4]) }), 5);
  ok(Number.isNaN(globalNorm({ a: NDArray.from([NaN, 1]) })));
});

Deno.test("clipByGlobalNorm: scale = maxNorm/‖g‖ above the threshold, 1 at or below it", () => {
  const g = { a: NDArray.from([3, 4]) }; // ‖g‖ = 5
  deepEqual(clipByGlobalNorm(g, 1), { norm: 5, scale: 0.2 });
  deepEqual(clipByGlobalNorm(g, 5), { norm: 5, scale: 1 });
  deepEqual(clipByGlobalNorm(g, Infinity), { norm: 5, scale: 1 });
  const { scale } = clipByGlobalNorm(g, 2);
  close(globalNorm({ a: g.a.mul(scale) }), 2, 1e-15); // the clipped gradient has norm maxNorm
  throws(() => clipByGlobalNorm(g, 0), /clipByGlobalNorm: maxNorm must be > 0, got 0/);
});

Deno.test("clipByGlobalNorm refuses a NaN or negative threshold (NaN would silently never clip), and reports a NaN norm", () => {
  const g = { a: NDArray.from([3, 4]) };
  throws(() => clipByGlobalNorm(g, NaN), /clipByGlobalNorm: maxNorm must be > 0, got NaN/);
  throws(() => clipByGlobalNorm(g, -1), /maxNorm must be > 0, got -1/);
  throws(() => clipByGlobalNorm(g, -Infinity), /maxNorm must be > 0, got -Infinity/);
  // A NaN in the gradient makes the norm NaN (as documented): reported, never hidden.
  ok(Number.isNaN(clipByGlobalNorm({ a: NDArray.from([3, NaN]) }, 1).norm));
  ok(Number.isNaN(globalNorm({ a: NDArray.from([1]), b: NDArray.from([NaN]) })));
  equal(globalNorm({ a: NDArray.from([1]), b: NDArray.from([Infinity]) }), Infinity);
});

Deno.test("sgdStep: p − lr·g in place (hand computation), and names a missing or misshapen gradient", () => {
  const p = { w: NDArray.from([1, 2, 3]) };
  sgdStep(p, { w: NDArray.from([10, -10, 0]) }, 0.25);
  deepEqual([...p.w.data], [1 - 2.5, 2 + 2.5, 3]);
  throws(
    () => sgdStep(p, { w: NDArray.zeros([2]) }, 1),
    /sgdStep: gradient of w has shape \(2,\), parameter \(3,\)/,
  );
  throws(
    () => sgdStep({ w: p.w, v: NDArray.zeros([1]) }, { w: p.w } as never, 1),
    /sgdStep: no gradient for parameter v/,
  );
});

Deno.test("Adam: a constant gradient g moves each entry by lr·g/(|g|+ε) per step (m̂ = g, v̂ = g²)", () => {
  const lr = 0.01, g = NDArray.from([0.3, -2, 1e-3]);
  const p = { w: NDArray.zeros([3]) };
  const adam = new Adam(lr);
  for (let t = 0; t < 5; t++) adam.step(p, { w: g });
  for (let i = 0; i < 3; i++) {
    const gi = g.get(i);
    close(p.w.get(i), -5 * lr * gi / (Math.abs(gi) + 1e-8), 1e-12);
  }
});

Deno.test("Adam: two different gradients, against the bias-corrected moments written out by hand", () => {
  const lr = 0.1, g1 = 2, g2 = -1;
  const p = { w: NDArray.from([0]) };
  const adam = new Adam(lr);
  adam.step(p, { w: NDArray.from([g1]) });
  adam.step(p, { w: NDArray.from([g2]) });
  // step 1: m̂ = g1, v̂ = g1²; step 2: m̂ = (0.09 g1 + 0.1 g2)/0.19, v̂ = (0.000999 g1² + 0.001 g2²)/0.001999
  const step1 = lr * g1 / (Math.abs(g1) + 1e-8);
  const m2 = (0.09 * g1 + 0.1 * g2) / 0.19, v2 = (0.000999 * g1 ** 2 + 0.001 * g2 ** 2) / 0.001999;
  close(p.w.get(0), -step1 - lr * m2 / (Math.sqrt(v2) + 1e-8), 1e-12);
  throws(() => new Adam(0), /Adam: learning rate must be > 0, got 0/);
});

Deno.test("sigmoidCrossEntropy: dlogit = central difference of the loss; the loss by hand at z = 0", () => {
  for (const z of [-3, -0.2, 0, 1.5, 4]) {
    for (const label of [0, 1]) {
      const h = 1e-6;
      const numeric = (sigmoidCrossEntropy(z + h, label).loss -
        sigmoidCrossEntropy(z - h, label).loss) / (2 * h);
      close(sigmoidCrossEntropy(z, label).dlogit, numeric, 1e-8);
    }
  }
  close(sigmoidCrossEntropy(0, 1).loss, Math.LN2, 1e-15);
  throws(() => sigmoidCrossEntropy(0, 0.5), /label must be 0 or 1, got 0.5/);
});

Deno.test("fit = the loop written by hand (sample, lossAndGrads, step, record), bit for bit: a vanilla RNN and an LSTM on the sign task with Adam", () => {
  const task = signMemoryTask(4);
  const vanillaRnn = {
    forward: (p: VanillaRnnParams, xs: readonly NDArray[]) => {
      const { outputs, cache } = vanillaRnnForward(p, xs);
      return { logits: outputs, cache };
    },
    backward: vanillaRnnBackward,
  };
  const lstm = { forward: lstmForward, backward: lstmBackward };
  // The vanilla RNN by hand: the batch in columns, softmax cross-entropy at the last step, mean.
  const byHandRnn = initVanillaRnnParams(new RandomState(1), { n_x: 1, n_h: 3, n_y: 2 });
  const rng1 = new RandomState(7), adam1 = new Adam(0.05), handLosses: number[] = [];
  for (let s = 0; s < 6; s++) {
    const { xs, labels } = task.sample(rng1, 5);
    const r = vanillaRnnLoss(
      byHandRnn,
      xs,
      NDArray.zeros([3, 5]),
      xs.map(() => oneHot(labels, 2)),
      {
        lossAt: [3],
      },
    );
    const g = vanillaRnnBackward(r.dOutputs, r.cache).grads;
    adam1.step(byHandRnn, {
      U: g.U.div(5),
      W: g.W.div(5),
      b: g.b.div(5),
      V: g.V.div(5),
      c: g.c.div(5),
    });
    handLosses.push(r.loss / 5);
  }
  const viaFit = initVanillaRnnParams(new RandomState(1), { n_x: 1, n_h: 3, n_y: 2 });
  const seen: number[] = [];
  const run = fit(columnClassifier(vanillaRnn, viaFit), task, new Adam(0.05), {
    steps: 6,
    batchSize: 5,
    rng: new RandomState(7),
    progress: false,
    onStep: (s) => seen.push(s),
  });
  deepEqual(run.losses, handLosses);
  deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  for (const [k, p] of parameters(viaFit)) deepEqual(p.data, byHandRnn[k].data, k);
  // The LSTM by hand: one sequence at a time, the last output as a logit, summed into one record.
  const byHandLstm = initLstmParams(new RandomState(2), { x_n: 1, h_n: 3, o_n: 1 });
  const rng2 = new RandomState(8), adam2 = new Adam(0.05), lstmLosses: number[] = [];
  for (let s = 0; s < 6; s++) {
    const batch = task.sample(rng2, 5);
    const grads = zerosLikeParams(byHandLstm);
    let loss = 0;
    for (let j = 0; j < 5; j++) {
      const { outputs, cache } = lstmForward(byHandLstm, signSequence(batch, j));
      const ce = sigmoidCrossEntropy(outputs[3][0], batch.labels[j]);
      loss += ce.loss;
      lstmBackward(
        outputs.map((_, t) => Float64Array.of(t === 3 ? ce.dlogit / 5 : 0)),
        cache,
        grads,
      );
    }
    adam2.step(byHandLstm, grads);
    lstmLosses.push(loss / 5);
  }
  const lstmFit = initLstmParams(new RandomState(2), { x_n: 1, h_n: 3, o_n: 1 });
  const run2 = fit(lastStepClassifier(lstm, lstmFit), task, new Adam(0.05), {
    steps: 6,
    batchSize: 5,
    rng: new RandomState(8),
    progress: false,
  });
  deepEqual(run2.losses, lstmLosses);
  for (const [k, p] of parameters(lstmFit)) deepEqual(p.data, byHandLstm[k].data, k);
});

Deno.test("fit: Sgd is sgdStep, a shared progress bar is ticked once a step and left open, bad options are named", () => {
  const task: Task<number> = { name: "constant", sample: () => 2 };
  const model: SequenceModel<{ w: NDArray }, number> = {
    params: { w: NDArray.from([1]) },
    lossAndGrads(x) {
      const w = this.params.w.get(0);
      return { loss: (w * x) ** 2, grads: { w: NDArray.from([2 * w * x * x]) } };
    },
  };
  let ticks = 0, done = 0;
  const bar = { tick: () => void ticks++, done: () => void done++ };
  const { losses } = fit(model, task, new Sgd(0.1), {
    steps: 2,
    rng: new RandomState(0),
    progress: bar,
  });
  deepEqual([ticks, done], [2, 0]);
  // by hand: w = 1 → loss 4, w ← 1 − 0.1·8 = 0.2 → loss 0.16, w ← 0.2 − 0.1·1.6 = 0.04
  close(losses[0], 4, 0);
  close(losses[1], 0.16, 1e-15);
  close(model.params.w.get(0), 0.04, 1e-15);
  throws(
    () => fit(model, task, new Sgd(0.1), { steps: 1.5, rng: new RandomState(0) }),
    /steps must be/,
  );
  throws(
    () => fit(model, task, new Sgd(0.1), { steps: 1, batchSize: 0, rng: new RandomState(0) }),
    /batchSize must be/,
  );
  throws(() => new Sgd(0), /Sgd: learning rate must be > 0, got 0/);
});

Deno.test("movingAverage: the trailing mean by hand, shorter at the start", () => {
  deepEqual(movingAverage([1, 3, 5, 7], 2), [1, 2, 4, 6]);
  deepEqual(movingAverage([2, 4, 6], 5), [2, 3, 4]);
  throws(() => movingAverage([1], 0), /window must be/);
});

Deno.test("signMemoryTask: one randint call of ±1 signs, labels from the first step; sineTask: numpy's window draws then the start state", () => {
  const batch = signMemoryTask(3).sample(new RandomState(0), 4);
  const signs = new RandomState(0).randint(0, 2, [3, 4]).mul(2).sub(1);
  deepEqual(batch.xs.map((x) => [...x.data]), [0, 1, 2].map((t) => [...signs.take(0, t).data]));
  deepEqual(batch.labels, [...signs.take(0, 0).data].map((s) => (s > 0 ? 1 : 0)));
  deepEqual([...signSequence(batch, 2).data], [0, 1, 2].map((t) => signs.get(t, 2)));
  const rng = new RandomState(3), ref = new RandomState(3);
  const ex = sineTask((r) => r.normal(0, 1, 2).data).sample(rng, 1);
  const s = ref.randint(0, 7), e = ref.randint(22, 30);
  equal(ex.inputs.shape[0], e - s);
  close(ex.inputs.get(0, 0), Math.sin((3 * Math.PI * s) / 29), 1e-15);
  equal(ex.targets.get(0, 0), ex.inputs.get(e - s - 1, 0)); // rolled by one step
  deepEqual([...ex.state], [...ref.normal(0, 1, 2).data]);
  throws(() => sineTask(() => 0).sample(rng, 2), /one window per sample/);
  equal(accuracy([1, 0, 1, 1], [1, 1, 1, 0]), 0.5);
});
