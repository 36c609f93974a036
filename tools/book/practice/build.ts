/**
 * Builds the practice assets into `<out>/practice/`: `deno bundle` (Deno's built-in bundler,
 * esbuild underneath) makes browser modules, in two runs: the page (`page.ts`: CodeMirror,
 * sucrase, the host) and the index's status script, minified; and the worker (`worker.ts`: the
 * grader's own specs, runner and judge) with the library the learner's file imports
 * (`LEARNER_MODULES`, each as `lib_….js`), with code splitting, so the learner's `NDArray` and the grader's are one
 * class from one shared chunk. `deno bundle`
 * rather than an npm bundler: it resolves `deno.json`'s import map and `npm:` packages exactly
 * as the command line does, needs no plugin and no extra dependency, and it is already here.
 *
 * The grader's specs import their reference data as JSON modules, so the bundle holds them.
 * Also written: `exercises.js` (each exercise's number, slug, title, checks and committed stub file) and
 * `practice.css`. Nothing here is committed: the book's build calls {@link buildPractice}.
 *
 * `deno task practice` runs it alone and adds a bare page per exercise
 * (`out/book/practice/NN_slug.html`) and an index, for the tests and for working on the panel
 * without the book.
 *
 * @module
 */

import { EXERCISES } from "../../grader/exercises.ts";
import { LOAD_LIMIT_MS, PROBE_LIMIT_MS } from "./host.ts";
import { bundledName, LEARNER_MODULES } from "./protocol.ts";

const HERE = new URL("./", import.meta.url);
const ROOT = new URL("../../../", import.meta.url);

/**
 * The Content-Security-Policy of a page with a practice panel (a `<meta http-equiv>`, so it
 * holds on any static host and from `file:`), inherited by its `blob:` workers: scripts only
 * from the book itself and the blob URLs of the learner's modules, no connections at all
 * (`fetch`, XHR, WebSocket, EventSource), no plugins, no `<base>`, no forms.
 */
