/// <reference lib="dom" />
/**
 * The practice panel of an exercise page: mounts into `<section id="practice"
 * data-exercise="N">`, with an editor holding the learner's exercise file, a Run button and a
 * result panel showing what `deno task exercise N` shows — the grader's own checks and messages,
 * run in a Web Worker (`host.ts`, `worker.ts`). The code is saved in `localStorage` on every
 * edit (`storage.ts`); Reset asks first and can be undone; Download and Open a file move it
 * between the page and the learner's copy of the course.
 *
 * For tests, the panel's last result is on `section.dataset.result` (the grader's
 * `ExerciseResult` as JSON) and `globalThis.practice` can set the code and run.
 *
 * @module
 */

import { basicSetup, EditorView } from "codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { transform } from "sucrase";
import type { ExerciseResult, Outcome } from "../../grader/mod.ts";
import {
  gradeInPage,
  LOAD_LIMIT_MS,
  PageScriptError,
  PROBE_LIMIT_MS,
  type RunEvent,
  RunStopped,
} from "./host.ts";
import type { ProbeName } from "./protocol.ts";
import { keys, load, loadSummary, type RunSummary, save, statusText } from "./storage.ts";

/** One exercise as the build describes it (`exercises.js`). */
export interface ExerciseInfo {
  number: number;
  slug: string;
  title: string;
  functions: string[];
  probes: { fn: string; name: string }[];
  /** The committed exercise file, stubs and all. */
  stub: string;
}

const here = new URL(import.meta.url);
const WORKER_URL = new URL("./worker.js", here).href;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** Strips the types; a syntax error becomes a load failure at its line, as Deno would fail. */
export function stripTypes(path: string, ts: string): { js: string } | { error: Outcome } {
  try {
    return { js: transform(ts, { transforms: ["typescript"], disableESTransforms: true }).code };
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    return {
      error: {
        kind: "load_failed",
        message: `syntax error: ${err.message.replace(/\s*\(\d+:\d+\)$/, "")}`,
        where: err.loc ? `${path}:${err.loc.line}` : undefined,
      },
    };
  }
}

