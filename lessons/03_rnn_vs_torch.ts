// %% [markdown]
// # 3 · A hand-written RNN cell against a framework's autodiff
//
// Document 000 ends by writing an RNN cell in numpy — PyTorch's layout, a backward pass by
// hand — and comparing it with `torch.nn.RNN(4, 5).double()`: 3 time steps of a batch of 3,
// inputs, initial state and upstream gradients from `np.random.random` after
// `np.random.seed(123)` and `torch.random.manual_seed(123)`. It prints the two sets of
// results and concludes they "basically agree". Here that comparison becomes a measurement:
// against torch itself, against TensorFlow.js's autodiff, and against numerical gradients.
//
// $$h_t = \tanh\left(x_t W_{ih}^\top + b_{ih} + h_{t-1}W_{hh}^\top + b_{hh}\right),\qquad
//   \frac{\partial L}{\partial z_t} = \Big(\frac{\partial L}{\partial h_t}\Big|_{\text{above}} +
//   \frac{\partial L}{\partial z_{t+1}}W_{hh}\Big)\odot(1-h_t^2).$$

// %%
import {
  gamma,
  Lesson,
  NDArray,
  numericalGradient,
  RandomState,
  readDataJson,
  relError,
  RnnCell,
  rnnInit,
  show,
  TorchGenerator,
  type TorchRnnParams,
} from "../lib/mod.ts";
import { fromTensor, tf, toTensor } from "../lib/framework.ts";
import { heatmap, plot } from "../lib/plot.ts";

const lesson = new Lesson(3);
// Real torch 1.13's run of the document's comparison (tools/gen_torch_vectors.py).
// deno-lint-ignore no-explicit-any
const torchRun = readDataJson<any>("torch/rnn_lesson3.json");
const fromTorch = (v: string[], shape: number[]) => new NDArray(v.map(Number), shape);

// %% [markdown]
// ## The very weights torch starts from
//
// `torch.random.manual_seed(123)` seeds the same Mersenne Twister as numpy, and `nn.RNN`
// fills its four parameters in order with `uniform_(−1/√5, 1/√5)` in float32 (see
// `lib/torch_random.ts` for how each draw is made and rounded). `.double()` then widens
// them to float64 without changing a value.

// %%
const params: TorchRnnParams = rnnInit(new TorchGenerator(123), 4, 5);
for (const [name, p] of Object.entries(params)) {
  await show(`${name} (torch prints 4 decimals)`, p, { precision: 4 });
  lesson.check(`initial ${name} = torch's`, p, fromTorch(torchRun.weights[name], [...p.shape]), {
    tolerance: 0,
    against: "torch.manual_seed(123); torch.nn.RNN(4, 5): bit for bit",
  });
}
lesson.value(
  "initial_weights",
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.toNested()])),
);

// %% [markdown]
// ## The document's run: all steps forward, then all steps backward
//
// numpy is seeded separately (`np.random.seed(123)`); its first draws are `x` (3, 3, 4), then
// `h` (1, 3, 5), then `dh` (3, 3, 5), the upstream gradient for every step's output.

// %%
const rng = new RandomState(123);
const nums = 3;
const x = rng.random([nums, 3, 4]);
const h = rng.random([1, 3, 5]);
const dh = rng.random([nums, 3, 5]);
const cell = new RnnCell(
  params.weight_ih_l0,
  params.weight_hh_l0,
  params.bias_ih_l0,
  params.bias_hh_l0,
);

function runSequence(c: RnnCell, xs: NDArray, h0: NDArray, dhs: NDArray) {
  const hidden: NDArray[] = [];
  let state = h0.take(0, 0);
  for (let i = 0; i < nums; i++) {
    state = c.call(xs.take(0, i), state);
    hidden.push(state);
  }
  for (let i = nums - 1; i >= 0; i--) c.backward(dhs.take(0, i));
  const stack = (a: NDArray[]) => NDArray.from(a.map((m) => m.toNested() as number[][]));
  return { hidden: stack(hidden), dx: stack(c.dx_list), dh0: c.dh0.reshape(1, 3, 5), ...c.grads() };
}
const ours = runSequence(cell, x, h, dh);
await show("hidden states (3, 3, 5), last step", ours.hidden.take(0, 2), {
  precision: 6,
  suppress: true,
});

