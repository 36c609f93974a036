/**
 * A number stated in a lesson's prose must come from the run beside it, so prose and numbers
 * cannot drift apart: every decimal in a markdown cell (in text or in a formula) must be
 * printed by the code cell just before or just after it, appear in that code (an input the
 * code sets), be a value, threshold or measurement of the lesson's check table, or — for
 * arithmetic like $0.95^{30} \approx 0.2$ — be the stated power to the stated precision.
 * What is left must be listed below with the reason it needs no run.
 */
import { equal, ok } from "node:assert/strict";
import { pairs, spansOf } from "../tools/notebooks.ts";
import { runLessonCli } from "./_run_lesson.ts";

/** Numbers the prose may state without a run beside them, per lesson, with the reason. */
const STATED: Record<number, Record<string, string>> = {
  5: {
    "10^{-3}": "a worked example: a gradient entry of that size, not a measurement",
    "3\\times10^{-7}": "the worked example's arithmetic: 3×10⁻¹⁰ absolute over 10⁻³",
  },
  6: { "10^{-2}": "a rule of thumb for reading relative errors (CS231n's), not a measurement" },
  8: { "1e-6": 'a hypothetical tolerance ("had we asked for …"), not a measurement' },
  9: {
    "3.3": "Eigen's version (the line whose tanh the lesson models), a cited fact",
    "2.0": "TensorFlow's versions that vendor that Eigen, a cited fact",
    "2.4": "TensorFlow's versions that vendor that Eigen, a cited fact",
  },
};

/** A decimal (with a point or an exponent) or a power of ten written in TeX or Unicode. */
const NUMBER =
  /(?:(\d+(?:\.\d+)?)\s*(?:\\times|×|\\cdot|·)\s*)?(?:10\^\{(-?\d+)\}|10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))|(?<![\w.\[\]^{])-?(?:\d+\.\d+(?:e[-+]?\d+)?|\d+e[-+]?\d+)(?![\w.\]])/g;
const SUPER: Record<string, string> = {
  "⁻": "-",
  "⁰": "0",
  "¹": "1",
  "²": "2",
  "³": "3",
  "⁴": "4",
  "⁵": "5",
  "⁶": "6",
  "⁷": "7",
  "⁸": "8",
  "⁹": "9",
};

interface Stated {
  text: string;
  value: number;
  /** Half a unit of the last digit written (or a factor of √10 for a bare power of ten). */
  matches: (x: number) => boolean;
  /** For a bare power of ten: within a factor √10 (what "≈ 10⁻³" claims). */
  order?: (x: number) => boolean;
}

