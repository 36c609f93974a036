/**
 * One markdown parser for the terminal and the web book: `tools/markdown.ts` is the only module
 * that loads markdown-it, both renderers reach it, and both see the same math in every cell.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { markdownParser, type Token } from "../tools/markdown.ts";
import { renderMarkdown, renderTokens } from "../tools/terminal_markdown.ts";
import { markdown as bookMarkdown } from "../tools/book/render.ts";
import { spansOf } from "../tools/notebooks.ts";
import { importGraph } from "./_import_graph.ts";

const ROOT = new URL("../", import.meta.url);
const SKIP = new Set([".git", "notebooks", "out", "node_modules", "data"]);

/** Every TypeScript and JavaScript file of the repository, as a path from its root. */
function sources(dir = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(new URL(dir || ".", ROOT))) {
    const path = dir + e.name;
    if (e.isDirectory && !SKIP.has(e.name)) out.push(...sources(path + "/"));
    else if (e.isFile && /\.(ts|js|mjs)$/.test(e.name)) out.push(path);
  }
  return out;
}

Deno.test("tools/markdown.ts is the only module that loads markdown-it", () => {
  // An import or a dynamic import of the package, by its bare name or its npm: specifier.
  const loads = /(?:from\s*|import\s*\(\s*)["'](?:npm:)?markdown-it(?:@[^"'/]*)?(?:\/[^"']*)?["']/;
  const importers = sources().filter((p) => loads.test(Deno.readTextFileSync(new URL(p, ROOT))));
  deepEqual(importers, ["tools/markdown.ts"]);
});

Deno.test("the lesson runner and the book both parse with tools/markdown.ts", async () => {
  for (const entry of ["../tools/lesson.ts", "../tools/book/build.ts"]) {
    const graph = await importGraph(entry);
    ok(
      graph.some((s) => s.endsWith("/tools/markdown.ts")),
      `${entry} does not use tools/markdown.ts`,
    );
    ok(graph.some((s) => s.includes("markdown-it")), `${entry} does not load markdown-it`);
  }
});

/** The TeX of every formula the parser finds in `tokens`, in order. */
function formulas(md: ReturnType<typeof markdownParser>, tokens: Token[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.type === "math_block" || t.type === "math_inline" || t.type === "math_display") {
      out.push(t.content);
    } else if (t.type === "html_block") {
      // The text between an HTML block's tags is inline markdown (a <summary>'s question).
      for (const part of t.content.split(/(<[^>]+>)/)) {
        if (!part.startsWith("<") && part.trim() !== "") {
          out.push(...formulas(md, md.parseInline(part, {})));
        }
      }
    }
    out.push(...formulas(md, t.children ?? []));
  }
  return out;
}

Deno.test("in every cell, the terminal renders the parser's tokens; the book has its formulas and headings", () => {
  const md = markdownParser();
  let cells = 0;
  let total = 0;
  for (const dir of ["lessons", "exercises"]) {
    for (const e of Deno.readDirSync(new URL(`${dir}/`, ROOT))) {
      if (!/^\d\d_[a-z0-9_]+\.ts$/.test(e.name)) continue;
      for (const s of spansOf(Deno.readTextFileSync(new URL(`${dir}/${e.name}`, ROOT)))) {
        if (s.type !== "markdown") continue;
        const text = s.lines.join("\n");
        const where = `${dir}/${e.name}:${s.first}`;
        const tokens = md.parse(text, {});
        const o = { width: 100, color: false };
        equal(renderMarkdown(text, o), renderTokens(tokens, o), where);
        const tex = formulas(md, tokens);
        const { html, headings } = bookMarkdown(text, where);
        // KaTeX wraps each formula it typesets in one <span class="katex">.
        equal(html.split('<span class="katex">').length - 1, tex.length, `${where}: formulas`);
        // The book's contents list the headings the parser's tokens hold.
        const headingTokens = tokens.filter((t) => t.type === "heading_open");
        equal(headings.length, headingTokens.length, `${where}: headings`);
        cells++;
        total += tex.length;
      }
    }
  }
  ok(cells > 100 && total > 500, `only ${cells} cells and ${total} formulas`);
});
