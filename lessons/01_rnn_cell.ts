// %% [markdown]
// # 1 · One RNN cell, forward and backward
//
// Our first source (document 000, an untitled blog post on BPTT) copies the graded
// functions `rnn_cell_forward` and `rnn_cell_backward` of the Coursera notebook
// *Building your Recurrent Neural Network – Step by Step*, runs them on random inputs
// drawn after `np.random.seed(1)`, and prints five gradient entries and five shapes.
// We rebuild the cell in TypeScript, draw the very same random numbers with a bit-exact
// port of numpy's generator, and reproduce every printed number.
//
// The cell works in *column layout*: each of the $m$ examples of a batch is a column.
// For an input $x^{\langle t\rangle}$ of shape $(n_x, m)$ and the previous hidden state
// $a^{\langle t-1\rangle}$ of shape $(n_a, m)$:
//
// $$a^{\langle t\rangle} = \tanh\left(W_{ax}x^{\langle t\rangle} + W_{aa}a^{\langle t-1\rangle} + b_a\right),\qquad
//   \hat y^{\langle t\rangle} = \operatorname{softmax}\left(W_{ya}a^{\langle t\rangle} + b_y\right).$$
//
// The shapes: $W_{ax}$ is $(n_a, n_x)$, $W_{aa}$ is $(n_a, n_a)$, $b_a$ is $(n_a, 1)$ and is
// added to every column. The printed test uses $n_x = 3$, $n_a = 5$, $m = 10$.
//
// ## Deriving the backward pass, one step per line
//
// The backward pass receives $G = \partial L/\partial a^{\langle t\rangle}$ (the code's
// `da_next`, shape $(n_a, m)$): how the loss $L$, a single number, changes with each entry of
// the cell's output. It must return $\partial L/\partial$ of everything the cell was given.
// A gradient always has the shape of the thing it is taken with respect to; the derivation
// below shows *why* the formulas that achieve this have their transposes where they do.
//
// Inside one step we drop the $\langle t\rangle$: $x = x^{\langle t\rangle}$,
// $a = a^{\langle t\rangle}$; the previous state keeps its $\langle t-1\rangle$. Index $i$ runs
// over the $n_a$ hidden units, $k$ over the inputs of a sum, $j$ over the $m$ examples. In
// index form the forward pass is
//
// $$z_{ij} = \sum_k (W_{ax})_{ik}\,x_{kj} + \sum_k (W_{aa})_{ik}\,a^{\langle t-1\rangle}_{kj} + (b_a)_i$$
//
// $$a_{ij} = \tanh z_{ij}$$
//
// **Step 1 — through the tanh.** $z_{ij}$ feeds only $a_{ij}$ (tanh acts entry by entry), so
// the chain rule has a single term, and the derivative of tanh is $\tanh'(z) = 1-\tanh^2 z$,
// i.e. $1 - a^2$:
//
// $$d_{ij} := \frac{\partial L}{\partial z_{ij}} = \frac{\partial L}{\partial a_{ij}}\,\frac{\partial a_{ij}}{\partial z_{ij}} = G_{ij}\,(1 - a_{ij}^2)\qquad\text{shape } (n_a, m)$$
//
// In matrices, $d = (1 - a \odot a) \odot G$, the code's `dtanh` ($\odot$: entry-by-entry
// product). Everything below starts from $d$.
//
// **Step 2 — $W_{ax}$.** Take one weight, $(W_{ax})_{rs}$. It appears in $z_{ij}$ only when
// $i = r$ (row $r$ of $W_{ax}$ makes hidden unit $r$), and there for *every* example $j$, with
// factor $x_{sj}$. Writing $[i=r]$ for 1 if $i=r$ and 0 otherwise:
//
// $$\frac{\partial z_{ij}}{\partial (W_{ax})_{rs}} = [i=r]\,x_{sj}$$
//
// $$\frac{\partial L}{\partial (W_{ax})_{rs}} = \sum_i\sum_j d_{ij}\,[i=r]\,x_{sj} = \sum_j d_{rj}\,x_{sj}$$
//
// $$\frac{\partial L}{\partial W_{ax}} = d\,x^\top\qquad\text{shapes } (n_a, m)(m, n_x) = (n_a, n_x)$$
//
// *Why the transpose:* the sum runs over $j$, the **second** index of both $d$ and $x$. A
// matrix product $AB$ sums the second index of $A$ against the **first** index of $B$, so $x$
// must enter as $x^\top$. The sum over $j$ also says what it means: one weight is shared by the
// $m$ examples, so its gradient adds their $m$ contributions.
//
// **Step 3 — $x$.** Entry $x_{sj}$ feeds $z_{ij}$ for every hidden unit $i$ of the *same*
// example $j$, with factor $(W_{ax})_{is}$:
//
// $$\frac{\partial L}{\partial x_{sj}} = \sum_i d_{ij}\,(W_{ax})_{is}$$
//
// $$\frac{\partial L}{\partial x} = W_{ax}^\top d\qquad\text{shapes } (n_x, n_a)(n_a, m) = (n_x, m)$$
//
// Now the sum runs over $i$, the **first** index of $W_{ax}$, so $W_{ax}$ is the one transposed.
//
// **Step 4 — $W_{aa}$ and $a^{\langle t-1\rangle}$.** $z$ uses $W_{aa}$ and
// $a^{\langle t-1\rangle}$ exactly as it uses $W_{ax}$ and $x$, so steps 2 and 3 repeat with
// the names changed:
//
// $$\frac{\partial L}{\partial W_{aa}} = d\,(a^{\langle t-1\rangle})^\top\qquad\text{shapes } (n_a, m)(m, n_a) = (n_a, n_a)$$
//
// $$\frac{\partial L}{\partial a^{\langle t-1\rangle}} = W_{aa}^\top d\qquad\text{shapes } (n_a, n_a)(n_a, m) = (n_a, m)$$
//
// Note that it is $a^{\langle t-1\rangle}$, the state the step *read*, that pairs with $d$ —
// not $a^{\langle t\rangle}$, the state it wrote. Swapping them is a classic slip; the
// gradient check below is shown to catch it.
//
// **Step 5 — $b_a$.** $(b_a)_r$ is added to $z_{rj}$ for every example $j$ with factor 1:
//
// $$\frac{\partial L}{\partial (b_a)_r} = \sum_i\sum_j d_{ij}\,[i=r] = \sum_j d_{rj}\qquad\text{shape } (n_a, 1)$$
//
// The bias is *broadcast* (one column added to all $m$), so its gradient sums $d$ over the
// columns. This is one rule seen three times (steps 2, 3 and 5): **a value used in several
// places receives the sum of the gradients from each use.** Lesson 2 applies the same rule
// across time steps, and that is where the **carry** of *backpropagation through time* (BPTT)
// comes from: the gradient that each time step hands back to the step before it.
//
// In short, with $d_{\tanh} = (1 - (a^{\langle t\rangle})^2)\odot$ `da_next`:
//
// $$\frac{\partial L}{\partial x^{\langle t\rangle}} = W_{ax}^\top d_{\tanh},\qquad
//   \frac{\partial L}{\partial a^{\langle t-1\rangle}} = W_{aa}^\top d_{\tanh},$$
//
// $$\frac{\partial L}{\partial W_{ax}} = d_{\tanh}\,(x^{\langle t\rangle})^\top,\quad
//   \frac{\partial L}{\partial W_{aa}} = d_{\tanh}\,(a^{\langle t-1\rangle})^\top,\quad
//   \frac{\partial L}{\partial b_a} = \textstyle\sum_{\text{columns}} d_{\tanh}.$$
//
// The backward pass needs $x^{\langle t\rangle}$, $a^{\langle t-1\rangle}$, $a^{\langle t\rangle}$
// and the weights: the forward pass keeps them in a **cache** (the tuple `rnn_cell_forward`
// returns beside its outputs) and hands it to `rnn_cell_backward`.
//
// The lesson now runs the source's printed test, finds out why its numbers do not come out,
// and then checks these five formulas against numerical gradients.

