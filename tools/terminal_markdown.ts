/**
 * A lesson's markdown, rendered for a terminal: headings, paragraphs re-wrapped to the width,
 * lists with hanging indents, tables in columns, code, links as `text (url)`, and LaTeX turned
 * into readable Unicode where it can be (`$a^{\langle t\rangle} = \tanh(W_{ax}x)$` becomes
 * `a^⟨t⟩ = tanh(W_ax·x)`-like text), shown as its source where it cannot (an environment such
 * as `\begin{pmatrix}`, or a command not in {@link LATEX_SYMBOLS}).
 *
 * Only what the lessons use; a small module of our own, because the terminal renderers on npm
 * do not render LaTeX and the course's markdown is small. Widths count East Asian wide
 * characters as two columns (the sources' titles are Chinese).
 *
 * ```ts
 * import { renderMarkdown } from "./terminal_markdown.ts";
 * import { equal } from "node:assert/strict";
 * equal(renderMarkdown("Hello $\\alpha_t$", { width: 40, color: false }), "Hello αₜ");
 * ```
 *
 * @module
 */

import { displayWidth } from "../lib/course/display.ts";

/** Options of {@link renderMarkdown}. */
export interface RenderOptions {
  /** Wrap to this many columns. */
  width: number;
  /** ANSI bold/italic/colour; without it, plain text with visible markers. */
  color: boolean;
}

/** The LaTeX commands turned into a Unicode character (or word). */
export const LATEX_SYMBOLS: Record<string, string> = {
  alpha: "α",
  beta: "β",
  gamma: "γ",
  delta: "δ",
  epsilon: "ε",
  varepsilon: "ε",
  zeta: "ζ",
  eta: "η",
  theta: "θ",
  kappa: "κ",
  lambda: "λ",
  mu: "μ",
  nu: "ν",
  xi: "ξ",
  pi: "π",
  rho: "ρ",
  sigma: "σ",
  tau: "τ",
  phi: "φ",
  varphi: "φ",
  chi: "χ",
  psi: "ψ",
  omega: "ω",
  Gamma: "Γ",
  Delta: "Δ",
  Theta: "Θ",
  Lambda: "Λ",
  Pi: "Π",
  Sigma: "Σ",
  Phi: "Φ",
  Psi: "Ψ",
  Omega: "Ω",
  partial: "∂",
  nabla: "∇",
  sum: "Σ",
  prod: "Π",
  int: "∫",
  infty: "∞",
  odot: "⊙",
  otimes: "⊗",
  cdot: "·",
  times: "×",
  div: "÷",
  pm: "±",
  mp: "∓",
  le: "≤",
  leq: "≤",
  ge: "≥",
  geq: "≥",
  ne: "≠",
  neq: "≠",
  approx: "≈",
  sim: "∼",
  equiv: "≡",
  propto: "∝",
  to: "→",
  rightarrow: "→",
  leftarrow: "←",
  Rightarrow: "⇒",
  Leftarrow: "⇐",
  iff: "⇔",
  mapsto: "↦",
  in: "∈",
  notin: "∉",
  subset: "⊂",
  cup: "∪",
  cap: "∩",
  forall: "∀",
  exists: "∃",
  ell: "ℓ",
  langle: "⟨",
  rangle: "⟩",
  lVert: "‖",
  rVert: "‖",
  Vert: "‖",
  lvert: "|",
  rvert: "|",
  mid: "|",
  ldots: "…",
  cdots: "⋯",
  dots: "…",
  vdots: "⋮",
  ddots: "⋱",
  top: "ᵀ",
  circ: "∘",
  quad: "  ",
  qquad: "    ",
  ",": " ",
  ";": " ",
  ":": " ",
  "!": "",
  " ": " ",
  tanh: "tanh",
  sinh: "sinh",
  cosh: "cosh",
  exp: "exp",
  log: "log",
  ln: "ln",
  sin: "sin",
  cos: "cos",
  max: "max",
  min: "min",
  arg: "arg",
  det: "det",
  lim: "lim",
  sup: "sup",
  inf: "inf",
  diag: "diag",
  "|": "‖",
  "{": "{",
  "}": "}",
  "%": "%",
  "_": "_",
  "&": "&",
  "#": "#",
  backslash: "\\",
  lfloor: "⌊",
  rfloor: "⌋",
  lceil: "⌈",
  rceil: "⌉",
  sqrt: "√",
};

