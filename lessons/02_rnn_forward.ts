// %% [markdown]
// # 2 · rnn_forward over a sequence, and its backward pass
//
// Document 000 next runs the cell of lesson 1 over a whole sequence: `rnn_forward` takes
// $x$ of shape $(n_x, m, T_x)$ — $T_x$ time steps of a batch of $m$ columns — and an initial
// state $a_0$, and returns every hidden state $a$ $(n_a, m, T_x)$, every prediction
// $\hat y$ $(n_y, m, T_x)$ and the caches the backward pass will need. Its printout was cut
// off; the numbers below are the expected output of the same cell in the Coursera notebook
// *Building your Recurrent Neural Network – Step by Step*, which the document copies.
//
// $$a^{\langle t\rangle} = \tanh\left(W_{ax}x^{\langle t\rangle} + W_{aa}a^{\langle t-1\rangle} + b_a\right),\qquad
//   \hat y^{\langle t\rangle} = \operatorname{softmax}\left(W_{ya}a^{\langle t\rangle} + b_y\right),
//   \qquad t = 1, \dots, T_x.$$

// %%
import {
  courseraCellGradients,
  courseraGradients,
  dot,
  gamma,
  Lesson,
  lineChart,
  NDArray,
  plot,
  RandomState,
  readDataJson,
  rnnBackward,
  type RnnCaches,
  rnnCellBackward,
  type RnnCellCache,
  rnnForward,
  type RnnParameters,
  show,
  softmax,
  softmaxWholeArray,
  UNIT_ROUNDOFF,
  wrapLine,
} from "../lib/mod.ts";
import { checkGradients, plantedBugs } from "../lib/gradient_policy.ts";

const lesson = new Lesson(2);

// %% [markdown]
// ## The test cell
//
// After `np.random.seed(1)` the cell draws `x` (3, 10, 4), `a0` (5, 10), then `Waa`, `Wax`,
// `Wya`, `ba`, `by` — note `Waa` before `Wax` here, the other way round from lesson 1.

// %%
const rng = new RandomState(1);
const x = rng.randn(3, 10, 4);
const a0 = rng.randn(5, 10);
const Waa = rng.randn(5, 5);
const Wax = rng.randn(5, 3);
const Wya = rng.randn(2, 5);
const ba = rng.randn(5, 1);
const by = rng.randn(2, 1);
const parameters: RnnParameters = { Waa, Wax, Wya, ba, by };

// The notebook's `rnn_forward` / `rnn_backward`, as thin adapters over lib/nn/rnn_cell.ts's
// contract functions (parameters first; the model returns the logits, the softmax of every
// step is applied here; gradients keyed like the parameters, renamed to the notebook's dx, …).
function rnn_forward(
  x: NDArray,
  a0: NDArray,
  parameters: RnnParameters,
  softmaxFn: (z: NDArray) => NDArray = softmax,
) {
  const { outputs, cache } = rnnForward(parameters, x, a0);
  const y_pred = NDArray.zeros(outputs.logits.shape);
  for (let t = 0; t < x.shape[2]; t++) y_pred.put(2, t, softmaxFn(outputs.logits.take(2, t)));
  return { a: outputs.a, y_pred, caches: cache };
}
const rnn_backward = (da: NDArray, caches: RnnCaches) =>
  courseraGradients(rnnBackward({ a: da }, caches));
const rnn_cell_backward = (da_next: NDArray, cache: RnnCellCache) =>
  courseraCellGradients(rnnCellBackward({ a: da_next }, cache));

const { a, y_pred, caches } = rnn_forward(x, a0, parameters);
await show("a[4][1]", a.take(0, 4).take(0, 1));
console.log("a.shape =", `(${a.shape.join(", ")})`);
await show("y_pred[1][3]", y_pred.take(0, 1).take(0, 3));
console.log("y_pred.shape =", `(${y_pred.shape.join(", ")})`);
await show("caches[1][1][3]", caches[1].take(0, 1).take(0, 3));
console.log("len(caches) =", caches.length);

// %% [markdown]
// `caches` is the pair `(list of per-step caches, x)`, so `caches[1][1][3]` is simply
// `x[1][3]`: the four time steps of input feature 1 of example 3.
//
// ## Two softmaxes
//
// The document's own `softmax` divides `exp(a)` by `np.sum(exp_a)` — the sum over the *whole*
// array. With a batch, the array is $(n_y, m)$: that normalises over all $m$ examples at
// once, so each example's probabilities no longer sum to 1. The notebook's version (which
// produced the published numbers) sums over axis 0 — each column, each example, on its own —
// after subtracting the maximum (which changes nothing mathematically but keeps `exp` from
// overflowing).

