import { equal, ok, throws } from "node:assert/strict";
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";
import {
  dlstmLoss,
  initLstmParams,
  lstmLoss,
  NDArray,
  RandomState,
  rnnBackward,
  rnnCellBackward,
  rnnCellForward,
  rnnForward,
} from "../lib/mod.ts";

function cellCase(seed: number) {
  const r = new RandomState(seed);
  const xt = r.randn(3, 10), a_prev = r.randn(5, 10);
  const P = {
    Wax: r.randn(5, 3),
    Waa: r.randn(5, 5),
    Wya: r.randn(2, 5),
    ba: r.randn(5, 1),
    by: r.randn(2, 1),
  };
  const da = r.randn(5, 10);
  const g = rnnCellBackward({ a: da }, rnnCellForward(P, xt, a_prev).cache);
  const params = { xt, a_prev, Wax: P.Wax, Waa: P.Waa, ba: P.ba };
  const grads = {
    xt: g.dInputs,
    a_prev: g.dState,
    Wax: g.grads.Wax,
    Waa: g.grads.Waa,
    ba: g.grads.ba,
  };
  const loss = () => rnnCellForward(P, xt, a_prev).outputs.a.mul(da).sum();
  return { params, grads, loss };
}

Deno.test("the gradient policy passes a correct RNN cell, sequence and LSTM gradient on several seeds", () => {
  for (const seed of [1, 2, 3]) {
    const c = cellCase(seed);
    const v = checkGradients(c.loss, c.params, c.grads);
    ok(v.ok, `cell, seed ${seed}: ${v.summary}`);
    ok(v.smallestDetectable < 1e-8, v.summary);
  }
  const r = new RandomState(4);
  const x = r.randn(3, 10, 4), a0 = r.randn(5, 10);
  const Q = {
    Waa: r.randn(5, 5),
    Wax: r.randn(5, 3),
    Wya: r.randn(2, 5),
    ba: r.randn(5, 1),
    by: r.randn(2, 1),
  };
  const dA = r.randn(5, 10, 4);
  const G = rnnBackward({ a: dA }, rnnForward(Q, x, a0).cache);
  const seq = checkGradients(
    () => rnnForward(Q, x, a0).outputs.a.mul(dA).sum(),
    { x, a0, Wax: Q.Wax, Waa: Q.Waa, ba: Q.ba },
    { x: G.dInputs, a0: G.dState, Wax: G.grads.Wax, Waa: G.grads.Waa, ba: G.grads.ba },
  );
  ok(seq.ok, seq.summary);
  for (const seed of [0, 2]) {
    const rng = new RandomState(seed);
    const p = initLstmParams(rng, { x_n: 1, h_n: 5, o_n: 1 });
    const inputs = NDArray.linspace(0, 4 * Math.PI, 40).map(Math.sin).reshape(-1, 1);
    const n = inputs.shape[0];
    const targets = new NDArray(
      inputs.data.map((_, t) => inputs.data[(t - 1 + n) % n]),
      inputs.shape,
    );
    const zeros = () => new Float64Array(5);
    const run = lstmLoss(p, zeros(), zeros(), inputs, targets);
    const g = dlstmLoss(p, inputs, targets, run.outputs, run.caches);
    const v = checkGradients(
      () => lstmLoss(p, zeros(), zeros(), inputs, targets).loss,
      p as unknown as Record<string, NDArray>,
      g as unknown as Record<string, NDArray>,
    );
    ok(v.ok, `LSTM, seed ${seed}: ${v.summary}`);
    // Lesson 5's bug: the numerical losses start from the final state.
    const buggy = checkGradients(
      () => lstmLoss(p, run.h, run.c, inputs, targets).loss,
      p as unknown as Record<string, NDArray>,
      g as unknown as Record<string, NDArray>,
    );
    equal(buggy.ok, false, "the unreset-state bug must fail");
  }
});

Deno.test("the gradient policy flags planted mistakes: a transposed gradient, 1e-3 and 1e-7 scale errors", () => {
  const c = cellCase(7);
  for (
    const [what, grads] of [
      ["transposed dWaa", plantedBugs.transposed(c.grads, "Waa")],
      ["scaled by 1 + 1e-3", plantedBugs.scaled(c.grads, 1e-3)],
      ["scaled by 1 + 1e-7", plantedBugs.scaled(c.grads, 1e-7)],
    ] as const
  ) {
    const v = checkGradients(c.loss, c.params, grads);
    equal(v.ok, false, `${what} passed: ${v.summary}`);
  }
});

Deno.test("the gradient policy never passes NaN or infinity, and names where it is", () => {
  const c = cellCase(1);
  for (const bad of [NaN, Infinity]) {
    const dWaa = c.grads.Waa.mul(1);
    dWaa.data[7] = bad;
    const v = checkGradients(c.loss, c.params, { ...c.grads, Waa: dWaa });
    equal(v.ok, false);
    const p = v.params.find((q) => q.name === "Waa")!;
    equal(p.nonFinite?.index, 7);
    ok(v.summary.includes("Waa[7] is not finite"), v.summary);
  }
  const nanLoss = checkGradients(() => NaN, c.params, c.grads);
  equal(nanLoss.ok, false);
});

Deno.test("the gradient policy refuses what it cannot check", () => {
  const c = cellCase(1);
  throws(() => checkGradients(c.loss, {}, {}), /no parameters/);
  throws(() => checkGradients(c.loss, { Waa: c.params.Waa }, {}), /no analytic gradient for "Waa"/);
  throws(
    () => checkGradients(c.loss, { Waa: c.params.Waa }, { Waa: c.grads.Wax }),
    /gradient of "Waa" has shape \(5,3\), parameter has \(5,5\)/,
  );
  throws(
    () => checkGradients(() => 0, { e: NDArray.zeros([0, 3]) }, { e: NDArray.zeros([0, 3]) }),
    /parameter "e" is empty/,
  );
  throws(() => checkGradients(c.loss, c.params, c.grads, { h: -1 }), /step h must be a positive/);
});

