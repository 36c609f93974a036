// %% [markdown]
// # 6 · The BPTT formula derived by hand, and the code that claimed to implement it
//
// Our source (document 003) is the Chinese blog post *numpy-rnn 从公式推导到代码实现*
// ("numpy RNN: from deriving the formulas to implementing them in code"). It writes a
// vanilla RNN with a softmax output,
//
// $$net^t = U x^t + W h^{t-1} + b,\qquad h^t = \tanh(net^t),\qquad o^t = V h^t + c,\qquad
//   \hat y^t = \operatorname{softmax}(o^t),$$
//
// unrolls $\partial h^3/\partial W$ by hand, reads off a pattern, and states
//
// $$\frac{\partial L}{\partial W}=\sum_{k=1}^{t}\frac{\partial L}{\partial O}\frac{\partial O}{\partial h^t}
//   \Big(\prod_{j=k}^{t}\frac{\partial h^j}{\partial net^j}\Big)W^{t-k}h^{k-1}$$
//
// with the same shape for $U$ (ending in $x^k$) and $b$ (ending in nothing), plus
// $\partial L/\partial V=\sum_{k=1}^{t}\frac{\partial L}{\partial O}h_t^\top$ and
// $\partial L/\partial c=\sum_{k=1}^{t}\frac{\partial L}{\partial O}$. It then prints a
// backward loop that, it says, implements the pattern: an elementwise `np.power` of the
// recurrent matrix, a `functools.reduce` over `1 - np.square(h[t])`, and five accumulators.
//
// The post printed **no numbers** — so there is nothing to reproduce digit by digit, and
// the question is simply: *are the formula and the code right?* We answer it on a small
// seeded example against references that owe nothing to either: float64 **numerical
// gradients** (central differences of the forward pass), and **numpy itself** running our
// rendition of the post's loop (`tools/gen_bptt_literal.py`), to show our TypeScript copy
// keeps numpy's semantics. We build four gradients of the same loss:
//
// 1. **BPTT**, the textbook δ recursion;
// 2. **the sum over $k$**, the post's formula written with matrix products, the diagonal
//    tanh Jacobians *interleaved* with the $W$ factors;
// 3. **the post's code**, made runnable with as few assumptions as possible;
// 4. **numerical gradients**.
//
// Then we trace every disagreement to its cause.
//
// ## What this lesson finds
//
// Stated first, proved below (each claim is a check in the table at the end):
//
// - **The formula is right only when written with matrix products in the right order.**
//   With each step's tanh Jacobian *between* the $W$ factors,
//   $J_t W J_{t-1} W \cdots W J_k$, the sum over $k$ equals BPTT to rounding (section 2)
//   and both equal the numerical gradients (section 4). Read as the post writes it — all the
//   Jacobians first, then $W^{t-k}$ — it is right only for $T = 1$, a scalar state or a
//   diagonal $W$, where the factors commute (section 7).
// - **The post's code is right for $V$ and $c$ and wrong for $U$, $W$ and $b$**, for four
//   separate slips: an elementwise `np.power` where a matrix power is meant, a `reduce` that
//   multiplies the same step's tanh derivative again and again, a broadcast where an outer
//   product is meant, and $h^t$ where $h^{t-1}$ is meant (sections 5 and 6). Repairing all
//   four makes one step right and four steps still wrong: the loop pairs each step's error
//   with a chain that runs to the last step, and it inherits the formula's ordering slip.
// - **The derivation has three more slips of its own**: an extra $W$ in the unrolled
//   $\partial h^3/\partial W$, a sum over $k$ of a term that depends only on $t$ for $V$ and
//   $c$, and a loss at the last step only (section 7).

// %%
import { checkGradients, plantedBugs } from "../lib/gradient_policy.ts";
import {
  dot,
  gamma,
  Lesson,
  matrixPower,
  maxAbsDiff,
  NDArray,
  numericalGradient,
  oneHot,
  RandomState,
  readDataJson,
  relError,
  show,
  showTable,
  UNIT_ROUNDOFF,
  vanillaRnnBackward,
  vanillaRnnForward,
  type VanillaRnnParams,
  wrapLine,
} from "../lib/mod.ts";
import { heatmap, plot } from "../lib/plot.ts";

const lesson = new Lesson(6);

// %% [markdown]
// ## What it takes to run the post's code
//
// The post's forward code, a method of some RNN class, fixes the names: `self.Wx` is $U$,
// `self.Wh` is $W$, `self.Bh` is $b$, `self.Wy` is $V$, `self.By` is $c$. The backward loop reads `xt[t]`, `h[t]`, `y_hat[t]`, `y[t]` and `T`,
// which the post never defines. The fewest assumptions that make it run:
//
// - **A1 — column layout**, as the forward code implies: `xt[t]` is $(n_x,1)$, `h[t]` is
//   $(n_h,1)$, `y[t]` a one-hot $(n_y,1)$ column and `y_hat[t]` $=\operatorname{softmax}(o^t)$,
//   $(n_y,1)$. (`delta.dot(xt[t].T)` and `np.dot(y_hat[t] - y[t], h[t].T)` only make sense so.)
// - **A2 — `h[t]` is the state after step `t`** (0-based, so `h[0]` is $h^1$), kept in a
//   Python list of length `T` = the number of steps; the initial state $h^0$ is given.
// - **A3 — the loss is the cross-entropy summed over the steps**,
//   $L=\sum_t L_t$, $L_t=-\log\hat y^t_{\text{label}}$: the only loss for which
//   `y_hat[t] - y[t]` is $\partial L/\partial o^t$ at *every* step, as the loop uses it.
// - **A4 —** the five accumulators start as zeros of their parameter's shape, and `reduce`
//   is `functools.reduce`.
//
// Nothing else is needed: the loop's three curious numpy idioms (elementwise `np.power`, a
// `reduce` whose lambda ignores its second argument, a column times a column added into an
// $(n_h,n_h)$ array) all run without error — which is exactly why they went unnoticed.
//
// ## A seeded example
//
// No configuration was printed, so we choose one: $n_x=3$, $n_h=4$, $n_y=3$, $T=4$ steps,
// weights $0.5\cdot$`randn`, drawn from numpy's legacy generator seeded with 6. Our
// `RandomState` is that generator bit for bit, which we check against the numbers numpy
// itself drew (stored with their provenance in `data/bptt/literal_numpy.json`).

