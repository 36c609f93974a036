import { equal, ok } from "node:assert/strict";
import { notebookOf, pairs } from "../tools/notebooks.ts";

const ROOT = new URL("../", import.meta.url);

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

Deno.test("the notebook generator splits cells and rejects malformed lessons", () => {
  const nb = JSON.parse(
    notebookOf("// %% [markdown]\n// # T\n//\n// $x$\n\n// %%\nconst a = 1;\n"),
  );
  equal(nb.cells.length, 2);
  equal(nb.cells[0].source.join(""), "# T\n\n$x$");
  equal(nb.cells[1].source.join(""), "const a = 1;");
  equal(nb.metadata.kernelspec.name, "deno");
  let msg = "";
  try {
    notebookOf("const a = 1;\n", "x.ts");
  } catch (e) {
    msg = (e as Error).message;
  }
  ok(/x\.ts:1: text before the first "\/\/ %%" cell marker/.test(msg), msg);
});

Deno.test("the notebooks are valid nbformat 4.5, byte for byte as nbformat itself writes them", async () => {
  // An independent reader: Debian's nbformat validates each notebook against its JSON schema
  // and writes it back; the bytes must not change (so saving from Jupyter changes nothing).
  const script = `
import sys, nbformat
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    if nbformat.writes(nb) + "\\n" != open(path, encoding="utf-8").read():
        sys.exit(f"{path}: nbformat would write it differently")
`;
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, ...pairs().map((p) => p.notebook.pathname)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-3000));
});

Deno.test({
  name: "every notebook runs on the Deno kernel through Jupyter with all checks ✓",
  // Executing the notebooks runs every lesson a second time (about 30 s on two cores);
  // GBH_SKIP_NOTEBOOKS=1 skips it while iterating on something else. CI never sets it.
  ignore: Deno.env.get("GBH_SKIP_NOTEBOOKS") === "1",
  sanitizeResources: false,
  fn: async () => {
    const notebooks = pairs().map((p) => p.notebook.pathname);
    // Debian's jupyter-client lives under /usr/bin/python3 (not a pyenv python on PATH).
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["tools/run_notebooks.py", Deno.execPath(), ...notebooks],
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
      `notebook execution failed (needs Debian's jupyter-client and python3-nbformat; .ci/run installs them):\n${stdout}\n${
        dec.decode(out.stderr).slice(-3000)
      }`,
    );
    equal(stdout.split("\n").filter((l) => l.startsWith("✓")).length, notebooks.length);
  },
});
