/**
 * lib/forensics/tf_rnn32.ts's float32 machines against the float64 model of lib/nn/simple_rnn.ts:
 * every one of the 1024 machines computes every quantity the post printed (forward, the tape's
 * gradients, the hand-written `my_…` ones) within float32 roundoff of the float64 values, on seeded
 * inputs that are not the post's. The machines differ from each other in the last bits only; a slip
 * in the recurrence (the first backward step, the carry, an outer product's order) is off by far
 * more than that.
 */
import { ok } from "node:assert/strict";
import { NDArray, RandomState, simpleRnnBackward, simpleRnnLoss } from "../lib/mod.ts";
import { allMachines, candidates32, runCandidate32, runPost32 } from "../lib/forensics/tf_rnn32.ts";

const T = 3, NI = 4, NH = 2, NO = 3;

function inputs(seed: number) {
  const r = new RandomState(seed);
  const f32 = (n: number, s = 1) => [...r.randn(n).data].map((v) => Math.fround(s * v));
  const Y = Array(T * NO).fill(0);
  for (let t = 0; t < T; t++) Y[t * NO + ((seed + t) % NO)] = 1;
  return {
    X: f32(T * NI),
    h0: f32(NH, 0.5),
    U: f32(NI * NH, 0.7),
    W: f32(NH * NH, 0.7),
    b: f32(NH, 0.1),
    V: f32(NH * NO, 0.9),
    c: f32(NO, 0.1),
    Y,
  };
}

/** The float64 values of the post's quantities, flattened row-major like runPost32's. */
function reference(inp: ReturnType<typeof inputs>) {
  const nd = (v: number[], shape: number[]) => new NDArray(Float64Array.from(v), shape);
  const p = {
    U: nd(inp.U, [NI, NH]),
    W: nd(inp.W, [NH, NH]),
    b: nd(inp.b, [NH]),
    V: nd(inp.V, [NH, NO]),
    c: nd(inp.c, [NO]),
  };
  const y = nd(inp.Y, [T, NO]);
  const f = simpleRnnLoss(p, nd(inp.X, [T, NI]), nd(inp.h0, [NH]), y);
  const { grads: g, delta } = simpleRnnBackward(f.dOutputs, f.cache);
  const flat = (a: NDArray) => [...a.data];
  const grads = {
    dl_dV: flat(g.V),
    dl_dc: flat(g.c),
    delta_1: flat(delta.take(0, 0)),
    dl_dW: flat(g.W),
    dl_db: flat(g.b),
    dl_dU: flat(g.U),
  };
  return {
    h_seq: flat(f.h),
    output_seq: flat(f.yhat),
    my_seqout: flat(f.yhat),
    ...grads,
    ...Object.fromEntries(Object.entries(grads).map(([k, v]) => [`my_${k}`, v])),
  } as Record<string, number[]>;
}

Deno.test("every float32 machine's forward pass and gradients = the float64 model's, to float32 roundoff", () => {
  const machines = allMachines();
  ok(machines.length === 1024);
  for (const seed of [1, 2, 3]) {
    const inp = inputs(seed);
    const ref = reference(inp);
    for (const m of machines) {
      const out = runPost32(m, inp);
      for (const [key, want] of Object.entries(ref)) {
        const got = out[key];
        ok(got && got.length === want.length, `seed ${seed}, ${key}: ${got?.length} entries`);
        const scale = Math.max(1, ...want.map(Math.abs));
        for (let i = 0; i < want.length; i++) {
          // ~30 float32 operations deep: 64 units of 2⁻²⁴ of the quantity's scale
          const err = Math.abs(got[i] - want[i]);
          ok(
            err <= 64 * 2 ** -24 * scale,
            `seed ${seed}, ${JSON.stringify(m)}: ${key}[${i}] = ${got[i]}, float64 ${want[i]} ` +
              `(|error| ${err.toExponential(1)})`,
          );
        }
      }
    }
  }
});

Deno.test("each of lesson 9's candidate arithmetics (candidates32), tape and hand gradients summed either way, = the float64 model's, to float32 roundoff", () => {
  const candidates = candidates32();
  ok(candidates.length === 9);
  for (const seed of [1, 2, 3]) {
    const inp = inputs(seed);
    const ref = reference(inp);
    for (const a of candidates) {
      for (const tape of [true, false]) {
        for (const reverse of [true, false]) {
          const out = runCandidate32(a, inp, tape, reverse);
          for (const [key, want] of Object.entries(ref)) {
            const got = out[key];
            ok(got && got.length === want.length, `seed ${seed}, ${key}: ${got?.length} entries`);
            const scale = Math.max(1, ...want.map(Math.abs));
            for (let i = 0; i < want.length; i++) {
              const err = Math.abs(got[i] - want[i]);
              ok(
                err <= 64 * 2 ** -24 * scale,
                `seed ${seed}, ${a.label}, ${tape ? "tape" : "hand"}, reverse ${reverse}: ` +
                  `${key}[${i}] = ${got[i]}, float64 ${want[i]} (|error| ${err.toExponential(1)})`,
              );
            }
          }
        }
      }
    }
  }
});
