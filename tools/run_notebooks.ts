/**
 * Executes notebooks on Deno's kernel the way front-ends do, and checks what each cell got.
 *
 * `deno task notebooks:run [--repeat K] [--jobs N] [--write DIR] [notebooks…]`
 *
 * For each notebook it starts a kernel (working directory: the notebook's folder, as
 * Jupyter does) and sends **every code cell at once**, as "Run All" does in the classic
 * Notebook, JupyterLab and VS Code. Each iopub message is filed under the cell its parent
 * id names; an output that arrives after that cell's `idle` status is **lost** — nbclient
 * and JupyterLab stop listening at `idle`, and the classic Notebook files it under whatever
 * cell is running. Then it runs the same notebook again in a new kernel cell by cell (each
 * cell sent after the previous one's `idle`) and compares the two runs cell for cell.
 *
 * A notebook fails, naming the cell (1-based, counting markdown cells, as Jupyter lists
 * them), when a cell raises or the kernel dies or times out (`GBH_CELL_TIMEOUT` seconds per
 * cell, default 300); an output arrives after its cell's `idle`, or under no cell of ours;
 * the Run All outputs of a cell differ from its cell-by-cell outputs; a cell writes a warning
 * or an error to stderr; a display lacks its rich form (arrays and tables: HTML; charts:
 * Vega-Lite spec and SVG); or a file appears in the notebook's folder. A lesson's notebook
 * also fails when a line starts with ✗ or the published-value table is missing or not an
 * HTML table. An exercise's notebook (in `notebooks/exercises/`) runs twice over: as
 * committed, where every grading cell (`// Grade …:`) must print the grader's report for the
 * functions it names with every check "not implemented yet", and with the reference
 * solutions in place of the stubs ({@link solvedNotebook}), where every check must pass.
 * Without paths it runs every lesson's and exercise's notebook. `--write DIR` saves each
 * executed notebook (Run All outputs) into DIR (exercises in `DIR/exercises/` and
 * `DIR/solved/`). The committed notebooks are never modified.
 *
 * Prints one ✓/✗ line per notebook run and a closing `N passed, M failed`; exit code 1 if
 * any failed, 2 on bad usage.
 *
 * @module
 */

// The client (it starts kernels and opens TCP sockets) is loaded only to run a notebook, so
// the judgement below can be imported and tested without those permissions.
import type { Message } from "./jupyter_client.ts";
import { flagHelp, parseOrExit } from "./cli.ts";

const ROOT = new URL("../", import.meta.url);
const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";
const STDERR_PROBLEM = /warning|error|panic|uncaught/i;

/** A cell output in nbformat's shape. */
export type Output =
  | { output_type: "stream"; name: string; text: string }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: unknown }
  | {
    output_type: "execute_result";
    data: Record<string, unknown>;
    metadata: unknown;
    execution_count: number | null;
  }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
  [k: string]: unknown;
}

/** What one code cell received. */
export interface CellResult {
  /** 1-based position in the notebook, markdown cells counted. */
  cell: number;
  /** The code the cell sent. */
  source: string;
  outputs: Output[];
  /** Outputs that arrived after the cell's `idle` (lost to front-ends that stop there). */
  late: Output[];
  status: string;
  executionCount: number | null;
  error?: string;
}

/** A notebook run. */
export interface NotebookRun {
  name: string;
  mode: "all" | "serial";
  cells: CellResult[];
  /** Output messages whose parent is none of our requests. */
  orphans: number;
  seconds: number;
  kernelStderr: string;
}

