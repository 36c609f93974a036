/**
 * `NDArray`: a row-major `Float64Array` with a `shape`, and just the numpy semantics the
 * lessons need — creation, indexing along an axis, `dot`, broadcasting elementwise
 * arithmetic, `sum(axis, keepdims)`, transpose, `outer`, `concatenate`, `stack`.
 *
 * Every operation that can be given incompatible shapes throws an error that names the
 * operation and both shapes, the way numpy does:
 *
 * ```ts
 * import { NDArray, dot } from "./ndarray.ts";
 * import { throws } from "node:assert/strict";
 * throws(() => dot(NDArray.zeros([5, 3]), NDArray.zeros([4, 10])), /dot: shapes \(5,3\) and \(4,10\) not aligned/);
 * ```
 *
 * @module
 */

/** A number, or arbitrarily nested arrays of numbers (numpy's "array_like"). */
export type Nested = number | readonly Nested[];

/** What the binary operations accept on either side: an array or a plain number. */
export type ArrayLike = NDArray | number;

/** Formats a shape the way numpy prints it: `(5,3)`, `(5,)`, `()`. */
export function shapeStr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(",")})`;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(
        `${op}: invalid shape ${shapeStr(shape)}: dimensions must be integers >= 0`,
      );
    }
  }
}

/** Row-major strides (in elements) of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * An n-dimensional float64 array, stored row-major ("C order") like numpy's default.
 *
 * ```ts
 * import { NDArray } from "./ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const a = NDArray.from([[1, 2, 3], [4, 5, 6]]);
 * deepEqual(a.shape, [2, 3]);
 * deepEqual(a.get(1, 2), 6);
 * deepEqual(a.T.toNested(), [[1, 4], [2, 5], [3, 6]]);
 * deepEqual(a.sum(1).toNested(), [6, 15]);
 * ```
 */
export class NDArray {
  /** The elements, row-major. */
  readonly data: Float64Array;
  /** The dimensions; `[]` for a 0-d array (a scalar). */
  readonly shape: readonly number[];

  constructor(data: Float64Array | readonly number[], shape: readonly number[]) {
    checkShape("NDArray", shape);
    const n = product(shape);
    if (data.length !== n) {
      throw new RangeError(
        `NDArray: ${data.length} values cannot have shape ${shapeStr(shape)} (needs ${n})`,
      );
    }
    this.data = data instanceof Float64Array ? data : Float64Array.from(data);
    this.shape = Object.freeze([...shape]);
  }

  /** numpy's `np.array(nested)`: infers the shape; ragged input is an error. */
  static from(nested: Nested): NDArray {
    const shape: number[] = [];
    let probe: Nested = nested;
    while (Array.isArray(probe)) {
      shape.push(probe.length);
      probe = (probe as readonly Nested[])[0];
    }
    const data = new Float64Array(product(shape));
    let k = 0;
    const walk = (x: Nested, depth: number): void => {
      if (depth === shape.length) {
        if (typeof x !== "number") throw new TypeError(`NDArray.from: ragged nested array`);
        data[k++] = x;
        return;
      }
      if (!Array.isArray(x) || x.length !== shape[depth]) {
        throw new TypeError(
          `NDArray.from: ragged nested array: expected length ${shape[depth]} at depth ${depth}`,
        );
      }
      for (const y of x as readonly Nested[]) walk(y, depth + 1);
    };
    walk(nested, 0);
    return new NDArray(data, shape);
  }

  /** `np.zeros(shape)`. */
  static zeros(shape: readonly number[]): NDArray {
    checkShape("zeros", shape);
    return new NDArray(new Float64Array(product(shape)), shape);
  }

  /** `np.full(shape, value)`. */
  static full(shape: readonly number[], value: number): NDArray {
    checkShape("full", shape);
    return new NDArray(new Float64Array(product(shape)).fill(value), shape);
  }

  /** `np.ones(shape)`. */
  static ones(shape: readonly number[]): NDArray {
    return NDArray.full(shape, 1);
  }

  /** `np.eye(n)`. */
  static eye(n: number): NDArray {
    const out = NDArray.zeros([n, n]);
    for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
    return out;
  }

  /** `np.diag(v)` for a vector `v`: the square matrix with `v` on its diagonal. */
  static diag(v: NDArray): NDArray {
    if (v.ndim !== 1) {
      throw new RangeError(`diag: expected a vector, got shape ${shapeStr(v.shape)}`);
    }
    const n = v.size;
    const out = NDArray.zeros([n, n]);
    for (let i = 0; i < n; i++) out.data[i * n + i] = v.data[i];
    return out;
  }

  /** `np.linspace(start, stop, num)` (endpoint included), computed like numpy. */
  static linspace(start: number, stop: number, num: number): NDArray {
    const out = new Float64Array(num);
    const div = num - 1;
    const step = (stop - start) / div;
    for (let i = 0; i < num; i++) out[i] = start + i * step;
    if (num > 1) out[num - 1] = stop;
    return new NDArray(out, [num]);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The transpose (all axes reversed), like numpy's `.T`. */
  get T(): NDArray {
    return this.transpose();
  }

  private offset(op: string, index: readonly number[]): number {
    if (index.length !== this.ndim) {
      throw new RangeError(
        `${op}: ${index.length} indices for an array of shape ${shapeStr(this.shape)}`,
      );
    }
    let off = 0;
    let stride = 1;
    for (let a = this.ndim - 1; a >= 0; a--) {
      const n = this.shape[a];
      let i = index[a];
      if (i < 0) i += n;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new RangeError(
          `${op}: index ${index[a]} is out of bounds for axis ${a} with size ${n} (shape ${
            shapeStr(this.shape)
          })`,
        );
      }
      off += i * stride;
      stride *= n;
    }
    return off;
  }

  /** One element, `a[i, j, …]`; negative indices count from the end. */
  get(...index: number[]): number {
    return this.data[this.offset("get", index)];
  }

  /** Sets one element, `a[i, j, …] = value`. */
  set(index: readonly number[], value: number): void {
    this.data[this.offset("set", index)] = value;
  }

  /** The only element of a size-1 array, like numpy's `.item()`. */
  item(): number {
    if (this.size !== 1) {
      throw new RangeError(
        `item: can only convert an array of size 1, got shape ${shapeStr(this.shape)}`,
      );
    }
    return this.data[0];
  }

  /** A deep copy. */
  copy(): NDArray {
    return new NDArray(this.data.slice(), this.shape);
  }

  /** Nested JavaScript arrays (a number for a 0-d array), like numpy's `.tolist()`. */
  toNested(): Nested {
    let k = 0;
    const build = (depth: number): Nested => {
      if (depth === this.ndim) return this.data[k++];
      const out: Nested[] = [];
      for (let i = 0; i < this.shape[depth]; i++) out.push(build(depth + 1));
      return out;
    };
    return build(0);
  }

  /** Same data, new shape; one dimension may be `-1` (inferred). */
  reshape(...shape: number[]): NDArray {
    const known = shape.filter((d) => d !== -1);
    const free = shape.length - known.length;
    if (free > 1) throw new RangeError(`reshape: can only specify one unknown dimension`);
    const n = product(known);
    const full = shape.map((d) => (d === -1 ? (n === 0 ? 0 : this.size / n) : d));
    if (product(full) !== this.size || full.some((d) => !Number.isInteger(d))) {
      throw new RangeError(
        `reshape: cannot reshape array of shape ${shapeStr(this.shape)} into shape ${
          shapeStr(shape)
        }`,
      );
    }
    return new NDArray(this.data.slice(), full);
  }

  /** Permutes the axes (default: reverses them), like `np.transpose(a, axes)`. */
  transpose(axes?: readonly number[]): NDArray {
    const nd = this.ndim;
    const perm = axes ?? [...Array(nd).keys()].reverse();
    if (perm.length !== nd || [...perm].sort((x, y) => x - y).some((p, i) => p !== i)) {
      throw new RangeError(
        `transpose: axes [${perm.join(",")}] do not match array of shape ${shapeStr(this.shape)}`,
      );
    }
    const shape = perm.map((p) => this.shape[p]);
    const src = stridesOf(this.shape);
    const permStrides = perm.map((p) => src[p]);
    const out = new Float64Array(this.size);
    const idx = new Array<number>(nd).fill(0);
    for (let k = 0; k < out.length; k++) {
      let off = 0;
      for (let a = 0; a < nd; a++) off += idx[a] * permStrides[a];
      out[k] = this.data[off];
      for (let a = nd - 1; a >= 0; a--) {
        if (++idx[a] < shape[a]) break;
        idx[a] = 0;
      }
    }
    return new NDArray(out, shape);
  }

  /**
   * The sub-array at position `i` along `axis` (that axis removed): `a.take(0, 4)` is numpy's
   * `a[4]`, `x.take(2, t)` is `x[:, :, t]`. Negative `i` counts from the end.
   */
  take(axis: number, i: number): NDArray {
    const ax = this.axis("take", axis);
    const n = this.shape[ax];
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new RangeError(
        `take: index ${i} is out of bounds for axis ${ax} with size ${n} (shape ${
          shapeStr(this.shape)
        })`,
      );
    }
    return this.slice(ax, j, j + 1).reshape(...this.shape.filter((_, a) => a !== ax));
  }

  /** Writes `value` (broadcast) at position `i` along `axis`: numpy's `a[:, :, t] = value`. */
  put(axis: number, i: number, value: ArrayLike): void {
    const ax = this.axis("put", axis);
    const inner = this.shape.filter((_, a) => a !== ax);
    const v = broadcastTo("put", asArray(value), inner);
    const outer = product(this.shape.slice(0, ax));
    const n = this.shape[ax];
    const block = product(this.shape.slice(ax + 1));
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new RangeError(
        `put: index ${i} is out of bounds for axis ${ax} with size ${n} (shape ${
          shapeStr(this.shape)
        })`,
      );
    }
    for (let o = 0; o < outer; o++) {
      this.data.set(v.data.subarray(o * block, (o + 1) * block), (o * n + j) * block);
    }
  }

  /** Elements `start` (inclusive) to `end` (exclusive) along `axis`: `a[:, start:end]`. */
  slice(axis: number, start: number, end?: number): NDArray {
    const ax = this.axis("slice", axis);
    const n = this.shape[ax];
    const norm = (x: number) => Math.min(Math.max(x < 0 ? x + n : x, 0), n);
    const s = norm(start);
    const e = Math.max(norm(end ?? n), s);
    const outer = product(this.shape.slice(0, ax));
    const block = product(this.shape.slice(ax + 1));
    const shape = [...this.shape];
    shape[ax] = e - s;
    const out = new Float64Array(product(shape));
    for (let o = 0; o < outer; o++) {
      out.set(
        this.data.subarray((o * n + s) * block, (o * n + e) * block),
        o * (e - s) * block,
      );
    }
    return new NDArray(out, shape);
  }

  private axis(op: string, axis: number): number {
    const ax = axis < 0 ? axis + this.ndim : axis;
    if (!Number.isInteger(ax) || ax < 0 || ax >= this.ndim) {
      throw new RangeError(
        `${op}: axis ${axis} is out of bounds for array of shape ${shapeStr(this.shape)}`,
      );
    }
    return ax;
  }

  /** Applies `f` to every element. */
  map(f: (x: number) => number): NDArray {
    const out = new Float64Array(this.size);
    for (let i = 0; i < out.length; i++) out[i] = f(this.data[i]);
    return new NDArray(out, this.shape);
  }

  /** `self + other` with numpy broadcasting. */
  add(other: ArrayLike): NDArray {
    return binary("add", this, other, (x, y) => x + y);
  }
  /** `self - other` with numpy broadcasting. */
  sub(other: ArrayLike): NDArray {
    return binary("sub", this, other, (x, y) => x - y);
  }
  /** `self * other` (elementwise) with numpy broadcasting. */
  mul(other: ArrayLike): NDArray {
    return binary("mul", this, other, (x, y) => x * y);
  }
  /** `self / other` (elementwise) with numpy broadcasting. */
  div(other: ArrayLike): NDArray {
    return binary("div", this, other, (x, y) => x / y);
  }
  /** `self ** other` (elementwise, numpy's `np.power`) with broadcasting. */
  pow(other: ArrayLike): NDArray {
    return binary("pow", this, other, (x, y) => x ** y);
  }
  /** `-self`. */
  neg(): NDArray {
    return this.map((x) => -x);
  }
  /** `np.tanh`. */
  tanh(): NDArray {
    return this.map(Math.tanh);
  }
  /** `np.exp`. */
  exp(): NDArray {
    return this.map(Math.exp);
  }
  /** `np.log`. */
  log(): NDArray {
    return this.map(Math.log);
  }
  /** `np.sqrt`. */
  sqrt(): NDArray {
    return this.map(Math.sqrt);
  }
  /** `np.abs`. */
  abs(): NDArray {
    return this.map(Math.abs);
  }
  /** `x * x`, elementwise. */
  square(): NDArray {
    return this.map((x) => x * x);
  }

  /** `a.dot(b)`: see {@link dot}. */
  dot(other: NDArray): NDArray {
    return dot(this, other);
  }

  /**
   * `np.sum(a)` (a number) or `np.sum(a, axis, keepdims)` (an array). Sums run in index
   * order, one addition at a time.
   */
  sum(): number;
  sum(axis: number | readonly number[], keepdims?: boolean): NDArray;
  sum(axis?: number | readonly number[], keepdims = false): number | NDArray {
    return reduce(this, "sum", axis, keepdims, 0, (acc, x) => acc + x);
  }

  /**
   * `np.max(a)` or `np.max(a, axis, keepdims)`. As in numpy, a NaN anywhere makes the result
   * NaN (so `relError(…).max() < tol` fails on a NaN gradient), and the maximum of no
   * elements is an error.
   *
   * ```ts
   * import { NDArray } from "./ndarray.ts";
   * import { equal, throws } from "node:assert/strict";
   * equal(NDArray.from([NaN, 1]).max(), NaN);
   * equal(NDArray.from([-3, -2]).max(), -2);
   * throws(() => NDArray.zeros([0]).max(), /max: zero-size array/);
   * ```
   */
  max(): number;
  max(axis: number | readonly number[], keepdims?: boolean): NDArray;
  max(axis?: number | readonly number[], keepdims = false): number | NDArray {
    return reduce(
      this,
      "max",
      axis,
      keepdims,
      -Infinity,
      (acc, x) => (x > acc || x !== x ? x : acc),
    );
  }

  /** `np.min(a)` or `np.min(a, axis, keepdims)`: NaN propagates, as in {@link NDArray.max}. */
  min(): number;
  min(axis: number | readonly number[], keepdims?: boolean): NDArray;
  min(axis?: number | readonly number[], keepdims = false): number | NDArray {
    return reduce(
      this,
      "min",
      axis,
      keepdims,
      Infinity,
      (acc, x) => (x < acc || x !== x ? x : acc),
    );
  }

  /** `np.mean(a)` or `np.mean(a, axis, keepdims)`. */
  mean(): number;
  mean(axis: number | readonly number[], keepdims?: boolean): NDArray;
  mean(axis?: number | readonly number[], keepdims = false): number | NDArray {
    if (axis === undefined) return this.sum() / this.size;
    const s = this.sum(axis, keepdims);
    return s.div(this.size / s.size);
  }

  /** Human-readable summary for `console.log` / Deno's inspector. */
  toString(): string {
    return `NDArray${shapeStr(this.shape)} ${JSON.stringify(this.toNested())}`;
  }
}

function asArray(x: ArrayLike): NDArray {
  return typeof x === "number" ? new NDArray(new Float64Array([x]), []) : x;
}

/** numpy's broadcasting rule: the shape both operands broadcast to, or an error. */
export function broadcastShapes(
  op: string,
  a: readonly number[],
  b: readonly number[],
): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const x = a[a.length - nd + i] ?? 1;
    const y = b[b.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new RangeError(
        `${op}: operands could not be broadcast together with shapes ${shapeStr(a)} ${shapeStr(b)}`,
      );
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** `np.broadcast_to(a, shape)` (as a copy). */
export function broadcastTo(op: string, a: NDArray, shape: readonly number[]): NDArray {
  const target = broadcastShapes(op, a.shape, shape);
  if (target.length !== shape.length || target.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${op}: could not broadcast input array from shape ${shapeStr(a.shape)} into shape ${
        shapeStr(shape)
      }`,
    );
  }
  if (a.shape.length === shape.length && a.shape.every((d, i) => d === shape[i])) return a;
  return binaryData(a, NDArray.zeros(shape), shape, (x) => x);
}