const SUB: Record<string, string> = Object.fromEntries(
  [..."0123456789+-=()aehijklmnoprstuvx"].map((
    c,
    i,
  ) => [c, [..."₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"][i]]),
);
SUB["−"] = "₋";
const SUP: Record<string, string> = Object.fromEntries(
  // No capital T: a superscript ᵀ would read as a transpose (ρ^(T−k) stays as it is).
  [..."0123456789+-=()abcdefghijklmnoprstuvwxyz"].map((
    c,
    i,
  ) => [c, [..."⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"][i]]),
);
SUP["−"] = "⁻";

class Unrenderable extends Error {}

/** Around a converted `\frac` until {@link formula} checks its neighbours. */
const FRAC_OPEN = "\uE000";
const FRAC_CLOSE = "\uE001";
/** Without the fraction marks. */
function bare(s: string): string {
  return s.replace(/[\uE000\uE001]/g, "");
}
/**
 * A linear fraction `a/b` is readable only when something separates it from what comes
 * next and before: `∂L/∂O hₜ` reads as (∂L/∂O)·hₜ only with the space, and `∂L/∂O∂O/∂h` or
 * `x∂L/∂O` not at all. Letters, digits, ∂ or a bracket against a fraction make it ambiguous.
 */
function ambiguousFraction(s: string): boolean {
  return /\uE001(?:[\p{L}\p{N}∂(⟨√Σ\uE000]|[‖|](?=[\p{L}\p{N}∂(]))/u.test(s) ||
    /[\p{L}\p{N})]\uE000/u.test(s);
}

/** Reads one `{…}` group (or one token) from `s` at `i`; returns its LaTeX and the end. */
function group(s: string, i: number): [string, number] {
  while (s[i] === " ") i++;
  if (s[i] === "{") {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      if (s[j] === "{") depth++;
      else if (s[j] === "}" && --depth === 0) return [s.slice(i + 1, j), j + 1];
    }
    throw new Unrenderable("unbalanced braces");
  }
  if (s[i] === "\\") {
    const m = s.slice(i).match(/^\\([a-zA-Z]+|.)/);
    if (m) return [m[0], i + m[0].length];
  }
  return [s[i] ?? "", i + 1];
}

/** A script (sub- or superscript) in Unicode where every character has one, else `_(…)`. */
function script(body: string, table: Record<string, string>, mark: string): string {
  const chars = [...body];
  // Short scripts in Unicode (xₜ, Wₐₓ, a²); a word such as "tanh" reads better as d_tanh.
  if (chars.length && chars.length <= 3 && chars.every((c) => table[c])) {
    return chars.map((c) => table[c]).join("");
  }
  if (mark === "^" && (body === "⊤" || body === "ᵀ")) return "ᵀ";
  // Already bracketed (h^{(t-1)}): one pair of parentheses, not two.
  return chars.length === 1 || /^⟨.*⟩$/.test(body) || /^\([^()]*\)$/.test(body)
    ? `${mark}${body}`
    : `${mark}(${body})`;
}

/**
 * Whether `tex` starts with a command that prints a letter: an accent (`\\hat y`) or a Greek
 * letter. A function name before it needs a space, as before a plain letter: `\\log\\hat y`
 * reads "log ŷ", not "logŷ".
 */
function startsWithLetterCommand(tex: string): boolean {
  const m = tex.match(/^\\([a-zA-Z]+)/);
  if (!m) return false;
  if (["hat", "tilde", "bar", "vec", "mathrm", "mathbf", "mathit"].includes(m[1])) return true;
  const sym = LATEX_SYMBOLS[m[1]];
  return sym !== undefined && /^\p{L}$/u.test(sym);
}

/** Relations and operators: the space after them is kept ("\\le 1" reads "≤ 1"). */
const SPACED = new Set(
  ("le leq ge geq approx ne neq in to times cdot equiv sim propto ll gg rightarrow Rightarrow " +
    "mapsto pm mp quad qquad leftarrow iff implies subset subseteq mid odot oplus otimes circ " +
    "div ast star cup cap wedge vee gets").split(" "),
);

/** LaTeX → Unicode text; throws {@link Unrenderable} where it cannot be done faithfully. */
export function latexToUnicode(tex: string): string {
  return bare(convert(tex));
}

