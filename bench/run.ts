/**
 * `deno task bench`: the same four workloads, in one run, in our TypeScript library, in
 * numpy (bench/numpy_workloads.py, run with the machine's python3) and in TensorFlow.js
 * (CPU backend), with median times, ratios and the targets of the performance issue.
 *
 * Every implementation also returns a number (a loss, an EMA, a worst relative error) that
 * is compared across implementations before any time is reported, so a fast wrong kernel
 * cannot win. Slow TF.js workloads are timed on a slice (stated in the table) and scaled.
 *
 * @module
 */

import {
  dlstmLoss,
  fit,
  gradCheck,
  initLstmParams,
  LSTM_PARAM_NAMES,
  lstmBackward,
  lstmForward,
  lstmLoss,
  NDArray,
  RandomState,
  roll,
  sequenceRegressor,
  Sgd,
  simpleRnnBackward,
  simpleRnnLoss,
  sineTask,
} from "../lib/mod.ts";
import { tf } from "../lib/course/framework.ts";
import { flagHelp, parseOrExit } from "../tools/cli.ts";
import { charRnnSetup, charRnnStep } from "./char_rnn.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn: () => number, repeats: number, warmup = 0): { times: number[]; check: number } {
  const times: number[] = [];
  let check = NaN;
  for (let w = 0; w < warmup; w++) fn(); // let V8 compile the hot code first
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    check = fn();
    times.push((performance.now() - t0) / 1000);
  }
  return { times, check };
}

// ---- 1. lesson 5's sine training -------------------------------------------------------
function sineWorkload(iterations = 5000): number {
  const rng = new RandomState(0);
  const p = initLstmParams(rng, { x_n: 1, h_n: 5, o_n: 1 });
  let ema = 1;
  const lstm = { forward: lstmForward, backward: lstmBackward };
  const task = sineTask((r) => ({ h: r.normal(0, 1, 5).data, c: r.normal(0, 1, 5).data }));
  fit(sequenceRegressor(lstm, p), task, new Sgd(0.01), {
    steps: iterations,
    rng,
    progress: false,
    onStep: (_, loss) => ema = ema * 0.99 + loss * 0.01,
  });
  return ema;
}

// ---- 2. full numerical gradient check of that LSTM --------------------------------------
function checkWindow() {
  const rng = new RandomState(0);
  const p = initLstmParams(rng, { x_n: 1, h_n: 5, o_n: 1 });
  const wave = NDArray.linspace(0, 4 * Math.PI, 90).map(Math.sin);
  const s = rng.randint(0, 22), e = rng.randint(67, 90);
  const xs = wave.slice(0, s, e).reshape(-1, 1);
  return { p, xs, ys: roll(xs, 1) };
}
function fullGradcheck(): number {
  const { p, xs, ys } = checkWindow();
  const zero = () => new Float64Array(5);
  const run = lstmLoss(p, zero(), zero(), xs, ys);
  const g = dlstmLoss(p, xs, ys, run.outputs, run.caches);
  const results = gradCheck(() => lstmLoss(p, zero(), zero(), xs, ys).loss, { ...p }, { ...g });
  return Math.max(...results.map((r) => r.maxRelError));
}

// ---- 4. lesson 4's forward + backward --------------------------------------------------
function simpleRnnSetup() {
  const rng = new RandomState(0);
  const x = rng.random([3, 4]).map(Math.fround);
  const h0 = rng.random([2]).map(Math.fround);
  const params = {
    U: NDArray.from([[0.8315637, -0.6328325], [-0.6249914, -0.02345729], [0.3253579, -0.66497874], [
      0.5830157,
      -0.03220487,
    ]]),
    W: NDArray.from([[-0.26513684, 0.96421075], [0.96421075, 0.2651369]]),
    b: NDArray.zeros([2]),
    V: NDArray.from([[0.16630626, -0.03400385, -0.8589585], [-1.0909375, -0.02843404, 0.2594756]]),
    c: NDArray.zeros([3]),
  };
  const y = NDArray.from([[0.3, 0.5, 0.2], [0.2, 0.3, 0.5], [0.5, 0.2, 0.3]]);
  return { x, h0, params, y };
}
const srnn = simpleRnnSetup();
function simpleRnnStep(): number {
  const f = simpleRnnLoss(srnn.params, srnn.x, srnn.h0, srnn.y);
  simpleRnnBackward(f.dOutputs, f.cache);
  return f.loss;
}