function binaryData(
  a: NDArray,
  b: NDArray,
  shape: readonly number[],
  f: (x: number, y: number) => number,
): NDArray {
  const nd = shape.length;
  const stridesFor = (s: readonly number[]) => {
    const st = stridesOf(s);
    const pad = nd - s.length;
    return shape.map((_, i) => (i < pad || s[i - pad] === 1 ? 0 : st[i - pad]));
  };
  const sa = stridesFor(a.shape);
  const sb = stridesFor(b.shape);
  const out = new Float64Array(product(shape));
  const idx = new Array<number>(nd).fill(0);
  let oa = 0;
  let ob = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = f(a.data[oa], b.data[ob]);
    for (let ax = nd - 1; ax >= 0; ax--) {
      oa += sa[ax];
      ob += sb[ax];
      if (++idx[ax] < shape[ax]) break;
      oa -= sa[ax] * shape[ax];
      ob -= sb[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return new NDArray(out, shape);
}

function binary(
  op: string,
  a: NDArray,
  other: ArrayLike,
  f: (x: number, y: number) => number,
): NDArray {
  const b = asArray(other);
  if (a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) {
    const out = new Float64Array(a.size);
    for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i]);
    return new NDArray(out, a.shape);
  }
  return binaryData(a, b, broadcastShapes(op, a.shape, b.shape), f);
}

