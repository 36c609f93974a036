/// <reference lib="dom" />
/**
 * The practice page's worker, in one of two roles, one fresh worker per role and attempt:
 *
 * - **probe** (the learner's code runs here): installs the data the grader's specs read, takes
 *   the network and storage away, imports the learner's module and runs the requested probes one
 *   by one with the grader's own `runOne`, saying `start` before and `result` after each, as
 *   the command line's child process does. The page terminates this worker when a probe does
 *   not return in time, and goes on with a new one.
 * - **judge** (the learner's code never runs here): turns the outcomes into test results with the
 *   grader's own `judge` (references, gradient checks, the known mistakes), off the page's thread.
 *
 * The worker is started from a `blob:` URL, so it inherits the page's Content-Security-Policy
 * (`connect-src 'none'`: no fetch, XHR, WebSocket or EventSource reaches anything); on top of
 * that, the network and storage functions are removed from the worker's global scope before the
 * learner's module loads, so calling one fails at once, in the learner's terms. A worker has no
 * DOM and no `localStorage`: it can only post messages, which the page reads as data.
 *
 * @module
 */

import { installDenoShim } from "./deno_shim.ts";
import {
  type FromWorker,
  LEARNER_DIR,
  type LearnerFiles,
  ROOT_URL,
  type ToWorker,
} from "./protocol.ts";

const say = (m: FromWorker) => postMessage(m);

/** Loads the data the specs read at load time, then the specs. */
async function loadSpecs() {
  const data = (await import(new URL("./data.js", import.meta.url).href)).default;
  installDenoShim(data);
  const { EXERCISES } = await import("../../grader/exercises.ts");
  return EXERCISES;
}

/** Network and storage entry points a worker has, removed before the learner's code runs. */
export const REMOVED = [
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "WebTransport",
  "EventSource",
  "importScripts",
  "indexedDB",
  "caches",
  "BroadcastChannel",
  "Worker",
  "SharedWorker",
  "cookieStore",
] as const;

function lockDown() {
  for (const name of REMOVED) {
    const refuse = () => {
      throw new Error(
        `${name} is not available to exercise code in the page: it runs in a worker without ` +
          `network or storage (on the command line it may only read the course's files)`,
      );
    };
    for (let o: object | null = self; o; o = Object.getPrototypeOf(o)) {
      if (Object.getOwnPropertyDescriptor(o, name)) delete (o as Record<string, unknown>)[name];
    }
    Object.defineProperty(self, name, { get: refuse, configurable: false });
  }
}

/** The learner's console, as messages to the page. */
function captureConsole() {
  const text = (args: unknown[]) =>
    args.map((a) => (typeof a === "string" ? a : (() => {
      try {
        return String(a);
      } catch {
        return Object.prototype.toString.call(a);
      }
    })())).join(" ");
  for (const k of ["log", "info", "debug", "table"] as const) {
    console[k] = (...a: unknown[]) => say({ type: "print", stream: "log", text: text(a) });
  }
  for (const k of ["warn", "error"] as const) {
    console[k] = (...a: unknown[]) => say({ type: "print", stream: "error", text: text(a) });
  }
}

/**
 * Stack traces name the learner's files as the command line's do (`file:///exercises/…`), so
 * the grader's `learnerLine` finds the learner's own line; the page strips types without moving
 * a line (sucrase keeps line numbers), so the line is the line in the editor.
 */
function mapStacks(blobToPath: Map<string, string>) {
  const E = Error as unknown as {
    prepareStackTrace?: (e: Error, frames: { toString(): string }[]) => string;
  };
  E.prepareStackTrace = (e, frames) => {
    let s = `${e.name}: ${e.message}`;
    for (const f of frames) s += `\n    at ${f}`;
    for (const [blob, path] of blobToPath) s = s.split(blob).join(ROOT_URL + path);
    return s;
  };
}

/** The course's modules an exercise file may import, by path → their bundles. */
export const LEARNER_MODULES: Record<string, string> = {
  "lib/mod.ts": "learner_lib.js",
  "lib/gradient_policy.ts": "learner_gradient_policy.js",
  "lib/not_implemented.ts": "learner_not_implemented.js",
  "tools/grader/not_implemented.ts": "learner_not_implemented.js",
};