// %%
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import {
  courseraCellGradients,
  dot,
  dotCompensated,
  dotLanes,
  dotSequential,
  gamma,
  heatmap,
  Lesson,
  NDArray,
  plot,
  RandomState,
  readDataJson,
  rnnCellBackward,
  type RnnCellCache,
  rnnCellForward,
  type RnnParameters,
  show,
  softmax,
  ulpDistance,
  ulpOf,
  UNIT_ROUNDOFF,
  wrapLine,
} from "../lib/mod.ts";

const lesson = new Lesson(1);

// The notebook's functions, as thin adapters over lib/nn/rnn_cell.ts's contract functions
// (parameters first; the model returns the logits and its softmax is applied here; its
// gradients come keyed like the parameters and are renamed to the notebook's dWax, …).
function rnn_cell_forward(xt: NDArray, a_prev: NDArray, parameters: RnnParameters) {
  const { outputs, cache } = rnnCellForward(parameters, xt, a_prev);
  return { a_next: outputs.a, yt_pred: softmax(outputs.logits), cache };
}
function rnn_cell_backward(da_next: NDArray, cache: RnnCellCache) {
  return courseraCellGradients(rnnCellBackward({ a: da_next }, cache)); // dxt, da_prev, dWax, …
}

// %% [markdown]
// ## Run the printed code as printed
//
// The test cell seeds numpy with 1 and draws, in this order: `xt` (3, 10), `a_prev` (5, 10),
// `Wax` (5, 3), `Waa` (5, 5), `Wya` (2, 5), `ba` (5, 1), `by` (2, 1), then `da_next` (5, 10).
// Our `RandomState` is numpy's legacy Mersenne-Twister generator, so `rng.randn(3, 10)` is
// bit for bit `np.random.randn(3, 10)`.

