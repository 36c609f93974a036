/**
 * The web book's HTML pieces: markdown (markdown-it) with its math typeset by KaTeX at build
 * time, TypeScript highlighted by highlight.js, and a code cell's outputs as a notebook shows
 * them. Pure functions of their input: the same lesson run gives the same bytes.
 *
 * @module
 */

import katex from "katex";
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import type { Output } from "./execute.ts";
import { markdownParser } from "../markdown.ts";

hljs.registerLanguage("typescript", typescript);

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** A heading's anchor: lower case, letters and digits joined by single hyphens. */
export function slugify(text: string): string {
  const s = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return s || "section";
}

/** A heading found while rendering, for the page's table of contents. */
export interface Heading {
  level: number;
  id: string;
  /** The heading as HTML (its math typeset, its code spans kept). */
  html: string;
}

/** Typesets TeX with KaTeX; a formula KaTeX cannot parse fails the build, naming it. */
export function tex(source: string, display: boolean, where: string): string {
  try {
    return katex.renderToString(source, {
      displayMode: display,
      throwOnError: true,
      strict: "ignore",
      output: "htmlAndMathml",
    });
  } catch (e) {
    throw new Error(`${where}: KaTeX cannot typeset $${source}$: ${(e as Error).message}`);
  }
}

/** Renders markdown to HTML; headings get ids (unique within `used`) and are reported. */
export function markdown(
  text: string,
  where: string,
  used: Set<string> = new Set(),
): { html: string; headings: Heading[] } {
  // HTML is allowed: the lessons are our own source, and they fold answers in
  // <details><summary>; the text between the tags of an HTML block (a summary's question) is
  // rendered as inline markdown, so its math and code spans are typeset too.
  // The course's one parser (tools/markdown.ts): the terminal reads the same tokens.
  const md = markdownParser();
  md.renderer.rules.math_block = (tokens, i) =>
    `<div class="math">${tex(tokens[i].content, true, where)}</div>\n`;
  md.renderer.rules.math_inline = (tokens, i) => tex(tokens[i].content, false, where);
  md.renderer.rules.math_display = (tokens, i) => tex(tokens[i].content, true, where);
  md.renderer.rules.html_block = (tokens, i) =>
    tokens[i].content.split(/(<[^>]+>)/).map((part) =>
      part.startsWith("<") || part.trim() === "" ? part : md.renderInline(part)
    ).join("");
  // Tables scroll in their own box, not the page.
  md.renderer.rules.table_open = () => '<div class="scroll"><table>\n';
  md.renderer.rules.table_close = () => "</table></div>\n";
  const env = {};
  const tokens = md.parse(text, env);
  const headings: Heading[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== "heading_open") continue;
    const inline = tokens[i + 1];
    const plain = (inline.children ?? []).map((c) => c.content).join("");
    let id = slugify(plain);
    for (let k = 2; used.has(id); k++) id = `${slugify(plain)}-${k}`;
    used.add(id);
    t.attrSet("id", id);
    headings.push({
      level: Number(t.tag.slice(1)),
      id,
      html: md.renderer.renderInline(inline.children ?? [], md.options, env),
    });
  }
  // Links: a lesson or exercise file becomes its page; other relative links would not resolve.
  for (const t of tokens) {
    for (const c of t.children ?? []) {
      if (c.type !== "link_open") continue;
      const href = c.attrGet("href") ?? "";
      const page = pageForFile(href);
      if (page) c.attrSet("href", page);
      else if (!/^(https?:|mailto:|#)/.test(href)) {
        throw new Error(`${where}: a link to "${href}" has no page in the book`);
      }
    }
  }
  return { html: md.renderer.render(tokens, md.options, env), headings };
}

/** The book page of a course file named in a link (`lessons/01_x.ts` → `lesson-01.html`). */
export function pageForFile(href: string): string | null {
  const m = href.match(/(?:^|\/)(lessons|exercises)\/(\d\d)_[a-z0-9_]+\.ts$/);
  if (!m) return null;
  return `${m[1] === "lessons" ? "lesson" : "exercise"}-${m[2]}.html`;
}

/** TypeScript source highlighted by highlight.js (class names; the colours are in book.css). */
export function highlight(code: string): string {
  return hljs.highlight(code, { language: "typescript", ignoreIllegals: true }).value;
}

/**
 * Makes the ids inside an SVG unique on its page (Vega names its clip paths `clip1`, … in
 * every chart, and two inline charts on one page would share them).
 */
export function uniqueSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  let out = svg;
  for (const id of ids) {
    const q = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`(\\sid=")${q}"`, "g"), `$1${prefix}${id}"`)
      .replace(new RegExp(`url\\(#${q}\\)`, "g"), `url(#${prefix}${id})`)
      .replace(new RegExp(`href="#${q}"`, "g"), `href="#${prefix}${id}"`);
  }
  return out;
}

/** A chart found among a cell's outputs: its Vega-Lite spec goes to its own file. */
export interface Chart {
  id: string;
  spec: unknown;
}

const VEGA_LITE = /^application\/vnd\.vegalite\.v\d+\+json$/;

/**
 * A code cell's outputs as HTML: text as the terminal shows it, HTML as the library made it
 * (tables scroll in their own box), a chart as its build-time SVG with a link to its spec for
 * the page's script to make interactive. `chartId()` names the next chart; an HTML output in
 * `published` (a lesson's published-value table) becomes the page's `#published` section.
 */
export function outputsHtml(
  outputs: Output[],
  chartId: () => string,
  charts: Chart[],
  published: Set<string> = new Set(),
): string {
  return outputs.map((o) => {
    if (o.type === "stream") {
      return `<pre class="out${o.name === "stderr" ? " stderr" : ""}">${
        esc(o.text.replace(/\n$/, ""))
      }</pre>`;
    }
    if (o.type === "error") return `<pre class="out error" role="alert">${esc(o.text)}</pre>`;
    const data = o.data;
    const vl = Object.keys(data).find((k) => VEGA_LITE.test(k));
    if (typeof data["image/svg+xml"] === "string") {
      const id = chartId();
      const spec = vl ? data[vl] : null;
      if (spec) charts.push({ id, spec });
      const title = typeof (spec as { title?: unknown })?.title === "string"
        ? (spec as { title: string }).title
        : "chart";
      return `<figure class="chart" id="${id}"${spec ? ` data-spec="charts/${id}.js"` : ""}>` +
        `<div class="chart-svg" role="img" aria-label="${esc(title)}">${
          uniqueSvgIds(data["image/svg+xml"] as string, `${id}-`)
        }</div></figure>`;
    }
    if (typeof data["text/html"] === "string" && published.has(data["text/html"] as string)) {
      return `<section id="published" class="published out-html scroll" aria-label="Published values and checks">${
        data["text/html"]
      }</section>`;
    }
    if (typeof data["text/html"] === "string") {
      return `<div class="out-html scroll">${data["text/html"]}</div>`;
    }
    return `<pre class="out">${esc(String(data["text/plain"] ?? "").replace(/\n$/, ""))}</pre>`;
  }).join("\n");
}
