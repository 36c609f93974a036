/**
 * The web book's renderer (`tools/book/render.ts`): math typeset, never left as TeX; display
 * math over several lines stays one formula; folded answers keep their math; links to course
 * files become pages; chart SVG ids made unique. The browser test (`deno task test:book`)
 * checks the built pages as a whole.
 */
import { deepEqual, match, ok, throws } from "node:assert/strict";
import hljs from "highlight.js/lib/core";
import {
  highlight,
  markdown,
  outputsHtml,
  pageForFile,
  tex,
  uniqueSvgIds,
} from "../tools/book/render.ts";

/** A formula's MathML without its TeX annotation. */
const mathOf = (html: string) => html.replace(/<annotation[^>]*>[^<]*<\/annotation>/g, "");

/** The text a reader sees outside formulas (KaTeX's output and tags removed). */
function textOutsideMath(html: string): string {
  let out = html;
  // Remove each KaTeX span with everything inside it (spans nest).
  for (
    let at = out.indexOf('<span class="katex">');
    at >= 0;
    at = out.indexOf('<span class="katex">')
  ) {
    let depth = 0, end = at;
    for (const m of out.slice(at).matchAll(/<span\b|<\/span>/g)) {
      depth += m[0] === "<span" ? 1 : -1;
      if (depth === 0) {
        end = at + m.index! + m[0].length;
        break;
      }
    }
    out = out.slice(0, at) + "[math]" + out.slice(end);
  }
  return out.replace(/<[^>]+>/g, "");
}

Deno.test("book markdown: inline and display math are typeset by KaTeX, no $ or \\command left", () => {
  const { html } = markdown(
    "With $a^{\\langle t\\rangle}$ and\n\n$$\\frac{\\partial L}{\\partial a}$$\n",
    "t",
  );
  const text = textOutsideMath(html);
  ok(!text.includes("$"), text);
  ok(!/\\[a-z]+/.test(text), text);
  deepEqual(text.match(/\[math\]/g)?.length, 2);
});

Deno.test("book markdown: a display formula whose next line starts with '+' is one formula, not a list", () => {
  const { html } = markdown("$$a = b\n  + c,$$\n\nafter", "t");
  ok(!html.includes("<ul>"), html);
  deepEqual(textOutsideMath(html).replace(/\s+/g, " ").trim(), "[math] after");
});

Deno.test("book markdown: code spans keep their dollars; a price is not math", () => {
  const { html } = markdown("`${x}` costs $ 5 and $ 6", "t");
  match(html, /<code>\$\{x\}<\/code>/);
  ok(!html.includes("katex"), html);
});

Deno.test("book markdown: a folded answer's summary has its math typeset", () => {
  const { html } = markdown(
    "<details><summary>1. Why is $V$ transposed?</summary>\n\nBecause.\n\n</details>",
    "t",
  );
  ok(html.includes("<details><summary>"), html);
  ok(!textOutsideMath(html).includes("$"), html);
});

Deno.test("book markdown: headings get unique ids, reported for the contents", () => {
  const { html, headings } = markdown("## A b\n\n## A b\n\n### C", "t");
  deepEqual(headings.map((h) => [h.level, h.id]), [[2, "a-b"], [2, "a-b-2"], [3, "c"]]);
  match(html, /<h2 id="a-b-2">/);
});

Deno.test("book markdown: a link to a lesson file becomes its page; another relative link fails", () => {
  deepEqual(pageForFile("lessons/04_simple_rnn_tf.ts"), "lesson-04.html");
  deepEqual(pageForFile("../exercises/02_rnn_forward.ts"), "exercise-02.html");
  match(markdown("[l](lessons/01_rnn_cell.ts)", "t").html, /href="lesson-01.html"/);
  throws(() => markdown("[r](README.md)", "page x"), (e: Error) => e.message.includes("page x"));
});

Deno.test("book markdown: a formula KaTeX cannot parse fails, naming the page", () => {
  throws(
    () => markdown("$\\frac{a$", "lesson-09.html"),
    (e: Error) => e.message.includes("lesson-09.html"),
  );
});

Deno.test("book: chart SVG ids are prefixed, references too", () => {
  const svg = '<svg><clipPath id="clip1"></clipPath><g clip-path="url(#clip1)"></g></svg>';
  deepEqual(
    uniqueSvgIds(svg, "c2-"),
    '<svg><clipPath id="c2-clip1"></clipPath><g clip-path="url(#c2-clip1)"></g></svg>',
  );
});

Deno.test("book outputs: text escaped, the published table marked, a chart keeps its SVG", () => {
  const charts: { id: string; spec: unknown }[] = [];
  const html = outputsHtml(
    [
      { type: "stream", name: "stdout", text: "a < b\n" },
      { type: "display", data: { "text/plain": "t", "text/html": "<table>T</table>" } },
      {
        type: "display",
        data: {
          "text/plain": "[plot]",
          "image/svg+xml": '<svg id="x"></svg>',
          "application/vnd.vegalite.v5+json": { title: "T" },
        },
      },
    ],
    () => "c1",
    charts,
    new Set(["<table>T</table>"]),
  );
  match(html, /<pre class="out">a &lt; b<\/pre>/);
  match(html, /<section id="published"[^>]*><table>T<\/table><\/section>/);
  match(html, /<figure class="chart" id="c1" data-spec="charts\/c1.js">.*<svg id="c1-x">/s);
  deepEqual(charts, [{ id: "c1", spec: { title: "T" } }]);
});

