import { deepEqual, equal, throws } from "node:assert/strict";
import {
  initTorchRnnParams,
  readDataJson,
  TorchGenerator,
  type UniformKernel,
} from "../lib/mod.ts";

interface KernelVectors {
  uniform: { seed: number; n: number; from: number; to: number; bits: number[] }[];
  rnn: {
    seed: number;
    input_size: number;
    hidden_size: number;
    params: Record<string, number[]>;
  }[];
}
const vectors = readDataJson<Record<UniformKernel, KernelVectors>>("torch/generator.json");
const bitsOf = (values: ArrayLike<number>) =>
  Array.from(new Uint32Array(Float32Array.from(values).buffer));

for (const kernel of ["fused", "portable"] as const) {
  Deno.test(`torch uniform_ (${kernel} kernel) matches real torch bit for bit`, () => {
    for (const c of vectors[kernel].uniform) {
      const got = new TorchGenerator(c.seed, kernel).uniform_([c.n], c.from, c.to);
      deepEqual(bitsOf(got.data), c.bits, `seed ${c.seed}, [${c.from}, ${c.to})`);
    }
  });
  Deno.test(`torch.nn.RNN initialisation (${kernel} kernel) matches real torch bit for bit`, () => {
    for (const c of vectors[kernel].rnn) {
      const p = initTorchRnnParams(new TorchGenerator(c.seed, kernel), c);
      for (const [name, bits] of Object.entries(c.params)) {
        deepEqual(bitsOf(p[name as keyof typeof p].data), bits, `${name}, seed ${c.seed}`);
      }
    }
  });
}

Deno.test("the two kernels differ where the range is not a power of two", () => {
  const fused = vectors.fused.uniform.find((c) => c.seed === 123)!;
  const portable = vectors.portable.uniform.find((c) => c.seed === 123)!;
  const differ = fused.bits.filter((b, i) => b !== portable.bits[i]).length;
  equal(differ > 0, true);
});

Deno.test("torch generator errors name the bad input", () => {
  throws(
    () => new TorchGenerator(0).uniform_([3], 1, 0),
    /uniform_: expects from <= to, got from=1 to=0/,
  );
  throws(
    () => initTorchRnnParams(new TorchGenerator(0), { input_size: 0, hidden_size: 5 }),
    /initTorchRnnParams: sizes must be positive integers, got \(0, 5\)/,
  );
  throws(() => new TorchGenerator(-1), /seed: -1 is not an integer/);
});