Deno.test("the gradient policy's power holds entry by entry: an error of 8× the true truncation in any one entry is flagged", () => {
  // L = Σ exp(c·x): the true derivative c·e^{cx} and the central difference's true
  // truncation h²c³e^{cx}/6 are known in closed form, and with c = 10 truncation dominates
  // rounding, so a tolerance far looser than 2× truncation shows here, one entry at a time.
  const c = 10, h = 1e-3;
  const x = NDArray.linspace(0.6, 1, 6);
  const loss = () => x.data.reduce((s, v) => s + Math.exp(c * v), 0);
  const exact = () => NDArray.from([...x.data].map((v) => c * Math.exp(c * v)));
  const whole = checkGradients(loss, { x }, { x: exact() }, { h });
  ok(whole.ok, whole.summary);
  for (let i = 0; i < x.size; i++) {
    const truncation = (h * h * c ** 3 * Math.exp(c * x.data[i])) / 6;
    ok(truncation > 10 * whole.params[0].entries[i].rounding, `entry ${i}: rounding dominates`);
    const planted = exact();
    planted.data[i] += 8 * truncation;
    const v = checkGradients(loss, { x }, { x: planted }, { h });
    equal(v.ok, false, `entry ${i}: an error of 8× truncation passed: ${v.summary}`);
    equal(v.params[0].failures, 1, `entry ${i}: exactly the planted entry fails`);
    equal(v.params[0].worst.index, i);
  }
});

Deno.test("the gradient policy's own numbers: truncation = |D(2h) − D(h)|/3, tolerance = 2·truncation + 8σ_L/h", () => {
  // L = Σ c_i x_i³: the central difference is D(h) = 3c_i x_i² + c_i h² exactly, so the
  // truncation estimate must be |c_i|·h² and the tolerance 2|c_i|h² plus the rounding
  // allowance; with h = 1e-2 rounding (~1e-14/h) is far below truncation (~1e-4).
  const h = 1e-2;
  const c = NDArray.from([3, -2, 0.5, 1]);
  const x = NDArray.from([0.7, -1.1, 2, 0.3]);
  const loss = () => x.data.reduce((s, v, i) => s + c.data[i] * v ** 3, 0);
  const exact = NDArray.from([...x.data].map((v, i) => 3 * c.data[i] * v * v));
  const v = checkGradients(loss, { x }, { x: exact }, { h });
  ok(v.ok, v.summary);
  for (const e of v.params[0].entries) {
    const trunc = Math.abs(c.data[e.index]) * h * h;
    ok(
      Math.abs(e.truncation - trunc) <= 1e-6 * trunc,
      `entry ${e.index}: ${e.truncation} vs ${trunc}`,
    );
    ok(e.rounding < 1e-6 * trunc, `entry ${e.index}: rounding ${e.rounding} is negligible`);
    ok(
      Math.abs(e.tolerance - 2 * trunc) <= 1e-6 * trunc,
      `entry ${e.index}: tolerance ${e.tolerance}, 2·truncation ${2 * trunc}`,
    );
    equal(e.tolerance, 2 * e.truncation + e.rounding);
  }
  // Rounding alone: L = Σ x_i² (no truncation at all) plus a deterministic noise uniform in
  // [−a, a] (σ = a/√3) that changes with every evaluation point. The pooled noise must come out
  // near σ and the allowance be ROUNDING_SIGMAS·σ_L/h.
  const a = 1e-9, n = 400, h2 = 1e-4;
  const y = NDArray.linspace(-1, 1, n);
  const hash = (s: number) => {
    const t = Math.sin(s * 12.9898 + 78.233) * 43758.5453;
    return 2 * (t - Math.floor(t)) - 1;
  };
  const noisy = () => {
    let s = 0, k = 0;
    for (let i = 0; i < n; i++) {
      s += y.data[i] ** 2;
      k += y.data[i] * (i + 1) * 1e3;
    }
    return s + a * hash(k);
  };
  const r = checkGradients(noisy, { y }, { y: y.mul(2) }, { h: h2 });
  const sigma = a / Math.sqrt(3);
  ok(Math.abs(r.lossNoise - sigma) < 0.15 * sigma, `σ_L ${r.lossNoise} vs σ ${sigma}`);
  for (const e of r.params[0].entries) equal(e.rounding, (8 * r.lossNoise) / h2);
});

Deno.test("the gradient policy's smallest detectable relative error: min (tolerance + error)/|a|, and scale errors just above it are flagged", () => {
  const c = cellCase(3);
  const v = checkGradients(c.loss, c.params, c.grads);
  ok(v.ok, v.summary);
  let min = Infinity;
  for (const p of v.params) {
    for (const e of p.entries) {
      if (e.analytic !== 0) min = Math.min(min, (e.tolerance + e.error) / Math.abs(e.analytic));
    }
  }
  equal(v.smallestDetectable, min);
  ok(v.summary.endsWith(`detects a relative error ≥ ${min.toExponential(1)}`), v.summary);
  // What it promises: analytic·(1 ± 1.01 s) fails, whatever the sign.
  for (const s of [1.01 * min, -1.01 * min]) {
    const w = checkGradients(c.loss, c.params, plantedBugs.scaled(c.grads, s));
    equal(w.ok, false, `a relative error of ${s.toExponential(2)} passed`);
  }
});
