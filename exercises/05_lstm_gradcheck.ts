// %% [markdown]
// # Exercise 5 · The LSTM backward and an honest gradient check
//
// Lesson 5 (document 001) rebuilds a Stack Overflow question whose LSTM learned but whose
// gradient check failed: the check overwrote the state `h`, `c` between loss evaluations, and
// its fixed tolerance of 1e-7 would have rejected a correct gradient on some seeds anyway.
// Here you write one LSTM step's backward, then a gradient check that does not make those
// mistakes. Replace each `// YOUR CODE HERE` and the `throw` below it, then run
// `deno task exercise 5`; `git checkout exercises/` puts the stubs back.
//
// The LSTM of the question (lesson 5's formulas), one example, `xh = [x, h_prev]`:
//
// $$f = \sigma(xh\,W_f + b_f),\quad i = \sigma(xh\,W_i + b_i),\quad
//   g = \tanh(xh\,W_g + b_g),\quad o = \sigma(xh\,W_o + b_o),$$
// $$c = f\odot c_{old} + i\odot g,\qquad h = o\odot\tanh c,\qquad y = h\,W_y + b_y .$$
//
// Shapes: `Wf, Wi, Wg, Wo` are $(x_n + h_n, h_n)$ and used as `xh · W` (entry `[k, j]` at
// `W.data[k * h_n + j]`); `Wy` is $(h_n, o_n)$; `bf … bo` are $(h_n)$, `by` is $(o_n)$. The
// vectors are `Float64Array`s. The forward step is lib/nn/lstm.ts's `lstm`; the grader runs it for you.

// %%
import { gamma, type LstmCache, type LstmParams, NDArray } from "../lib/mod.ts";
import { NotImplemented } from "../lib/course/not_implemented.ts";

// %% [markdown]
// ## `dlstm(params, dy, dh_next, dc_next, cache, grads)`
//
// One step backward. `dy` $(o_n)$ is ∂L/∂y of this step; `dh_next`, `dc_next` $(h_n)$ are the
// gradients flowing back into this step's `h` and `c` from the next one. `cache` is what `lstm`
// kept: `xh, f_sigm, i_sigm, g_tanh, o_sigm, c, c_tanh, c_old, h`. With $dh$ = `Wy · dy +
// dh_next` and $dc$ = `dc_next + o ⊙ dh ⊙ (1 − tanh²c)`, the pre-activation gradients are
//
// $$dz_o = dh\odot\tanh c\odot o(1-o),\quad dz_g = dc\odot i\odot(1-g^2),\quad
//   dz_i = dc\odot g\odot i(1-i),\quad dz_f = dc\odot c_{old}\odot f(1-f),$$
//
// and for each gate $dW \mathrel{+}= xh \otimes dz$, $db \mathrel{+}= dz$; also
// $dW_y \mathrel{+}= h\otimes dy$, $db_y \mathrel{+}= dy$. **Add** into `grads` (shaped like
// `params`, zeros on the first step), and return `{dh_prev, dc_prev}`: `dh_prev` is the last
// $h_n$ entries of $dxh = \sum_{gates} W\,dz$ (the first $x_n$ belong to the input) and
// `dc_prev` $= f\odot dc$. The grader compares every gradient with central differences of one
// `lstm` step (the course's policy, lib/numerics/gradient_policy.ts), and of several steps chained
// through your own `dh_prev`, `dc_prev` into a `grads` that already holds values.

// %%
export function dlstm(
  params: LstmParams,
  dy: Float64Array,
  dh_next: Float64Array,
  dc_next: Float64Array,
  cache: LstmCache,
  grads: LstmParams,
): { dh_prev: Float64Array; dc_prev: Float64Array } {
  // YOUR CODE HERE
  throw new NotImplemented("dlstm");
}

// %% [markdown]
// ## `check_grad(run, params, h, c, delta)`
//
// Your own gradient check. `run(params, h, c)` runs the whole sequence from the state `h`, `c`
// and returns `{loss, h, c, grads, steps}`: the loss, the **final** state $(h_T, c_T)$, the
// analytic gradient ∂L/∂θ (the backward under test, keyed like `params`) and the number of
// time steps $T$. The check must:
//
// 1. take the analytic gradient from `run(params, h, c).grads`;
// 2. for every entry θ of every parameter, compute the **central** difference
//    $n(\delta) = \big(L(\theta+\delta) - L(\theta-\delta)\big)/2\delta$, every loss from the
//    **same** start state `h`, `c` you were given (perturb `params[k].data[i]` in place, and
//    restore it);
// 3. decide whether the analytic gradient is right with a tolerance that holds on every seed —
//    not a fixed relative 1e-7 (lesson 5 shows it fails correct gradients on some seeds). Lesson
//    5's criterion: with $\rho = \gamma_{50T}\,|L|$ (`gamma(n)` is imported above; $T$ is `run`'s
//    `steps`, the number of time steps) accept an entry when
//    $|a - n(\delta)| \le \tfrac13|n(2\delta) - n(\delta)| + \tfrac32\,\rho/\delta$.
//
// Return `{numeric, ok}`: `numeric` keyed like `params`, each an `NDArray` of $n(\delta)$
// shaped like the parameter, and `ok` true when every entry is accepted. The grader runs your
// check on a correct backward over lesson 5's five seeds, random seeds, another `delta` and a
// larger loss (it must pass every one) and on five planted bugs (it must flag each), and compares
// your `numeric` with its own central differences — so it can tell the question's state
// overwrite and a one-sided difference apart.

// %%
export function check_grad(
  run: (
    params: Record<string, NDArray>,
    h: Float64Array,
    c: Float64Array,
  ) => {
    loss: number;
    h: Float64Array;
    c: Float64Array;
    grads: Record<string, NDArray>;
    steps: number;
  },
  params: Record<string, NDArray>,
  h: Float64Array,
  c: Float64Array,
  delta: number,
): { numeric: Record<string, NDArray>; ok: boolean } {
  // YOUR CODE HERE
  throw new NotImplemented("check_grad");
}
