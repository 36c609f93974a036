import { ok, throws } from "node:assert/strict";
import { NDArray, numericalGradient, RandomState, relError, RnnCell } from "../lib/mod.ts";

Deno.test("RnnCell backward = central differences (batch 2, 4 steps)", () => {
  const r = new RandomState(5);
  const [wih, whh, bih, bhh] = [r.randn(3, 2), r.randn(3, 3), r.randn(3), r.randn(3)];
  const xs = r.randn(4, 2, 2), h0 = r.randn(2, 3), dhs = r.randn(4, 2, 3);
  const run = () => {
    const c = new RnnCell(wih, whh, bih, bhh);
    let h = h0, L = 0;
    for (let t = 0; t < 4; t++) {
      h = c.call(xs.take(0, t), h);
      L += h.mul(dhs.take(0, t)).sum();
    }
    return { c, L };
  };
  const { c } = run();
  for (let t = 3; t >= 0; t--) c.backward(dhs.take(0, t));
  const g = c.grads();
  const f = () => run().L;
  ok(relError(g.dW_ih, numericalGradient(f, wih)).max() < 1e-7);
  ok(relError(g.dW_hh, numericalGradient(f, whh)).max() < 1e-7);
  ok(relError(g.db_ih, numericalGradient(f, bih)).max() < 1e-7);
  ok(relError(c.dh0, numericalGradient(f, h0)).max() < 1e-7);
});

Deno.test("RnnCell errors name the shapes", () => {
  throws(
    () =>
      new RnnCell(
        NDArray.zeros([3, 2]),
        NDArray.zeros([2, 2]),
        NDArray.zeros([3]),
        NDArray.zeros([3]),
      ),
    /RnnCell: weight_ih \(3,2\), weight_hh \(2,2\)/,
  );
  const c = new RnnCell(
    NDArray.zeros([3, 2]),
    NDArray.zeros([3, 3]),
    NDArray.zeros([3]),
    NDArray.zeros([3]),
  );
  throws(
    () => c.call(NDArray.zeros([1, 4]), NDArray.zeros([1, 3])),
    /x \(1,4\) and prev_hidden \(1,3\) must be \(batch, 2\) and \(batch, 3\)/,
  );
  throws(() => c.backward(NDArray.zeros([1, 3])), /more backward steps than forward steps/);
});
