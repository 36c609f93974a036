// %% [markdown]
// # 8 · The last digits: which arithmetic printed the gradients
//
// *Optional: floating-point forensics.* Lessons 1–7 teach the gradients and how to check
// them; lessons 8 and 9 ask what the last printed digits say about the machine that printed
// them. Read them if you want to know why two correct programs disagree in the last bits —
// and why that must shape every tolerance you set.
//
// Lesson 1 reproduced document 000's four gradients printed with every digit
// (`dxt[1][2]`, `da_prev[2][3]`, `dWax[3][1]`, `dWaa[1][2]`) only *within a roundoff bound*:
// our plain loops landed 0, −30, 0 and +2 units in the last place away, numpy on this machine
// 1, 4, 2 and −2. Both are correct programs. But the printed numbers were produced by one
// particular arithmetic on the author's machine, and in this lesson we find it and reproduce
// all four numbers **bit for bit**: a difference of exactly zero.
//
// On the way: what a unit in the last place is, the three reasons two correct programs
// disagree in the last digits, a systematic search through the candidate arithmetics, the
// same question for numpy's gaussians (answered by glibc's `log`), and what all this means
// when you check a gradient.

// %%
import {
  arithmeticLabel,
  DOT_ORDERS,
  type DotArithmetic,
  dotIn,
  fma,
  gamma,
  glibcLog,
  hasFusedVariant,
  heatmap,
  Lesson,
  matmulIn,
  NDArray,
  nextDouble,
  parseHexFloat,
  plot,
  pyRepr,
  RandomState,
  readDataJson,
  showTable,
  ulpDistance,
  ulpOf,
  UNIT_ROUNDOFF,
  wrapLine,
} from "../lib/mod.ts";

const lesson = new Lesson(8);

// The inputs of lesson 1: the rnn_cell_backward test cell (seed 1) with the `ba` that the
// earlier rnn_forward test cell left behind.
const rng = new RandomState(1);
const xt = rng.randn(3, 10);
const a_prev = rng.randn(5, 10);
const Wax = rng.randn(5, 3);
const Waa = rng.randn(5, 5);
rng.randn(2, 5); // Wya: not needed for these gradients
rng.randn(5, 1); // the cell's own b, never used
rng.randn(2, 1); // by
const da_next = rng.randn(5, 10);
const ba = (() => {
  const r = new RandomState(1);
  r.randn(3, 10, 4); // x
  r.randn(5, 10); // a0
  r.randn(5, 5); // Waa
  r.randn(5, 3); // Wax
  r.randn(2, 5); // Wya
  return r.randn(5, 1); // ba
})();

const printed = [
  { name: 'gradients["dxt"][1][2]', key: "dxt" },
  { name: 'gradients["da_prev"][2][3]', key: "da_prev" },
  { name: 'gradients["dWax"][3][1]', key: "dWax" },
  { name: 'gradients["dWaa"][1][2]', key: "dWaa" },
] as const;
const publishedOf = (name: string) => lesson.publishedValue(name).value as number;

// %% [markdown]
// ## What a ULP is
//
// A float64 has 53 significant bits. Between $2^e$ and $2^{e+1}$ the doubles are evenly
// spaced, $2^{e-52}$ apart: that spacing is one **ULP** (unit in the last place) of every
// number in that range. Near 0.46 one ULP is $2^{-54}\approx 5.6\cdot10^{-17}$; near 0.084 it
// is four times smaller. Python's `repr` prints the *shortest* decimal that reads back as
// the same double, so a printed `-0.4605641030588796` names exactly one double, and its
// neighbours print differently. Counting the doubles between two numbers gives their
// distance in ULPs — the natural unit for "how different are the last digits".