// %%
const wrong = rnn_forward(x, a0, parameters, softmaxWholeArray).y_pred;
await show("document's softmax: y_pred[1][3]", wrong.take(0, 1).take(0, 3));
const columnSums = (y: NDArray) => y.take(2, 0).sum(0);
await show("document's softmax: column sums at t=0", columnSums(wrong));
await show("notebook's softmax: column sums at t=0", columnSums(y_pred));
console.log("document's softmax: sum over the whole batch at t=0 =", wrong.take(2, 0).sum());
const wrongSums = [...columnSums(wrong).data];
console.log(
  "document's softmax: column sums at t=0 range from",
  Math.min(...wrongSums).toFixed(3),
  "to",
  Math.max(...wrongSums).toFixed(3),
);
await plot(
  lineChart({
    title: "probabilities per example at t=0: the sum over the 2 classes",
    series: {
      "notebook's softmax (per column)": [...columnSums(y_pred).data],
      "document's softmax (whole array)": [...columnSums(wrong).data],
    },
    xTitle: "example (column of the batch)",
    yTitle: "sum of y_pred",
    height: 180,
  }),
  "lesson02_softmax_sums",
);

// %% [markdown]
// With the document's version no column sums to 1 — the sums spread over the range printed
// above, wherever the batch's largest scores happen to be — and only the whole batch sums to
// 1: the examples leak into each other's normalisation, so a prediction depends on what else
// is in the batch. For a single column ($m=1$) the two agree, which is how such a slip
// survives: a test with one example cannot catch it. Test with $m \ge 2$.

// %%
const single = NDArray.from([[0.3], [-1.2]]);
lesson.check(
  "softmax, one column: document's = notebook's",
  softmaxWholeArray(single),
  softmax(single),
  {
    tolerance: 1e-16,
    against: "the notebook's softmax (they agree only when m = 1)",
  },
);
lesson.check("notebook's softmax: every column sums to 1", columnSums(y_pred), NDArray.ones([10]), {
  tolerance: 4e-16,
  against: "the definition (a few ULPs of rounding)",
});

// %% [markdown]
// ## One step past the document: backpropagation through time
//
// `rnn_backward` walks the caches from the last step to the first. At each step the
// gradient reaching $a^{\langle t\rangle}$ is what comes from above at that step (from the
// outputs) plus what flows back from step $t+1$ through $W_{aa}$:
//
// $$\frac{\partial L}{\partial a^{\langle t\rangle}} = da^{\langle t\rangle}_{\text{above}}
//   + W_{aa}^\top\Big[(1 - (a^{\langle t+1\rangle})^2)\odot\frac{\partial L}{\partial a^{\langle t+1\rangle}}\Big],$$
//
// and the parameter gradients are the sums of lesson 1's per-step gradients. We test it on
// $L = \sum_{t} \sum a^{\langle t\rangle} \odot da^{\langle t\rangle}$ for a random upstream
// `da` (5, 10, 4), against central differences of `rnn_forward` for every entry of every
// input and parameter, by the course's one policy (`lib/gradient_policy.ts`); we also plant
// bugs in the backward pass (a transposed $dW_{aa}$, a dropped carry,
// $a^{\langle t\rangle}$ where $a^{\langle t-1\rangle}$ belongs, gradients scaled by $1 + s$)
// and require the check to flag each.

// %%
const da = rng.randn(5, 10, 4);
const grads = rnn_backward(da, caches); // the notebook's dx, da0, dWax, …
const loss = () => rnn_forward(x, a0, parameters).a.mul(da).sum();
const checked = { dx: x, da0: a0, dWax: Wax, dWaa: Waa, dba: ba };
const analytic = {
  dx: grads.dx,
  da0: grads.da0,
  dWax: grads.dWax,
  dWaa: grads.dWaa,
  dba: grads.dba,
};
const policy = checkGradients(loss, checked, analytic);
console.log(wrapLine(`rnn_backward vs central differences: ${policy.summary}`));
lesson.gradientCheck(
  "rnn_backward (all five gradients) vs numerical gradient (gradient policy)",
  policy,
);

