// %% [markdown]
// # 2 · rnn_forward over a sequence, and its backward pass
//
// Document 000 next runs the cell of lesson 1 over a whole sequence: `rnn_forward` takes
// $x$ of shape $(n_x, m, T_x)$ — $T_x$ time steps of a batch of $m$ columns — and an initial
// state $a_0$, and returns every hidden state $a$ $(n_a, m, T_x)$, every prediction
// $\hat y$ $(n_y, m, T_x)$ and the caches the backward pass will need. Its printout was cut
// off; the numbers below are the expected output of the same cell in the Coursera notebook
// *Building your Recurrent Neural Network – Step by Step*, which the document copies. For
// $t = 1, \dots, T_x$, with $a^{\langle 0\rangle} = a_0$:
//
// $$a^{\langle t\rangle} = \tanh\left(W_{ax}x^{\langle t\rangle} + W_{aa}a^{\langle t-1\rangle} + b_a\right),\qquad
//   \hat y^{\langle t\rangle} = \operatorname{softmax}\left(W_{ya}a^{\langle t\rangle} + b_y\right).$$

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
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";

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
// The document stops at the forward pass. The notebook's next function, `rnn_backward`, is
// **backpropagation through time (BPTT)**: the chain rule applied to the network *unrolled*
// over its $T_x$ steps (written $T$ below), i.e. drawn as one long graph with one copy of the cell per step, all
// copies sharing the same weights. We derive it from that picture, reusing lesson 1's cell
// derivation for each copy.
//
// ```
//              x⟨1⟩               x⟨2⟩                          x⟨T⟩
//               │                  │                              │
//    a⟨0⟩ ──▶ cell 1 ──▶ a⟨1⟩ ──▶ cell 2 ──▶ a⟨2⟩ ──▶ ··· ──▶ cell T ──▶ a⟨T⟩
//                         │                   │                            │
//                         ▼                   ▼                            ▼
//                       to L                to L                         to L
//            (every cell uses the same Wax, Waa, ba)
// ```
//
// Like the notebook, `rnn_backward` does not see the output layer: it is handed
// $da^{\langle t\rangle}$, the gradient that reaches each state *directly* from whatever sits
// above it (here the loss $L = \sum_{t} \sum a^{\langle t\rangle} \odot da^{\langle t\rangle}$
// for a random `da` of shape (5, 10, 4), so that direct part is exactly `da[:, :, t]`). Write
// $g^{\langle t\rangle} = \partial L/\partial a^{\langle t\rangle}$ for the *total* gradient of
// a state, shape $(n_a, m)$, and $d^{\langle t\rangle} = \partial L/\partial z^{\langle t\rangle}$
// for the gradient just inside step $t$'s tanh, as in lesson 1.
//
// **Step 1 — read the uses of $a^{\langle t\rangle}$ off the graph.** The state
// $a^{\langle t\rangle}$ has two arrows leaving it: one to the loss, one into cell $t+1$, where
// it plays the role of lesson 1's $a^{\langle t-1\rangle}$. By lesson 1's rule (a value used
// in several places receives the sum of the gradients of its uses):
//
// $$g^{\langle t\rangle} = da^{\langle t\rangle} + c^{\langle t\rangle}\qquad\text{shape } (n_a, m)$$
//
// where $c^{\langle t\rangle}$, the **carry**, is what cell $t+1$ sends back to its input
// state. The last state feeds no further cell, so $c^{\langle T\rangle} = 0$.
//
// **Step 2 — into cell $t+1$ (lesson 1, step 1).** Cell $t+1$'s output is
// $a^{\langle t+1\rangle}$, and the gradient arriving there is the *total*
// $g^{\langle t+1\rangle}$ — everything $a^{\langle t+1\rangle}$ influences, including all
// later steps:
//
// $$d^{\langle t+1\rangle} = \big(1 - (a^{\langle t+1\rangle})^2\big)\odot g^{\langle t+1\rangle}\qquad\text{shape } (n_a, m)$$
//
// **Step 3 — out of cell $t+1$ to its input state (lesson 1, step 4).**
//
// $$c^{\langle t\rangle} = W_{aa}^\top d^{\langle t+1\rangle}\qquad\text{shapes } (n_a, n_a)(n_a, m) = (n_a, m)$$
//
// **Together** — the recursion that runs backwards from $g^{\langle T\rangle} = da^{\langle T\rangle}$:
//
// $$g^{\langle t\rangle} = da^{\langle t\rangle} + W_{aa}^\top\Big[\big(1 - (a^{\langle t+1\rangle})^2\big)\odot g^{\langle t+1\rangle}\Big],\qquad t = T-1, \dots, 1$$
//
// *Why the carry adds:* $a^{\langle t\rangle}$ changes $L$ along two routes, and the chain
// rule for a function of several paths sums over the paths. *What flows back through time:*
// $c^{\langle t\rangle}$ is built from $g^{\langle t+1\rangle}$, which already holds the carry
// from $t+2$, which holds the carry from $t+3$, … so one backward sweep collects every route
// from $a^{\langle t\rangle}$ to every later loss term, each route a product of one
// $W_{aa}^\top\,\operatorname{diag}(1-(a^{\langle s\rangle})^2)$ factor per step $s$ it
// crosses. That factor is the transposed **Jacobian** of one step — the matrix of every
// partial derivative $\partial a^{\langle s\rangle}_i/\partial a^{\langle s-1\rangle}_k$,
// here $\operatorname{diag}(1-(a^{\langle s\rangle})^2)\,W_{aa}$ for one example — and
// lessons 6 and 7 ask what products of many of them do. At the start, the same step 3 with $t = 0$ gives
// $\partial L/\partial a^{\langle 0\rangle} = W_{aa}^\top d^{\langle 1\rangle}$: the code's `da0`.
//
// **Step 4 — the shared weights.** $W_{aa}$ is used by all $T$ cells, so by the same rule its
// gradient is the sum of lesson 1's per-cell gradient over the cells, each formed with the
// state *that cell read*:
//
// $$\frac{\partial L}{\partial W_{aa}} = \sum_{t=1}^{T} d^{\langle t\rangle}\,(a^{\langle t-1\rangle})^\top\qquad\text{each term } (n_a, m)(m, n_a)$$
//
// $$\frac{\partial L}{\partial W_{ax}} = \sum_{t=1}^{T} d^{\langle t\rangle}\,(x^{\langle t\rangle})^\top,\qquad \frac{\partial L}{\partial b_a} = \sum_{t=1}^{T}\,\sum_{\text{columns}} d^{\langle t\rangle}$$
//
// **Step 5 — the inputs.** Each $x^{\langle t\rangle}$ is used by cell $t$ only, so there is
// no sum over time: $\partial L/\partial x^{\langle t\rangle} = W_{ax}^\top d^{\langle t\rangle}$,
// shape $(n_x, m)$, stored in `dx[:, :, t]`.
//
// In code this is a loop from the last step to the first that calls lesson 1's
// `rnn_cell_backward` with $da^{\langle t\rangle}$ plus the carry, keeps the `da_prev` it
// returns as the next carry, and adds up the weight gradients.
//
// We test it against central differences of `rnn_forward` for every entry of every input and
// parameter, by the course's one policy (`lib/numerics/gradient_policy.ts`); we also plant bugs in
// the backward pass (a transposed $dW_{aa}$, a dropped carry, $a^{\langle t\rangle}$ where
// $a^{\langle t-1\rangle}$ belongs, gradients scaled by $1 + s$) and require the check to flag
// each.

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
//
// Every number the notebook published, to the precision numpy printed it (half a unit of the
// eighth decimal), then our whole `a` and `y_pred` against numpy's on this machine within a
// roundoff bound, and the checks above. The table reads as lesson 1's: a line per check, its
// tolerance and the basis of that tolerance.

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
    against: "numpy+BLAS here (tools/gen_rnn_cell_reference.py); roundoff bound",
  },
);
await lesson.end();

