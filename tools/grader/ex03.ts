/**
 * Exercise 3's grader spec: document 000's `RNNCell` class — the call, the backward pass over a
 * sequence with its `prev_dh` carry, and `reset()` between sequences — graded against the real
 * torch 1.13 vectors lesson 3 recorded (data/torch_rnn/lesson3.json, tools/gen_torch_rnn.py),
 * within lesson 3's bound 2γ₆₀·max(1, |·|).
 *
 * @module
 */

import { gamma, NDArray, RandomState } from "./lib.ts";
import { drawCases } from "./cases.ts";
import torchJson from "../../data/torch_rnn/lesson3.json" with { type: "json" };
import * as ref from "../../exercises/_solutions.ts";
import {
  describe,
  type ExerciseSpec,
  GradeError,
  type Impl,
  type Mistake,
  type Probe,
} from "./mod.ts";

// deno-lint-ignore no-explicit-any
const runs = (torchJson as any).runs.avx2;
const nd = (v: string[], shape: number[]) => new NDArray(v.map(Number), shape);
const T = 3, B = 3, I = 4, H = 5;
const weights = () => [
  nd(runs.weights.weight_ih_l0, [H, I]),
  nd(runs.weights.weight_hh_l0, [H, H]),
  nd(runs.weights.bias_ih_l0, [H]),
  nd(runs.weights.bias_hh_l0, [H]),
];
// deno-lint-ignore no-explicit-any
const sequence = (s: any) => ({
  x: nd(s.x, [T, B, I]),
  h0: nd(s.h0, [1, B, H]),
  dh: nd(s.dh, [T, B, H]),
});
// deno-lint-ignore no-explicit-any
const torch = (s: any) => ({
  hidden: nd(s.output, [T, B, H]),
  dx: nd(s.x_grad, [T, B, I]),
  dh0: nd(s.h0_grad, [1, B, H]),
  dW_ih: nd(s.grads.weight_ih_l0, [H, I]),
  dW_hh: nd(s.grads.weight_hh_l0, [H, H]),
  db_ih: nd(s.grads.bias_ih_l0, [H]),
  db_hh: nd(s.grads.bias_hh_l0, [H]),
});

const asNd = (v: unknown, what: string): NDArray => {
  if (!(v instanceof NDArray)) {
    throw new GradeError(`${what} should be an NDArray, got ${describe(v)}`);
  }
  return v;
};
const stackOf = (xs: NDArray[]) => {
  const out = NDArray.zeros([xs.length, ...xs[0].shape]);
  xs.forEach((x, i) => out.put(0, i, x));
  return out;
};

/** Σ of one of the class's stacks, as the source prints it (biases also over the batch rows). */
function summed(cell: Record<string, unknown>, name: string, bias: boolean): NDArray {
  const st = cell[name];
  if (!Array.isArray(st) || st.length === 0) {
    throw new GradeError(
      `RNNCell.${name} should be a non-empty list of NDArrays, got ${describe(st)}`,
    );
  }
  let total = asNd(st[0], `RNNCell.${name}[0]`);
  for (let i = 1; i < st.length; i++) {
    const a = asNd(st[i], `RNNCell.${name}[${i}]`);
    if (a.shape.join() !== total.shape.join()) {
      throw new GradeError(
        `RNNCell.${name}[${i}] has shape (${a.shape}), [0] has (${total.shape})`,
        "wrong_shape",
      );
    }
    total = total.add(a);
  }
  return bias && total.ndim === 2 ? total.sum(0) as NDArray : total;
}

/** Runs one sequence forward then backward through `cell`; what the source prints. */
function runSequence(
  cell: Record<string, (...a: unknown[]) => unknown>,
  s: ReturnType<typeof sequence>,
) {
  return runSequenceOf(cell, s, T, B, H);
}

function runSequenceOf(
  cell: Record<string, (...a: unknown[]) => unknown>,
  s: { x: NDArray; h0: NDArray; dh: NDArray },
  T: number,
  B: number,
  H: number,
) {
  const hidden: NDArray[] = [];
  let h = s.h0.take(0, 0);
  for (let t = 0; t < T; t++) {
    h = asNd(cell.call(s.x.take(0, t), h), "RNNCell.call's result");
    hidden.push(h);
  }
  for (let t = T - 1; t >= 0; t--) cell.backward(s.dh.take(0, t));
  const c = cell as unknown as Record<string, unknown>;
  const dxList = c.dx_list;
  if (!Array.isArray(dxList)) {
    throw new GradeError(`RNNCell.dx_list should be a list, got ${describe(dxList)}`);
  }
  const dxs = dxList.map((d, i) => asNd(d, `RNNCell.dx_list[${i}]`));
  return {
    hidden: stackOf(hidden),
    dx: dxs.length ? stackOf(dxs) : "an empty dx_list",
    dh0: asNd(c.prev_dh, "RNNCell.prev_dh after the last backward step").reshape(1, B, H),
    dW_ih: summed(c, "dw_ih_stack", false),
    dW_hh: summed(c, "dw_hh_stack", false),
    db_ih: summed(c, "db_ih_stack", true),
    db_hh: summed(c, "db_hh_stack", true),
  };
}

