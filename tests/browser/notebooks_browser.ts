/**
 * `deno task test:browser`: every notebook in `notebooks/`, opened in a real browser (Debian's
 * classic Jupyter Notebook 6.x driven in Debian's Chromium through `npm:puppeteer-core`), run the
 * two ways a student runs it, and compared.
 *
 * For each notebook:
 * 1. **cell by cell** (the reference): restart the kernel, then for every code cell select it,
 *    press Shift+Enter, and wait until its prompt shows a number, the kernel is idle and the page
 *    has been quiet for {@link QUIET_MS} ms before the next one;
 * 2. **Kernel → Restart & Run All** (every cell sent at once), `--repeat K` times: wait until no
 *    cell shows `In [*]`, the kernel is idle and the page is quiet, then compare every code cell's
 *    outputs with the reference, cell for cell (a difference is reported as the lines missing
 *    from the cell and the lines it showed in their place: a cell's tail at the top of the next
 *    cell is the Deno kernel's Run All misfiling, notes/jupyter-kernel.md).
 *
 * Checked on both runs: no `error` output, nothing on stderr, every cell whose source calls
 * `plot(` shows an `<svg>` chart; in a lesson's notebook no ✗ in any output and the last code
 * cell shows an HTML `<table>` (the published-value table). Each exercise's notebook is run
 * twice over: as committed (`exercises/NN_…`: every grading cell shows the grader's report with
 * every check "not implemented yet") and with the reference solutions in place of its stubs
 * (`solved/NN_…`: every check passed), judged as `deno task notebooks:run` judges them. One
 * full-page screenshot per notebook goes to `out/browser/NN.png` (exercises:
 * `exercises_NN.png`, `solved_NN.png`): the first Run All that differed from the reference,
 * else the last one.
 *
 * Nothing is written into `notebooks/`: the server's root is a temporary directory holding a copy
 * of `notebooks/` beside symlinks to `lib/`, `data/`, `tools/` and `exercises/` (so
 * `../lib/mod.ts` and the exercises' `../../tools/grader/notebook.ts` resolve) and copies
 * of `deno.json` / `deno.lock`; the Deno kernelspec is installed into that directory
 * (`XDG_DATA_HOME`, which `deno jupyter --install` honours) and the server's Jupyter paths all
 * point into it. Every server and browser started here is stopped in `finally`.
 *
 * Skips (exit 0, one line) when Chromium or the Notebook is missing. Options:
 * `--repeat K` (Run All K times per notebook, default 1), `--only NN[,NN…]`, `--timeout S` (per
 * run, default 900). Ends with `N passed, M failed` (notebooks) alone on a line; exit 1 on a
 * failure. `deno test -A tests/browser/notebooks_browser.ts` runs the same as one test.
 *
 * Normalisation before comparing: none is needed today (no output carries a time or a random
 * id; checked by comparing repeated runs). Stream outputs are compared line by line (the
 * Notebook concatenates consecutive stream messages, so a misfiled line merges into the next
 * cell's text); rich outputs by their full MIME bundle; an `execute_result` by its bundle and
 * its `Out[n]` number.
 *
 * @module
 */

import { type Browser, CHROMIUM, launchChromium, type Page } from "../../tools/chromium.ts";
import { gradingProblems, type NotebookKind } from "../../tools/notebook_verdicts.ts";
import { solvedNotebookText } from "../../tools/notebook_driver.ts";
import { committed } from "../../tools/notebooks.ts";

