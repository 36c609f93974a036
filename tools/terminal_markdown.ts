/**
 * A lesson's markdown, rendered for a terminal: headings, paragraphs re-wrapped to the width,
 * lists with hanging indents, tables in columns, code, links as `text (url)`, and LaTeX turned
 * into readable Unicode where it can be (`$a^{\langle t\rangle} = \tanh(W_{ax}x)$` becomes
 * `a^⟨t⟩ = tanh(W_ax·x)`-like text), shown as its source where it cannot (an environment such
 * as `\begin{pmatrix}`, or a command not in {@link LATEX_SYMBOLS}).
 *
 * The markdown is read by the course's one parser, the web book's (`tools/markdown.ts`:
 * markdown-it with the `$…$` / `$$…$$` math rules): this module renders markdown-it's tokens,
 * so the terminal and the book agree on what is a list, a table, code or math. Rendering is
 * ours, because the terminal renderers on npm do not render LaTeX: a formula becomes Unicode
 * whole or stays its TeX source whole, never half of each. A folded `<details>` answer (HTML
 * blocks around markdown) is shown as its question, then its answer under an "Answer" mark.
 * Widths count East Asian wide characters as two columns (the sources' titles are Chinese).
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
import { markdownParser, type Token } from "./markdown.ts";

/** The course's one markdown parser, the book's (see `tools/markdown.ts`). */
const PARSER = markdownParser();

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

type Style = keyof typeof ESC;

/** Whitespace in the source, where a line may break; every other piece sticks to its neighbours. */
const BREAK = null;
/** A piece of a rendered line: text (styled) or a {@link BREAK}. */
type Piece = string | typeof BREAK;

/** The words that `pieces` make: the text between breaks. */
function wordsOf(pieces: Piece[]): string[] {
  const words: string[] = [];
  let word = "";
  for (const p of pieces) {
    if (p !== BREAK) word += p;
    else if (word) {
      words.push(word);
      word = "";
    }
  }
  if (word) words.push(word);
  return words;
}

/** `pieces` with each word styled as one (a word's colour does not stop inside it). */
function styleWords(pieces: Piece[], style: (s: string) => string): Piece[] {
  const out: Piece[] = [];
  let word = "";
  const flush = () => {
    if (word) out.push(style(word));
    word = "";
  };
  for (const p of pieces) {
    if (p !== BREAK) word += p;
    else {
      flush();
      out.push(BREAK);
    }
  }
  flush();
  return out;
}

/** The index of the token that closes `tokens[open]` (`strong_open` → its `strong_close`). */
function closing(tokens: Token[], open: number): number {
  const type = tokens[open].type.replace(/_open$/, "_close");
  for (let j = open + 1; j < tokens.length; j++) {
    if (tokens[j].type === type && tokens[j].level === tokens[open].level) return j;
  }
  throw new Error(`markdown: ${tokens[open].type} is not closed`);
}

/** A link's address as written: markdown-it keeps it percent-encoded for HTML. */
function address(href: string): string {
  return PARSER.normalizeLinkText(href);
}

/** A formula's TeX on one line: the line breaks of a paragraph are spaces. */
function oneLine(tex: string): string {
  return tex.split("\n").map((l) => l.trim()).join(" ");
}

/**
 * An inline token stream (a paragraph's, a heading's, a table cell's) → pieces. A code span
 * or a formula is one piece, unbroken; emphasis and strong emphasis are styled word by word;
 * a link is its text followed by its address in parentheses.
 */
function inline(tokens: Token[], o: RenderOptions): Piece[] {
  const style = (k: Style, s: string) => (o.color ? ESC[k][0] + s + ESC[k][1] : s);
  const out: Piece[] = [];
  const text = (s: string) => {
    for (const part of s.split(/(\s+)/)) if (part) out.push(/^\s/.test(part) ? BREAK : part);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    switch (t.type) {
      case "softbreak":
      case "hardbreak":
        out.push(BREAK);
        break;
      case "code_inline":
        out.push(style("code", o.color ? t.content : t.markup + t.content + t.markup));
        break;
      case "math_inline":
      case "math_display":
        out.push(style("math", formula(oneLine(t.content), t.type === "math_display")));
        break;
      case "strong_open":
      case "em_open":
      case "s_open":
      case "link_open": {
        const end = closing(tokens, i);
        const inner = inline(tokens.slice(i + 1, end), o);
        if (t.type === "strong_open") out.push(...styleWords(inner, (w) => style("bold", w)));
        else if (t.type === "em_open") out.push(...styleWords(inner, (w) => style("italic", w)));
        else if (t.type === "s_open") {
          // Struck-through text: struck in colour, between its ~~ marks without.
          if (o.color) out.push(...styleWords(inner, (w) => `\x1b[9m${w}\x1b[29m`));
          else out.push(t.markup, ...inner, t.markup);
        } else if (t.markup === "autolink") out.push(...inner);
        else out.push(BREAK, ...inner, BREAK, `(${address(t.attrGet("href") ?? "")})`);
        i = end;
        break;
      }
      case "image":
        out.push(
          BREAK,
          ...inline(t.children ?? [], o),
          BREAK,
          `(image: ${address(t.attrGet("src") ?? "")})`,
        );
        break;
      default: // text, html_inline
        text(t.content);
    }
  }
  return out;
}