/** Thrown when an exercise file imports what the page does not have. */
class ImportError extends Error {
  constructor(message: string, readonly where: string) {
    super(message);
    this.name = "ImportError";
  }
}

/**
 * Rewrites one file's import specifiers: `../lib/mod.ts` → the bundled library, the stubs'
 * `not_implemented.ts` → its bundle, another exercise file (`./01_rnn_cell.ts`) → the learner's
 * own copy of it. Anything else is refused, naming the line.
 */
export function rewriteImports(
  path: string,
  js: string,
  resolveFile: (path: string) => string | undefined,
): string {
  return js.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\2/g,
    (_whole, head: string, q: string, spec: string, offset: number) => {
      const target = new URL(spec, ROOT_URL + path).pathname.slice(1);
      let url: string | undefined;
      if (target in LEARNER_MODULES) {
        url = new URL(`./${LEARNER_MODULES[target]}`, import.meta.url).href;
      } else if (/^exercises\/[^/]+\.ts$/.test(target)) url = resolveFile(target);
      if (!url) {
        const line = js.slice(0, offset).split("\n").length;
        throw new ImportError(
          `cannot import "${spec}" in the page: an exercise file may import ${
            Object.keys(LEARNER_MODULES).map((p) => `../${p}`).join(", ")
          } and the other exercise files`,
          `${path}:${line}`,
        );
      }
      return `${head}${q}${url}${q}`;
    },
  );
}

/** Blob URLs for the learner's files, each with its imports rewritten (dependencies first). */
function linkFiles(files: LearnerFiles, blobToPath: Map<string, string>): Map<string, string> {
  const urls = new Map<string, string>();
  const visiting = new Set<string>();
  const urlOf = (path: string): string | undefined => {
    if (urls.has(path)) return urls.get(path);
    if (!(path in files) || visiting.has(path)) return undefined;
    visiting.add(path);
    const js = rewriteImports(path, files[path], urlOf);
    const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
    urls.set(path, url);
    blobToPath.set(url, path);
    return url;
  };
  for (const path of Object.keys(files)) urlOf(path);
  return urls;
}

async function probe(req: ToWorker & { role: "probe" }) {
  const EXERCISES = await loadSpecs();
  const { classify, runOne } = await import("../../grader/core.ts");
  const spec = EXERCISES.find((e) => e.number === req.exercise);
  if (!spec) throw new Error(`no exercise ${req.exercise}`);
  const blobToPath = new Map<string, string>();
  mapStacks(blobToPath);
  // deno-lint-ignore no-explicit-any
  let impl: Record<string, any> | undefined;
  try {
    const urls = linkFiles(req.files, blobToPath);
    lockDown();
    captureConsole();
    impl = await import(urls.get(req.main)!);
  } catch (err) {
    if (err instanceof ImportError) {
      say({ type: "load_failed", message: err.message, where: err.where });
    } else {
      const o = classify(err, LEARNER_DIR, ROOT_URL);
      say({
        type: "load_failed",
        message: o.kind === "threw" ? o.message : String(err),
        where: o.kind === "threw" ? o.where : undefined,
      });
    }
    return;
  }
  say({ type: "ready" });
  for (const i of req.indices) {
    say({ type: "start", i });
    say({ type: "result", i, outcome: runOne(spec.probes[i], impl!, LEARNER_DIR, ROOT_URL) });
  }
  say({ type: "done" });
}

async function judgeAll(req: ToWorker & { role: "judge" }) {
  const EXERCISES = await loadSpecs();
  const { judge } = await import("../../grader/core.ts");
  const spec = EXERCISES.find((e) => e.number === req.exercise);
  if (!spec) throw new Error(`no exercise ${req.exercise}`);
  say({ type: "judged", tests: spec.probes.map((p, i) => judge(spec, p, req.outcomes[i])) });
}

if (typeof WorkerGlobalScope !== "undefined") {
  self.onmessage = (e: MessageEvent<ToWorker>) => {
    const req = e.data;
    (req.role === "probe" ? probe(req) : judgeAll(req)).catch((err) =>
      say({ type: "crashed", message: String(err?.stack ?? err) })
    );
  };
}

declare const WorkerGlobalScope: unknown;
