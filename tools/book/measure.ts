/**
 * `deno task book:measure`: what each page of the built book (`out/book/`) weighs and how soon
 * it paints, for the README's figures — measured, never asserted. The book is served by
 * `tools/book/serve.ts` on 127.0.0.1 (no compression, as `deno task book --serve` serves it)
 * and each page is opened `--runs N` times (default 5) in Debian's Chromium
 * (`npm:puppeteer-core`), each time in a new tab with the cache off, JavaScript on. Per page:
 *
 * - **HTML + CSS**: the bytes of the page and of the stylesheets it loaded (resource timing's
 *   `encodedBodySize`: what went over the wire), the figure the book's target (≤ 300 KB) is
 *   about; beside it the same files gzip'd (as a compressing web server would send them),
 *   fonts, and scripts loaded before any chart is made interactive (Vega comes only when a
 *   chart is scrolled to, which this does not do);
 * - **first contentful paint**: the Performance API's `first-contentful-paint`, the median of
 *   the runs (and their range).
 *
 * Options: `--runs N`, `--only lesson-01,index` (pages by file name), `--dir PATH` (measure
 * another built copy of the book, e.g. an older one to compare), `--markdown` (print the
 * lesson pages as the README's table). Prints the machine (cores, CPU, load average) and date
 * with the figures. Skips (exit 0, one line) when Chromium is missing.
 *
 * @module
 */

import { CHROMIUM, launchChromium, type Page } from "../chromium.ts";
import { serveBook } from "./serve.ts";

const ROOT = new URL("../../", import.meta.url);

interface Options {
  runs: number;
  only: string[] | null;
  dir: URL;
  markdown: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = { runs: 5, only: null, dir: new URL("out/book/", ROOT), markdown: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--runs" && args[i + 1]) o.runs = Math.max(1, Number(args[++i]));
    else if (a === "--only" && args[i + 1]) {
      o.only = args[++i].split(",").map((s) => s.replace(/\.html$/, ""));
    } else if (a === "--dir" && args[i + 1]) {
      const d = args[++i];
      o.dir = new URL(d.endsWith("/") ? d : d + "/", `file://${Deno.cwd()}/`);
    } else if (a === "--markdown") o.markdown = true;
    else {
      throw new Error(`unknown option ${a} (valid: --runs N, --only a,b, --dir PATH, --markdown)`);
    }
  }
  if (!Number.isFinite(o.runs)) throw new Error("--runs takes a number");
  return o;
}

/** One load of a page: its paint time and the bytes it loaded, by kind. */
export interface Load {
  fcp: number | null;
  bytes: Record<string, number>;
  /** Paths (relative to the book) of the HTML and CSS it loaded. */
  files: string[];
}

/**
 * One load of the page `page` has just loaded from `base`, as the Performance API saw it: its
 * first contentful paint (null when none comes within 5 s) and the bytes it loaded by kind
 * (resource timing). `deno task test:book --measure` prints the same reading of its one load.
 */
