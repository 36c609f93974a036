// %% [markdown]
// # 5 · The LSTM whose gradients did not match, and the fix
//
// Document 001 is a Stack Overflow question (*My LSTM learns, loss decreases, but numerical
// gradients don't match analytical gradients*). Its author wrote an LSTM in numpy — input and
// previous hidden state concatenated, four gates, a dense head (one fully connected output layer),
// squared error summed over the steps — and saw it learn a sine wave, yet a gradient check found
// numerical and analytic gradients agreeing only to 1e-1…1e-2, with wild outliers, and differently
// for every random seed. The author's own answer: the check overwrote `h` and `c` with the *final*
// state of the forward pass, so every numerical loss started from a different state than the one
// the analytic gradient was computed for.
//
// We rebuild the whole run, make it repeatable, measure the bug, **prove** its cause, test
// the question's tolerance, train the sine wave, and cross-check the LSTM with TensorFlow.js.
//
// An LSTM step carries two vectors to the next step: the *hidden state* $h_t$, which is also
// its output, and the *cell state* $c_t$, a memory it updates by adding to it rather than by
// passing it through a matrix. *Gates* decide how: a gate is a vector of numbers between 0
// and 1 that multiplies another vector entry by entry ($\odot$), a soft switch per entry. The
// forget gate $f$ scales the old cell, the input gate $i$ scales the new *candidate* $g$, and
// the output gate $o$ scales what the cell shows as $h_t$ (the question counts $g$ as a fourth
// gate). The gates use the logistic sigmoid $\sigma(z) = 1/(1+e^{-z})$, which maps any number
// into $(0, 1)$. In the question's notation, row vectors, one step:
//
// $$xh = [x_t,\ h_{t-1}]$$
//
// $$f = \sigma(xh\,W_f + b_f),\qquad i = \sigma(xh\,W_i + b_i),$$
//
// $$o = \sigma(xh\,W_o + b_o),\qquad g = \tanh(xh\,W_g + b_g)$$
//
// $$c_t = f \odot c_{t-1} + i \odot g,\qquad h_t = o \odot \tanh c_t$$
//
// $$y_t = h_t W_y + b_y,\qquad L = \textstyle\sum_t \operatorname{mean}(y_t - \text{target}_t)^2$$

// %%
import {
  dlstmLoss,
  fit,
  gamma,
  initLstmParams,
  Lesson,
  lineChart,
  LSTM_PARAM_NAMES,
  lstmBackward,
  lstmForward,
  lstmLoss,
  type LstmParamName,
  type LstmParams,
  NDArray,
  plot,
  progress,
  RandomState,
  readDataJson,
  relError,
  roll,
  sequenceRegressor,
  Sgd,
  showTable,
  sineTask,
} from "../lib/mod.ts";
import { fromTensor, tf, toTensor } from "../lib/course/framework.ts";

const lesson = new Lesson(5);
const x_n = 1, h_n = 5, o_n = 1;

// The numpy run of the same script, made by `python3 tools/gen_lstm_reference.py`.
// deno-lint-ignore no-explicit-any
const ref = readDataJson<any>("lstm/numpy_reference.json");
const refArray = (values: string[], shape: readonly number[]) =>
  new NDArray(values.map(Number), shape);

