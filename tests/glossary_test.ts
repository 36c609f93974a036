/**
 * The glossary (`docs/glossary.md`) names, for each term, the lesson that first needs it; that
 * lesson's prose must use the term, so an entry cannot point at a lesson that never says it.
 */
import { ok } from "node:assert/strict";
import { pairs, spansOf } from "../tools/notebooks.ts";

const GLOSSARY = new URL("../docs/glossary.md", import.meta.url);

/** What to look for in a lesson's prose, where the entry's title is not the word itself. */
const SEARCH: Record<string, RegExp> = {
  "Column layout / row layout": /column layout/i,
  "Compensated dot product": /compensated/i,
  "Exploding / vanishing gradients": /explod/i,
  "float32 / float64": /float64/,
  "Higham's $\\gamma_n$": /Higham/,
  "Unit roundoff $u$": /unit roundoff/i,
  "δ (delta)": /\\delta|δ/,
  "Check": /check/i,
  "Faithful": /faithful/i,
  "Basis": /basis/i,
  "SIMD lane": /SIMD/,
};

function entries(): { term: string; lesson: number }[] {
  const text = Deno.readTextFileSync(GLOSSARY);
  return [...text.matchAll(/^\*\*(.+?)\*\*[^—]*?—\s+lessons?\s+(\d)/gm)].map((m) => ({
    term: m[1],
    lesson: Number(m[2]),
  }));
}

function prose(lesson: number): string {
  const p = pairs()[lesson - 1];
  return spansOf(Deno.readTextFileSync(p.lesson)).filter((s) => s.type === "markdown")
    .map((s) => s.lines.join(" ")).join(" ").replace(/\*\*|\*/g, "").replace(/\s+/g, " ");
}

Deno.test("the glossary has its terms, alphabetical", () => {
  const terms = entries().map((e) => e.term);
  ok(terms.length >= 30, `only ${terms.length} entries parsed`);
  for (
    const must of ["ULP", "BLAS", "Margin", "Eigen", "cuBLAS", "ex2.approx", "libdevice", "RTRL"]
  ) {
    ok(terms.some((t) => t.startsWith(must)), `no entry for ${must}`);
  }
  const key = (t: string) => t.replace(/^δ/, "delta").replace(/^\W+/, "").toLowerCase();
  const sorted = [...terms].sort((a, b) => key(a).localeCompare(key(b)));
  ok(terms.join("|") === sorted.join("|"), `not alphabetical:\n${terms.join("\n")}`);
});

Deno.test("each glossary term appears in the prose of the lesson it names as first use", () => {
  for (const { term, lesson } of entries()) {
    const search = SEARCH[term] ?? new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
    ok(search.test(prose(lesson)), `"${term}" is not in lesson ${lesson}'s prose`);
  }
});
