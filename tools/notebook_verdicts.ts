/**
 * The notebook runner's verdict rules: given the runs `notebook_driver.ts` recorded, what is
 * wrong with a notebook. A notebook fails, naming the cell (1-based, counting markdown cells,
 * as Jupyter lists them), when a cell raises or the kernel dies or times out; an output
 * arrives after its cell's `idle`, or under no cell of ours; the Run All outputs of a cell
 * differ from its cell-by-cell outputs ({@link differences}); a cell writes a warning or an
 * error to stderr; a display lacks its rich form (arrays and tables: HTML; charts: Vega-Lite
 * spec and SVG). A lesson's notebook also fails when a line starts with ✗ or the
 * published-value table is missing or not an HTML table; an exercise notebook's grading cells
 * must report every check "not implemented yet" as committed and passed with the reference
 * solutions ({@link gradingProblems}). Pure functions: no kernel, no permissions.
 *
 * @module
 */

import type { NotebookRun, Output } from "./notebook_driver.ts";

const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";
const STDERR_PROBLEM = /warning|error|panic|uncaught/i;

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