// ---- TensorFlow.js versions -------------------------------------------------------------
/** The question's LSTM loss over a sequence, in TF.js ops (float32). */
function tfLstmLoss(
  p: Record<string, tf.Tensor>,
  xs: number[],
  ys: number[],
  h0: number[],
  c0: number[],
): tf.Scalar {
  let h = tf.tensor2d([h0]), c = tf.tensor2d([c0]);
  let loss = tf.scalar(0);
  for (let t = 0; t < xs.length; t++) {
    const xh = tf.concat([tf.tensor2d([[xs[t]]]), h], 1);
    const f = tf.sigmoid(tf.add(tf.matMul(xh, p.Wf), p.bf));
    const i = tf.sigmoid(tf.add(tf.matMul(xh, p.Wi), p.bi));
    const g = tf.tanh(tf.add(tf.matMul(xh, p.Wg), p.bg));
    const o = tf.sigmoid(tf.add(tf.matMul(xh, p.Wo), p.bo));
    c = tf.add(tf.mul(f, c), tf.mul(i, g));
    h = tf.mul(o, tf.tanh(c));
    const y = tf.add(tf.matMul(h, p.Wy), p.by);
    loss = tf.add(loss, tf.mean(tf.square(tf.sub(y, ys[t]))));
  }
  return loss as tf.Scalar;
}
function tfLstmLossAndGrads(
  p: Record<string, tf.Variable>,
  xs: number[],
  ys: number[],
  h0: number[],
  c0: number[],
) {
  return tf.variableGrads(() => tfLstmLoss(p, xs, ys, h0, c0), Object.values(p));
}
function tfParams(rng: RandomState) {
  const p = initLstmParams(rng, { x_n: 1, h_n: 5, o_n: 1 });
  return Object.fromEntries(
    LSTM_PARAM_NAMES.map((
      k,
    ) => [
      k,
      tf.variable(
        tf.tensor(Float32Array.from(p[k].data), [...p[k].shape]),
        true,
        `bench_${k}_${Math.random()}`,
      ),
    ]),
  ) as Record<string, tf.Variable>;
}
function tfSineTraining(iterations: number): number {
  const rng = new RandomState(0);
  const p = tfParams(rng);
  const wave = NDArray.linspace(0, 3 * Math.PI, 30).map(Math.sin);
  let ema = 1;
  for (let it = 0; it < iterations; it++) {
    const s = rng.randint(0, 7), e = rng.randint(22, 30);
    const xs = [...wave.slice(0, s, e).data];
    const ys = xs.map((_, t) => xs[(t - 1 + xs.length) % xs.length]);
    const h = [...rng.normal(0, 1, 5).data], c = [...rng.normal(0, 1, 5).data];
    const loss = tf.tidy(() => {
      const { value, grads } = tfLstmLossAndGrads(p, xs, ys, h, c);
      for (const [name, g] of Object.entries(grads)) {
        const v = Object.values(p).find((q) => q.name === name)!;
        v.assign(tf.sub(v, tf.mul(g, 0.01)));
      }
      return value.dataSync()[0];
    });
    ema = ema * 0.99 + loss * 0.01;
  }
  Object.values(p).forEach((v) => v.dispose());
  return ema;
}
function tfGradcheckEntries(entries: number): number {
  const { p: p64, xs, ys } = checkWindow();
  const xsArr = [...xs.data], ysArr = [...ys.data];
  const zeros = [0, 0, 0, 0, 0];
  const lossOf = (p: Record<string, NDArray>) =>
    tf.tidy(() => {
      const w = Object.fromEntries(
        LSTM_PARAM_NAMES.map((k) => [k, tf.tensor(Float32Array.from(p[k].data), [...p[k].shape])]),
      );
      return tfLstmLoss(w, xsArr, ysArr, zeros, zeros).dataSync()[0];
    });
  let done = 0, last = 0;
  for (const k of LSTM_PARAM_NAMES) {
    for (let ix = 0; ix < p64[k].size && done < entries; ix++, done++) {
      const old = p64[k].data[ix];
      p64[k].data[ix] = old + 1e-2;
      const lp = lossOf(p64);
      p64[k].data[ix] = old - 1e-2;
      const lm = lossOf(p64);
      p64[k].data[ix] = old;
      last = (lp - lm) / 2e-2;
    }
  }
  return last;
}
function tfSimpleRnnStep(): number {
  return tf.tidy(() => {
    const [U, W, V] = [srnn.params.U, srnn.params.W, srnn.params.V].map((a) =>
      tf.tensor(Float32Array.from(a.data), [...a.shape])
    );
    const x = tf.tensor(Float32Array.from(srnn.x.data), [3, 4]);
    const y = tf.tensor(Float32Array.from(srnn.y.data), [3, 3]);
    const h0 = tf.tensor(Float32Array.from(srnn.h0.data), [1, 2]);
    const f = (u: tf.Tensor, w: tf.Tensor, v: tf.Tensor) => {
      let h = h0;
      let loss = tf.scalar(0);
      for (let t = 0; t < 3; t++) {
        h = tf.tanh(tf.add(tf.matMul(x.slice([t, 0], [1, 4]), u), tf.matMul(h, w)));
        const p = tf.softmax(tf.matMul(h, v));
        loss = tf.sub(loss, tf.sum(tf.mul(y.slice([t, 0], [1, 3]), tf.log(p))));
      }
      return loss as tf.Scalar;
    };
    const { value } = tf.valueAndGrads(f)([U, W, V]);
    return value.dataSync()[0];
  });
}

