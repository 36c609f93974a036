/// <reference lib="dom" />
/**
 * The practice page's worker, in one of two roles, one fresh worker per role and attempt:
 *
 * - **probe** (the learner's code runs here): takes the network and storage away, imports the
 *   learner's module and runs the requested probes one by one with the grader's own `runProbe`
 *   (its input guard included), collecting errors raised by promises and timers with its
 *   `watchAsyncErrors`, saying `start` before and `result` after each — the host contract of
 *   `tools/grader/mod.ts`, as the command line's child process (`child.ts`) keeps it. The page
 *   terminates this worker when a probe does not return in time, and goes on with a new one.
 * - **judge** (the learner's code never runs here): turns the outcomes into test results with the
 *   grader's own `judgeAll` (references, gradient checks, the known mistakes), off the page's
 *   thread; before the run, it lists the run's probes for the page's seed (`probesOf`).
 *
 * The worker is started from a `blob:` URL, so it inherits the page's Content-Security-Policy
 * (`connect-src 'none'`: no fetch, XHR, WebSocket or EventSource reaches anything); on top of
 * that, the network and storage functions are removed from the worker's global scope before the
 * learner's module loads, so calling one fails at once, in the learner's terms. A worker has no
 * DOM and no `localStorage`: it can only post messages, which the page reads as data.
 *
 * @module
 */

import { EXERCISES } from "../../grader/exercises.ts";
import {
  judgeAll,
  loadError,
  probesOf,
  runProbe,
  settle,
  type StackPaths,
  watchAsyncErrors,
  withAsyncErrors,
} from "../../grader/mod.ts";
import {
  bundledName,
  type FromWorker,
  LEARNER_MODULES,
  type LearnerFiles,
  ROOT_URL,
  type ToWorker,
} from "./protocol.ts";

const say = (m: FromWorker) => postMessage(m);

function specOf(n: number) {
  const spec = EXERCISES.find((e) => e.number === n);
  if (!spec) throw new Error(`no exercise ${n}`);
  return spec;
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

/** How many lines the learner's code may print per worker (the page shows up to 200). */
export const PRINT_LIMIT = 1000;

/** The learner's console, as messages to the page (a printing loop cannot flood the page). */
function captureConsole() {
  let printed = 0;
  const post = (stream: "log" | "error", line: string) => {
    printed++;
    if (printed <= PRINT_LIMIT) say({ type: "print", stream, text: line });
    else if (printed === PRINT_LIMIT + 1) {
      say({
        type: "print",
        stream: "error",
        text: `… more than ${PRINT_LIMIT} lines; the rest not shown`,
      });
    }
  };
  const text = (args: unknown[]) =>
    args.map((a) => (typeof a === "string" ? a : (() => {
      try {
        return String(a);
      } catch {
        return Object.prototype.toString.call(a);
      }
    })())).join(" ");
  for (const k of ["log", "info", "debug", "table"] as const) {
    console[k] = (...a: unknown[]) => post("log", text(a));
  }
  for (const k of ["warn", "error"] as const) {
    console[k] = (...a: unknown[]) => post("error", text(a));
  }
}

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
  bundled: Set<string> = new Set(),
): string {
  return js.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\2/g,
    (_whole, head: string, q: string, spec: string, offset: number) => {
      const target = new URL(spec, ROOT_URL + path).pathname.slice(1);
      let url: string | undefined;
      if (LEARNER_MODULES.includes(target)) {
        url = new URL(`./${bundledName(target)}`, import.meta.url).href;
        bundled.add(url);
      } else if (/^exercises\/[^/]+\.ts$/.test(target)) url = resolveFile(target);
      if (!url) {
        const line = js.slice(0, offset).split("\n").length;
        throw new ImportError(
          `cannot import "${spec}" in the page: an exercise file may import ${
            LEARNER_MODULES.map((p) => `../${p}`).join(", ")
          } and the other exercise files`,
          `${path}:${line}`,
        );
      }
      return `${head}${q}${url}${q}`;
    },
  );
}

