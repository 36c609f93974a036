import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import {
  DENSE_GRU_PARAM_NAMES,
  denseGruBackward,
  denseGruForward,
  gamma,
  GRU_PARAM_NAMES,
  gruBackward,
  gruForward,
  type GruParamName,
  type GruParams,
  type GruPlantedBug,
  initDenseGru,
  initGru,
  NDArray,
  RandomState,
  readDataJson,
  type ResetGate,
} from "../lib/mod.ts";

/** One case of data/gru/torch_gru.json (tools/gen_gru_reference.py), as arrays. */
interface TorchSide {
  output: NDArray;
  h_n: NDArray;
  loss: number;
  grads: GruParams;
  x_grad: NDArray;
  h0_grad: NDArray;
}
interface TorchCase {
  name: string;
  T: number;
  B: number;
  n_x: number;
  n_h: number;
  params: GruParams;
  x: NDArray;
  h0: NDArray;
  C: NDArray;
  D: NDArray;
  after: TorchSide;
  before: TorchSide;
}

type Raw = Record<string, unknown> & {
  weights: Record<string, string[]>;
  after: RawSide;
  before: RawSide;
};
type RawSide = {
  output: string[];
  h_n: string[];
  loss: string;
  grads: Record<string, string[]>;
  x_grad: string[];
  h0_grad: string[];
};

function torchCases(): TorchCase[] {
  const file = readDataJson<{ cases: Raw[] }>("gru/torch_gru.json");
  return file.cases.map((c) => {
    const [T, B, nx, nh] = [c.T, c.B, c.n_x, c.n_h] as number[];
    const arr = (xs: string[], shape: number[]) =>
      new NDArray(Float64Array.from(xs, Number), shape);
    const shape = (k: GruParamName) =>
      k.startsWith("b_") ? [nh] : k.startsWith("W_i") ? [nh, nx] : [nh, nh];
    const params = (w: Record<string, string[]>) =>
      Object.fromEntries(GRU_PARAM_NAMES.map((k) => [k, arr(w[k], shape(k))])) as GruParams;
    const side = (s: RawSide): TorchSide => ({
      output: arr(s.output, [T, B, nh]),
      h_n: arr(s.h_n, [B, nh]),
      loss: Number(s.loss),
      grads: params(s.grads),
      x_grad: arr(s.x_grad, [T, B, nx]),
      h0_grad: arr(s.h0_grad, [B, nh]),
    });
    return {
      name: c.name as string,
      T,
      B,
      n_x: nx,
      n_h: nh,
      params: params(c.weights),
      x: arr(c.x as string[], [T, B, nx]),
      h0: arr(c.h0 as string[], [B, nh]),
      C: arr(c.C as string[], [T, B, nh]),
      D: arr(c.D as string[], [B, nh]),
      after: side(c.after),
      before: side(c.before),
    };
  });
}

/** ∂L/∂output for L = Σ output ⊙ C + Σ h_n ⊙ D: C, with D added to the last step's row. */
function dOutputsOf(c: TorchCase): NDArray {
  const d = c.C.copy();
  const N = c.B * c.n_h;
  for (let i = 0; i < N; i++) d.data[(c.T - 1) * N + i] += c.D.data[i];
  return d;
}

/**
 * The float64 rounding bound the comparisons with torch allow: 2γ_N · max(1, max|ref|) with
 * N = 2T(n_x + n_h + 10) — T steps forward and T back, each a dot product of n_x + n_h terms
 * and at most 10 roundings of its elementwise operations (σ, tanh, products, the mix).
 */
function torchTolerance(c: TorchCase, ref: NDArray): number {
  return 2 * gamma(2 * c.T * (c.n_x + c.n_h + 10)) * Math.max(1, ref.abs().max());
}

function assertClose(ours: NDArray, ref: NDArray, tol: number, what: string): void {
  deepEqual(ours.shape, ref.shape, what);
  const diff = ours.sub(ref).abs().max();
  ok(diff <= tol, `${what}: max |Δ| ${diff} > ${tol}`);
}