// %%
const dxtPrinted = publishedOf('gradients["dxt"][1][2]');
console.log("the double below:", pyRepr(nextDouble(dxtPrinted, -1)));
console.log("the printed one: ", pyRepr(dxtPrinted));
console.log("the double above:", pyRepr(nextDouble(dxtPrinted, 1)));
for (const { name } of printed) {
  const v = publishedOf(name);
  console.log(
    `${name.padEnd(28)} one ULP = 2^${Math.log2(ulpOf(v))} = ${ulpOf(v).toExponential(3)}`,
  );
}
lesson.check(
  "the printed dxt's neighbours are one ULP away",
  [
    ulpDistance(dxtPrinted, nextDouble(dxtPrinted, 1)),
    ulpDistance(dxtPrinted, nextDouble(dxtPrinted, -1)),
  ],
  [1, -1],
  { tolerance: 0, against: "ulpDistance (bit patterns) vs nextDouble" },
);

// %% [markdown]
// ## Why two correct programs differ in the last digits
//
// Every float64 operation rounds its exact result to the nearest double: it is *correctly rounded*,
// an error of at most half an ULP. A program is a sequence of such roundings, and three things
// change which roundings happen:
//
// 1. **The order of the additions.** Addition of doubles is not associative. BLAS kernels
//    split a dot product into SIMD lanes, or walk it in blocks; a plain loop goes left to
//    right.
// 2. **Fused or separate multiply-adds.** On CPUs with FMA, `s + x·y` can be one
//    instruction with one rounding instead of two. JavaScript has no `fma`, so we wrote one,
//    `lib/numerics/fma.ts`, tested against exact rational arithmetic. It combines an
//    *error-free transformation* (a few operations that return a product's or a sum's rounded
//    value together with its exact rounding error, as two doubles) with a *round-to-odd* step
//    (an inexact intermediate sum is rounded to the neighbour whose last bit is odd, so that
//    the one rounding after it gives the correctly rounded result: Boldo and Melquiond's
//    proof), and falls back to exact integers where that cannot work.
// 3. **The math library.** `tanh` is not an exact operation; each library rounds its own
//    approximation. V8 ships a port of fdlibm, glibc has its own, numpy has SIMD loops.
//
// One small example of each:

// %%
console.log(
  "(0.1 + 0.2) + 0.3 =",
  pyRepr((0.1 + 0.2) + 0.3),
  "  0.1 + (0.2 + 0.3) =",
  pyRepr(0.1 + (0.2 + 0.3)),
);
console.log(
  "0.1 * 10 - 1 =",
  pyRepr(0.1 * 10 - 1),
  "  fma(0.1, 10, -1) =",
  pyRepr(fma(0.1, 10, -1)),
);

interface TanhReference {
  z: Record<string, { z: string[]; tanh_libm: string[]; tanh_numpy: string[] }>;
  sweep: { x: string[]; tanh_libm: string[]; tanh_numpy: string[] };
  provenance: { libc: string; numpy: string };
}
const tanhRef = readDataJson<TanhReference>("last_digits/tanh_reference.json");
const nums = (s: string[]) => s.map(Number);
const tanhInputs = [
  ...nums(tanhRef.sweep.x),
  ...Object.values(tanhRef.z).flatMap((v) => nums(v.z)),
];
const glibcTanh = [
  ...nums(tanhRef.sweep.tanh_libm),
  ...Object.values(tanhRef.z).flatMap((v) => nums(v.tanh_libm)),
];
const numpyTanh = [
  ...nums(tanhRef.sweep.tanh_numpy),
  ...Object.values(tanhRef.z).flatMap((v) => nums(v.tanh_numpy)),
];
const v8Tanh = tanhInputs.map(Math.tanh);
const ulpsFrom = (ours: number[], theirs: number[]) =>
  ours.map((v, i) => ulpDistance(theirs[i], v));
