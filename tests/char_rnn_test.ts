import { ok } from "node:assert/strict";
import { charRnnSetup, charRnnStep } from "../bench/char_rnn.ts";
import { gamma } from "../lib/numerics/published.ts";

Deno.test("bench's min-char-rnn kernels: gradients = central differences (sampled entries)", () => {
  const m = charRnnSetup();
  const { grads, loss } = charRnnStep(m);
  // Rounding of each loss evaluation (ρ ≤ γ_{50T}|L|, T = 25 steps), divided by the step h.
  const rounding = (1.5 * gamma(50 * 25) * loss) / 1e-5;
  for (const name of ["Wxh", "Whh", "Why", "bh", "by"] as const) {
    const w = m[name];
    for (const ix of [0, 7, Math.floor(w.length / 2), w.length - 1]) {
      const old = w[ix];
      w[ix] = old + 1e-5;
      const lp = charRnnStep(m).loss;
      w[ix] = old - 1e-5;
      const lm = charRnnStep(m).loss;
      w[ix] = old;
      const n = (lp - lm) / 2e-5, a = grads![name][ix];
      ok(
        Math.abs(a - n) <= 1e-7 * (Math.abs(a) + Math.abs(n)) + rounding,
        `${name}[${ix}]: ${a} vs ${n}`,
      );
    }
  }
});