// Two slips planted in a backward pass written out here. "no carry": each step sees only its
// own upstream gradient, not what flows back from step t+1 through W_aa. "a⟨t⟩": the carry
// is kept, but dW_aa pairs each step's d_tanh with its own output a⟨t⟩ instead of a⟨t−1⟩.
function plantedBackward(slip: "no carry" | "a⟨t⟩"): Record<string, NDArray> {
  const [cells] = caches;
  const T = x.shape[2];
  const dx = NDArray.zeros(x.shape);
  let dWax = NDArray.zeros(Wax.shape), dWaa = NDArray.zeros(Waa.shape);
  let dba = NDArray.zeros(ba.shape), da0 = NDArray.zeros(a0.shape);
  for (let t = T - 1; t >= 0; t--) {
    const upstream = slip === "no carry" ? da.take(2, t) : da.take(2, t).add(da0);
    const g = rnn_cell_backward(upstream, cells[t]);
    const a_t = cells[t].a_next;
    const dtanh = a_t.square().neg().add(1).mul(upstream);
    dx.put(2, t, g.dxt);
    dWax = dWax.add(g.dWax);
    dWaa = dWaa.add(slip === "a⟨t⟩" ? dot(dtanh, a_t.T) : g.dWaa);
    dba = dba.add(g.dba);
    da0 = g.da_prev;
  }
  return { dx, da0, dWax, dWaa, dba };
}
const planted: [string, Record<string, NDArray>][] = [
  ["dWaa transposed", plantedBugs.transposed(analytic, "dWaa")],
  ["the carry from step t+1 dropped", plantedBackward("no carry")],
  ["a⟨t⟩ used for a⟨t−1⟩ in dWaa", plantedBackward("a⟨t⟩")],
  ["every gradient scaled by 1 + 1e-3", plantedBugs.scaled(analytic, 1e-3)],
  ["every gradient scaled by 1 + 1e-5", plantedBugs.scaled(analytic, 1e-5)],
];
lesson.flagsPlantedBugs(loss, checked, planted);
lesson.value("gradient check: smallest detectable relative error", policy.smallestDetectable);

// %% [markdown]
// ## Published values

// %%
lesson.published("a[4][1]", a.take(0, 4).take(0, 1));
lesson.published("a.shape", [...a.shape]);
lesson.published("y_pred[1][3]", y_pred.take(0, 1).take(0, 3));
lesson.published("y_pred.shape", [...y_pred.shape]);
lesson.published("caches[1][1][3]", caches[1].take(0, 1).take(0, 3));
lesson.published("len(caches)", caches.length);

// The whole arrays against numpy on this machine. The tolerance is a first-order roundoff
// bound carried through the recursion, as in lesson 1: at each step
// |δa⟨t⟩| ≤ (1 − a²)(γ₉ Σ|terms of z| + |Waa|·|δa⟨t−1⟩|) + 2u|a|, and for the outputs
// |δo| ≤ γ₆ (|Wya||a| + |by|) + |Wya||δa|, |δŷ| ≤ ŷ (2 max|δo| + 4u); twice that for two programs.
const u = UNIT_ROUNDOFF;
let dPrev = NDArray.zeros([5, 10]);
let aPrev = a0;
const aBound = NDArray.zeros([5, 10, 4]);
const yBound = NDArray.zeros([2, 10, 4]);
for (let t = 0; t < 4; t++) {
  const at = a.take(2, t);
  const Z = Wax.abs().dot(x.take(2, t).abs()).add(Waa.abs().dot(aPrev.abs())).add(ba.abs());
  const dz = Z.mul(gamma(9)).add(Waa.abs().dot(dPrev));
  const dA = at.square().neg().add(1).mul(dz).add(at.abs().mul(2 * u));
  const dO = Wya.abs().dot(at.abs()).add(by.abs()).mul(gamma(6)).add(Wya.abs().dot(dA));
  aBound.put(2, t, dA);
  yBound.put(2, t, y_pred.take(2, t).mul(2 * dO.max() + 4 * u));
  dPrev = dA;
  aPrev = at;
}
const numpyRef = readDataJson<Record<string, Record<string, string[]>>>(
  "rnn_cell/numpy_reference.json",
);
const asArray = (v: string[], shape: number[]) => new NDArray(v.map(Number), shape);
lesson.check("a (all entries) vs numpy", a, asArray(numpyRef.rnn_forward.a, [5, 10, 4]), {
  tolerance: 2 * aBound.max(),
  against: "numpy+BLAS here (tools/gen_rnn_cell_reference.py); roundoff bound",
});
lesson.check(
  "y_pred (all entries) vs numpy",
  y_pred,
  asArray(numpyRef.rnn_forward.y_pred, [2, 10, 4]),
  {
    tolerance: 2 * yBound.max(),
    against: "numpy+BLAS here; roundoff bound",
  },
);
await lesson.end();
