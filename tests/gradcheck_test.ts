import { equal, ok, throws } from "node:assert/strict";
import {
  gradCheck,
  NDArray,
  numericalGradient,
  numericalGradientArray,
  relError,
} from "../lib/mod.ts";
import { assertAllBelow, assertBelow } from "./_assert.ts";

Deno.test("numericalGradient of a cubic matches the exact derivative to O(h²)", () => {
  const x = NDArray.from([0.3, -1.2, 2]);
  const g = numericalGradient(() => x.pow(3).sum(), x);
  const exact = x.square().mul(3);
  // Truncation error h²·f'''/6 = 1e-10 per entry here.
  assertAllBelow(g.sub(exact).abs(), 2e-9, "|numeric − exact|");
  equal(x.get(1), -1.2, "x is restored");
});

Deno.test("numericalGradientArray contracts with the upstream gradient", () => {
  const x = NDArray.from([[1, 2], [3, 4]]);
  const df = NDArray.from([[1, 0], [0, 2]]);
  const g = numericalGradientArray(() => x.tanh(), x, df);
  const exact = x.tanh().square().neg().add(1).mul(df);
  assertAllBelow(relError(g, exact), 1e-8, "rel. error");
});

Deno.test("gradCheck finds a wrong gradient and reports where", () => {
  const W = NDArray.from([[0.5, -0.3], [0.8, 0.1]]);
  const x = NDArray.from([1, 2]);
  const loss = () => W.dot(x).tanh().sum();
  const dz = W.dot(x).tanh().square().neg().add(1);
  const right = NDArray.from([[dz.get(0) * 1, dz.get(0) * 2], [dz.get(1) * 1, dz.get(1) * 2]]);
  const [good] = gradCheck(loss, { W }, { W: right });
  assertBelow(good.maxRelError, 1e-9, "maxRelError of the right gradient");
  const wrong = right.copy();
  wrong.set([1, 0], right.get(1, 0) * 1.01);
  const [bad] = gradCheck(loss, { W }, { W: wrong });
  ok(bad.maxRelError > 1e-3);
  equal(bad.worst.index, 2);
  throws(() => gradCheck(loss, { W }, {}), /no analytic gradient for "W"/);
  throws(
    () => gradCheck(loss, { W }, { W: x }),
    /gradient of "W" has shape \(2,\), parameter has \(2,2\)/,
  );
});

Deno.test("relError: CS231n's definition, 0 when both are 0", () => {
  equal(relError(1, 1), 0);
  equal(relError(0, 0), 0);
  equal(relError(1, 3), 0.5);
  throws(() => relError(NDArray.zeros([2]), NDArray.zeros([3])), /shapes \(2,\) and \(3,\) differ/);
});

Deno.test("gradCheck's worst-entry scan covers every entry, the last included", () => {
  const x = NDArray.from([0.5, -1, 2, 0.25]);
  const loss = () => x.pow(3).sum();
  const exact = x.square().mul(3);
  for (let at = 0; at < x.size; at++) {
    const wrong = exact.copy();
    wrong.data[at] *= 1.001;
    const [r] = gradCheck(loss, { x }, { x: wrong });
    equal(r.worst.index, at, `wrong entry ${at}`);
    equal(r.worst.analytic, wrong.data[at]);
    ok(r.maxRelError > 4e-4 && r.maxRelError < 6e-4, `${r.maxRelError}`);
  }
});

Deno.test("relError: NaN where either side is NaN or ±∞, 0 where both are 0", () => {
  for (const [a, n] of [[NaN, 1], [1, NaN], [Infinity, Infinity], [-Infinity, 1], [1, Infinity]]) {
    equal(relError(a, n), NaN, `relError(${a}, ${n})`);
  }
  equal(relError(0, 0), 0);
  const r = relError(NDArray.from([1, NaN, 0]), NDArray.from([3, 2, 0]));
  equal(r.get(0), 0.5);
  equal(r.get(1), NaN);
  equal(r.get(2), 0);
});

Deno.test("gradCheck: a NaN or ∞ entry anywhere makes maxRelError NaN and is named, analytic or numeric", () => {
  const x = NDArray.from([1, 2, 3]);
  const loss = () => x.square().sum() as number;
  for (const [i, v] of [[0, NaN], [2, NaN], [1, Infinity], [2, -Infinity]]) {
    const a = NDArray.from([2, 4, 6]);
    a.data[i] = v;
    const [r] = gradCheck(loss, { x }, { x: a });
    equal(r.maxRelError, NaN, `analytic ${v} at ${i}`);
    equal(r.worst.index, i);
    equal(r.nonFinite, `x[${i}]: analytic ${v}, numeric ${r.numeric.data[i]}`);
  }
  // two non-finite entries: the first is named
  const [two] = gradCheck(loss, { x }, { x: NDArray.from([2, Infinity, NaN]) });
  equal(two.worst.index, 1);
  equal(two.nonFinite, `x[1]: analytic Infinity, numeric ${two.numeric.data[1]}`);
  // a loss that is NaN when the last entry moves: the numeric side is named
  const y = NDArray.from([1, 2, 3]);
  const [r] = gradCheck(
    () => y.data[0] ** 2 + y.data[1] ** 2 + (y.data[2] === 3 ? 9 : NaN),
    { y },
    { y: NDArray.from([2, 4, 6]) },
  );
  equal(r.maxRelError, NaN);
  equal(r.worst.index, 2);
  equal(r.nonFinite, "y[2]: analytic 6, numeric NaN");
  // all finite: the largest relative error, and nothing named
  const [ok1] = gradCheck(loss, { x }, { x: NDArray.from([2, 4, 6.6]) });
  ok(Math.abs(ok1.maxRelError - 0.6 / 12.6) < 1e-9, String(ok1.maxRelError));
  equal(ok1.worst.index, 2);
  equal(ok1.nonFinite, "");
});