// %% [markdown]
// ## Three independent references
//
// 1. **torch** — its own float64 run of the same computation. Not bit-identical: torch
//    multiplies matrices with a BLAS kernel that sums in another order (and with fused
//    multiply-adds), so results differ in the last bits, about $10^{-16}$–$10^{-15}$. The
//    tolerance is a roundoff bound: $2\gamma_{20T}$ (about 20 rounded operations per step,
//    $T = 3$ steps) times the largest magnitude involved.
// 2. **TensorFlow.js** — the same computation written with tensor ops, differentiated by
//    `tf.grads`, in float32: agreement to about $10^{-7}$, the float32 unit roundoff
//    $2^{-24} \approx 6\times10^{-8}$ times the magnitudes; bound $2\gamma_{20T}$ with $u=2^{-24}$.
// 3. **Central differences** of $L = \sum_t \sum h_t \odot dh_t$ (the loss whose gradient the
//    upstream `dh` defines), in float64: relative error below $10^{-7}$ (truncation and
//    rounding both around $10^{-10}$ at $h = 10^{-5}$).

// %%
const names = ["hidden", "dx", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"] as const;
type Name = typeof names[number];
const torchValues: Record<Name, NDArray> = {
  hidden: fromTorch(torchRun.first.output, [3, 3, 5]),
  dx: fromTorch(torchRun.first.x_grad, [3, 3, 4]),
  dh0: fromTorch(torchRun.first.h0_grad, [1, 3, 5]),
  dW_ih: fromTorch(torchRun.first.grads.weight_ih_l0, [5, 4]),
  dW_hh: fromTorch(torchRun.first.grads.weight_hh_l0, [5, 5]),
  db_ih: fromTorch(torchRun.first.grads.bias_ih_l0, [5]),
  db_hh: fromTorch(torchRun.first.grads.bias_hh_l0, [5]),
};

// TensorFlow.js: the same recurrence with tensor ops, gradients by tf.grads.
const tfFunction = (
  xT: tf.Tensor,
  h0T: tf.Tensor,
  wih: tf.Tensor,
  whh: tf.Tensor,
  bih: tf.Tensor,
  bhh: tf.Tensor,
) => {
  let state = h0T.reshape([3, 5]);
  const outs: tf.Tensor[] = [];
  for (let i = 0; i < nums; i++) {
    const xi = xT.slice([i, 0, 0], [1, 3, 4]).reshape([3, 4]);
    state = tf.tanh(
      tf.add(
        tf.add(tf.matMul(xi, wih, false, true), bih),
        tf.add(tf.matMul(state, whh, false, true), bhh),
      ),
    );
    outs.push(state);
  }
  return tf.stack(outs);
};
const tfInputs = [
  x,
  h,
  params.weight_ih_l0,
  params.weight_hh_l0,
  params.bias_ih_l0,
  params.bias_hh_l0,
].map(toTensor);
const dhT = toTensor(dh);
const tfLoss = (...args: tf.Tensor[]) =>
  tf.sum(
    tf.mul(tfFunction(args[0], args[1], args[2], args[3], args[4], args[5]), dhT),
  ) as tf.Scalar;
const tfGrads = tf.grads(tfLoss)(tfInputs).map(fromTensor);
const tfValues: Record<Name, NDArray> = {
  hidden: fromTensor(
    tfFunction(...(tfInputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])),
  ),
  dx: tfGrads[0],
  dh0: tfGrads[1],
  dW_ih: tfGrads[2],
  dW_hh: tfGrads[3],
  db_ih: tfGrads[4],
  db_hh: tfGrads[5],
};

// Central differences of L = Σ h_t ⊙ dh_t with respect to each input and parameter.
const loss = () => {
  const c = new RnnCell(
    params.weight_ih_l0,
    params.weight_hh_l0,
    params.bias_ih_l0,
    params.bias_hh_l0,
  );
  let state = h.take(0, 0);
  let total = 0;
  for (let i = 0; i < nums; i++) {
    state = c.call(x.take(0, i), state);
    total += state.mul(dh.take(0, i)).sum();
  }
  return total;
};
const numeric: Partial<Record<Name, NDArray>> = {
  dx: numericalGradient(loss, x),
  dh0: numericalGradient(loss, h),
  dW_ih: numericalGradient(loss, params.weight_ih_l0),
  dW_hh: numericalGradient(loss, params.weight_hh_l0),
  db_ih: numericalGradient(loss, params.bias_ih_l0),
  db_hh: numericalGradient(loss, params.bias_hh_l0),
};

