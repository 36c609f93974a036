/**
 * `deno task test:book`: the web book (`out/book/`, built by `deno task book`) in a real
 * browser — Debian's Chromium driven through `npm:puppeteer-core`, the book served by
 * `tools/book/serve.ts` on 127.0.0.1.
 *
 * Every page is opened twice, with JavaScript on and off, and must have:
 * - zero console errors and page errors, zero failed requests (or HTTP ≥ 400), and zero
 *   requests to anything but the local server;
 * - no raw TeX in its visible text (outside code and outputs: no `$`, no `\command`), and
 *   every formula rendered: KaTeX's MathML, laid out by the browser (a MathML element with a
 *   width), none in KaTeX's HTML, and with JavaScript on the self-hosted STIX Two Math loaded;
 * - every chart drawn: an `<svg>` in each chart figure, and with JavaScript on, vega-embed's
 *   own chart in it once the figure has been scrolled into view;
 * - every internal link resolving: the page exists and, for `#id`, the id is on it;
 * - no horizontal scrolling of the page at 390 px (wide tables and code scroll in their box);
 * - on a lesson page, as many ✓ rows in its published-value table as `deno task lesson N
 *   --json` reports checks passed, and no ✗.
 *
 * Screenshots of every page at 1280 and 390 px (JavaScript on, at most 12 000 px tall) go to
 * `out/screenshots/`. `--measure` also prints, per page, first contentful paint (the
 * Performance API) and what the page loaded before any chart was made interactive (HTML, CSS,
 * fonts, scripts: resource timing), from this one load; the README's figures come from
 * `deno task book:measure` (several loads a page, the median); nothing measured is asserted.
 *
 * Options: `--no-build` (test `out/book/` as it is; default: build it first), `--only
 * lesson-01,index` (pages by file name), `--measure`. Skips (exit 0, one line) when Chromium is
 * missing. Ends with `N passed, M failed` (pages); exit 1 on a failure.
 *
 * @module
 */

import { type Browser, CHROMIUM, launchChromium, type Page } from "../../tools/chromium.ts";
import { build } from "../../tools/book/build.ts";
import { serveBook } from "../../tools/book/serve.ts";
import { readLoad } from "../../tools/book/measure.ts";

const ROOT = new URL("../../", import.meta.url);
const BOOK = new URL("out/book/", ROOT);
const SHOTS = new URL("out/screenshots/", ROOT);
const MAX_SHOT_HEIGHT = 12_000;

interface Options {
  build: boolean;
  only: string[] | null;
  measure: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { build: true, only: null, measure: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--no-build") o.build = false;
    else if (args[i] === "--measure") o.measure = true;
    else if (args[i] === "--only" && args[i + 1]) {
      o.only = args[++i].split(",").map((s) => s.replace(/\.html$/, ""));
    } else throw new Error(`unknown option ${args[i]} (valid: --no-build, --only a,b, --measure)`);
  }
  return o;
}

