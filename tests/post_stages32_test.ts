// lib/forensics/post_stages32.ts: the enclosures are supersets (every MatMul kernel lands inside),
// the admissible sets are exactly the float32 values that print as the text, and the stage
// enumerations can fail.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { admissible32, float32sIn, next32, numpyPrints32 } from "../lib/numerics/float32.ts";
import {
  dotEnclosure32,
  postInputs,
  softmaxStage,
  tanhStage,
} from "../lib/forensics/post_stages32.ts";
import { dotKernel32, MACHINE_KNOBS } from "../lib/forensics/tf_rnn32.ts";
import { RandomState } from "../lib/numerics/random.ts";

Deno.test("admissible32: every float32 numpy prints as the text, and neither neighbour of the run", () => {
  for (const text of ["0.01066787", "-0.02345729", "0.3758163", "0.11136916", "0."]) {
    const run = admissible32(text);
    ok(run.length >= 1, text);
    for (const v of run) equal(numpyPrints32(v), text);
    if (text !== "0.") {
      ok(numpyPrints32(next32(run[0], -1)) !== text, `below the run of ${text}`);
      ok(numpyPrints32(next32(run.at(-1)!, 1)) !== text, `above the run of ${text}`);
    }
  }
  equal(admissible32("0.01066787").length, 11);
  equal(admissible32("0.3758163").length, 1);
  throws(() => admissible32("0.375816300"), /not a numpy float32 print/);
  throws(() => admissible32("abc"), /not a finite number/);
});

Deno.test("float32sIn: every float32 of a closed interval, in order, none outside", () => {
  const xs = float32sIn(0.1, 0.1000001);
  ok(xs[0] >= 0.1 && next32(xs[0], -1) < 0.1);
  ok(xs.at(-1)! <= 0.1000001 && next32(xs.at(-1)!, 1) > 0.1000001);
  for (let i = 1; i < xs.length; i++) equal(xs[i], next32(xs[i - 1], 1));
  throws(() => float32sIn(1, 0), /not a finite interval/);
});

Deno.test("dotEnclosure32 contains what every MatMul kernel computes, for random float32 inputs", () => {
  const rng = new RandomState(7);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + (trial % 7);
    const a = [...rng.randn(n).data].map(Math.fround);
    const b = [...rng.randn(n).data].map(Math.fround);
    const box = dotEnclosure32(a.map((v) => [v]), b.map((v) => [v]));
    for (const kind of MACHINE_KNOBS.matmul) {
      const d = dotKernel32(a, b, kind);
      ok(box[0] <= d && d <= box.at(-1)!, `trial ${trial}, ${kind}: ${d} outside the enclosure`);
    }
    // and in reverse order, as a transposed kernel might run
    for (const kind of MACHINE_KNOBS.matmul) {
      const d = dotKernel32([...a].reverse(), [...b].reverse(), kind);
      ok(box[0] <= d && d <= box.at(-1)!, `trial ${trial}, ${kind} reversed`);
    }
  }
});

Deno.test("the tanh stage can fail: a printed h of 0.3758 is reached by no kernel", () => {
  const inp = postInputs();
  const rows = tanhStage(inp);
  const real = rows.find((r) => r.name === "h_seq[1][0]")!;
  deepEqual(Object.values(real.reaching).map((z) => z.length > 0), [true, false, false, true]);
  inp.printed.h_seq = inp.printed.h_seq.map((t, i) => (i === 2 ? "0.3758" : t));
  const moved = tanhStage(inp).find((r) => r.name === "h_seq[1][0]")!;
  ok(Object.values(moved.reaching).every((z) => z.length === 0));
});

Deno.test("the softmax stage: the last row prints under every kernel, the first two under none", () => {
  const rows = softmaxStage(postInputs());
  deepEqual(rows.map((r) => r.reproducing.length), [0, 0, 24]);
  deepEqual(rows.map((r) => r.expDeparture), [1, 1, 0]);
});

Deno.test("the softmax stage with an entry pinned to one of its admissible float32 values", () => {
  const inp = postInputs();
  const [lower, upper] = admissible32(inp.printed.output_seq[8]);
  const row = (v: number) => softmaxStage(inp, "output_seq", { 8: v })[2];
  const up = row(upper);
  ok(up.reproducing.length > 0 && up.reproducing.every((k) => k.startsWith("Eigen+FMA")));
  equal(up.expDeparture, 1);
  // pinning only narrows: each pinned row's kernels are among the unpinned row's
  const unpinned = new Set(softmaxStage(inp)[2].reproducing);
  ok([...up.reproducing, ...row(lower).reproducing].every((k) => unpinned.has(k)));
  ok(row(lower).reproducing.length > 0, "the lower value is printed by some kernel");
});
