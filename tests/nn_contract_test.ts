import { deepEqual, ok } from "node:assert/strict";
import { importGraph } from "./_import_graph.ts";

const LIB = new URL("../lib/", import.meta.url).href;
/** The library files a model may import: arrays and numerics, nothing of training or lessons. */
const ALLOWED = ["ndarray.ts", "random.ts", "torch_random.ts", "linalg.ts", "summation.ts"];

Deno.test("lib/nn/** imports nothing from training (lib/train.ts, lib/tasks.ts) nor the lesson harness: its import graph holds lib/nn and array numerics only", async () => {
  const files = [...Deno.readDirSync(new URL("../lib/nn/", import.meta.url))]
    .filter((e) => e.isFile && e.name.endsWith(".ts")).map((e) => e.name).sort();
  ok(files.includes("mod.ts") && files.includes("lstm.ts"), files.join());
  for (const f of files) {
    const outside = (await importGraph(`../lib/nn/${f}`))
      .filter((s) => s.startsWith(LIB) && !s.startsWith(`${LIB}nn/`))
      .map((s) => s.slice(LIB.length))
      .filter((s) => !ALLOWED.includes(s));
    deepEqual(outside, [], `lib/nn/${f} reaches ${outside.join(", ")}`);
  }
});

Deno.test("the walk sees the other direction: lib/train.ts reaches lib/nn/params.ts, lib/tasks.ts reaches lib/nn/losses.ts", async () => {
  ok((await importGraph("../lib/train.ts")).includes(`${LIB}nn/params.ts`));
  ok((await importGraph("../lib/tasks.ts")).includes(`${LIB}nn/losses.ts`));
});

Deno.test("no lib/nn file names lib/train.ts or lib/tasks.ts even in a type-only import (which the walk above does not see)", () => {
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