/** ✓ count of each lesson, from `deno task lesson N --json` (run 2 at a time). */
async function expectedChecks(numbers: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const queue = [...numbers];
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const r = await new Deno.Command(Deno.execPath(), {
        // What `deno task lesson N --json` runs.
        args: [
          "run",
          "--allow-read",
          "--allow-env",
          "--allow-run",
          "tools/lesson_launch.ts",
          String(n),
          "--json",
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "null",
      }).output();
      const report = JSON.parse(new TextDecoder().decode(r.stdout));
      const reports = Array.isArray(report) ? report : [report];
      out.set(
        n,
        reports.flatMap((x: { checks: { ok: boolean }[] }) => x.checks).filter((c) => c.ok).length,
      );
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

/** What one load of a page showed. */
interface Visit {
  problems: string[];
  links: string[];
  fcp: number | null;
  /** Bytes loaded by the time of the load event, by kind (JS on; null with JS off). */
  weight: Record<string, number> | null;
}

async function visit(
  page: Page,
  base: string,
  file: string,
  js: boolean,
  expectedOk: number | null,
): Promise<Visit> {
  const problems: string[] = [];
  const mode = js ? "JS on" : "JS off";
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === "error") problems.push(`${mode}: console error: ${m.text()}`);
  };
  const onPageError = (e: unknown) =>
    problems.push(`${mode}: page error: ${(e as Error).message ?? e}`);
  const onFailed = (r: { url(): string; failure(): { errorText: string } | null }) =>
    problems.push(`${mode}: request failed: ${r.url()} (${r.failure()?.errorText})`);
  const onRequest = (r: { url(): string }) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith("data:")) {
      problems.push(`${mode}: request leaves 127.0.0.1: ${u}`);
    }
  };
  const onResponse = (r: { url(): string; status(): number }) => {
    if (r.status() >= 400) problems.push(`${mode}: HTTP ${r.status()} for ${r.url()}`);
  };
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("requestfailed", onFailed);
  page.on("request", onRequest);
  page.on("response", onResponse);
  try {
    await page.setJavaScriptEnabled(js);
    await page.goto(base + file, { waitUntil: "load", timeout: 60_000 });
    // With JavaScript off the page runs no timers, so the paint entry is read with it on only;
    // nothing measured is asserted, so a reading that fails is no problem of the page's.
    const load = js ? await readLoad(page, base).catch(() => null) : null;
    if (js) {
      // Bring each chart into view so charts.js embeds it, then wait for vega-embed's chart.
      const charts = await page.$$eval("figure.chart[data-spec]", (fs) => fs.length);
      for (let i = 0; i < charts; i++) {
        await page.evaluate((k) => {
          document.querySelectorAll("figure.chart[data-spec]")[k].scrollIntoView();
        }, i);
        try {
          await page.waitForFunction(
            (k) => {
              const f = document.querySelectorAll("figure.chart[data-spec]")[k];
              return f.classList.contains("interactive") &&
                f.querySelector(".chart-live svg, .chart-live canvas") !== null;
            },
            { timeout: 20_000 },
            i,
          );
        } catch {
          problems.push(`${mode}: chart ${i + 1} was not made interactive by vega-embed`);
        }
      }
      await page.evaluate(() => scrollTo(0, 0));
    }
    // Serialisable facts about the page, gathered in the page.
    const facts = await page.evaluate(() => {
      const prose = document.body.cloneNode(true) as HTMLElement;
      // (.cm-editor: the practice panel's editor holds the exercise file, code with its TeX.)
      prose.querySelectorAll("pre, code, .katex, .out-html, figure, script, .cm-editor").forEach((
        e,
      ) => e.remove());
      const text = prose.innerText;
      const tex = [
        ...(text.match(/\$[^$\n]{0,40}/g) ?? []),
        ...(text.match(/\\[a-zA-Z]{2,}/g) ?? []),
      ];
      const katexErrors = document.querySelectorAll(".katex-error").length;
      // Every formula is MathML the browser lays out (a box with a size), none KaTeX's HTML.
      const formulas = [...document.querySelectorAll(".katex")];
      const unrendered = formulas.filter((k) => {
        const m = k.querySelector("math");
        const r = m?.getBoundingClientRect();
        const hidden = m !== null && m !== undefined && m.closest("details:not([open])") !== null;
        return !m || !(m instanceof MathMLElement) || (!hidden && (!r || r.width === 0));
      }).length;
      const katexHtml = document.querySelectorAll(".katex-html").length;
      const figures = [...document.querySelectorAll("figure.chart")];
      const undrawn = figures.filter((f) => !f.querySelector(".chart-svg svg")).map((f) => f.id);
      const links = [...document.querySelectorAll("a[href]")].map((a) =>
        a.getAttribute("href") ?? ""
      );
      const rows = [...document.querySelectorAll("#published tbody tr")].map((tr) =>
        tr.querySelector("td")?.textContent?.trim() ?? ""
      );
      return {
        tex,
        katexErrors,
        formulas: formulas.length,
        unrendered,
        katexHtml,
        undrawn,
        links,
        ok: rows.filter((r) => r === "✓").length,
        bad: rows.filter((r) => r === "✗").length,
        rows: rows.length,
      };
    });
    if (facts.tex.length) {
      problems.push(`${mode}: raw TeX in the text: ${facts.tex.slice(0, 5).join(" | ")}`);
    }
    if (facts.katexErrors) problems.push(`${mode}: ${facts.katexErrors} KaTeX error(s)`);
    if (facts.unrendered) {
      problems.push(
        `${mode}: ${facts.unrendered} of ${facts.formulas} formulas not laid out as MathML`,
      );
    }
    if (facts.katexHtml) problems.push(`${mode}: ${facts.katexHtml} formulas in KaTeX's HTML`);
    if (js && facts.formulas > 0) {
      // The self-hosted math font is the one the formulas are drawn with.
      const font = await page.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].some((f) =>
          f.family.replace(/"/g, "") === "STIX Two Math" && f.status === "loaded"
        );
      });
      if (!font) problems.push(`${mode}: the math font (STIX Two Math) did not load`);
    }
    if (facts.undrawn.length) {
      problems.push(`${mode}: charts without an SVG: ${facts.undrawn.join(", ")}`);
    }
    if (expectedOk !== null) {
      if (facts.ok !== expectedOk || facts.bad !== 0) {
        problems.push(
          `${mode}: the published-value table shows ${facts.ok} ✓ and ${facts.bad} ✗ (of ${facts.rows} rows); ` +
            `deno task lesson --json reports ${expectedOk} passed`,
        );
      }
    }
    return { problems, links: facts.links, fcp: load?.fcp ?? null, weight: load?.bytes ?? null };
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onPageError);
    page.off("requestfailed", onFailed);
    page.off("request", onRequest);
    page.off("response", onResponse);
  }
}

