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

const ROOT = new URL("../", import.meta.url);

interface Cell {
  cell_type: "markdown" | "code";
  metadata: Record<string, never>;
  source: string[];
  execution_count?: null;
  outputs?: never[];
}

/** Splits a percent-format lesson into notebook cells. */
export function cellsOf(text: string, file = "lesson"): Cell[] {
  const cells: Cell[] = [];
  let current: { type: "markdown" | "code"; lines: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const lines = [...current.lines];
    while (lines.length && lines[0].trim() === "") lines.shift();
    while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
    if (lines.length) {
      const source = lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));
      cells.push(
        current.type === "markdown"
          ? { cell_type: "markdown", metadata: {}, source }
          : { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source },
      );
    }
    current = null;
  };
  text.split("\n").forEach((line, n) => {
    if (/^\/\/ %% \[markdown\]\s*$/.test(line)) {
      flush();
      current = { type: "markdown", lines: [] };
    } else if (/^\/\/ %%\s*$/.test(line)) {
      flush();
      current = { type: "code", lines: [] };
    } else if (current === null) {
      if (line.trim() !== "") {
        throw new Error(`${file}:${n + 1}: text before the first "// %%" cell marker`);
      }
    } else if (current.type === "markdown") {
      if (line !== "//" && !line.startsWith("// ") && line.trim() !== "") {
        throw new Error(`${file}:${n + 1}: a markdown cell line must start with "// "`);
      }
      current.lines.push(line === "//" ? "" : line.replace(/^\/\/ ?/, ""));
    } else {
      current.lines.push(line);
    }
  });
  flush();
  return cells;
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

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const bad = Deno.args.filter((a) => a !== "--check");
  if (bad.length) {
    console.error(`unknown argument(s) ${bad.join(" ")}; usage: deno task notebooks [--check]`);
    Deno.exit(2);
  }
  let stale = 0;
  for (const p of pairs()) {
    const want = notebookOf(Deno.readTextFileSync(p.lesson), `lessons/${p.name}.ts`);
    let have = "";
    try {
      have = Deno.readTextFileSync(p.notebook);
    } catch { /* missing */ }
    if (have === want) continue;
    stale++;
    if (check) console.error(`notebooks/${p.name}.ipynb is out of date`);
    else {
      Deno.mkdirSync(new URL("notebooks/", ROOT), { recursive: true });
      Deno.writeTextFileSync(p.notebook, want);
      console.log(`wrote notebooks/${p.name}.ipynb`);
    }
  }
  if (check && stale) Deno.exit(1);
  if (!check && !stale) console.log("notebooks are up to date");
}
