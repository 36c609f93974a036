// %% [markdown]
// # 6 · The BPTT formula derived by hand, and the code that claimed to implement it
//
// Our source (document 003) is the Chinese blog post *numpy-rnn 从公式推导到代码实现*
// ("numpy RNN: from deriving the formulas to implementing them in code"). It writes a
// vanilla RNN with a softmax output,
//
// $$net^t = U x^t + W h^{t-1} + b,\qquad h^t = \tanh(net^t),$$
//
// $$o^t = V h^t + c,\qquad \hat y^t = \operatorname{softmax}(o^t),$$
//
// unrolls $\partial h^3/\partial W$ by hand, reads off a pattern, and states
//
// $$\frac{\partial L}{\partial W}=\sum_{k=1}^{t}\,\frac{\partial L}{\partial O}\,
//   \frac{\partial O}{\partial h^t}\,
//   \Big(\prod_{j=k}^{t}\,\frac{\partial h^j}{\partial net^j}\Big)W^{t-k}\,h^{k-1}$$
//
// with the same shape for $U$ (ending in $x^k$) and $b$ (ending in nothing), plus
// $\partial L/\partial V=\sum_{k=1}^{t}\,\frac{\partial L}{\partial O}\,h_t^\top$ and
// $\partial L/\partial c=\sum_{k=1}^{t}\,\frac{\partial L}{\partial O}$. It then prints a
// backward loop that, it says, implements the pattern: an elementwise `np.power` of the
// recurrent matrix, a `functools.reduce` over `1 - np.square(h[t])`, and five accumulators.
//
// The post printed **no numbers** — so there is nothing to reproduce digit by digit, and
// the question is simply: *are the formula and the code right?* We answer it on a small
// seeded example against a referee that owes nothing to either: float64 **numerical
// gradients** (central differences of the forward pass), judged by the course's one
// gradient policy.
//
// ## What we will find
//
// The post's code is not a near miss of the gradient, and repairing the code is not enough:
//
// - **As printed**, the loop gets $\partial L/\partial V$ and $\partial L/\partial c$ right
//   (they need no trip through time) and $\partial L/\partial U$, $\partial L/\partial W$,
//   $\partial L/\partial b$ wrong: its $\partial L/\partial W$ is off by a norm-wise relative
//   error of 0.63.
// - It has **four slips of transcription** — an elementwise power, a `reduce` that ignores
//   its index, a broadcast where an outer product belongs, $h^t$ where $h^{t-1}$ belongs.
//   Repair all four and $\partial L/\partial W$ is still off by 0.35: what the loop
//   transcribes is the derivation's formula, and **the formula itself is wrong** for more
//   than one step.
// - The formula multiplies the tanh Jacobians together and then applies $W^{t-k}$. (A *Jacobian* is
//   the matrix of every partial derivative of a vector function by its vector input — see lesson 2
//   or `docs/glossary.md`; $J_j$ is the tanh's Jacobian at step $j$.) The chain rule interleaves
//   them, $J_t W J_{t-1} W\cdots W J_k$. The two agree only when every Jacobian *commutes* with $W$
//   ($J_jW = WJ_j$, so the order of the factors does not matter): one step, a scalar state (the
//   hand derivation's case, where it is right) or a diagonal $W$. Read literally, the formula's
//   $\partial L/\partial W$ is off by 0.17; interleaved, it is BPTT.
// - Smaller slips: the formula's $\partial L/\partial V$ sums over $k$ a term in $t$ ($T$
//   times the last step's gradient), the derivation starts from a loss at the last step
//   only, and its unrolling of $\partial h^3/\partial W$ has one $W$ too many.
//
// The three numbers are the norm-wise relative error
// $\lVert a-n\rVert/(\lVert a\rVert+\lVert n\rVert)$ against central differences, each a
// check in the table at the end. The order: the setup; BPTT and the referee (sections 1–2);
// the formula and where it goes wrong (3–4); then the code, repaired one slip at a time
// (5–6).

// %%
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import {
  dot,
  gamma,
  heatmap,
  Lesson,
  matrixPower,
  NDArray,
  numericalGradient,
  oneHot,
  plot,
  RandomState,
  readDataJson,
  relError,
  show,
  showTable,
  vanillaRnnBackward,
  vanillaRnnLoss,
  type VanillaRnnParams,
  wrapLine,
} from "../lib/mod.ts";

const lesson = new Lesson(6);

// %% [markdown]
// ## What it takes to run the post's code
//
// The post's forward code, a method of some RNN class, fixes the names: `self.Wx` is $U$,
// `self.Wh` is $W$, `self.Bh` is $b$, `self.Wy` is $V$, `self.By` is $c$. The backward loop
// reads `xt[t]`, `h[t]`, `y_hat[t]`, `y[t]` and `T`, which the post never defines. The
// fewest assumptions that make it run:
//
// - **A1 — column layout**, as the forward code implies: `xt[t]` is $(n_x,1)$, `h[t]` is $(n_h,1)$,
//   `y[t]` a one-hot $(n_y,1)$ column (zeros but for a 1 at the step's label) and `y_hat[t]`
//   $=\operatorname{softmax}(o^t)$, $(n_y,1)$. (`delta.dot(xt[t].T)` and `np.dot(y_hat[t] - y[t],
//   h[t].T)` only make sense so.)
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
// `RandomState` is that generator bit for bit: `tests/06_bptt_formula_test.ts` compares these
// inputs with the numbers numpy itself drew (stored with their provenance in
// `data/bptt/literal_numpy.json`, by `tools/gen_bptt_literal.py`).