// %%
const rng = new RandomState(1);
const xt = rng.randn(3, 10);
const a_prev = rng.randn(5, 10);
const Wax = rng.randn(5, 3);
const Waa = rng.randn(5, 5);
const Wya = rng.randn(2, 5);
const ba_drawn = rng.randn(5, 1);
const by = rng.randn(2, 1);
const da_next = rng.randn(5, 10);

function gradientsWith(ba: NDArray) {
  const parameters: RnnParameters = { Wax, Waa, Wya, ba, by };
  const { cache } = rnn_cell_forward(xt, a_prev, parameters);
  return rnn_cell_backward(da_next, cache);
}

const asPrinted = gradientsWith(ba_drawn);
console.log('as printed: gradients["dxt"][1][2] =', asPrinted.dxt.get(1, 2));
console.log(
  'published:  gradients["dxt"][1][2] =',
  lesson.publishedValue('gradients["dxt"][1][2]').printed,
);

// %% [markdown]
// Not even close — and the other four entries miss too. The functions are right (we check
// them against numerical gradients below), so the *inputs* must differ.
//
// ## What an earlier cell left behind
//
// In the notebook, this test cell did not draw `ba`: it drew `b = np.random.randn(5, 1)` and
// then built `parameters = {..., "ba": ba, ...}`. A notebook keeps every global of the cells
// run before, so `ba` silently came from an earlier cell. The blog post tidied the line to
// `ba = np.random.randn(5, 1)` but kept the old printout — and the two no longer match.
//
// Which earlier cell? Two test cells before it define `ba`, both after `np.random.seed(1)`:
// the `rnn_cell_forward` test (draws `xt`, `a_prev`, `Waa`, `Wax`, `Wya`, `ba`, `by`) and the
// `rnn_forward` test (draws `x` (3, 10, 4), `a0`, `Waa`, `Wax`, `Wya`, `ba`, `by`); the
// `rnn_forward` test ran last. We try every candidate and keep the one that reproduces all
// five printed numbers. Note the unused `b` still consumes five draws, so `by` and `da_next`
// are the same in every candidate.

// %%
function baLeftBy(cell: "rnn_cell_forward test" | "rnn_forward test"): NDArray {
  const r = new RandomState(1);
  if (cell === "rnn_cell_forward test") r.randn(3, 10);
  else r.randn(3, 10, 4);
  r.randn(5, 10); // a_prev / a0
  r.randn(5, 5); // Waa
  r.randn(5, 3); // Wax
  r.randn(2, 5); // Wya
  return r.randn(5, 1); // ba
}

const printedNames = {
  dxt: ['gradients["dxt"][1][2]', [1, 2]],
  da_prev: ['gradients["da_prev"][2][3]', [2, 3]],
  dWax: ['gradients["dWax"][3][1]', [3, 1]],
  dWaa: ['gradients["dWaa"][1][2]', [1, 2]],
  dba: ['gradients["dba"][4]', [4, 0]],
} as const;

