/** `deno bench bench/`: micro-benchmarks of `dot` and of one step of each cell. */
import {
  dlstm,
  dot,
  initLstmParams,
  lstm,
  RandomState,
  RnnCell,
  rnnCellBackward,
  rnnCellForward,
  zerosLikeParams,
} from "../lib/mod.ts";

const rng = new RandomState(0);
const A = rng.randn(100, 100), v = rng.randn(100, 1), B = rng.randn(100, 100);
Deno.bench("dot (100,100)·(100,1)", () => {
  dot(A, v);
});
Deno.bench("dot (100,100)·(100,100)", () => {
  dot(A, B);
});
const small = rng.randn(5, 5), col = rng.randn(5, 10);
Deno.bench("dot (5,5)·(5,10) — allocation-bound", () => {
  dot(small, col);
});

const p = {
  Wax: rng.randn(5, 3),
  Waa: rng.randn(5, 5),
  Wya: rng.randn(2, 5),
  ba: rng.randn(5, 1),
  by: rng.randn(2, 1),
};
const xt = rng.randn(3, 10), aPrev = rng.randn(5, 10), da = rng.randn(5, 10);
Deno.bench("rnn_cell forward + backward (lesson 1 sizes)", () => {
  rnnCellBackward({ a: da }, rnnCellForward(p, xt, aPrev).cache);
});

const lp = initLstmParams(rng, { x_n: 1, h_n: 5, o_n: 1 }), grads = zerosLikeParams(lp);
const h = new Float64Array(5),
  c = new Float64Array(5),
  x = Float64Array.of(0.5),
  dy = Float64Array.of(0.1);
Deno.bench("lstm step forward + backward (hidden 5)", () => {
  const r = lstm(lp, x, h, c);
  dlstm(lp, dy, h, c, r.cache, grads);
});

const cell = new RnnCell(rng.randn(5, 4), rng.randn(5, 5), rng.randn(5), rng.randn(5));
const xb = rng.randn(3, 4), hb = rng.randn(3, 5), dh = rng.randn(3, 5);
Deno.bench("torch-layout RnnCell step forward + backward", () => {
  cell.call(xb, hb);
  cell.backward(dh);
  cell.reset();
});