function text(source: string | string[]): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Turns an iopub message into an output (nbformat's `output_from_msg`), or null. */
function outputOf(m: Message): Output | null {
  const c = m.content;
  switch (m.header.msg_type) {
    case "stream":
      return { output_type: "stream", name: String(c.name), text: String(c.text) };
    case "display_data":
      return {
        output_type: "display_data",
        data: c.data as Record<string, unknown>,
        metadata: c.metadata ?? {},
      };
    case "execute_result":
      return {
        output_type: "execute_result",
        data: c.data as Record<string, unknown>,
        metadata: c.metadata ?? {},
        execution_count: (c.execution_count as number) ?? null,
      };
    case "error":
      return {
        output_type: "error",
        ename: String(c.ename),
        evalue: String(c.evalue),
        traceback: (c.traceback as string[]) ?? [],
      };
  }
  return null;
}

/** Appends an output, merging consecutive stream text of one name as nbformat stores it. */
function append(outputs: Output[], o: Output): void {
  const last = outputs.at(-1);
  if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) {
    last.text += o.text;
  } else outputs.push(structuredClone(o));
}

/** Runs one notebook on a new kernel; "all" sends every cell at once, "serial" one by one. */
export async function runNotebook(
  path: string,
  mode: "all" | "serial",
  options: { deno?: string; timeoutSeconds?: number } = {},
): Promise<NotebookRun> {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  const cells: NotebookCell[] = nb.cells;
  const timeout = (options.timeoutSeconds ?? Number(Deno.env.get("GBH_CELL_TIMEOUT") ?? 300)) *
    1000;
  const dir = path.replace(/[^/]*$/, "") || ".";
  const { Kernel } = await import("./jupyter_client.ts");
  const kernel = await Kernel.start({
    deno: options.deno ?? Deno.execPath(),
    cwd: dir,
    dir: new URL("out/jupyter/", ROOT).pathname,
  });
  const start = performance.now();
  const results: CellResult[] = [];
  const byId = new Map<string, { result: CellResult; idle: boolean }>();
  // display_id → the output it created, so update_display_data changes it in place (as every
  // front-end does); ids never displayed (flushOutput's markers) change nothing.
  const displays = new Map<string, Output>();
  let orphans = 0;
  const waiting = new Map<string, () => void>();
  const stop = kernel.onIopub((m) => {
    const entry = byId.get(m.parent_header.msg_id ?? "");
    if (m.header.msg_type === "status") {
      if (entry && m.content.execution_state === "idle") {
        entry.idle = true;
        waiting.get(m.parent_header.msg_id!)?.();
      }
      return;
    }
    if (m.header.msg_type === "update_display_data") {
      const id = (m.content.transient as { display_id?: string } | undefined)?.display_id;
      const target = id ? displays.get(id) : undefined;
      if (target && "data" in target) target.data = m.content.data as Record<string, unknown>;
      return;
    }
    const out = outputOf(m);
    if (!out) return;
    if (!entry) {
      orphans++;
      return;
    }
    append(entry.idle ? entry.result.late : entry.result.outputs, out);
    const id = (m.content.transient as { display_id?: string } | undefined)?.display_id;
    if (id && !entry.idle) displays.set(id, entry.result.outputs.at(-1)!);
  });
  const idleOf = (id: string) =>
    new Promise<void>((resolve) => {
      if (byId.get(id)?.idle) resolve();
      else waiting.set(id, resolve);
    });
  try {
    const sent: { id: string; result: CellResult }[] = [];
    const send = async (n: number) => {
      const result: CellResult = {
        cell: n + 1,
        source: text(cells[n].source),
        outputs: [],
        late: [],
        status: "sent",
        executionCount: null,
      };
      results.push(result);
      const id = crypto.randomUUID();
      byId.set(id, { result, idle: false });
      await kernel.execute(text(cells[n].source), id);
      sent.push({ id, result });
      return id;
    };
    const finish = async ({ id, result }: { id: string; result: CellResult }) => {
      const reply = await Promise.race([
        Promise.all([kernel.waitReply(id, timeout), idleOf(id)]).then(([r]) => r),
        new Promise<null>((r) => setTimeout(() => r(null), timeout)),
      ]);
      if (!reply) {
        result.status = (await kernel.alive()) ? "timeout" : "dead";
        result.error = result.status === "dead"
          ? "the kernel died"
          : `no result after ${timeout / 1000} s (GBH_CELL_TIMEOUT)`;
        return false;
      }
      result.status = String(reply.content.status);
      result.executionCount = (reply.content.execution_count as number) ?? null;
      if (result.status !== "ok") {
        result.error = `${reply.content.ename}: ${reply.content.evalue}`;
      }
      return true;
    };
    const code = cells.map((c, n) => (c.cell_type === "code" ? n : -1)).filter((n) => n >= 0);
    if (mode === "all") {
      // Reply waiters are registered before anything can answer: send, then wait in order.
      const ids: Promise<boolean>[] = [];
      for (const n of code) {
        await send(n);
        const last = sent.at(-1)!;
        ids.push(finish(last));
      }
      for (const p of ids) if (!(await p)) break;
    } else {
      for (const n of code) {
        await send(n);
        if (!(await finish(sent.at(-1)!))) break;
      }
    }
    // Anything still on its way is late by definition; give it a moment to show itself.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    stop();
    await kernel.shutdown();
  }
  return {
    name: path.split("/").at(-1)!,
    mode,
    cells: results,
    orphans,
    seconds: (performance.now() - start) / 1000,
    kernelStderr: kernel.stderr,
  };
}