type G = ReturnType<typeof gradientsWith>;
function misses(g: G): number {
  let worst = 0;
  for (const [key, [name, [i, j]]] of Object.entries(printedNames)) {
    const ours = g[key as keyof G].get(i, j);
    const pub = lesson.publishedValue(name).value as number | number[];
    worst = Math.max(worst, Math.abs(ours - (Array.isArray(pub) ? pub[0] : pub)));
  }
  return worst;
}

const candidates = {
  "drawn by this cell (as printed)": ba_drawn,
  "left by the rnn_cell_forward test": baLeftBy("rnn_cell_forward test"),
  "left by the rnn_forward test": baLeftBy("rnn_forward test"),
};
console.log(`${"ba".padEnd(36)} largest miss over the five printed values`);
for (const [label, ba] of Object.entries(candidates)) {
  console.log(`${label.padEnd(36)} ${misses(gradientsWith(ba)).toExponential(2)}`);
}

// %% [markdown]
// Only the `ba` of the `rnn_forward` test reproduces the printout, to within rounding: not
// to the last digit, but far closer than any other candidate. (How far, exactly, is counted
// below in ULPs — *units in the last place*: the gap between a floating-point number and the
// next one, so that two values "1 ULP apart" have no double between them.) That is the
// state the printed code does not show. From here on we use it. Which arithmetic printed
// the very last digits is lesson 8's question.

// %%
const ba = baLeftBy("rnn_forward test");
await show("ba (left by the rnn_forward test)", ba.T);
const parameters: RnnParameters = { Wax, Waa, Wya, ba, by };
const { a_next, yt_pred, cache } = rnn_cell_forward(xt, a_prev, parameters);
const gradients = rnn_cell_backward(da_next, cache);
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  console.log(`${name} =`, gradients[key].get(i, j));
  console.log(`gradients["${key}"].shape =`, `(${gradients[key].shape.join(", ")})`);
}
await show('gradients["dba"][4]', gradients.dba.take(0, 4));
console.log('gradients["dba"].shape =', `(${gradients.dba.shape.join(", ")})`);

// %% [markdown]
// ## How many ULPs, and why not zero?
//
// The source printed four values with Python's `repr`, i.e. *every* digit of a float64: each
// printed decimal names exactly one double. So we can count how many doubles lie between
// ours and theirs (the distance in *units in the last place*, ULPs).
//
// Both programs evaluate the same formula in float64 (IEEE double precision: 53 significant
// bits, about 16 decimal digits), but not in the same order. numpy's `np.dot` hands the work
// to a **BLAS** library (*Basic Linear Algebra Subprograms*, the standard interface for
// vector and matrix products; numpy here uses OpenBLAS). BLAS uses the CPU's **SIMD**
// instructions (*single instruction, multiple data*), which add or multiply 2, 4 or 8 numbers
// at once, each in its own *lane*; so it splits each dot product into several interleaved
// partial sums (one per lane), combines them at the end, and on recent CPUs uses **FMA**,
// fused multiply-add (`a·b + c` rounded once instead of twice). Our `dot` adds one
// product at a time in index order. Floating-point addition is not associative, so the last
// bits differ. `tanh` is also computed by different libraries — V8's, and numpy's, which is
// either the C library's (glibc, the GNU C library, on Linux) or numpy's own SIMD loop
// (lesson 8 tells them apart) — each *faithful*: within an ULP of the exact value. To see the effect of order alone, we recompute each printed
// entry's final dot product from the *same* inputs in three orders: sequential (ours),
// four SIMD-style lanes, and compensated (Dot2 — as if in double the precision, then
// rounded: a stand-in for the exact value of this last step). We also show numpy's result on
// this machine (numpy+OpenBLAS, from `tools/gen_rnn_cell_reference.py`).

// %%
const dtanh = a_next.square().neg().add(1).mul(da_next);
const col = (a: NDArray, j: number) => a.take(1, j).data;
const row = (a: NDArray, i: number) => a.take(0, i).data;
const terms = {
  dxt: [col(Wax, 1), col(dtanh, 2)],
  da_prev: [col(Waa, 2), col(dtanh, 3)],
  dWax: [row(dtanh, 3), row(xt, 1)],
  dWaa: [row(dtanh, 1), row(a_prev, 2)],
} as const;