const newCell = (impl: Impl) => {
  if (typeof impl.RNNCell !== "function") {
    throw new GradeError(
      `the exercise should export the class RNNCell, got ${describe(impl.RNNCell)}`,
    );
  }
  return new impl.RNNCell(...weights());
};

const bound = (v: NDArray) =>
  2 * gamma(20 * T) * Math.max(1, v.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
const against = "torch 1.13 (tools/gen_torch_rnn.py), lesson 3's bound 2γ₆₀·max(1, |·|)";
const expectAll = (keys: string[], t: ReturnType<typeof torch>) =>
  keys.map((key) => {
    const value = t[key as keyof typeof t];
    return { key, value, tolerance: bound(value), against };
  });

const GRADS = ["dx", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"];

const callProbe: Probe = {
  fn: "RNNCell.call",
  name: "document 000's run (3 steps, batch 3): the hidden states",
  run(impl) {
    const cell = newCell(impl);
    const s = sequence(runs.first);
    const hidden: NDArray[] = [];
    let h = s.h0.take(0, 0);
    for (let t = 0; t < T; t++) {
      h = asNd(cell.call(s.x.take(0, t), h), "RNNCell.call's result");
      hidden.push(h);
    }
    return { hidden: stackOf(hidden) };
  },
  expect: () => expectAll(["hidden"], torch(runs.first)),
};

const backwardProbe: Probe = {
  fn: "RNNCell.backward",
  name: "backward over the sequence: dx, prev_dh (= dh0) and the summed stacks",
  run: (impl) => runSequence(newCell(impl), sequence(runs.first)),
  expect: () => expectAll(GRADS, torch(runs.first)),
};

const resetProbe: Probe = {
  fn: "RNNCell.reset",
  name: "a second sequence after reset(): torch's gradients of that sequence alone",
  run(impl) {
    const cell = newCell(impl);
    runSequence(cell, sequence(runs.first));
    cell.reset();
    return runSequence(cell, sequence(runs.second));
  },
  expect: () => expectAll(["hidden", ...GRADS], torch(runs.second)),
};

/**
 * A random case: random weights and a sequence of random length and batch, the class's
 * gradients (summed stacks, dx, prev_dh) against central differences of the reference class's
 * forward pass, L = Σ_t dh_t · h_t.
 */
function randomProbe(seed: number, T: number, B: number, I: number, H: number): Probe {
  const inputs = () => {
    const rng = new RandomState(seed);
    const w = [rng.randn(H, I), rng.randn(H, H).mul(0.5), rng.randn(H), rng.randn(H)];
    return { w, x: rng.randn(T, B, I), h0: rng.randn(1, B, H), dh: rng.randn(T, B, H) };
  };
  return {
    fn: "RNNCell.backward",
    name: `random case (T = ${T}, batch ${B}, input ${I}, hidden ${H}, seed ${seed}) vs central ` +
      "differences",
    run(impl) {
      const s = inputs();
      if (typeof impl.RNNCell !== "function") {
        throw new GradeError(
          `the exercise should export the class RNNCell, got ${describe(impl.RNNCell)}`,
        );
      }
      const cell = new impl.RNNCell(...s.w);
      const r = runSequenceOf(cell, s, T, B, H);
      const { hidden: _, ...grads } = r;
      return grads;
    },
    gradcheck() {
      const s = inputs();
      const loss = () => {
        const cell = new ref.RNNCell(s.w[0], s.w[1], s.w[2], s.w[3]);
        let h = s.h0.take(0, 0), L = 0;
        for (let t = 0; t < T; t++) {
          h = cell.call(s.x.take(0, t), h);
          L += h.mul(s.dh.take(0, t)).sum() as number;
        }
        return L;
      };
      return {
        loss,
        params: { x: s.x, h0: s.h0, W_ih: s.w[0], W_hh: s.w[1], b_ih: s.w[2], b_hh: s.w[3] },
        keys: { dx: "x", dh0: "h0", dW_ih: "W_ih", dW_hh: "W_hh", db_ih: "b_ih", db_hh: "b_hh" },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Known mistakes: document 000's class with one slip each.

/** The document's class, with `slip` changing one thing. */
function cellWith(slip: string) {
  return class {
    x_stack: NDArray[] = [];
    dx_list: NDArray[] = [];
    dw_ih_stack: NDArray[] = [];
    dw_hh_stack: NDArray[] = [];
    db_ih_stack: NDArray[] = [];
    db_hh_stack: NDArray[] = [];
    prev_hidden_stack: NDArray[] = [];
    next_hidden_stack: NDArray[] = [];
    prev_dh: NDArray | null = null;
    constructor(
      readonly weight_ih: NDArray,
      readonly weight_hh: NDArray,
      readonly bias_ih: NDArray,
      readonly bias_hh: NDArray,
    ) {}
    call(x: NDArray, prev_hidden: NDArray) {
      this.x_stack.push(x);
      const [wx, wh] = [this.weight_ih, this.weight_hh];
      const next_h = x.dot(wx.T).add(prev_hidden.dot(wh.T)).add(this.bias_ih).add(this.bias_hh)
        .tanh();
      this.prev_hidden_stack.push(prev_hidden);
      this.next_hidden_stack.push(next_h);
      this.prev_dh = NDArray.zeros(next_h.shape);
      return next_h;
    }
    backward(dh: NDArray) {
      const x = this.x_stack.pop()!, prev = this.prev_hidden_stack.pop()!;
      const next = this.next_hidden_stack.pop()!;
      const g = slip === "no-carry" ? dh : dh.add(this.prev_dh!);
      const d = slip === "no-dtanh" ? g : g.mul(next.square().neg().add(1));
      this.prev_dh = d.dot(this.weight_hh);
      this.dx_list.unshift(d.dot(this.weight_ih));
      this.dw_ih_stack.push(slip === "transposed" ? x.T.dot(d) : d.T.dot(x));
      this.dw_hh_stack.push(slip === "transposed" ? prev.T.dot(d) : d.T.dot(prev));
      this.db_ih_stack.push(d);
      this.db_hh_stack.push(d);
      return this.dx_list;
    }
    reset() {
      if (slip === "no-reset") return;
      for (
        const k of [
          "x_stack",
          "dx_list",
          "dw_ih_stack",
          "dw_hh_stack",
          "db_ih_stack",
          "db_hh_stack",
          "prev_hidden_stack",
          "next_hidden_stack",
        ] as const
      ) this[k] = [];
      this.prev_dh = null;
    }
  };
}

const L3 = "lesson 3, “The document's run: all steps forward, then all steps backward”";
const mistake = (
  slip: string,
  name: string,
  explain: string,
  fns: string[],
  section = L3,
): Mistake => ({
  name,
  explain,
  section,
  fns,
  impl: { ...ref, RNNCell: cellWith(slip) },
});

const mistakes: Mistake[] = [
  mistake(
    "no-carry",
    "prev_dh carry dropped",
    "backward must add the gradient the later step sent back: d_tanh = (dh + self.prev_dh) ⊙ " +
      "(1 − h²), then self.prev_dh = d_tanh · W_hh for the step before.",
    ["RNNCell.backward", "RNNCell.reset"],
  ),
  mistake(
    "no-dtanh",
    "missing (1 − h²)",
    "The gradient goes through tanh before the weights: multiply (dh + prev_dh) by 1 − h².",
    ["RNNCell.backward", "RNNCell.reset"],
    "lesson 1, “One RNN cell, forward and backward”",
  ),
  mistake(
    "transposed",
    "transposed weight gradients",
    "In the batch-first layout the gradient of weight_ih (hidden, input) is d_tanhᵀ · x, not xᵀ · d_tanh.",
    ["RNNCell.backward", "RNNCell.reset"],
  ),
  mistake(
    "no-reset",
    "the stacks never emptied between sequences",
    "The second sequence's gradients were added to the first's (and dx_list grew to 6 steps): " +
      "reset() must empty every stack and clear prev_dh.",
    ["RNNCell.reset"],
    "lesson 3, “A second sequence, and the stacks that were never emptied”",
  ),
];

/** Exercise 3. */
export const spec: ExerciseSpec = {
  number: 3,
  slug: "03_rnn_class",
  title: "Document 000's RNNCell class against torch",
  url: import.meta.url,
  functions: ["RNNCell.call", "RNNCell.backward", "RNNCell.reset"],
  probes: [callProbe, backwardProbe, resetProbe],
  random: (seed) =>
    drawCases(seed, 2, { T: [1, 4], B: [1, 4], I: [1, 4], H: [1, 4] }).map((c) =>
      randomProbe(c.seed, c.T, c.B, c.I, c.H)
    ),
  mistakes,
  reference: ref,
};
