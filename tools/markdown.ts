/**
 * The one markdown parser of the course: markdown-it, configured once for both renderers of a
 * lesson's markdown cells — the web book (`tools/book/render.ts`, HTML with KaTeX) and the
 * terminal (`tools/terminal_markdown.ts`, what `deno task lesson N` prints). Both call
 * {@link markdownParser}, so both read the same token stream: what is math, code, a table, a
 * list item or a folded `<details>` answer is decided here, once.
 *
 * The configuration:
 *
 * - CommonMark with markdown-it's tables and strikethrough (its `default` preset);
 * - HTML allowed (the lessons are our own source and fold answers in
 *   `<details><summary>…</summary> … </details>`; each renderer decides what a tag becomes);
 * - no linkify and no typographer (quotes and dashes stay as written);
 * - math: `$…$` inline and `$$…$$` display in a paragraph ({@link mathRule}, tokens
 *   `math_inline` and `math_display`), and a display formula on lines of its own
 *   ({@link mathBlockRule}, token `math_block`). A token's `content` is the TeX source.
 *
 * `markdown-it` is mapped to the same version in `dev/deno.json` (the tests, the book) and in
 * `deps/lesson.json` / `deps/lesson-tfjs.json` (the lesson runner), whose lockfiles
 * `tools/locks.ts` cuts out of `dev/deno.lock`.
 *
 * ```ts
 * import { markdownParser } from "./markdown.ts";
 * import { deepEqual } from "node:assert/strict";
 * const inline = markdownParser().parseInline("see $x_t$ and `$y$`", {})[0].children ?? [];
 * deepEqual(inline.map((t) => [t.type, t.content]), [
 *   ["text", "see "],
 *   ["math_inline", "x_t"],
 *   ["text", " and "],
 *   ["code_inline", "$y$"],
 * ]);
 * ```
 *
 * @module
 */

// @ts-types="npm:@types/markdown-it@14.1.2"
import MarkdownIt from "markdown-it";

/** markdown-it's parser, as {@link markdownParser} configures it. */
export type Markdown = MarkdownIt;
/** One token of markdown-it's stream. */
export type Token = ReturnType<MarkdownIt["parse"]>[number];

type StateInline = {
  src: string;
  pos: number;
  posMax: number;
  push(type: string, tag: string, nesting: number): { content: string; markup: string };
};

/**
 * A markdown-it inline rule for `$…$` (inline) and `$$…$$` (display) math. Code spans are
 * matched by markdown-it's own rule first, so a `$` inside backticks is never math; `\$` is an
 * escaped dollar; an opening `$` followed by a space or digit-only text to the next `$` is not
 * math (so "costs $5 and $6" stays text).
 */
function mathRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src[start] !== "$") return false;
  const display = src[start + 1] === "$";
  const open = display ? 2 : 1;
  let end = start + open;
  while (end < state.posMax) {
    if (src[end] === "\\") {
      end += 2;
      continue;
    }
    if (src[end] === "$" && (!display || src[end + 1] === "$")) break;
    end++;
  }
  if (end >= state.posMax) return false;
  const body = src.slice(start + open, end);
  if (!display && (/^\s/.test(body) || /\s$/.test(body) || body === "")) return false;
  if (!silent) {
    const token = state.push(display ? "math_display" : "math_inline", "", 0);
    token.content = body;
    token.markup = display ? "$$" : "$";
  }
  state.pos = end + open;
  return true;
}

type StateBlock = {
  src: string;
  bMarks: number[];
  eMarks: number[];
  tShift: number[];
  sCount: number[];
  blkIndent: number;
  line: number;
  push(type: string, tag: string, nesting: number): {
    content: string;
    markup: string;
    map: [number, number] | null;
    block: boolean;
  };
};

/**
 * A markdown-it block rule for display math that starts a line with `$$` and ends a line with
 * `$$`: its lines are one formula, so a continuation line that happens to start with `+ ` or
 * `- ` is not read as a list item (as it would be inside a paragraph).
 */
function mathBlockRule(state: StateBlock, startLine: number, endLine: number, silent: boolean) {
  const lineText = (n: number) =>
    state.src.slice(state.bMarks[n] + state.tShift[n], state.eMarks[n]);
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  const first = lineText(startLine);
  if (!first.startsWith("$$")) return false;
  let last = -1;
  for (let n = startLine; n < endLine; n++) {
    const t = lineText(n).trimEnd();
    if (n > startLine && t === "") return false; // a blank line ends the paragraph: not ours
    const from = n === startLine ? 2 : 0;
    if (t.length >= from + 2 && t.endsWith("$$")) {
      last = n;
      break;
    }
  }
  if (last < 0) return false;
  if (silent) return true;
  const lines = [];
  for (let n = startLine; n <= last; n++) lines.push(lineText(n));
  const body = lines.join("\n").trim().slice(2, -2);
  const token = state.push("math_block", "", 0);
  token.content = body;
  token.markup = "$$";
  token.block = true;
  token.map = [startLine, last + 1];
  state.line = last + 1;
  return true;
}

/**
 * A new markdown-it parser with the course's configuration (see the module's description). A
 * new one each time, because a renderer sets its own rules on it (the book's KaTeX, for one).
 */
export function markdownParser(): Markdown {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  md.inline.ruler.before("escape", "math", mathRule as never);
  md.block.ruler.before("paragraph", "math_block", mathBlockRule as never, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  return md;
}
