import { equal, ok, throws } from "node:assert/strict";
import { lstsq, matrixPower, NDArray, RandomState, scaledOrthogonal, svd } from "../lib/mod.ts";
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

Deno.test("matrixPower: [[1,1],[0,1]]ⁿ = [[1,n],[0,1]] and a rotation by θ to the n is a rotation by nθ (by hand); A⁰ = I", () => {
  const shear = NDArray.from([[1, 1], [0, 1]]);
  for (const n of [1, 2, 3, 7, 8, 13]) {
    equal(JSON.stringify(matrixPower(shear, n).toNested()), JSON.stringify([[1, n], [0, 1]]));
  }
  const th = 0.3,
    rot = (a: number) => NDArray.from([[Math.cos(a), -Math.sin(a)], [Math.sin(a), Math.cos(a)]]);
  assertAllBelow(matrixPower(rot(th), 11).sub(rot(11 * th)).abs(), 1e-14, "R(θ)^11 − R(11θ)");
  equal(
    JSON.stringify(matrixPower(NDArray.full([3, 3], 7), 0).toNested()),
    JSON.stringify(NDArray.eye(3).toNested()),
  );
  throws(
    () => matrixPower(NDArray.zeros([2, 3]), 2),
    /matrixPower: A must be square, got shape \(2,3\)/,
  );
  throws(() => matrixPower(shear, -1), /matrixPower: n must be an integer >= 0, got -1/);
});

Deno.test("scaledOrthogonal: WᵀW = ρ²I, so every singular value is ρ", () => {
  const rho = 1.25, W = scaledOrthogonal(new RandomState(7), 6, rho);
  assertAllBelow(W.T.dot(W).sub(NDArray.eye(6).mul(rho * rho)).abs(), 1e-13, "WᵀW − ρ²I");
  assertAllBelow(svd(W).s.sub(rho).abs(), 1e-13, "σ(W) − ρ");
});
