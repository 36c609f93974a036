/**
 * The grader's child process: `deno run --allow-read=<root> child.ts '<request JSON>'`
 * imports the exercise spec and the learner's module, then runs the requested probes one by
 * one, writing a protocol line before (`start`) and after (`result`) each to stdout, so the
 * grader can kill a probe that does not return (see `core.ts`). Anything else the learner's
 * code prints is passed through by the grader to stderr.
 *
 * @module
 */

import { classify, encodeOutcome, type ExerciseSpec, type Impl, PROTOCOL, runOne } from "./core.ts";

const ROOT = new URL("../../", import.meta.url).href;
const say = (m: unknown) => console.log(PROTOCOL + JSON.stringify(m));

const { specUrl, moduleUrl, exportName, indices } = JSON.parse(Deno.args[0]) as {
  specUrl: string;
  moduleUrl: string;
  exportName?: string;
  indices: number[];
};
const learnerDir = new URL("./", moduleUrl).href;
let spec: ExerciseSpec | undefined, impl: Impl | undefined;
try {
  spec = (await import(specUrl)).spec;
  const mod = await import(moduleUrl);
  impl = exportName ? mod[exportName] : mod;
  if (!impl) throw new Error(`${moduleUrl} has no export ${exportName}`);
} catch (err) {
  const o = classify(err, learnerDir, ROOT);
  say({
    type: "load_failed",
    message: o.kind === "threw" ? o.message : String(err),
    where: o.kind === "threw" ? o.where : undefined,
  });
}
if (spec && impl) {
  say({ type: "ready" });
  for (const i of indices) {
    say({ type: "start", i });
    say({
      type: "result",
      i,
      outcome: encodeOutcome(runOne(spec.probes[i], impl, learnerDir, ROOT)),
    });
  }
  say({ type: "done" });
}
