import { equal, ok } from "node:assert/strict";
import {
  committed,
  exercisePairs,
  FLUSH_LINE,
  nbformatProblems,
  notebookOf,
  pairs,
  spansOf,
} from "../tools/notebooks.ts";
import { runLessonCli } from "./_run_lesson.ts";

const ROOT = new URL("../", import.meta.url);
/** Where the execution test saves the executed notebooks (Run All outputs) for the next test. */
const EXECUTED = "out/notebooks-test";

Deno.test("every lesson has an up-to-date notebook, and every notebook a lesson", () => {
  const lessons = pairs();
  ok(lessons.length > 0);
  for (const p of lessons) {
    let have = "";
    try {
      have = Deno.readTextFileSync(p.notebook);
    } catch {
      throw new Error(`notebooks/${p.name}.ipynb is missing: run \`deno task notebooks\``);
    }
    const want = notebookOf(Deno.readTextFileSync(p.lesson), `lessons/${p.name}.ts`);
    equal(have, want, `notebooks/${p.name}.ipynb is out of date: run \`deno task notebooks\``);
  }
  const names = new Set(lessons.map((p) => `${p.name}.ipynb`));
  for (const e of Deno.readDirSync(new URL("notebooks/", ROOT))) {
    if (e.name.endsWith(".ipynb")) ok(names.has(e.name), `notebooks/${e.name} has no lesson`);
  }
});

Deno.test("the notebook generator adds the set-up cell and a flush to every code cell", () => {
  const nb = JSON.parse(
    notebookOf("// %% [markdown]\n// # T\n//\n// $x$\n\n// %%\nconst a = 1;\n"),
  );
  equal(nb.cells.length, 3);
  equal(nb.cells[0].cell_type, "code");
  ok(
    nb.cells[0].source.join("").endsWith(`import { flushOutput } from "../lib/course/jupyter.ts";`),
  );
  equal(nb.cells[1].source.join(""), "# T\n\n$x$");
  equal(nb.cells[2].source.join(""), `const a = 1;\n\n${FLUSH_LINE}`);
  equal(nb.metadata.kernelspec.name, "deno");
  let msg = "";
  try {
    notebookOf("const a = 1;\n", "x.ts");
  } catch (e) {
    msg = (e as Error).message;
  }
  ok(/x\.ts:1: text before the first "\/\/ %%" cell marker/.test(msg), msg);
});

Deno.test("the notebooks are valid nbformat 4.5 (the schema's rules for what we write)", () => {
  // Without Python: the nbformat 4.5 schema's requirements for notebooks without outputs,
  // checked field by field. (CI also has Debian's nbformat read and rewrite each notebook
  // byte for byte: .ci/run.)
  for (const p of pairs()) {
    const problems = nbformatProblems(JSON.parse(Deno.readTextFileSync(p.notebook)));
    equal(problems.join("\n"), "", `notebooks/${p.name}.ipynb`);
  }
  // The checker can fail: each broken notebook is rejected, naming what is wrong.
  const good = JSON.parse(notebookOf("// %%\nconst a = 1;\n"));
  // deno-lint-ignore no-explicit-any
  const broken: [string, (nb: Record<string, any>) => void][] = [
    ["nbformat must be 4", (nb) => (nb.nbformat = 3)],
    ["cell 0: id", (nb) => (nb.cells[0].id = "bad id!")],
    ["cell 1: source", (nb) => (nb.cells[1].source = 7)],
    ["cell 1: outputs", (nb) => delete nb.cells[1].outputs],
    ["cell 0: cell_type", (nb) => (nb.cells[0].cell_type = "raw code")],
    ["duplicate cell id", (nb) => (nb.cells[1].id = nb.cells[0].id)],
    ["metadata.kernelspec", (nb) => delete nb.metadata.kernelspec.name],
  ];
  for (const [want, breakIt] of broken) {
    const nb = structuredClone(good);
    breakIt(nb);
    const found = nbformatProblems(nb).join("; ");
    ok(found.includes(want), `expected a problem naming "${want}", got: ${found || "none"}`);
  }
});