/** The words of an inline token (a paragraph's, a heading's or a cell's content). */
function words(token: Token, o: RenderOptions): string[] {
  return wordsOf(inline(token.children ?? [], o));
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

/** `lines` behind a prefix of `first` on the first line and `rest` on the others. */
function indent(lines: string[], first: string, rest: string): string[] {
  return lines.map((l, k) => {
    const prefix = k === 0 ? first : rest;
    return l === "" ? prefix.trimEnd() : prefix + l;
  });
}

/** Drops the blank lines at the end. */
function trimEnd(lines: string[]): string[] {
  const out = [...lines];
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

/** A table (`tokens[open]` is its `table_open`): columns if they fit, else a block per row. */
function table(tokens: Token[], open: number, end: number, o: RenderOptions): string[] {
  const cells: string[][] = [];
  for (let i = open; i < end; i++) {
    const t = tokens[i];
    if (t.type === "tr_open") cells.push([]);
    else if (t.type === "inline") cells[cells.length - 1].push(words(t, o).join(" "));
  }
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
      wrap(`${head[j] ?? ""}: ${c}`.split(/\s+/).filter(Boolean), o.width, "  ", "    ")
    ),
    "",
  ]);
}

/** A display formula: Unicode wrapped at its relations, or its source line by line. */
function displayMath(tex: string, o: RenderOptions): string[] {
  const shown = formula(oneLine(tex), true);
  if (shown.startsWith("$$")) {
    // Shown as source, line by line as written, between fences of its own: rewrapping
    // TeX source would only make it harder to read.
    const source = ["$$", ...tex.split("\n").map((x) => x.trim()).filter(Boolean), "$$"];
    return source.map((x) => (o.color ? ESC.math[0] + "    " + x + ESC.math[1] : "    " + x));
  }
  const w = wrap(
    shown.split(/(?<=[=,])\s+|\s+(?=[=+−])/).filter(Boolean),
    o.width - 4,
    "    ",
    "      ",
  );
  return w.map((x) => (o.color ? ESC.math[0] + x + ESC.math[1] : x));
}

/**
 * A folded question (`<details><summary>Q</summary> … </details>`): a terminal cannot fold, so
 * the question is shown as a question and the answer below it, indented under an "Answer"
 * mark (dim in colour) so that a reader can stop before it.
 */
function details(question: string, answer: Token[], o: RenderOptions): string[] {
  const q = PARSER.parseInline(question.replace(/\s+/g, " ").trim(), {})[0];
  const out = wrap(q ? words(q, o) : [], o.width, "▸ ", "  ");
  out.push(o.color ? `  ${ESC.bold[0]}Answer${ESC.bold[1]}` : "  Answer");
  // Dim, kept dim after a bold span ends (its \x1b[22m ends both bold and dim).
  const dim = (x: string) =>
    o.color && x ? `\x1b[2m${x.replaceAll("\x1b[22m", "\x1b[22m\x1b[2m")}\x1b[22m` : x;
  const lines = trimEnd(blocks(answer, { ...o, width: o.width - 4 }));
  out.push(...lines.map((x) => (x ? dim(`  │ ${x}`) : "  │")), "");
  return out;
}

/** The tokens of markdown `text`, parsed by the course's parser (for HTML blocks' insides). */
function parse(text: string): Token[] {
  return text.trim() === "" ? [] : PARSER.parse(text, {});
}

/**
 * Block tokens → lines, each block followed by a blank line. `tight`: the paragraphs are a
 * tight list item's (markdown-it hides them), with no blank line after them.
 */
