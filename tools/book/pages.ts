/**
 * The web book's page frame and its pages: the reading guide (`index.html`), a lesson as
 * executed, an exercise with its stubs and the mount point of the in-page practice, the
 * glossary. Every link is relative and every page sits at the book's root, so the folder
 * reads the same from a server, from `file://` or copied elsewhere.
 *
 * @module
 */

import { esc, type Heading } from "./render.ts";

/** A page of the book. */
export interface Page {
  kind: "index" | "lesson" | "exercise" | "glossary";
  /** File name inside `out/book/`, e.g. `lesson-01.html`. */
  file: string;
  /** Short title for previous/next and the `<title>`. */
  title: string;
  /** Lesson or exercise number. */
  number?: number;
}

/**
 * Extra assets and tags a feature adds to pages (the hook for in-page practice): `assets`
 * are copied into `out/book/` (path relative to it ← source URL), `head` and `body` are
 * inserted into every page for which they return text (`body` at the end of `<body>`).
 */
export interface BookPlugin {
  name: string;
  /** Builds the feature's own assets into the book's folder (after it is emptied). */
  build?(out: URL): Promise<void>;
  assets?: { to: string; from: URL }[];
  head?(page: Page): string;
  body?(page: Page): string;
}

export interface FrameInput {
  page: Page;
  prev: Page | null;
  next: Page | null;
  headings: Heading[];
  main: string;
  plugins: BookPlugin[];
  /** Whether the page has charts (loads the chart script). */
  charts: boolean;
}

const BOOK = "Gradients by Hand";

function prevNext(prev: Page | null, next: Page | null, where: string): string {
  const p = prev
    ? `<a rel="prev" href="${prev.file}"><span class="dir">← previous</span> ${esc(prev.title)}</a>`
    : "<span></span>";
  const n = next
    ? `<a rel="next" href="${next.file}"><span class="dir">next →</span> ${esc(next.title)}</a>`
    : "<span></span>";
  return `<nav class="prevnext" aria-label="${where}">${p}${n}</nav>`;
}

function toc(headings: Heading[]): string {
  const items = headings.filter((h) => h.level >= 2 && h.level <= 3);
  if (items.length === 0) return "";
  return `<nav class="toc" aria-label="On this page"><details open><summary>On this page</summary><ol>${
    items.map((h) => `<li class="l${h.level}"><a href="#${h.id}">${h.html}</a></li>`).join("")
  }</ol></details></nav>`;
}

/** A whole HTML page. */
export function frame(f: FrameInput): string {
  const title = f.page.kind === "index" ? BOOK : `${f.page.title} — ${BOOK}`;
  const head = f.plugins.map((p) => p.head?.(f.page) ?? "").join("");
  const body = f.plugins.map((p) => p.body?.(f.page) ?? "").join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<link rel="stylesheet" href="assets/book.css">
${f.charts ? '<script src="assets/charts.js" defer></script>\n' : ""}${head}</head>
<body class="${f.page.kind}">
<header class="site"><a class="home" href="index.html">${BOOK}</a>${
    f.page.kind === "index" ? "" : prevNext(f.prev, f.next, "Previous and next (top)")
  }</header>
<div class="layout">
${toc(f.headings)}
<main id="content">
${f.main}
</main>
</div>
<footer class="site">${prevNext(f.prev, f.next, "Previous and next")}</footer>
${body}</body>
</html>
`;
}