// %%
const REFERENCE = "data/bptt/literal_numpy.json";
interface NumpyRun {
  T: number;
  forward: { h: string[]; y_hat: string[]; loss: string };
  d_tanh: string[];
  literal: Record<string, string[]>;
  literal_prev_list: Record<string, string[]>;
}
// Made by `python3 tools/gen_bptt_literal.py`.
const numpyRef = readDataJson<{
  inputs: Record<string, string[] | number[]>;
  power: Record<string, string[]>;
  runs: NumpyRun[];
}>(REFERENCE.replace(/^data\//, ""));
/** A stored numpy array (Python reprs, row-major) as an NDArray of the given shape. */
function fromNumpy(values: readonly (string | number)[], shape: number[]): NDArray {
  return new NDArray(values.map(Number), shape);
}

const n_x = 3, n_h = 4, n_y = 3, T = 4;
const rng = new RandomState(6);
const U = rng.randn(n_h, n_x).mul(0.5);
const W = rng.randn(n_h, n_h).mul(0.5);
const b = rng.randn(n_h, 1).mul(0.5);
const V = rng.randn(n_y, n_h).mul(0.5);
const c = rng.randn(n_y, 1).mul(0.5);
const x = rng.randn(T, n_x, 1);
const h0 = rng.randn(n_h, 1).mul(0.5);
const labels = [...rng.randint(0, n_y, T).data];

const params: VanillaRnnParams = { U, W, b, V, c };
const xt = Array.from({ length: T }, (_, t) => x.take(0, t)); // T columns (n_x, 1)
const y = labels.map((k) => oneHot([k], n_y)); // T one-hot columns (n_y, 1)

const drawn: Record<string, NDArray> = { U, W, b, V, c, x, h0 };
for (const [name, ours] of Object.entries(drawn)) {
  lesson.check(
    `input ${name} = numpy RandomState(6)`,
    ours,
    fromNumpy(numpyRef.inputs[name], [...ours.shape]),
    {
      tolerance: 0,
      against: `numpy's own draws (${REFERENCE}); the same generator, so bit for bit`,
    },
  );
}
lesson.check(
  "input labels = numpy RandomState(6).randint",
  labels,
  numpyRef.inputs.labels as number[],
  {
    tolerance: 0,
    against: `numpy's own draws (${REFERENCE})`,
  },
);
console.log("labels:", labels.join(" "));
await show("W", W);

// %% [markdown]
// ## The forward pass
//
// Our `vanillaRnnForward` (in `lib/nn/vanilla_rnn.ts`) is the post's forward code, one step
// per column. Against numpy's run of the same code the states cannot agree bit for bit —
// numpy's `tanh` and `exp`, and its BLAS dot products, round differently from V8's — but
// they must agree within what rounding allows. We carry a first-order running error bound
// along: at each step the dot products may differ by $2\gamma_{n}\sum|{\rm terms}|$
// (Higham's $\gamma_n = nu/(1-nu)$, $u=2^{-53}$, twice because both sides round), `tanh`
// by 2 ulps, and the previous state's difference is carried through $(1-h^2)\,|W|$.

// %%
const forward = vanillaRnnForward(xt, h0, params, y);
const { h, yHat: y_hat } = forward;
console.log("loss L = Σ_t L_t =", forward.loss);

function hBound(): NDArray[] {
  const u = UNIT_ROUNDOFF;
  const out: NDArray[] = [];
  let carried = NDArray.zeros([n_h, 1]);
  for (let t = 0; t < T; t++) {
    const hPrev = t > 0 ? h[t - 1] : h0;
    const terms = dot(U.abs(), xt[t].abs()).add(dot(W.abs(), hPrev.abs())).add(b.abs());
    const dNet = dot(W.abs(), carried).add(terms.mul(2 * gamma(n_x + n_h + 2)));
    carried = h[t].square().neg().add(1).mul(dNet).add(h[t].abs().mul(4 * u));
    out.push(carried);
  }
  return out;
}
const npRun = numpyRef.runs[0];
const hNumpy = fromNumpy(npRun.forward.h, [T, n_h, 1]);
const hOurs = new NDArray(h.flatMap((a) => [...a.data]), [T, n_h, 1]);
const hTol = Math.max(...hBound().flatMap((a) => [...a.data]));
lesson.check("forward h^1..h^T vs numpy", hOurs, hNumpy, {
  tolerance: hTol,
  against: `numpy's forward (${REFERENCE}); first-order running rounding bound`,
});
console.log(
  `largest |h − h_numpy| = ${Math.max(...hOurs.sub(hNumpy).abs().data).toExponential(2)}` +
    ` (bound ${hTol.toExponential(2)})`,
);

// %% [markdown]
// ## 1 · BPTT: the δ recursion
//
// Write $\delta^t=\partial L/\partial net^t$ and $e^t=\hat y^t-y^t=\partial L/\partial o^t$.
// Step $t$'s state reaches the loss directly through $o^t$ and indirectly through
// $net^{t+1}$, so, walking backwards from $\delta^{T+1}=0$,
//
// $$\delta^t=\big(1-(h^t)^2\big)\odot\big(V^\top e^t+W^\top\delta^{t+1}\big),\qquad
//   \frac{\partial L}{\partial W}=\sum_t\delta^t\,(h^{t-1})^\top,\quad
//   \frac{\partial L}{\partial U}=\sum_t\delta^t\,(x^t)^\top,\quad
//   \frac{\partial L}{\partial b}=\sum_t\delta^t,$$
//
// $$\frac{\partial L}{\partial V}=\sum_t e^t\,(h^t)^\top,\qquad
//   \frac{\partial L}{\partial c}=\sum_t e^t.$$

// %%
type Grads = Record<"U" | "W" | "b" | "V" | "c", NDArray>;
const KEYS = ["U", "W", "b", "V", "c"] as const;
const bpttFull = vanillaRnnBackward(forward.cache);
const bptt: Grads = { U: bpttFull.U, W: bpttFull.W, b: bpttFull.b, V: bpttFull.V, c: bpttFull.c };
await show("BPTT ∂L/∂W", bptt.W);

// %% [markdown]
// ## 2 · The post's sum over $k$, as matrix products
//
// In the post's notation every factor is a Jacobian and the chain is read left to right.
// $\frac{\partial L}{\partial O}\frac{\partial O}{\partial h^t}$ is a row vector
// $(e^t)^\top V$ of length $n_h$. Each $\frac{\partial h^j}{\partial net^j}$ is the *diagonal
// matrix* $J_j=\operatorname{diag}\big(1-(h^j)^2\big)$, and each step back through
// $net^j = \dots + W h^{j-1}$ multiplies by $\frac{\partial net^j}{\partial h^{j-1}} = W$.
// The path from $h^t$ back to $net^k$ therefore alternates:
//
// $$\frac{\partial L_t}{\partial net^k}=(e^t)^\top V\;J_t\,W\,J_{t-1}\,W\cdots W\,J_k ,$$
//
// and $\partial L_t/\partial W$ collects, for every $k\le t$, that row (as a column) times
// $(h^{k-1})^\top$ — an outer product. The post derived this for the loss at one step $t$;
// our loss (A3) has a term at every step, so we apply it to each $L_t$ and add.

// %%
/** ∂h^j/∂net^j = diag(1 − (h^j)²): the Jacobian of tanh at step j. */
function J(hj: NDArray): NDArray {
  return NDArray.diag(hj.square().neg().add(1).reshape(-1));
}

/** What a backward formula reads: the inputs, the states and the output errors e^t = ŷ^t − y^t. */
interface Run {
  xt: NDArray[];
  h0: NDArray;
  h: NDArray[];
  e: NDArray[];
}
const run: Run = { xt, h0, h, e: y_hat.map((yh, t) => yh.sub(y[t])) };

/**
 * The post's formula with each chain written out — `chain(t, k)` is the row
 * (e^t)ᵀ V · ∂h^t/∂net^t · W · ∂h^{t−1}/∂net^{t−1} · … · W · ∂h^k/∂net^k — summed over
 * k ≤ t and over the loss steps t in `lossAt`.
 */
function sumOverK(
  p: VanillaRnnParams,
  r: Run,
  lossAt: readonly number[],
  chain: (p: VanillaRnnParams, r: Run, t: number, k: number) => NDArray = interleaved,
): Grads {
  const g: Grads = {
    U: NDArray.zeros(p.U.shape),
    W: NDArray.zeros(p.W.shape),
    b: NDArray.zeros(p.b.shape),
    V: NDArray.zeros(p.V.shape),
    c: NDArray.zeros(p.c.shape),
  };
  for (const t of lossAt) {
    for (let k = 0; k <= t; k++) {
      const delta = chain(p, r, t, k).T; // ∂L_t/∂net^k, as a column
      const hPrev = k > 0 ? r.h[k - 1] : r.h0; // h^{k−1}
      g.W = g.W.add(dot(delta, hPrev.T));
      g.U = g.U.add(dot(delta, r.xt[k].T));
      g.b = g.b.add(delta);
    }
    g.V = g.V.add(dot(r.e[t], r.h[t].T));
    g.c = g.c.add(r.e[t]);
  }
  return g;
}

/** (e^t)ᵀV · J_t · W · J_{t−1} · … · W · J_k — the Jacobians interleaved with the W's. */
function interleaved(p: VanillaRnnParams, r: Run, t: number, k: number): NDArray {
  let row = dot(r.e[t].T, p.V).dot(J(r.h[t]));
  for (let j = t - 1; j >= k; j--) row = row.dot(p.W).dot(J(r.h[j]));
  return row;
}

const everyStep = Array.from({ length: T }, (_, t) => t);
const sumK = sumOverK(params, run, everyStep);
await show("sum over k: ∂L/∂W", sumK.W);

// %% [markdown]
// BPTT and the sum over $k$ are the same polynomial in the inputs, evaluated in different
// orders (BPTT shares the tails of the chains; the sum recomputes each chain). So they may
// differ by rounding only: by at most $2\gamma_N$ times the same computation done on
// absolute values, where $N$ bounds the roundings along any path
// ($(T-1)$ steps of two $n_h$-term dot products, the $n_y$-term $e^\top V$, the $n_h$-term
// product with $J_t$, and $T(T+1)/2$ additions over $k$ and $t$). That is the tolerance.

// %%
function absParams(p: VanillaRnnParams): VanillaRnnParams {
  return { U: p.U.abs(), W: p.W.abs(), b: p.b.abs(), V: p.V.abs(), c: p.c.abs() };
}
function absRun(r: Run): Run {
  return {
    xt: r.xt.map((a) => a.abs()),
    h0: r.h0.abs(),
    h: r.h.map((a) => a.abs()),
    e: r.e.map((a) => a.abs()),
  };
}
const magnitude = sumOverK(absParams(params), absRun(run), everyStep);
const N_sum = (T - 1) * 2 * n_h + n_h + n_y + 1 + (T * (T + 1)) / 2;
for (const key of KEYS) {
  const tol = 2 * gamma(N_sum) * Math.max(...magnitude[key].data);
  lesson.check(`∂L/∂${key}: sum over k = BPTT`, sumK[key], bptt[key], {
    tolerance: tol,
    against: `BPTT; rounding bound 2γ_${N_sum}·(same sum on |inputs|)`,
  });
}

// %% [markdown]
// ## 3 · The post's code, made runnable
//
// Below is our rendition of the printed loop: the same numpy operations in the same
// order, with assumptions A1–A4. The names follow the post — its `self` is our `rnn`, so
// `self.Wh` reads `rnn.Wh` — and the two can be read side by side. Python's
// `functools.reduce(f, range(T-1, t-1, -1), 1)` becomes an array `reduce` over the same
// range; `np.power(A, n)` is `A.pow(n)` (elementwise, as in numpy); `a += b` with
// broadcasting is `a = a.add(b)`.
//
// The `fix` switches are for section 6, where we repair the loop one slip at a time; with
// no switches it is the loop as printed.

// %%
/** Python's `range(start, stop, -1)`. */
function rangeDown(start: number, stop: number): number[] {
  const out: number[] = [];
  for (let i = start; i > stop; i--) out.push(i);
  return out;
}

/** Repairs of the printed loop, applied in section 6. */
interface Fixes {
  /** `np.linalg.matrix_power` instead of the elementwise `np.power`. */
  matrixPower?: boolean;
  /** The product runs over 1 − (h^j)² for j = T−1 … t, instead of 1 − (h^t)² every time. */
  productOverJ?: boolean;
  /** `delta.dot(state.T)` (an outer product) instead of `delta * state` (a broadcast). */
  outer?: boolean;
  /** W's update uses the previous state: `h0` at t = 0, or Python's `h[t-1]` on a list. */
  previousState?: "h0" | "python list";
}

/**
 * The post's `reduce(lambda x, y: x * (1 - np.square(h[t])), range(T - 1, t-1, -1), 1)`:
 * starting from the number 1, multiply once per element of the range — by 1 − (h[t])²,
 * whatever the element (or by 1 − (h[j])² with the `productOverJ` repair).
 */
function dTanh(h: NDArray[], t: number, T: number, fix: Fixes = {}): NDArray {
  const oneMinusSquare = (a: NDArray) => NDArray.ones(a.shape).sub(a.square());
  return rangeDown(T - 1, t - 1).reduce<NDArray | number>(
    (acc, j) => oneMinusSquare(h[fix.productOverJ ? j : t]).mul(acc),
    1,
  ) as NDArray;
}

/** The post's five parameters, under the names its code uses (its `self.Wx`, …). */
interface Self {
  Wx: NDArray;
  Wh: NDArray;
  Bh: NDArray;
  Wy: NDArray;
  By: NDArray;
}
const rnn: Self = { Wx: U, Wh: W, Bh: b, Wy: V, By: c }; // the post's `self`

/** Our rendition of the post's backward loop (A1–A4). */
function literalBackward(
  rnn: Self,
  xt: NDArray[],
  h: NDArray[],
  y_hat: NDArray[],
  y: NDArray[],
  fix: Fixes = {},
  h0?: NDArray,
): Grads {
  const T = xt.length;
  let U_gradient = NDArray.zeros(rnn.Wx.shape);
  let W_gradient = NDArray.zeros(rnn.Wh.shape);
  let B_gradient = NDArray.zeros(rnn.Bh.shape);
  let V_gradient = NDArray.zeros(rnn.Wy.shape);
  let C_gradient = NDArray.zeros(rnn.By.shape);
  for (let t = 0; t < T; t++) {
    const D_tanh = dTanh(h, t, T, fix);
    const power = fix.matrixPower ? matrixPower(rnn.Wh, T - t - 1) : rnn.Wh.pow(T - t - 1);
    const delta = power.dot(D_tanh).mul(dot(rnn.Wy.T, y_hat[t].sub(y[t])));
    let state = h[t];
    if (fix.previousState === "h0") {
      if (!h0) throw new Error("literalBackward: the previousState fix needs h0");
      state = t > 0 ? h[t - 1] : h0;
    } else if (fix.previousState === "python list") state = h[(t - 1 + T) % T]; // h[-1] = h[T-1]
    W_gradient = W_gradient.add(fix.outer ? delta.dot(state.T) : delta.mul(state));
    U_gradient = U_gradient.add(delta.dot(xt[t].T));
    B_gradient = B_gradient.add(delta);
    V_gradient = V_gradient.add(dot(y_hat[t].sub(y[t]), h[t].T));
    C_gradient = C_gradient.add(y_hat[t].sub(y[t]));
  }
  return { U: U_gradient, W: W_gradient, b: B_gradient, V: V_gradient, c: C_gradient };
}

const literal = literalBackward(rnn, xt, h, y_hat, y);
await show("the post's code: ∂L/∂W", literal.W);

// %% [markdown]
// Is this rendition faithful to numpy? We feed it numpy's own forward values and compare
// with numpy's run of the same loop, for the 4-step example, the same data cut to one step,
// and the "`h[t-1]`" variant of section 6 (which leans on Python's negative indexing). The
// only operations that may round differently are the dot products ($n_h$ and $n_y$ terms)
// and `np.power` (libm's `pow` against V8's, each within an ulp) — so again the tolerance is
// $2\gamma_N$ times the loop run on absolute values, here with
// $N = 2 + n_h + 1 + n_y + 1 + T$. That comparison proves our TypeScript, not anything about
// the document, so it lives in the test suite (`tests/06_bptt_formula_test.ts`, on the values
// this cell records); the lesson prints how close it came.

// %%
const N_lit = 2 + n_h + 1 + n_y + 1 + T;
function numpyCheck(label: string, r: NumpyRun, fix: Fixes, stored: Record<string, string[]>) {
  const steps = r.T;
  const hs = Array.from(
    { length: steps },
    (_, t) => fromNumpy(r.forward.h.slice(t * n_h, (t + 1) * n_h), [n_h, 1]),
  );
  const yhs = Array.from(
    { length: steps },
    (_, t) => fromNumpy(r.forward.y_hat.slice(t * n_y, (t + 1) * n_y), [n_y, 1]),
  );
  const ours = literalBackward(rnn, xt.slice(0, steps), hs, yhs, y.slice(0, steps), fix, h0);
  const absSelf: Self = { Wx: U.abs(), Wh: W.abs(), Bh: b.abs(), Wy: V.abs(), By: c.abs() };
  const absErr = yhs.map((a, t) => a.sub(y[t]).abs());
  const zeros = yhs.map((a) => NDArray.zeros(a.shape));
  const mag = literalBackward(
    absSelf,
    xt.slice(0, steps).map((a) => a.abs()),
    hs.map((a) => a.abs()),
    absErr,
    zeros,
    fix,
    h0.abs(),
  );
  // Our TypeScript equals numpy here, not a claim about the document: the comparison itself
  // is in tests/06_bptt_formula_test.ts, which reads these values and numpy's from the file.
  for (const key of KEYS) {
    const bound = 2 * gamma(N_lit) * Math.max(...mag[key].data);
    const diff = maxAbsDiff(ours[key], fromNumpy(stored[key], [...ours[key].shape]));
    literalVsNumpy[`${label}/${key}`] = { ours: [...ours[key].data], bound };
    worstVsNumpy = Math.max(worstVsNumpy, diff / bound);
  }
}
/** Our rendition of the loop beside numpy's run of it, per run and gradient, with the bound. */
const literalVsNumpy: Record<string, { ours: number[]; bound: number }> = {};
let worstVsNumpy = 0;
numpyCheck("code, T=4", numpyRef.runs[0], {}, numpyRef.runs[0].literal);
numpyCheck("code, T=1", numpyRef.runs[1], {}, numpyRef.runs[1].literal);
numpyCheck(
  "code+h[t-1] list, T=4",
  numpyRef.runs[0],
  { previousState: "python list" },
  numpyRef.runs[0].literal_prev_list,
);
lesson.value("literal_vs_numpy", literalVsNumpy);
console.log(
  `our rendition vs numpy's run of the same loop (3 runs × 5 gradients): largest |Δ| is ` +
    `${(100 * worstVsNumpy).toFixed(0)} % of its rounding bound`,
);

// %% [markdown]
// ## 4 · Numerical gradients
//
// The independent referee: central differences $\big(L(\theta+h)-L(\theta-h)\big)/2h$ with
// $h=10^{-5}$, every entry of every parameter, in float64. Truncation ($h^2 L'''/6$) and
// rounding ($\approx u|L|/h$) are both around $10^{-10}$. Rather than one fixed relative
// tolerance, the course's one policy (`lib/gradient_policy.ts`) measures both for every
// entry — truncation by halving the step, rounding from the loss itself — and allows twice
// the one plus the other. Bugs planted in BPTT's output (a transposed $\partial L/\partial W$,
// the carry from step $t+1$ dropped, and gradients scaled by $1 + s$) must be flagged; the table shows the smallest relative
// error the check would flag. Anything near $10^{-2}$ or above is a bug.

// %%
const lossOf = (lossAt?: number[]) => () => vanillaRnnForward(xt, h0, params, y, { lossAt }).loss;
function numerical(lossAt?: number[]): Grads {
  const f = lossOf(lossAt);
  return Object.fromEntries(KEYS.map((k) => [k, numericalGradient(f, params[k])])) as Grads;
}
const numeric = numerical();
const bpttGrads = Object.fromEntries(KEYS.map((k) => [k, bptt[k]])) as Record<string, NDArray>;
const checkedParams = Object.fromEntries(KEYS.map((k) => [k, params[k]])) as Record<
  string,
  NDArray
>;
const policy = checkGradients(lossOf(), checkedParams, bpttGrads);
/** The claim "these gradients of `loss` = its central differences", judged by the one policy. */
function againstNumerical(
  name: string,
  loss: () => number,
  at: Record<string, NDArray>,
  analytic: Record<string, NDArray>,
): void {
  lesson.gradientCheck(`${name} (gradient policy)`, checkGradients(loss, at, analytic));
}
// BPTT with the carry from step t + 1 dropped: each step's δ from its own output only.
const droppedCarry = { ...bpttGrads };
{
  let dU = NDArray.zeros(params.U.shape), dW = NDArray.zeros(params.W.shape);
  let db = NDArray.zeros(params.b.shape);
  for (let t = 0; t < T; t++) {
    const delta = dot(params.V.T, run.e[t]).mul(h[t].square().neg().add(1));
    dU = dU.add(dot(delta, xt[t].T));
    dW = dW.add(dot(delta, (t === 0 ? h0 : h[t - 1]).T));
    db = db.add(delta.sum(1, true));
  }
  Object.assign(droppedCarry, { U: dU, W: dW, b: db });
}
console.log(
  wrapLine(`BPTT vs central differences (each term ≈ 1e-10 expected): ${policy.summary}`),
);
lesson.gradientCheck("∂L/∂(U, W, b, V, c): BPTT = numerical (gradient policy)", policy);
const planted: [string, Record<string, NDArray>][] = [
  ["∂L/∂W transposed", plantedBugs.transposed(bpttGrads, "W")],
  ["the carry from step t + 1 dropped", droppedCarry],
  ["every gradient scaled by 1 + 1e-3", plantedBugs.scaled(bpttGrads, 1e-3)],
  ["every gradient scaled by 1 + 1e-5", plantedBugs.scaled(bpttGrads, 1e-5)],
];
for (const [bug, g] of planted) {
  const v = checkGradients(lossOf(), checkedParams, g);
  console.log(`planted ${bug}: ${v.ok ? "NOT flagged" : "flagged"}`);
  lesson.gradientCheck(`the gradient check flags a planted bug: ${bug}`, v, { planted: bug });
}
lesson.value("gradient check: smallest detectable relative error", policy.smallestDetectable);

// %% [markdown]
// ## 5 · The four gradients side by side
//
// Two relative errors per pair: the largest elementwise one,
// $\max_i |a_i-b_i|/(|a_i|+|b_i|)$ (CS231n's `rel_error`; a sign flip gives 1), and the
// norm-wise $\lVert a-b\rVert/(\lVert a\rVert+\lVert b\rVert)$, which says how far off the
// whole matrix is.

// %%
const four: Record<string, Grads> = {
  "BPTT": bptt,
  "sum over k": sumK,
  "post's code": literal,
  "numerical": numeric,
};
function normRel(a: NDArray, n: NDArray): number {
  const norm = (v: NDArray) => Math.sqrt(v.square().sum());
  const d = norm(a.sub(n));
  return d === 0 ? 0 : d / (norm(a) + norm(n));
}
function maxRel(a: NDArray, n: NDArray): number {
  return Math.max(...relError(a, n).data);
}
const names = Object.keys(four);
const pairs: [string, string][] = [];
for (let i = 0; i < names.length; i++) {
  for (let j = i + 1; j < names.length; j++) pairs.push([names[i], names[j]]);
}
const fmt = (v: number) => (v === 0 ? "0" : v.toExponential(1));
const relTable: Record<string, Record<string, { max: number; norm: number }>> = {};
for (const [a, bName] of pairs) {
  const label = `${a} | ${bName}`;
  relTable[label] = {};
  for (const key of KEYS) {
    const m = maxRel(four[a][key], four[bName][key]);
    const n = normRel(four[a][key], four[bName][key]);
    relTable[label][key] = { max: m, norm: n };
  }
}
for (const which of ["max", "norm"] as const) {
  await showTable(
    Object.entries(relTable).map(([pair, row]) => ({
      pair,
      ...Object.fromEntries(KEYS.map((k) => [`∂L/∂${k}`, fmt(row[k][which])])),
    })),
    { title: which === "max" ? "largest entrywise relative error:" : "norm-wise relative error:" },
  );
}
lesson.value(
  "gradients",
  Object.fromEntries(
    KEYS.map((k) => [k, Object.fromEntries(names.map((n) => [n, four[n][k].toNested()]))]),
  ),
);
lesson.value("rel_errors", relTable);
await plot(
  heatmap({
    title: "norm-wise relative error between the four gradients (log10 colour)",
    rows: Object.keys(relTable),
    cols: KEYS.map((k) => `∂L/∂${k}`),
    values: Object.values(relTable).map((row) => KEYS.map((k) => row[k].norm)),
    log10: true,
  }),
  "lesson06_rel_errors",
);

// %% [markdown]
// BPTT, the interleaved sum over $k$ and the numerical gradients agree everywhere. The
// post's code agrees on $V$ and $c$ — they need no trip through time, and the loop adds
// $e^t(h^t)^\top$ and $e^t$ over the steps, which is right — and is far off on $U$, $W$
// and $b$. The post's code gets the output layer right and the recurrent part wrong. Why?

// %%
againstNumerical("∂L/∂V, ∂L/∂c: post's code = numerical", lossOf(), {
  V: params.V,
  c: params.c,
}, { V: literal.V, c: literal.c });

// %% [markdown]
// ## 6 · Where the code goes wrong
//
// Four slips, each visible on its own.
//
// **(a) `np.power` is elementwise.** `np.power(self.Wh, n)` raises every entry to the
// $n$-th power; it is not $W^n$. Worse, at the last step ($n=0$) it is a matrix of **ones**,
// where the matrix power would be the identity: the last step's `delta` becomes
// $\big(\sum_i (1-(h^T_i)^2)\big)\,V^\top e^T$ — every component gets the *sum* of the tanh
// derivatives — instead of $(1-(h^T)^2)\odot V^\top e^T$.

// %%
await show("np.power(W, 0)", W.pow(0));
await show("matrix_power(W, 0)", matrixPower(W, 0));
await show("np.power(W, 2)", W.pow(2));
await show("W @ W", matrixPower(W, 2));
for (const n of [0, 2, 3]) {
  const key = `np.power(W, ${n})`;
  lesson.check(`${key} = numpy's`, W.pow(n), fromNumpy(numpyRef.power[key], [n_h, n_h]), {
    tolerance: n <= 2 ? 0 : 2 * gamma(2) * Math.max(...W.abs().pow(n).data),
    against: n <= 2
      ? "numpy's np.power (x⁰ = 1 and x·x are exact)"
      : "numpy's np.power; libm pow vs V8 Math.pow, each within an ulp",
  });
}
{
  const t = T - 1;
  const lastDelta = W.pow(0).dot(NDArray.ones([n_h, 1]).sub(h[t].square())).mul(dot(V.T, run.e[t]));
  const sumDeriv = NDArray.ones([n_h, 1]).sub(h[t].square()).sum();
  const predicted = dot(V.T, run.e[t]).mul(sumDeriv);
  lesson.check("last step: the code's delta = Σ_i(1−h_i²)·Vᵀe^T", lastDelta, predicted, {
    tolerance: 2 * gamma(n_h + 1) * Math.max(...predicted.abs().data),
    against: "the ones-matrix algebra; reassociated sum, rounding bound",
  });
  console.log(`Σ_i (1 − (h^T_i)²) = ${sumDeriv.toFixed(4)}: the last step's delta is scaled by it`);
}

// %% [markdown]
// **(b) The `reduce` always uses `h[t]`.** Its lambda receives each `j` of the range and
// ignores it, multiplying by $1-(h^t)^2$ every time: the product is $(1-(h^t)^2)^{T-t}$, not
// $\prod_{j=t}^{T-1}(1-(h^j)^2)$. Fed numpy's states, our `reduce` gives numpy's result to
// the bit (the same multiplications in the same order), and that result is the power.

// %%
{
  const hNumpyList = everyStep.map((t) => hNumpy.take(0, t));
  const ours = new NDArray(everyStep.flatMap((t) => [...dTanh(hNumpyList, t, T).data]), [
    T,
    n_h,
    1,
  ]);
  lesson.check(
    "the code's reduce = numpy's reduce (fed numpy's h)",
    ours,
    fromNumpy(npRun.d_tanh, [T, n_h, 1]),
    {
      tolerance: 0,
      against: `numpy's functools.reduce (${REFERENCE}); identical multiplications, identical bits`,
    },
  );
  const asPower = new NDArray(
    everyStep.flatMap((
      t,
    ) => [...NDArray.ones([n_h, 1]).sub(hNumpyList[t].square()).pow(T - t).data]),
    [T, n_h, 1],
  );
  lesson.check("the code's reduce = (1 − (h^t)²)^(T−t)", ours, asPower, {
    tolerance: 2 * gamma(T + 1),
    against: "repeated product vs Math.pow of factors in (0, 1]: rounding bound 2γ_(T+1)",
  });
  await show("t = 0: the reduce gives (1 − (h¹)²)^4", dTanh(h, 0, T).T);
  await show("t = 0: the chain needs ∏_j (1 − (h^j)²)", dTanh(h, 0, T, { productOverJ: true }).T);
}

// %% [markdown]
// **(c) A broadcast where an outer product belongs.** `delta * h[t]` multiplies two
// $(n_h,1)$ columns elementwise into a column; `+=` then broadcasts that column into every
// column of the $(n_h,n_h)$ accumulator. So every column of the code's $\partial L/\partial W$
// is the same vector, $\sum_t \delta_t\odot h^t$ — a matrix whose columns cannot differ,
// whatever the data. The gradient needs the outer product $\delta_t\,(h^{t-1})^\top$.

// %%
{
  const firstColumn = literal.W.slice(1, 0, 1);
  const everyColumn = NDArray.zeros([n_h, n_h]).add(firstColumn);
  lesson.check("the code's ∂L/∂W has n_h identical columns", literal.W, everyColumn, {
    tolerance: 0,
    against: "its own first column, broadcast (exact: the same additions)",
  });
}

// %% [markdown]
// **(d) The current state where the previous one belongs.** $net^t = \dots + W h^{t-1}$, so
// $\partial net^t/\partial W_{ij}$ involves $h^{t-1}_j$, never $h^t$. (And the natural repair
// `h[t-1]` has a trap of its own in Python: at `t = 0`, `h[-1]` on a list is the *last*
// state, not $h^0$ — numpy confirmed it above.)
//
// ### One step: the code's slips, and nothing else
//
// With $T=1$ the sum over $k$ has a single term and no factor of $W$, so the formula is
// right there, and every disagreement is the code's. Repairing (a) fixes $U$ and $b$;
// $W$ needs both (c) and (d) — either alone is still wrong.

// %%
const oneStep = {
  xt: xt.slice(0, 1),
  h: h.slice(0, 1),
  y_hat: y_hat.slice(0, 1),
  y: y.slice(0, 1),
};
const xt1 = oneStep.xt, y1 = oneStep.y;
const numeric1 = Object.fromEntries(
  KEYS.map((
    k,
  ) => [k, numericalGradient(() => vanillaRnnForward(xt1, h0, params, y1).loss, params[k])]),
) as Grads;
const ladder1: [string, Fixes][] = [
  ["as printed", {}],
  ["(a) matrix power", { matrixPower: true }],
  ["(a)+(c) outer product, h^t", { matrixPower: true, outer: true }],
  ["(a)+(d) broadcast, h^{t−1}", { matrixPower: true, previousState: "h0" }],
  ["(a)+(c)+(d)", { matrixPower: true, outer: true, previousState: "h0" }],
];
const ladder1Table: Record<string, Record<string, number>> = {};
console.log(`T = 1, relative error (norm-wise) against numerical gradients`);
console.log(`${"".padEnd(30)}${["U", "W", "b"].map((k) => `∂L/∂${k}`.padEnd(11)).join("")}`);
for (const [label, fix] of ladder1) {
  const g = literalBackward(rnn, oneStep.xt, oneStep.h, oneStep.y_hat, oneStep.y, fix, h0);
  ladder1Table[label] = Object.fromEntries(
    (["U", "W", "b"] as const).map((k) => [k, normRel(g[k], numeric1[k])]),
  );
  console.log(
    label.padEnd(30) +
      (["U", "W", "b"] as const).map((k) => fmt(ladder1Table[label][k]).padEnd(11)).join(""),
  );
  if (label === "(a)+(c)+(d)") {
    againstNumerical(
      "∂L/∂(U, W, b, V, c): T=1, code + (a)(c)(d) = numerical",
      () => vanillaRnnForward(xt1, h0, params, y1).loss,
      checkedParams,
      Object.fromEntries(KEYS.map((k) => [k, g[k]])),
    );
  }
}
lesson.value("ladder_T1", ladder1Table);

// %% [markdown]
// ### Four steps: repairing the code is not enough
//
// With all four slips repaired (adding (b)), the loop still disagrees at $T=4$, because it
// faithfully implements something that is not the gradient. Two more rungs finish the job;
// they are about the *formula*, section 7:
//
// - **(e)** use the derivation's formula as written, for the loss at each step $s$ —
//   $\sum_{k\le s}(e^s)^\top V\,J_s J_{s-1}\cdots J_k\,W^{s-k}$, outer product with
//   $h^{k-1}$ — and add over $s$. This replaces the two things the loop does on its own:
//   it pairs step $t$'s error $e^t$ with a chain that always runs to the *last* step $T$
//   (a chain belongs to the loss at its end), and it multiplies the power into the vector
//   of derivatives before the error comes in, `(W^n d) * g`, where the formula has
//   $(W^\top)^n(d\odot g)$ in column form.
// - **(f)** interleave the Jacobians with the $W$'s — and we are at BPTT.

// %%
/** The formula read literally: (e^t)ᵀV · J_t J_{t−1} ⋯ J_k · W^{t−k}. */
function diagonalsThenPower(p: VanillaRnnParams, r: Run, t: number, k: number): NDArray {
  let row = dot(r.e[t].T, p.V);
  for (let j = t; j >= k; j--) row = row.dot(J(r.h[j]));
  return row.dot(matrixPower(p.W, t - k));
}
const all4: Fixes = { matrixPower: true, productOverJ: true, outer: true, previousState: "h0" };
const ladder4: [string, () => Grads][] = [
  ["as printed", () => literal],
  ["(a) matrix power", () => literalBackward(rnn, xt, h, y_hat, y, { matrixPower: true }, h0)],
  [
    "(a)(b) + product over h^j",
    () => literalBackward(rnn, xt, h, y_hat, y, { matrixPower: true, productOverJ: true }, h0),
  ],
  [
    "(a)(b)(c) + outer product",
    () => literalBackward(rnn, xt, h, y_hat, y, { ...all4, previousState: undefined }, h0),
  ],
  ["(a)–(d) + previous state", () => literalBackward(rnn, xt, h, y_hat, y, all4, h0)],
  ["(e) formula, read literally", () => sumOverK(params, run, everyStep, diagonalsThenPower)],
  ["(f) formula, interleaved", () => sumOverK(params, run, everyStep, interleaved)],
];
const ladder4Table: Record<string, Record<string, number>> = {};
console.log(`T = 4, relative error (norm-wise) against numerical gradients`);
console.log(`${"".padEnd(30)}${["U", "W", "b"].map((k) => `∂L/∂${k}`.padEnd(11)).join("")}`);
for (const [label, make] of ladder4) {
  const g = make();
  ladder4Table[label] = Object.fromEntries(
    (["U", "W", "b"] as const).map((k) => [k, normRel(g[k], numeric[k])]),
  );
  console.log(
    label.padEnd(30) +
      (["U", "W", "b"] as const).map((k) => fmt(ladder4Table[label][k]).padEnd(11)).join(""),
  );
}
lesson.value("ladder_T4", ladder4Table);

// %% [markdown]
// The errors do not fall steadily while (a)–(d) are repaired — one slip can partly mask
// another — and they stay at tens of percent until the formula itself is fixed. The code was
// never a near miss of BPTT: it is the derivation's formula, wrongly transcribed, and the
// formula is itself wrong for $T>1$.
//
// ## 7 · Where the derivation goes wrong
//
// ### The product of diagonals times a matrix power
//
// Read literally, the formula multiplies all the tanh Jacobians together and then applies
// $W^{t-k}$. The chain rule gives them interleaved: $J_t W J_{t-1} W\cdots W J_k$. The two
// agree only if each $J_j$ commutes with $W$, i.e. $W_{il}\,(d_i - d_l)=0$ for all $i,l$ —
// true when $n_h=1$ (the scalars of the hand derivation) or $W$ is diagonal, false for any
// real recurrent matrix. With one step there is no $W$ in the chain and the two coincide.

// %%
{
  const Jt = J(h[T - 2]);
  const commutator = Jt.dot(W).sub(W.dot(Jt));
  const frob = (a: NDArray) => Math.sqrt(a.square().sum());
  console.log(
    `‖J W − W J‖ / ‖J W‖ at step T−1: ${(frob(commutator) / frob(Jt.dot(W))).toFixed(3)}`,
  );
  await show(
    "its tanh derivatives 1 − (h^{T−1})²",
    NDArray.ones([n_h]).sub(h[T - 2].reshape(-1).square()),
  );
}
// The literal reading against numerical gradients: one step, four steps, and a diagonal W.
const lastOnly = [T - 1];
const numericLast = numerical(lastOnly);
const literalFormulaLast = sumOverK(params, run, lastOnly, diagonalsThenPower);
const interleavedLast = sumOverK(params, run, lastOnly, interleaved);
const literalFormulaOne = sumOverK(
  params,
  { ...run, xt: xt.slice(0, 1), h: h.slice(0, 1), e: run.e.slice(0, 1) },
  [0],
  diagonalsThenPower,
);
const formulaTable: Record<string, Record<string, number>> = {
  "read literally, loss at step T": {},
  "interleaved, loss at step T": {},
};
for (const key of ["U", "W", "b"] as const) {
  formulaTable["read literally, loss at step T"][key] = normRel(
    literalFormulaLast[key],
    numericLast[key],
  );
  formulaTable["interleaved, loss at step T"][key] = normRel(
    interleavedLast[key],
    numericLast[key],
  );
}
{
  const UWb = ["U", "W", "b"] as const;
  const at = Object.fromEntries(UWb.map((k) => [k, params[k]]));
  againstNumerical(
    "∂L_T/∂(U, W, b): interleaved formula = numerical",
    lossOf(lastOnly),
    at,
    Object.fromEntries(UWb.map((k) => [k, interleavedLast[k]])),
  );
  againstNumerical(
    "∂L/∂(U, W, b): T=1, formula read literally = numerical",
    () => vanillaRnnForward(xt1, h0, params, y1).loss,
    at,
    Object.fromEntries(UWb.map((k) => [k, literalFormulaOne[k]])),
  );
}

// The same example with W's off-diagonal entries zeroed: diagonal J's commute with it.
const Wdiag = NDArray.diag(NDArray.from(Array.from({ length: n_h }, (_, i) => W.get(i, i))));
const paramsDiag: VanillaRnnParams = { ...params, W: Wdiag };
const fwdDiag = vanillaRnnForward(xt, h0, paramsDiag, y);
const runDiag: Run = { xt, h0, h: fwdDiag.h, e: fwdDiag.yHat.map((a, t) => a.sub(y[t])) };
const literalDiag = sumOverK(paramsDiag, runDiag, everyStep, diagonalsThenPower);
const bpttDiag = vanillaRnnBackward(fwdDiag.cache);
const magDiag = sumOverK(absParams(paramsDiag), absRun(runDiag), everyStep, diagonalsThenPower);
for (const key of ["U", "W", "b"] as const) {
  lesson.check(
    `∂L/∂${key}: diagonal W, formula read literally = BPTT`,
    literalDiag[key],
    bpttDiag[key],
    {
      tolerance: 2 * gamma(N_sum) * Math.max(...magDiag[key].data),
      against: `BPTT on the same diagonal-W example; rounding bound 2γ_${N_sum}`,
    },
  );
}
console.log("loss at the last step only, relative error (norm-wise) against numerical gradients:");
for (const [label, row] of Object.entries(formulaTable)) {
  console.log(
    `  ${label.padEnd(34)}` +
      Object.entries(row).map(([k, v]) => `∂L/∂${k} ${fmt(v)}`.padEnd(16)).join(""),
  );
}
lesson.value("formula_last_step", formulaTable);

// %% [markdown]
// ### The scalar case, and the extra $W$ in $(W h^0)$
//
// The hand derivation is really scalar calculus: with $n_h=1$ every factor is a number,
// products commute, and the pattern $\sum_k (\prod_j J_j) W^{t-k} h^{k-1}$ is exactly right.
// The post's unrolling of $\partial h^3/\partial W$ has one slip, though: its innermost
// bracket is $(W h^0)$, where $\partial net^1/\partial W = h^0$ — $h^0$ does not depend on
// $W$, so no $W$ multiplies it. (The expanded line below it has $h^0$, and so does the
// general formula: the slip is only in that bracket.) We check both on a scalar-state RNN
// drawn the same way from `RandomState(6)` with $n_h = 1$, $T=3$, as in the post.
//
// (Nearby, the post says "$h^0$ no longer contains $U$" to explain why the recursion stops
// — it means $W$: the derivative being unrolled is with respect to $W$, and $U$ plays no
// part in it. A typo, but one that hides the reason the recursion ends.)

// %%
{
  const r = new RandomState(6);
  const p1: VanillaRnnParams = {
    U: r.randn(1, n_x).mul(0.5),
    W: r.randn(1, 1).mul(0.5),
    b: r.randn(1, 1).mul(0.5),
    V: r.randn(n_y, 1).mul(0.5),
    c: r.randn(n_y, 1).mul(0.5),
  };
  const x1 = r.randn(3, n_x, 1);
  const h01 = r.randn(1, 1).mul(0.5);
  const lab1 = [...r.randint(0, n_y, 3).data];
  const xs1 = [0, 1, 2].map((t) => x1.take(0, t));
  const ys1 = lab1.map((k) => oneHot([k], n_y));
  const f1 = vanillaRnnForward(xs1, h01, p1, ys1);
  const [h1, h2, h3] = f1.h.map((a) => a.item());
  const w = p1.W.item(), hz = h01.item();
  const dd = (v: number) => 1 - v * v; // ∂h/∂net
  const asUnrolled = dd(h3) * (h2 + w * dd(h2) * (h1 + w * dd(h1) * (w * hz)));
  const corrected = dd(h3) * (h2 + w * dd(h2) * (h1 + w * dd(h1) * hz));
  const expanded = dd(h3) * h2 * w ** 0 + dd(h3) * dd(h2) * h1 * w ** 1 +
    dd(h3) * dd(h2) * dd(h1) * hz * w ** 2;
  const numericDh3 = numericalGradient(() => vanillaRnnForward(xs1, h01, p1, ys1).h[2].item(), p1.W)
    .item();
  console.log(`∂h³/∂W: numerical ${numericDh3.toFixed(10)}`);
  console.log(`        with h⁰     ${corrected.toFixed(10)}`);
  console.log(`        expanded    ${expanded.toFixed(10)}`);
  console.log(
    `        with (W h⁰) ${asUnrolled.toFixed(10)}  (relative error ${
      fmt(relError(asUnrolled, numericDh3))
    })`,
  );
  const h3Of = () => vanillaRnnForward(xs1, h01, p1, ys1).h[2].item();
  const asW = (v: number) => NDArray.from([v]).reshape(...p1.W.shape);
  againstNumerical("∂h³/∂W, scalar h: unrolled with h⁰ = numerical", h3Of, { W: p1.W }, {
    W: asW(corrected),
  });
  againstNumerical("∂h³/∂W, scalar h: expanded line = numerical", h3Of, { W: p1.W }, {
    W: asW(expanded),
  });
  // The literal formula is right for a scalar state: the loss at step 3 only.
  const r1: Run = { xt: xs1, h0: h01, h: f1.h, e: f1.yHat.map((a, t) => a.sub(ys1[t])) };
  const lit1 = sumOverK(p1, r1, [2], diagonalsThenPower);
  const lossLast1 = () => vanillaRnnForward(xs1, h01, p1, ys1, { lossAt: [2] }).loss;
  againstNumerical(
    "∂L_3/∂(U, W, b): scalar h, formula read literally = numerical",
    lossLast1,
    { U: p1.U, W: p1.W, b: p1.b },
    { U: lit1.U, W: lit1.W, b: lit1.b },
  );
  // The slip adds exactly (W − 1) times the k = 1 term D3·W·D2·W·D1·h⁰.
  const k1 = dd(h3) * w * dd(h2) * w * dd(h1) * hz;
  // rounding: each side within γ_12 of the same expression evaluated on absolute values
  const [aw, a1, a2, az] = [Math.abs(w), Math.abs(h1), Math.abs(h2), Math.abs(hz)];
  const absScale = dd(h3) * (a2 + aw * dd(h2) * (a1 + aw * dd(h1) * (aw * az))) +
    dd(h3) * (a2 + aw * dd(h2) * (a1 + aw * dd(h1) * az)) +
    Math.abs(k1) * (aw + 1);
  lesson.check(
    "∂h³/∂W, scalar h: (W h⁰) adds (W − 1)·(k = 1 term)",
    asUnrolled - corrected,
    k1 * (w - 1),
    {
      tolerance: 2 * gamma(12) * absScale,
      against: "the algebra of the bracket; rounding bound 2γ_12 over the terms",
    },
  );
  lesson.value("scalar_dh3_dW", {
    numerical: numericDh3,
    with_h0: corrected,
    expanded,
    with_W_h0: asUnrolled,
  });
}

// %% [markdown]
// ### $V$ and $c$: a sum over $k$ of a term in $t$
//
// The post writes $\partial L/\partial V=\sum_{k=1}^{t}\frac{\partial L}{\partial O}h_t^\top$:
// the summation index is $k$ but the summand depends only on $t$. Read literally that is
// $t$ copies of the last step's term, $T\,e^T(h^T)^\top$ — exactly $T$ times the gradient
// of the last step's loss, and not the gradient of $\sum_t L_t$ either. What was meant (and
// what the code does) is $\sum_t e^t (h^t)^\top$.

// %%
{
  const tEnd = T - 1;
  const readLiterally = { V: dot(run.e[tEnd], h[tEnd].T).mul(T), c: run.e[tEnd].mul(T) };
  const vcTable: Record<string, Record<string, number>> = {};
  againstNumerical(
    "∂L/∂V, ∂L/∂c as printed (Σ_k of a t-term) ÷ T = ∂L_T/∂V, ∂L_T/∂c",
    lossOf(lastOnly),
    { V: params.V, c: params.c },
    { V: readLiterally.V.div(T), c: readLiterally.c.div(T) },
  );
  for (const key of ["V", "c"] as const) {
    vcTable[key] = {
      "vs ∂L_T (last step)": normRel(readLiterally[key], numericLast[key]),
      "vs ∂L (all steps)": normRel(readLiterally[key], numeric[key]),
    };

    console.log(
      `∂L/∂${key} read literally: relative error ${
        fmt(vcTable[key]["vs ∂L_T (last step)"])
      } against ∂L_T, ${fmt(vcTable[key]["vs ∂L (all steps)"])} against ∂L`,
    );
  }
  lesson.value("VC_read_literally", vcTable);
}

// %% [markdown]
// ### A loss at the last step only
//
// The derivation starts from $\frac{\partial L}{\partial W}=\frac{\partial L}{\partial O}
// \frac{\partial O}{\partial h^t}\frac{\partial h^t}{\partial W}$: the loss reaches $W$ only
// through the last state $h^t$. That is a model with one output at the end. The post's
// model has an output — and, judging by its code, a loss — at every step, and then each
// $L_s$ contributes its own sum over $k\le s$. The formula applied once, at the end, gives
// exactly the gradient of $L_T$ (checked above) and misses the rest:

// %%
const lastStepTable: Record<string, number> = {};
for (const key of ["U", "W", "b"] as const) {
  lastStepTable[key] = normRel(interleavedLast[key], numeric[key]);
}
console.log(
  "interleaved formula for the last step only, against ∂(Σ_t L_t):\n  " +
    Object.entries(lastStepTable).map(([k, v]) => `∂L/∂${k} ${fmt(v)}`).join(", "),
);
lesson.value("last_step_only_vs_full_loss", lastStepTable);

// %% [markdown]
// ## Summary
//
// | what | where | effect here |
// |---|---|---|
// | `np.power` elementwise, `W⁰` = ones | code | last step's δ scaled by $\sum_i(1-h_i^2)$; $W^n\ne W^{\circ n}$ |
// | `reduce` multiplies $1-(h^t)^2$ every time | code | $(1-(h^t)^2)^{T-t}$ instead of $\prod_j(1-(h^j)^2)$ |
// | `delta * h[t]` broadcast | code | every column of $\partial L/\partial W$ identical |
// | $h^t$ for $h^{t-1}$ | code | wrong factor in $\partial L/\partial W$ |
// | own error $e^t$ on a chain to $T$ | code | neither the last-step nor the summed loss |
// | $\prod J_j\,W^{t-k}$ instead of $J_tWJ_{t-1}\cdots WJ_k$ | formula | right only if $n_h=1$, $W$ diagonal or $T=1$ |
// | $(Wh^0)$ | unrolling | the $k=1$ term gains a factor $W$ |
// | "$h^0$ has no $U$" | prose | means $W$ |
// | $\sum_k$ of a summand in $t$ ($V$, $c$) | formula | $T$ times the last step's gradient |
// | loss at the last step only | derivation | misses $\sum_{s<T}L_s$ |
//
// The source printed no numbers, so the table below holds only our checks against
// independent references: numpy's draws and its run of the post's loop, the rounding bounds
// between two orders of the same sums, and central differences.

// %%
await lesson.end();