const v8VsGlibc = ulpsFrom(v8Tanh, glibcTanh);
const v8VsNumpy = ulpsFrom(v8Tanh, numpyTanh);
const tally = (d: number[]) => ({
  differ: d.filter((x) => x !== 0).length,
  maxUlps: Math.max(...d.map(Math.abs)),
});
console.log(
  `tanh on ${tanhInputs.length} inputs (1500 seeded in [-6, 6] and [-0.05, 0.05], and this cell's z):`,
);
console.log(
  `  V8 Math.tanh vs ${tanhRef.provenance.libc} tanh: ${tally(v8VsGlibc).differ} differ`,
);
console.log(
  `  V8 Math.tanh vs numpy ${tanhRef.provenance.numpy} np.tanh (SIMD loop): ${
    tally(v8VsNumpy).differ
  } differ, by at most ${tally(v8VsNumpy).maxUlps} ULP`,
);
lesson.value("tanh_v8_vs_glibc", tally(v8VsGlibc));
lesson.value("tanh_v8_vs_numpy_simd", tally(v8VsNumpy));
lesson.check(`V8 Math.tanh = glibc tanh on ${tanhInputs.length} inputs`, v8Tanh, glibcTanh, {
  tolerance: 0,
  against: "Python's math.tanh (glibc's libm), tools/gen_last_digits_reference.py",
});

// %% [markdown]
// So for `tanh` there are really two candidates here: the C library's (V8's agrees with glibc's on
// every input we tried, this cell's included) and numpy's own SIMD loop, which this machine's numpy
// uses (it has AVX-512, the x86 instructions on 512-bit registers, eight doubles at once) and which
// differs in more than a quarter of the inputs, by one or two ULPs. Whoever printed the gradients
// ran some numpy's `tanh` on some CPU, and which loop it took is part of the question.
//
// ## The candidate search
//
// The printed entries are the last step of a chain: $z = W_{ax}x + W_{aa}a_{prev} + b_a$ (two
// matrix products of 3 and 5 terms per entry), $a = \tanh z$, $d = (1-a\cdot a)\odot da_{next}$
// (elementwise, one rounding per operation, no choice there), then one dot product per
// printed entry: $\sum_k (W_{ax})_{k1} d_{k2}$ over 5 terms for `dxt[1][2]`,
// $\sum_k (W_{aa})_{k2} d_{k3}$ for `da_prev[2][3]`, $\sum_k d_{3k}\,x_{1k}$ over 10 terms for
// `dWax[3][1]` and $\sum_k d_{1k}\,(a_{prev})_{2k}$ for `dWaa[1][2]`.
//
// A candidate arithmetic is a choice for each stage: the forward products' order and
// fusing, the `tanh`, and the backward products' order and fusing. The orders: sequential,
// reverse, pairwise, 2, 4 or 8 SIMD-style lanes, and the exact sum rounded once; each but
// pairwise and exact with or without fused multiply-adds. numpy's SIMD `tanh` we can only
// use where `tools/gen_last_digits_reference.py` recorded it, for the $z$ of the sequential
// orders. We compute every combination, and for each the four entries' distances in ULPs
// from the printed values.

// %%
type TanhLib = "libm" | "numpy SIMD";
interface Recipe {
  forward: DotArithmetic;
  tanh: TanhLib;
  backward: DotArithmetic;
}
const arithmetics: DotArithmetic[] = DOT_ORDERS.flatMap((order) =>
  hasFusedVariant(order) ? [{ order }, { order, fused: true }] : [{ order }]
);
const numpyTanhOf = new Map<number, number>();
for (const v of Object.values(tanhRef.z)) {
  v.z.forEach((z, i) => numpyTanhOf.set(Number(z), Number(v.tanh_numpy[i])));
}

