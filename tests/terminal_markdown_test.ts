import { equal, ok } from "node:assert/strict";
import { displayWidth } from "../lib/course/display.ts";
import { latexToUnicode, renderMarkdown } from "../tools/terminal_markdown.ts";
import { pairs, spansOf } from "../tools/notebooks.ts";

const plain = { width: 60, color: false };

Deno.test("LaTeX becomes readable Unicode: Greek, scripts, fractions, norms, operators", () => {
  equal(latexToUnicode(String.raw`a^{\langle t\rangle} = \tanh(W_{ax}x)`), "a^⟨t⟩ = tanh(Wₐₓx)");
  equal(latexToUnicode(String.raw`\frac{\partial L}{\partial W}`), "∂L/∂W");
  equal(latexToUnicode(String.raw`\frac{a+b}{2}`), "(a+b)/2");
  equal(latexToUnicode(String.raw`\lVert g\rVert \le 1`), "‖g‖ ≤ 1");
  equal(latexToUnicode(String.raw`x_t^2 \odot y`), "xₜ² ⊙ y");
  equal(latexToUnicode(String.raw`W^\top`), "Wᵀ");
  equal(
    latexToUnicode(String.raw`\rho^{T-k}`),
    "ρ^(T−k)",
    "a capital T superscript would read as a transpose",
  );
  equal(latexToUnicode(String.raw`\sigma_{\max}(W)`), "σₘₐₓ(W)");
  equal(latexToUnicode(String.raw`\mathbb R^3`), "ℝ³");
  // A function name is kept apart from a letter that follows it, plain or made by a command.
  equal(latexToUnicode(String.raw`-\log\hat y_t`), "−log y\u0302ₜ");
  equal(latexToUnicode(String.raw`\tanh\theta`), "tanh θ");
  equal(latexToUnicode(String.raw`\tanh\left(x\right)`), "tanh(x)");
  equal(latexToUnicode(String.raw`\partial\theta`), "∂θ");
  // An operator is spaced on both sides or on neither, as written on its left.
  equal(latexToUnicode(String.raw`f_t\odot c_{t-1}`), "fₜ⊙cₜ₋₁");
  equal(latexToUnicode(String.raw`f_t \odot c_{t-1}`), "fₜ ⊙ cₜ₋₁");
  equal(latexToUnicode(String.raw`n\times n^2`), "n×n²");
  // A bracketed script keeps its own brackets only.
  equal(latexToUnicode(String.raw`h^{(t-1)}`), "h^(t−1)");
  equal(latexToUnicode(String.raw`h^{(t)}`), "h⁽ᵗ⁾");
  equal(latexToUnicode(String.raw`x_{(a)(b)}`), "x_((a)(b))");
});

Deno.test("markdown: headings, emphasis, code, lists, tables, links, and what cannot render", () => {
  equal(renderMarkdown("# Title", plain), "Title\n═════");
  equal(renderMarkdown("## Sub", plain), "Sub\n───");
  equal(renderMarkdown("Use `np.dot` and **bold** *it*.", plain), "Use `np.dot` and bold it.");
  equal(renderMarkdown("- one\n- two", plain), "• one\n• two");
  equal(renderMarkdown("1. a\n2. b", plain), "1. a\n2. b");
  equal(renderMarkdown("see [the docs](https://x.org)", plain), "see the docs (https://x.org)");
  equal(renderMarkdown("| a | b |\n|---|---|\n| 1 | 22 |", plain), "a  b\n─────\n1  22");
  // An environment is shown as its source, not garbled.
  const env = String.raw`$$\begin{pmatrix}1 & 2\end{pmatrix}$$`;
  ok(renderMarkdown(env, plain).includes(String.raw`\begin{pmatrix}`));
  // Colour only when asked for.
  ok(renderMarkdown("**b** `c`", { width: 40, color: true }).includes("\x1b["));
  equal(renderMarkdown("**b** `c` $x$", plain).includes("\x1b["), false);
});