// %% [markdown]
// ## What we learned
//
// - **Derived:** backpropagation through time, read off the unrolled graph. A state is used
//   twice — by the loss at its step and by the next cell — so its gradient is the direct part
//   plus the **carry** $W_{aa}^\top\big[(1-(a^{\langle t+1\rangle})^2)\odot g^{\langle t+1\rangle}\big]$,
//   and because $g^{\langle t+1\rangle}$ already holds every later step's contribution, one
//   backward sweep collects them all. Weights shared by every step get the sum of lesson 1's
//   per-step gradients; each input $x^{\langle t\rangle}$, used once, gets one.
// - **What the source got wrong:** its `softmax` normalises over the whole $(n_y, m)$ array, so
//   with a batch no example's probabilities sum to 1 and each prediction depends on the other
//   examples. With one column the two versions agree, which is why a test with $m = 1$ cannot
//   catch it. (Its printout was also cut off; the published values are the notebook's.)
// - **What the numbers proved:** our `rnn_forward` reproduces the notebook's published
//   values; every gradient of `rnn_backward` agrees with central differences for every entry,
//   and the check flags each planted bug — including the dropped carry, the one mistake a
//   single cell (lesson 1) could not show.
//
// ### Check your understanding
//
// <details><summary>1. Why does dWaa get a sum over the time steps while dx gets none?
// </summary>
//
// $W_{aa}$ is one matrix used by every cell, so by the rule "a value used in several places
// receives the sum of the gradients of its uses" its gradient is
// $\sum_t d^{\langle t\rangle}(a^{\langle t-1\rangle})^\top$. Each $x^{\langle t\rangle}$ is a
// different input used by cell $t$ alone, so it has one term,
// $W_{ax}^\top d^{\langle t\rangle}$, stored at its own time index.
//
// </details>
//
// <details><summary>2. Suppose only the last state reaches the loss (da is zero at every step
// but the last), as in a classifier that reads the whole sequence. Which gradients are left
// if the carry is dropped?</summary>
//
// With no direct part at steps $t < T$, $g^{\langle t\rangle}$ *is* the carry. Drop it and
// $g^{\langle t\rangle} = 0$ for every $t < T$: only the last step contributes to $dW_{aa}$,
// $dW_{ax}$ and $db_a$, and $dx$ is zero except at the last step. The weights would be
// trained as if no earlier step had any effect on the loss — and a check on a single step
// could never see it.
//
// </details>
//
// <details><summary>3. Why does the recursion start from the last step and not the first?
// </summary>
//
// $g^{\langle t\rangle}$ needs $g^{\langle t+1\rangle}$ (through the carry), which needs
// $g^{\langle t+2\rangle}$, … down to $g^{\langle T\rangle} = da^{\langle T\rangle}$, the only
// one with no later step. So the backward pass must visit the steps in reverse order, and it
// needs every step's $a^{\langle t\rangle}$ and $a^{\langle t-1\rangle}$ from the forward pass:
// that is what the `caches` keep.
//
// </details>
//
// ## Now practise
//
// **Now do exercise 2: `deno task exercise 2`.** Write `softmax`, `rnn_forward` and
// `rnn_backward` in `exercises/02_rnn_forward.ts`; the command grades them (the published
// values, a batch on which the whole-array softmax fails, and every gradient against central
// differences) and says what is wrong. In Jupyter, open
// `notebooks/exercises/02_rnn_forward.ipynb` instead: write each function in its cell and run
// the grading cell under it.
