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

/**
 * Typesets TeX with KaTeX as MathML, which browsers lay out natively (MathML Core: Chromium
 * 109+, Firefox, Safari) in the book's math font (STIX Two Math, `book.css`) and screen readers
 * read. KaTeX's HTML output (`output: "html"`, or the default `"htmlAndMathml"`) draws each
 * formula with hundreds of sized spans and its own fonts: more than half of the bytes of every
 * formula-heavy lesson page (349 of lesson 6's 647 KB), for the look of TeX.
 * The TeX source stays in each formula's `<annotation>` (for copying, and for the reader who
 * wants it). A formula KaTeX cannot parse fails the build, naming it.
 */
export function tex(source: string, display: boolean, where: string): string {
  try {
    let html = katex.renderToString(source, {
      displayMode: display,
      throwOnError: true,
      strict: "ignore",
      output: "mathml",
    }).replace(' xmlns="http://www.w3.org/1998/Math/MathML"', ""); // implied in HTML
    html = texSpacing(html);
    // (A formula of under 30 characters of TeX is narrower than a phone's line: kept whole.)
    if (!display && source.length >= 30) html = breakable(html);
    // A display formula scrolls in its own box when it is wider than the column.
    return display ? `<span class="katex-display">${html}</span>` : html;
  } catch (e) {
    throw new Error(`${where}: KaTeX cannot typeset $${source}$: ${(e as Error).message}`);
  }
}

const APPLY = "<mo>\u2061</mo>"; // KaTeX puts U+2061 FUNCTION APPLICATION after \tanh, \max, …

/**
 * What TeX does that KaTeX's MathML leaves to the browser and MathML Core (Chromium) does not:
 * the thin space after an operator name (`\tanh z`, `\tanh^2 z`; none before a parenthesis, as
 * in TeX), no space inside `:=` (two relations side by side), a prime at a letter's shoulder,
 * no space before a relation that opens a formula.
 */