Deno.test("paragraphs wrap to the width, counting wide characters as two columns", () => {
  equal(displayWidth("我的 LSTM"), 9);
  const text = "我的 LSTM 学习,损失减少,但数值梯度与分析梯度不匹配 ".repeat(4);
  for (const line of renderMarkdown(text, { width: 30, color: false }).split("\n")) {
    ok(displayWidth(line) <= 30 || !line.includes(" "), `too wide: ${line}`);
  }
});

Deno.test("every lesson's markdown renders at 80 and 100 columns, with no stray LaTeX commands", () => {
  for (const p of pairs()) {
    for (const s of spansOf(Deno.readTextFileSync(p.lesson))) {
      if (s.type !== "markdown") continue;
      for (const width of [80, 100]) {
        const out = renderMarkdown(s.lines.join("\n"), { width, color: false });
        let verbatim = false; // inside a display formula shown as source, fenced by $$ lines
        for (const line of out.split("\n")) {
          if (line.trim() === "$$") verbatim = !verbatim;
          if (verbatim || line.trim() === "$$") continue;
          // Outside formulas shown as source on purpose ($…$), no backslash command survives.
          const outside = line.replace(/\$\$?[^$]*\$?\$?/g, "").replace(/`[^`]*`/g, "");
          ok(!/\\[a-zA-Z]+/.test(outside), `${p.name}: a LaTeX command leaked: ${line}`);
          const words = line.trim().split(/\s+/);
          ok(
            displayWidth(line) <= width || words.some((w) => displayWidth(w) > width / 3) ||
              line.includes("$"),
            `${p.name}: a line of ${displayWidth(line)} columns at width ${width}: ${line}`,
          );
        }
      }
    }
  }
});

Deno.test("a folded <details> question shows its question, then its answer under a mark", () => {
  const md = [
    "Before.",
    "",
    "<details><summary>Why is $W^\\top$ there?</summary>",
    "",
    "Because the sum runs over",
    "the *row* index.",
    "",
    "</details>",
    "",
    "After.",
  ].join("\n");
  equal(
    renderMarkdown(md, plain),
    [
      "Before.",
      "",
      "▸ Why is Wᵀ there?",
      "  Answer",
      "  │ Because the sum runs over the row index.",
      "",
      "After.",
    ].join("\n"),
  );
  // No HTML tag reaches the terminal, and the answer is dimmed in colour.
  const coloured = renderMarkdown(md, { width: 60, color: true });
  equal(/<\/?(details|summary)>/.test(coloured), false);
  ok(coloured.includes("\x1b[2m"));
  // A bold span inside the answer ends bold only: the rest of its line stays dim.
  const bold = renderMarkdown("<details><summary>Q</summary>\n\n**A** then more\n\n</details>", {
    width: 60,
    color: true,
  });
  ok(bold.includes("\x1b[22m\x1b[2m then more"), JSON.stringify(bold));
});

Deno.test("a fraction run into its neighbours is shown as its source, never half-converted", () => {
  const o = { width: 100, color: false };
  // Two fractions side by side would read as one: ∂L/∂O∂O/∂h.
  const side = String.raw`$$\frac{\partial L}{\partial O}\frac{\partial O}{\partial h^t}$$`;
  equal(
    renderMarkdown(side, o),
    "    $$\n    \\frac{\\partial L}{\\partial O}\\frac{\\partial O}{\\partial h^t}\n    $$",
  );
  // A fraction followed by a factor: ∂L/∂Ohₜ would read as one denominator.
  equal(
    renderMarkdown(String.raw`so $\frac{\partial L}{\partial O}h_t$ here`, o),
    String.raw`so $\frac{\partial L}{\partial O}h_t$ here`,
  );
  // Separated by a space or an operator, it converts; a script needs no brackets.
  equal(renderMarkdown(String.raw`$\frac{\partial L}{\partial O} h_t$`, o), "∂L/∂O hₜ");
  equal(renderMarkdown(String.raw`$\frac{\partial a}{\partial h^{j-1}} = W$`, o), "∂a/∂hʲ⁻¹ = W");
});

Deno.test("a fraction before an opening norm bar is ambiguous, before a closing one it is not", () => {
  const o = { width: 100, color: false };
  equal(
    renderMarkdown(String.raw`$\tfrac{\lambda}{2}\|\theta\|^2$`, o),
    String.raw`$\tfrac{\lambda}{2}\|\theta\|^2$`,
  );
  equal(renderMarkdown(String.raw`$\tfrac{\lambda}{2}\,\|\theta\|^2$`, o), "λ/2 ‖θ‖²");
  equal(renderMarkdown(String.raw`$\|\frac{\partial h}{\partial k}\| \le 1$`, o), "‖∂h/∂k‖ ≤ 1");
});

Deno.test("markdown-it's reading of a cell: lists as CommonMark, escapes and entities as text", () => {
  // A line that is not indented continues the list item it follows (a lazy continuation line),
  // as in the book; a list with a blank line between items has one between all of them.
  equal(renderMarkdown("1. a\nb\n2. c", plain), "1. a b\n2. c");
  equal(renderMarkdown("- a\n- b\n\n- c", plain), "• a\n\n• b\n\n• c");
  equal(renderMarkdown("- a\n  - b\n- c", plain), "• a\n  • b\n• c");
  equal(renderMarkdown("- \n- b", plain), "•\n• b");
  // Underscores inside a word are not emphasis; an escape or an entity is its character.
  equal(renderMarkdown("snake_case_name, 2\\*3 &amp; \\$5", plain), "snake_case_name, 2*3 & $5");
  equal(renderMarkdown("> q\n> r\n>\n> s", plain), "  │ q r\n  │\n  │ s");
  equal(
    renderMarkdown("[a `b`](https://x.org/a_b), <https://y.org>", plain),
    "a `b` (https://x.org/a_b), https://y.org",
  );
  // Emphasis is styled word by word, so a wrapped line never carries a style across its end.
  equal(
    renderMarkdown("**a `b`, c** d", { width: 60, color: true }),
    "\x1b[1ma\x1b[22m \x1b[1m\x1b[36mb\x1b[39m,\x1b[22m \x1b[1mc\x1b[22m d",
  );
});

Deno.test("a table too wide for the terminal is one block per row, its cells' text unchanged", () => {
  // The cells are rendered once: W_G keeps its underscore (a subscript G has no Unicode form).
  equal(
    renderMarkdown("| head | other |\n|---|---|\n| $W_G$ long text here | y |", {
      width: 20,
      color: false,
    }),
    "  head: W_G long\n    text here\n  other: y",
  );
});

Deno.test("a folded answer in one HTML block, or with blocks inside, is rendered as markdown", () => {
  equal(
    renderMarkdown("<details><summary>Q $x_t$</summary>A *b*</details>\n\nafter", plain),
    "▸ Q xₜ\n  Answer\n  │ A b\n\nafter",
  );
  equal(
    renderMarkdown(
      "<details><summary>Q</summary>\n\n- one\n- two\n\n```\n  code\n```\n\n</details>\n\nnext",
      plain,
    ),
    "▸ Q\n  Answer\n  │ • one\n  │ • two\n  │\n  │       code\n\nnext",
  );
  // A fold inside an answer; text after a </details> in the same HTML block follows the fold.
  equal(
    renderMarkdown(
      "<details><summary>Q</summary>\n\nA\n\n<details><summary>Q2</summary>\n\nB\n\n" +
        "</details>\n\n</details>\nafter *x*",
      plain,
    ),
    "▸ Q\n  Answer\n  │ A\n  │\n  │ ▸ Q2\n  │   Answer\n  │   │ B\n\nafter x",
  );
});