Deno.test({
  name: "every notebook, sent all at once (Run All), gets every output before its idle, " +
    "the same as cell by cell, with all checks ✓ (exercises: every check 'not implemented " +
    "yet' as committed, all ✓ with the reference solutions)",
  // Executing the notebooks runs every lesson twice more (Run All, then cell by cell).
  // GBH_SKIP_NOTEBOOKS=1 skips it while iterating on something else. CI never sets it.
  ignore: Deno.env.get("GBH_SKIP_NOTEBOOKS") === "1",
  sanitizeResources: false,
  fn: async () => {
    const notebooks = pairs().map((p) => p.notebook.pathname);
    // The exercise notebooks as committed (from git, as deep as notebooks/exercises/), so a
    // learner's own work in notebooks/exercises/ is never what this test grades.
    const exercises = exercisePairs().map((p) => {
      const path = new URL(`out/exercises/${p.name}.ipynb`, ROOT).pathname;
      Deno.mkdirSync(new URL("out/exercises/", ROOT), { recursive: true });
      Deno.writeTextFileSync(path, committed(`notebooks/exercises/${p.name}.ipynb`));
      return path;
    });
    // A subprocess with the permissions the Jupyter client needs (TCP to 127.0.0.1, the kernel).
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config=dev/deno.json",
        "--allow-read",
        "--allow-write=out",
        "--allow-env",
        "--allow-run",
        "--allow-sys",
        "--allow-net=127.0.0.1",
        "tools/run_notebooks.ts",
        "--write",
        EXECUTED,
        ...notebooks,
        ...exercises,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const stdout = dec.decode(out.stdout);
    console.log(stdout.trim());
    equal(
      out.code,
      0,
      `notebook execution failed (exit code ${out.code}, signal ${
        out.signal ?? "none"
      }):\n${stdout}\n${dec.decode(out.stderr).slice(-3000)}`,
    );
    // An exercise's notebook runs twice: as committed and with the reference solutions.
    equal(
      stdout.split("\n").filter((l) => l.startsWith("✓")).length,
      notebooks.length + 2 * exercises.length,
    );
  },
});

Deno.test({
  name: "each notebook cell prints the same text as that cell does in the terminal run",
  // Reads the notebooks the previous test executed; rich displays (HTML tables, charts, the
  // published-value table, progress bars) are compared by the execution test, not here.
  ignore: Deno.env.get("GBH_SKIP_NOTEBOOKS") === "1",
  fn: async () => {
    for (const p of pairs()) {
      const n = Number(p.name.slice(0, 2));
      const nb = JSON.parse(Deno.readTextFileSync(new URL(`${EXECUTED}/${p.name}.ipynb`, ROOT)));
      // The notebook's code cells after the set-up cell, in order, with their stdout text.
      const notebook: string[] = nb.cells.filter((c: { cell_type: string }) =>
        c.cell_type === "code"
      )
        .slice(1).map((c: { outputs: { output_type: string; name?: string; text?: string[] }[] }) =>
          c.outputs.filter((o) => o.output_type === "stream" && o.name === "stdout")
            .map((o) => (o.text ?? []).join("")).join("")
        );
      const run = await runLessonCli(String(n), "--cells");
      equal(run.code, 0, run.stderr.slice(-2000));
      const cells: { cell: number; stdout: string }[] = JSON.parse(run.stdout).cells;
      const spans = spansOf(Deno.readTextFileSync(p.lesson));
      const codeIndex = spans.map((s, i) => (s.type === "code" ? i : -1)).filter((i) => i >= 0);
      const terminal = codeIndex.map((i) =>
        cells.filter((c) => c.cell === i).map((c) => c.stdout).join("")
      );
      equal(terminal.length, notebook.length, `${p.name}: code cells`);
      terminal.forEach((t, k) =>
        equal(notebook[k], t, `${p.name}: code cell ${k + 1} prints other text in the notebook`)
      );
    }
  },
});
