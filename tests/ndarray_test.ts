import { deepEqual, equal, throws } from "node:assert/strict";
import {
  concatenate,
  dot,
  expectShape,
  maxAbsDiff,
  NDArray,
  outer,
  roll,
  stack,
} from "../lib/numerics/ndarray.ts";

const A = NDArray.from([[1, 2, 3], [4, 5, 6]]);

Deno.test("creation and indexing", () => {
  deepEqual(A.shape, [2, 3]);
  equal(A.get(-1, -1), 6);
  deepEqual(NDArray.zeros([2, 0]).shape, [2, 0]);
  deepEqual(NDArray.eye(2).toNested(), [[1, 0], [0, 1]]);
  deepEqual(NDArray.linspace(0, 1, 5).toNested(), [0, 0.25, 0.5, 0.75, 1]);
  throws(() => NDArray.from([[1, 2], [3]]), /ragged/);
  throws(() => new NDArray([1, 2, 3], [2, 2]), /3 values cannot have shape \(2,2\)/);
  throws(() => A.get(2, 0), /index 2 is out of bounds for axis 0 with size 2/);
  throws(() => NDArray.zeros([-1]), /invalid shape/);
});

Deno.test("take / put / slice along an axis (numpy's a[i], a[:, :, t])", () => {
  const x = NDArray.from([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
  deepEqual(x.take(0, 1).toNested(), [[5, 6], [7, 8]]);
  deepEqual(x.take(2, 0).toNested(), [[1, 3], [5, 7]]);
  const y = NDArray.zeros([2, 2, 2]);
  y.put(2, 1, NDArray.from([[1, 2], [3, 4]]));
  deepEqual(y.toNested(), [[[0, 1], [0, 2]], [[0, 3], [0, 4]]]);
  deepEqual(A.slice(1, 1).toNested(), [[2, 3], [5, 6]]);
  deepEqual(A.slice(1, -2, -1).toNested(), [[2], [5]]);
  throws(() => A.take(2, 0), /axis 2 is out of bounds for array of shape \(2,3\)/);
  throws(() => y.put(0, 0, NDArray.zeros([3])), /put: operands could not be broadcast/);
});

Deno.test("broadcasting arithmetic", () => {
  deepEqual(A.add(NDArray.from([10, 20, 30])).toNested(), [[11, 22, 33], [14, 25, 36]]);
  deepEqual(A.mul(NDArray.from([[2], [3]])).toNested(), [[2, 4, 6], [12, 15, 18]]);
  deepEqual(A.sub(1).toNested(), [[0, 1, 2], [3, 4, 5]]);
  deepEqual(A.pow(2).toNested(), [[1, 4, 9], [16, 25, 36]]);
  throws(
    () => A.add(NDArray.zeros([2])),
    /add: operands could not be broadcast together with shapes \(2,3\) \(2,\)/,
  );
});

Deno.test("reductions", () => {
  equal(A.sum(), 21);
  deepEqual(A.sum(0).toNested(), [5, 7, 9]);
  deepEqual(A.sum(-1, true).toNested(), [[6], [15]]);
  deepEqual(A.sum([0, 1]).toNested(), 21);
  equal(A.max(), 6);
  deepEqual(A.mean(0).toNested(), [2.5, 3.5, 4.5]);
  throws(() => A.sum(3), /sum: axis 3 is out of bounds/);
});

Deno.test("dot, transpose, outer, concatenate, stack, reshape", () => {
  deepEqual(dot(A, A.T).toNested(), [[14, 32], [32, 77]]);
  deepEqual(dot(NDArray.from([1, 1]), A).toNested(), [5, 7, 9]);
  deepEqual(dot(A, NDArray.from([1, 0, 1])).toNested(), [4, 10]);
  deepEqual(dot(NDArray.from([1, 2]), NDArray.from([3, 4])).toNested(), 11);
  throws(
    () => dot(NDArray.zeros([5, 3]), NDArray.zeros([4, 10])),
    /dot: shapes \(5,3\) and \(4,10\) not aligned: 3 \(dim 1\) != 4 \(dim 0\)/,
  );
  deepEqual(NDArray.from([[[1, 2, 3]]]).transpose([2, 0, 1]).shape, [3, 1, 1]);
  throws(() => A.transpose([0, 0]), /transpose: axes \[0,0\] do not match/);
  deepEqual(outer(NDArray.from([1, 2]), NDArray.from([3, 4, 5])).toNested(), [[3, 4, 5], [
    6,
    8,
    10,
  ]]);
  deepEqual(concatenate([A, A], 1).shape, [2, 6]);
  deepEqual(concatenate([A, NDArray.from([[7, 8, 9]])]).toNested(), [[1, 2, 3], [4, 5, 6], [
    7,
    8,
    9,
  ]]);
  throws(
    () => concatenate([A, NDArray.zeros([2, 2])]),
    /concatenate: shapes \(2,3\) and \(2,2\) differ outside axis 0/,
  );
  deepEqual(stack([A, A], 1).shape, [2, 2, 3]);
  throws(() => stack([A, A.T]), /stack: all input arrays must have the same shape/);
  deepEqual(A.reshape(3, -1).shape, [3, 2]);
  throws(() => A.reshape(4, 2), /cannot reshape array of shape \(2,3\) into shape \(4,2\)/);
  equal(maxAbsDiff(A, A.add(0.5)), 0.5);
});

Deno.test("roll matches np.roll(a, shift, axis=0) on hand-written cases (rows wrap around)", () => {
  const a = NDArray.from([[1, 2], [3, 4], [5, 6]]);
  deepEqual(roll(a, 1).toNested(), [[5, 6], [1, 2], [3, 4]]);
  deepEqual(roll(a, -1).toNested(), [[3, 4], [5, 6], [1, 2]]);
  deepEqual(roll(a, 4).toNested(), roll(a, 1).toNested());
  deepEqual(roll(a, 0).toNested(), a.toNested());
  deepEqual(roll(NDArray.from([1, 2, 3, 4]), 2).toNested(), [3, 4, 1, 2]);
  throws(() => roll(a, 0.5), /roll: shift must be an integer, got 0.5/);
});

Deno.test("expectShape names the operation, the argument and both shapes", () => {
  expectShape("op", "x", NDArray.zeros([2, 3]), [2, 3]);
  throws(
    () => expectShape("rnnCellBackward", "da_next", NDArray.zeros([5, 9]), [5, 10]),
    /^RangeError: rnnCellBackward: da_next has shape \(5,9\), expected \(5,10\)$/,
  );
  throws(
    () => expectShape("op", "x", NDArray.zeros([6]), [2, 3]),
    /x has shape \(6,\), expected \(2,3\)/,
  );
});

Deno.test("negative indices count from the end, in get, take, put and slice", () => {
  equal(A.get(-2, -3), 1);
  equal(A.get(0, -2), 2);
  deepEqual(A.take(0, -1).toNested(), [4, 5, 6]);
  deepEqual(A.take(1, -3).toNested(), [1, 4]);
  const y = NDArray.zeros([2, 3]);
  y.put(1, -1, NDArray.from([7, 8]));
  deepEqual(y.toNested(), [[0, 0, 7], [0, 0, 8]]);
  // slice bounds are clamped like Python's
  deepEqual(A.slice(1, -10).toNested(), A.toNested());
  deepEqual(A.slice(1, 1, 10).toNested(), [[2, 3], [5, 6]]);
  throws(() => A.take(0, -3), /index -3 is out of bounds for axis 0 with size 2/);
});

Deno.test("broadcasting refuses shapes that do not fit, even of the same size", () => {
  throws(() => A.add(NDArray.zeros([3, 2])), /shapes \(2,3\) \(3,2\)/);
  throws(() => A.mul(NDArray.zeros([6])), /shapes \(2,3\) \(6,\)/);
  // a length-0 dimension broadcasts against 1 to 0, not to 1
  deepEqual(NDArray.zeros([0, 3]).add(NDArray.ones([1, 3])).shape, [0, 3]);
  // put(): the value must broadcast *into* the slot, not the slot into the value
  const y = NDArray.zeros([2, 1, 2]);
  throws(() => y.put(0, 0, NDArray.zeros([2, 2])), /could not broadcast input array/);
});

Deno.test("linspace ends exactly at stop, as numpy's does", () => {
  // −1 + 4·(1.3 / 4) is 0.30000000000000004: numpy (and we) set the last point to stop.
  const step = (0.3 - -1) / 4;
  equal(-1 + 4 * step, 0.30000000000000004);
  const l = NDArray.linspace(-1, 0.3, 5);
  equal(l.get(-1), 0.3);
  for (let i = 0; i < 4; i++) equal(l.get(i), -1 + i * step);
});

Deno.test("max and min: a NaN anywhere (first, middle, last; one column) makes that result NaN, as numpy's", () => {
  for (const data of [[NaN, 1, 2], [1, NaN, 2], [1, 2, NaN], [-Infinity, NaN, Infinity]]) {
    const a = NDArray.from(data);
    equal(a.max(), NaN, `max of ${data}`);
    equal(a.min(), NaN, `min of ${data}`);
  }
  // along an axis: only the column holding the NaN is NaN
  const m = NDArray.from([[1, 5, -2], [3, NaN, -7], [2, 4, -1]]);
  deepEqual([...(m.max(0) as NDArray).data], [3, NaN, -1]);
  deepEqual([...(m.min(0) as NDArray).data], [1, NaN, -7]);
  deepEqual([...(m.max(1) as NDArray).data], [5, NaN, 4]);
  // infinities are ordinary values
  equal(NDArray.from([-Infinity, -Infinity]).max(), -Infinity);
  equal(NDArray.from([1, Infinity]).max(), Infinity);
  throws(() => NDArray.zeros([0]).min(), /min: zero-size array/);
});

Deno.test("maxAbsDiff: NaN wherever a difference is NaN (first or last entry, either side, ∞ − ∞)", () => {
  const ones = NDArray.from([1, 1, 1]);
  equal(maxAbsDiff(NDArray.from([NaN, 1, 1]), ones), NaN);
  equal(maxAbsDiff(NDArray.from([1, 1, NaN]), ones), NaN);
  equal(maxAbsDiff(ones, NDArray.from([1, 5, NaN])), NaN);
  equal(maxAbsDiff(NDArray.from([Infinity]), NDArray.from([Infinity])), NaN);
  equal(maxAbsDiff(NDArray.from([1, -2]), NDArray.from([1, 2])), 4);
});