// %%
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
lesson.value("inputs", {
  ...Object.fromEntries(
    Object.entries({ U, W, b, V, c, x, h0 }).map(([k, v]) => [k, v.toNested()]),
  ),
  labels,
});
console.log("labels:", labels.join(" "));
await show("W", W);

// %% [markdown]
// ## The forward pass
//
// Our `vanillaRnnForward` (in `lib/nn/vanilla_rnn.ts`) is the post's forward code, one step
// per column. (The test file also compares its states with numpy's run of the same code:
// they cannot agree bit for bit — numpy's `tanh`, `exp` and BLAS dot products round
// differently from V8's — so it allows a first-order running bound on that rounding.)

// %%
const forward = vanillaRnnLoss(params, xt, h0, y);
const { h, yHat: y_hat } = forward;
console.log("loss L = Σ_t L_t =", forward.loss);
lesson.value("forward_h", new NDArray(h.flatMap((a) => [...a.data]), [T, n_h, 1]));

// %% [markdown]
// ## 1 · BPTT: the δ recursion
//
// Column vectors, as the post writes them: $x^t$ is $(n_x, 1)$, $h^t$ and $net^t$ are
// $(n_h, 1)$, $o^t$ and $\hat y^t$ are $(n_y, 1)$; $U$ is $(n_h, n_x)$, $W$ $(n_h, n_h)$, $V$
// $(n_y, n_h)$. In index form one step is
//
// $$net^t_i=\sum_m U_{im}x^t_m+\sum_j W_{ij}h^{t-1}_j+b_i,\qquad h^t_i=\tanh(net^t_i),$$
//
// $$o^t_q=\sum_i V_{qi}h^t_i+c_q,$$
//
// and $L=\sum_t L_t$ with $L_t=-\log\hat y^t_{label}$, $\hat y^t=\operatorname{softmax}(o^t)$.
// Write $e^t=\partial L/\partial o^t$ and $\delta^t=\partial L/\partial net^t$. One
// chain-rule step per line, from the loss back:
//
// 1. **The output.** Softmax followed by cross-entropy differentiates to
//    $e^t=\hat y^t-y^t$ ($y^t$ one-hot), shape $(n_y, 1)$.
// 2. **$V$ and $c$.** From $o^t_q=\sum_i V_{qi}h^t_i+c_q$: $\partial L/\partial V_{qi}=
//    \sum_t e^t_q h^t_i$, so $\partial L/\partial V=\sum_t e^t(h^t)^\top$ —
//    $(n_y,1)(1,n_h)=(n_y,n_h)$, $V$'s shape: the transpose makes a column times a row. And
//    $\partial L/\partial c=\sum_t e^t$. Each step adds its term because $V$ and $c$ are
//    shared by all steps.
// 3. **Into $h^t$.** $h^t$ reaches the loss along two paths: through $o^t$ (this step's
//    output) and through $net^{t+1}$ (the next step). Summing over both paths,
//    $\partial L/\partial h^t_i=\sum_q V_{qi}e^t_q+\sum_j W_{ji}\delta^{t+1}_j$, i.e.
//    $V^\top e^t+W^\top\delta^{t+1}$ — $(n_h,n_y)(n_y,1)+(n_h,n_h)(n_h,1)=(n_h,1)$. The
//    transposes appear because the sums run over the matrices' *first* index ($q$ in $V_{qi}$,
//    $j$ in $W_{ji}$): going backwards, a matrix is applied transposed.
// 4. **Through tanh.** $h^t_i=\tanh(net^t_i)$ and $\tanh'=1-\tanh^2$, so
//    $\delta^t_i=(1-(h^t_i)^2)\,\partial L/\partial h^t_i$: elementwise, $(n_h, 1)$.
// 5. **$U$, $W$, $b$.** From $net^t_i=\sum_m U_{im}x^t_m+\sum_j W_{ij}h^{t-1}_j+b_i$:
//    $\partial L/\partial W_{ij}=\sum_t\delta^t_i h^{t-1}_j$ — the state that *entered* step
//    $t$, not $h^t$ — so $\partial L/\partial W=\sum_t\delta^t(h^{t-1})^\top$, $(n_h,n_h)$;
//    likewise $\partial L/\partial U=\sum_t\delta^t(x^t)^\top$ and $\partial L/\partial b=
//    \sum_t\delta^t$.
//
// Together, walking backwards from $\delta^{T+1}=0$ (no step after the last):
//
// $$\delta^t=\big(1-(h^t)^2\big)\odot\big(V^\top e^t+W^\top\delta^{t+1}\big),$$
//
// $$\frac{\partial L}{\partial W}=\sum_t\delta^t\,(h^{t-1})^\top,\quad
//   \frac{\partial L}{\partial U}=\sum_t\delta^t\,(x^t)^\top,\quad
//   \frac{\partial L}{\partial b}=\sum_t\delta^t,$$
//
// $$\frac{\partial L}{\partial V}=\sum_t e^t\,(h^t)^\top,\qquad
//   \frac{\partial L}{\partial c}=\sum_t e^t.$$
//
// The term $W^\top\delta^{t+1}$ is the **carry**: what flows back into step $t$ from every
// later step, all of them folded into one vector by the recursion. It *adds* to the step's
// own $V^\top e^t$ because of line 3's two paths. Section 3 unrolls this recursion and
// compares it with the post's sum over $k$.

