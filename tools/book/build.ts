/**
 * `deno task book`: builds the course as a web book in `out/book/` — the reading guide
 * (`index.html`), every lesson as executed by this build (`lesson-NN.html`), every exercise
 * with its stubs (`exercise-NN.html`) and the glossary (`glossary.html`, when
 * `docs/glossary.md` exists). `deno task book --serve` builds, then serves the folder on
 * 127.0.0.1 (`--port N`, default 8000); `--no-build` serves what is there; `--reuse-runs`
 * renders the pages from the lesson runs the last build saved in `out/book-runs/` instead of
 * running every lesson again (for work on the book's rendering, not for publishing).
 *
 * Each lesson runs in its own process (`tools/book/execute.ts`, as Deno's kernel would run its
 * notebook), as many at once as there are cores. A ✗ in a lesson's table, a lesson that throws
 * or an error output fails the build (exit 1) and names the page; the pages are still written,
 * so the failure can be read.
 *
 * Everything a page needs is copied into `out/book/assets/` from the pinned npm packages
 * (the STIX Two Math font for the formulas, typeset to MathML; Vega, Vega-Lite and vega-embed, loaded only by pages with charts and
 * only when JavaScript runs). Features add their own assets and tags through
 * {@link BookPlugin}s, listed in `tools/book/plugins.ts`.
 *
 * @module
 */

import { createRequire } from "node:module";
import { listLessons } from "../lesson.ts";
import { usesTfjs } from "../lesson_launch.ts";
import { renderTable } from "../../lib/course/lesson.ts";
import type { ExecutedCell, Execution } from "./execute.ts";
import {
  type Chart,
  esc,
  type Heading,
  highlight,
  markdown,
  outputsHtml,
  slugify,
} from "./render.ts";
import { frame, type Page } from "./pages.ts";
import { PLUGINS } from "./plugins.ts";
import { serveBook } from "./serve.ts";
import { spansOf as spansOfText } from "../notebooks.ts";

const ROOT = new URL("../../", import.meta.url);
const OUT = new URL("out/book/", ROOT);
const RUNS = new URL("out/book-runs/", ROOT);
const ASSETS = new URL("assets/", import.meta.url);

/** Lessons a reader may skip on a first reading, and why (shown in the reading guide). */
const OPTIONAL: Record<number, string> = {
  8: "a deep dive into the last printed digits of lesson 1",
  9: "a deep dive into the last printed digits of lesson 4",
};

/** Reading pace for the time estimates in the guide. */
const WORDS_PER_MINUTE = 200, CODE_LINES_PER_MINUTE = 15;

interface Exercise {
  number: number;
  slug: string;
  file: URL;
}

function listExercises(): Exercise[] {
  const dir = new URL("exercises/", ROOT);
  return [...Deno.readDirSync(dir)].map((e) => e.name.match(/^(\d\d)_([a-z0-9_]+)\.ts$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ number: Number(m[1]), slug: `${m[1]}_${m[2]}`, file: new URL(m[0], dir) }))
    .sort((a, b) => a.number - b.number);
}

const two = (n: number) => String(n).padStart(2, "0");