// ---- run ---------------------------------------------------------------------------------
const cliFlags = {
  repeats: { type: "string", help: "timed runs per workload (default $BENCH_REPEATS or 3)" },
} as const;
const { values } = parseOrExit(
  Deno.args,
  cliFlags,
  `usage: deno task bench [--repeats N]\n${flagHelp(cliFlags)}`,
);
const repeats = Number(values.repeats ?? Deno.env.get("BENCH_REPEATS") ?? "3");
if (!Number.isInteger(repeats) || repeats < 1) {
  console.error(`error: --repeats must be a whole number ≥ 1, got ${values.repeats}`);
  Deno.exit(2);
}
console.error(`numpy (python3 bench/numpy_workloads.py ${repeats}) …`);
// numpy runs at its own speed: this machine's environment sets OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE for the sake of old OpenBLAS builds, which makes a current numpy pick a slower
// kernel. They are removed for this one command (never in tests or CI); the kernel numpy then
// chose is reported with the table.
const numpyEnv = Object.fromEntries(
  Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("OPENBLAS_")),
);
const py = await new Deno.Command("python3", {
  args: ["bench/numpy_workloads.py", String(repeats)],
  clearEnv: true,
  env: numpyEnv,
  stdout: "piped",
}).output();
if (py.code !== 0) {
  throw new Error("bench: python3 bench/numpy_workloads.py failed (is numpy installed?)");
}
const numpy = JSON.parse(new TextDecoder().decode(py.stdout));

console.error("TypeScript …");
const ours = {
  sine_training: time(() => sineWorkload(), repeats),
  full_gradcheck: time(fullGradcheck, repeats, 1),
  char_rnn_step: (() => {
    const s = charRnnSetup();
    return time(() => charRnnStep(s).loss, repeats * 20, 100);
  })(),
  simple_rnn_step: time(simpleRnnStep, repeats * 200, 2000),
};
console.error("TensorFlow.js …");
const tfSineIters = 20, tfEntries = 10;
const tfjs = {
  sine_training: (() => {
    const r = time(() => tfSineTraining(tfSineIters), 1);
    return {
      times: r.times.map((t) => (t * 5000) / tfSineIters),
      check: NaN,
      note: `${tfSineIters} of 5000 iterations, scaled`,
    };
  })(),
  full_gradcheck: (() => {
    const r = time(() => tfGradcheckEntries(tfEntries), 1);
    return {
      times: r.times.map((t) => (t * 146) / tfEntries),
      check: NaN,
      note: `${tfEntries} of 146 entries, scaled`,
    };
  })(),
  char_rnn_step: (() => {
    const s = charRnnSetup();
    return { ...time(() => charRnnStep(s, "tfjs").loss, repeats, 3), note: "" };
  })(),
  simple_rnn_step: { ...time(tfSimpleRnnStep, repeats * 10, 20), note: "" },
};

