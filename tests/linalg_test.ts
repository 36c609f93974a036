import { equal, ok, throws } from "node:assert/strict";
import { lstsq, NDArray, RandomState, svd } from "../lib/mod.ts";
import { assertAllBelow } from "./_assert.ts";

Deno.test("svd reconstructs a random matrix and orders singular values", () => {
  const A = new RandomState(3).randn(7, 4);
  const { U, s, V } = svd(A);
  const back = U.mul(s).dot(V.T);
  assertAllBelow(back.sub(A).abs(), 1e-13, "|U·S·Vᵀ − A|");
  for (let k = 1; k < 4; k++) ok(s.get(k) <= s.get(k - 1));
  assertAllBelow(V.T.dot(V).sub(NDArray.eye(4)).abs(), 1e-13, "|VᵀV − I|");
});

Deno.test("lstsq finds the rank, the minimum-norm solution and the null space", () => {
  // Column 2 = column 0 + column 1: rank 2, null space along (1, 1, -1).
  const A = NDArray.from([[1, 0, 1], [0, 1, 1], [1, 1, 2], [2, 1, 3]]);
  const truth = NDArray.from([1, 2, 3]);
  const { x, rank, residual, nullSpace } = lstsq(A, A.dot(truth));
  equal(rank, 2);
  ok(residual < 1e-12);
  assertAllBelow(A.dot(x).sub(A.dot(truth)).abs(), 1e-12, "|Ax − A·truth|");
  const nv = nullSpace.take(1, 0);
  ok(Math.abs(Math.abs(nv.get(0)) - 1 / Math.sqrt(3)) < 1e-12);
  assertAllBelow(A.dot(nv).abs(), 1e-12, "|A·null vector|");
  // minimum norm: x is orthogonal to the null space
  ok(Math.abs(x.dot(nv).item()) < 1e-12);
  throws(() => lstsq(A, NDArray.zeros([3])), /lstsq: A is \(4,3\) but b is \(3,\)/);
  throws(() => svd(NDArray.zeros([2, 3])), /rows >= columns/);
});