const cases = torchCases();

for (const resetGate of ["after", "before"] as const) {
  for (const c of cases) {
    const who = resetGate === "after"
      ? "torch.nn.GRU"
      : "torch autograd of the paper's reset-before formula";
    Deno.test(`GRU (reset ${resetGate}), ${c.name} case: forward and backward = ${who}, float64`, () => {
      const ref = c[resetGate];
      const f = gruForward(c.params, c.x, c.h0, { resetGate });
      assertClose(f.outputs, ref.output, torchTolerance(c, ref.output), "output");
      assertClose(f.state, ref.h_n, torchTolerance(c, ref.h_n), "h_n");
      const loss = f.outputs.mul(c.C).sum() + f.state.mul(c.D).sum();
      ok(Math.abs(loss - ref.loss) <= 2 * gamma(2 * c.T * (c.n_x + c.n_h + 10)) * Math.abs(loss));
      const b = gruBackward(dOutputsOf(c), f.cache);
      for (const k of GRU_PARAM_NAMES) {
        assertClose(b.grads[k], ref.grads[k], torchTolerance(c, ref.grads[k]), `∂L/∂${k}`);
      }
      assertClose(b.dInputs, ref.x_grad, torchTolerance(c, ref.x_grad), "∂L/∂x");
      assertClose(b.dState, ref.h0_grad, torchTolerance(c, ref.h0_grad), "∂L/∂h0");
    });
  }
}

Deno.test("the two reset-gate conventions are different functions of the same weights", () => {
  for (const c of cases) {
    const diff = c.after.output.sub(c.before.output).abs().max();
    ok(diff > 1e-3, `${c.name}: outputs differ by only ${diff}`);
  }
});

Deno.test("the reference was made by torch in float64, by the committed script", () => {
  const file = readDataJson<{ provenance: Record<string, string> }>("gru/torch_gru.json");
  equal(file.provenance.script, "tools/gen_gru_reference.py");
  ok(file.provenance.torch.startsWith("1.13"), file.provenance.torch);
  ok(file.provenance.dtype.startsWith("float64"));
  ok(Deno.statSync(new URL("../tools/gen_gru_reference.py", import.meta.url)).isFile);
});

// The gradient check of the course's policy, and the planted bugs it must flag.
const lossFor = (c: TorchCase, resetGate: ResetGate) => () => {
  const f = gruForward(c.params, c.x, c.h0, { resetGate });
  return f.outputs.mul(c.C).sum() + f.state.mul(c.D).sum();
};
const plantable: GruPlantedBug[] = [
  "carry dropped",
  "z and 1 − z swapped",
  "tanh′ missing",
  "σ′ missing in z",
  "direct path dropped",
];

for (const resetGate of ["after", "before"] as const) {
  Deno.test(`GRU (reset ${resetGate}): backward = central differences; every planted bug flagged`, () => {
    const c = cases[0];
    const loss = lossFor(c, resetGate);
    const cache = gruForward(c.params, c.x, c.h0, { resetGate }).cache;
    const grads = gruBackward(dOutputsOf(c), cache).grads;
    const verdict = checkGradients(loss, c.params, grads);
    ok(verdict.ok, verdict.summary);
    ok(verdict.smallestDetectable < 1e-5, verdict.summary);
    const other: ResetGate = resetGate === "after" ? "before" : "after";
    const wrong: [string, Record<string, NDArray>][] = [
      ...plantable.map((bug) =>
        [bug, gruBackward(dOutputsOf(c), cache, { plant: bug }).grads] as [
          string,
          Record<string, NDArray>,
        ]
      ),
      [
        `the reset gate ${other} the product`,
        gruBackward(dOutputsOf(c), gruForward(c.params, c.x, c.h0, { resetGate: other }).cache)
          .grads,
      ],
      ["∂L/∂W_hn transposed", plantedBugs.transposed(grads, "W_hn")],
      ["every gradient scaled by 1 + 1e-5", plantedBugs.scaled(grads, 1e-5)],
    ];
    for (const [bug, g] of wrong) {
      const v = checkGradients(loss, c.params, g);
      ok(!v.ok, `planted bug not flagged: ${bug}`);
    }
  });
}

