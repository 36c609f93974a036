import { equal, ok, throws } from "node:assert/strict";
import { fma32, ulps32 } from "../lib/numerics/float32.ts";
import {
  cudaExpf32,
  cudaTanhf32,
  eigenExp32,
  eigenTanh32,
  madd32,
} from "../lib/forensics/vendor_math32.ts";
import { allMachines, dotKernel32 } from "../lib/forensics/tf_rnn32.ts";

const f = Math.fround;
const grid = Array.from({ length: 2001 }, (_, i) => f(-4 + i * 0.004));

Deno.test("eigenTanh32 (with and without FMA) is within 4 float32 ULPs of tanh on [-4, 4] (its source: a couple of ulps)", () => {
  for (const fused of [false, true]) {
    for (const x of grid) {
      const d = Math.abs(ulps32(f(Math.tanh(x)), eigenTanh32(x, fused)));
      ok(d <= 4, `x=${x} fused=${fused}: ${d} ULPs`);
    }
  }
  equal(eigenTanh32(f(0.0001), false), f(0.0001));
  equal(eigenTanh32(f(20), false), eigenTanh32(f(7.90531110763549805), false));
});

Deno.test("eigenExp32 is within 2 float32 ULPs of exp on [-4, 4]; exp(0) = 1", () => {
  for (const fused of [false, true]) {
    for (const x of grid) {
      const d = Math.abs(ulps32(f(Math.exp(x)), eigenExp32(x, fused)));
      ok(d <= 2, `x=${x} fused=${fused}: ${d} ULPs`);
    }
    equal(eigenExp32(0, fused), 1);
  }
});

Deno.test("cudaTanhf32 and cudaExpf32 are within 2 float32 ULPs of tanh and exp", () => {
  for (const x of grid) {
    ok(Math.abs(ulps32(f(Math.tanh(x)), cudaTanhf32(x))) <= 2, `tanh ${x}`);
    ok(Math.abs(ulps32(f(Math.exp(x)), cudaExpf32(x))) <= 2, `exp ${x}`);
  }
  ok(Object.is(cudaTanhf32(-0), -0));
  equal(cudaTanhf32(f(-0.3)), -cudaTanhf32(f(0.3)));
});

Deno.test("madd32: fused is fma32, unfused rounds the product first", () => {
  const a = f(1 + 2 ** -12);
  equal(madd32(a, a, -1, true), fma32(a, a, -1));
  equal(madd32(a, a, -1, false), f(f(a * a) - 1));
  throws(() => eigenTanh32(0.1, false), /not a float32/);
});

Deno.test("dotKernel32: acc4 adds four products as (p0+p1)+(p2+p3); fma chains from 0", () => {
  const x = [1, 2 ** -24, 2 ** -24, -1].map(f), y = [1, 1, 1, 1];
  // sequential: ((1 + 2^-24) + 2^-24) - 1 = 0 (ties to even); pairwise: (1 + 2^-24) + (2^-24 - 1)
  equal(dotKernel32(x, y, "seq"), 0);
  equal(dotKernel32(x, y, "acc4"), f(f(1 + 2 ** -24) + f(2 ** -24 - 1)));
  const a = f(1 + 2 ** -12);
  equal(dotKernel32([a, f(-1)], [a, 1], "fma"), fma32(f(-1), 1, fma32(a, a, 0)));
  equal(allMachines().length, 1024);
});