// %% [markdown]
// ## The backward pass, derived one gate at a time
//
// The question's `dlstm` is correct — its bug is elsewhere — but a gradient check only
// tells you *whether* a gradient is right; to write one you derive it. One step $t$, row
// vectors as the question writes them, with $n = x_n + h_n$ (here $n = 6$, $h_n = 5$,
// $o_n = 1$). In index form, with $z$ a gate's pre-activation:
//
// | forward, one line per quantity | shape |
// |---|---|
// | $xh_k$: $x_t$ then $h_{t-1}$ | $(1, n)$ |
// | $z^G_j = \sum_k xh_k\,(W_G)_{kj} + (b_G)_j$ for $G$ = f, i, g, o | $(1, h_n)$ each; $W_G$ is $(n, h_n)$ |
// | $f_j = \sigma(z^f_j)$, $i_j = \sigma(z^i_j)$, $g_j = \tanh(z^g_j)$, $o_j = \sigma(z^o_j)$ | $(1, h_n)$ |
// | $c_j = f_j\,c^{old}_j + i_j\,g_j$ ($c^{old} = c_{t-1}$) | $(1, h_n)$ |
// | $h_j = o_j \tanh c_j$ | $(1, h_n)$ |
// | $y_q = \sum_j h_j\,(W_y)_{jq} + (b_y)_q$ | $(1, o_n)$; $W_y$ is $(h_n, o_n)$ |
// | $L_t = \sum_q (y_q - \text{target}_q)^2 / o_n$ | scalar |
//
// Write $dv$ for $\partial L/\partial v$, the *whole* loss's derivative. Two of them arrive
// from step $t+1$ (zero at the last step): $dh^{next}$, because $h_t$ is part of the next
// step's $xh$, and $dc^{next}$, because $c_t$ is the next step's $c^{old}$. Then, one
// chain-rule step per line, going backwards through the forward lines:
//
// 1. **The head.** $dy_q = 2(y_q - \text{target}_q)/o_n$, shape $(1, o_n)$. From
//    $y_q = \sum_j h_j (W_y)_{jq} + (b_y)_q$: $d(W_y)_{jq} = h_j\,dy_q$, so
//    $dW_y = h^\top dy$, shapes $(h_n, 1)(1, o_n) = (h_n, o_n)$, the shape of $W_y$. The
//    transpose appears because $W_y$'s row index $j$ is $h$'s index: a column times a row. And
//    $db_y = dy$.
// 2. **Into $h$.** $h_j$ reaches $L$ through every $y_q$ of this step and through the next
//    step: $dh_j = \sum_q (W_y)_{jq}\,dy_q + dh^{next}_j$, i.e. $dh = dy\,W_y^\top +
//    dh^{next}$, shapes $(1, o_n)(o_n, h_n) = (1, h_n)$. The transpose appears because the sum
//    runs over $W_y$'s *second* index. Two paths, so two terms **added**: that is the
//    multivariable chain rule (sum over every path from $h_t$ to $L$).
// 3. **The output gate.** $h_j = o_j \tanh c_j$ gives $do_j = dh_j \tanh c_j$, and
//    $\sigma' = \sigma(1-\sigma)$ gives $dz^o_j = do_j\,o_j(1-o_j)$. Elementwise, $(1, h_n)$.
// 4. **The cell.** $c_j$ reaches $L$ through $h_j$ and through the next step's cell:
//    $dc_j = dh_j\,o_j\,(1-\tanh^2 c_j) + dc^{next}_j$. The second term is the **cell carry**;
//    it adds for the same reason as in step 2.
// 5. **The input gate and the candidate.** From $c_j = f_j c^{old}_j + i_j g_j$:
//    $di_j = dc_j\,g_j$, so $dz^i_j = dc_j\,g_j\,i_j(1-i_j)$; $dg_j = dc_j\,i_j$, so
//    $dz^g_j = dc_j\,i_j\,(1-g_j^2)$ (as $\tanh' = 1-\tanh^2$).
// 6. **The forget gate.** $df_j = dc_j\,c^{old}_j$, so $dz^f_j = dc_j\,c^{old}_j\,f_j(1-f_j)$.
//    It needs the *previous* cell: the cache must keep $c_{t-1}$. (The question's `dlstm`
//    carries a comment wondering whether this should be $c$ or $c^{old}$; the forward line
//    answers it: $f$ multiplies $c^{old}$.)
// 7. **The gate weights.** From $z^G_j = \sum_k xh_k (W_G)_{kj} + (b_G)_j$:
//    $d(W_G)_{kj} = xh_k\,dz^G_j$, so $dW_G = xh^\top dz^G$, shapes
//    $(n, 1)(1, h_n) = (n, h_n)$, and $db_G = dz^G$. The weights are shared by all steps, so
//    each step **adds** its $dW_G$, $db_G$ to a running sum.
// 8. **Into $xh$.** $xh_k$ feeds all four gates: $dxh_k = \sum_G \sum_j (W_G)_{kj}\,dz^G_j$,
//    so $dxh = \sum_G dz^G\,W_G^\top$, shapes $(1, h_n)(h_n, n) = (1, n)$. Its last $h_n$
//    entries are $dh^{next}$ for step $t-1$ (its first $x_n$ are $\partial L/\partial x_t$,
//    unused here).
// 9. **Into $c^{old}$.** $c^{old}_j$ appears only in $c_j = f_j c^{old}_j + \dots$:
//    $dc^{old}_j = dc_j\,f_j$, the $dc^{next}$ of step $t-1$. No matrix and no $\tanh'$ on
//    this path, only the forget gate: lesson 7 measures why that matters.
//
// What flows back through time is the pair $(dh^{next}, dc^{next})$, starting from zero
// after the last step; everything else is local to a step. These nine lines are `dlstm` in
// `lib/nn/lstm.ts`, line for line (`dc` there is line 4, `d_o … d_f` lines 3–6, `dxh`
// line 8), and `dlstmLoss` runs them from $t = T$ down to 1. The question's `dlstm` computes
// the same. Below we check them against numpy, against central differences, and against
// TensorFlow.js's autodiff.

// %% [markdown]
// ## The same run as the question's, made repeatable
//
// The question never seeds numpy, so no two of its runs draw the same numbers. We add
// `np.random.seed(0)` at the top — `new RandomState(0)` — and then follow its order of random calls
// exactly: the parameter dict (`normal` draws in the order Wf, Wi, Wg, Wo, Wy, then `0.1·normal`
// for bf … by), Xavier scaling of the matrices (each multiplied by $\sqrt{2/(\text{fan-in} +
// \text{fan-out})}$, fan-in plus fan-out being the matrix's rows plus columns, so that a layer
// neither grows nor shrinks its signal on average), then `randint` for the start and end of the
// checked window of `sin(linspace(0, 4π, 90))`. The targets are the inputs rolled by one step.
//
// One repair is needed before anything runs: as scraped, `lstm_loss` creates `outputs` and
// `caches` but never appends to them, so `dlstm_loss` would receive empty lists. The
// author's working code must have collected them; ours does (`lstmLoss` returns both).