Deno.test("∂L/∂x and ∂L/∂h0 = central differences (reset after)", () => {
  const c = cases[1];
  const cache = gruForward(c.params, c.x, c.h0).cache;
  const b = gruBackward(dOutputsOf(c), cache);
  const verdict = checkGradients(lossFor(c, "after"), { x: c.x, h0: c.h0 }, {
    x: b.dInputs,
    h0: b.dState,
  });
  ok(verdict.ok, verdict.summary);
});

Deno.test("initGru: PyTorch's shapes and range ±1/√n_h", () => {
  const p = initGru(new RandomState(3), { inputSize: 2, hiddenSize: 4 });
  deepEqual(Object.keys(p), [...GRU_PARAM_NAMES]);
  deepEqual(p.W_ir.shape, [4, 2]);
  deepEqual(p.W_hz.shape, [4, 4]);
  deepEqual(p.b_hn.shape, [4]);
  for (const k of GRU_PARAM_NAMES) ok(p[k].abs().max() <= 0.5, k);
  throws(() => initGru(new RandomState(0), { inputSize: 0, hiddenSize: 3 }), /positive integers/);
});

Deno.test("GRU shape errors name what was wrong", () => {
  const p = initGru(new RandomState(0), { inputSize: 2, hiddenSize: 3 });
  throws(() => gruForward(p, NDArray.zeros([4, 1, 3]), NDArray.zeros([1, 3])), /\(T, B, 2\)/);
  throws(() => gruForward(p, NDArray.zeros([4, 1, 2]), NDArray.zeros([2, 3])), /must be \(1, 3\)/);
  const bad = { ...p, W_hn: NDArray.zeros([3, 2]) };
  throws(() => gruForward(bad, NDArray.zeros([4, 1, 2]), NDArray.zeros([1, 3])), /W_hn has shape/);
  const { cache } = gruForward(p, NDArray.zeros([4, 1, 2]), NDArray.zeros([1, 3]));
  throws(() => gruBackward(NDArray.zeros([3, 1, 3]), cache), /dOutputs \(3,1,3\)/);
});