const numpyRef = readDataJson<Record<string, Record<string, string[]>>>(
  "rnn_cell/numpy_reference.json",
);
const numpyAt = (key: string, i: number, j: number, cols: number) =>
  Number(numpyRef.rnn_cell_backward[key][i * cols + j]);

// The same final step fed with numpy's own a⟨t⟩ (its tanh, its order for z):
const aNumpy = new NDArray(numpyRef.rnn_cell_backward.a_next.map(Number), [5, 10]);
const dtanhNumpy = aNumpy.square().neg().add(1).mul(da_next);
const termsNumpy = {
  dxt: [col(Wax, 1), col(dtanhNumpy, 2)],
  da_prev: [col(Waa, 2), col(dtanhNumpy, 3)],
  dWax: [row(dtanhNumpy, 3), row(xt, 1)],
  dWaa: [row(dtanhNumpy, 1), row(a_prev, 2)],
} as const;

const ulpRows: Record<string, Record<string, number>> = {};
console.log("ULPs from the published value:");
console.log(
  "entry".padEnd(28),
  "sequential  4 lanes  compensated  numpy's a⟨t⟩, 4 lanes  numpy here",
);
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  const published = lesson.publishedValue(name).value as number;
  const [x, y] = terms[key];
  const r = {
    sequential: ulpDistance(published, dotSequential(x, y)),
    lanes4: ulpDistance(published, dotLanes(x, y, 4)),
    compensated: ulpDistance(published, dotCompensated(x, y)),
    numpyInputsLanes4: ulpDistance(published, dotLanes(termsNumpy[key][0], termsNumpy[key][1], 4)),
    numpyHere: ulpDistance(published, numpyAt(key, i, j, gradients[key].shape[1])),
  };
  ulpRows[name] = r;
  console.log(
    name.padEnd(28),
    String(r.sequential).padStart(10),
    String(r.lanes4).padStart(8),
    String(r.compensated).padStart(12),
    String(r.numpyInputsLanes4).padStart(22),
    String(r.numpyHere).padStart(11),
  );
}
lesson.value("ulps_from_published", ulpRows);
await plot(
  heatmap({
    title: "ULPs from the published value (colour: |ULPs|)",
    rows: Object.keys(ulpRows),
    cols: ["sequential", "4 lanes", "compensated", "numpy a⟨t⟩, 4 lanes", "numpy here"],
    values: Object.values(ulpRows).map((r) => [
      r.sequential,
      r.lanes4,
      r.compensated,
      r.numpyInputsLanes4,
      r.numpyHere,
    ]),
    absolute: true,
    colorTitle: "|ULPs|",
    format: String,
  }),
  "lesson01_ulps",
);
const aUlps = [...a_next.data].map((v, k) => Math.abs(ulpDistance(aNumpy.data[k], v)));
const aDiffer = aUlps.filter((d) => d > 0).length;
console.log(
  `our a⟨t⟩ differs from numpy's in ${aDiffer} of ${aUlps.length} entries, by at most ${
    Math.max(...aUlps)
  } ULP(s)`,
);
lesson.value("a_next_entries_differing_from_numpy", {
  count: aDiffer,
  maxUlps: Math.max(...aUlps),
});