// %%
const rng = new RandomState(0);
const params = initLstmParams(rng, { x_n, h_n, o_n });
for (const k of LSTM_PARAM_NAMES) {
  lesson.check(
    `initial ${k} = numpy's draws`,
    params[k],
    refArray(ref.params[k], params[k].shape),
    {
      tolerance: 0,
      against: "numpy, same seed and call order (tools/gen_lstm_reference.py): bit for bit",
    },
  );
}
const wave = NDArray.linspace(0, 4 * Math.PI, 90).map(Math.sin);
const start = rng.randint(0, Math.floor(90 / 4));
const end = rng.randint(Math.floor((90 * 3) / 4), 90);
const inputs = wave.slice(0, start, end).reshape(-1, 1);
const T = inputs.shape[0];
const targets = roll(inputs, 1); // np.roll(inputs, 1, axis=0)
console.log(`checked window: start=${start}, end=${end} (${T} steps); numpy drew`, ref.check_data);
lesson.check("window start/end = numpy's randint", [start, end], [
  ref.check_data.start,
  ref.check_data.end,
], { tolerance: 0, against: "numpy's draws" });

const zeros = () => new Float64Array(h_n);
const run0 = lstmLoss(params, zeros(), zeros(), inputs, targets);
const grads0 = dlstmLoss(params, inputs, targets, run0.outputs, run0.caches);
console.log("loss from h = c = 0:", run0.loss, " numpy:", ref.loss_from_zero);

// %% [markdown]
// ## The check as written, and its bug
//
// `check_grad` runs the forward pass once to get the caches for the analytic gradient, and
// — this is the bug — assigns the returned final `h` and `c` to the very variables it then
// passes to every numerical loss evaluation. For each of `num_checks = 10` rounds it picks
// one random entry of each parameter (`randint(0, p.size)`, which consumes random numbers
// too) and compares the analytic value with the central difference
// $\big(L(\theta+\delta) - L(\theta-\delta)\big)/2\delta$, $\delta = 10^{-5}$.

// %%
interface Probe {
  name: LstmParamName;
  pix: number;
  analytic: number;
  numeric: number;
}

/** Central difference of the loss in one entry, from the given start state. */
function centralDifference(
  p: LstmParams,
  name: LstmParamName,
  pix: number,
  h: Float64Array,
  c: Float64Array,
  delta: number,
): number {
  const old = p[name].data[pix];
  p[name].data[pix] = old + delta;
  const plus = lstmLoss(p, h, c, inputs, targets).loss;
  p[name].data[pix] = old - delta;
  const minus = lstmLoss(p, h, c, inputs, targets).loss;
  p[name].data[pix] = old;
  return (plus - minus) / (2 * delta);
}

/** The question's check_grad; `buggy` keeps its overwrite of h and c. */
function checkGrad(p: LstmParams, r: RandomState, buggy: boolean, numChecks = 10): Probe[] {
  let h: Float64Array = zeros(), c: Float64Array = zeros();
  const run = lstmLoss(p, h, c, inputs, targets);
  if (buggy) ({ h, c } = run); // the line the question's answer removes
  const analytic = dlstmLoss(p, inputs, targets, run.outputs, run.caches);
  const probes: Probe[] = [];
  for (let round = 0; round < numChecks; round++) {
    for (const name of LSTM_PARAM_NAMES) {
      const pix = r.randint(0, p[name].size);
      probes.push({
        name,
        pix,
        analytic: analytic[name].data[pix],
        numeric: centralDifference(p, name, pix, h, c, 1e-5),
      });
    }
  }
  return probes;
}
// The question's relative error: |a − n| / (|a + n| + 1e-12).
const questionRelError = (q: Probe) =>
  Math.abs(q.analytic - q.numeric) / (Math.abs(q.analytic + q.numeric) + 1e-12);

const buggyProbes = checkGrad(params, rng, true);
const failures = buggyProbes.filter((q) => questionRelError(q) > 1e-7);
for (const q of failures.slice(0, 12)) {
  console.log(
    `fails: ${q.name} ${String(q.pix).padStart(4)} |  r: ${questionRelError(q).toFixed(4)},  a: ${
      q.analytic.toFixed(4)
    },  n: ${q.numeric.toFixed(4)},  a/n: ${(q.analytic / q.numeric).toFixed(2)}`,
  );
}
console.log(`… ${failures.length} of ${buggyProbes.length} probes fail the question's 1e-7.`);

const worstBy = (probes: Probe[], err: (q: Probe) => number) =>
  Object.fromEntries(
    LSTM_PARAM_NAMES.map((k) => [k, Math.max(...probes.filter((q) => q.name === k).map(err))]),
  );
