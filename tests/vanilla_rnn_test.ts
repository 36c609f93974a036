import { equal, throws } from "node:assert/strict";
import { numericalGradient, relError } from "../lib/gradcheck.ts";
import { NDArray } from "../lib/ndarray.ts";
import { RandomState } from "../lib/random.ts";
import {
  oneHot,
  vanillaRnnBackward,
  vanillaRnnForward,
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

Deno.test("vanillaRnnBackward = central differences (batch of 2, every step or one step)", () => {
  const { params, xs, ys, h0 } = setup(2, 3);
  for (const lossAt of [undefined, [1]]) {
    const { cache } = vanillaRnnForward(xs, h0, params, ys, { lossAt });
    const g = vanillaRnnBackward(cache);
    const loss = () => vanillaRnnForward(xs, h0, params, ys, { lossAt }).loss;
    for (const key of ["U", "W", "b", "V", "c"] as const) {
      const rel = relError(g[key], numericalGradient(loss, params[key]));
      assertAllBelow(rel, 1e-7, `${key} (lossAt ${lossAt}) rel. error`);
    }
    assertAllBelow(relError(g.h0, numericalGradient(loss, h0)), 1e-7, "h0 rel. error");
  }
});

Deno.test("a loss at the first step only: nothing flows from the later steps", () => {
  const { params, xs, ys, h0 } = setup(1, 3);
  const g = vanillaRnnBackward(vanillaRnnForward(xs, h0, params, ys, { lossAt: [0] }).cache);
  const f = vanillaRnnForward(xs, h0, params, ys);
  const e0 = f.yHat[0].sub(ys[0]);
  assertAllBelow(relError(g.c, e0), 1e-15, "dc rel. error");
  // with the loss at step 0 only, W gets δ⁰ h⁰ᵀ alone; nothing flows from later steps
  const delta0 = f.h[0].square().neg().add(1).mul(params.V.T.dot(e0));
  assertAllBelow(relError(g.W, delta0.dot(h0.T)), 1e-14, "dW rel. error");
});

Deno.test("vanilla RNN shape errors name what was wrong", () => {
  const { params, xs, ys, h0 } = setup(1, 2);
  throws(
    () => vanillaRnnForward(xs, h0, { ...params, W: NDArray.zeros([5, 4]) }, ys),
    /vanillaRnnForward: W has shape \(5,4\), expected \(5,5\)/,
  );
  throws(
    () => vanillaRnnForward([xs[0], NDArray.zeros([3, 1])], h0, params, ys),
    /xs\[1\] has shape \(3,1\), expected \(2,1\)/,
  );
  throws(() => vanillaRnnForward(xs, h0, params, ys.slice(1)), /2 inputs but 1 targets/);
  throws(() => vanillaRnnForward(xs, h0, params, ys, { lossAt: [2] }), /lossAt step 2/);
  throws(() => oneHot([3], 3), /label 3 \(column 0\) is not an integer in \[0, 3\)/);
  equal(oneHot([2, 0], 3).get(2, 0), 1);
});
