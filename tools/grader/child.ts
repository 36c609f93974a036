/**
 * The grader's child process (the command line's host of the probe runner):
 * `deno run --allow-read=<root> child.ts '<request JSON>'` imports the exercise spec and the
 * learner's module, then runs the requested probes one by one with `probe.ts`'s runner,
 * writing a protocol line before (`start`) and after (`result`) each to stdout, so the grader
 * can kill a probe that does not return (see `run_child.ts`). Anything else the learner's code
 * prints is passed through by the grader.
 *
 * @module
 */

import { encodeOutcome, type FromRunner, PROTOCOL } from "./protocol.ts";
import { loadError, runProbe, settle, watchAsyncErrors, withAsyncErrors } from "./probe.ts";
import { cliPaths } from "./run_child.ts";
import type { ExerciseSpec, Impl } from "./spec.ts";

const ROOT = new URL("../../", import.meta.url).href;
const say = (m: FromRunner) => console.log(PROTOCOL + JSON.stringify(m));

const { specUrl, moduleUrl, exportName, indices, seed } = JSON.parse(Deno.args[0]) as {
  specUrl: string;
  moduleUrl: string;
  exportName?: string;
  indices: number[];
  seed?: number;
};

const paths = cliPaths(new URL("./", moduleUrl).href, ROOT);
const asyncErrors = watchAsyncErrors(paths);
let spec: ExerciseSpec | undefined, impl: Impl | undefined;
try {
  spec = (await import(specUrl)).spec;
  const mod = await import(moduleUrl);
  impl = exportName ? mod[exportName] : mod;
  if (!impl) throw new Error(`${moduleUrl} has no export ${exportName}`);
} catch (err) {
  say({ type: "load_failed", ...loadError(err, paths) });
}
if (spec && impl) {
  await settle();
  const atLoad = asyncErrors.take();
  if (atLoad.length) {
    const e = atLoad[0];
    say({
      type: "load_failed",
      message: `${e.name}: ${e.message} (raised while the file loaded, by a promise or timer)`,
      where: e.where,
    });
  } else {
    say({ type: "ready" });
    for (const i of indices) {
      say({ type: "start", i });
      const outcome = runProbe(spec, i, impl, paths, seed);
      await settle();
      say({
        type: "result",
        i,
        outcome: encodeOutcome(withAsyncErrors(outcome, asyncErrors.take())),
      });
    }
    say({ type: "done" });
  }
}