function preActivation(f: DotArithmetic): NDArray {
  return matmulIn(Wax, xt, f).add(matmulIn(Waa, a_prev, f)).add(ba);
}
/** The four printed entries under one recipe (null when numpy's tanh of its z is unknown). */
function entries(r: Recipe): number[] | null {
  const z = preActivation(r.forward);
  if (r.tanh === "numpy SIMD" && ![...z.data].every((v) => numpyTanhOf.has(v))) return null;
  const a = z.map((v) => (r.tanh === "libm" ? Math.tanh(v) : numpyTanhOf.get(v)!));
  const d = a.square().neg().add(1).mul(da_next);
  const col = (m: NDArray, j: number) => m.take(1, j).data;
  const row = (m: NDArray, i: number) => m.take(0, i).data;
  return [
    dotIn(col(Wax, 1), col(d, 2), r.backward),
    dotIn(col(Waa, 2), col(d, 3), r.backward),
    dotIn(row(d, 3), row(xt, 1), r.backward),
    dotIn(row(d, 1), row(a_prev, 2), r.backward),
  ];
}
const label = (r: Recipe) =>
  `z: ${arithmeticLabel(r.forward)} · tanh: ${r.tanh} · backward: ${arithmeticLabel(r.backward)}`;

interface Outcome {
  recipe: Recipe;
  values: number[];
  ulps: number[];
}
const outcomes: Outcome[] = [];
for (const forward of arithmetics) {
  for (const tanh of ["libm", "numpy SIMD"] as TanhLib[]) {
    for (const backward of arithmetics) {
      const recipe = { forward, tanh, backward };
      const values = entries(recipe);
      if (values === null) continue;
      const ulps = values.map((v, i) => ulpDistance(publishedOf(printed[i].name), v));
      outcomes.push({ recipe, values, ulps });
    }
  }
}
const exactHits = outcomes.filter((o) => o.ulps.every((u) => u === 0));
console.log(
  `${outcomes.length} candidate arithmetics; ${exactHits.length} reproduce all four printed values with 0 ULPs:`,
);
for (const o of exactHits) console.log("  " + label(o.recipe));
lesson.check(
  "every arithmetic that reproduces all four has a fused sequential backward and libm tanh",
  [
    exactHits.length > 0 ? 1 : 0,
    ...exactHits.map((o) =>
      o.recipe.backward.order === "sequential" && o.recipe.backward.fused &&
        o.recipe.tanh === "libm"
        ? 1
        : 0
    ),
  ],
  [1, ...exactHits.map(() => 1)],
  { tolerance: 0, against: "the candidate search above (at least one hit required)" },
);
lesson.value(
  "candidates",
  outcomes.map((o) => ({
    forward: arithmeticLabel(o.recipe.forward),
    tanh: o.recipe.tanh,
    backward: arithmeticLabel(o.recipe.backward),
    ulps: Object.fromEntries(printed.map((p, i) => [p.key, o.ulps[i]])),
  })),
);
lesson.value("candidates_reproducing_all_four", exactHits.map((o) => label(o.recipe)));

// %% [markdown]
// The whole table has too many rows to read, so here are its two informative slices: the
// backward arithmetic varied with the forward one fixed at a fused sequential $z$ and the
// C library's `tanh`, and then the forward arithmetic and the `tanh` varied with the
// backward one fixed at fused sequential.

// %%
const fusedSequential: DotArithmetic = { order: "sequential", fused: true };
const same = (a: DotArithmetic, b: DotArithmetic) =>
  a.order === b.order && (a.fused ?? false) === (b.fused ?? false);
const ulpRow = (o: Outcome) => Object.fromEntries(printed.map((p, i) => [p.key, o.ulps[i]]));
const byBackward = outcomes.filter((o) =>
  same(o.recipe.forward, fusedSequential) && o.recipe.tanh === "libm"
);
await showTable(
  byBackward.map((o) => ({
    "backward dot products": arithmeticLabel(o.recipe.backward),
    ...ulpRow(o),
  })),
  { title: "ULPs from the printed values; z: sequential, fused; tanh: libm" },
);
const byForward = outcomes.filter((o) => same(o.recipe.backward, fusedSequential));
await showTable(
  byForward.map((o) => ({
    "z (forward products)": arithmeticLabel(o.recipe.forward),
    tanh: o.recipe.tanh,
    ...ulpRow(o),
  })),
  { title: "ULPs from the printed values; backward: sequential, fused" },
);
const forwardHits = byForward.filter((o) => o.ulps.every((u) => u === 0));
console.log(
  wrapLine(
    `forward arithmetics that give all four printed values: ${forwardHits.length} (${
      forwardHits.map((o) => arithmeticLabel(o.recipe.forward)).join("; ")
    })`,
  ),
);
await plot(
  heatmap({
    title: "ULPs from the printed values, by backward arithmetic (z: sequential, fused; libm tanh)",
    rows: byBackward.map((o) => arithmeticLabel(o.recipe.backward)),
    cols: printed.map((p) => p.key),
    values: byBackward.map((o) => o.ulps),
    absolute: true,
    colorTitle: "|ULPs|",
    format: String,
  }),
  "lesson08_candidates",
);

