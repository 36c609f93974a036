/**
 * `deno task notebooks`: turns every `lessons/NN_slug.ts` into `notebooks/NN_slug.ipynb`.
 *
 * A lesson is written in the "percent" format: a line `// %% [markdown]` starts a markdown
 * cell whose lines are `// `-prefixed prose, a line `// %%` starts a code cell. The notebook
 * gets the same cells, no outputs, and the Deno kernel's metadata. The output is
 * deterministic, so `tests/notebooks_test.ts` can regenerate in memory and compare with
 * what is committed. `--check` only reports notebooks that are out of date (exit 1).
 *
 * @module
 */

import { flagHelp, parseOrExit } from "./cli.ts";

const ROOT = new URL("../", import.meta.url);

interface Cell {
  cell_type: "markdown" | "code";
  metadata: Record<string, never>;
  source: string[];
  execution_count?: null;
  outputs?: never[];
}

/** The line the generator appends to every code cell. */
export const FLUSH_LINE = "await flushOutput();";

/** The set-up cell every notebook starts with; `lib` is the library's path from the notebook. */
export function setupCell(lib = "../lib"): string[] {
  return [
    "// Notebook set-up, added by tools/notebooks.ts: Deno's kernel can send a cell's last\n",
    '// outputs after the cell has finished, so under "Run All" they would show under the next\n',
    "// cell. Each code cell below ends with `await flushOutput();`, which waits until they are out.\n",
    `import { flushOutput } from "${lib}/course/jupyter.ts";`,
  ];
}

/** A cell of a percent-format file: its kind, its lines (markdown without `// `), where it is. */
export interface Span {
  type: "markdown" | "code";
  lines: string[];
  /** 1-based line numbers in the file of its first and last line (blank edges trimmed). */
  first: number;
  last: number;
}

/** Splits a percent-format lesson into its cells, with their line numbers (empty cells dropped). */
export function spansOf(text: string, file = "lesson"): Span[] {
  const spans: Span[] = [];
  let current: { type: "markdown" | "code"; lines: { text: string; n: number }[] } | null = null;
  const flush = () => {
    if (!current) return;
    const lines = [...current.lines];
    while (lines.length && lines[0].text.trim() === "") lines.shift();
    while (lines.length && lines[lines.length - 1].text.trim() === "") lines.pop();
    if (lines.length) {
      spans.push({
        type: current.type,
        lines: lines.map((l) => l.text),
        first: lines[0].n,
        last: lines[lines.length - 1].n,
      });
    }
    current = null;
  };
  text.split("\n").forEach((line, i) => {
    const n = i + 1;
    if (/^\/\/ %% \[markdown\]\s*$/.test(line)) {
      flush();
      current = { type: "markdown", lines: [] };
    } else if (/^\/\/ %%\s*$/.test(line)) {
      flush();
      current = { type: "code", lines: [] };
    } else if (current === null) {
      if (line.trim() !== "") {
        throw new Error(`${file}:${n}: text before the first "// %%" cell marker`);
      }
    } else if (current.type === "markdown") {
      if (line !== "//" && !line.startsWith("// ") && line.trim() !== "") {
        throw new Error(`${file}:${n}: a markdown cell line must start with "// "`);
      }
      current.lines.push({ text: line === "//" ? "" : line.replace(/^\/\/ ?/, ""), n });
    } else {
      current.lines.push({ text: line, n });
    }
  });
  flush();
  return spans;
}

/**
 * Splits a percent-format lesson into notebook cells: the set-up cell first, then the
 * lesson's cells, each code cell ending with {@link FLUSH_LINE}.
 */
export function cellsOf(text: string, file = "lesson", lib = "../lib"): Cell[] {
  const setup: Cell = {
    cell_type: "code",
    execution_count: null,
    metadata: {},
    outputs: [],
    source: setupCell(lib),
  };
  return [
    setup,
    ...spansOf(text, file).map((span): Cell => {
      const lines = span.type === "code" ? [...span.lines, "", FLUSH_LINE] : span.lines;
      const source = lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));
      return span.type === "markdown"
        ? { cell_type: "markdown", metadata: {}, source }
        : { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source };
    }),
  ];
}

/** The notebook JSON for a lesson's text, formatted the way Jupyter writes it. */
export function notebookOf(text: string, file = "lesson"): string {
  const nb = {
    cells: cellsOf(text, file),
    metadata: {
      kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
      language_info: {
        codemirror_mode: "typescript",
        file_extension: ".ts",
        mimetype: "text/x.typescript",
        name: "typescript",
        nbconvert_exporter: "script",
        pygments_lexer: "typescript",
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  // nbformat 4.5 wants a cell id; derive it from the position so output is deterministic.
  nb.cells.forEach((c, i) => Object.assign(c, { id: `cell-${String(i).padStart(3, "0")}` }));
  // Keys sorted and one-space indents, as nbformat writes: saving from Jupyter changes nothing.
  return JSON.stringify(sortKeys(nb), null, 1) + "\n";
}

function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x === null || typeof x !== "object") return x;
  return Object.fromEntries(
    Object.keys(x).sort().map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]),
  );
}

