// Exercise 10, gru_backward: each step sees only its own dh[t].
// One mistake in an otherwise correct solution (00_correct.ts), as a learner might make it.
// expect: rejected
// expect-named: carry dropped
import { NDArray, sigmoid } from "../../../../lib/mod.ts";

/** The GRU's parameters, named as PyTorch's documentation of `torch.nn.GRU` names them. */
export interface GruParams {
  W_ir: NDArray;
  W_iz: NDArray;
  W_in: NDArray;
  W_hr: NDArray;
  W_hz: NDArray;
  W_hn: NDArray;
  b_ir: NDArray;
  b_iz: NDArray;
  b_in: NDArray;
  b_hr: NDArray;
  b_hz: NDArray;
  b_hn: NDArray;
}

/** What one forward step keeps: its inputs, its gates, m = W_hn h + b_hn, and the parameters. */
export interface GruCache {
  x: NDArray;
  h_prev: NDArray;
  r: NDArray;
  z: NDArray;
  n: NDArray;
  m: NDArray;
  params: GruParams;
}

/** Given: one step forward. x (n_x, m), h_prev (n_h, m) → h_next (n_h, m) and the cache. */
export function gru_cell_forward(
  x: NDArray,
  h_prev: NDArray,
  params: GruParams,
): { h_next: NDArray; cache: GruCache } {
  const p = params;
  const r = sigmoid(p.W_ir.dot(x).add(p.b_ir).add(p.W_hr.dot(h_prev)).add(p.b_hr));
  const z = sigmoid(p.W_iz.dot(x).add(p.b_iz).add(p.W_hz.dot(h_prev)).add(p.b_hz));
  const m = p.W_hn.dot(h_prev).add(p.b_hn);
  const n = p.W_in.dot(x).add(p.b_in).add(r.mul(m)).tanh();
  const h_next = z.neg().add(1).mul(n).add(z.mul(h_prev));
  return { h_next, cache: { x, h_prev, r, z, n, m, params } };
}

export function gru_cell_backward(
  dh_next: NDArray,
  cache: GruCache,
): { dx: NDArray; dh_prev: NDArray; grads: GruParams } {
  const { x, h_prev: h, r, z, n, m, params: p } = cache;
  const dn = dh_next.mul(z.neg().add(1)); // δn = δh' ⊙ (1 − z)
  const dz = dh_next.mul(h.sub(n)); // δz = δh' ⊙ (h − n)
  const da_n = dn.mul(n.square().neg().add(1)); // δa_n = δn ⊙ (1 − n²)
  const dr = da_n.mul(m); // δr = δa_n ⊙ m
  const dm = da_n.mul(r); // δm = δa_n ⊙ r
  const da_z = dz.mul(z).mul(z.neg().add(1)); // δa_z = δz ⊙ z ⊙ (1 − z)
  const da_r = dr.mul(r).mul(r.neg().add(1)); // δa_r = δr ⊙ r ⊙ (1 − r)
  const grads: GruParams = {
    W_ir: da_r.dot(x.T),
    W_iz: da_z.dot(x.T),
    W_in: da_n.dot(x.T),
    W_hr: da_r.dot(h.T),
    W_hz: da_z.dot(h.T),
    W_hn: dm.dot(h.T),
    b_ir: da_r.sum(1, true),
    b_iz: da_z.sum(1, true),
    b_in: da_n.sum(1, true),
    b_hr: da_r.sum(1, true),
    b_hz: da_z.sum(1, true),
    b_hn: dm.sum(1, true),
  };
  const dx = p.W_in.T.dot(da_n).add(p.W_iz.T.dot(da_z)).add(p.W_ir.T.dot(da_r));
  const dh_prev = dh_next.mul(z)
    .add(p.W_hn.T.dot(dm))
    .add(p.W_hz.T.dot(da_z))
    .add(p.W_hr.T.dot(da_r));
  return { dx, dh_prev, grads };
}

/** The sum, key by key, of two gradient records. */
function sumGrads(a: GruParams, b: GruParams): GruParams {
  return Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k, v.add(b[k as keyof GruParams])]),
  ) as unknown as GruParams;
}

export function gru_backward(
  dh: NDArray[],
  caches: GruCache[],
): { dx: NDArray[]; dh0: NDArray; grads: GruParams } {
  const T = caches.length;
  const dx: NDArray[] = [];
  let carry = NDArray.zeros(dh[0].shape);
  let grads: GruParams | null = null;
  for (let t = T - 1; t >= 0; t--) {
    const step = gru_cell_backward(dh[t], caches[t]);
    dx[t] = step.dx;
    grads = grads === null ? step.grads : sumGrads(grads, step.grads);
    carry = step.dh_prev;
  }
  return { dx, dh0: carry, grads: grads! };
}
