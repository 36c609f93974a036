// Exercise 5, dlstm: dz_i forgets the input gate's derivative i(1 − i).
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
// expect-named: dlstm: dWi
import { gamma, type LstmCache, type LstmParams, NDArray } from "../../../../lib/mod.ts";

export function dlstm(
  params: LstmParams,
  dy: Float64Array,
  dh_next: Float64Array,
  dc_next: Float64Array,
  cache: LstmCache,
  grads: LstmParams,
): { dh_prev: Float64Array; dc_prev: Float64Array } {
  const { xh, f_sigm, i_sigm, g_tanh, o_sigm, c_tanh, c_old, h } = cache;
  const h_n = h.length;
  const o_n = dy.length;
  const rows = xh.length;
  const x_n = rows - h_n;
  // The dense layer: dWy += h ⊗ dy, dby += dy, dh = Wy · dy + dh_next.
  const dh = new Float64Array(h_n);
  for (let j = 0; j < h_n; j++) {
    let s = 0;
    for (let q = 0; q < o_n; q++) {
      grads.Wy.data[j * o_n + q] += h[j] * dy[q];
      s += params.Wy.data[j * o_n + q] * dy[q];
    }
    dh[j] = s + dh_next[j];
  }
  for (let q = 0; q < o_n; q++) grads.by.data[q] += dy[q];
  // The gates' pre-activations.
  const dz_o = new Float64Array(h_n);
  const dz_g = new Float64Array(h_n);
  const dz_i = new Float64Array(h_n);
  const dz_f = new Float64Array(h_n);
  const dc_prev = new Float64Array(h_n);
  for (let j = 0; j < h_n; j++) {
    const dc = dc_next[j] + o_sigm[j] * dh[j] * (1 - c_tanh[j] * c_tanh[j]);
    dz_o[j] = dh[j] * c_tanh[j] * o_sigm[j] * (1 - o_sigm[j]);
    dz_g[j] = dc * i_sigm[j] * (1 - g_tanh[j] * g_tanh[j]);
    dz_i[j] = dc * g_tanh[j];
    dz_f[j] = dc * c_old[j] * f_sigm[j] * (1 - f_sigm[j]);
    dc_prev[j] = f_sigm[j] * dc;
  }
  // dW += xh ⊗ dz, db += dz, dxh = Σ_gates W · dz.
  const dxh = new Float64Array(rows);
  const gates: [NDArray, NDArray, NDArray, Float64Array][] = [
    [params.Wf, grads.Wf, grads.bf, dz_f],
    [params.Wi, grads.Wi, grads.bi, dz_i],
    [params.Wg, grads.Wg, grads.bg, dz_g],
    [params.Wo, grads.Wo, grads.bo, dz_o],
  ];
  for (const [W, dW, db, dz] of gates) {
    for (let k = 0; k < rows; k++) {
      for (let j = 0; j < h_n; j++) {
        dW.data[k * h_n + j] += xh[k] * dz[j];
        dxh[k] += W.data[k * h_n + j] * dz[j];
      }
    }
    for (let j = 0; j < h_n; j++) db.data[j] += dz[j];
  }
  const dh_prev = dxh.slice(x_n);
  return { dh_prev, dc_prev };
}

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
  const base = run(params, h, c);
  const analytic = base.grads;
  const rho = gamma(50 * base.steps) * Math.abs(base.loss);
  const loss = () => run(params, h, c).loss;
  const numeric: Record<string, NDArray> = {};
  let ok = true;
  for (const [name, p] of Object.entries(params)) {
    const num = NDArray.zeros(p.shape);
    for (let i = 0; i < p.data.length; i++) {
      const old = p.data[i];
      const central = (d: number) => {
        p.data[i] = old + d;
        const plus = loss();
        p.data[i] = old - d;
        const minus = loss();
        p.data[i] = old;
        return (plus - minus) / (2 * d);
      };
      const n1 = central(delta);
      const n2 = central(2 * delta);
      num.data[i] = n1;
      const a = analytic[name].data[i];
      if (!(Math.abs(a - n1) <= Math.abs(n2 - n1) / 3 + 1.5 * rho / delta)) ok = false;
    }
    numeric[name] = num;
  }
  return { numeric, ok };
}