const buggyErrors = worstBy(buggyProbes, questionRelError);
/** `name error` pairs, five to a line. */
const perParameter = (errors: Record<string, number>) =>
  Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(1)}`)
    .reduce((lines: string[], item, i) => {
      if (i % 5 === 0) lines.push(item);
      else lines[lines.length - 1] += "  " + item;
      return lines;
    }, []).join("\n");
console.log("worst relative error per parameter, buggy check:");
console.log(perParameter(buggyErrors));
lesson.value("buggy_check_max_rel_error", buggyErrors);

// The probes and the numerical values are those numpy computed in the same run.
lesson.check(
  "buggy check probes the same entries as numpy",
  buggyProbes.map((q) => q.pix),
  ref.check_grad_first_call.map((q: { pix: number }) => q.pix),
  { tolerance: 0, against: "numpy's randint in the same run" },
);

// %% [markdown]
// The worst error per parameter runs from 5.2e-3 to 1.3e-1 — the question's symptom (agreement
// only to 1e-1…1e-2, wild outliers), reproduced.
//
// Now the proof of the diagnosis. If the check's numerical gradient is the derivative of
// the loss *started from the final state* $(h_T, c_T)$, then an exact, analytic gradient of
// that other loss must match it to the usual central-difference accuracy. It does:

// %%
const runT = lstmLoss(params, run0.h, run0.c, inputs, targets);
const gradsFromFinal = dlstmLoss(params, inputs, targets, runT.outputs, runT.caches);
const proofErrors = buggyProbes.map((q) => relError(gradsFromFinal[q.name].data[q.pix], q.numeric));
console.log("the buggy check's numerical gradients, largest relative error against");
console.log(
  `  the exact gradient of the loss from (h_T, c_T):         ${
    Math.max(...proofErrors).toExponential(2)
  }`,
);
console.log(
  `  the gradient it was compared with (from h = c = 0):     ${
    Math.max(...buggyProbes.map((q) => relError(q.analytic, q.numeric))).toExponential(2)
  }`,
);

// %% [markdown]
// ## How close should a correct gradient come? The question's 1e-7, examined
//
// A central difference has two errors. *Truncation*: $(L(\theta+\delta)-L(\theta-\delta))/2\delta
// = L' + \delta^2 L'''/6 + \dots$. *Rounding*: each loss value carries a rounding error
// $\rho$, divided by $2\delta$ — so it grows as $\delta$ shrinks. With $|L| \approx 30$ here
// and $\delta = 10^{-5}$, even $\rho = |L|\,u$ alone gives $3\times10^{-10}$ absolute: for an
// entry whose gradient is $10^{-3}$ that is already $3\times10^{-7}$ relative. A fixed
// relative tolerance of $10^{-7}$ is therefore not honest for small gradient entries: it
// can fail a correct gradient.
//
// Our criterion measures both errors instead of guessing them. With $n(\delta)$ the central
// difference, $n(2\delta) - n(\delta) \approx 3\cdot\tfrac{\delta^2 L'''}{6}$ estimates the
// truncation (Richardson's idea: two step sizes whose errors are known multiples of each
// other reveal the error itself), and we bound the loss's rounding by an operation count —
// $\rho \le \gamma_{50T}\,|L|$ (about fifty rounded operations per step, no amplification
// through the recurrence assumed). An entry passes when
//
// $$|a - n(\delta)| \le \tfrac13\,|n(2\delta) - n(\delta)| + \tfrac{3}{2}\,\rho/\delta.$$
//
// Where the $\tfrac32$ comes from: the rounding of $n(\delta)$ itself is at most
// $2\rho/2\delta = \rho/\delta$; and the truncation estimate is a third of a difference whose
// two terms carry rounding up to $\rho/\delta$ and $\rho/2\delta$, so it can be off by
// $\tfrac13\cdot\tfrac32\,\rho/\delta = \rho/2\delta$ more.
//
// A wrong gradient misses by a fraction of the gradient itself, far outside this band.

// %%
const delta = 1e-5;
function honestCheck(p: LstmParams, h: Float64Array, c: Float64Array, analytic: LstmParams) {
  const loss = lstmLoss(p, h, c, inputs, targets).loss;
  const rho = gamma(50 * T) * Math.abs(loss);
  const rows: { name: LstmParamName; err: number; tol: number; rel: number }[] = [];
  for (const name of LSTM_PARAM_NAMES) {
    for (let pix = 0; pix < p[name].size; pix++) {
      const n1 = centralDifference(p, name, pix, h, c, delta);
      const n2 = centralDifference(p, name, pix, h, c, 2 * delta);
      const a = analytic[name].data[pix];
      rows.push({
        name,
        err: Math.abs(a - n1),
        tol: Math.abs(n2 - n1) / 3 + (1.5 * rho) / delta,
        rel: Math.abs(a - n1) / (Math.abs(a + n1) + 1e-12),
      });
    }
  }
  return rows;
}

const seeds = [0, 1, 2, 3, 4];
const analysis: Record<string, unknown>[] = [];
const bar = progress(seeds.length, "full gradient checks over 5 seeds");
for (const seed of seeds) {
  const p = initLstmParams(new RandomState(seed), { x_n, h_n, o_n });
  const run = lstmLoss(p, zeros(), zeros(), inputs, targets);
  const g = dlstmLoss(p, inputs, targets, run.outputs, run.caches);
  const fixed = honestCheck(p, zeros(), zeros(), g);
  // The bug: numerical losses from the final state, analytic gradient from zero.
  const buggy = honestCheck(p, run.h, run.c, g);
  analysis.push({
    seed,
    entries: fixed.length,
    fixed_max_rel: Math.max(...fixed.map((r) => r.rel)),
    fixed_fail_question_1e7: fixed.filter((r) => r.rel > 1e-7).length,
    fixed_fail_ours: fixed.filter((r) => r.err > r.tol).length,
    buggy_fail_ours: buggy.filter((r) => r.err > r.tol).length,
    buggy_max_rel: Math.max(...buggy.map((r) => r.rel)),
  });
  bar.tick();
}
bar.done();
await showTable(analysis.map(({ entries: _, ...row }) => row), {
  title: `the question's check and ours, per seed (${analysis[0].entries} entries each):`,
});
const worst = analysis.map((a) => a.fixed_max_rel as number);
console.log(
  `fixed check, worst relative error per seed: from ${Math.min(...worst).toExponential(1)} ` +
    `to ${Math.max(...worst).toExponential(1)}`,
);
lesson.value("tolerance_analysis", analysis);
for (const a of analysis) {
  lesson.atMost(
    `seed ${a.seed}: correct gradient, entries failing our criterion`,
    a.fixed_fail_ours as number,
    0,
    { against: "central differences with measured truncation + rounding bound" },
  );
  lesson.atLeast(
    `seed ${a.seed}: buggy check, entries failing our criterion`,
    a.buggy_fail_ours as number,
    1,
    { against: "the same criterion must catch the bug" },
  );
}