/** The files a run needs: this exercise's, and any other exercise file it imports. */
function learnerSources(info: ExerciseInfo, all: ExerciseInfo[], code: string) {
  const files: Record<string, string> = { [`exercises/${info.slug}.ts`]: code };
  for (const m of code.matchAll(/from\s*["']\.\/(\d\d_\w+)\.ts["']/g)) {
    const other = all.find((e) => e.slug === m[1]);
    if (other && other !== info) {
      files[`exercises/${other.slug}.ts`] = load(keys.code(other.slug)) ?? other.stub;
    }
  }
  return files;
}

function summarize(r: ExerciseResult): RunSummary {
  return {
    passed: r.tests.filter((t) => t.ok).length,
    total: r.tests.length,
    notStarted: r.tests.every((t) => t.outcome === "not_implemented"),
    at: Date.now(),
  };
}

const passedText = (r: ExerciseResult) => {
  const passed = r.tests.filter((t) => t.ok).length;
  return passed === r.tests.length
    ? `all ${r.tests.length} checks passed`
    : `${passed} of ${r.tests.length} checks passed`;
};

function renderResult(r: ExerciseResult, prints: string[]): HTMLElement {
  const box = el("div", { class: "practice-report" });
  let fn = "";
  let list: HTMLElement | undefined;
  for (const t of r.tests) {
    if (t.function !== fn) {
      fn = t.function;
      list = el("ul");
      box.append(el("h4", {}, el("code", {}, fn)), list);
    }
    list!.append(
      el(
        "li",
        { class: t.ok ? "ok" : "fail", "data-outcome": t.outcome },
        el("span", { class: "mark", "aria-label": t.ok ? "passed" : "failed" }, t.ok ? "✓" : "✗"),
        " ",
        el("strong", {}, t.name),
        ": ",
        t.message,
      ),
    );
  }
  // The count first, where the learner looks after pressing Run.
  box.prepend(el("p", { class: "summary" }, passedText(r)));
  if (r.seed !== undefined) {
    box.append(
      el(
        "p",
        { class: "seed" },
        `The random cases came from seed ${r.seed}; `,
        el("code", {}, `deno task exercise ${r.exercise} --seed ${r.seed}`),
        " grades the same cases on the command line.",
      ),
    );
  }
  if (prints.length) {
    box.append(
      el("p", {}, "Your code printed:"),
      el("pre", { class: "printed" }, prints.slice(0, 200).join("\n")),
    );
  }
  return box;
}

/**
 * The panel when the page itself failed (its worker script or a bundled module did not load, or
 * the grader broke): the learner's code was not run, nothing of theirs is lost, and how to go on.
 */
function pageFailure(info: ExerciseInfo, message: string, scripts: boolean): HTMLElement {
  return el(
    "div",
    { class: "practice-report practice-page-failure", role: "alert" },
    el(
      "p",
      {},
      el("strong", {}, "Your code was not run"),
      scripts
        ? ": a script of this page's grader did not load, so no check could start. This is not about your code."
        : ": this page's grader failed. This is not about your code.",
    ),
    el("p", {}, "What the browser said: ", el("code", {}, message)),
    el(
      "p",
      {},
      "Your code is saved in this browser. Reload the page and press Run again. If it fails again, ",
      "the book on this server is incomplete or from another build: rebuild it with ",
      el("code", {}, "deno task book"),
      " — or download your file and grade it on the command line with ",
      el("code", {}, `deno task exercise ${info.number}`),
      ".",
    ),
  );
}

/** Mounts the practice panel for one exercise. */
export function mount(section: HTMLElement, info: ExerciseInfo, all: ExerciseInfo[]) {
  const path = `exercises/${info.slug}.ts`;
  const saved = load(keys.code(info.slug));
  const savedNote = el("span", { class: "saved", role: "status" });
  const runButton = el("button", { type: "button", class: "run" }, "Run");
  const stopButton = el("button", { type: "button", hidden: "" }, "Stop");
  const resetButton = el("button", { type: "button" }, "Reset to the stub");
  const undoButton = el("button", { type: "button", hidden: "" }, "Undo reset");
  const downloadButton = el("button", { type: "button" }, "Download");
  const fileInput = el("input", { type: "file", accept: ".ts,text/plain", hidden: "" });
  const openButton = el("button", { type: "button" }, "Open a file…");
  const status = el("p", { class: "practice-status", role: "status", "aria-live": "polite" });
  const panel = el("div", { class: "practice-result", "aria-live": "polite" });
  const editorBox = el("div", { class: "practice-editor" });

  section.classList.add("practice");
  section.replaceChildren(
    el("h2", {}, "Practise in the page"),
    el(
      "p",
      { class: "practice-about" },
      "Write the functions below and press Run (or Ctrl+Enter): the same grader as ",
      el("code", {}, `deno task exercise ${info.number}`),
      " checks them, in your browser. Each check may run for ",
      el("strong", {}, `${PROBE_LIMIT_MS / 1000} s`),
      ` and the file ${
        LOAD_LIMIT_MS / 1000
      } s to load; then it is stopped and the page says which function did not return (Stop ends a run at once). `,
      "The page strips your types but does not check them: ",
      el("code", {}, `deno task exercise ${info.number}`),
      " and ",
      el("code", {}, "deno task check"),
      " on the command line report type errors. Your code runs in a Web Worker: it cannot reach this page, the network (the page's Content-Security-Policy allows no connections, and the worker's network and storage functions are removed) or stored data. It is saved in this browser as you type.",
    ),
    el(
      "div",
      { class: "practice-toolbar" },
      runButton,
      stopButton,
      resetButton,
      undoButton,
      downloadButton,
      openButton,
      fileInput,
      savedNote,
    ),
    editorBox,
    status,
    panel,
  );

  const persist = (code: string) => {
    const problem = save(keys.code(info.slug), code === info.stub ? undefined : code);
    savedNote.textContent = problem
      ? `Not saved: ${problem}. Use Download to keep your work.`
      : code === info.stub
      ? "The stub, as committed."
      : `Saved in this browser at ${new Date().toLocaleTimeString()}.`;
    savedNote.classList.toggle("warn", !!problem);
  };

  const view = new EditorView({
    doc: saved ?? info.stub,
    extensions: [
      basicSetup,
      javascript({ typescript: true }),
      // Long comment lines wrap rather than hide past the right edge (a phone is 390 px wide);
      // a wrapped line keeps its one line number.
      EditorView.lineWrapping,
      EditorView.updateListener.of((u) => {
        if (u.docChanged) persist(u.state.doc.toString());
      }),
      EditorView.contentAttributes.of({ "aria-label": `${path}, editable` }),
    ],
    parent: editorBox,
  });
  const code = () => view.state.doc.toString();
  const setCode = (text: string) =>
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  if (saved !== undefined) savedNote.textContent = "Your code, restored from this browser.";

  const showUndo = () => (undoButton.hidden = load(keys.undo(info.slug)) === undefined);
  showUndo();
  const showSummary = (s: RunSummary | undefined) => {
    status.textContent = s
      ? `Last run: ${statusText(s, code() !== info.stub)}.`
      : "Not run yet in this browser.";
  };
  showSummary(loadSummary(info.slug));

  let running = false;
  /** `limits` only for tests (the page always uses the command line's, and a fresh seed). */
  const run = async (
    limits: { probeLimitMs?: number; loadLimitMs?: number; seed?: number } = {},
  ): Promise<ExerciseResult | undefined> => {
    if (running) return;
    running = true;
    runButton.disabled = true;
    const stopper = new AbortController();
    stopButton.onclick = () => stopper.abort();
    stopButton.hidden = false;
    const started = performance.now();
    const prints: string[] = [];
    let ticker: ReturnType<typeof setInterval> | undefined;
    try {
      const sources = learnerSources(info, all, code());
      const files: Record<string, string> = {};
      let failure: Outcome | undefined;
      for (const [p, ts] of Object.entries(sources)) {
        const r = stripTypes(p, ts);
        if ("error" in r) failure ??= r.error;
        else files[p] = r.js;
      }
      status.textContent = "Loading your file…";
      // A fresh seed for the random cases each run, as the command line draws one.
      const seed = limits.seed ?? Math.floor(Math.random() * 2 ** 31);
      let probes: ProbeName[] = [];
      const limitS = (limits.probeLimitMs ?? PROBE_LIMIT_MS) / 1000;
      const onEvent = (e: RunEvent) => {
        if (e.type === "probes") probes = e.probes;
        else if (e.type === "start") {
          const p = probes[e.i];
          const doing = `Running check ${e.i + 1} of ${probes.length}: ${p.fn} — ${p.name}…`;
          status.textContent = doing;
          // A check that takes long says so, second by second, up to the limit.
          const t0 = performance.now();
          clearInterval(ticker);
          ticker = setInterval(() => {
            const s = Math.floor((performance.now() - t0) / 1000);
            if (s >= 1) status.textContent = `${doing} ${s} s (stopped at ${limitS} s)`;
          }, 250);
        } else if (e.type === "stopped") {
          prints.push(`[stopped: ${probes[e.i].fn} did not return within ${e.ms / 1000} s]`);
        } else if (e.type === "print") prints.push(e.text);
        else if (e.type === "judging") {
          clearInterval(ticker);
          status.textContent = "Comparing with the references…";
        }
      };
      const result = await gradeInPage(
        WORKER_URL,
        {
          exercise: info.number,
          title: info.title,
          main: path,
          files,
          seed,
          probeLimitMs: limits.probeLimitMs,
          loadLimitMs: limits.loadLimitMs,
        },
        onEvent,
        failure,
        stopper.signal,
      );
      const summary = summarize(result);
      save(keys.result(info.slug), JSON.stringify(summary));
      const stopped = result.tests.filter((t) => t.outcome === "timeout");
      status.textContent = `Ran in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
        passedText(result) +
        (stopped.length
          ? ` — stopped: ${
            [...new Set(stopped.map((t) => t.function))].join(", ")
          } did not return in time.`
          : ".");
      panel.replaceChildren(renderResult(result, prints.filter((p) => !p.startsWith("[stopped"))));
      section.dataset.result = JSON.stringify(result);
      section.dispatchEvent(new CustomEvent("practice-result", { detail: result }));
      return result;
    } catch (e) {
      if (e instanceof RunStopped) {
        const s = ((performance.now() - started) / 1000).toFixed(1);
        status.textContent =
          `Stopped after ${s} s: nothing was graded. Change your code and Run again.`;
        section.dataset.result = JSON.stringify({ stopped: true });
        return;
      }
      const message = (e as Error).message;
      status.textContent = e instanceof PageScriptError
        ? "Not run: the page's grader could not start."
        : `The page's grader failed: ${message}`;
      panel.replaceChildren(pageFailure(info, message, e instanceof PageScriptError));
      section.dataset.result = JSON.stringify({ error: message });
      console.warn(e);
    } finally {
      clearInterval(ticker);
      running = false;
      runButton.disabled = false;
      stopButton.hidden = true;
    }
  };

  runButton.onclick = () => void run();
  const busy = () => running;
  section.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  });
  resetButton.onclick = () => {
    if (code() === info.stub) return;
    if (!confirm("Replace your code with the exercise's stub? Undo reset brings your code back.")) {
      return;
    }
    save(keys.undo(info.slug), code());
    setCode(info.stub);
    showUndo();
  };
  undoButton.onclick = () => {
    const before = load(keys.undo(info.slug));
    if (before === undefined) return;
    setCode(before);
    save(keys.undo(info.slug), undefined);
    showUndo();
  };
  downloadButton.onclick = () => {
    const a = el("a", {
      href: URL.createObjectURL(new Blob([code()], { type: "text/plain" })),
      download: `${info.slug}.ts`,
    });
    document.body.append(a);
    a.click();
    a.remove();
    savedNote.textContent =
      `Downloaded as ${info.slug}.ts: put it in your copy of the course as exercises/${info.slug}.ts and run deno task exercise ${info.number}.`;
  };
  openButton.onclick = () => fileInput.click();
  fileInput.onchange = async () => {
    const f = fileInput.files?.[0];
    fileInput.value = "";
    if (!f) return;
    const text = await f.text();
    if (
      code() !== info.stub && code() !== text &&
      !confirm(`Replace your code with ${f.name}? Undo reset brings your code back.`)
    ) return;
    save(keys.undo(info.slug), code());
    setCode(text);
    showUndo();
  };

  return { run, code, setCode, busy };
}

/** Mounts every practice section of the page. */
export async function mountAll() {
  const sections = [...document.querySelectorAll<HTMLElement>("section#practice[data-exercise]")];
  if (!sections.length) return;
  const all: ExerciseInfo[] = (await import(new URL("./exercises.js", here).href)).default;
  for (const s of sections) {
    const info = all.find((e) => e.number === Number(s.dataset.exercise));
    if (!info) {
      s.textContent = `No exercise ${s.dataset.exercise} in this build.`;
      continue;
    }
    (globalThis as Record<string, unknown>).practice = mount(s, info, all);
  }
}

if (typeof document !== "undefined") void mountAll();