export async function readLoad(page: Page, base: string): Promise<Load> {
  return await page.evaluate((origin) =>
    new Promise<Load>((resolve) => {
      const result = (): Load => {
        const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null;
        const bytes: Record<string, number> = { html: 0, css: 0, fonts: 0, js: 0 };
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceResourceTiming;
        bytes.html = nav.encodedBodySize;
        const files = [nav.name.slice(origin.length)];
        for (const e of performance.getEntriesByType("resource") as PerformanceResourceTiming[]) {
          const kind = /\.css$/.test(e.name)
            ? "css"
            : /\.woff2?$/.test(e.name)
            ? "fonts"
            : /\.m?js$/.test(e.name)
            ? "js"
            : "other";
          bytes[kind] = (bytes[kind] ?? 0) + e.encodedBodySize;
          if (kind === "css") files.push(e.name.slice(origin.length));
        }
        return { fcp, bytes, files };
      };
      if (performance.getEntriesByName("first-contentful-paint").length) {
        return resolve(result());
      }
      new PerformanceObserver(() => resolve(result())).observe({
        type: "paint",
        buffered: true,
      });
      setTimeout(() => resolve(result()), 5000);
    }), base);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The machine, for the figures: cores, CPU model, load average, date (UTC). */
function machine(): string {
  let cpu = "?";
  try {
    // (Deno reads /proc only with --allow-all; grep reads it for us.)
    const out = new Deno.Command("grep", { args: ["-m1", "^model name", "/proc/cpuinfo"] })
      .outputSync();
    cpu = new TextDecoder().decode(out.stdout).split(":")[1]?.trim() || "?";
  } catch { /* not Linux */ }
  const load = Deno.loadavg().map((x) => x.toFixed(1)).join(" ");
  return `${
    new Date().toISOString().slice(0, 16)
  }Z · ${navigator.hardwareConcurrency} cores · ${cpu} · load ${load} · Deno ${Deno.version.deno}`;
}

export async function main(args: string[]): Promise<number> {
  const o = parseArgs(args);
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    console.log(`book:measure skipped: ${CHROMIUM} not found (Chromium)`);
    return 0;
  }
  const files = [...Deno.readDirSync(o.dir)].map((e) => e.name).filter((n) => n.endsWith(".html"))
    .filter((n) => !o.only || o.only.includes(n.replace(/\.html$/, ""))).sort();
  if (files.length === 0) throw new Error(`no pages in ${o.dir.pathname} (run \`deno task book\`)`);
  let port = 0;
  const server = serveBook(o.dir, 0, (p) => (port = p));
  // Chromium's profile, under out/ (the only folder the task may write), removed at the end.
  const profile = new URL("out/book-measure-profile/", ROOT).pathname;
  Deno.mkdirSync(profile, { recursive: true });
  const browser = await launchChromium(`${profile}/chromium`);
  const rows: {
    file: string;
    html: number;
    css: number;
    gz: number;
    fonts: number;
    js: number;
    fcp: number[];
  }[] = [];
  try {
    while (port === 0) await new Promise((r) => setTimeout(r, 10));
    const base = `http://127.0.0.1:${port}/`;
    console.log(`book:measure ${o.dir.pathname} · ${o.runs} run(s) a page · ${machine()}`);
    for (const file of files) {
      const loads: Load[] = [];
      for (let r = 0; r < o.runs; r++) {
        const page = await browser.newPage();
        try {
          await page.setCacheEnabled(false);
          await page.goto(base + file, { waitUntil: "load", timeout: 60_000 });
          loads.push(await readLoad(page, base));
        } finally {
          await page.close();
        }
      }
      const last = loads.at(-1)!;
      const text = last.files.map((f) => Deno.readFileSync(new URL(f, o.dir)));
      const gz = (await Promise.all(text.map(gzipSize))).reduce((a, b) => a + b, 0);
      const fcp = loads.map((l) => l.fcp).filter((x): x is number => x !== null);
      const row = {
        file,
        html: last.bytes.html,
        css: last.bytes.css,
        gz,
        fonts: last.bytes.fonts,
        js: last.bytes.js,
        fcp,
      };
      rows.push(row);
      const kb = (n: number) => `${(n / 1000).toFixed(0)} KB`;
      console.log(
        `${file.padEnd(17)} HTML ${kb(row.html).padStart(6)}  HTML + CSS ${
          kb(row.html + row.css).padStart(6)
        } (gzip'd ${kb(gz)})  fonts ${kb(row.fonts)}  scripts ${kb(row.js)}  ` +
          `first contentful paint ${
            fcp.length
              ? `${median(fcp).toFixed(0)} ms median (${Math.min(...fcp).toFixed(0)}–${
                Math.max(...fcp).toFixed(0)
              })`
              : "not reported"
          }`,
      );
    }
  } finally {
    await browser.close();
    await server.shutdown();
    Deno.removeSync(profile, { recursive: true });
  }
  if (o.markdown) {
    const kb = (n: number) => `${(n / 1000).toFixed(0)} KB`;
    console.log(
      "\n| lesson | HTML | HTML + CSS | the same gzip'd | fonts | first contentful paint (median, range) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const r of rows) {
      const n = r.file.match(/^lesson-(\d+)\.html$/)?.[1];
      if (!n) continue;
      const over = r.html + r.css > 300_000 ? " (over)" : "";
      console.log(
        `| ${Number(n)} | ${kb(r.html)} | ${kb(r.html + r.css)}${over} | ${kb(r.gz)} | ${
          kb(r.fonts)
        } | ${median(r.fcp).toFixed(0)} ms (${Math.min(...r.fcp).toFixed(0)}–${
          Math.max(...r.fcp).toFixed(0)
        }) |`,
      );
    }
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`book:measure: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