export const PRACTICE_CSP = [
  "default-src 'self'",
  "script-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/** What an exercise page's `<head>` needs; `base` is the relative URL of `practice/`. */
export function practiceHead(base: string): string {
  return [
    `<meta http-equiv="Content-Security-Policy" content="${PRACTICE_CSP}">`,
    `<link rel="stylesheet" href="${base}practice.css">`,
    `<script src="${base}file_notice.js"></script>`,
    `<script type="module" src="${base}page.js"></script>`,
  ].join("\n");
}

/** The mount point on an exercise page (the page script fills it; without JavaScript it says so). */
export function practiceSection(n: number): string {
  return `<section id="practice" data-exercise="${n}"><h2>Practise in the page</h2>` +
    `<p>The editor and grader need JavaScript. Without it: <code>deno task exercise ${n}</code>` +
    ` on the command line.</p></section>`;
}

/** The index's status script tag; put `<span data-practice-status="NN_slug">` where wanted. */
export function practiceIndexScript(base: string): string {
  return `<script type="module" src="${base}index_status.js"></script>`;
}

/**
 * The worker's side: the grader and the library the learner's file imports, split so that they
 * share one copy of every module. Not minified: the grader's own code appears in error messages
 * the learner reads ("impl.rnn_cell_forward is not a function"), which must read as they do on
 * the command line.
 */
function workerEntries(dir: URL): string[] {
  const src = new URL(".src/", dir);
  Deno.mkdirSync(src, { recursive: true });
  const wrappers = LEARNER_MODULES.map((path) => {
    const file = new URL(bundledName(path).replace(/\.js$/, ".ts"), src);
    Deno.writeTextFileSync(file, `export * from ${JSON.stringify(new URL(path, ROOT).href)};\n`);
    return file.href;
  });
  // The worker too, so that every entry is in one folder and the output is flat.
  const worker = new URL("worker.ts", src);
  Deno.writeTextFileSync(worker, `import ${JSON.stringify(new URL("worker.ts", HERE).href)};\n`);
  return [worker.href, ...wrappers];
}

/** One `deno bundle` run: browser ESM with code splitting, into `dir`. */
function bundle(dir: URL, entries: string[], flags: string[], importMap: URL) {
  return run([
    "bundle",
    "--quiet",
    // The developers' configuration: its lockfile pins the editor's and sucrase's packages.
    "--config=dev/deno.json",
    "--platform=browser",
    "--format=esm",
    "--code-splitting",
    ...flags,
    `--import-map=${importMap.pathname}`,
    `--outdir=${dir.pathname}`,
    ...entries.map((e) => new URL(e).pathname),
  ], `deno bundle ${entries.join(" ")}`);
}

async function run(args: string[], what: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${what} failed:\n${err}`);
  return new TextDecoder().decode(out.stdout);
}

/**
 * The import map `deno bundle` uses: dev/deno.json's, plus what a browser lacks (`node:process`,
 * imported by lib/course/plot.ts) mapped to a stand-in. Written into `dir`, removed after bundling.
 */
function bundleImportMap(dir: URL): URL {
  const config = JSON.parse(Deno.readTextFileSync(new URL("dev/deno.json", ROOT)));
  const imports: Record<string, string> = { ...config.imports };
  imports["node:process"] = new URL("node_process.ts", HERE).href;
  const url = new URL("import_map.json", dir);
  Deno.writeTextFileSync(url, JSON.stringify({ imports }));
  return url;
}

/** Writes the practice assets into `<outDir>/practice/`; returns that directory. */
export async function buildPractice(outDir: URL): Promise<URL> {
  const dir = new URL("practice/", outDir);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  Deno.mkdirSync(dir, { recursive: true });
  const importMap = bundleImportMap(dir);
  await Promise.all([
    bundle(
      dir,
      ["page.ts", "index_status.ts"].map((e) => new URL(e, HERE).href),
      ["--minify"],
      importMap,
    ),
    bundle(dir, workerEntries(dir), [], importMap),
  ]);
  Deno.removeSync(importMap);
  Deno.removeSync(new URL(".src/", dir), { recursive: true });
  const exercises = EXERCISES.map((s) => ({
    number: s.number,
    slug: s.slug,
    title: s.title,
    functions: s.functions,
    probes: s.probes.map((p) => ({ fn: p.fn, name: p.name })),
    stub: Deno.readTextFileSync(new URL(`exercises/${s.slug}.ts`, ROOT)),
  }));
  Deno.writeTextFileSync(
    new URL("exercises.js", dir),
    `// Every exercise's checks and committed stub file (tools/book/practice/build.ts).\nexport default ${
      JSON.stringify(exercises)
    };\n`,
  );
  for (const f of ["practice.css", "file_notice.js"]) {
    Deno.copyFileSync(new URL(f, HERE), new URL(f, dir));
  }
  return dir;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Bare pages, without the book: one per exercise and an index with each one's state. */
export function writeStandalonePages(dir: URL) {
  const page = (title: string, head: string, body: string) =>
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<link rel="icon" href="data:,">\n` +
    `<title>${esc(title)}</title>\n${head}\n` +
    `<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem;line-height:1.45}</style>\n` +
    `</head>\n<body>\n${body}\n</body>\n</html>\n`;
  for (const s of EXERCISES) {
    Deno.writeTextFileSync(
      new URL(`${s.slug}.html`, dir),
      page(
        `Exercise ${s.number} · ${s.title}`,
        practiceHead("./"),
        `<p><a href="index.html">Exercises</a></p>\n<h1>Exercise ${s.number} · ${
          esc(s.title)
        }</h1>\n${practiceSection(s.number)}`,
      ),
    );
  }
  const rows = EXERCISES.map((s) =>
    `<li><a href="${s.slug}.html">Exercise ${s.number} · ${esc(s.title)}</a> — ` +
    `<span data-practice-status="${s.slug}">not started</span></li>`
  ).join("\n");
  Deno.writeTextFileSync(
    new URL("index.html", dir),
    page(
      "Exercises",
      `<meta http-equiv="Content-Security-Policy" content="${PRACTICE_CSP}">\n` +
        `<link rel="stylesheet" href="practice.css">\n${practiceIndexScript("./")}`,
      `<h1>Exercises</h1>\n<p>Each check may run ${PROBE_LIMIT_MS / 1000} s, a file ${
        LOAD_LIMIT_MS / 1000
      } s to load.</p>\n<ul>\n${rows}\n</ul>`,
    ),
  );
}

if (import.meta.main) {
  const out = new URL(Deno.args[0] ?? "out/book/", ROOT.href.replace(/\/?$/, "/"));
  const t = performance.now();
  const dir = await buildPractice(out);
  writeStandalonePages(dir);
  console.log(
    `practice: ${dir.pathname.replace(ROOT.pathname, "")} in ${
      ((performance.now() - t) / 1000).toFixed(1)
    } s`,
  );
}