// %%
type Grads = Record<"U" | "W" | "b" | "V" | "c", NDArray>;
const KEYS = ["U", "W", "b", "V", "c"] as const;
const bpttFull = vanillaRnnBackward(forward.dOutputs, forward.cache).grads;
const bptt: Grads = { U: bpttFull.U, W: bpttFull.W, b: bpttFull.b, V: bpttFull.V, c: bpttFull.c };
await show("BPTT ∂L/∂W", bptt.W);

// %% [markdown]
// ## 2 · Numerical gradients, the referee
//
// The independent referee: central differences $\big(L(\theta+h)-L(\theta-h)\big)/2h$ with
// $h=10^{-5}$, every entry of every parameter, in float64. Truncation ($h^2 L'''/6$) and
// rounding ($\approx u|L|/h$) are both around $10^{-10}$. Rather than one fixed relative
// tolerance, the course's one policy (`lib/numerics/gradient_policy.ts`) measures both for every
// entry — truncation by halving the step, rounding from the loss itself — and allows twice
// the one plus the other. Every comparison with central differences in this lesson is judged
// by it. To show what its "passes" is worth, bugs planted in BPTT's output must be flagged:
// a transposed $\partial L/\partial W$, the carry dropped, $h^t$ where $h^{t-1}$ belongs,
// and gradients scaled by $1 + s$; the table shows the smallest relative error the check
// would flag. Anything near $10^{-2}$ or above is a bug.

// %%
const lossOf = (lossAt?: number[]) => () => vanillaRnnLoss(params, xt, h0, y, { lossAt }).loss;
function numerical(lossAt?: number[]): Grads {
  const f = lossOf(lossAt);
  return Object.fromEntries(KEYS.map((k) => [k, numericalGradient(f, params[k])])) as Grads;
}
/** The parameters, or the gradients, named by `keys` (what `checkGradients` takes). */
function pick(g: VanillaRnnParams | Grads, keys: readonly string[]): Record<string, NDArray> {
  return Object.fromEntries(keys.map((k) => [k, g[k as keyof Grads]]));
}
const numeric = numerical();
const policy = checkGradients(lossOf(), pick(params, KEYS), pick(bptt, KEYS));
console.log(wrapLine(`BPTT vs central differences: ${policy.summary}`));
lesson.gradientCheck("∂L/∂(U, W, b, V, c): BPTT = numerical (gradient policy)", policy);

/**
 * The δ recursion written out, to plant bugs in: `carry: false` drops Wᵀδ^{t+1} (each step
 * sees only its own output's error), `current: true` pairs δ^t with h^t instead of h^{t−1}.
 */
function bpttWritten(bug: { carry?: boolean; current?: boolean } = {}): Grads {
  const g: Grads = {
    U: NDArray.zeros(U.shape),
    W: NDArray.zeros(W.shape),
    b: NDArray.zeros(b.shape),
    V: NDArray.zeros(V.shape),
    c: NDArray.zeros(c.shape),
  };
  let deltaNext = NDArray.zeros([n_h, 1]);
  for (let t = T - 1; t >= 0; t--) {
    const e = y_hat[t].sub(y[t]);
    const fromAbove = bug.carry === false ? dot(V.T, e) : dot(V.T, e).add(dot(W.T, deltaNext));
    const delta = h[t].square().neg().add(1).mul(fromAbove);
    const state = bug.current ? h[t] : t > 0 ? h[t - 1] : h0;
    g.W = g.W.add(dot(delta, state.T));
    g.U = g.U.add(dot(delta, xt[t].T));
    g.b = g.b.add(delta);
    g.V = g.V.add(dot(e, h[t].T));
    g.c = g.c.add(e);
    deltaNext = delta;
  }
  return g;
}
const written = bpttWritten();
const writtenDiff = Math.max(...KEYS.flatMap((k) => [...written[k].sub(bptt[k]).abs().data]));
console.log(
  `written out with no bug planted, the δ recursion differs from vanillaRnnBackward by ${
    writtenDiff === 0 ? "0" : writtenDiff.toExponential(1)
  }`,
);
const planted: [string, Record<string, NDArray>][] = [
  ["∂L/∂W transposed", plantedBugs.transposed(pick(bptt, KEYS), "W")],
  ["the carry from step t+1 dropped", pick(bpttWritten({ carry: false }), KEYS)],
  ["h^t where h^(t−1) belongs", pick(bpttWritten({ current: true }), KEYS)],
  ["every gradient scaled by 1 + 1e-3", plantedBugs.scaled(pick(bptt, KEYS), 1e-3)],
  ["every gradient scaled by 1 + 1e-5", plantedBugs.scaled(pick(bptt, KEYS), 1e-5)],
];
lesson.flagsPlantedBugs(lossOf(), pick(params, KEYS), planted);
lesson.value("gradient check: smallest detectable relative error", policy.smallestDetectable);