function plainText(o: Output): string {
  if (o.output_type === "stream") return o.text;
  if (o.output_type === "error") return `${o.ename}: ${o.evalue}`;
  return String(o.data["text/plain"] ?? "");
}

/**
 * What a notebook is, and so what its outputs must show: a lesson (its published-value table,
 * no ✗), an exercise as committed (`stubs`: every grading cell reports each of its checks
 * "not implemented yet") or an exercise with the reference solutions in place of the stubs
 * (`solved`: every grading cell reports all its checks passed).
 */
export type NotebookKind = "lesson" | "stubs" | "solved";

/** The kind a notebook's path implies: exercise notebooks live in a folder named `exercises`. */
export function kindOf(path: string): NotebookKind {
  return /(^|\/)exercises\/[^/]+\.ipynb$/.test(path) ? "stubs" : "lesson";
}

/** A code cell as the grading judgement needs it: its number, its code, its stdout text. */
export interface GradedCell {
  cell: number;
  source: string;
  stdout: string;
}

/**
 * What an exercise notebook's grading cells printed, and what is wrong with them (pushed onto
 * `found`); returns a one-line summary. Used by this runner and by the browser suite.
 */
export function gradingProblems(
  cellsRun: GradedCell[],
  kind: "stubs" | "solved",
  found: string[],
): string {
  let cells = 0, checks = 0;
  for (const r of cellsRun) {
    const graded = r.source.match(/^\/\/ Grade ([^:]+):/)?.[1].split(", ");
    if (!graded) continue;
    cells++;
    // A check's line wrapped onto continuation lines (indented past its ✓/✗) is one line here.
    const out = r.stdout.trimEnd().split("\n").reduce<string[]>((lines, l) => {
      if (/^ {6}/.test(l) && lines.length) lines[lines.length - 1] += " " + l.trim();
      else lines.push(l);
      return lines;
    }, []);
    const close = out.at(-1)?.match(/^(?:all (\d+)|(\d+) of (\d+)) checks passed$/);
    if (!/^Exercise \d+ · /.test(out[0] ?? "") || !close) {
      found.push(
        `cell ${r.cell}: a grading cell whose output is not the grader's report: ` +
          JSON.stringify(out.join("\n").slice(0, 120)),
      );
      continue;
    }
    const n = Number(close[1] ?? close[3]), passed = close[1] ? n : Number(close[2]);
    checks += n;
    if (n === 0) found.push(`cell ${r.cell}: the grading cell ran no checks`);
    if (kind === "stubs" && passed !== 0) {
      found.push(`cell ${r.cell}: ${passed} of ${n} checks pass on the committed stubs`);
    }
    if (kind === "solved" && passed !== n) {
      found.push(`cell ${r.cell}: only ${passed} of ${n} checks pass on the reference solutions`);
    }
    // The functions the report names (lines indented two spaces) are the ones the cell grades.
    for (const fn of out.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim())) {
      if (!graded.some((g) => fn === g || fn.startsWith(`${g}.`))) {
        found.push(`cell ${r.cell} grades ${graded.join(", ")} but its report names ${fn}`);
      }
    }
    for (const line of out.filter((l) => /^\s*✗/.test(l))) {
      if (kind === "solved" || !/: not implemented yet(:|$)/.test(line)) {
        found.push(`cell ${r.cell}: ${line.trim().slice(0, 200)}`);
      }
    }
  }
  if (!cells) found.push("no grading cell (a code cell starting `// Grade …:`)");
  const counted = `${cells} grading cell${cells === 1 ? "" : "s"}, all ${checks} checks`;
  return kind === "stubs"
    ? `${counted} "not implemented yet" on the stubs`
    : `${counted} passed on the reference solutions`;
}