function reduce(
  a: NDArray,
  op: string,
  axis: number | readonly number[] | undefined,
  keepdims: boolean,
  init: number,
  f: (acc: number, x: number) => number,
): number | NDArray {
  const identityless = op === "max" || op === "min";
  const noIdentity = () =>
    new RangeError(
      `${op}: zero-size array ${shapeStr(a.shape)} has no ${
        op === "max" ? "maximum" : "minimum"
      } (numpy: zero-size array to reduction operation ${
        op === "max" ? "maximum" : "minimum"
      } which has no identity)`,
    );
  if (axis === undefined) {
    if (a.size === 0 && identityless) throw noIdentity();
    let acc = init;
    for (let i = 0; i < a.size; i++) acc = f(acc, a.data[i]);
    return acc;
  }
  const axes = (typeof axis === "number" ? [axis] : [...axis]).map((x) => {
    const ax = x < 0 ? x + a.ndim : x;
    if (!Number.isInteger(ax) || ax < 0 || ax >= a.ndim) {
      throw new RangeError(
        `${op}: axis ${x} is out of bounds for array of shape ${shapeStr(a.shape)}`,
      );
    }
    return ax;
  });
  const kept = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  if (identityless && a.size === 0 && product(kept) > 0) throw noIdentity();
  const out = new Float64Array(product(kept)).fill(init);
  const outStrides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const idx = new Array<number>(a.ndim).fill(0);
  let o = 0;
  for (let k = 0; k < a.size; k++) {
    out[o] = f(out[o], a.data[k]);
    for (let ax = a.ndim - 1; ax >= 0; ax--) {
      o += outStrides[ax];
      if (++idx[ax] < a.shape[ax]) break;
      o -= outStrides[ax] * a.shape[ax];
      idx[ax] = 0;
    }
  }
  const shape = keepdims ? kept : a.shape.filter((_, i) => !axes.includes(i));
  return new NDArray(out, shape);
}