// %% [markdown]
// Read the table column by column. With the bug fixed, the worst relative error over all
// 146 entries depends on the seed (the range printed under the table), and on several seeds
// the question's fixed `1e-7` rejects a *correct* gradient (`fixed_fail_question_1e7`): the
// culprits are entries whose gradient is small, where the rounding term dominates. So the
// question's tolerance is not honest for central differences at $\delta = 10^{-5}$ — its
// `assert` would stop the fixed script too, on an unlucky seed. Our criterion, built from the
// two measured error terms, passes every correct entry on every seed and still fails the
// buggy check almost everywhere.
//
// The question's own check, fixed (analytic and numerical gradients from the same zero
// state), on the very probes the buggy one failed — the worst relative error per parameter,
// and how many of the 100 probes still exceed `1e-7`:

// %%
const fixedProbes = buggyProbes.map((q) => ({
  ...q,
  numeric: centralDifference(params, q.name, q.pix, zeros(), zeros(), delta),
}));
const fixedErrors = worstBy(fixedProbes, questionRelError);
console.log(perParameter(fixedErrors));
lesson.value("fixed_check_max_rel_error", fixedErrors);
const stillFailing = fixedProbes.filter((q) => questionRelError(q) > 1e-7);
console.log(
  `${stillFailing.length} of ${fixedProbes.length} probes of the fixed check exceed 1e-7: ${
    stillFailing.map((q) => `${q.name}[${q.pix}] (|a| = ${Math.abs(q.analytic).toExponential(1)})`)
      .join(", ")
  }`,
);
for (const k of LSTM_PARAM_NAMES) {
  lesson.check(
    `analytic d${k} (from h=c=0) = numpy`,
    grads0[k],
    refArray(ref.grads_from_zero[k], grads0[k].shape),
    {
      tolerance: 1e-12 * Math.max(1, ...grads0[k].abs().data),
      relative: false,
      against: "numpy, same run; float64 roundoff (different summation order)",
    },
  );
}
const numpyBuggy = ref.check_grad_first_call.map((q: { buggy: string }) => Number(q.buggy));
const numpyFixed = ref.check_grad_first_call.map((q: { fixed: string }) => Number(q.fixed));
// A central difference amplifies the loss's rounding by 1/(2δ): ρ/δ with ρ = γ_{50T}|L|.
const cdTolerance = (1.5 * gamma(50 * T) * Math.abs(run0.loss)) / delta;
lesson.check("buggy numerical gradients = numpy's", buggyProbes.map((q) => q.numeric), numpyBuggy, {
  tolerance: 2 * cdTolerance,
  against: "numpy, same run; loss rounding / δ",
});
lesson.check("fixed numerical gradients = numpy's", fixedProbes.map((q) => q.numeric), numpyFixed, {
  tolerance: 2 * cdTolerance,
  against: "numpy, same run; loss rounding / δ",
});
lesson.check(
  "proof: buggy numeric = exact gradient of the loss from (h_T, c_T)",
  proofErrors,
  proofErrors.map(() => 0),
  {
    tolerance: 1e-6,
    against: "relative error; central differences (see the criterion above)",
  },
);

// %% [markdown]
// ### What "passes" is worth: bugs planted in the backward pass
//
// A check that passes tells you little until you know what it would have caught. The
// course's gradient policy (`lib/numerics/gradient_policy.ts`, the one every lesson uses) judges
// the analytic gradient from $h = c = 0$ against central differences at every one of the 146
// entries, measuring truncation (by halving the step) and rounding (from the loss itself) per
// entry, as our criterion above does. Then we plant bugs in the derivation above and the policy
// must flag every one: the cell carry of line 9 dropped, the hidden carry of line 8 dropped, $c_t$
// where line 6 needs $c_{t-1}$ (the question's own doubt), the question's bug moved to the analytic
// side (the gradient of the loss started from the final state), and every gradient scaled by
// $1 + 10^{-3}$ and by $1 + 10^{-5}$. The first three go into `backwardWithBug`, a copy of
// `dlstmLoss`'s loop over the steps with one line broken on purpose; with none broken it must
// give `dlstmLoss`'s gradient exactly, which the line after the policy's verdict confirms.

// %%
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import { dlstm, dSquaredErrorLoss, wrapLine, zerosLikeParams } from "../lib/mod.ts";
const lossFromZero = () => lstmLoss(params, zeros(), zeros(), inputs, targets).loss;
const paramRecord = (p: LstmParams): Record<string, NDArray> => ({ ...p });
const lstmPolicy = checkGradients(lossFromZero, paramRecord(params), paramRecord(grads0));
console.log(wrapLine(`dlstmLoss vs central differences: ${lstmPolicy.summary}`));
lesson.gradientCheck("∂L/∂(Wf … by) from h = c = 0 = numerical (gradient policy)", lstmPolicy);