/** {@link latexToUnicode}, with each fraction between {@link FRAC_OPEN} and {@link FRAC_CLOSE}. */
function convert(tex: string): string {
  let out = "";
  let i = 0;
  while (i < tex.length) {
    const c = tex[i];
    if (c === "\\") {
      const m = tex.slice(i).match(/^\\([a-zA-Z]+|.)/);
      if (!m) throw new Unrenderable("a lone backslash");
      const name = m[1];
      i += m[0].length;
      // TeX ignores the spaces after a control word; we drop them before a letter or digit
      // ("\\partial L" reads ∂L) and keep one before an operator or a command ("≤ Π").
      if (/^[a-zA-Z]+$/.test(name)) {
        let j = i;
        while (tex[j] === " ") j++;
        // An operator written tight on its left ("f\\odot c") is kept tight on its right too:
        // "f⊙c", not the lopsided "f⊙ c".
        const tightLeft = SPACED.has(name) && !/^q?quad$/.test(name) && /[^\s]$/.test(out);
        if (/[a-zA-Z0-9]/.test(tex[j] ?? "") && (!SPACED.has(name) || tightLeft)) i = j;
      }
      if (name === "frac" || name === "tfrac" || name === "dfrac") {
        const [a, j] = group(tex, i);
        const [b, k] = group(tex, j);
        i = k;
        const wrap = (x: string) => (/^[\p{L}\p{N}_∂⟨⟩.⁺⁻₊₋]+$/u.test(x) ? x : `(${x})`);
        // Marked, so that formula() can tell a fraction run into its neighbours ("∂L/∂O∂O/∂h"
        // reads as one fraction): such a formula is shown as its source.
        out += `${FRAC_OPEN}${wrap(bare(convert(a)))}/${wrap(bare(convert(b)))}${FRAC_CLOSE}`;
      } else if (name === "sqrt") {
        const [a, j] = group(tex, i);
        i = j;
        const r = bare(convert(a));
        out += [...r].length === 1 ? `√${r}` : `√(${r})`;
      } else if (
        ["text", "mathrm", "mathbf", "mathit", "operatorname", "mathcal", "boldsymbol", "textrm"]
          .includes(name)
      ) {
        const [a, j] = group(tex, i);
        i = j;
        out += name === "text" || name === "textrm" ? a : convert(a);
      } else if (
        ["textstyle", "displaystyle", "scriptstyle", "limits", "nolimits", "rm", "it", "bf"]
          .includes(name)
      ) {
        // style only
      } else if (
        ["left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr"].includes(
          name,
        )
      ) {
        // sizing only: the delimiter that follows is kept
        if (tex[i] === ".") i++;
      } else if (name === "mathbb") {
        const [a, j] = group(tex, i);
        i = j;
        const bb: Record<string, string> = { R: "ℝ", N: "ℕ", Z: "ℤ", Q: "ℚ", C: "ℂ" };
        out += [...a].map((ch) => bb[ch] ?? ch).join("");
      } else if (name === "hat" || name === "tilde" || name === "bar" || name === "vec") {
        const [a, j] = group(tex, i);
        i = j;
        const mark = { hat: "\u0302", tilde: "\u0303", bar: "\u0304", vec: "\u20d7" }[name];
        const r = bare(convert(a));
        out += [...r].length === 1 ? r + mark : `${name}(${r})`;
      } else if (name in LATEX_SYMBOLS) {
        out += LATEX_SYMBOLS[name];
        if (
          /^[a-zA-Z]+$/.test(name) && LATEX_SYMBOLS[name].length > 1 &&
          (/^[a-zA-Z0-9]/.test(tex[i] ?? "") || startsWithLetterCommand(tex.slice(i)))
        ) {
          out += " ";
        }
      } else {
        throw new Unrenderable(`\\${name}`);
      }
    } else if (c === "_" || c === "^") {
      const [a, j] = group(tex, i + 1);
      i = j;
      out += script(bare(convert(a)), c === "_" ? SUB : SUP, c);
    } else if (c === "{" || c === "}") {
      i++;
    } else if (c === "&" || (c === "\\" && tex[i + 1] === "\\")) {
      throw new Unrenderable("an alignment");
    } else if (c === "-") {
      out += "−";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/ {2,}(?=\S)/g, (s) => (s.length >= 4 ? s : " "));
}

/** A formula for the terminal: Unicode if it renders, else its source between `$`s. */
function formula(tex: string, display: boolean): string {
  try {
    if (/\\begin\{/.test(tex)) throw new Unrenderable("an environment");
    const text = convert(tex.trim()).trim();
    if (ambiguousFraction(text)) throw new Unrenderable("a fraction run into its neighbours");
    return bare(text);
  } catch (e) {
    if (!(e instanceof Unrenderable)) throw e;
    return display ? `$$${tex.trim()}$$` : `$${tex}$`;
  }
}

const ESC = {
  bold: ["\x1b[1m", "\x1b[22m"],
  italic: ["\x1b[3m", "\x1b[23m"],
  code: ["\x1b[36m", "\x1b[39m"],
  math: ["\x1b[33m", "\x1b[39m"],
  underline: ["\x1b[4m", "\x1b[24m"],
} as const;

/** Inline markdown → one string of "words" (a formula or code span is one unbreakable word). */
function inline(text: string, o: RenderOptions): string[] {
  const style = (k: keyof typeof ESC, s: string) => (o.color ? ESC[k][0] + s + ESC[k][1] : s);
  const words: string[] = [];
  let word = "";
  const push = (piece: string, glue = false) => {
    // Pieces with no spaces stay glued to the word they touch ("x$^2$," stays one word).
    word += piece;
    if (!glue) return;
  };
  const re =
    /(`[^`]+`)|(\$[^$]+\$)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(_[^_\s][^_]*_)|(\[[^\]]+\]\([^)]+\))|(\s+)|([^`$*_\[\s]+|.)/g;
  for (const m of text.matchAll(re)) {
    const [t] = m;
    if (m[7]) {
      if (word) words.push(word);
      word = "";
    } else if (m[1]) push(style("code", o.color ? t.slice(1, -1) : t));
    else if (m[2]) push(style("math", formula(t.slice(1, -1), false)));
    else if (m[3]) {
      const inner = inline(t.slice(2, -2), o);
      inner.forEach((w, k) => {
        push(style("bold", w));
        if (k < inner.length - 1) {
          words.push(word);
          word = "";
        }
      });
    } else if (m[4] || m[5]) {
      const inner = inline(t.slice(1, -1), o);
      inner.forEach((w, k) => {
        push(o.color ? style("italic", w) : w);
        if (k < inner.length - 1) {
          words.push(word);
          word = "";
        }
      });
    } else if (m[6]) {
      const [, label, url] = t.match(/^\[([^\]]+)\]\(([^)]+)\)$/)!;
      const inner = inline(label, o);
      inner.forEach((w) => {
        if (word) words.push(word);
        word = w;
      });
      words.push(word);
      word = `(${url})`;
    } else push(t);
  }
  if (word) words.push(word);
  return words;
}