function statedNumbers(line: string): Stated[] {
  const out: Stated[] = [];
  for (const m of line.matchAll(NUMBER)) {
    if (m[2] !== undefined || m[3] !== undefined) {
      const e = Number(m[2] ?? [...m[3]].map((c) => SUPER[c]).join(""));
      if (m[1] === undefined) {
        // A bare power of ten: an order of magnitude in arithmetic, an exact value elsewhere.
        out.push({
          text: m[0],
          value: 10 ** e,
          matches: (x) => Math.abs(x - 10 ** e) <= 1e-9 * 10 ** e,
          order: (x) => Math.abs(Math.log10(Math.abs(x)) - e) <= 0.5,
        });
      } else {
        const decimals = (m[1].split(".")[1] ?? "").length;
        const v = Number(m[1]) * 10 ** e, unit = 10 ** (e - decimals);
        out.push({ text: m[0], value: v, matches: (x) => Math.abs(Math.abs(x) - v) <= unit / 2 });
      }
      continue;
    }
    const [mant, exp = "0"] = m[0].split("e");
    const decimals = (mant.split(".")[1] ?? "").length;
    const unit = 10 ** (Number(exp) - decimals);
    const v = Number(m[0]);
    out.push({
      text: m[0],
      value: v,
      matches: (x) => Math.abs(Math.abs(x) - Math.abs(v)) <= (unit / 2) * (1 + 1e-9),
    });
  }
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Arithmetic the prose states — `a^{b} ≈ c` or `σ(a) ≈ c` (`=` too) — holds to c's precision
 * (for a bare power of ten, to its order of magnitude); also true when the number is the
 * left-hand side's base of such a claim that holds.
 */
function arithmeticHolds(line: string, s: Stated): boolean {
  const at = line.indexOf(s.text);
  const before = line.slice(0, at);
  const rel = String.raw`\s*(?:\\approx|≈|=)\s*$`;
  const power = before.match(new RegExp(String.raw`(\d+(?:\.\d+)?)\^\{?(-?\d+)\}?` + rel));
  const sig = before.match(new RegExp(String.raw`(?:\\sigma|σ)\((-?\d+(?:\.\d+)?)\)` + rel));
  const value = power ? Number(power[1]) ** Number(power[2]) : sig ? sigmoid(Number(sig[1])) : NaN;
  if (Number.isNaN(value)) {
    // The base of a claim that follows: "0.95" in "0.95^{30} \approx 0.2".
    const after = line.slice(at + s.text.length);
    const m = after.match(/^\^\{?(-?\d+)\}?\s*(?:\\approx|≈)\s*(.*)$/);
    const claimed = m ? statedNumbers(m[2])[0] : undefined;
    return claimed !== undefined && (claimed.order ?? claimed.matches)(s.value ** Number(m![1]));
  }
  return (s.order ?? s.matches)(value);
}

const numbersIn = (text: string) =>
  [...text.matchAll(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g)].map((m) => Number(m[0]));

for (const p of pairs()) {
  const n = Number(p.name.slice(0, 2));
  Deno.test(`lesson ${n}: every number in the prose is printed, set or checked beside it`, async () => {
    const [cellsRun, jsonRun] = await Promise.all([
      runLessonCli(String(n), "--cells"),
      runLessonCli(String(n), "--json"),
    ]);
    const cells: { cell: number; stdout: string }[] = JSON.parse(cellsRun.stdout).cells;
    const report = JSON.parse(jsonRun.stdout);
    const table = numbersIn(JSON.stringify(report.checks));
    const spans = spansOf(Deno.readTextFileSync(p.lesson));
    const unexplained: string[] = [];
    spans.forEach((s, i) => {
      if (s.type !== "markdown") return;
      const near = [i - 1, i + 1].filter((j) => spans[j]?.type === "code");
      const pool = [
        ...table,
        ...near.flatMap((j) => [
          ...numbersIn(spans[j].lines.join("\n")),
          ...numbersIn(cells.filter((c) => c.cell === j).map((c) => c.stdout).join("")),
        ]),
      ];
      for (const line of s.lines) {
        const prose = line.replace(/`[^`]*`/g, " ");
        for (const stated of statedNumbers(prose)) {
          if (pool.some(stated.matches) || arithmeticHolds(prose, stated)) continue;
          // "about 10⁻¹⁶", "∼ 10⁻¹⁰": an order of magnitude, checked as one.
          const said = prose.slice(0, prose.indexOf(stated.text));
          if (stated.order && /(?:about|around|\\sim|~|∼|\\approx|≈)\s*\$?\s*$/.test(said)) {
            if (pool.some(stated.order)) continue;
          }
          if (STATED[n]?.[stated.text]) continue;
          unexplained.push(`${p.name}: "${stated.text}" in: ${line.trim().slice(0, 110)}`);
        }
      }
    });
    ok(
      unexplained.length === 0,
      `numbers stated with no run beside them:\n${unexplained.join("\n")}`,
    );
  });
}

Deno.test("the prose check flags a number no run printed, and accepts arithmetic that holds", () => {
  const flagged = (line: string) =>
    statedNumbers(line).filter((n) => !arithmeticHolds(line, n)).map((n) => n.text);
  // 0.8^30 = 1.24e-3: "≈ 10^{-3}" holds as an order of magnitude, "≈ 0.2" does not.
  equal(flagged(String.raw`the product $0.8^{30} \approx 10^{-3}$`).length, 0);
  ok(flagged(String.raw`the product $0.8^{30} \approx 0.2$`).includes("0.2"));
  equal(flagged(String.raw`$\sigma(3) \approx 0.95$`).length, 0);
  ok(flagged(String.raw`$\sigma(3) \approx 0.90$`).includes("0.90"));
  const [n] = statedNumbers("a norm of 1.630 here");
  ok(n.matches(1.6301593) && !n.matches(1.6311));
  const [p] = statedNumbers(String.raw`$6\times10^{-8}$`);
  ok(p.matches(5.96e-8) && !p.matches(7e-8));
});