const NOTEBOOK = Deno.env.get("JUPYTER_NOTEBOOK") ?? "/usr/bin/jupyter-notebook";
/** How long the page must show no change before a cell (or a Run All) counts as finished. */
const QUIET_MS = 1000;
const ROOT = new URL("../../", import.meta.url);
const OUT = new URL("out/browser/", ROOT);
let verbose = false;
/** Progress on stderr with --verbose. */
function note(msg: string): void {
  if (verbose) console.error(`  [${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

interface Options {
  verbose: boolean;
  repeat: number;
  only: string[] | null;
  timeoutS: number;
}

export function parseArgs(args: string[]): Options {
  const o: Options = { verbose: false, repeat: 1, only: null, timeoutS: 900 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--verbose") {
      o.verbose = true;
    } else if (a === "--repeat") {
      o.repeat = Number(value());
      if (!Number.isInteger(o.repeat) || o.repeat < 1) {
        throw new Error(`--repeat needs a whole number ≥ 1, got ${args[i]}`);
      }
    } else if (a === "--only") {
      o.only = value().split(",").map((s) => s.trim().padStart(2, "0"));
      if (o.only.some((s) => !/^\d\d$/.test(s))) {
        throw new Error(`--only needs notebook numbers like 05 or 1,5, got ${args[i]}`);
      }
    } else if (a === "--timeout") {
      o.timeoutS = Number(value());
      if (!(o.timeoutS > 0)) throw new Error(`--timeout needs seconds > 0, got ${args[i]}`);
    } else {
      throw new Error(
        `unknown option ${a} (valid: --repeat K, --only NN[,NN…], --timeout S, --verbose)`,
      );
    }
  }
  return o;
}

/** Why the suite cannot run here, or null. */
export function skipReason(): string | null {
  for (const [what, path] of [["Chromium", CHROMIUM], ["jupyter-notebook", NOTEBOOK]]) {
    try {
      if (!Deno.statSync(path).isFile) return `${path} (${what}) is not a file`;
    } catch {
      return `${path} not found (${what})`;
    }
  }
  return null;
}

// ---------------------------------------------------------------- outputs, as the page holds them

/** One output of a cell, as the Notebook's model holds it (nbformat JSON). */
interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
}

interface CellView {
  index: number;
  source: string;
  prompt: string;
  outputs: NbOutput[];
  svgs: number;
  tables: number;
  text: string;
}

/** A cell's outputs as comparable items: a stream line each, one per rich output. */
export function items(outputs: NbOutput[]): string[] {
  const out: string[] = [];
  for (const o of outputs) {
    if (o.output_type === "stream") {
      const text = Array.isArray(o.text) ? o.text.join("") : (o.text ?? "");
      const lines = text.split("\n");
      if (lines.at(-1) === "") lines.pop();
      for (const line of lines) out.push(`${o.name}: ${line}`);
    } else if (o.output_type === "error") {
      out.push(`error: ${o.ename}: ${o.evalue}`);
    } else {
      const data = Object.fromEntries(
        Object.entries(o.data ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join("") : v]),
      );
      const count = o.output_type === "execute_result" ? `Out[${o.execution_count}] ` : "";
      out.push(`${o.output_type}: ${count}${JSON.stringify(data)}`);
    }
  }
  return out;
}

/** Short, readable form of an item for a report. */
function brief(item: string): string {
  let s = item;
  const m = /^(execute_result|display_data): (Out\[\d+\] )?(\{.*\})$/.exec(item);
  if (m) {
    const data = JSON.parse(m[3]) as Record<string, string>;
    const mimes = Object.keys(data).join("+");
    const plain = typeof data["text/plain"] === "string" ? ` ${data["text/plain"]}` : "";
    s = `${m[1]} ${m[2] ?? ""}[${mimes}]${plain}`;
  }
  s = s.replace(/\s+/g, " ");
  return JSON.stringify(s.length > 90 ? s.slice(0, 87) + "…" : s);
}

/**
 * Checks that need no reference: errors, stderr, charts, and for a lesson no ✗ and the closing
 * table; for an exercise (`stubs`, `solved`) the grading cells' reports, judged as
 * `deno task notebooks:run` judges them (every check "not implemented yet" on the committed
 * stubs, every check passed with the reference solutions).
 */
export function ownChecks(cells: CellView[], kind: NotebookKind = "lesson"): string[] {
  const problems: string[] = [];
  const code = cells.filter((c) => c.source.trim() !== "");
  for (const c of code) {
    const where = `cell ${c.index} (${c.prompt.trim()})`;
    for (const o of c.outputs) {
      if (o.output_type === "error") problems.push(`${where}: error ${o.ename}: ${o.evalue}`);
      if (o.output_type === "stream" && o.name === "stderr") {
        const t = Array.isArray(o.text) ? o.text.join("") : o.text ?? "";
        problems.push(`${where}: stderr ${brief(t)}`);
      }
    }
    if (kind === "lesson" && c.text.includes("✗")) {
      const line = c.text.split("\n").find((l) => l.includes("✗")) ?? "";
      problems.push(`${where}: shows ✗: ${brief(line.trim())}`);
    }
    if (/\bplot\(/.test(c.source) && c.svgs === 0) {
      problems.push(`${where}: calls plot( but shows no <svg> chart`);
    }
  }
  const last = code.at(-1);
  if (kind !== "lesson") {
    const graded = code.map((c) => ({
      cell: c.index,
      source: c.source,
      stdout: c.outputs.filter((o) => o.output_type === "stream" && o.name === "stdout")
        .map((o) => Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")).join(""),
    }));
    gradingProblems(graded, kind, problems);
  } else if (!last) problems.push("no code cell");
  else if (last.tables === 0) {
    problems.push(`last code cell ${last.index}: no HTML <table> (the published-value table)`);
  }
  return problems;
}

/** Differences between a Run All and the reference, one line per differing cell. */
export function compare(run: CellView[], ref: CellView[]): string[] {
  const diffs: string[] = [];
  for (let k = 0; k < ref.length; k++) {
    const a = items(run[k].outputs);
    const b = items(ref[k].outputs);
    if (a.length === b.length && a.every((x, i) => x === b[i])) continue;
    // Common prefix and suffix; the rest is what differs.
    let p = 0;
    while (p < a.length && p < b.length && a[p] === b[p]) p++;
    let s = 0;
    while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) {
      s++;
    }
    const shown = a.slice(p, a.length - s);
    const missing = b.slice(p, b.length - s);
    const at = (
      i: number,
      n: number,
    ) => (i === 0 ? "at the top" : i + s === n ? "at the end" : `after item ${i}`);
    const parts: string[] = [];
    if (missing.length) {
      parts.push(
        `missing ${missing.length} ${at(p, b.length)} (${
          missing.slice(0, 4).map(brief).join(", ")
        }${missing.length > 4 ? ", …" : ""})`,
      );
    }
    if (shown.length) {
      // Where did they come from? A previous cell's reference tail, typically.
      const origin = ref.findIndex((c, j) =>
        j !== k && shown.every((x) => items(c.outputs).includes(x))
      );
      parts.push(
        `shows ${shown.length} extra ${at(p, a.length)}${
          origin >= 0 ? ` belonging to cell ${ref[origin].index}` : ""
        } (${shown.slice(0, 4).map(brief).join(", ")}${shown.length > 4 ? ", …" : ""})`,
      );
    }
    diffs.push(`cell ${ref[k].index} (${ref[k].prompt.trim()}): ${parts.join("; ")}`);
  }
  return diffs;
}

// ---------------------------------------------------------------- the page

/* The page's globals (classic Notebook 6.x), typed loosely for the evaluate callbacks. */
// deno-lint-ignore no-explicit-any
type Any = any;
declare const Jupyter: Any;
declare const document: Any;
declare const MutationObserver: Any;
type HTMLElement = Any;

async function until<T>(
  what: () => string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false>,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (true) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(what());
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Installs a mutation clock (window.__lastChange) and waits for the notebook and its kernel. */
async function openNotebook(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url, { waitUntil: "load" });
  await until(
    () => `${name}: the Notebook did not load with a connected kernel in 120 s`,
    120_000,
    () =>
      page.evaluate(() => {
        const w = globalThis as Any;
        return !!(w.Jupyter?.notebook?._fully_loaded && w.Jupyter.notebook.kernel?.is_connected());
      }),
  );
  await page.evaluate(() => {
    // Only outputs and prompts count as change (CodeMirror's blinking cursor does not).
    const w = globalThis as Any;
    w.__lastChange = Date.now();
    new MutationObserver((records: Any[]) => {
      const el = (n: Any) => (n.nodeType === 1 ? n : n.parentElement);
      if (records.some((r) => el(r.target)?.closest?.(".output_wrapper, .input_prompt"))) {
        w.__lastChange = Date.now();
      }
    }).observe(document.querySelector("#notebook-container"), {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
}

interface PageState {
  running: number[];
  blank: number[];
  idle: boolean;
  quietMs: number;
}

function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const w = globalThis as Any;
    const running: number[] = [];
    const blank: number[] = [];
    w.Jupyter.notebook.get_cells().forEach((c: Any, i: number) => {
      if (c.cell_type !== "code" || c.get_text().trim() === "") return;
      const p = c.element.find(".input_prompt").text();
      if (/\[\s*\*\s*\]/.test(p)) running.push(i);
      else if (!/\[\s*\d+\s*\]/.test(p)) blank.push(i);
    });
    const icon = document.querySelector("#kernel_indicator_icon");
    return {
      running,
      blank,
      idle: !!icon?.classList.contains("kernel_idle_icon"),
      quietMs: Date.now() - w.__lastChange,
    };
  });
}

function readCells(page: Page): Promise<CellView[]> {
  return page.evaluate(() => {
    const w = globalThis as Any;
    return w.Jupyter.notebook.get_cells().map((c: Any, index: number) => ({ c, index }))
      .filter(({ c }: Any) => c.cell_type === "code")
      .map(({ c, index }: Any) => ({
        index,
        source: c.get_text(),
        prompt: c.element.find(".input_prompt").text().replace(/\u00a0/g, " "),
        outputs: JSON.parse(JSON.stringify(c.output_area.outputs)),
        svgs: c.element.find(".output_area svg").length,
        tables: c.element.find(".output_area table").length,
        text: c.element.find(".output_wrapper")[0]?.innerText ?? "",
      }));
  });
}

async function restartKernel(page: Page, name: string): Promise<void> {
  await page.evaluate(() =>
    new Promise<void>((resolve) => {
      const nb = (globalThis as Any).Jupyter.notebook;
      nb.clear_all_output();
      nb.events.one("kernel_ready.Kernel", () => resolve());
      nb.kernel.restart();
    })
  );
  await until(() => `${name}: the kernel did not become idle after a restart`, 60_000, async () => {
    const s = await pageState(page);
    return s.idle && s.running.length === 0;
  });
}

/** Shift+Enter on every code cell in turn, each finished before the next. */
async function runCellByCell(page: Page, name: string, timeoutMs: number): Promise<CellView[]> {
  await restartKernel(page, name);
  const indices: number[] = await page.evaluate(() =>
    (globalThis as Any).Jupyter.notebook.get_cells().flatMap((c: Any, i: number) =>
      c.cell_type === "code" && c.get_text().trim() !== "" ? [i] : []
    )
  );
  const end = Date.now() + timeoutMs;
  for (const i of indices) {
    const t = Date.now();
    await page.evaluate((i: number) => {
      const nb = (globalThis as Any).Jupyter.notebook;
      nb.select(i);
      nb.command_mode();
    }, i);
    await page.keyboard.down("Shift");
    await page.keyboard.press("Enter");
    await page.keyboard.up("Shift");
    await until(
      () => `${name}: cell ${i} did not finish (cell by cell) within the timeout`,
      end - Date.now(),
      async () => {
        const s = await pageState(page);
        return !s.running.includes(i) && !s.blank.includes(i) && s.idle && s.quietMs >= QUIET_MS;
      },
    );
    note(`${name}: cell ${i} done in ${((Date.now() - t) / 1000).toFixed(1)} s (cell by cell)`);
  }
  return readCells(page);
}

/** Kernel → Restart & Run All, as a user clicks it; waits until no cell shows In [*]. */
async function runAll(page: Page, name: string, timeoutMs: number): Promise<CellView[]> {
  await page.evaluate(() => (globalThis as Any).Jupyter.notebook.clear_all_output());
  await page.click("#kernellink");
  await page.waitForSelector("#restart_run_all", { visible: true });
  await page.click("#restart_run_all");
  const confirm = ".modal-dialog .modal-footer button.btn-danger";
  await page.waitForSelector(confirm, { visible: true });
  await page.click(confirm);
  const start = Date.now();
  let last: PageState | null = null;
  await until(
    () =>
      `${name}: Run All did not finish in ${Math.round(timeoutMs / 1000)} s: ` +
      (last?.running.length
        ? `cells ${last.running.join(", ")} still show In [*]`
        : last?.blank.length
        ? `cells ${last.blank.join(", ")} never ran`
        : "the kernel is still busy"),
    timeoutMs,
    async () => {
      const s = (last = await pageState(page));
      if (s.running.length) note(`${name}: Run All: In [*] on cells ${s.running.join(", ")}`);
      return Date.now() - start > 2000 && s.running.length === 0 && s.blank.length === 0 &&
        s.idle && s.quietMs >= QUIET_MS;
    },
  );
  return readCells(page);
}

async function fullPageScreenshot(page: Page): Promise<Uint8Array> {
  // The Notebook scrolls inside #site; let the document grow so a full-page shot holds it all.
  await page.evaluate(() => {
    for (const sel of ["html", "body", "#site"]) {
      const el = document.querySelector(sel) as HTMLElement;
      el.dataset.savedStyle = el.getAttribute("style") ?? "";
      el.style.height = "auto";
      el.style.overflow = "visible";
    }
  });
  const png = await page.screenshot({ fullPage: true, type: "png" });
  await page.evaluate(() => {
    for (const sel of ["html", "body", "#site"]) {
      const el = document.querySelector(sel) as HTMLElement;
      el.setAttribute("style", el.dataset.savedStyle ?? "");
    }
  });
  return png;
}

// ---------------------------------------------------------------- server and browser

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * The server's root; returns the notebooks, as paths under `notebooks/`: the lessons', then
 * each exercise's as committed (`exercises/…`) and with the reference solutions in place of
 * its stubs (`solved/…`, as deep as `exercises/`, so `../../` reaches the root alike).
 */
async function prepareRoot(dir: string): Promise<string[]> {
  const names: string[] = [];
  const exercises: string[] = [];
  await Deno.mkdir(`${dir}/notebooks/exercises`, { recursive: true });
  await Deno.mkdir(`${dir}/notebooks/solved`);
  for (const sub of ["", "exercises/"]) {
    for await (const e of Deno.readDir(new URL(`notebooks/${sub}`, ROOT))) {
      if (e.isFile && e.name.endsWith(".ipynb")) {
        const to = `${dir}/notebooks/${sub}${e.name}`;
        if (sub) {
          // The exercise as committed (from git), so a learner's own work is never graded here.
          await Deno.writeTextFile(to, committed(`notebooks/${sub}${e.name}`));
          await Deno.writeTextFile(`${dir}/notebooks/solved/${e.name}`, solvedNotebookText(to));
          exercises.push(e.name);
        } else {
          await Deno.copyFile(new URL(`notebooks/${e.name}`, ROOT), to);
          names.push(e.name);
        }
      }
    }
  }
  names.sort();
  for (const e of exercises.sort()) names.push(`exercises/${e}`, `solved/${e}`);
  for (const d of ["lib", "data", "tools", "exercises", "deps"]) {
    await Deno.symlink(new URL(d, ROOT).pathname, `${dir}/${d}`);
  }
  // The kernel reads notebooks/deno.json (the notebooks' lockfile, deps/notebook.lock).
  for (const f of ["deno.json", "notebooks/deno.json"]) {
    await Deno.copyFile(new URL(f, ROOT), `${dir}/${f}`);
  }
  // The kernelspec, into the temporary directory only.
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", "--force"],
    env: { XDG_DATA_HOME: `${dir}/share` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(install.stdout) + new TextDecoder().decode(install.stderr);
  if (!install.success || !said.includes(`${dir}/share/jupyter/kernels/deno`)) {
    throw new Error(`deno jupyter --install did not install into ${dir}/share: ${said}`);
  }
  return names.sort();
}

interface Server {
  url: string;
  token: string;
  stop(): Promise<void>;
}

async function startNotebook(dir: string): Promise<Server> {
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const child = new Deno.Command(NOTEBOOK, {
    args: [
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${dir}`,
      // The Notebook refuses to run as root without it (CI containers run as root).
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ],
    cwd: dir,
    env: {
      // The kernels inherit it: the exercise notebooks' random cases, the same in every run.
      GBH_GRADER_SEED: "20261207",
      JUPYTER_PATH: `${dir}/share/jupyter`,
      JUPYTER_DATA_DIR: `${dir}/share/jupyter`,
      JUPYTER_CONFIG_DIR: `${dir}/config`,
      JUPYTER_RUNTIME_DIR: `${dir}/runtime`,
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Both streams into one log, shown when the server fails to start.
  const log = await Deno.open(`${dir}/notebook.log`, { write: true, create: true });
  const pump = child.stdout.pipeTo(log.writable, { preventClose: true })
    .catch(() => {});
  const pumpErr = child.stderr.pipeTo(
    new WritableStream({ write: (chunk) => log.write(chunk).then(() => {}) }),
  ).catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  let exited: Deno.CommandStatus | null = null;
  child.status.then((st) => (exited = st));
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const t = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 10_000);
    await child.status;
    clearTimeout(t);
    await Promise.all([pump, pumpErr]);
    log.close();
  };
  try {
    await until(() => `jupyter-notebook did not answer on ${url} in 60 s`, 60_000, async () => {
      if (exited) throw new Error(`jupyter-notebook exited with status ${exited.code}`);
      try {
        const r = await fetch(`${url}/api/status?token=${token}`);
        await r.body?.cancel();
        return r.ok;
      } catch {
        return false;
      }
    }, 300);
  } catch (e) {
    await stop();
    const text = await Deno.readTextFile(`${dir}/notebook.log`).catch(() => "");
    throw new Error(`${(e as Error).message}\n${text.slice(-2000)}`);
  }
  return { url, token, stop };
}