/** The nine lines run backwards through time, with one of them broken on purpose. */
function backwardWithBug(bug: "none" | "cell carry" | "hidden carry" | "c for c_old") {
  const g = zerosLikeParams(params);
  const dys = dSquaredErrorLoss(run0.outputs, targets);
  let dh: Float64Array = zeros(), dc: Float64Array = zeros();
  for (let t = T - 1; t >= 0; t--) {
    const cache = run0.caches[t];
    const back = dlstm(
      params,
      dys[t],
      bug === "hidden carry" ? zeros() : dh,
      bug === "cell carry" ? zeros() : dc,
      bug === "c for c_old" ? { ...cache, c_old: cache.c } : cache,
      g,
    );
    dh = back.dh_prev;
    dc = back.dc_prev;
  }
  return paramRecord(g);
}
const unbroken = backwardWithBug("none");
const unbrokenDiff = Math.max(
  ...LSTM_PARAM_NAMES.flatMap((k) => [...unbroken[k].sub(grads0[k]).abs().data]),
);
// backwardWithBug("none") must be dlstmLoss itself, or the planted bugs would test another loop.
console.log(
  `backwardWithBug("none") against dlstmLoss: max |difference| ${unbrokenDiff} (the same loop)`,
);
lesson.flagsPlantedBugs(lossFromZero, paramRecord(params), [
  ["the cell carry dc_next dropped", backwardWithBug("cell carry")],
  ["the hidden carry dh_next dropped", backwardWithBug("hidden carry")],
  ["c_t where the forget gate needs c_(t−1)", backwardWithBug("c for c_old")],
  ["the gradient of the loss from the final state", paramRecord(gradsFromFinal)],
  ["every gradient scaled by 1 + 1e-3", plantedBugs.scaled(paramRecord(grads0), 1e-3)],
  ["every gradient scaled by 1 + 1e-5", plantedBugs.scaled(paramRecord(grads0), 1e-5)],
]);
lesson.value("gradient check: smallest detectable relative error", lstmPolicy.smallestDetectable);

// %% [markdown]
// ## Learning the sine wave
//
// `test_sin` trains on random windows of `sin(linspace(0, 3π, 30))`: each iteration draws a window
// (`randint` start and end), a random initial `h` and `c` (`normal`), runs forward and backward,
// and takes a step of stochastic gradient descent (SGD: every parameter minus 0.01 times its
// gradient, the gradient of one random window at a time). It prints an exponential moving average
// of the loss every 100 iterations: a running value that moves 1 % of the way to each new loss
// ($0.99\cdot$old $+ 0.01\cdot$loss), so it smooths the noise of single windows over roughly the
// last hundred. The question defines `test_sin` but its script never calls it — the script ends
// with the gradient check — so the loss curve it describes ("my LSTM learns, loss decreases") came
// from a run the question does not show. Ours is that run, made explicit: seed 0, the same
// parameter draws, then `test_sin()` straight away — the same run as
// `tools/gen_lstm_reference.py`'s.

// %%
const trainRng = new RandomState(0);
const trained = initLstmParams(trainRng, { x_n, h_n, o_n });
let ema = 1;
const trace: number[] = [];
const firstLosses: number[] = [];
const trainBar = progress(5000, "test_sin");
// lib/course/tasks.ts's sineTask: windows of sin(linspace(0, 3π, 30)), each from a random (h, c);
// the LSTM's outputs against the rolled window by squared error; fit's loop with SGD, lr 0.01.
const lstmModel = { forward: lstmForward, backward: lstmBackward };
const test_sin = sineTask((r) => ({ h: r.normal(0, 1, h_n).data, c: r.normal(0, 1, h_n).data }));
fit(sequenceRegressor(lstmModel, trained), test_sin, new Sgd(0.01), {
  steps: 5000,
  rng: trainRng,
  progress: trainBar,
  onStep: (it, loss) => {
    ema = ema * 0.99 + loss * (1 - 0.99);
    if (it < 3) firstLosses.push(loss);
    if (it % 100 === 0) trace.push(ema);
  },
  note: () => `ema ${ema.toFixed(4)}`,
});
trainBar.done(`ema ${ema.toFixed(4)}`);
const numpyTrace = (ref.training.ema_every_100 as string[]).map(Number);
// Every 500th iteration here; all 50 points are in the chart and in `--json`.
await showTable(
  trace.flatMap((v, i) =>
    i % 5 === 0 ? [{ iteration: i * 100, "EMA (ours)": v, "EMA (numpy)": numpyTrace[i] }] : []
  ),
  { format: (v, c) => (c === "iteration" ? String(v) : v.toFixed(4)) },
);
lesson.value("ema_every_100", trace);
await plot(
  lineChart({
    title: "test_sin: EMA of the loss",
    series: {
      "ours (TypeScript)": trace,
      "numpy (same run)": numpyTrace,
    },
    x: trace.map((_, i) => i * 100),
    xTitle: "iteration",
    yTitle: "EMA of the loss",
    logY: true,
  }),
  "lesson05_sine_training",
);

