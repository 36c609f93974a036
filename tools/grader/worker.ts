/**
 * The grader's worker: imports the exercise spec and the learner's module, then runs the
 * probes it is given one by one, posting `start` before and `result` after each, so the
 * grader can stop a probe that does not return (see `core.ts`).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { classify, type ExerciseSpec, type Impl, runOne } from "./core.ts";

const ROOT = new URL("../../", import.meta.url).href;

self.onmessage = async (
  e: MessageEvent<{ specUrl: string; moduleUrl: string; exportName?: string; indices: number[] }>,
) => {
  const { specUrl, moduleUrl, exportName, indices } = e.data;
  const learnerDir = new URL("./", moduleUrl).href;
  let spec: ExerciseSpec, impl: Impl;
  try {
    spec = (await import(specUrl)).spec;
    const mod = await import(moduleUrl);
    impl = exportName ? mod[exportName] : mod;
    if (!impl) throw new Error(`${moduleUrl} has no export ${exportName}`);
  } catch (err) {
    const o = classify(err, learnerDir, ROOT);
    self.postMessage({
      type: "load_failed",
      message: o.kind === "threw" ? o.message : String(err),
      where: o.kind === "threw" ? o.where : undefined,
    });
    return;
  }
  self.postMessage({ type: "ready" });
  for (const i of indices) {
    self.postMessage({ type: "start", i });
    self.postMessage({
      type: "result",
      i,
      outcome: runOne(spec.probes[i], impl, learnerDir, ROOT),
    });
  }
  self.postMessage({ type: "done" });
};