// %% [markdown]
// One backward arithmetic, and only one, lands on all four printed doubles: each dot
// product accumulated **left to right with a fused multiply-add per term**, fed by the C
// library's `tanh` (in the full search too, every hit has this backward arithmetic and
// this `tanh`). That is how a BLAS `dgemm` micro-kernel on an x86-64 CPU with FMA computes
// each entry of its output tile (`vfmadd231pd` along $k$, the vector lanes running over
// *different* entries of the tile, not over the terms of one sum), and `np.dot` on 2-D
// arrays calls `dgemm`. For the forward $z$ the data narrow less: with 3 and 5 terms per
// entry several orders round alike, and five forward arithmetics (fused sequential among
// them, which is what numpy computes here, as checked below) give the very same four
// gradients, while sequential with separate roundings, reverse, and 2 or 4 lanes miss.
// numpy's SIMD `tanh` misses with every arithmetic: the author's numpy computed a `tanh`
// that agrees with the C library's on these inputs (numpy's float64 `tanh` was the C
// library's before its SIMD loops arrived in later releases).
//
// Two independent confirmations. Our fused sequential $z$ (with our `fma`) is bit for bit
// the one Python computes with exact fractions, and the one this machine's numpy computes
// with OpenBLAS. And with numpy's SIMD `tanh` the same recipe reproduces, bit for bit,
// what numpy prints on this machine — lesson 1's "numpy here" column, 1, 4, 2 and −2 ULPs
// off: the whole difference between numpy here and the printed numbers is the `tanh` loop.

// %%
const zFused = preActivation(fusedSequential);
const zRef = (name: string) => new NDArray(nums(tanhRef.z[name].z), [5, 10]);
lesson.check(
  "z, sequential fused (our fma) = Python's exact-fraction fma loop",
  zFused,
  zRef("sequential fused"),
  {
    tolerance: 0,
    against: "tools/gen_last_digits_reference.py (fractions.Fraction, rounded once per step)",
  },
);
lesson.check(
  "z, sequential fused = numpy's np.dot here (OpenBLAS dgemm)",
  zFused,
  zRef("numpy here"),
  {
    tolerance: 0,
    against: "tools/gen_last_digits_reference.py (np.dot on this machine)",
  },
);
lesson.check(
  "z, sequential with separate roundings = Python's loop",
  preActivation({ order: "sequential" }),
  zRef("sequential"),
  { tolerance: 0, against: "tools/gen_last_digits_reference.py (plain float loop)" },
);
const zSeparateDiffers =
  [...preActivation({ order: "sequential" }).data].filter((v, i) => v !== zFused.data[i]).length;
console.log(`fused and separate z differ in ${zSeparateDiffers} of 50 entries`);