const maxAbs = (a: NDArray) => Math.max(...a.abs().data);
const table: Record<string, Record<string, number>> = {};
for (const name of names) {
  const mine = ours[name];
  const scale = Math.max(1, maxAbs(mine));
  const row: Record<string, number> = {
    "torch (float64)": maxAbs(mine.sub(torchValues[name])),
    "TF.js (float32)": maxAbs(mine.sub(tfValues[name].reshape(...mine.shape))),
  };
  lesson.check(`${name} vs torch`, mine, torchValues[name], {
    tolerance: 2 * gamma(20 * nums) * scale,
    against: "torch 1.13 float64 (tools/gen_torch_vectors.py): 2γ₆₀·max|·|",
  });
  lesson.check(`${name} vs TF.js`, mine, tfValues[name].reshape(...mine.shape), {
    tolerance: 2 * gamma(20 * nums, 2 ** -24) * scale,
    against: "TF.js tf.grads, float32: 2γ₆₀(2⁻²⁴)·max|·|",
  });
  const n = numeric[name];
  if (n) {
    row["central differences (max rel)"] = relError(mine, n.reshape(...mine.shape)).max();
    lesson.check(`${name} vs central differences`, mine, n.reshape(...mine.shape), {
      tolerance: 1e-7,
      relative: true,
      against: "central differences, h = 1e-5",
    });
  }
  table[name] = row;
}
console.table(table);
lesson.value("max_abs_differences", table);
const columns = ["torch (float64)", "TF.js (float32)", "central differences (max rel)"];
await plot(
  heatmap({
    title: "ours against three references (log10 colour; central differences: relative)",
    rows: [...names],
    cols: columns,
    values: names.map((n) => columns.map((c) => table[n][c] ?? NaN)),
    log10: true,
  }),
  "lesson03_comparison",
);

// %% [markdown]
// Every quantity agrees with torch to about $10^{-16}$ (a few units in the last place —
// summation order, not a different formula), with TensorFlow.js to about $10^{-7}$ (float32),
// and with central differences to about $10^{-9}$ relative. That is what "basically agree"
// should mean, measured.
//
// Note `dh0`: the document's class computes the gradient flowing into the initial hidden
// state (its `prev_dh` after the last backward step) but never returns it. Our `RnnCell`
// exposes it as `dh0`, and it matches torch's `h0.grad`.
//
// ## A second sequence, and the stacks that were never emptied
//
// The document's class pushes every step's parameter gradients onto stacks and sums them on
// demand, and `dx_list` grows at the front. Nothing ever empties them. Run a second sequence
// through the same object and its "gradients" are the sums over *both* sequences, and
// `dx_list` holds six steps instead of three. torch, whose gradients we zeroed before the
// second sequence, disagrees — until we reset the stacks between sequences.

// %%
const x2 = rng.random([nums, 3, 4]);
const h2 = rng.random([1, 3, 5]);
const dh2 = rng.random([nums, 3, 5]);
const torchSecond = {
  dW_ih: fromTorch(torchRun.second.grads.weight_ih_l0, [5, 4]),
  db_hh: fromTorch(torchRun.second.grads.bias_hh_l0, [5]),
  dx: fromTorch(torchRun.second.x_grad, [3, 3, 4]),
};
lesson.check(
  "second sequence's x = numpy's next draws",
  x2,
  fromTorch(torchRun.second.x, [3, 3, 4]),
  {
    tolerance: 0,
    against: "the same numpy stream as torch's script",
  },
);
// As the document would: the same object, no reset.
const stale = runSequence(cell, x2, h2, dh2);
console.log(`without reset: dx_list holds ${cell.dx_list.length} steps`);
const staleMiss = maxAbs(stale.dW_ih.sub(torchSecond.dW_ih));
console.log(`without reset: max |dW_ih − torch| = ${staleMiss.toFixed(4)}`);
lesson.check("without reset the second sequence's dW_ih is wrong", staleMiss > 1e-3 ? 1 : 0, 1, {
  tolerance: 0,
  against: "torch, gradients zeroed between sequences (a miss > 1e-3 shows the stale stacks)",
});
// The fix: empty the stacks first.
cell.reset();
const fresh = runSequence(cell, x2, h2, dh2);
for (const [name, ref] of Object.entries(torchSecond)) {
  const mine = fresh[name as keyof typeof torchSecond];
  lesson.check(`after reset: second sequence ${name} vs torch`, mine, ref, {
    tolerance: 2 * gamma(20 * nums) * Math.max(1, maxAbs(mine)),
    against: "torch 1.13 float64: 2γ₆₀·max|·|",
  });
}
await lesson.end();