/**
 * `np.dot(a, b)` for vectors and matrices: (m,k)·(k,n) → (m,n); (k)·(k,n) → (n);
 * (m,k)·(k) → (m); (k)·(k) → 0-d. Each entry is the inner product summed in index order
 * (no blocking, no fused multiply-add), which is why results can differ from numpy+BLAS
 * by a few units in the last place.
 *
 * ```ts
 * import { NDArray, dot } from "./ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * const W = NDArray.from([[1, 2], [3, 4]]);
 * deepEqual(dot(W, NDArray.from([1, 1])).toNested(), [3, 7]);
 * ```
 */
export function dot(a: NDArray, b: NDArray): NDArray {
  if (a.ndim > 2 || b.ndim > 2 || a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(
      `dot: only vectors and matrices are supported, got shapes ${shapeStr(a.shape)} and ${
        shapeStr(b.shape)
      }`,
    );
  }
  const m = a.ndim === 2 ? a.shape[0] : 1;
  const k = a.shape[a.ndim - 1];
  const kb = b.ndim === 2 ? b.shape[0] : b.shape[0];
  const n = b.ndim === 2 ? b.shape[1] : 1;
  if (k !== kb) {
    throw new RangeError(
      `dot: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} not aligned: ${k} (dim ${
        a.ndim - 1
      }) != ${kb} (dim 0)`,
    );
  }
  const out = new Float64Array(m * n);
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
      out[i * n + j] = s;
    }
  }
  const shape = [...(a.ndim === 2 ? [m] : []), ...(b.ndim === 2 ? [n] : [])];
  return new NDArray(out, shape);
}

