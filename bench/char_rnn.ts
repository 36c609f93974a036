/**
 * One training step of a character-level RNN the size of Karpathy's min-char-rnn (hidden 100,
 * vocabulary 65, 25 steps): forward, softmax cross-entropy, backward. Ours works on
 * `Float64Array`s with plain loops; the one-hot input is a column lookup (multiplying by a
 * one-hot vector selects a column), which numpy's version does as a dense product.
 * The TF.js version is the same computation with tensor ops and autodiff.
 *
 * @module
 */

import { RandomState } from "../lib/numerics/random.ts";
import { tf } from "../lib/course/framework.ts";

const H = 100, V = 65, T = 25;

export interface CharRnn {
  Wxh: Float64Array; // (H, V)
  Whh: Float64Array; // (H, H)
  Why: Float64Array; // (V, H)
  bh: Float64Array;
  by: Float64Array;
  inputs: number[];
  targets: number[];
  /** useful floating-point operations of one step (credited to every implementation) */
  flop: number;
}

/** The same parameters and data as bench/numpy_workloads.py's char_rnn_setup (seed 1). */
export function charRnnSetup(): CharRnn {
  const rng = new RandomState(1);
  const Wxh = rng.randn(H, V).mul(0.01).data;
  const Whh = rng.randn(H, H).mul(0.01).data;
  const Why = rng.randn(V, H).mul(0.01).data;
  const inputs = [...rng.randint(0, V, T).data];
  const targets = [...rng.randint(0, V, T).data];
  // per step: Whh·h, Why·h (forward); dWhy, Whyᵀ·dy, dWhh, Whhᵀ·dh (backward); 2 flops per MAC
  const flop = T * 2 * (3 * H * H + 3 * V * H);
  return { Wxh, Whh, Why, bh: new Float64Array(H), by: new Float64Array(V), inputs, targets, flop };
}

/** y += A·x for A (rows, cols) row-major. */
function matvecAdd(A: Float64Array, x: Float64Array, y: Float64Array, rows: number, cols: number) {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const base = i * cols;
    for (let k = 0; k < cols; k++) s += A[base + k] * x[k];
    y[i] += s;
  }
}

/** y += Aᵀ·x for A (rows, cols) row-major: walk A by rows so memory is read in order. */
function matTvecAdd(A: Float64Array, x: Float64Array, y: Float64Array, rows: number, cols: number) {
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    const base = i * cols;
    for (let k = 0; k < cols; k++) y[k] += A[base + k] * xi;
  }
}

/** G += a ⊗ b (outer product) for G (len(a), len(b)). */
function outerAdd(G: Float64Array, a: Float64Array, b: Float64Array) {
  const n = b.length;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    const base = i * n;
    for (let k = 0; k < n; k++) G[base + k] += ai * b[k];
  }
}

/** One step; `impl = "tfjs"` runs the TF.js version instead. Returns the loss and gradients. */
export function charRnnStep(
  m: CharRnn,
  impl: "ours" | "tfjs" = "ours",
): { loss: number; grads?: Record<"Wxh" | "Whh" | "Why" | "bh" | "by", Float64Array> } {
  if (impl === "tfjs") return { loss: tfStep(m) };
  const hs: Float64Array[] = [new Float64Array(H)];
  const ps: Float64Array[] = [];
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const h = new Float64Array(H);
    for (let i = 0; i < H; i++) h[i] = m.Wxh[i * V + m.inputs[t]] + m.bh[i]; // Wxh · onehot
    matvecAdd(m.Whh, hs[t], h, H, H);
    for (let i = 0; i < H; i++) h[i] = Math.tanh(h[i]);
    const y = Float64Array.from(m.by);
    matvecAdd(m.Why, h, y, V, H);
    let mx = -Infinity;
    for (const v of y) mx = Math.max(mx, v);
    let sum = 0;
    for (let j = 0; j < V; j++) sum += y[j] = Math.exp(y[j] - mx);
    for (let j = 0; j < V; j++) y[j] /= sum;
    loss -= Math.log(y[m.targets[t]]);
    hs.push(h);
    ps.push(y);
  }
  const dWxh = new Float64Array(H * V),
    dWhh = new Float64Array(H * H),
    dWhy = new Float64Array(V * H);
  const dbh = new Float64Array(H), dby = new Float64Array(V);
  let dhnext = new Float64Array(H);
  for (let t = T - 1; t >= 0; t--) {
    const dy = ps[t];
    dy[m.targets[t]] -= 1;
    outerAdd(dWhy, dy, hs[t + 1]);
    for (let j = 0; j < V; j++) dby[j] += dy[j];
    const dh = Float64Array.from(dhnext);
    matTvecAdd(m.Why, dy, dh, V, H);
    const h = hs[t + 1];
    for (let i = 0; i < H; i++) dh[i] *= 1 - h[i] * h[i]; // dhraw
    for (let i = 0; i < H; i++) {
      dbh[i] += dh[i];
      dWxh[i * V + m.inputs[t]] += dh[i]; // dhraw ⊗ onehot
    }
    outerAdd(dWhh, dh, hs[t]);
    dhnext = new Float64Array(H);
    matTvecAdd(m.Whh, dh, dhnext, H, H);
  }
  return { loss, grads: { Wxh: dWxh, Whh: dWhh, Why: dWhy, bh: dbh, by: dby } };
}

function tfStep(m: CharRnn): number {
  return tf.tidy(() => {
    const Wxh = tf.tensor(Float32Array.from(m.Wxh), [H, V]);
    const Whh = tf.tensor(Float32Array.from(m.Whh), [H, H]);
    const Why = tf.tensor(Float32Array.from(m.Why), [V, H]);
    const xs = tf.oneHot(tf.tensor1d(m.inputs, "int32"), V).transpose().toFloat(); // (V, T)
    const ys = tf.oneHot(tf.tensor1d(m.targets, "int32"), V).toFloat(); // (T, V)
    const f = (wxh: tf.Tensor, whh: tf.Tensor, why: tf.Tensor) => {
      let h = tf.zeros([H, 1]);
      let loss = tf.scalar(0);
      for (let t = 0; t < T; t++) {
        h = tf.tanh(tf.add(tf.matMul(wxh, xs.slice([0, t], [V, 1])), tf.matMul(whh, h)));
        const logp = tf.logSoftmax(tf.matMul(why, h).reshape([1, V]));
        loss = tf.sub(loss, tf.sum(tf.mul(ys.slice([t, 0], [1, V]), logp)));
      }
      return loss as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)([Wxh, Whh, Why]);
    grads.forEach((g) => g.dataSync());
    return value.dataSync()[0];
  });
}
