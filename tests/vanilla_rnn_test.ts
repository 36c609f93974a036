import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import { relError } from "../lib/numerics/gradcheck.ts";
import { NDArray } from "../lib/numerics/ndarray.ts";
import { RandomState } from "../lib/numerics/random.ts";
import { softmaxCrossEntropy } from "../lib/nn/losses.ts";
import { rtrlGradientW } from "../lib/nn/rtrl.ts";
import {
  initVanillaRnnParams,
  oneHot,
  vanillaRnnBackward,
  vanillaRnnForward,
  vanillaRnnLoss,
  type VanillaRnnParams,
} from "../lib/nn/vanilla_rnn.ts";
import { assertAllBelow } from "./_assert.ts";

function setup(m: number, T: number) {
  const rng = new RandomState(3);
  const params: VanillaRnnParams = {
    U: rng.randn(5, 2).mul(0.5),
    W: rng.randn(5, 5).mul(0.5),
    b: rng.randn(5, 1).mul(0.5),
    V: rng.randn(3, 5).mul(0.5),
    c: rng.randn(3, 1).mul(0.5),
  };
  const xs = Array.from({ length: T }, () => rng.randn(2, m));
  const ys = Array.from(
    { length: T },
    () => oneHot([...rng.randint(0, 3, m).data], 3),
  );
  const h0 = rng.randn(5, m).mul(0.5);
  return { params, xs, ys, h0 };
}

Deno.test("vanillaRnnForward/Backward on the contract: grads keyed like params, dInputs and dState = central differences (gradient policy; batch of 2, every step or one step)", () => {
  const { params, xs, ys, h0 } = setup(2, 3);
  for (const lossAt of [undefined, [1]]) {
    const loss = () =>
      softmaxCrossEntropy(vanillaRnnForward(params, xs, h0).outputs, ys, lossAt).loss;
    const { outputs, cache } = vanillaRnnForward(params, xs, h0);
    const back = vanillaRnnBackward(softmaxCrossEntropy(outputs, ys, lossAt).dLogits, cache);
    deepEqual(Object.keys(back.grads), Object.keys(params));
    const inputs = Object.fromEntries(xs.map((x, t) => [`x${t}`, x]));
    const dInputs = Object.fromEntries(back.dInputs.map((d, t) => [`x${t}`, d]));
    const verdict = checkGradients(
      loss,
      { ...params, ...inputs, h0 },
      { ...back.grads, ...dInputs, h0: back.dState },
    );
    ok(verdict.ok, `lossAt ${lossAt}: ${verdict.summary}`);
    const scaled = plantedBugs.scaled({ ...back.grads }, 1e-4);
    equal(checkGradients(loss, { ...params }, scaled).ok, false, "a 1e-4 scale error must fail");
  }
});

Deno.test("vanillaRnnLoss = vanillaRnnForward then softmaxCrossEntropy, bit for bit", () => {
  const { params, xs, ys, h0 } = setup(2, 3);
  const r = vanillaRnnLoss(params, xs, h0, ys, { lossAt: [0, 2] });
  const f = vanillaRnnForward(params, xs, h0);
  const ce = softmaxCrossEntropy(f.outputs, ys, [0, 2]);
  equal(r.loss, ce.loss);
  deepEqual(r.yHat.map((a) => [...a.data]), ce.probs.map((a) => [...a.data]));
  equal(r.dOutputs[1], undefined);
});

Deno.test("a loss at the first step only: nothing flows from the later steps", () => {
  const { params, xs, ys, h0 } = setup(1, 3);
  const r = vanillaRnnLoss(params, xs, h0, ys, { lossAt: [0] });
  const g = vanillaRnnBackward(r.dOutputs, r.cache).grads;
  const f = vanillaRnnLoss(params, xs, h0, ys);
  const e0 = f.yHat[0].sub(ys[0]);
  assertAllBelow(relError(g.c, e0), 1e-15, "dc rel. error");
  // with the loss at step 0 only, W gets δ⁰ h⁰ᵀ alone; nothing flows from later steps
  const delta0 = f.h[0].square().neg().add(1).mul(params.V.T.dot(e0));
  assertAllBelow(relError(g.W, delta0.dot(h0.T)), 1e-14, "dW rel. error");
});

Deno.test("vanilla RNN shape errors name what was wrong", () => {
  const { params, xs, ys, h0 } = setup(1, 2);
  throws(
    () => vanillaRnnForward({ ...params, W: NDArray.zeros([5, 4]) }, xs, h0),
    /vanillaRnnForward: W has shape \(5,4\), expected \(5,5\)/,
  );
  throws(
    () => vanillaRnnForward(params, [xs[0], NDArray.zeros([3, 1])], h0),
    /xs\[1\] has shape \(3,1\), expected \(2,1\)/,
  );
  throws(() => vanillaRnnLoss(params, xs, h0, ys.slice(1)), /2 inputs but 1 targets/);
  throws(() => vanillaRnnLoss(params, xs, h0, ys, { lossAt: [2] }), /step 2 is not in \[0, 2\)/);
  const { cache } = vanillaRnnForward(params, xs, h0);
  throws(() => vanillaRnnBackward([undefined], cache), /1 output gradients for 2 steps/);
  throws(
    () => vanillaRnnBackward([undefined, NDArray.zeros([2, 1])], cache),
    /dOutputs\[1\] has shape \(2,1\), expected \(3,1\)/,
  );
  throws(() => oneHot([3], 3), /label 3 \(column 0\) is not an integer in \[0, 3\)/);
  equal(oneHot([2, 0], 3).get(2, 0), 1);
});

Deno.test("initVanillaRnnParams: shapes from the sizes, zero biases, and a clear error", () => {
  const p = initVanillaRnnParams(new RandomState(0), { n_x: 2, n_h: 4, n_y: 3 });
  deepEqual(
    Object.entries(p).map(([k, a]) => [k, a.shape]),
    [["U", [4, 2]], ["W", [4, 4]], ["b", [4, 1]], ["V", [3, 4]], ["c", [3, 1]]],
  );
  equal(p.b.abs().max() + p.c.abs().max(), 0);
  throws(
    () => initVanillaRnnParams(new RandomState(0), { n_x: 2, n_h: 1.5, n_y: 3 }),
    /n_h must be a positive integer, got 1.5/,
  );
});

Deno.test("rtrlGradientW = BPTT's ∂L/∂W (loss at every step, and at one step); its planted slips do not; one sequence only", () => {
  const { params, xs, ys, h0 } = setup(1, 4);
  for (const lossAt of [undefined, [2]]) {
    const r = vanillaRnnLoss(params, xs, h0, ys, { lossAt });
    const bptt = vanillaRnnBackward(r.dOutputs, r.cache).grads.W;
    const scale = Math.max(1, bptt.abs().max());
    ok(rtrlGradientW(r.dOutputs, r.cache).sub(bptt).abs().max() <= 1e-13 * scale, `${lossAt}`);
    for (const slip of [{ carry: false }, { current: true }]) {
      ok(rtrlGradientW(r.dOutputs, r.cache, slip).sub(bptt).abs().max() > 1e-3 * scale);
    }
  }
  const two = setup(2, 2);
  const r2 = vanillaRnnLoss(two.params, two.xs, two.h0, two.ys);
  throws(() => rtrlGradientW(r2.dOutputs, r2.cache), /one sequence/);
});
