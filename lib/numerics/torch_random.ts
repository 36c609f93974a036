/**
 * PyTorch's CPU random generator, enough of it to start from the very weights
 * `torch.manual_seed(s); torch.nn.RNN(input, hidden)` produces (with `initTorchRnnParams` of
 * `../nn/torch_rnn.ts`).
 *
 * - `manualSeed(s)` seeds the same MT19937 as numpy's `RandomState` (init_genrand).
 * - A float32 `uniform_(from, to)` takes one 32-bit draw `u`, keeps 24 bits,
 *   `x = (u & 0xFFFFFF) · 2⁻²⁴`, and computes `x·(to − from) + from` in float32. Compiled for
 *   AVX2/AVX-512, the compiler fuses that into one FMA (one rounding); the portable kernel
 *   (`ATEN_CPU_CAPABILITY=default`) rounds the product and the sum separately. Both are here;
 *   fused is the default because that is what torch gives on any AVX2 machine.
 *
 * Why `Math.fround(x * range + from)` is a single correct rounding: `x` and `range` have 24
 * significant bits, so their product (48 bits) is exact in float64, and adding the float32
 * `from` (|from| < 2⁷ here) still fits in 53 bits — the float64 sum is exact, and `fround`
 * rounds it once, exactly like the FMA.
 *
 * ```ts
 * import { TorchGenerator } from "./torch_random.ts";
 * import { initTorchRnnParams } from "../nn/torch_rnn.ts";
 * import { equal } from "node:assert/strict";
 * const g = new TorchGenerator(123);
 * const p = initTorchRnnParams(g, { input_size: 4, hidden_size: 5 });
 * equal(p.weight_ih_l0.shape.join(","), "5,4");
 * equal(Math.fround(p.weight_ih_l0.get(0, 0)), p.weight_ih_l0.get(0, 0)); // float32 values
 * ```
 *
 * @module
 */

import { NDArray } from "./ndarray.ts";
import { RandomState } from "./random.ts";

/** How the float32 `x·(to − from) + from` is rounded. */
export type UniformKernel = "fused" | "portable";

/** `torch.Generator` on the CPU (MT19937), float32 uniform draws. */
export class TorchGenerator {
  private mt: RandomState;

  /** `torch.manual_seed(seed)`. */
  constructor(seed = 0, readonly kernel: UniformKernel = "fused") {
    this.mt = new RandomState(seed);
  }

  /** `torch.manual_seed(seed)`: restarts the stream. */
  manualSeed(seed: number): void {
    this.mt = new RandomState(seed);
  }

  /** One float32 draw of `uniform_(from, to)`, as a number. */
  uniform(from: number, to: number): number {
    const f = Math.fround(from);
    const range = Math.fround(Math.fround(to) - f);
    const x = (this.mt.nextUint32() & 0xffffff) * 2 ** -24;
    return this.kernel === "fused"
      ? Math.fround(x * range + f)
      : Math.fround(Math.fround(x * range) + f);
  }

  /** `torch.empty(shape).uniform_(from, to)`: float32 values (stored as float64) in order. */
  uniform_(shape: number[], from: number, to: number): NDArray {
    if (!(from <= to)) {
      throw new RangeError(`uniform_: expects from <= to, got from=${from} to=${to}`);
    }
    const out = NDArray.zeros(shape);
    for (let i = 0; i < out.size; i++) out.data[i] = this.uniform(from, to);
    return out;
  }
}
