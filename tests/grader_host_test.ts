/**
 * The grader's core and every exercise's spec are host-independent, so the page can run the
 * same checks in a Web Worker: their module graph holds no Node built-in and no module that
 * reads files, and with the `Deno` global deleted they still load and grade the reference
 * solutions in-process with every check passing.
 */

import { deepEqual, equal } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const CORE = [
  "mod.ts",
  "exercises.ts",
  "spec.ts",
  "protocol.ts",
  "probe.ts",
  "judge.ts",
  "format.ts",
]
  .map((f) => `tools/grader/${f}`);
/** Library modules that read files or the terminal: never in the core's graph. */
const HOSTED = [
  "lib/numerics/data.ts",
  "lib/course/lesson.ts",
  "lib/course/plot.ts",
  "lib/course/progress.ts",
  "lib/course/jupyter.ts",
];

Deno.test("the grader's core and specs import no Node built-in, npm package but fast-check, or file reader", async () => {
  const specifiers = new Set<string>();
  for (const root of CORE) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--config=deps/exercise.json", "--json", root],
      cwd: ROOT,
      stdout: "piped",
    }).output();
    for (const m of JSON.parse(new TextDecoder().decode(out.stdout)).modules) {
      specifiers.add(m.specifier);
    }
  }
  equal(specifiers.size > 20, true);
  const bad = [...specifiers].filter((s) =>
    s.startsWith("node:") || (s.startsWith("npm:") && !s.includes("fast-check")) ||
    HOSTED.some((h) => s === new URL(h, ROOT).href) || s.endsWith("/tools/grader/run_child.ts") ||
    s.endsWith("/tools/grader/child.ts")
  );
  deepEqual(bad, []);
});

Deno.test("without the Deno global, the specs load and the references pass every check in-process", async () => {
  const script = `
    delete globalThis.Deno;
    const { EXERCISES } = await import(${
    JSON.stringify(new URL("tools/grader/exercises.ts", ROOT).href)
  });
    const { gradeInProcess } = await import(${
    JSON.stringify(new URL("tools/grader/mod.ts", ROOT).href)
  });
    const failed = [];
    for (const s of EXERCISES) {
      for (const t of gradeInProcess(s, s.reference).tests) if (!t.ok) failed.push(s.number + " " + t.message);
    }
    console.log(JSON.stringify({ count: EXERCISES.length, failed }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config=deps/exercise.json", "--ext=ts", script],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(new TextDecoder().decode(out.stderr), "");
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  deepEqual(r.failed, []);
  equal(r.count >= 7, true);
});