lesson.check(
  "first three training losses = numpy's",
  firstLosses,
  ref.training.first_losses.map(Number),
  {
    tolerance: 2 * gamma(50 * 30) * Math.max(...firstLosses),
    against: "numpy, same run; loss rounding γ_(50T)|L|",
  },
);
const traceGap = Math.max(...trace.map((v, i) => Math.abs(v - numpyTrace[i]) / numpyTrace[i]));
console.log(`EMA trace, ours vs numpy's, largest relative gap: ${traceGap.toExponential(2)}`);
lesson.value("ema_trace_max_rel_gap_vs_numpy", traceGap);
lesson.check("EMA trace (every 100 iterations) = numpy's", trace, numpyTrace, {
  tolerance: 2 * gamma(50 * 30),
  relative: true,
  against: "numpy, same run; one loss's roundoff 2γ_(50T) (SGD does not amplify it here)",
});
const finalOverFirst = trace[trace.length - 1] / trace[0];
console.log(`final EMA / first EMA = ${finalOverFirst.toFixed(3)}`);
lesson.atMost("the loss decreases: final EMA / first EMA", finalOverFirst, 0.5, {
  against: "the question's claim (threshold fixed before running: a halving)",
});

// %% [markdown]
// Two float64 programs that sum in different orders drift apart slowly over 5000 SGD steps:
// every step's rounding differences feed into the next step's parameters. The printed gap
// shows how far that drift went — small, and the loss curve is the same curve (in the chart,
// numpy's line, drawn last, covers ours).
//
// ## Cross-check with TensorFlow.js
//
// TensorFlow.js has an LSTM layer, `tf.layers.lstm`. Its weights are laid out differently:
// one `kernel` of shape $(x_n, 4h_n)$ for the input, one `recurrentKernel` $(h_n, 4h_n)$ for
// the previous hidden state and one `bias` $(4h_n)$, with the gates side by side in the
// order **i, f, c, o** (its `c` is our `g`). The question's $W_f$ stacks the input row(s)
// on top of the hidden rows because it multiplies `[x, h]`. So
// `kernel = [Wi[:x_n] | Wf[:x_n] | Wg[:x_n] | Wo[:x_n]]`,
// `recurrentKernel = [Wi[x_n:] | Wf[x_n:] | Wg[x_n:] | Wo[x_n:]]`, `bias = [bi | bf | bg | bo]`.
// One more difference: TF.js's default gate activation is the *hard* sigmoid, a cheaper
// piecewise-linear stand-in, $\max(0, \min(1, z/5 + 1/2))$, not the same function; we ask for
// the real one (`recurrentActivation: "sigmoid"`). TF.js computes in float32, so we compare at
// float32 accuracy: $\gamma_{50T}$ with $u = 2^{-24}$, times the size of the values (the
// table's "float32 bound"). In the table, "kernel (x rows)" is the input rows of
// dWi | dWf | dWg | dWo side by side, as TF.js stores them, and "recurrentKernel (h rows)" the
// hidden rows.

// %%
const gateOrder = ["i", "f", "g", "o"] as const;
const W = (k: string) => params[`W${k}` as LstmParamName];
const kernel = NDArray.from(
  [...Array(x_n).keys()].map((r) => gateOrder.flatMap((k) => [...W(k).take(0, r).data])),
);
const recurrent = NDArray.from(
  [...Array(h_n).keys()].map((r) => gateOrder.flatMap((k) => [...W(k).take(0, x_n + r).data])),
);
const bias = NDArray.from(gateOrder.flatMap((k) => [...params[`b${k}` as LstmParamName].data]));

const layer = tf.layers.lstm({
  units: h_n,
  returnSequences: true,
  recurrentActivation: "sigmoid",
});
const xs = toTensor(inputs.reshape(1, T, x_n));
layer.apply(xs); // builds the weights
layer.setWeights([toTensor(kernel), toTensor(recurrent), toTensor(bias)]);
const Wy = tf.variable(toTensor(params.Wy));
const by = tf.variable(toTensor(params.by));
const lossTf = () =>
  tf.tidy(() => {
    const hs = layer.apply(xs) as tf.Tensor; // initial state zeros, like the check
    const y = tf.add(tf.matMul(hs.reshape([T, h_n]), Wy), by);
    return tf.sum(tf.mean(tf.square(tf.sub(y, toTensor(targets))), 1)) as tf.Scalar;
  });
const { value, grads } = tf.variableGrads(lossTf);
const tfLoss = (await value.data())[0];
const byName = (part: string) => {
  const v = Object.entries(grads).find(([k]) => k.includes(part));
  if (!v) {
    throw new Error(`TF.js gradient "${part}" not found among ${Object.keys(grads).join(", ")}`);
  }
  return fromTensor(v[1]);
};
const dKernel = byName("/kernel");
const dRecurrent = byName("/recurrent_kernel");
const dBias = byName("/bias");
const dWyTf = fromTensor(grads[Wy.name]);
const dbyTf = fromTensor(grads[by.name]);