// ---------------------------------------------------------------- the suite

interface Result {
  notebook: string;
  ok: boolean;
  lines: string[];
}

async function testNotebook(
  browser: Browser,
  server: Server,
  file: string,
  o: Options,
): Promise<Result> {
  // The screenshot's name: NN for lesson NN, exercises_NN / solved_NN for exercise NN.
  const nn = file.replace(/^(?:(\w+)\/)?(\d\d).*$/, (_, dir, n) => dir ? `${dir}_${n}` : n);
  const kind: NotebookKind = file.startsWith("exercises/")
    ? "stubs"
    : file.startsWith("solved/")
    ? "solved"
    : "lesson";
  const lines: string[] = [];
  let ok = true;
  const page = await browser.newPage();
  try {
    await openNotebook(
      page,
      `${server.url}/notebooks/notebooks/${file}?token=${server.token}`,
      file,
    );
    let t = Date.now();
    const ref = await runCellByCell(page, file, o.timeoutS * 1000);
    const refProblems = ownChecks(ref, kind);
    lines.push(
      `${file}: cell by cell ${((Date.now() - t) / 1000).toFixed(1)} s, ${ref.length} code cells` +
        (refProblems.length ? `, ${refProblems.length} problem(s):` : ", checks ✓"),
      ...refProblems.map((p) => `    ${p}`),
    );
    if (refProblems.length) ok = false;
    let shot: Uint8Array | null = null;
    let misfiledRuns = 0;
    for (let r = 1; r <= o.repeat; r++) {
      t = Date.now();
      const run = await runAll(page, file, o.timeoutS * 1000);
      const secs = ((Date.now() - t) / 1000).toFixed(1);
      const problems = ownChecks(run, kind);
      const diffs = compare(run, ref);
      if (diffs.length) misfiledRuns++;
      const bad = problems.length + diffs.length > 0;
      if (bad) ok = false;
      lines.push(
        `${file}: Run All ${r}/${o.repeat} ${secs} s: ` +
          (bad
            ? `${diffs.length} cell(s) differ from cell by cell, ${problems.length} problem(s):`
            : "identical to cell by cell, checks ✓"),
        ...diffs.map((d) => `    ${d}`),
        ...problems.map((p) => `    ${p}`),
      );
      if (misfiledRuns === 0 || (diffs.length > 0 && misfiledRuns === 1)) {
        shot = await fullPageScreenshot(page);
      }
    }
    if (o.repeat > 1) {
      lines.push(`${file}: Run All differed in ${misfiledRuns} of ${o.repeat} runs`);
    }
    if (shot) {
      await Deno.mkdir(OUT, { recursive: true });
      await Deno.writeFile(new URL(`${nn}.png`, OUT), shot);
      lines.push(`${file}: screenshot out/browser/${nn}.png`);
    }
  } catch (e) {
    ok = false;
    lines.push(`${file}: ${(e as Error).message}`);
  } finally {
    await page.close().catch(() => {});
  }
  return { notebook: file, ok, lines };
}

