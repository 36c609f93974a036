/**
 * The web book's renderer (`tools/book/render.ts`): math typeset, never left as TeX; display
 * math over several lines stays one formula; folded answers keep their math; links to course
 * files become pages; chart SVG ids made unique. The browser test (`deno task test:book`)
 * checks the built pages as a whole.
 */
import { deepEqual, match, ok, throws } from "node:assert/strict";
import { markdown, outputsHtml, pageForFile, uniqueSvgIds } from "../tools/book/render.ts";

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