/** Blob URLs for the learner's files, each with its imports rewritten (dependencies first). */
function linkFiles(
  files: LearnerFiles,
  blobToPath: Map<string, string>,
  bundled: Set<string>,
): Map<string, string> {
  const urls = new Map<string, string>();
  const visiting = new Set<string>();
  const urlOf = (path: string): string | undefined => {
    if (urls.has(path)) return urls.get(path);
    if (!(path in files) || visiting.has(path)) return undefined;
    visiting.add(path);
    const js = rewriteImports(path, files[path], urlOf, bundled);
    const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
    urls.set(path, url);
    blobToPath.set(url, path);
    return url;
  };
  for (const path of Object.keys(files)) urlOf(path);
  return urls;
}

/**
 * The learner's stack frames are their files' blob: URLs, shown as the files' paths
 * (`exercises/01_rnn_cell.ts`), as the command line shows them; the page strips types without
 * moving a line (sucrase keeps line numbers), so the line is the line in the editor.
 */
function pagePaths(blobToPath: Map<string, string>): StackPaths {
  return { isLearner: (url) => blobToPath.has(url), show: (url) => blobToPath.get(url)! };
}

async function probe(req: ToWorker & { role: "probe" }) {
  const spec = specOf(req.exercise);
  const blobToPath = new Map<string, string>();
  const paths = pagePaths(blobToPath);
  const asyncErrors = watchAsyncErrors(paths);
  // deno-lint-ignore no-explicit-any
  let impl: Record<string, any>;
  const bundled = new Set<string>();
  let urls: Map<string, string>;
  try {
    urls = linkFiles(req.files, blobToPath, bundled);
  } catch (err) {
    if (err instanceof ImportError) {
      say({ type: "load_failed", message: err.message, where: err.where });
    } else say({ type: "load_failed", ...loadError(err, paths) });
    return;
  }
  // The page's own modules first: one that does not load is the page's failure, not the
  // learner's (the learner's import of it would fail naming only their own file).
  for (const url of bundled) {
    try {
      await import(url);
    } catch (err) {
      const file = `practice/${url.split("/").pop()}`;
      say({ type: "page_failed", message: `the course's library (${file}) did not load: ${err}` });
      return;
    }
  }
  try {
    lockDown();
    captureConsole();
    impl = await import(urls.get(req.main)!);
  } catch (err) {
    if (err instanceof ImportError) {
      say({ type: "load_failed", message: err.message, where: err.where });
    } else say({ type: "load_failed", ...loadError(err, paths) });
    return;
  }
  await settle();
  const atLoad = asyncErrors.take();
  if (atLoad.length) {
    const e = atLoad[0];
    say({
      type: "load_failed",
      message: `${e.name}: ${e.message} (raised while the file loaded, by a promise or timer)`,
      where: e.where,
    });
    return;
  }
  say({ type: "ready" });
  for (const i of req.indices) {
    say({ type: "start", i });
    const outcome = runProbe(spec, i, impl, paths, req.seed);
    await settle();
    say({ type: "result", i, outcome: withAsyncErrors(outcome, asyncErrors.take()) });
  }
  say({ type: "done" });
}

function listProbes(req: ToWorker & { role: "list" }) {
  const probes = probesOf(specOf(req.exercise), req.seed);
  say({ type: "probes", probes: probes.map((p) => ({ fn: p.fn, name: p.name })) });
}

function judgeOutcomes(req: ToWorker & { role: "judge" }) {
  say({ type: "judged", result: judgeAll(specOf(req.exercise), req.outcomes, req.seed) });
}

if (typeof WorkerGlobalScope !== "undefined") {
  say({ type: "loaded" });
  self.onmessage = (e: MessageEvent<ToWorker>) => {
    const req = e.data;
    (req.role === "probe"
      ? probe(req)
      : Promise.resolve().then(() => req.role === "list" ? listProbes(req) : judgeOutcomes(req)))
      .catch((
        err,
      ) => say({ type: "crashed", message: String(err?.stack ?? err) }));
  };
}

declare const WorkerGlobalScope: unknown;