// Same computation? (float64 against numpy; TF.js float32 where it computes the same number)
const agree = {
  sine_training:
    Math.abs(ours.sine_training.check - numpy.sine_training.check) / numpy.sine_training.check <
      1e-9,
  full_gradcheck: ours.full_gradcheck.check < 1e-6 && numpy.full_gradcheck.check < 1e-6,
  char_rnn_step: Math.abs(ours.char_rnn_step.check - numpy.char_rnn_step.check) < 1e-9 &&
    Math.abs(tfjs.char_rnn_step.check - numpy.char_rnn_step.check) < 1e-3,
  simple_rnn_step: Math.abs(ours.simple_rnn_step.check - numpy.simple_rnn_step.check) < 1e-9 &&
    Math.abs(tfjs.simple_rnn_step.check - numpy.simple_rnn_step.check) < 1e-5,
};
for (const [k, ok] of Object.entries(agree)) {
  if (!ok) {
    throw new Error(`bench: implementations disagree on ${k}; refusing to time a wrong result`);
  }
}

const targets: Record<string, { numpy: number; tfjs: number }> = {
  sine_training: { numpy: 10, tfjs: 20 },
  full_gradcheck: { numpy: 10, tfjs: 20 },
  char_rnn_step: { numpy: 1, tfjs: 20 },
  simple_rnn_step: { numpy: 0, tfjs: 20 },
};
const fmt = (
  s: number,
) => (s >= 1
  ? `${s.toFixed(2)} s`
  : s >= 1e-3
  ? `${(s * 1e3).toFixed(2)} ms`
  : `${(s * 1e6).toFixed(1)} µs`);
// CPU model and SIMD flags come from the Python side (Deno needs --allow-all for /proc).
const cpu: string = numpy.machine.cpu;
const flags: string[] = numpy.machine.flags;
const ghz = Number(/@\s*([\d.]+)GHz/.exec(cpu)?.[1] ?? "2.0"); // the model string's nominal clock
const lanes = flags.includes("avx512f") ? 8 : flags.includes("avx2") ? 4 : 2;
const peak = ghz * lanes * 2 * 2; // GHz × float64 lanes × 2 (FMA) × 2 FMA ports, one core
const flop = charRnnSetup().flop;
const lines = [
  `Machine: ${cpu}, ${navigator.hardwareConcurrency} cores; Deno ${Deno.version.deno}, numpy ${numpy.machine.numpy}, TF.js ${tf.version.tfjs} (CPU backend)`,
  `numpy's BLAS: ${numpy.machine.blas.library}, kernel ${numpy.machine.blas.corename ?? "?"} ` +
  `(OPENBLAS_CORETYPE ${numpy.machine.blas.OPENBLAS_CORETYPE}; ${numpy.machine.blas.config ?? ""})`,
  "",
  "| workload | ours | numpy | TF.js | numpy / ours | TF.js / ours | targets |",
  "|---|---|---|---|---|---|---|",
];
for (const k of Object.keys(ours) as (keyof typeof ours)[]) {
  const o = median(ours[k].times), n = median(numpy[k].times), t = median(tfjs[k].times);
  const tn = targets[k];
  const okN = tn.numpy === 0 ? "" : `≥${tn.numpy}× numpy ${n / o >= tn.numpy ? "✓" : "✗"}`;
  const okT = `≥${tn.tfjs}× TF.js ${t / o >= tn.tfjs ? "✓" : "✗"}`;
  const note = tfjs[k].note ? ` (${tfjs[k].note})` : "";
  lines.push(
    `| ${k} | ${fmt(o)} | ${fmt(n)} | ${fmt(t)}${note} | ${(n / o).toFixed(1)}× | ${
      (t / o).toFixed(1)
    }× | ${[okN, okT].filter(Boolean).join(", ")} |`,
  );
}
lines.push("");
lines.push(
  `char_rnn_step: ${(flop / 1e6).toFixed(2)} MFLOP per step → ours ${
    (flop / median(ours.char_rnn_step.times) / 1e9).toFixed(2)
  } GFLOP/s, numpy ${
    (flop / median(numpy.char_rnn_step.times) / 1e9).toFixed(2)
  } GFLOP/s; one core's float64 peak ≈ ${peak} GFLOP/s (${ghz} GHz × ${lanes} lanes × FMA × 2 ports)`,
);
console.log(lines.join("\n"));
