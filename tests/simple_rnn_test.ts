import {
  NDArray,
  numericalGradient,
  RandomState,
  relError,
  simpleRnnBackward,
  simpleRnnForward,
} from "../lib/mod.ts";
import { assertAllBelow } from "./_assert.ts";

Deno.test("SimpleRNN + Dense + softmax backward = central differences (T=4, n_in=3, n_h=4, n_out=5)", () => {
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
  const yn = y.div(y.sum(1, true));
  const g = simpleRnnBackward(p, simpleRnnForward(p, x, h0, yn), yn);
  const L = () => simpleRnnForward(p, x, h0, yn).loss;
  for (
    const [name, analytic, param] of [
      ["U", g.U, p.U],
      ["W", g.W, p.W],
      ["b", g.b, p.b],
      ["V", g.V, p.V],
      ["c", g.c, p.c],
      ["h0", g.h0, h0],
    ] as [string, NDArray, NDArray][]
  ) {
    assertAllBelow(relError(analytic, numericalGradient(L, param)), 1e-7, `${name} rel. error`);
  }
});