/** Everything wrong with a run, its summary line, and counts of rich displays. */
export function problems(
  run: NotebookRun,
  kind: NotebookKind = "lesson",
): { found: string[]; summary: string; html: number; charts: number } {
  const found: string[] = [];
  let summary = "";
  let html = 0, charts = 0, tableHtml = false;
  for (const r of run.cells) {
    if (r.status !== "ok") {
      const tb = r.outputs.filter((o) => o.output_type === "error")
        .flatMap((o) => (o as { traceback: string[] }).traceback.slice(-8));
      found.push(
        `cell ${r.cell}: ${r.error ?? r.status}${tb.length ? "\n    " + tb.join("\n    ") : ""}`,
      );
    }
    if (r.late.length) {
      found.push(
        `cell ${r.cell}: ${r.late.length} output(s) arrived after its idle (lost): ` +
          JSON.stringify(plainText(r.late[0]).slice(0, 80)),
      );
    }
    for (const o of r.outputs) {
      if (o.output_type === "stream" && o.name === "stderr") {
        for (const line of o.text.split("\n")) {
          if (STDERR_PROBLEM.test(line)) {
            found.push(`cell ${r.cell} wrote to stderr: ${line.trim().slice(0, 200)}`);
          }
        }
      }
      if (o.output_type === "display_data" || o.output_type === "execute_result") {
        if ("text/html" in o.data) {
          html++;
          tableHtml ||= String(o.data["text/html"]).includes("reference checks passed");
        }
        if (VEGA_LITE_MIME in o.data || "image/svg+xml" in o.data) {
          charts++;
          if (
            !(VEGA_LITE_MIME in o.data) || !String(o.data["image/svg+xml"] ?? "").startsWith("<svg")
          ) {
            found.push(`cell ${r.cell}: a chart without both ${VEGA_LITE_MIME} and SVG`);
          }
        } else if (o.output_type === "display_data" && !("text/html" in o.data)) {
          found.push(
            `cell ${r.cell}: a display without its rich form: ${
              JSON.stringify(plainText(o).slice(0, 80))
            }`,
          );
        }
      }
      for (const line of kind === "lesson" ? plainText(o).split("\n") : []) {
        if (line.startsWith("✗")) found.push(`cell ${r.cell}: ${line.trim().slice(0, 200)}`);
        if (line.includes("reference checks passed")) summary = line.trim();
      }
    }
  }
  if (run.orphans) found.push(`${run.orphans} output(s) arrived under no cell of this notebook`);
  if (kind !== "lesson") {
    const graded = run.cells.map((r) => ({
      cell: r.cell,
      source: r.source,
      stdout: r.outputs.filter((o) => o.output_type === "stream" && o.name === "stdout")
        .map(plainText).join(""),
    }));
    summary = gradingProblems(graded, kind, found);
  } else if (!summary) found.push("no published-value table in the outputs");
  else if (!tableHtml) found.push("the published-value table was not shown as HTML");
  return { found, summary, html, charts };
}

