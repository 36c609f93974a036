/**
 * The terminal narration (`tools/narrate.ts`) shows each markdown cell before the first output
 * of the code cell under it — also when that output is a progress bar, which writes to stderr
 * without `console` (lib/course/progress.ts).
 */
import { deepEqual } from "node:assert/strict";
import { narrate } from "../tools/narrate.ts";
import { spansOf } from "../tools/notebooks.ts";

const PROGRESS = new URL("../lib/course/progress.ts", import.meta.url).href;

Deno.test("a progress bar comes after the markdown that introduces its cell", async () => {
  const source = [
    "// %% [markdown]",
    "// First text.",
    "",
    "// %%",
    `import { progress } from "${PROGRESS}";`,
    'console.log("printed");',
    "",
    "// %% [markdown]",
    "// Text about the loop.",
    "",
    "// %%",
    'const bar = progress(3, "loop", { quiet: false });',
    "bar.tick();",
    "bar.done();",
    "",
    "// %% [markdown]",
    "// Last text.",
  ].join("\n");
  Deno.mkdirSync(new URL("../out/", import.meta.url), { recursive: true });
  const file = new URL(`../out/narrate_test_${crypto.randomUUID()}.ts`, import.meta.url);
  Deno.writeTextFileSync(file, source);
  const events: string[] = [];
  const stop = narrate(file, spansOf(source), {
    markdown: (lines) => events.push(`markdown ${lines.join(" ")}`),
    output: (index, _stream, _kind, args) => events.push(`output ${index}: ${args.join(" ")}`),
    beforeBar: (index) => events.push(`bar ${index}`),
  });
  try {
    await import(file.href);
  } finally {
    stop();
    Deno.removeSync(file);
  }
  deepEqual(events, [
    "markdown First text.",
    "output 1: printed",
    "markdown Text about the loop.",
    "bar 3",
    "markdown Last text.",
  ]);
});