Deno.test("GRU (reset before) = TensorFlow.js tf.layers.gru and its autodiff, at float32 tolerance", async () => {
  const { tf, toTensor, fromTensor } = await import("../lib/course/framework.ts");
  const c = cases[0];
  const p = c.params;
  const nh = c.n_h;
  // Keras's layout: kernel (n_x, 3n_h) = [W_izᵀ | W_irᵀ | W_inᵀ], recurrent kernel likewise
  // from W_h·, one bias [b_iz + b_hz | b_ir + b_hr | b_in + b_hn] (no recurrent bias).
  const cat = (a: NDArray, b: NDArray, d: NDArray) => {
    const rows = a.shape[1];
    const out = NDArray.zeros([rows, 3 * nh]);
    [a, b, d].forEach((m, g) => {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < nh; j++) out.set([i, g * nh + j], m.get(j, i));
      }
    });
    return out;
  };
  const kernel = cat(p.W_iz, p.W_ir, p.W_in);
  const recurrent = cat(p.W_hz, p.W_hr, p.W_hn);
  const bias = NDArray.from([
    ...p.b_iz.add(p.b_hz).data,
    ...p.b_ir.add(p.b_hr).data,
    ...p.b_in.add(p.b_hn).data,
  ]);
  const layer = tf.layers.gru({
    units: nh,
    recurrentActivation: "sigmoid",
    returnSequences: true,
    returnState: false,
  });
  const batchFirst = (a: NDArray) => a.transpose([1, 0, 2]);
  const xT = toTensor(batchFirst(c.x));
  const h0T = toTensor(c.h0);
  const CT = toTensor(batchFirst(dOutputsOf(c)));
  layer.apply(xT, { initialState: [h0T] });
  layer.setWeights([toTensor(kernel), toTensor(recurrent), toTensor(bias)]);
  const lossOf = (x: typeof xT, h0: typeof h0T) =>
    tf.sum(tf.mul(layer.apply(x, { initialState: [h0] }) as typeof xT, CT)) as typeof xT;
  const out = fromTensor(layer.apply(xT, { initialState: [h0T] }) as typeof xT);
  const vars = layer.trainableWeights.map((w) => w.read() as unknown as { name: string });
  const { grads } = tf.variableGrads(() => lossOf(xT, h0T) as never, vars as never);
  const names = vars.map((v) => v.name);
  const [gk, gr, gb] = names.map((n) => fromTensor(grads[n]));
  const [gx, gh] = tf.grads((x, h) => lossOf(x, h))([xT, h0T]).map(fromTensor);
  ok(names.length === 3, names.join());

  const f = gruForward(p, c.x, c.h0, { resetGate: "before" });
  const b = gruBackward(dOutputsOf(c), f.cache);
  // float32: 2γ_N(2⁻²⁴)·max(1, max|·|), N as for torch.
  const tol = (ref: NDArray) =>
    2 * gamma(2 * c.T * (c.n_x + c.n_h + 10), 2 ** -24) * Math.max(1, ref.abs().max());
  assertClose(batchFirst(f.outputs), out, tol(out), "output vs TF.js");
  assertClose(cat(b.grads.W_iz, b.grads.W_ir, b.grads.W_in), gk, tol(gk), "kernel grad");
  assertClose(cat(b.grads.W_hz, b.grads.W_hr, b.grads.W_hn), gr, tol(gr), "recurrent grad");
  const ourBias = NDArray.from([...b.grads.b_iz.data, ...b.grads.b_ir.data, ...b.grads.b_in.data]);
  assertClose(ourBias, gb, tol(gb), "bias grad");
  // In this convention b_h· is added where b_i· is: their gradients are equal.
  for (const g of ["r", "z", "n"] as const) {
    deepEqual([...b.grads[`b_h${g}`].data], [...b.grads[`b_i${g}`].data]);
  }
  assertClose(batchFirst(b.dInputs), gx, tol(gx), "∂L/∂x vs TF.js");
  assertClose(b.dState, gh, tol(gh), "∂L/∂h0 vs TF.js");
});

Deno.test("GRU with a dense head (row layout, one example): backward = central differences", () => {
  const rng = new RandomState(4);
  const p = initDenseGru(rng, { inputSize: 2, hiddenSize: 3, outputSize: 2 });
  const inputs = rng.randn(6, 2);
  const h0 = rng.randn(3).data;
  const coef = rng.randn(6, 2);
  const loss = () =>
    denseGruForward(p, inputs, h0).outputs.reduce(
      (s, y, t) => s + y[0] * coef.get(t, 0) + y[1] * coef.get(t, 1),
      0,
    );
  const { cache } = denseGruForward(p, inputs, h0);
  const dys = [...Array(6).keys()].map((t) => Float64Array.of(coef.get(t, 0), coef.get(t, 1)));
  const back = denseGruBackward(dys, cache);
  deepEqual(Object.keys(back.grads), [...DENSE_GRU_PARAM_NAMES]);
  const v = checkGradients(loss, p, back.grads);
  ok(v.ok, v.summary);
  const vIn = checkGradients(loss, { inputs }, { inputs: back.dInputs });
  ok(vIn.ok, vIn.summary);
  // `into` accumulates: twice the same example is twice its gradient.
  const into = denseGruBackward(dys, cache).grads;
  denseGruBackward(dys, cache, into);
  for (const k of DENSE_GRU_PARAM_NAMES) {
    ok(into[k].sub(back.grads[k].mul(2)).abs().max() <= 1e-12 * (1 + back.grads[k].abs().max()));
  }
});