function blocks(tokens: Token[], o: RenderOptions, tight = false): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    switch (t.type) {
      case "paragraph_open": {
        out.push(...wrap(words(tokens[i + 1], o), o.width, "", ""));
        if (!(tight && t.hidden)) out.push("");
        i = closing(tokens, i);
        break;
      }
      case "heading_open": {
        const text = words(tokens[i + 1], { ...o, color: false }).join(" ");
        const h1 = t.tag === "h1";
        if (o.color) out.push(`${ESC.bold[0]}${h1 ? ESC.underline[0] : ""}${text}\x1b[0m`);
        else out.push(text, (h1 ? "═" : "─").repeat(Math.min(displayWidth(text), o.width)));
        out.push("");
        i = closing(tokens, i);
        break;
      }
      case "fence":
      case "code_block": {
        const code = t.content.replace(/\n$/, "").split("\n");
        out.push(
          ...code.map((c) => (o.color ? `    ${ESC.code[0]}${c}${ESC.code[1]}` : `    ${c}`)),
          "",
        );
        break;
      }
      case "math_block":
        out.push(...displayMath(t.content, o), "");
        break;
      case "table_open": {
        const end = closing(tokens, i);
        out.push(...table(tokens, i, end, o), "");
        i = end;
        break;
      }
      case "bullet_list_open":
      case "ordered_list_open": {
        const end = closing(tokens, i);
        const items: string[][] = [];
        let loose = false;
        for (let j = i + 1; j < end; j = closing(tokens, j) + 1) {
          const item = tokens[j];
          const itemEnd = closing(tokens, j);
          const inside = tokens.slice(j + 1, itemEnd);
          loose ||= inside.some((x) => x.type === "paragraph_open" && !x.hidden);
          const first = `${t.type === "bullet_list_open" ? "•" : item.info + item.markup} `;
          const hang = " ".repeat(displayWidth(first));
          const lines = trimEnd(blocks(inside, { ...o, width: o.width - hang.length }, true));
          items.push(indent(lines.length ? lines : [""], first, hang));
        }
        items.forEach((lines, k) =>
          out.push(...lines, ...(loose || k === items.length - 1 ? [""] : []))
        );
        i = end;
        break;
      }
      case "blockquote_open": {
        const end = closing(tokens, i);
        const lines = trimEnd(blocks(tokens.slice(i + 1, end), { ...o, width: o.width - 4 }));
        out.push(...indent(lines, "  │ ", "  │ "), "");
        i = end;
        break;
      }
      case "hr":
        out.push("─".repeat(Math.min(o.width, 40)), "");
        break;
      case "html_block": {
        const html = t.content;
        if (/^\s*<details[\s>]/i.test(html)) {
          const summary = html.match(/<summary>([\s\S]*?)<\/summary>/i);
          let after = summary ? html.slice(summary.index! + summary[0].length) : html;
          if (!summary) after = after.replace(/^\s*<details[^>]*>/i, "");
          const close = after.search(/<\/details>/i);
          if (close >= 0) {
            // The whole fold in one HTML block: its answer is markdown inside it.
            out.push(...details(summary?.[1] ?? "", parse(after.slice(0, close)), o));
            out.push(...blocks(parse(after.slice(close).replace(/^<\/details>/i, "")), o));
            break;
          }
          // The answer is the blocks up to the HTML block that closes the fold.
          let depth = 1;
          let j = i + 1;
          for (; j < tokens.length; j++) {
            const x = tokens[j];
            if (x.type !== "html_block" || x.level !== t.level) continue;
            depth += (x.content.match(/<details[\s>]/gi) ?? []).length -
              (x.content.match(/<\/details>/gi) ?? []).length;
            if (depth <= 0) break;
          }
          // That block's text before its </details> ends the answer; any after it follows.
          const last = tokens[j]?.content ?? "";
          const end = last.toLowerCase().lastIndexOf("</details>");
          const answer = [
            ...parse(after),
            ...tokens.slice(i + 1, j),
            ...(end > 0 ? parse(last.slice(0, end)) : []),
          ];
          out.push(...details(summary?.[1] ?? "", answer, o));
          if (end >= 0) out.push(...blocks(parse(last.slice(end + "</details>".length)), o));
          i = j;
          break;
        }
        // Other HTML: its text, as inline markdown (as the book does), without its tags.
        const text = html.replace(/<!--[\s\S]*?-->/g, "").replace(/<[^>]+>/g, " ").trim();
        if (text) {
          out.push(
            ...wrap(
              wordsOf(inline(PARSER.parseInline(text, {})[0].children ?? [], o)),
              o.width,
              "",
              "",
            ),
            "",
          );
        }
        break;
      }
      default:
        // Closing tokens of containers handled above never reach here; nothing else to show.
        break;
    }
  }
  return out;
}

/** Renders one markdown cell for a terminal. */
export function renderMarkdown(md: string, o: RenderOptions): string {
  return renderTokens(PARSER.parse(md, {}), o);
}

/** Renders a cell's tokens, as {@link markdownParser} gives them, for a terminal. */
export function renderTokens(tokens: Token[], o: RenderOptions): string {
  return trimEnd(blocks(tokens, o)).join("\n");
}