/**
 * What the nbformat 4.5 schema requires of the notebooks we write (no outputs yet), each
 * problem named; an empty list means valid. Our own reading of the schema, so the test
 * command needs no Python; CI also checks with Debian's nbformat (.ci/run).
 */
export function nbformatProblems(nb: Record<string, unknown>): string[] {
  const found: string[] = [];
  const isObj = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  const isSource = (x: unknown) =>
    typeof x === "string" || (Array.isArray(x) && x.every((l) => typeof l === "string"));
  if (nb.nbformat !== 4) found.push("nbformat must be 4");
  if (typeof nb.nbformat_minor !== "number" || nb.nbformat_minor < 5) {
    found.push("nbformat_minor must be ≥ 5 (cell ids)");
  }
  const meta = nb.metadata;
  if (!isObj(meta)) found.push("metadata must be an object");
  else if (meta.kernelspec !== undefined) {
    const k = meta.kernelspec;
    if (!isObj(k) || typeof k.name !== "string" || typeof k.display_name !== "string") {
      found.push("metadata.kernelspec needs string name and display_name");
    }
  }
  if (!Array.isArray(nb.cells)) return [...found, "cells must be an array"];
  const ids = new Set<string>();
  nb.cells.forEach((c: unknown, i: number) => {
    if (!isObj(c)) return found.push(`cell ${i}: not an object`);
    const allowed: Record<string, string[]> = {
      markdown: ["attachments", "cell_type", "id", "metadata", "source"],
      code: ["cell_type", "execution_count", "id", "metadata", "outputs", "source"],
    };
    const keys = allowed[String(c.cell_type)];
    if (!keys) return found.push(`cell ${i}: cell_type ${JSON.stringify(c.cell_type)}`);
    for (const k of Object.keys(c)) {
      if (!keys.includes(k)) found.push(`cell ${i}: unexpected property ${k}`);
    }
    if (typeof c.id !== "string" || !/^[a-zA-Z0-9-_]{1,64}$/.test(c.id)) {
      found.push(`cell ${i}: id must match ^[a-zA-Z0-9-_]{1,64}$`);
    } else if (ids.has(c.id)) found.push(`duplicate cell id ${c.id}`);
    else ids.add(c.id);
    if (!isObj(c.metadata)) found.push(`cell ${i}: metadata must be an object`);
    if (!isSource(c.source)) found.push(`cell ${i}: source must be a string or list of strings`);
    if (c.cell_type === "code") {
      if (!Array.isArray(c.outputs)) found.push(`cell ${i}: outputs must be an array`);
      if (c.execution_count !== null && !Number.isInteger(c.execution_count)) {
        found.push(`cell ${i}: execution_count must be null or an integer`);
      }
    }
  });
  return found;
}