Deno.test("book math: a formula is MathML only (no KaTeX HTML), its TeX kept as its annotation", () => {
  const display = tex("\\frac{\\partial L}{\\partial h_t} = W^\\top \\delta_{t+1}", true, "t");
  match(display, /^<span class="katex-display"><span class="katex"><math display="block">/);
  ok(!display.includes("katex-html"), display);
  match(display, /<mfrac>/);
  match(display, /<annotation encoding="application\/x-tex">\\frac\{\\partial L\}/);
  const inline = tex("x_t", false, "t");
  match(inline, /^<span class="katex"><math><semantics><mrow><msub><mi>x<\/mi><mi>t<\/mi><\/msub>/);
});

/**
 * Each character of highlighted markup with the colour class it is drawn in: the innermost
 * enclosing span's class that `colour` maps to one (the cascade of book.css, where only these
 * classes set a colour).
 */
function colours(html: string, colour: (cls: string) => string | undefined): [string, string][] {
  const out: [string, string][] = [];
  const stack: string[] = [];
  for (const m of html.matchAll(/<span class="?([^">]+)"?>|<\/span>|[^<]+/g)) {
    if (m[1] !== undefined) stack.push(colour(m[1]) ?? stack.at(-1) ?? "");
    else if (m[0] === "</span>") stack.pop();
    else for (const ch of m[0]) out.push([ch, /\s/.test(ch) ? " " : stack.at(-1) ?? ""]);
  }
  return out;
}

Deno.test("book code: the compact highlighting colours every character as highlight.js's markup does", () => {
  const code = Deno.readTextFileSync(new URL("../lessons/06_bptt_formula.ts", import.meta.url));
  const compact = highlight(code);
  // highlight.js's own nested markup, coloured by the scopes book.css gave colours before.
  const nested = hljs.highlight(code, { language: "typescript", ignoreIllegals: true }).value;
  const byScope = (cls: string) =>
    ({
      "hljs-keyword": "k",
      "hljs-built_in": "k",
      "hljs-type": "k",
      "hljs-string": "s",
      "hljs-regexp": "s",
      "hljs-number": "n",
      "hljs-literal": "n",
      "hljs-comment": "c",
      "hljs-doctag": "c",
      "hljs-attr": "a",
      "hljs-property": "a",
      "hljs-variable language_": "v",
      "hljs-meta": "v",
      "hljs-subst": "u",
    })[cls] ?? (cls.startsWith("hljs-title") ? "f" : undefined);
  const want = colours(nested, byScope);
  const got = colours(compact, (c) => c);
  const text = got.map(([ch]) => ch).join("").replace(/&quot;/g, '"').replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  deepEqual(text, code);
  deepEqual(got, want);
  ok(compact.length < nested.length * 0.75, `${compact.length} vs ${nested.length}`);
});

Deno.test("book math: a thin space after an operator name (after its scripts), none before a parenthesis", () => {
  match(
    mathOf(tex("\\tanh z", false, "t")),
    /<mi>tanh<\/mi><mo rspace="0.1667em">\u2061<\/mo><mi>z/,
  );
  match(
    mathOf(tex("\\tanh^2 z", false, "t")),
    /<msup><mi>tanh<\/mi><mn>2<\/mn><\/msup><mo rspace="0.1667em">\u2061<\/mo><mi>z/,
  );
  match(
    mathOf(tex("\\tanh(z)", false, "t")),
    /<mi>tanh<\/mi><mo>\u2061<\/mo><mo stretchy="false">\(/,
  );
  match(
    mathOf(tex("d := a", true, "t")),
    /<mo lspace="0.2778em" rspace="0">:<\/mo><mo lspace="0" rspace="0.2778em">=/,
  );
});

Deno.test("book math: a long inline formula may break after = and +, each piece MathML, the TeX kept once", () => {
  const long = "a_{ij} = b_{ij} + c_{ij} + d_{ij} + e_{ij}"; // 42 characters of TeX
  const html = tex(long, false, "t");
  deepEqual(html.match(/<math>/g)?.length, 5);
  deepEqual(html.match(/<wbr>/g)?.length, 4);
  deepEqual(html.match(/<annotation/g)?.length, 1);
  match(
    html,
    /<mo form="infix">=<\/mo><\/mrow><annotation encoding="application\/x-tex">a_\{ij\} = /,
  );
  // Not a short formula, not after a leading minus, never in display math.
  deepEqual(tex("a = b + c", false, "t").match(/<math>/g)?.length, 1);
  deepEqual(
    tex("-x_{ij} - y_{ij} - z_{ij} - w_{ij} - v_{ij}", false, "t").match(/<math>/g)?.length,
    5,
  );
  deepEqual(tex(long, true, "t").match(/<math /g)?.length, 1);
});