/** Norm-wise relative error ‖a − n‖ / (‖a‖ + ‖n‖): how far off a whole matrix is. */
function normRel(a: NDArray, n: NDArray): number {
  const norm = (v: NDArray) => Math.sqrt(v.square().sum());
  const d = norm(a.sub(n));
  return d === 0 ? 0 : d / (norm(a) + norm(n));
}
const fmt = (v: number) => (v === 0 ? "0" : v.toExponential(1));
console.log(
  wrapLine(
    "BPTT's norm-wise relative error against numerical gradients: " +
      KEYS.map((k) => `∂L/∂${k} ${fmt(normRel(bptt[k], numeric[k]))}`).join(", "),
  ),
);

// %% [markdown]
// ## 3 · The post's sum over $k$, as matrix products
//
// In the post's notation every factor is a Jacobian and the chain is read left to right.
// $\frac{\partial L}{\partial O}\,\frac{\partial O}{\partial h^t}$ is a row vector
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
// orders (BPTT shares the tails of the chains; the sum recomputes each chain). In exact
// arithmetic they are equal, so in float64 they may differ by rounding only — and a central
// difference, whose own error is some $10^{-10}$, could not tell that from a small mistake.
// The right tolerance is a float64 rounding bound: $2\gamma_N$ (Higham's
// $\gamma_N = Nu/(1-Nu)$, $u=2^{-53}$, twice because both sides round) times the same
// computation done on absolute values, where $N$ bounds the roundings along any path
// ($(T-1)$ steps of two $n_h$-term dot products, the $n_y$-term $e^\top V$, the $n_h$-term
// product with $J_t$, and $T(T+1)/2$ additions over $k$ and $t$).

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
    against:
      `BPTT: the same sums in another order, equal in exact arithmetic; float64 rounding bound 2γ_${N_sum}·(same sum on |inputs|)`,
  });
}

// %% [markdown]
// ## 4 · Where the derivation goes wrong
//
// ### The product of diagonals times a matrix power
//
// Read literally, the formula multiplies all the tanh Jacobians together and then applies
// $W^{t-k}$. The chain rule gives them interleaved: $J_t W J_{t-1} W\cdots W J_k$. The two
// agree only if each $J_j$ commutes with $W$, i.e. $W_{il}\,(d_i - d_l)=0$ for all $i,l$, with
// $d$ the diagonal of $J_j$ —
// true when $n_h=1$ (the scalars of the hand derivation) or $W$ is diagonal, false for any
// real recurrent matrix. With one step there is no $W$ in the chain and the two coincide.
// We check the literal reading against central differences for the whole loss, for the
// loss at the last step alone, and for one step; and against BPTT on a diagonal $W$.

// %%
/** The formula read literally: (e^t)ᵀV · J_t J_{t−1} ⋯ J_k · W^{t−k}. */
function diagonalsThenPower(p: VanillaRnnParams, r: Run, t: number, k: number): NDArray {
  let row = dot(r.e[t].T, p.V);
  for (let j = t; j >= k; j--) row = row.dot(J(r.h[j]));
  return row.dot(matrixPower(p.W, t - k));
}
{
  const Jt = J(h[T - 2]);
  const commutator = Jt.dot(W).sub(W.dot(Jt));
  const frob = (a: NDArray) => Math.sqrt(a.square().sum());
  console.log(
    `‖J W − W J‖ / ‖J W‖ at step T−1: ${(frob(commutator) / frob(Jt.dot(W))).toFixed(3)}`,
  );
  await show(
    "its tanh derivatives 1 − (h^(T−1))²",
    NDArray.ones([n_h]).sub(h[T - 2].reshape(-1).square()),
  );
}
const RECURRENT = ["U", "W", "b"] as const;
// The whole loss, T = 4: the headline number of "What we will find".
const literalFormula = sumOverK(params, run, everyStep, diagonalsThenPower);
lesson.atLeast(
  "∂L/∂W, T = 4: the formula read literally is ≥ 0.1 off (norm-wise)",
  normRel(literalFormula.W, numeric.W),
  0.1,
  {
    against:
      "‖a − n‖/(‖a‖ + ‖n‖) against central differences; BPTT's is ~1e-10 (section 2), so no rounding or truncation",
  },
);
// The loss at the last step alone.
const lastOnly = [T - 1];
const numericLast = numerical(lastOnly);
const literalFormulaLast = sumOverK(params, run, lastOnly, diagonalsThenPower);
const interleavedLast = sumOverK(params, run, lastOnly, interleaved);
lesson.gradientCheck(
  "∂L_T/∂(U, W, b): interleaved formula = numerical (gradient policy)",
  checkGradients(lossOf(lastOnly), pick(params, RECURRENT), pick(interleavedLast, RECURRENT)),
);
// One step: the same data cut to T = 1.
const xt1 = xt.slice(0, 1), y1 = y.slice(0, 1);
const lossOne = () => vanillaRnnLoss(params, xt1, h0, y1).loss;
const numeric1 = Object.fromEntries(
  KEYS.map((k) => [k, numericalGradient(lossOne, params[k])]),
) as Grads;
const literalFormulaOne = sumOverK(
  params,
  { ...run, xt: xt1, h: h.slice(0, 1), e: run.e.slice(0, 1) },
  [0],
  diagonalsThenPower,
);
lesson.gradientCheck(
  "∂L/∂(U, W, b), T = 1: formula read literally = numerical (gradient policy)",
  checkGradients(lossOne, pick(params, RECURRENT), pick(literalFormulaOne, RECURRENT)),
);
const formulaTable: Record<string, Record<string, number>> = {
  "read literally, loss at every step": {},
  "read literally, loss at step T": {},
  "interleaved, loss at step T": {},
};
for (const key of RECURRENT) {
  formulaTable["read literally, loss at every step"][key] = normRel(
    literalFormula[key],
    numeric[key],
  );
  formulaTable["read literally, loss at step T"][key] = normRel(
    literalFormulaLast[key],
    numericLast[key],
  );
  formulaTable["interleaved, loss at step T"][key] = normRel(
    interleavedLast[key],
    numericLast[key],
  );
}