const float32 = (scale: number) => gamma(50 * T, 2 ** -24) * scale;
lesson.check("loss: ours (float64) vs TF.js (float32)", run0.loss, tfLoss, {
  tolerance: float32(Math.abs(run0.loss)),
  against: "tf.layers.lstm + variableGrads, float32: γ_(50T)(2⁻²⁴)·|L|",
});
const ours = (k: string) => grads0[`W${k}` as LstmParamName];
const oursKernel = NDArray.from(
  [...Array(x_n).keys()].map((r) => gateOrder.flatMap((k) => [...ours(k).take(0, r).data])),
);
const oursRecurrent = NDArray.from(
  [...Array(h_n).keys()].map((r) => gateOrder.flatMap((k) => [...ours(k).take(0, x_n + r).data])),
);
const oursBias = NDArray.from(gateOrder.flatMap((k) => [...grads0[`b${k}` as LstmParamName].data]));
const crossCheck: Record<string, number> = {};
const crossRows: Record<string, string>[] = [];
for (
  const [name, label, mine, theirs] of [
    ["kernel (input rows of dWi|dWf|dWg|dWo)", "kernel (x rows)", oursKernel, dKernel],
    ["recurrentKernel (hidden rows)", "recurrentKernel (h rows)", oursRecurrent, dRecurrent],
    ["bias (dbi|dbf|dbg|dbo)", "bias", oursBias, dBias],
    ["dWy", "dWy", grads0.Wy, dWyTf],
    ["dby", "dby", grads0.by, dbyTf],
  ] as const
) {
  const scale = Math.max(...mine.abs().data);
  crossCheck[name] = Math.max(...mine.sub(theirs.reshape(...mine.shape)).abs().data);
  lesson.check(`${name}: ours vs TF.js`, mine, theirs.reshape(...mine.shape), {
    tolerance: float32(scale),
    against: "TF.js autodiff, float32: γ_(50T)(2⁻²⁴)·max|grad|",
  });
  crossRows.push({
    gradient: label,
    shape: mine.shape.length === 1 ? `(${mine.shape[0]},)` : `(${mine.shape.join(", ")})`,
    "max |grad|": scale.toExponential(2),
    "max |ours − TF.js|": crossCheck[name].toExponential(2),
    "float32 bound": float32(scale).toExponential(2),
  });
}
await showTable(crossRows, { title: "TF.js's float32 gradients against ours (float64):" });
lesson.value("tfjs_cross_check_max_abs_diff", crossCheck);
await lesson.end();

// %% [markdown]
// ## What we learned
//
// - **Derived:** the LSTM's backward pass one gate at a time, nine chain-rule lines with
//   their shapes: the head, then $h$, the output gate, the cell (where the carry from step
//   $t+1$ adds), the input gate and candidate, the forget gate (which needs $c_{t-1}$), the
//   weights ($xh^\top dz$), and the two quantities that flow back through time, $dh$ through
//   $W_G^\top$ and $dc$ through $f$ alone.
// - **What the source got wrong or left out:** its gradient check overwrote `h` and `c` with
//   the final state, so its numerical gradient was the gradient of another loss (proved
//   above: it matches that loss's exact gradient); it never seeded numpy, never appended to
//   `outputs` and `caches`, and never called `test_sin`; and its fixed tolerance `1e-7`
//   rejects correct gradients on some seeds, because at $\delta = 10^{-5}$ the rounding of the
//   loss, divided by $2\delta$, is larger than that for small entries.
// - **What the numbers proved:** the run is the question's run (numpy's draws bit for bit);
//   the buggy check's errors are the question's symptom; the analytic gradient passes the
//   gradient policy on every entry, and the policy flags every bug planted in the nine lines,
//   down to a scaling by $1 + 10^{-5}$; the training trace is numpy's; `tf.layers.lstm` agrees
//   at float32 accuracy.
//
// ### Check your understanding
//
// <details><summary>1. In line 4, why is the cell carry added to the gradient through
// $h$, rather than replacing it?</summary>
//
// Because $c_t$ reaches the loss along two paths: through $h_t = o_t\,\tanh c_t$ (this step's
// output, and everything $h_t$ feeds) and through $c_{t+1} = f_{t+1}\,c_t + \dots$ (the next
// step). The multivariable chain rule sums the derivatives along every path, so
// $dc_t = dh_t\,o_t(1-\tanh^2 c_t) + dc^{next}$. Dropping the second term is the planted bug
// "the cell carry dc_next dropped", and the gradient check flags it.
// </details>
//
// <details><summary>2. Why does $dW_G = xh^\top dz^G$ have a transpose, and how can you
// tell without indices?</summary>
//
// In index form $d(W_G)_{kj} = xh_k\,dz^G_j$: row $k$ comes from $xh$, column $j$ from
// $dz^G$, an outer product of a column and a row. Without indices: the gradient must have
// $W_G$'s shape $(n, h_n)$, and the only product of $xh$ $(1, n)$ and $dz^G$ $(1, h_n)$ with
// that shape is $xh^\top dz^G$.
// </details>
//
// <details><summary>3. The buggy check's numerical gradients were far from the analytic
// ones. Were they noisy, or exact derivatives of something?</summary>
//
// Exact derivatives of something else: the loss started from the final state $(h_T, c_T)$
// instead of from zero. The lesson computes that loss's analytic gradient (`gradsFromFinal`)
// and the buggy numerical values match it to central-difference accuracy — which is why the
// errors changed with every seed: the final state does.
// </details>
//
// ## Now practise
//
// **Now do exercise 5: `deno task exercise 5`.** Write `dlstm` (one step of the nine lines
// above) and an honest `check_grad` (every loss from the same start state, and lesson 5's
// criterion instead of a fixed `1e-7`) in `exercises/05_lstm_gradcheck.ts`; the command grades
// `dlstm` against central differences and runs your check on correct gradients and on planted
// bugs, and says what is wrong. In Jupyter, open `notebooks/exercises/05_lstm_gradcheck.ipynb`
// instead: write each function in its cell and run the grading cell under it.