const numpyRef = readDataJson<Record<string, Record<string, string[]>>>(
  "rnn_cell/numpy_reference.json",
);
const numpyHere = printed.map(({ key }, i) => {
  const [r, c] = [[1, 2], [2, 3], [3, 1], [1, 2]][i];
  const cols = { dxt: 10, da_prev: 10, dWax: 3, dWaa: 5 }[key];
  return Number(numpyRef.rnn_cell_backward[key][r * cols + c]);
});
const withNumpyTanh = entries({
  forward: fusedSequential,
  tanh: "numpy SIMD",
  backward: fusedSequential,
})!;
console.log(
  "numpy here, ULPs from the printed values:",
  numpyHere.map((v, i) => ulpDistance(publishedOf(printed[i].name), v)).join(", "),
);
lesson.check(
  "numpy here = fused sequential with numpy's SIMD tanh (the four entries)",
  withNumpyTanh,
  numpyHere,
  {
    tolerance: 0,
    against: "numpy+OpenBLAS here, tools/gen_rnn_cell_reference.py",
  },
);

// %% [markdown]
// ## The printed values, bit for bit

// %%
const reproduced = entries({ forward: fusedSequential, tanh: "libm", backward: fusedSequential })!;
for (const [i, { name }] of printed.entries()) {
  console.log(
    `${name.padEnd(28)} = ${pyRepr(reproduced[i]).padEnd(22)} printed ${
      lesson.publishedValue(name).printed
    }`,
  );
  lesson.published(name, reproduced[i]);
}

// %% [markdown]
// ## The same question for numpy's random numbers
//
// Our `RandomState` replays numpy's legacy generator: every uniform and integer draw is
// identical. Its gaussians (the polar method) need one logarithm per pair,
// $\sqrt{-2\,\log(r^2)/r^2}$, and numpy calls glibc's `log`, which is accurate to about
// 0.52 ULP: usually the correctly rounded result (the double nearest the exact value),
// occasionally its neighbour. V8's `Math.log` is another algorithm (its port of fdlibm's), so
// the two can round differently. So the question "which arithmetic?" comes back, and the
// answer is the library: `lib/numerics/glibc_log.ts` is glibc's algorithm (its table and
// polynomials read from this machine's `libm.so.6` by `tools/gen_glibc_log_table.py`), in
// the variant glibc picks on a CPU with FMA. We replay the numpy streams of
// `tools/gen_random_vectors.py` with each `log` and count the ULPs by which each gaussian
// misses numpy's.

// %%
interface Streams {
  cases: { seed: number; calls: { call: string; args: number[]; hex?: string[] }[] }[];
}
const streams = readDataJson<Streams>("random/numpy_legacy.json");
function gaussianUlps(log: (x: number) => number): number[] {
  const out: number[] = [];
  for (const k of streams.cases) {
    const rs = new RandomState(k.seed, { log });
    for (const c of k.calls) {
      const a = c.args;
      const flat = (v: number | NDArray) => (typeof v === "number" ? [v] : [...v.data]);
      const draws = c.call === "seed"
        ? (rs.seed(a[0]), [])
        : c.call === "randn"
        ? flat(a.length ? rs.randn(...(a as [number, ...number[]])) : rs.randn())
        : c.call === "normal"
        ? flat(a.length === 3 ? rs.normal(a[0], a[1], a[2]) : rs.normal(a[0], a[1]))
        : c.call === "random"
        ? flat(a.length ? rs.random(a[0]) : rs.random())
        : c.call === "uniform"
        ? flat(a.length === 3 ? rs.uniform(a[0], a[1], a[2]) : rs.uniform(a[0], a[1]))
        : c.call === "randint"
        ? flat(
          a.length === 3
            ? rs.randint(a[0], a[1], a[2])
            : a.length === 2
            ? rs.randint(a[0], a[1])
            : rs.randint(a[0]),
        )
        : (() => {
          throw new Error(`random/numpy_legacy.json: unknown call "${c.call}"`);
        })();
      if ((c.call === "randn" || c.call === "normal") && c.hex) {
        c.hex.forEach((h, i) => out.push(ulpDistance(parseHexFloat(h), draws[i])));
      }
    }
  }
  return out;
}
const histogram = (ulps: number[]) => {
  const h: Record<string, number> = {};
  for (const u of ulps) h[String(Math.abs(u))] = (h[String(Math.abs(u))] ?? 0) + 1;
  return h;
};
const withV8Log = gaussianUlps(Math.log);
const withGlibcLog = gaussianUlps(glibcLog);
const histV8 = histogram(withV8Log);
const histGlibc = histogram(withGlibcLog);
await showTable(
  [...new Set([...Object.keys(histV8), ...Object.keys(histGlibc)])].sort((a, b) => +a - +b).map(
    (u) => ({
      "|ULPs| from numpy": Number(u),
      "gaussians, V8's Math.log": histV8[u] ?? 0,
      "gaussians, glibc's log": histGlibc[u] ?? 0,
    }),
  ),
  { title: `${withV8Log.length} gaussians against numpy's` },
);
lesson.value("gaussian_ulps_histogram", { "Math.log": histV8, glibcLog: histGlibc });
console.log(
  `gaussians that miss numpy's: with V8's Math.log ${
    withV8Log.filter((u) => u !== 0).length
  } of ${withV8Log.length}, with glibc's log ${withGlibcLog.filter((u) => u !== 0).length}`,
);
lesson.check(
  `all ${withGlibcLog.length} gaussians = numpy's, with glibc's log`,
  withGlibcLog,
  withGlibcLog.map(() => 0),
  {
    tolerance: 0,
    against: "numpy's legacy RandomState streams (tools/gen_random_vectors.py), in ULPs",
  },
);