/** Cells whose outputs differ between two runs of one notebook, described. */
export function differences(a: NotebookRun, b: NotebookRun): string[] {
  const out: string[] = [];
  const n = Math.max(a.cells.length, b.cells.length);
  for (let i = 0; i < n; i++) {
    const x = JSON.stringify(a.cells[i]?.outputs ?? null);
    const y = JSON.stringify(b.cells[i]?.outputs ?? null);
    if (x !== y) {
      const cell = a.cells[i]?.cell ?? b.cells[i]?.cell;
      let at = 0;
      while (at < x.length && x[at] === y[at]) at++;
      out.push(
        `cell ${cell}: ${a.mode} and ${b.mode} runs differ: …${
          x.slice(Math.max(0, at - 30), at + 50)
        }… vs …${y.slice(Math.max(0, at - 30), at + 50)}…`,
      );
    }
  }
  return out;
}

/** The notebook with a run's outputs filled in (what `--write` saves). */
export function executed(path: string, run: NotebookRun): string {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  let k = 0;
  for (const c of nb.cells as NotebookCell[]) {
    if (c.cell_type !== "code") continue;
    const r = run.cells[k++];
    c.outputs = (r?.outputs ?? []).map((o) => {
      if (o.output_type !== "stream") return o;
      const lines = o.text.split(/(?<=\n)/);
      return { ...o, text: lines };
    }) as Output[];
    c.execution_count = r?.executionCount ?? null;
  }
  return JSON.stringify(nb, null, 1) + "\n";
}

/**
 * An exercise notebook with the reference solutions in place of its stubs: each cell that
 * holds a stub ends by assigning the same names from `exercises/_solutions.ts` (a cell's
 * function and class bindings can be reassigned), so the grading cells grade the solutions
 * in the kernel, as a learner's finished notebook would be. Written to `out/solved/`, as
 * deep below the root as `notebooks/exercises/`, so its relative imports resolve alike.
 */
export function solvedNotebook(path: string): string {
  const out = new URL(`out/solved/${path.split("/").at(-1)}`, ROOT).pathname;
  Deno.mkdirSync(out.replace(/[^/]*$/, ""), { recursive: true });
  Deno.writeTextFileSync(out, solvedNotebookText(path));
  return out;
}

/** The text of {@link solvedNotebook}'s notebook, written nowhere. */
export function solvedNotebookText(path: string): string {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  for (const c of nb.cells as NotebookCell[]) {
    const src = text(c.source);
    if (c.cell_type !== "code" || !src.includes("new NotImplemented(")) continue;
    const names = [...src.matchAll(/^(?:function|class) (\w+)/gm)].map((m) => m[1]);
    const at = src.lastIndexOf("await flushOutput();");
    const assign =
      `// The reference solutions in place of the stubs above (tools/run_notebooks.ts).\n` +
      `({ ${names.join(", ")} } = await import("../../exercises/_solutions.ts"));\n\n`;
    c.source = at < 0 ? src + "\n" + assign : src.slice(0, at) + assign + src.slice(at);
  }
  return JSON.stringify(nb, null, 1) + "\n";
}

async function pool<T, R>(items: T[], jobs: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]);
      }
    }),
  );
  return out;
}

const FLAGS = {
  repeat: { type: "string", help: "run every notebook K times (default 1)" },
  jobs: { type: "string", help: "kernels at once (default: the number of cores)" },
  write: { type: "string", help: "write the executed notebooks to this folder" },
} as const;
const USAGE = "usage: deno task notebooks:run [--repeat K] [--jobs N] [--write DIR] " +
  `[notebook.ipynb…]\n${flagHelp(FLAGS)}`;

function usage(why: string): never {
  console.error(`run_notebooks: ${why}\n${USAGE}`);
  Deno.exit(2);
}