/** Greedy wrap of words into lines of at most `width` columns after `indent`. */
function wrap(words: string[], width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    const prefix = lines.length ? rest : first;
    if (!empty && displayWidth(line) + 1 + displayWidth(w) > width) {
      lines.push(line);
      line = rest + w;
    } else {
      line = empty ? prefix + w : `${line} ${w}`;
    }
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines;
}

function table(rows: string[], o: RenderOptions): string[] {
  const cells = rows.filter((r) => !/^\|?\s*:?-{2,}/.test(r.trim()))
    .map((r) =>
      r.trim().replace(/^\||\|$/g, "").split("|").map((c) => inline(c.trim(), o).join(" "))
    );
  const n = Math.max(...cells.map((r) => r.length));
  const width = Array.from(
    { length: n },
    (_, j) => Math.max(...cells.map((r) => displayWidth(r[j] ?? ""))),
  );
  const total = width.reduce((a, b) => a + b, 0) + 2 * (n - 1);
  if (total <= o.width) {
    return cells.map((r, i) => {
      const line = r.map((c, j) => c + " ".repeat(width[j] - displayWidth(c))).join("  ").trimEnd();
      return i === 0 && o.color ? ESC.bold[0] + line + ESC.bold[1] : line;
    }).flatMap((l, i) => (i === 0 ? [l, "─".repeat(Math.min(total, o.width))] : [l]));
  }
  // Too wide: one block per row, "header: value" lines, wrapped.
  const head = cells[0];
  return cells.slice(1).flatMap((r) => [
    ...r.flatMap((c, j) =>
      wrap(inline(`${head[j] ?? ""}: ${c}`, { ...o, color: false }), o.width, "  ", "    ")
    ),
    "",
  ]);
}