// %% [markdown]
// Read the table by columns. Changing only the *order* of the last sum (sequential, four lanes,
// compensated) moves a value by an ULP or two. But `da_prev[2][3]` stays 30 or 31 ULPs away
// whatever the order (−30 summed in sequence or in four lanes, −31 compensated) — until we feed the
// same last step with numpy's own $a^{\langle t\rangle}$: then it lands 2 ULPs away, like the
// others. Our $a^{\langle t\rangle}$ differs from numpy's in many entries by a few ULPs (the line
// above counts them: a different `tanh` library, a different order for the nine terms of $z$), and
// this entry amplifies that: its terms nearly cancel (the result, 0.084, is much smaller than the
// terms it sums), and $1-a^2$ for $|a|$ close to 1 turns a one-ULP change of $a$ into a large
// relative change. The general rule: a computed sum's error scales with $\sum_k |\text{term}_k|$
// and with how sensitive each term is to what came before, not with the size of the result.
//
// ## A tolerance that comes from the computation
//
// So what should "reproduced" mean for a value printed with all its digits? Half a unit of
// the last printed digit covers only the printing. The computation adds its own error, and
// we can bound it (to first order) from the data. Two quantities do it. The **unit
// roundoff** $u = 2^{-53}$ is the largest relative error of one float64 operation: the
// computed sum of $a$ and $b$ is $(a+b)(1+\varepsilon)$ with $|\varepsilon| \le u$. And
// **Higham's $\gamma_n$** (from N. J. Higham, *Accuracy and Stability of Numerical
// Algorithms*) bounds $n$ such errors compounded: $\gamma_n = nu/(1-nu)$, so a sum of $n$
// terms (or a dot product of $n$ products) computed in any order is within
// $\gamma_n \sum|\text{terms}|$ of the exact result.
// Step by step through the cell:
//
// - $z = W_{ax}x + W_{aa}a_{prev} + b_a$ (9 terms): $|\delta z| \le \gamma_9 \sum|\text{terms}|$;
// - $a=\tanh z$: $|\delta a| \le (1-a^2)|\delta z| + 2u|a|$ (the library's tanh within an ULP);
// - $q = 1 - a\cdot a$: $|\delta q| \le 2|a||\delta a| + u\,a^2 + u|q|$;
// - $d_{\tanh} = q \cdot$ `da_next`: $|\delta d| \le |da||\delta q| + u|d|$;
// - the printed entry $\sum_k w_k d_k$: $\gamma_n \sum_k |w_k d_k| + \sum_k |w_k||\delta d_k|$.
//
// Each program is within this bound of the exact value, so two programs are within twice
// it of each other. That is the `roundoff` we add to the printing tolerance.

// %%
const u = UNIT_ROUNDOFF;
const zAbs = Wax.abs().dot(xt.abs()).add(Waa.abs().dot(a_prev.abs())).add(ba.abs());
const dz = zAbs.mul(gamma(9));
const q = a_next.square().neg().add(1);
const dA = q.mul(dz).add(a_next.abs().mul(2 * u));
const dQ = a_next.abs().mul(dA).mul(2).add(a_next.square().mul(u)).add(q.abs().mul(u));
const dD = da_next.abs().mul(dQ).add(dtanh.abs().mul(u));

/** First-order error bound of C = A·B from the errors dA, dB of its factors. */
function productBound(A: NDArray, dA: NDArray, B: NDArray, dB: NDArray): NDArray {
  const n = A.shape[1];
  return A.abs().dot(B.abs()).mul(gamma(n)).add(dA.dot(B.abs())).add(A.abs().dot(dB));
}
const none = (a: NDArray) => NDArray.zeros(a.shape);
const ones = NDArray.ones([10, 1]);
// Each program is within the bound of the exact value, so two programs within twice it.
const roundoffs = {
  dxt: productBound(Wax.T, none(Wax.T), dtanh, dD).mul(2),
  da_prev: productBound(Waa.T, none(Waa.T), dtanh, dD).mul(2),
  dWax: productBound(dtanh, dD, xt.T, none(xt.T)).mul(2),
  dWaa: productBound(dtanh, dD, a_prev.T, none(a_prev.T)).mul(2),
  dba: productBound(dtanh, dD, ones, none(ones)).mul(2),
};
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  const bound = roundoffs[key].get(i, j);
  const value = gradients[key].get(i, j);
  console.log(
    `${name.padEnd(28)} roundoff bound ${bound.toExponential(2)} = ${
      (bound / ulpOf(value)).toFixed(0)
    } ULPs of the value`,
  );
}