if (import.meta.main) {
  const { values, positionals } = parseOrExit(Deno.args, FLAGS, USAGE, { positionals: Infinity });
  const num = (name: string, v: string | undefined, fallback: number) => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`--${name} takes a whole number ≥ 1`);
    return n;
  };
  const repeat = num("repeat", values.repeat, 1);
  const jobs = num("jobs", values.jobs, navigator.hardwareConcurrency || 2);
  const write = values.write ?? "";
  const paths: string[] = [...positionals];
  if (!paths.length) {
    for (const dir of ["notebooks/", "notebooks/exercises/"]) {
      for (const e of Deno.readDirSync(new URL(dir, ROOT))) {
        if (e.name.endsWith(".ipynb")) paths.push(new URL(`${dir}${e.name}`, ROOT).pathname);
      }
    }
    paths.sort();
  }
  const missing = paths.filter((p) => {
    try {
      return !Deno.statSync(p).isFile;
    } catch {
      return true;
    }
  });
  if (missing.length) usage(`no such notebook: ${missing.join(", ")}`);
  // Each exercise notebook runs twice: as committed (stubs) and with the reference solutions.
  const runs = paths.flatMap((p) =>
    kindOf(p) === "lesson"
      ? [{ p, kind: "lesson" as NotebookKind }]
      : [{ p, kind: "stubs" as NotebookKind }, { p: solvedNotebook(p), kind: "solved" as const }]
  );
  const dirs = [...new Set(runs.map(({ p }) => p.replace(/[^/]*$/, "") || "."))];
  const listing = (d: string) => [...Deno.readDirSync(d)].map((e) => e.name).sort();
  const before = new Map(dirs.map((d) => [d, listing(d)]));
  // Longest first (a rough guess: the largest file), so it does not run alone at the end.
  const jobsList = runs.flatMap((j) => Array.from({ length: repeat }, (_, r) => ({ ...j, r })))
    .sort((a, b) => Deno.statSync(b.p).size - Deno.statSync(a.p).size);
  let passed = 0, failed = 0;
  await pool(jobsList, jobs, async ({ p, r, kind }) => {
    const name = p.split("/").at(-1)!;
    const label = `${kind === "lesson" ? "" : "exercises/"}${name}` +
      `${kind === "solved" ? " (reference solutions)" : ""}` +
      `${repeat > 1 ? ` (run ${r + 1} of ${repeat})` : ""}`;
    try {
      const all = await runNotebook(p, "all");
      const serial = await runNotebook(p, "serial");
      const { found, summary, html, charts } = problems(all, kind);
      const serialProblems = problems(serial, kind).found.map((f) => `cell by cell: ${f}`);
      const found2 = [...found, ...serialProblems, ...differences(all, serial)];
      if (write && r === 0) {
        const into = kind === "lesson"
          ? write
          : `${write}/${kind === "stubs" ? "exercises" : kind}`;
        Deno.mkdirSync(into, { recursive: true });
        Deno.writeTextFileSync(`${into}/${name}`, executed(p, all));
      }
      if (found2.length) {
        failed++;
        const stderr = all.kernelStderr.split("\n").filter((l) => l && !/is unstable/.test(l));
        console.log(
          `✗ ${label}: ` + found2.slice(0, 8).join("\n    ") +
            (stderr.length ? "\n    kernel: " + stderr.slice(-10).join("\n    kernel: ") : ""),
        );
      } else {
        passed++;
        const cellsN = all.cells.length;
        console.log(
          `✓ ${label}: ${summary} (${cellsN} code cells, Run All and cell by cell identical, none late; ` +
            `${html} HTML displays, ${charts} charts; ${all.seconds.toFixed(1)} s + ${
              serial.seconds.toFixed(1)
            } s)`,
        );
      }
    } catch (e) {
      failed++;
      console.log(`✗ ${label}: ${(e as Error).message}`);
    }
  });
  for (const d of dirs) {
    const now = listing(d);
    const added = now.filter((n) => !before.get(d)!.includes(n));
    if (added.length) {
      failed++;
      console.log(
        `✗ the notebooks wrote ${added.join(", ")} into ${d} (lessons write only under out/)`,
      );
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  Deno.exit(failed ? 1 : 0);
}