/** Runs the suite; returns the number of failed notebooks, or null when skipped. */
export async function main(args: string[], print = console.log): Promise<number | null> {
  const o = parseArgs(args);
  verbose = o.verbose;
  const skip = skipReason();
  if (skip) {
    print(`test:browser skipped: ${skip}`);
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "gbh-browser-" });
  let server: Server | null = null;
  let browser: Browser | null = null;
  const results: Result[] = [];
  const t0 = Date.now();
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  // Interrupted (Ctrl-C, a CI timeout): stop what was started, then leave.
  const onSignal = () => cleanup().finally(() => Deno.exit(130));
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, onSignal);
  try {
    let files = await prepareRoot(dir);
    if (o.only) {
      // NN picks lesson NN's notebook and exercise NN's (as committed and solved).
      const nnOf = (f: string) => f.split("/").at(-1)!.slice(0, 2);
      const unknown = o.only.filter((nn) => !files.some((f) => nnOf(f) === nn));
      if (unknown.length) {
        throw new Error(`--only ${unknown.join(",")}: no such notebook (have ${files.join(", ")})`);
      }
      files = files.filter((f) => o.only!.includes(nnOf(f)));
    }
    server = await startNotebook(dir);
    browser = await launchChromium(`${dir}/chromium-profile`, {
      height: 1000,
      protocolTimeout: 300_000,
    });
    for (const f of files) {
      const r = await testNotebook(browser, server, f, o);
      for (const l of r.lines) print(l);
      print(`${r.ok ? "PASS" : "FAIL"} ${f}`);
      results.push(r);
    }
  } finally {
    for (const sig of signals) Deno.removeSignalListener(sig, onSignal);
    await cleanup();
  }
  const failed = results.filter((r) => !r.ok).length;
  print(`test:browser: ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
  print(`${results.length - failed} passed, ${failed} failed`);
  return failed;
}

if (import.meta.main) {
  let code = 0;
  try {
    const failed = await main(Deno.args);
    code = failed ? 1 : 0;
  } catch (e) {
    console.error(`test:browser: ${(e as Error).message}`);
    console.log("0 passed, 1 failed");
    code = 1;
  }
  Deno.exit(code);
} else if ("test" in Deno && typeof Deno.test === "function") {
  Deno.test({
    name: "every notebook, Run All in Chromium + Jupyter Notebook, equals its cell-by-cell run",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const lines: string[] = [];
      const failed = await main([], (l) => lines.push(l));
      console.log(lines.join("\n"));
      if (failed === null) return; // skipped, said why
      if (failed > 0) throw new Error(lines.filter((l) => !l.startsWith("PASS")).join("\n"));
    },
  });
}