// %% [markdown]
// ## The functions are right: numerical gradients
//
// Independently of any printout, the backward pass must agree with **central differences**
// of the forward pass: nudge one input entry $\theta$ by $\pm h$ and take
// $\big(L(\theta+h)-L(\theta-h)\big)/2h$. This approximation has two errors. **Truncation
// error** comes from the step being finite: by Taylor's theorem it is about $h^2 L'''/6$, so
// it shrinks as $h$ does. **Rounding error** comes from computing $L$ in floating point: the
// two losses are each off by about $u|L|$, and dividing their difference by $2h$ magnifies
// that, so it grows as $h$ shrinks. We check every entry of every gradient with an upstream
// gradient `da_next`: the numerical gradient of $\sum a^{\langle t\rangle}\odot da_{next}$
// (whose gradient with respect to $a^{\langle t\rangle}$ is exactly `da_next`), by the
// course's one **gradient policy** (`lib/numerics/gradient_policy.ts`): per entry, the error must
// be within twice the truncation *measured* by halving the step, plus the rounding *measured* from
// the loss itself (eight standard deviations of its observed noise — the table's "8σ measured
// rounding"). A check is only worth its power, so we also plant bugs in the backward pass — a
// transposed $dW_{aa}$, $a^{\langle t\rangle}$ where $a^{\langle t-1\rangle}$ belongs, and
// gradients scaled by $1 + s$ — and require the check to flag each (one step has no carry to drop);
// the table shows the smallest relative error it would flag.

// %%
const forwardLoss = () => rnn_cell_forward(xt, a_prev, parameters).a_next.mul(da_next).sum();
const checked = { dxt: xt, da_prev: a_prev, dWax: Wax, dWaa: Waa, dba: ba };
const analytic = {
  dxt: gradients.dxt,
  da_prev: gradients.da_prev,
  dWax: gradients.dWax,
  dWaa: gradients.dWaa,
  dba: gradients.dba,
};
const policy = checkGradients(forwardLoss, checked, analytic);
console.log(wrapLine(`backward vs central differences: ${policy.summary}`));
lesson.gradientCheck("all five gradients vs numerical gradient (gradient policy)", policy);
const planted: [string, Record<string, NDArray>][] = [
  ["dWaa transposed", plantedBugs.transposed(analytic, "dWaa")],
  // dW_aa = d_tanh · (a⟨t−1⟩)ᵀ; the slip pairs d_tanh with the step's own output a⟨t⟩
  ["a⟨t⟩ used for a⟨t−1⟩ in dWaa", { ...analytic, dWaa: dot(dtanh, a_next.T) }],
  ["every gradient scaled by 1 + 1e-3", plantedBugs.scaled(analytic, 1e-3)],
  ["every gradient scaled by 1 + 1e-5", plantedBugs.scaled(analytic, 1e-5)],
];
lesson.flagsPlantedBugs(forwardLoss, checked, planted);
lesson.value("gradient check: smallest detectable relative error", policy.smallestDetectable);

// %% [markdown]
// The cell's other output, the prediction $\hat y^{\langle t\rangle}$, takes no part in
// the backward pass above (the test hands the cell `da_next` directly). The printout shows
// `yt_pred[:, :3]`: each column is one example's softmax over the $n_y$ outputs, so it sums
// to 1.

// %%
await show("yt_pred[:, :3] (softmax of each column)", yt_pred.slice(1, 0, 3));

// %% [markdown]
// ## Published values
//
// Every number the source printed, with the tolerance it was printed to plus the roundoff
// bound derived above; and every full gradient against numpy on this machine, at the same
// kind of bound (we use the largest entry-wise bound of that array).
//
// How to read the table (every lesson ends with one): each line is a check, ✓ or ✗. "ours"
// is what this run computed, then what it is compared with, $|\Delta|$ the difference and
// the tolerance it must stay within; "basis" says where that tolerance comes from. A check
// that is a claim about a number shows the number beside its bound instead: for a gradient
// check, the ratio of the worst error to its tolerance ("ratio 0.46 ≤ 1": passes) and, for a
// planted bug, the same ratio, which must reach 1 for the bug to be flagged; for another
// claim, a **margin**: how far the value is inside its bound (bound − value for "≤",
// value − bound for "≥"), so you can see how much room each claim has.

// %%
for (const key of ["dxt", "da_prev", "dWax", "dWaa"] as const) {
  const [name, [i, j]] = printedNames[key];
  lesson.published(name, gradients[key].get(i, j), { roundoff: roundoffs[key].get(i, j) });
  lesson.published(`gradients["${key}"].shape`, [...gradients[key].shape]);
}
lesson.published('gradients["dba"][4]', gradients.dba.get(4, 0));
lesson.published('gradients["dba"].shape', [...gradients.dba.shape]);