/** Renders one markdown cell for a terminal. */
export function renderMarkdown(md: string, o: RenderOptions): string {
  const lines = md.split("\n");
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(...wrap(inline(para.join(" "), o), o.width, "", ""), "");
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    let m: RegExpMatchArray | null;
    if (t === "") {
      flush();
    } else if (t.startsWith("```")) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith("```"); i++) code.push(lines[i]);
      out.push(
        ...code.map((c) => (o.color ? `    ${ESC.code[0]}${c}${ESC.code[1]}` : `    ${c}`)),
        "",
      );
    } else if ((m = t.match(/^(#{1,6})\s+(.*)$/))) {
      flush();
      const text = inline(m[2], { ...o, color: false }).join(" ");
      if (o.color) {
        out.push(`${ESC.bold[0]}${m[1].length <= 1 ? ESC.underline[0] : ""}${text}\x1b[0m`);
      } else {out.push(
          text,
          (m[1].length <= 1 ? "═" : "─").repeat(Math.min(displayWidth(text), o.width)),
        );}
      out.push("");
    } else if (t.startsWith("$$")) {
      flush();
      let tex = t.slice(2);
      while (!tex.trimEnd().endsWith("$$") && i + 1 < lines.length) tex += "\n" + lines[++i].trim();
      tex = tex.trimEnd().replace(/\$\$$/, "");
      const shown = formula(tex.replace(/\n/g, " "), true);
      if (shown.startsWith("$$")) {
        // Shown as source, line by line as written, between fences of its own: rewrapping
        // TeX source would only make it harder to read.
        const source = ["$$", ...tex.split("\n").map((x) => x.trim()).filter(Boolean), "$$"];
        out.push(
          ...source.map((x) => (o.color ? ESC.math[0] + "    " + x + ESC.math[1] : "    " + x)),
        );
      } else {
        const w = wrap(
          shown.split(/(?<=[=,])\s+|\s+(?=[=+−])/).filter(Boolean),
          o.width - 4,
          "    ",
          "      ",
        );
        out.push(...w.map((x) => (o.color ? ESC.math[0] + x + ESC.math[1] : x)));
      }
      out.push("");
    } else if (t.startsWith("|")) {
      flush();
      const rows: string[] = [];
      for (; i < lines.length && lines[i].trim().startsWith("|"); i++) rows.push(lines[i]);
      i--;
      out.push(...table(rows, o), "");
    } else if ((m = line.match(/^(\s*)([-*]|\d+\.)\s+(.*)$/))) {
      flush();
      const marker = /\d/.test(m[2]) ? m[2] : "•";
      const indent = " ".repeat(m[1].length);
      let text = m[3];
      // continuation lines: indented, not a new item
      while (
        i + 1 < lines.length && /^\s+\S/.test(lines[i + 1]) &&
        !/^\s*([-*]|\d+\.)\s/.test(lines[i + 1])
      ) {
        text += " " + lines[++i].trim();
      }
      const first = `${indent}${marker} `;
      out.push(...wrap(inline(text, o), o.width, first, " ".repeat(displayWidth(first))));
      if (!(i + 1 < lines.length && /^\s*([-*]|\d+\.)\s/.test(lines[i + 1]))) out.push("");
    } else if (t.startsWith("<details>")) {
      // A folded question (`<details><summary>Q</summary> … </details>`): a terminal cannot
      // fold, so the question is shown as a question and the answer below it, indented under
      // an "Answer" mark (dim in colour) so that a reader can stop before it.
      flush();
      let block = t.slice("<details>".length);
      while (!/<\/details>\s*$/.test(block) && i + 1 < lines.length) block += "\n" + lines[++i];
      block = block.replace(/<\/details>\s*$/, "");
      const s = block.match(/^\s*<summary>([\s\S]*?)<\/summary>/);
      const question = s ? s[1].replace(/\s+/g, " ").trim() : "";
      const answer = renderMarkdown(
        (s ? block.slice(s[0].length) : block).split("\n").map((x) => x.trim()).join("\n").trim(),
        { ...o, width: o.width - 4 },
      );
      out.push(...wrap(inline(question, o), o.width, "▸ ", "  "));
      out.push(o.color ? `  ${ESC.bold[0]}Answer${ESC.bold[1]}` : "  Answer");
      // Dim, kept dim after a bold span ends (its \x1b[22m ends both bold and dim).
      const dim = (x: string) =>
        o.color && x ? `\x1b[2m${x.replaceAll("\x1b[22m", "\x1b[22m\x1b[2m")}\x1b[22m` : x;
      out.push(...answer.split("\n").map((x) => (x ? dim(`  │ ${x}`) : "  │")), "");
    } else if (t.startsWith(">")) {
      flush();
      const quote: string[] = [];
      for (; i < lines.length && lines[i].trim().startsWith(">"); i++) {
        quote.push(lines[i].trim().replace(/^>\s?/, ""));
      }
      i--;
      out.push(...wrap(inline(quote.join(" "), o), o.width, "  │ ", "  │ "), "");
    } else {
      para.push(t);
    }
  }
  flush();
  while (out.length && out[out.length - 1] === "") out.pop();
  return out.join("\n");
}