// The same example with W's off-diagonal entries zeroed: diagonal J's commute with it.
const Wdiag = NDArray.diag(NDArray.from(Array.from({ length: n_h }, (_, i) => W.get(i, i))));
const paramsDiag: VanillaRnnParams = { ...params, W: Wdiag };
const fwdDiag = vanillaRnnLoss(paramsDiag, xt, h0, y);
const runDiag: Run = { xt, h0, h: fwdDiag.h, e: fwdDiag.yHat.map((a, t) => a.sub(y[t])) };
const literalDiag = sumOverK(paramsDiag, runDiag, everyStep, diagonalsThenPower);
const bpttDiag = vanillaRnnBackward(fwdDiag.dOutputs, fwdDiag.cache).grads;
const magDiag = sumOverK(absParams(paramsDiag), absRun(runDiag), everyStep, diagonalsThenPower);
for (const key of RECURRENT) {
  lesson.check(
    `∂L/∂${key}: diagonal W, formula read literally = BPTT`,
    literalDiag[key],
    bpttDiag[key],
    {
      tolerance: 2 * gamma(N_sum) * Math.max(...magDiag[key].data),
      against:
        `BPTT on the same diagonal-W example: equal in exact arithmetic when J and W commute; float64 rounding bound 2γ_${N_sum}`,
    },
  );
}
console.log("relative error (norm-wise) against numerical gradients:");
for (const [label, row] of Object.entries(formulaTable)) {
  console.log(
    `  ${label.padEnd(36)}` +
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
  const f1 = vanillaRnnLoss(p1, xs1, h01, ys1);
  const [h1, h2, h3] = f1.h.map((a) => a.item());
  const w = p1.W.item(), hz = h01.item();
  const dd = (v: number) => 1 - v * v; // ∂h/∂net
  const asUnrolled = dd(h3) * (h2 + w * dd(h2) * (h1 + w * dd(h1) * (w * hz)));
  const corrected = dd(h3) * (h2 + w * dd(h2) * (h1 + w * dd(h1) * hz));
  const expanded = dd(h3) * h2 * w ** 0 + dd(h3) * dd(h2) * h1 * w ** 1 +
    dd(h3) * dd(h2) * dd(h1) * hz * w ** 2;
  const h3Of = () => vanillaRnnLoss(p1, xs1, h01, ys1).h[2].item();
  const numericDh3 = numericalGradient(h3Of, p1.W).item();
  console.log(`∂h³/∂W: numerical ${numericDh3.toFixed(10)}`);
  console.log(`        with h⁰     ${corrected.toFixed(10)}`);
  console.log(`        expanded    ${expanded.toFixed(10)}`);
  console.log(
    `        with (W h⁰) ${asUnrolled.toFixed(10)}  (relative error ${
      fmt(relError(asUnrolled, numericDh3))
    })`,
  );
  // The gradient policy judges any scalar function of the parameters: here h³ itself.
  const formsOfDh3: [string, number][] = [["unrolled with h⁰", corrected], ["expanded", expanded]];
  for (const [label, value] of formsOfDh3) {
    lesson.gradientCheck(
      `∂h³/∂W, scalar h: ${label} = numerical (gradient policy)`,
      checkGradients(h3Of, { W: p1.W }, { W: NDArray.from([[value]]) }),
    );
  }
  // The literal formula is right for a scalar state: the loss at step 3 only.
  const r1: Run = { xt: xs1, h0: h01, h: f1.h, e: f1.yHat.map((a, t) => a.sub(ys1[t])) };
  const lit1 = sumOverK(p1, r1, [2], diagonalsThenPower);
  const lossLast1 = () => vanillaRnnLoss(p1, xs1, h01, ys1, { lossAt: [2] }).loss;
  lesson.gradientCheck(
    "∂L_3/∂(U, W, b): scalar h, formula read literally = numerical (gradient policy)",
    checkGradients(lossLast1, pick(p1, RECURRENT), pick(lit1, RECURRENT)),
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
      against:
        "the algebra of the bracket, exact in real arithmetic; float64 rounding bound 2γ_12 over the terms",
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
// The post writes $\partial L/\partial V=\sum_{k=1}^{t}\,\frac{\partial L}{\partial O}\,h_t^\top$:
// the summation index is $k$ but the summand depends only on $t$. Read literally that is
// $t$ copies of the last step's term, $T\,e^T(h^T)^\top$ — exactly $T$ times the gradient
// of the last step's loss, and not the gradient of $\sum_t L_t$ either. What was meant (and
// what the code does) is $\sum_t e^t (h^t)^\top$.

// %%
{
  const tEnd = T - 1;
  const readLiterally: Record<string, NDArray> = {
    V: dot(run.e[tEnd], h[tEnd].T).mul(T),
    c: run.e[tEnd].mul(T),
  };
  lesson.gradientCheck(
    "∂L/∂(V, c) as printed (Σ_k of a t-term) ÷ T = ∂L_T/∂(V, c) (gradient policy)",
    checkGradients(lossOf(lastOnly), pick(params, ["V", "c"]), {
      V: readLiterally.V.div(T),
      c: readLiterally.c.div(T),
    }),
  );
  const vcTable: Record<string, Record<string, number>> = {};
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
// \,\frac{\partial O}{\partial h^t}\,\frac{\partial h^t}{\partial W}$: the loss reaches $W$ only
// through the last state $h^t$. That is a model with one output at the end. The post's
// model has an output — and, judging by its code, a loss — at every step, and then each
// $L_s$ contributes its own sum over $k\le s$. The formula applied once, at the end, gives
// exactly the gradient of $L_T$ (checked above) and misses the rest:

// %%
const lastStepTable: Record<string, number> = {};
for (const key of RECURRENT) {
  lastStepTable[key] = normRel(interleavedLast[key], numeric[key]);
}
console.log(
  "interleaved formula for the last step only, against ∂(Σ_t L_t):\n  " +
    Object.entries(lastStepTable).map(([k, v]) => `∂L/∂${k} ${fmt(v)}`).join(", "),
);
lesson.value("last_step_only_vs_full_loss", lastStepTable);

// %% [markdown]
// ## 5 · The post's code, made runnable
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
// Is this rendition faithful to numpy? That is a question about our TypeScript, not about
// the post, so it is answered in `tests/06_bptt_formula_test.ts`: numpy ran the same loop
// (`tools/gen_bptt_literal.py`) on the 4-step example, on the same data cut to one step, and
// with the "`h[t-1]`" repair of section 6 (which leans on Python's negative indexing), and
// the test compares those runs with ours fed numpy's own forward values, within a float64
// rounding bound. The cell below runs our rendition on numpy's forward values and prints how
// far its five gradients are from numpy's run of the same loop (the bound itself is the
// test's).

// %%
interface NumpyRun {
  T: number;
  forward: { h: string[]; y_hat: string[]; loss: string };
  literal: Record<string, string[]>;
  literal_prev_list: Record<string, string[]>;
}
// Made by `python3 tools/gen_bptt_literal.py`.
const numpyRuns = readDataJson<{ runs: NumpyRun[] }>("bptt/literal_numpy.json").runs;
/** Our loop fed numpy's forward values, and the same loop on absolute values (its scale). */
function fedNumpy(r: NumpyRun, fix: Fixes) {
  const column = (values: string[], n: number, t: number) =>
    new NDArray(values.slice(t * n, (t + 1) * n).map(Number), [n, 1]);
  const steps = Array.from({ length: r.T }, (_, t) => t);
  const hs = steps.map((t) => column(r.forward.h, n_h, t));
  const yhs = steps.map((t) => column(r.forward.y_hat, n_y, t));
  const ours = literalBackward(rnn, xt.slice(0, r.T), hs, yhs, y.slice(0, r.T), fix, h0);
  const absSelf: Self = { Wx: U.abs(), Wh: W.abs(), Bh: b.abs(), Wy: V.abs(), By: c.abs() };
  const scale = literalBackward(
    absSelf,
    xt.slice(0, r.T).map((a) => a.abs()),
    hs.map((a) => a.abs()),
    yhs.map((a, t) => a.sub(y[t]).abs()),
    yhs.map((a) => NDArray.zeros(a.shape)),
    fix,
    h0.abs(),
  );
  const nested = (g: Grads) => Object.fromEntries(KEYS.map((k) => [k, g[k].toNested()]));
  return { gradients: nested(ours), magnitude: nested(scale), h: hs };
}
const fed = {
  "code, T=4": fedNumpy(numpyRuns[0], {}),
  "code, T=1": fedNumpy(numpyRuns[1], {}),
  "code+h[t-1] list, T=4": fedNumpy(numpyRuns[0], { previousState: "python list" }),
};
lesson.value(
  "code fed numpy's forward",
  Object.fromEntries(
    Object.entries(fed).map(([k, v]) => [k, { gradients: v.gradients, magnitude: v.magnitude }]),
  ),
);
{
  const numpyLoop: Record<keyof typeof fed, Record<string, string[]>> = {
    "code, T=4": numpyRuns[0].literal,
    "code, T=1": numpyRuns[1].literal,
    "code+h[t-1] list, T=4": numpyRuns[0].literal_prev_list,
  };
  console.log("our rendition fed numpy's forward values, against numpy's run of the same loop:");
  for (
    const [name, run] of Object.entries(fed) as [keyof typeof fed, (typeof fed)[keyof typeof fed]][]
  ) {
    const diff = Math.max(
      ...KEYS.flatMap((k) =>
        (run.gradients[k] as number[][]).flat().map((v, i) =>
          Math.abs(v - Number(numpyLoop[name][k][i]))
        )
      ),
    );
    const size = Math.max(
      ...KEYS.flatMap((k) => (run.gradients[k] as number[][]).flat().map(Math.abs)),
    );
    console.log(
      `  ${name.padEnd(22)} largest |ours − numpy| ${diff.toExponential(1)} (largest |entry| ${
        size.toFixed(2)
      })`,
    );
  }
}
lesson.value(
  "reduce fed numpy's h",
  everyStep.map((t) => dTanh(fed["code, T=4"].h, t, T).toNested()),
);

// %% [markdown]
// ### The four gradients side by side
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
function maxRel(a: NDArray, n: NDArray): number {
  return Math.max(...relError(a, n).data);
}
const names = Object.keys(four);
const pairs: [string, string][] = [];
for (let i = 0; i < names.length; i++) {
  for (let j = i + 1; j < names.length; j++) pairs.push([names[i], names[j]]);
}
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
lesson.gradientCheck(
  "∂L/∂(V, c): post's code = numerical (gradient policy)",
  checkGradients(lossOf(), pick(params, ["V", "c"]), pick(literal, ["V", "c"])),
);
lesson.atLeast(
  "∂L/∂W, T = 4: the post's code as printed is ≥ 0.1 off (norm-wise)",
  normRel(literal.W, numeric.W),
  0.1,
  {
    against:
      "‖a − n‖/(‖a‖ + ‖n‖) against central differences; BPTT's is ~1e-10 (section 2), so no rounding or truncation",
  },
);

// %% [markdown]
// ## 6 · Where the code goes wrong
//
// Four slips, each visible on its own.
//
// **(a) `np.power` is elementwise.** `np.power(self.Wh, n)` raises every entry to the
// $n$-th power; it is not $W^n$. Worse, at the last step ($n=0$) it is a matrix of **ones**,
// where the matrix power would be the identity: the last step's `delta` becomes
// $\big(\sum_i (1-(h^T_i)^2)\big)\,V^\top e^T$ — every component gets the *sum* of the tanh
// derivatives — instead of $(1-(h^T)^2)\odot V^\top e^T$. (That our `pow` is numpy's
// `np.power`, entry for entry, is checked in the test file.)

// %%
await show("np.power(W, 0)", W.pow(0));
await show("matrix_power(W, 0)", matrixPower(W, 0));
await show("np.power(W, 2)", W.pow(2));
await show("W @ W", matrixPower(W, 2));
{
  const t = T - 1;
  const lastDelta = W.pow(0).dot(NDArray.ones([n_h, 1]).sub(h[t].square())).mul(dot(V.T, run.e[t]));
  const sumDeriv = NDArray.ones([n_h, 1]).sub(h[t].square()).sum();
  const predicted = dot(V.T, run.e[t]).mul(sumDeriv);
  lesson.check("last step: the code's delta = Σ_i(1−h_i²)·Vᵀe^T", lastDelta, predicted, {
    tolerance: 2 * gamma(n_h + 1) * Math.max(...predicted.abs().data),
    against:
      "the ones-matrix algebra, exact in real arithmetic; the sum reassociated: float64 rounding bound 2γ_(n_h+1)",
  });
  console.log(`Σ_i (1 − (h^T_i)²) = ${sumDeriv.toFixed(4)}: the last step's delta is scaled by it`);
}

// %% [markdown]
// **(b) The `reduce` always uses `h[t]`.** Its lambda receives each `j` of the range and
// ignores it, multiplying by $1-(h^t)^2$ every time: the product is $(1-(h^t)^2)^{T-t}$, not
// $\prod_{j=t}^{T-1}(1-(h^j)^2)$. (The test file checks that, fed numpy's states, our
// `reduce` gives numpy's `functools.reduce` result to the bit.)

// %%
{
  const ours = new NDArray(everyStep.flatMap((t) => [...dTanh(h, t, T).data]), [T, n_h, 1]);
  const asPower = new NDArray(
    everyStep.flatMap((t) => [...NDArray.ones([n_h, 1]).sub(h[t].square()).pow(T - t).data]),
    [T, n_h, 1],
  );
  lesson.check("the code's reduce = (1 − (h^t)²)^(T−t)", ours, asPower, {
    tolerance: 2 * gamma(T + 1),
    against:
      "repeated product vs Math.pow of factors in (0, 1], equal in exact arithmetic: float64 rounding bound 2γ_(T+1)",
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
// state, not $h^0$ — the test file confirms it against numpy's run of that variant.)
//
// ### One step: the code's slips, and nothing else
//
// With $T=1$ the sum over $k$ has a single term and no factor of $W$, so the formula is
// right there (section 4), and every disagreement is the code's. Repairing (a) fixes $U$ and
// $b$; $W$ needs both (c) and (d) — either alone is still wrong.

// %%
const ladder1: [string, Fixes][] = [
  ["as printed", {}],
  ["(a) matrix power", { matrixPower: true }],
  ["(a)+(c) outer product, h^t", { matrixPower: true, outer: true }],
  ["(a)+(d) broadcast, h^{t−1}", { matrixPower: true, previousState: "h0" }],
  ["(a)+(c)+(d)", { matrixPower: true, outer: true, previousState: "h0" }],
];
const ladder1Table: Record<string, Record<string, number>> = {};
/** A rung's label as printed: the --json keys keep `h^t`, the table shows hᵗ. */
const shown = (label: string) =>
  label.replace("h^{t−1}", "hᵗ⁻¹").replace("h^t", "hᵗ").replace("h^j", "hʲ");
console.log(`T = 1, relative error (norm-wise) against numerical gradients`);
console.log(`${"".padEnd(30)}${RECURRENT.map((k) => `∂L/∂${k}`.padEnd(11)).join("")}`);
for (const [label, fix] of ladder1) {
  const g = literalBackward(rnn, xt1, h.slice(0, 1), y_hat.slice(0, 1), y1, fix, h0);
  ladder1Table[label] = Object.fromEntries(RECURRENT.map((k) => [k, normRel(g[k], numeric1[k])]));
  console.log(
    shown(label).padEnd(30) + RECURRENT.map((k) => fmt(ladder1Table[label][k]).padEnd(11)).join(""),
  );
  if (label === "(a)+(c)+(d)") {
    lesson.gradientCheck(
      "∂L/∂(U, W, b, V, c), T = 1: code + (a)(c)(d) = numerical (gradient policy)",
      checkGradients(lossOne, pick(params, KEYS), pick(g, KEYS)),
    );
  }
}
lesson.value("ladder_T1", ladder1Table);

// %% [markdown]
// ### Four steps: repairing the code is not enough
//
// With all four slips repaired (adding (b)), the loop still disagrees at $T=4$, because it
// faithfully implements something that is not the gradient. Two more rungs finish the job;
// they are the *formula*'s, from section 4:
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
  ["(e) formula, read literally", () => literalFormula],
  ["(f) formula, interleaved", () => sumOverK(params, run, everyStep, interleaved)],
];
const ladder4Table: Record<string, Record<string, number>> = {};
console.log(`T = 4, relative error (norm-wise) against numerical gradients`);
console.log(`${"".padEnd(30)}${RECURRENT.map((k) => `∂L/∂${k}`.padEnd(11)).join("")}`);
for (const [label, make] of ladder4) {
  const g = make();
  ladder4Table[label] = Object.fromEntries(RECURRENT.map((k) => [k, normRel(g[k], numeric[k])]));
  console.log(
    shown(label).padEnd(30) + RECURRENT.map((k) => fmt(ladder4Table[label][k]).padEnd(11)).join(""),
  );
}
lesson.value("ladder_T4", ladder4Table);
lesson.atLeast(
  "∂L/∂W, T = 4: the code with (a)–(d) repaired is still ≥ 0.1 off (norm-wise)",
  ladder4Table["(a)–(d) + previous state"].W,
  0.1,
  {
    against:
      "‖a − n‖/(‖a‖ + ‖n‖) against central differences; BPTT's is ~1e-10 (section 2), so no rounding or truncation",
  },
);

// %% [markdown]
// The errors do not fall steadily while (a)–(d) are repaired — one slip can partly mask
// another — and they stay at tens of percent until the formula itself is fixed. The code was
// never a near miss of BPTT: it is the derivation's formula, wrongly transcribed, and the
// formula is itself wrong for $T>1$.
//
// The source printed no numbers, so the table below holds only our checks against
// independent references: central differences judged by the gradient policy (with the bugs
// it must catch), float64 rounding bounds between two orders of the same sums, and the
// claims' own thresholds. Our TypeScript's agreement with numpy is checked in
// `tests/06_bptt_formula_test.ts`.

// %%
await lesson.end();

// %% [markdown]
// ## What we learned
//
// - **Derived:** BPTT's δ recursion from the forward pass in index form (section 1), and the
//   post's sum over $k$ as the same recursion unrolled, with the tanh Jacobians interleaved
//   between the $W$ factors (section 3).
// - **What the numbers proved:** BPTT equals central differences on every entry, and the
//   gradient policy flags every planted bug; the post's formula, read literally, is right
//   only in the cases where its Jacobians commute with $W$; its code is right for $V$ and $c$
//   only.
// - **What the post got wrong**, slip by slip:
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
// ### Check your understanding
//
// <details><summary>1. Why does ∂L/∂W pair $\delta^t$ with $h^{t-1}$, and what does the planted bug
// "h^t where h^(t−1) belongs" change?</summary>
//
// $W$ enters step $t$ as $net^t=\dots+W h^{t-1}$, so $\partial net^t_i/\partial W_{ij}=h^{t-1}_j$:
// the state that came *into* the step. Using $h^t$ (the state the step produced) pairs each
// $\delta^t$ with the wrong vector; the shape is still $(n_h, n_h)$, so only a numerical check
// can catch it, and the gradient policy does.
// </details>
//
// <details><summary>2. For a scalar state ($n_h = 1$), the post's product of Jacobians times
// $W^{t-k}$ is right. Why does it fail for $n_h > 1$?</summary>
//
// The chain rule gives $J_t\,W\,J_{t-1}\,W\cdots W\,J_k$: each step back multiplies by a
// Jacobian, then by $W$. Scalars commute, so the factors can be regrouped as
// $\big(\prod_j J_j\big)W^{t-k}$. Matrices do not: $J W\ne W J$ unless $W$ is diagonal (the
// $J$ are diagonal), and the lesson measures the commutator $\lVert JW-WJ\rVert/\lVert JW\rVert$
// at step $T-1$ to show it is far from 0.
// </details>
//
// <details><summary>3. What is the carry $W^\top\delta^{t+1}$, in words, and why is one vector
// enough to carry every later step's error?</summary>
//
// It is $\partial L/\partial h^t$ through the next step: the sensitivity of all later losses
// to $h^t$. Every later loss reaches $h^t$ only through $net^{t+1}$, so $\delta^{t+1}$ already
// sums them; multiplying by $W^\top$ moves that sum back one step. That is why BPTT costs one
// matrix–vector product per step, while the post's sum over $k$ rebuilds each chain.
// </details>
//
// Now do exercise 6: `deno task exercise 6` (write `sum_over_k`, the post's sum over $k$
// with the Jacobians interleaved).