for (const key of ["dxt", "da_prev", "dWax", "dWaa", "dba"] as const) {
  const ref = new NDArray(numpyRef.rnn_cell_backward[key].map(Number), gradients[key].shape);
  lesson.check(`${key} (all entries) vs numpy`, gradients[key], ref, {
    tolerance: roundoffs[key].max(),
    against: "numpy+BLAS here (tools/gen_rnn_cell_reference.py); largest roundoff bound",
  });
}
lesson.value("ba", ba);
await lesson.end();

// %% [markdown]
// ## What we learned
//
// - **Derived:** the cell's backward pass, from the forward pass in index form, one chain-rule
//   step at a time. One elementwise step through the tanh gives $d_{\tanh}$; every gradient is
//   then a sum of $d_{\tanh}$ over the index its variable does *not* carry, and a transpose
//   appears exactly where that sum runs over the "wrong" index of a factor. A value used in
//   several places (a weight shared by the batch, a broadcast bias) collects the sum of the
//   gradients of its uses.
// - **What the source left out:** its printed numbers do not come from its printed code. The
//   `ba` they used was left behind by an earlier notebook cell (the `rnn_forward` test); with
//   it, every printed value is reproduced.
// - **What the numbers proved:** the five formulas agree with central differences on every
//   entry, and that check has power — it flags each planted bug, down to a gradient scaled by
//   $1 + 10^{-5}$. The printed values agree with ours within a roundoff bound derived from the
//   data, not a tolerance picked by hand; the ULP table shows that the order of a sum moves a
//   value by an ULP or two, and that a cancelling sum can turn a few-ULP difference upstream
//   into tens of ULPs.
//
// ### Check your understanding
//
// <details><summary>1. Why is it $d\,x^\top$ for $\partial L/\partial W_{ax}$, but
// $W_{ax}^\top d$ for $\partial L/\partial x$?</summary>
//
// In index form, $\partial L/\partial (W_{ax})_{rs} = \sum_j d_{rj}\,x_{sj}$: the sum runs
// over the example index $j$, which is the *second* index of $x$, so $x$ must be transposed
// to become the right factor of a matrix product. $\partial L/\partial x_{sj} = \sum_i
// d_{ij}\,(W_{ax})_{is}$ sums over the hidden index $i$, the *first* index of $W_{ax}$, so
// $W_{ax}$ is transposed and stands on the left. The shapes confirm it:
// $(n_a, m)(m, n_x)$ and $(n_x, n_a)(n_a, m)$.
//
// </details>
//
// <details><summary>2. Put every example of the batch in twice (m goes from 10 to 20, the
// new columns copies of the old, and da_next copied with them). What happens to dWax, dba
// and dxt?</summary>
//
// $dW_{ax}$ and $db_a$ sum over the examples, so each doubles: every example contributes
// twice. $dx_t$ has one column per example and no sum over examples, so each of its columns
// is unchanged (there are just twice as many). This is why training code often divides the
// loss by $m$: to make the weight gradients independent of the batch size.
//
// </details>
//
// <details><summary>3. Changing the order of the last dot product moved each printed value by
// an ULP or two. Why did da_prev[2][3] stay about 30 ULPs away in every order?</summary>
//
// Because its difference comes from *before* the last step: our $a^{\langle t\rangle}$
// differs from numpy's in a few ULPs in some entries (another `tanh` library, another order
// for $z$). This entry magnifies that: its terms nearly cancel, so an absolute error that is
// tiny compared with the terms is large compared with the result, and $1 - a^2$ is very
// sensitive to $a$ when $|a|$ is near 1. Fed with numpy's own $a^{\langle t\rangle}$, the
// same last step lands within a few ULPs, like the others.
//
// </details>
//
// ## Now practise
//
// **Now do exercise 1: `deno task exercise 1`.** Write `rnn_cell_forward` and
// `rnn_cell_backward` in `exercises/01_rnn_cell.ts` from the derivation above; the command
// grades them (the printed test, every gradient against central differences) and says what
// is wrong. In Jupyter, open `notebooks/exercises/01_rnn_cell.ipynb` instead: write each
// function in its cell and run the grading cell under it.