/** Problems of the page's links: a relative link must name a page of the book and an id on it. */
function linkProblems(links: string[], html: Map<string, string>, file: string): string[] {
  const problems: string[] = [];
  for (const href of new Set(links)) {
    if (/^(https?:|mailto:)/.test(href)) continue;
    const [path, id] = href.split("#");
    const target = path === "" ? file : path;
    const text = html.get(target) ?? (() => {
      try {
        return Deno.readTextFileSync(new URL(target, BOOK));
      } catch {
        return null;
      }
    })();
    if (text === null) {
      problems.push(`link ${href}: no ${target} in out/book/`);
      continue;
    }
    if (id && !text.includes(`id="${id}"`)) {
      problems.push(`link ${href}: no id "${id}" on ${target}`);
    }
  }
  return problems;
}

async function screenshot(page: Page, name: string, width: number): Promise<void> {
  await page.setViewport({ width, height: 900 });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({
    path: new URL(`${name}-${width}.png`, SHOTS).pathname,
    clip: { x: 0, y: 0, width, height: Math.min(height, MAX_SHOT_HEIGHT) },
    captureBeyondViewport: true,
  });
}

export async function main(
  args: string[],
  log = (l: string) => console.log(l),
): Promise<boolean | null> {
  const o = parseArgs(args);
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    log(`test:book skipped: ${CHROMIUM} not found (Chromium)`);
    return null;
  }
  if (o.build) {
    const problems = await build();
    if (problems.length) throw new Error(`the book did not build:\n${problems.join("\n")}`);
  }
  const files = [...Deno.readDirSync(BOOK)].map((e) => e.name).filter((n) => n.endsWith(".html"))
    .filter((n) => !o.only || o.only.includes(n.replace(/\.html$/, ""))).sort();
  if (files.length === 0) throw new Error("no pages in out/book/ (run `deno task book`)");
  const html = new Map(files.map((f) => [f, Deno.readTextFileSync(new URL(f, BOOK))]));
  const lessonOf = (f: string) => Number(f.match(/^lesson-(\d+)\.html$/)?.[1] ?? NaN);
  const lessons = files.map(lessonOf).filter((n) => !Number.isNaN(n));
  const expected = await expectedChecks(lessons);
  Deno.mkdirSync(SHOTS, { recursive: true });

  let port = 0;
  const server = serveBook(BOOK, 0, (p) => (port = p));
  const dir = Deno.makeTempDirSync({ prefix: "book-browser-" });
  let browser: Browser | null = null;
  let passed = 0, failed = 0;
  try {
    while (port === 0) await new Promise((r) => setTimeout(r, 10));
    const base = `http://127.0.0.1:${port}/`;
    browser = await launchChromium(`${dir}/chromium-profile`, { protocolTimeout: 120_000 });
    for (const file of files) {
      const name = file.replace(/\.html$/, "");
      const n = lessonOf(file);
      const want = Number.isNaN(n) ? null : expected.get(n) ?? null;
      const page = await browser.newPage();
      const problems: string[] = [];
      let measured = "";
      try {
        await page.setCacheEnabled(false);
        const off = await visit(page, base, file, false, want);
        problems.push(...off.problems, ...linkProblems(off.links, html, file));
        await page.setViewport({ width: 390, height: 844 });
        await page.reload({ waitUntil: "load" });
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        );
        if (overflow > 0) {
          problems.push(`JS off, 390 px: the page scrolls sideways by ${overflow} px`);
        }
        await page.setViewport({ width: 1280, height: 900 });
        const on = await visit(page, base, file, true, want);
        problems.push(...on.problems);
        measured = `first contentful paint ${on.fcp?.toFixed(0) ?? "?"} ms; loaded: ` +
          Object.entries(on.weight ?? {}).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`)
            .join(", ");
        await screenshot(page, name, 1280);
        await screenshot(page, name, 390);
      } catch (e) {
        problems.push(`could not be tested: ${(e as Error).message}`);
      } finally {
        await page.close();
      }
      if (problems.length) {
        failed++;
        log(`✗ ${file}\n${problems.map((p) => `    ${p}`).join("\n")}`);
      } else {
        passed++;
        log(`✓ ${file}${o.measure ? `  (${measured})` : ""}`);
      }
    }
  } finally {
    await browser?.close();
    await server.shutdown();
    Deno.removeSync(dir, { recursive: true });
  }
  log(`${passed} passed, ${failed} failed`);
  return failed > 0;
}

if (import.meta.main) {
  let code = 0;
  try {
    code = (await main(Deno.args)) ? 1 : 0;
  } catch (e) {
    console.error(`test:book: ${(e as Error).message}`);
    console.log("0 passed, 1 failed");
    code = 1;
  }
  Deno.exit(code);
}