/** `np.outer(a, b)`: `out[i, j] = a[i] * b[j]` over the flattened inputs. */
export function outer(a: NDArray, b: NDArray): NDArray {
  const out = new Float64Array(a.size * b.size);
  for (let i = 0; i < a.size; i++) {
    for (let j = 0; j < b.size; j++) out[i * b.size + j] = a.data[i] * b.data[j];
  }
  return new NDArray(out, [a.size, b.size]);
}

/** `np.concatenate(arrays, axis)`. */
export function concatenate(arrays: readonly NDArray[], axis = 0): NDArray {
  if (arrays.length === 0) throw new RangeError(`concatenate: need at least one array`);
  const first = arrays[0];
  const ax = axis < 0 ? axis + first.ndim : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= first.ndim) {
    throw new RangeError(
      `concatenate: axis ${axis} is out of bounds for array of shape ${shapeStr(first.shape)}`,
    );
  }
  for (const a of arrays) {
    if (a.ndim !== first.ndim || a.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new RangeError(
        `concatenate: shapes ${shapeStr(first.shape)} and ${
          shapeStr(a.shape)
        } differ outside axis ${ax}`,
      );
    }
  }
  const shape = [...first.shape];
  shape[ax] = arrays.reduce((s, a) => s + a.shape[ax], 0);
  const outer = product(first.shape.slice(0, ax));
  const inner = product(first.shape.slice(ax + 1));
  const out = new Float64Array(product(shape));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const a of arrays) {
      const block = a.shape[ax] * inner;
      out.set(a.data.subarray(o * block, (o + 1) * block), k);
      k += block;
    }
  }
  return new NDArray(out, shape);
}