/** Every lesson file and the notebook it becomes. */
export function pairs(): { lesson: URL; notebook: URL; name: string }[] {
  const out = [];
  for (const e of Deno.readDirSync(new URL("lessons/", ROOT))) {
    const m = e.name.match(/^(\d\d_[a-z0-9_]+)\.ts$/);
    if (!m) continue;
    out.push({
      name: m[1],
      lesson: new URL(`lessons/${e.name}`, ROOT),
      notebook: new URL(`notebooks/${m[1]}.ipynb`, ROOT),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * An exercise's notebook (`notebooks/exercises/NN_slug.ipynb`): the exercise's cells, with its
 * imports reaching `../../` from the notebook, `export` dropped (a kernel cell is not a module),
 * and after each code cell that holds a stub a grading cell running the same checks as
 * `deno task exercise N` on the functions defined so far.
 */
export function exerciseNotebookOf(text: string, file: string, exercise: number): string {
  const nb = JSON.parse(notebookOf(text, file));
  const defined: string[] = [];
  const cells: Record<string, unknown>[] = [];
  for (const cell of nb.cells.slice(1)) {
    if (cell.cell_type !== "code") {
      cells.push(cell);
      continue;
    }
    const src = (cell.source as string[]).map((l) =>
      l.replace(/from "\.\.\//, 'from "../../').replace(/from "\.\//, 'from "../../exercises/')
        .replace(/^export (function|class|interface|type|const) /, "$1 ")
    );
    cells.push({ ...cell, source: src });
    const names = src.flatMap((l) =>
      [...l.matchAll(/^(?:function|class) (\w+)/g)].map((m) => m[1])
    );
    defined.push(...names);
    const stubs = src.join("").match(/new NotImplemented\("(\w+)/g)?.map((m) => m.split('"')[1]);
    if (!stubs?.length) continue;
    const only = names.length === 1 && stubs.length === 1 ? `, "${names[0]}"` : "";
    cells.push({
      cell_type: "code",
      execution_count: null,
      metadata: {},
      outputs: [],
      source: [
        `// Grade ${
          names.join(", ")
        }: the checks of \`deno task exercise ${exercise}\`, run in this kernel\n`,
        "// (a function that never returns must be stopped here with Kernel → Interrupt).\n",
        `gradeHere(${exercise}, { ${defined.join(", ")} }${only});\n`,
        "\n",
        FLUSH_LINE,
      ],
    });
  }
  // The exercise's own introduction speaks of its `.ts` file and `deno task exercise N`; the
  // notebook in front of the learner works differently, so it says how, right after it.
  const intro = cells.findIndex((c) => c.cell_type === "markdown");
  const slug = file.replace(/^exercises\//, "").replace(/\.ts$/, "");
  cells.splice(intro + 1, 0, {
    cell_type: "markdown",
    metadata: {},
    source: [
      "**Working in this notebook.** Run the first cell once (it loads the course's library).\n",
      "Then, for each function: edit its code cell — replace `// YOUR CODE HERE` and the\n",
      "`throw` below it — run that cell (Shift-Enter), and run the grading cell after it: it\n",
      `runs the checks of \`deno task exercise ${exercise}\` on what this kernel has defined, and\n`,
      "names the mistake when it recognises one. Edit and re-run as often as you like; save the\n",
      "notebook to keep your work. Your edits live only in this notebook, not in\n",
      `\`exercises/${slug}.ts\`. To get a stub back, copy it from that file (if you changed the\n`,
      `file too, \`git show HEAD:exercises/${slug}.ts\` prints the original);\n`,
      `\`git checkout notebooks/exercises/${slug}.ipynb\` resets the whole notebook and loses\n`,
      "everything you wrote in it.",
    ],
  });
  const setup = [...setupCell("../../lib")];
  setup[setup.length - 1] += "\n";
  setup.push('import { gradeHere } from "../../tools/grader/notebook.ts";');
  nb.cells = [{ ...nb.cells[0], source: setup }, ...cells];
  nb.cells.forEach((
    c: Record<string, unknown>,
    i: number,
  ) => (c.id = `cell-${String(i).padStart(3, "0")}`));
  return JSON.stringify(sortKeys(nb), null, 1) + "\n";
}

/**
 * A file's text as committed (`git show HEAD:path`, path from the repository's root): what the
 * tests grade and run of `exercises/` and `notebooks/exercises/`, so a learner's edits in the
 * working tree are never what they read. Throws, naming the path, when git cannot show it.
 */
export function committed(path: string): string {
  const git = new Deno.Command("git", {
    args: ["show", `HEAD:${path}`],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!git.success) {
    throw new Error(`git show HEAD:${path} failed: ${new TextDecoder().decode(git.stderr).trim()}`);
  }
  return new TextDecoder().decode(git.stdout);
}

/** Every exercise file and the notebook it becomes. */
export function exercisePairs(): { exercise: number; file: URL; notebook: URL; name: string }[] {
  const out = [];
  for (const e of Deno.readDirSync(new URL("exercises/", ROOT))) {
    const m = e.name.match(/^((\d\d)_[a-z0-9_]+)\.ts$/);
    if (!m) continue;
    out.push({
      exercise: Number(m[2]),
      name: m[1],
      file: new URL(`exercises/${e.name}`, ROOT),
      notebook: new URL(`notebooks/exercises/${m[1]}.ipynb`, ROOT),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

if (import.meta.main) {
  const flags = {
    check: { type: "boolean", help: "compare the notebooks with their sources, write nothing" },
  } as const;
  const usage = `usage: deno task notebooks [--check]\n${flagHelp(flags)}`;
  const check = parseOrExit(Deno.args, flags, usage).values.check ?? false;
  // Every notebook the generator owns: the lessons' and the exercises', with what it should hold.
  const wanted = [
    ...pairs().map((p) => ({
      label: `notebooks/${p.name}.ipynb`,
      notebook: p.notebook,
      want: () => notebookOf(Deno.readTextFileSync(p.lesson), `lessons/${p.name}.ts`),
    })),
    ...exercisePairs().map((p) => ({
      label: `notebooks/exercises/${p.name}.ipynb`,
      notebook: p.notebook,
      want: () =>
        exerciseNotebookOf(Deno.readTextFileSync(p.file), `exercises/${p.name}.ts`, p.exercise),
    })),
  ];
  let stale = 0;
  for (const { label, notebook, want } of wanted) {
    const text = want();
    let have = "";
    try {
      have = Deno.readTextFileSync(notebook);
    } catch { /* missing */ }
    if (have === text) continue;
    stale++;
    if (check) console.error(`${label} is out of date`);
    else {
      Deno.mkdirSync(new URL(label.slice(0, label.lastIndexOf("/") + 1), ROOT), {
        recursive: true,
      });
      Deno.writeTextFileSync(notebook, text);
      console.log(`wrote ${label}`);
    }
  }
  if (check && stale) Deno.exit(1);
  if (!check && !stale) console.log("notebooks are up to date");
}