export function texSpacing(mathml: string): string {
  let out = mathml;
  // `\tanh^2`: KaTeX's base is <mrow><mi>tanh</mi><mo>⁡</mo></mrow>; the space belongs after
  // the scripts, so the function application moves behind the scripted element.
  const scripted =
    /<(msup|msub|msubsup|munder|mover|munderover)><mrow>(<mi>[^<]+<\/mi>)<mo>\u2061<\/mo><\/mrow>/;
  for (let m = out.match(scripted); m; m = out.match(scripted)) {
    const [whole, tag, name] = m;
    const at = m.index!;
    let depth = 0, end = -1;
    for (const t of out.slice(at).matchAll(new RegExp(`<(/?)${tag}>`, "g"))) {
      depth += t[1] ? -1 : 1;
      if (depth === 0) {
        end = at + t.index! + t[0].length;
        break;
      }
    }
    if (end < 0) break;
    out = out.slice(0, at) + `<${tag}>${name}` + out.slice(at + whole.length, end) + APPLY +
      out.slice(end);
  }
  // A prime on a letter: STIX's ′ is already drawn high, and Chromium raises it once more as a
  // superscript; set beside the letter it sits where TeX puts it.
  out = out.replace(
    /<msup>(<mi>[^<]+<\/mi>)<mo mathvariant="normal" lspace="0em" rspace="0em">′<\/mo><\/msup>/g,
    '<mrow>$1<mo lspace="0em" rspace="0em">′</mo></mrow>',
  );
  // A formula that starts with a relation (`$= \partial L/\partial h$` after a code span): TeX
  // puts no space before it.
  out = out.replace(
    /^(<span class="katex"><math(?: [a-z]+="[^"]*")*><semantics><mrow>)<mo>/,
    '$1<mo lspace="0em">',
  );
  out = out.replace(
    /<mo>\u2061<\/mo>(?!<mo(?: [a-z]+="[^"]*")*>[([{⟨|‖])/g,
    '<mo rspace="0.1667em">\u2061</mo>',
  )
    .replace(
      /<mo>:<\/mo><mo>=<\/mo>/g,
      '<mo lspace="0.2778em" rspace="0">:</mo><mo lspace="0" rspace="0.2778em">=</mo>',
    );
  return out;
}

/** Where TeX may break a line inside an inline formula: after a relation or a binary operator. */
const BREAK_AFTER = new Set([
  "=",
  "≠",
  "≈",
  "≡",
  "<",
  ">",
  "≤",
  "≥",
  "≪",
  "≫",
  "→",
  "←",
  "↦",
  "∈",
  "∝",
  "∼",
  "≃",
  "≅",
  "+",
  "−",
  "±",
  "∓",
  "⊙",
  "×",
  "⋅",
  "·",
  "∗",
  "∘",
  "⊗",
]);

/**
 * An inline formula split into one `<math>` per piece where TeX may break the line (after a
 * top-level relation or binary operator, brackets without \left/\right included, as TeX
 * breaks), with a break opportunity between them: a browser never breaks inside a `<math>`, so
 * a long formula in a sentence would push a phone's page sideways (KaTeX's HTML output breaks
 * there too). The first piece keeps the whole formula's TeX as its annotation.
 */
export function breakable(html: string): string {
  const m = html.match(
    /^<span class="katex"><math><semantics><mrow>([\s\S]*)<\/mrow>(<annotation [\s\S]*<\/annotation>)<\/semantics><\/math><\/span>$/,
  );
  if (!m) return html;
  const [, body, annotation] = m;
  // The top-level children of the formula's row.
  const children: string[] = [];
  let depth = 0, start = 0;
  for (const t of body.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (t[3]) continue; // <mspace/> and the like
    depth += t[1] ? -1 : 1;
    if (depth === 0) {
      children.push(body.slice(start, t.index! + t[0].length));
      start = t.index! + t[0].length;
    }
  }
  if (start !== body.length || children.length < 2) return html;
  const pieces: string[][] = [[]];
  children.forEach((c, i) => {
    const op = c.match(/^<mo(?: [a-z]+="[^"]*")*>([^<]+)<\/mo>$/)?.[1];
    if (op && BREAK_AFTER.has(op) && i > 0 && i < children.length - 1) {
      // Last in its <math>, an operator would be read as postfix (no space before it).
      pieces.at(-1)!.push(c.replace(/^<mo/, '<mo form="infix"'));
      pieces.push([]);
    } else pieces.at(-1)!.push(c);
  });
  if (pieces.length === 1) return html;
  return `<span class="katex">${
    pieces.map((p, i) =>
      i === 0
        ? `<math><semantics><mrow>${p.join("")}</mrow>${annotation}</semantics></math>`
        : `<math><mrow>${p.join("")}</mrow></math>`
    ).join("<wbr>")
  }</span>`;
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

/**
 * highlight.js's scopes → the book's short class names (styled in `book.css`), one per colour:
 * k keyword, s string, n number, c comment, f function or class name, a property, v `this` and
 * meta, u text inside a template string's `${…}`. A scope not listed (a function's parameter
 * list, say) has no colour of its own and takes its enclosing one.
 */
const SCOPE_CLASS: Record<string, string> = {
  "hljs-keyword": "k",
  "hljs-built_in": "k",
  "hljs-type": "k",
  "hljs-string": "s",
  "hljs-regexp": "s",
  "hljs-number": "n",
  "hljs-literal": "n",
  "hljs-comment": "c",
  "hljs-doctag": "c",
  "hljs-title": "f",
  "hljs-attr": "a",
  "hljs-property": "a",
  "hljs-variable language_": "v",
  "hljs-meta": "v",
  "hljs-subst": "u",
};

/**
 * TypeScript source highlighted by highlight.js, as compact markup: highlight.js nests spans
 * with long class names (`<span class="hljs-title function_">`), one per token; here each run
 * of text gets the class of its nearest coloured scope, and neighbouring runs of one colour
 * (with the spaces between them) share one span. The colours are exactly those of the nested
 * markup; the bytes are about half.
 */
export function highlight(code: string): string {
  const html = hljs.highlight(code, { language: "typescript", ignoreIllegals: true }).value;
  // Flatten: each text run with the class of its innermost coloured scope ("" for none).
  const runs: { cls: string; text: string }[] = [];
  const stack: string[] = [];
  for (const m of html.matchAll(/<span class="([^"]+)">|<\/span>|[^<]+/g)) {
    if (m[1] !== undefined) {
      const scope = m[1].startsWith("hljs-title") ? "hljs-title" : m[1];
      stack.push(SCOPE_CLASS[scope] ?? stack.at(-1) ?? "");
    } else if (m[0] === "</span>") stack.pop();
    else runs.push({ cls: stack.at(-1) ?? "", text: m[0] });
  }
  // Spaces between two runs of one colour join them (a space shows no colour).
  for (let i = 1; i < runs.length - 1; i++) {
    if (/^\s+$/.test(runs[i].text) && runs[i - 1].cls === runs[i + 1].cls) {
      runs[i].cls = runs[i - 1].cls;
    }
  }
  let out = "";
  for (let i = 0; i < runs.length;) {
    let text = "";
    const cls = runs[i].cls;
    for (; i < runs.length && runs[i].cls === cls; i++) text += runs[i].text;
    out += cls ? `<span class=${cls}>${text}</span>` : text;
  }
  return out;
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