/** `np.stack(arrays, axis)`: joins equal-shaped arrays along a new axis. */
export function stack(arrays: readonly NDArray[], axis = 0): NDArray {
  if (arrays.length === 0) throw new RangeError(`stack: need at least one array`);
  const s = arrays[0].shape;
  for (const a of arrays) {
    if (a.ndim !== s.length || a.shape.some((d, i) => d !== s[i])) {
      throw new RangeError(
        `stack: all input arrays must have the same shape, got ${shapeStr(s)} and ${
          shapeStr(a.shape)
        }`,
      );
    }
  }
  const ax = axis < 0 ? axis + s.length + 1 : axis;
  const expanded = arrays.map((a) => a.reshape(...s.slice(0, ax), 1, ...s.slice(ax)));
  return concatenate(expanded, ax);
}

/**
 * The largest `|a - b|` over all elements (shapes must match exactly, and be non-empty):
 * NaN if any difference is NaN, so a NaN can never look like agreement.
 *
 * ```ts
 * import { maxAbsDiff, NDArray } from "./ndarray.ts";
 * import { equal } from "node:assert/strict";
 * equal(maxAbsDiff(NDArray.from([1, NaN]), NDArray.from([1, 2])), NaN);
 * ```
 */
export function maxAbsDiff(a: NDArray, b: NDArray): number {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(
      `maxAbsDiff: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} differ`,
    );
  }
  if (a.size === 0) {
    throw new RangeError(`maxAbsDiff: zero-size arrays ${shapeStr(a.shape)}: nothing compared`);
  }
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/**
 * `np.roll(a, shift, axis=0)`: the rows (the slices along axis 0) shifted down by `shift`,
 * wrapping around, so row t of the result is row `(t − shift) mod n` of `a`. Inputs: `a` of
 * shape (n, …), an integer `shift` (negative shifts up). Returns: the same shape.
 *
 * ```ts
 * import { NDArray, roll } from "./ndarray.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(roll(NDArray.from([[1], [2], [3]]), 1).toNested(), [[3], [1], [2]]);
 * ```
 */
export function roll(a: NDArray, shift: number): NDArray {
  if (a.ndim === 0 || a.shape[0] === 0) {
    throw new RangeError(`roll: need at least one row along axis 0, got ${shapeStr(a.shape)}`);
  }
  if (!Number.isInteger(shift)) {
    throw new RangeError(`roll: shift must be an integer, got ${shift}`);
  }
  const n = a.shape[0], row = a.size / n;
  const out = new Float64Array(a.size);
  for (let t = 0; t < n; t++) {
    const from = (((t - shift) % n) + n) % n;
    out.set(a.data.subarray(from * row, (from + 1) * row), t * row);
  }
  return new NDArray(out, a.shape);
}

/**
 * Throws a RangeError naming the operation, the argument and both shapes unless `a` has
 * exactly `shape`: `rnnCellBackward: da_next has shape (5,9), expected (5,10)`.
 */
export function expectShape(op: string, what: string, a: NDArray, shape: readonly number[]): void {
  if (a.ndim !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${op}: ${what} has shape ${shapeStr(a.shape)}, expected ${shapeStr(shape)}`,
    );
  }
}