/** The text of the first `# ` heading of a percent-format file, without markdown. */
function titleOf(text: string): string {
  const m = text.match(/^\/\/ # (.+)$/m);
  return m ? m[1].replace(/`/g, "") : "(untitled)";
}

/** Runs every lesson, `jobs` at a time; returns each execution and how long it took. */
async function executeAll(
  lessons: { number: number; slug: string; url: URL }[],
  jobs: number,
): Promise<Map<number, { run: Execution | null; seconds: number; log: string }>> {
  Deno.mkdirSync(RUNS, { recursive: true });
  const results = new Map<number, { run: Execution | null; seconds: number; log: string }>();
  const queue = [...lessons];
  const worker = async () => {
    for (let l = queue.shift(); l; l = queue.shift()) {
      const out = new URL(`${two(l.number)}.json`, RUNS);
      try {
        Deno.removeSync(out);
      } catch { /* not there */ }
      const start = performance.now();
      // The lesson's own configuration, as `deno task lesson` picks it (tools/lesson_launch.ts):
      // its lockfile holds only what the lesson may load.
      const config = usesTfjs(Deno.readTextFileSync(l.url)) ? "lesson-tfjs" : "lesson";
      const child = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--quiet",
          `--config=deps/${config}.json`,
          "--frozen",
          "--allow-read=.",
          "--allow-write=out",
          "--allow-env",
          "tools/book/execute.ts",
          String(l.number),
          out.pathname,
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const seconds = (performance.now() - start) / 1000;
      const log = new TextDecoder().decode(child.stderr) + new TextDecoder().decode(child.stdout);
      let run: Execution | null = null;
      try {
        run = JSON.parse(Deno.readTextFileSync(out));
      } catch { /* reported below */ }
      Deno.writeTextFileSync(new URL(`${two(l.number)}.seconds`, RUNS), seconds.toFixed(3));
      results.set(l.number, { run, seconds, log });
      console.error(`  lesson ${l.number} executed in ${seconds.toFixed(1)} s`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
}

/**
 * The executions the last build saved in `out/book-runs/` (`--reuse-runs`: for working on how
 * pages are rendered without running every lesson again); a lesson never run fails the build.
 */
function reuseRuns(
  lessons: { number: number }[],
): Map<number, { run: Execution | null; seconds: number; log: string }> {
  const results = new Map<number, { run: Execution | null; seconds: number; log: string }>();
  for (const l of lessons) {
    try {
      results.set(l.number, {
        run: JSON.parse(Deno.readTextFileSync(new URL(`${two(l.number)}.json`, RUNS))),
        seconds: Number(Deno.readTextFileSync(new URL(`${two(l.number)}.seconds`, RUNS))),
        log: "",
      });
    } catch {
      results.set(l.number, {
        run: null,
        seconds: 0,
        log: `no saved run in out/book-runs/ (build once without --reuse-runs)`,
      });
    }
  }
  return results;
}

/** Renders a lesson's or an exercise's cells; `outputs` says whether code cells have them. */
function cellsHtml(
  cells: ExecutedCell[],
  where: string,
  file: string,
  pageId: string,
  published: Set<string>,
): { html: string; headings: Heading[]; charts: Chart[] } {
  const used = new Set<string>(["content", "published", "practice"]);
  const headings: Heading[] = [];
  const charts: Chart[] = [];
  let chartCount = 0;
  const parts = cells.map((c, i) => {
    if (c.type === "markdown") {
      const r = markdown(c.lines.join("\n"), `${where}, markdown cell ${i + 1}`, used);
      headings.push(...r.headings);
      return `<section class="cell md">${r.html}</section>`;
    }
    const code = c.lines.join("\n");
    const n = c.lines.length;
    const open = n <= 40 ? " open" : "";
    const summary = `code · ${n} line${n === 1 ? "" : "s"} · ${esc(file)}:${c.first}`;
    const outputs = c.outputs.length
      ? `<div class="outputs">${
        outputsHtml(c.outputs, () => `${pageId}-chart-${++chartCount}`, charts, published)
      }</div>`
      : "";
    return `<section class="cell code"><details${open}><summary>${summary}</summary>` +
      `<pre class="code"><code class="language-typescript">${
        highlight(code)
      }</code></pre></details>${outputs}</section>`;
  });
  return { html: parts.join("\n"), headings, charts };
}

/** The page's line of facts, under its title (or first, when it has none). */
function withMeta(html: string, meta: string): string {
  const at = html.indexOf("</h1>");
  return at < 0 ? meta + html : html.slice(0, at + 5) + meta + html.slice(at + 5);
}

interface Built {
  page: Page;
  headings: Heading[];
  main: string;
  charts: Chart[];
}

function lessonPage(
  page: Page,
  slug: string,
  result: { run: Execution | null; seconds: number; log: string },
  exercise: Page | null,
  problems: string[],
): Built {
  const run = result.run;
  if (!run) {
    problems.push(`${page.file}: lesson ${page.number} did not run:\n${result.log}`);
    return {
      page,
      headings: [],
      charts: [],
      main: `<h1>${esc(page.title)}</h1><pre class="out error">${esc(result.log)}</pre>`,
    };
  }
  const tables = new Set(run.reports.map((r) => renderTable(r).html));
  const pageId = `l${two(page.number!)}`;
  const body = cellsHtml(run.cells, page.file, `lessons/${slug}.ts`, pageId, tables);
  for (const c of run.cells) {
    if (c.type !== "code") continue;
    for (const o of c.outputs) {
      if (o.type === "error") {
        problems.push(`${page.file}: lesson ${page.number} output an error:\n${o.text}`);
      }
    }
  }
  if (run.reports.length === 0) {
    problems.push(`${page.file}: lesson ${page.number} never called lesson.end()`);
  }
  for (const r of run.reports) {
    const failed = r.checks.filter((c) => !c.ok);
    if (failed.length) {
      problems.push(
        `${page.file}: lesson ${page.number} has ✗: ${failed.map((c) => c.name).join("; ")}`,
      );
    }
  }
  const shown = body.html.split('id="published"').length - 1;
  if (shown !== run.reports.length) {
    problems.push(
      `${page.file}: ${run.reports.length} published-value table(s) made, ${shown} found among the outputs`,
    );
  }
  const ok = run.reports.flatMap((r) => r.checks).filter((c) => c.ok).length;
  const total = run.reports.flatMap((r) => r.checks).length;
  const meta = `<p class="meta">Lesson ${page.number}${
    OPTIONAL[page.number!] ? " · optional" : ""
  } · every output below was produced by running <code>lessons/${slug}.ts</code> for this page (${
    result.seconds.toFixed(1)
  } s) · <a href="#published">${ok} of ${total} checks ✓</a></p>`;
  const practise = exercise
    ? `<p class="practise">Practise what this lesson derives: <a href="${exercise.file}">${
      esc(exercise.title)
    }</a>.</p>`
    : "";
  return {
    page,
    headings: body.headings,
    charts: body.charts,
    main: `<article>${withMeta(body.html, meta)}\n${practise}</article>`,
  };
}

function exercisePage(page: Page, ex: Exercise, lesson: Page | null): Built {
  const text = Deno.readTextFileSync(ex.file);
  // The exercise's cells, shown with their stubs; nothing here is run (the grader runs it).
  const spans = spansOfText(text, `exercises/${ex.slug}.ts`);
  const cells: ExecutedCell[] = spans.map((s) =>
    s.type === "markdown"
      ? { type: "markdown", lines: s.lines }
      : { type: "code", lines: s.lines, first: s.first, outputs: [] }
  );
  const body = cellsHtml(
    cells,
    page.file,
    `exercises/${ex.slug}.ts`,
    `e${two(ex.number)}`,
    new Set(),
  );
  const source = JSON.stringify({
    number: ex.number,
    slug: ex.slug,
    path: `exercises/${ex.slug}.ts`,
    source: text,
  }).replace(/</g, "\\u003c");
  const how = `<section class="cell md how"><h2 id="how-to-practise">How to practise</h2>
<p>The file is <code>exercises/${ex.slug}.ts</code> in the course's repository. Replace each
<code>// YOUR CODE HERE</code> and the <code>throw</code> below it, then run
<code>deno task exercise ${ex.number}</code>: the grader runs every check on your functions and
names the mistake when one fails. <code>git checkout exercises/</code> puts the stubs back.${
    lesson ? ` The derivation is in <a href="${lesson.file}">${esc(lesson.title)}</a>.` : ""
  }</p></section>`;
  const practice =
    `<section id="practice" data-exercise="${ex.number}" data-path="exercises/${ex.slug}.ts">` +
    `<script type="application/json" id="exercise-source">${source}</script></section>`;
  return {
    page,
    headings: [...body.headings, { level: 2, id: "how-to-practise", html: "How to practise" }],
    charts: [],
    main: `<article>${
      withMeta(body.html, `<p class="meta">Exercise ${ex.number} · the file as you start it</p>`)
    }\n${how}\n${practice}</article>`,
  };
}

/**
 * The README's lesson table states each lesson's time and the totals: they must be this
 * build's estimates ({@link readingMinutes}), so the two never disagree. Returns the problems.
 */
export function readmeTimeProblems(numbers: number[], minutes: (number | null)[]): string[] {
  const readme = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));
  const problems: string[] = [];
  const fmt = (m: number) =>
    m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")}` : `${m} min`;
  numbers.forEach((n, i) => {
    const row = readme.match(new RegExp(`^\\|\\s*${n}\\s*\\|.*\\|\\s*(\\d+) min\\s*\\|$`, "m"));
    if (minutes[i] !== null && (!row || Number(row[1]) !== minutes[i])) {
      problems.push(
        `README.md: lesson ${n}'s time is ${
          row ? row[1] + " min" : "missing"
        }; the book estimates ${minutes[i]} min`,
      );
    }
  });
  const optional = new Set([8, 9]);
  const sum = (keep: (n: number) => boolean) =>
    numbers.reduce((a, n, i) => a + (keep(n) ? minutes[i] ?? 0 : 0), 0);
  const core = sum((n) => !optional.has(n)), all = sum(() => true);
  for (const [what, m] of [["the core lessons", core], ["all lessons", all]] as const) {
    if (!readme.includes(`about ${fmt(m)}`)) {
      problems.push(`README.md: the lesson table's total for ${what} should say "about ${fmt(m)}"`);
    }
  }
  return problems;
}

/**
 * Minutes to read a lesson with its outputs: prose (markdown) at {@link WORDS_PER_MINUTE},
 * code and printed output lines at {@link CODE_LINES_PER_MINUTE}, rounded to 5 minutes.
 */
function readingMinutes(run: Execution | null): number | null {
  if (!run) return null;
  let words = 0, lines = 0;
  for (const c of run.cells) {
    if (c.type === "markdown") words += c.lines.join(" ").split(/\s+/).filter(Boolean).length;
    else {
      lines += c.lines.filter((l) => l.trim() !== "").length;
      for (const o of c.outputs) {
        const text = o.type === "display" ? String(o.data["text/plain"] ?? "") : o.text;
        lines += text.split("\n").filter((l) => l.trim() !== "").length;
      }
    }
  }
  const minutes = words / WORDS_PER_MINUTE + lines / CODE_LINES_PER_MINUTE;
  return Math.max(5, Math.round(minutes / 5) * 5);
}

/** Which of `numbers` are optional, as a sentence ("" when none is). */
function optionalSentence(numbers: number[]): string {
  const optional = numbers.filter((n) => OPTIONAL[n]);
  if (optional.length === 0) return "";
  const list = optional.length === 1
    ? `Lesson ${optional[0]} is an optional deep dive`
    : `Lessons ${optional.slice(0, -1).join(", ")} and ${optional.at(-1)} are optional deep dives`;
  return `${list} a first reading can skip; the others are the course.`;
}

function indexPage(
  page: Page,
  lessons: { page: Page; minutes: number | null; seconds: number | null }[],
  exercises: Page[],
  glossary: Page | null,
): Built {
  const row = (l: { page: Page; minutes: number | null; seconds: number | null }) => {
    const n = l.page.number!;
    const ex = exercises.find((e) => e.number === n);
    return `<tr${
      OPTIONAL[n] ? ' class="optional"' : ""
    }><td>${n}</td><td><a href="${l.page.file}">${esc(l.page.title)}</a>${
      OPTIONAL[n] ? `<br><small>optional: ${esc(OPTIONAL[n])}</small>` : ""
    }</td><td>${l.minutes === null ? "—" : `about ${l.minutes} min`}</td><td>${
      ex ? `<a href="${ex.file}">Exercise ${ex.number}</a>` : "—"
    }</td></tr>`;
  };
  const main = `<article class="guide">
<h1 id="gradients-by-hand">Gradients by Hand</h1>
<p class="lead">How recurrent networks are trained, derived by hand and proved right: every lesson
re-derives the forward and backward pass of an RNN or LSTM from a published source, reproduces
every number that source printed, and checks each gradient against an independent reference.</p>
<h2 id="who-it-is-for">Who it is for</h2>
<p>Anyone who has met backpropagation and wants to see, number by number, how recurrent networks
are trained — a student working alone, or a teacher who wants lessons whose every claim is checked.
You need the chain rule, matrix products, and enough TypeScript or Python to read a loop; no
machine-learning framework.</p>
<h2 id="how-to-read">How to read this book</h2>
<p>Read the lessons in order. Each page is the lesson as this build ran it: the text, the code
(fold it away with the <em>code</em> line above each cell), what the code printed, its tables and
charts, and at the end the table of every published value and check, ✓ or ✗. Nothing on a page is
typed by hand: a check that fails stops the book from being built. After a lesson, its exercise
lets you write the functions it derives.</p>
<h2 id="lessons">Lessons</h2>
<div class="scroll"><table class="lessons"><thead><tr><th>#</th><th>Lesson</th><th>Reading time</th><th>Practise</th></tr></thead>
<tbody>${lessons.map(row).join("")}</tbody></table></div>
<p><small>Reading time is estimated from the page: its prose at ${WORDS_PER_MINUTE} words a minute
and its code and printed output at ${CODE_LINES_PER_MINUTE} lines a minute, rounded to 5 minutes; working
through the derivations with a pencil takes longer. ${
    optionalSentence(lessons.map((l) => l.page.number!))
  }</small></p>
<h2 id="exercises">Exercises</h2>
<ul class="exercises">${
    exercises.map((e) => `<li><a href="${e.file}">${esc(e.title)}</a></li>`)
      .join("")
  }</ul>
${
    glossary
      ? `<h2 id="glossary">Glossary</h2><p>The terms the lessons use, each with where it is first explained: <a href="${glossary.file}">${
        esc(glossary.title)
      }</a>.</p>`
      : ""
  }
<h2 id="other-ways">Other ways to read</h2>
<p>The same lessons run in a terminal (<code>deno task lesson N</code>) and as Jupyter notebooks
(<code>notebooks/</code>); the course's README says how.</p>
</article>`;
  return {
    page,
    headings: [
      { level: 2, id: "who-it-is-for", html: "Who it is for" },
      { level: 2, id: "how-to-read", html: "How to read this book" },
      { level: 2, id: "lessons", html: "Lessons" },
      { level: 2, id: "exercises", html: "Exercises" },
      ...(glossary ? [{ level: 2, id: "glossary", html: "Glossary" }] : []),
      { level: 2, id: "other-ways", html: "Other ways to read" },
    ],
    charts: [],
    main,
  };
}

/** The folder of an installed npm package of the import map. */
function packageDir(name: string, probe: string): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(probe);
  const at = entry.lastIndexOf(`/${name}/`);
  if (at < 0) throw new Error(`cannot find the folder of npm package ${name} (from ${entry})`);
  const rest = entry.slice(at + name.length + 2).split("/");
  // The npm cache keeps packages as <name>/<version>/…
  return entry.slice(0, at + name.length + 2) + rest[0] + "/";
}

/** The math font's file, named in `assets/book.css`. */
const MATH_FONT = "stix-two-math-latin-400-normal.woff2";

async function copyAssets(plugins: typeof PLUGINS): Promise<void> {
  const dir = new URL("assets/", OUT);
  Deno.mkdirSync(new URL("vega/", dir), { recursive: true });
  for (const f of ["book.css", "charts.js"]) {
    Deno.copyFileSync(new URL(f, ASSETS), new URL(f, dir));
  }
  // The math font: STIX Two Math (fontsource's woff2 of the whole font, its OpenType MATH
  // table included, with its licence), for the MathML the pages' formulas are.
  Deno.mkdirSync(new URL("fonts/", dir), { recursive: true });
  const fontPackage: string = "@fontsource/stix-two-math/package.json";
  await import(fontPackage, { with: { type: "json" } }); // installs it if it is not there
  const fontDir = createRequire(import.meta.url).resolve(fontPackage).replace(/package\.json$/, "");
  Deno.copyFileSync(`${fontDir}files/${MATH_FONT}`, new URL(`fonts/${MATH_FONT}`, dir));
  Deno.copyFileSync(`${fontDir}LICENSE`, new URL("fonts/LICENSE-STIX-Two-Math.txt", dir));
  // Vega, Vega-Lite and vega-embed, the browser builds (loaded by charts.js when needed).
  const proc = process as unknown as { noDeprecation?: boolean };
  proc.noDeprecation = true; // vega's loader requires node's deprecated punycode
  const embed: string = "vega-embed";
  await import(embed); // installs it (and its peers) into Deno's cache if it is not there
  for (
    const [name, file] of [
      ["vega", "vega.min.js"],
      ["vega-lite", "vega-lite.min.js"],
      ["vega-embed", "vega-embed.min.js"],
    ]
  ) {
    Deno.copyFileSync(`${packageDir(name, name)}build/${file}`, new URL(`vega/${file}`, dir));
  }
  for (const p of plugins) {
    await p.build?.(OUT);
    for (const a of p.assets ?? []) {
      const to = new URL(a.to, OUT);
      Deno.mkdirSync(new URL("./", to), { recursive: true });
      Deno.copyFileSync(a.from, to);
    }
  }
}

/** Builds the book; returns the problems that fail it (empty: success). */
export async function build(
  options: { only?: number[]; reuseRuns?: boolean } = {},
): Promise<string[]> {
  const start = performance.now();
  const problems: string[] = [];
  try {
    Deno.removeSync(OUT, { recursive: true });
  } catch { /* first build */ }
  Deno.mkdirSync(new URL("charts/", OUT), { recursive: true });
  await copyAssets(PLUGINS);

  const lessons = listLessons().filter((l) => !options.only || options.only.includes(l.number));
  const exercises = listExercises();
  const lessonPages: Page[] = lessons.map((l) => ({
    kind: "lesson",
    file: `lesson-${two(l.number)}.html`,
    title: `Lesson ${l.number} · ${titleOf(Deno.readTextFileSync(l.url)).replace(/^\d+ · /, "")}`,
    number: l.number,
  }));
  const exercisePages: Page[] = exercises.map((e) => ({
    kind: "exercise",
    file: `exercise-${two(e.number)}.html`,
    title: titleOf(Deno.readTextFileSync(e.file)),
    number: e.number,
  }));
  const glossaryFile = new URL("docs/glossary.md", ROOT);
  let glossaryText: string | null = null;
  try {
    glossaryText = Deno.readTextFileSync(glossaryFile);
  } catch { /* not written yet */ }
  const glossary: Page | null = glossaryText === null ? null : {
    kind: "glossary",
    file: "glossary.html",
    title: glossaryText.match(/^# (.+)$/m)?.[1] ?? "Glossary",
  };
  const index: Page = { kind: "index", file: "index.html", title: "Reading guide" };
  // Reading order: the guide, each lesson followed by its exercise, the glossary.
  const order: Page[] = [index];
  for (const lp of lessonPages) {
    order.push(lp);
    const ep = exercisePages.find((e) => e.number === lp.number);
    if (ep) order.push(ep);
  }
  for (const ep of exercisePages) if (!order.includes(ep)) order.push(ep);
  if (glossary) order.push(glossary);

  const jobs = Math.max(1, navigator.hardwareConcurrency ?? 2);
  if (!options.reuseRuns) {
    console.error(`book: executing ${lessons.length} lesson(s), ${jobs} at a time`);
  } else console.error(`book: reusing the saved runs of ${lessons.length} lesson(s)`);
  const runs = options.reuseRuns ? reuseRuns(lessons) : await executeAll(lessons, jobs);

  const built: Built[] = [];
  const minutes = lessons.map((l) => readingMinutes(runs.get(l.number)?.run ?? null));
  if (!options.only) problems.push(...readmeTimeProblems(lessons.map((l) => l.number), minutes));
  built.push(indexPage(
    index,
    lessons.map((l, i) => ({
      page: lessonPages[i],
      minutes: minutes[i],
      seconds: runs.get(l.number)?.seconds ?? null,
    })),
    exercisePages,
    glossary,
  ));
  lessons.forEach((l, i) => {
    built.push(lessonPage(
      lessonPages[i],
      l.slug,
      runs.get(l.number)!,
      exercisePages.find((e) => e.number === l.number) ?? null,
      problems,
    ));
  });
  exercises.forEach((e, i) => {
    built.push(exercisePage(
      exercisePages[i],
      e,
      lessonPages.find((l) => l.number === e.number) ?? null,
    ));
  });
  if (glossary && glossaryText !== null) {
    const r = markdown(glossaryText, "docs/glossary.md", new Set(["content"]));
    // Each entry is a paragraph opening with its term in bold: give it an anchor, list it.
    const terms: Heading[] = [];
    const used = new Set(r.headings.map((h) => h.id));
    const html = r.html.replace(/<p><strong>([^<]+)<\/strong>/g, (_m, term: string) => {
      let id = slugify(term);
      for (let k = 2; used.has(id); k++) id = `${slugify(term)}-${k}`;
      used.add(id);
      terms.push({ level: 2, id, html: term });
      return `<p id="${id}"><strong>${term}</strong>`;
    });
    built.push({
      page: glossary,
      headings: [...r.headings, ...terms],
      charts: [],
      main: `<article class="glossary">${html}</article>`,
    });
  }
  for (const b of built) {
    const at = order.indexOf(b.page);
    for (const c of b.charts) {
      // A script, not JSON: a page opened from disk (file://) may load scripts but not fetch.
      Deno.writeTextFileSync(
        new URL(`charts/${c.id}.js`, OUT),
        `(globalThis.bookCharts ??= {})[${JSON.stringify(c.id)}] = ${JSON.stringify(c.spec)};\n`,
      );
    }
    Deno.writeTextFileSync(
      new URL(b.page.file, OUT),
      frame({
        page: b.page,
        prev: order[at - 1] ?? null,
        next: order[at + 1] ?? null,
        headings: b.headings,
        main: b.main,
        plugins: PLUGINS,
        charts: b.charts.length > 0,
      }),
    );
  }
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.error(
    `book: ${built.length} pages in out/book/ (${seconds} s)${
      problems.length ? `, ${problems.length} problem(s)` : ""
    }`,
  );
  return problems;
}

async function main(args: string[]): Promise<number> {
  const serve = args.includes("--serve");
  const noBuild = args.includes("--no-build");
  const portAt = args.indexOf("--port");
  const port = portAt >= 0 ? Number(args[portAt + 1]) : 8000;
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? args[onlyAt + 1].split(",").map(Number) : undefined;
  const reuse = args.includes("--reuse-runs");
  const known = new Set(["--serve", "--no-build", "--port", "--only", "--reuse-runs"]);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--port" || args[i] === "--only") i++;
    else if (!known.has(args[i])) {
      console.error(
        `unknown argument ${
          args[i]
        }\nusage: deno task book [--serve [--port N] [--no-build]] [--only N,M] [--reuse-runs]`,
      );
      return 2;
    }
  }
  if (!noBuild) {
    const problems = await build({ only, reuseRuns: reuse });
    if (problems.length) {
      console.error(`\n✗ the book has problems:\n${problems.map((p) => `- ${p}`).join("\n")}`);
      return 1;
    }
    console.error("book: open out/book/index.html, or serve it with `deno task book --serve`");
  }
  if (serve) {
    const server = serveBook(OUT, port, (p) => {
      console.error(`book: serving out/book/ at http://127.0.0.1:${p}/ (Ctrl+C stops)`);
    });
    await server.finished;
  }
  return 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
