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

import { flagHelp, parseOrExit } from "./cli.ts";
import { executed, runNotebook, solvedNotebook } from "./notebook_driver.ts";
import { differences, kindOf, type NotebookKind, problems } from "./notebook_verdicts.ts";

const ROOT = new URL("../", import.meta.url);

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