// %% [markdown]
// With V8's `Math.log`, six gaussians miss, by one or two ULPs: three pairs, since the two
// gaussians of a pair share the factor $\sqrt{-2\,\log(r^2)/r^2}$. With glibc's `log` every
// one of them is numpy's, bit for bit. The accept/reject step of the polar method never
// touches the logarithm, so the two streams never drift apart: they differ only where
// `log` rounds differently. So `RandomState` uses glibc's `log` by default, and every lesson
// draws numpy's exact gaussians; `new RandomState(seed, { log: Math.log })` gives V8's.

// %% [markdown]
// ## What it means for gradient checking
//
// None of the other candidates is *wrong*. They are all within a few ULPs of each other,
// except where the computation amplifies: `da_prev[2][3]` sums terms that nearly cancel,
// and $1-a^2$ for $|a|$ near 1 turns a one-ULP change of $a$ into a large relative change,
// so the candidates spread over dozens of ULPs there. Had we asked for "equal to 1e-16" we
// would have rejected correct programs; had we asked for "equal to 1e-6" we would have
// accepted wrong ones.
//
// The way out is lesson 1's: derive the tolerance from the computation. A first-order
// roundoff bound ($\gamma_n\sum|\text{terms}|$ carried through $z$, `tanh`, $1-a^2$ and the
// last dot product) covers *every* correct arithmetic; we check that it covers all the
// candidates above. A gradient check compares an analytic gradient with a numerical one
// whose error (truncation plus rounding) is measured the same way; the bit-for-bit match is
// a bonus that tells us which machine printed a number, not a requirement for correctness.

