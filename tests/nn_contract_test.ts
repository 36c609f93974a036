import { deepEqual, ok } from "node:assert/strict";
import { importGraph } from "./_import_graph.ts";

const ROOT = new URL("../", import.meta.url).href;
const LIB = new URL("../lib/", import.meta.url).href;
/**
 * The library files a model may import: arrays and numerics, nothing of training or lessons.
 * Written from the repository root, so a move of these files rewrites them with the rest.
 */
const ALLOWED = [
  "lib/numerics/ndarray.ts",
  "lib/numerics/random.ts",
  "lib/numerics/torch_random.ts",
  "lib/numerics/linalg.ts",
  "lib/numerics/summation.ts",
];

Deno.test("lib/nn/** imports nothing from training (lib/course/train.ts, lib/course/tasks.ts) nor the lesson harness: its import graph holds lib/nn and array numerics only", async () => {
  const files = [...Deno.readDirSync(new URL("../lib/nn/", import.meta.url))]
    .filter((e) => e.isFile && e.name.endsWith(".ts")).map((e) => e.name).sort();
  ok(files.includes("mod.ts") && files.includes("lstm.ts"), files.join());
  for (const f of files) {
    const outside = (await importGraph(`../lib/nn/${f}`))
      .filter((s) => s.startsWith(LIB) && !s.startsWith(`${LIB}nn/`))
      .map((s) => s.slice(ROOT.length))
      .filter((s) => !ALLOWED.includes(s));
    deepEqual(outside, [], `lib/nn/${f} reaches ${outside.join(", ")}`);
  }
});

Deno.test("the walk sees the other direction: lib/course/train.ts reaches lib/nn/params.ts, lib/course/tasks.ts reaches lib/nn/losses.ts", async () => {
  ok((await importGraph("../lib/course/train.ts")).includes(`${LIB}nn/params.ts`));
  ok((await importGraph("../lib/course/tasks.ts")).includes(`${LIB}nn/losses.ts`));
});

Deno.test("no lib/nn file names lib/course/train.ts or lib/course/tasks.ts even in a type-only import (which the walk above does not see)", () => {
  for (const e of Deno.readDirSync(new URL("../lib/nn/", import.meta.url))) {
    if (!e.name.endsWith(".ts")) continue;
    const text = Deno.readTextFileSync(new URL(`../lib/nn/${e.name}`, import.meta.url));
    const specs = [...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) =>
      m[1]
    );
    ok(specs.length > 0 || e.name === "params.ts", `${e.name}: no import found`);
    const bad = specs.filter((s) => /(^|\/)(train|tasks)\.ts$/.test(s));
    deepEqual(bad, [], `lib/nn/${e.name} imports ${bad.join(", ")}`);
  }
});