// %%
const u = UNIT_ROUNDOFF;
const zAbs = Wax.abs().dot(xt.abs()).add(Waa.abs().dot(a_prev.abs())).add(ba.abs());
const aRef = zFused.map(Math.tanh);
const dz = zAbs.mul(gamma(9));
const q = aRef.square().neg().add(1);
const dA = q.mul(dz).add(aRef.abs().mul(2 * u));
const dQ = aRef.abs().mul(dA).mul(2).add(aRef.square().mul(u)).add(q.abs().mul(u));
const dRef = q.mul(da_next);
const dD = da_next.abs().mul(dQ).add(dRef.abs().mul(u));
/** Twice the first-order bound of Σ_k w_k d_k (w exact, d with error dd): two programs apart. */
function bound(w: ArrayLike<number>, d: ArrayLike<number>, dd: ArrayLike<number>): number {
  let s = 0;
  let t = 0;
  for (let k = 0; k < w.length; k++) {
    s += Math.abs(w[k] * d[k]);
    t += Math.abs(w[k]) * dd[k];
  }
  return 2 * (gamma(w.length) * s + t);
}
const col = (m: NDArray, j: number) => m.take(1, j).data;
const row = (m: NDArray, i: number) => m.take(0, i).data;
const bounds = [
  bound(col(Wax, 1), col(dRef, 2), col(dD, 2)),
  bound(col(Waa, 2), col(dRef, 3), col(dD, 3)),
  bound(row(xt, 1), row(dRef, 3), row(dD, 3)),
  bound(row(a_prev, 2), row(dRef, 1), row(dD, 1)),
];
const boundRows = printed.map(({ name, key }, i) => {
  const spread = Math.max(...outcomes.map((o) => Math.abs(o.values[i] - publishedOf(name))));
  lesson.check(`every candidate within the roundoff bound: ${key}`, spread, 0, {
    tolerance: bounds[i],
    against:
      "lesson 1's first-order roundoff bound (γ_n Σ|terms| through z, tanh, 1 − a², the dot)",
  });
  return {
    entry: name,
    "largest |candidate − printed| (ULPs)": Math.round(spread / ulpOf(publishedOf(name))),
    "roundoff bound (ULPs)": Math.round(bounds[i] / ulpOf(publishedOf(name))),
  };
});
await showTable(boundRows, { title: "Every candidate arithmetic lies within the derived bound" });
await lesson.end();

// %% [markdown]
// ## What we learned
//
// - **What was shown:** what a ULP is; the three reasons two correct programs differ in the
//   last digits (summation order, fused multiply-adds, the math library); and a systematic
//   search that finds the one arithmetic which printed document 000's four gradients bit
//   for bit — fused sequential dot products (a BLAS `dgemm` with FMA) and the C library's
//   `tanh`; the same question for numpy's gaussians, answered by glibc's `log`.
// - **What the source left out:** nothing it claimed is wrong; it printed four numbers with
//   every digit and said nothing of the machine. Lesson 1 could only reproduce them within a
//   bound; here the bound's slack is accounted for, ULP by ULP.
// - **What the numbers proved:** every candidate lies inside lesson 1's derived roundoff
//   bound, so the bound is not too tight; the spread between correct candidates (dozens of
//   ULPs where terms cancel) is why a fixed tolerance like 1e-16 would reject correct code.
//
// ### Check your understanding
//
// <details><summary>1. Why can reordering a sum change its last bits, and why does
// da_prev[2][3] change by dozens of ULPs when the others change by one or two?</summary>
//
// Floating-point addition rounds after every step, so $(a+b)+c$ and $a+(b+c)$ can round
// differently. The error of a computed sum scales with $\sum_k|term_k|$, not with the result:
// `da_prev[2][3]` is a small result of terms that nearly cancel, so the same absolute error
// is many of *its* ULPs.
// </details>
//
// <details><summary>2. What does a fused multiply-add change, and how does the search tell
// it apart from a plain one?</summary>
//
// $\mathrm{fma}(a, b, c)$ rounds $a\cdot b + c$ once instead of rounding the product and then
// the sum. Over a dot product that changes which bits survive. The search computes each
// candidate both ways with a correctly rounded `fma` (tested against exact BigInt
// arithmetic), and only the fused sequential backward lands on all four printed doubles.
// </details>
//
// <details><summary>3. If bit-for-bit agreement is possible, why is it not what a gradient
// check should ask for?</summary>
//
// Because it identifies a *machine*, not a correct program: every candidate here is a
// correct computation of the same gradient, and all of them lie inside the derived bound.
// A gradient check should accept every correct arithmetic and reject wrong mathematics, so
// its tolerance comes from the computation, as lesson 1 derived it.
// </details>
//
// This optional lesson has no exercise; lesson 9 takes the same question to a float32
// printout, and lesson 10's exercise is the next one.