Deno.test("every model of lib/nn keeps the contract's shape: init(rng, sizes); forward(params, inputs, state) → {outputs, state, cache}; backward(dOutputs, cache) → {grads keyed exactly like params, dInputs shaped like the inputs, dState shaped like the start state}", async () => {
  const nn = await import("../lib/mod.ts");
  const rng = new nn.RandomState(0);
  const ones = (shape: number[]) => nn.NDArray.ones(shape);
  const cases: {
    name: string;
    params: Record<string, InstanceType<typeof nn.NDArray>>;
    inputs: unknown;
    state: unknown;
    run: () => {
      fwd: { outputs: unknown; state: unknown; cache: unknown };
      back: { grads: object; dInputs: unknown; dState: unknown };
    };
  }[] = [];
  {
    const params = nn.initRnnParameters(rng, { n_x: 3, n_a: 4, n_y: 2 });
    const x = rng.randn(3, 2, 5), a0 = rng.randn(4, 2);
    cases.push({
      name: "rnn_cell",
      params: { ...params },
      inputs: x,
      state: a0,
      run: () => {
        const fwd = nn.rnnForward(params, x, a0);
        return {
          fwd,
          back: nn.rnnBackward({ a: ones([4, 2, 5]), logits: ones([2, 2, 5]) }, fwd.cache),
        };
      },
    });
  }
  {
    const params = nn.initVanillaRnnParams(rng, { n_x: 3, n_h: 4, n_y: 2 });
    const xs = [rng.randn(3, 2), rng.randn(3, 2)], h0 = rng.randn(4, 2);
    cases.push({
      name: "vanilla_rnn",
      params: { ...params },
      inputs: xs,
      state: h0,
      run: () => {
        const fwd = nn.vanillaRnnForward(params, xs, h0);
        return { fwd, back: nn.vanillaRnnBackward([ones([2, 2]), undefined], fwd.cache) };
      },
    });
  }
  {
    const params = nn.initSimpleRnnParams(rng, { n_in: 3, n_h: 4, n_out: 2 });
    const x = rng.randn(5, 3), h0 = rng.randn(4);
    cases.push({
      name: "simple_rnn",
      params: { ...params },
      inputs: x,
      state: h0,
      run: () => {
        const fwd = nn.simpleRnnForward(params, x, h0);
        return { fwd, back: nn.simpleRnnBackward(ones([5, 2]), fwd.cache) };
      },
    });
  }
  {
    const params = nn.initLstmParams(rng, { x_n: 3, h_n: 4, o_n: 2 });
    const x = rng.randn(5, 3), state = { h: rng.randn(4).data, c: rng.randn(4).data };
    cases.push({
      name: "lstm",
      params: { ...params },
      inputs: x,
      state,
      run: () => {
        const fwd = nn.lstmForward(params, x, state);
        return {
          fwd,
          back: nn.lstmBackward(fwd.outputs.map(() => Float64Array.of(1, 1)), fwd.cache),
        };
      },
    });
  }
  {
    const params = nn.initTorchRnnParams(new nn.TorchGenerator(1), {
      input_size: 3,
      hidden_size: 4,
    });
    const x = rng.randn(5, 2, 3), h0 = rng.randn(1, 2, 4);
    cases.push({
      name: "torch_rnn",
      params: { ...params },
      inputs: x,
      state: h0,
      run: () => {
        const fwd = nn.torchRnnForward(params, x, h0);
        return { fwd, back: nn.torchRnnBackward(ones([5, 2, 4]), fwd.cache) };
      },
    });
  }
  {
    const params = nn.initRnnCellParams(rng, { input_size: 3, hidden_size: 4 });
    const x = rng.randn(5, 2, 3), h0 = rng.randn(2, 4);
    cases.push({
      name: "rnn_cell_class",
      params: { ...params },
      inputs: x,
      state: h0,
      run: () => {
        const fwd = nn.rnnCellClassForward(params, x, h0);
        return { fwd, back: nn.rnnCellClassBackward(ones([5, 2, 4]), fwd.cache) };
      },
    });
  }
  const shapeOf = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(shapeOf)
      : v instanceof nn.NDArray
      ? v.shape
      : v instanceof Float64Array
      ? [v.length]
      : Object.fromEntries(Object.entries(v as object).map(([k, a]) => [k, shapeOf(a)]));
  deepEqual(cases.map((c) => c.name), [
    "rnn_cell",
    "vanilla_rnn",
    "simple_rnn",
    "lstm",
    "torch_rnn",
    "rnn_cell_class",
  ]);
  for (const c of cases) {
    const { fwd, back } = c.run();
    ok(fwd.outputs !== undefined && fwd.state !== undefined && fwd.cache !== undefined, c.name);
    deepEqual(Object.keys(back.grads), Object.keys(c.params), `${c.name}: grads keyed like params`);
    deepEqual(shapeOf(back.grads), shapeOf(c.params), `${c.name}: grads shaped like params`);
    deepEqual(shapeOf(back.dInputs), shapeOf(c.inputs), `${c.name}: dInputs shaped like inputs`);
    deepEqual(shapeOf(back.dState), shapeOf(c.state), `${c.name}: dState shaped like the state`);
  }
});
