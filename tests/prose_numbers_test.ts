/**
 * A number stated in a lesson's prose must come from the run beside it, so prose and numbers
 * cannot drift apart: every decimal in a markdown cell (in text or in a formula) must be
 * printed by the code cell just before or just after it, appear in that code (an input the
 * code sets), be a value, threshold or measurement of the lesson's check table, or — for
 * arithmetic like $0.95^{30} \approx 0.2$ — be the stated power to the stated precision.
 * What is left must be listed below with the reason it needs no run.
 *
 * Four kinds of claim the decimals alone do not reach are checked against the run too:
 * - a ULP count ("30 ULPs", "two ULPs", "0.72 ulp") must be a number the code beside it
 *   printed, or a ULP figure of the lesson's `--json`;
 * - a count of items ("four slips", "Three named machines") must be the number of items the
 *   same cell enumerates ((a), (b), … or a list), or be printed beside it with that noun;
 * - a figure restated away from the code that printed it — "70 of 74" in a later section,
 *   or any figure of the README's lesson table — must appear in the lesson's run;
 * - a labelled value ("`h_seq[1][0]` = 0.3758163") must be what the run shows under that
 *   label: the number the source printed at that place of the array, or an output line that
 *   names the label with that number.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { pairs, spansOf } from "../tools/notebooks.ts";
import { runLessonCli } from "./_run_lesson.ts";
import { loadPublished } from "../lib/numerics/published.ts";

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

/**
 * Claims the extended checks may make without the run showing them, per lesson: the exact
 * message the check gives, and why it needs no run.
 */
const ALLOWED: Record<number, Record<string, string>> = {
  1: {
    "five printed numbers":
      "the four full-digit gradients and dba's: five printed numbers, read off the source",
    "two values": 'a definition ("two values 1 ULP apart"), not a count of the run',
    "four values": "the four gradients printed with repr (the other entries are shapes and dba)",
    "Two quantities": "the unit roundoff and γₙ, named in the same sentence",
  },
  5: { "two quantities": "dh and dc, named in the same sentence" },
  6: {
    "three numbers": "the three decimals of the bullets above (0.63, 0.35, 0.17), each checked",
  },
  8: {
    "two numbers": 'a definition ("counting the doubles between two numbers"), not a count',
    "0.52 ULP": "glibc's documented accuracy for log, a cited fact",
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

const WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};
const COUNT = "(\\d+(?:\\.\\d+)?|" + Object.keys(WORDS).join("|") + ")";
const asNumber = (w: string) => WORDS[w.toLowerCase()] ?? Number(w);

/** ULP counts stated in prose: "30 ULPs", "two float32 ULPs", "0.72 ulp". */
export function ulpClaims(prose: string): { text: string; value: number }[] {
  const re = new RegExp(
    String.raw`\b${COUNT}\s+(?:float(?:32|64)\s+)?(?:ULPs?|ulps?|units in the last place)\b`,
    "gi",
  );
  return [...prose.matchAll(re)].map((m) => ({ text: m[0], value: asNumber(m[1]) }));
}

/** The nouns whose counts the prose states about the run. */
const COUNTABLE =
  "slips|checks|bugs|rows|numbers|values|entries|gradients|machines|kernels|candidates|" +
  "quantities|weights|arithmetics|gaussians|columns|repairs|rungs|probes";

/** Counts of items stated in prose: "four slips", "Three named machines". */
export function countClaims(
  prose: string,
): { text: string; value: number; noun: string }[] {
  const words = Object.keys(WORDS).filter((w) => w !== "one").join("|");
  const re = new RegExp(
    String.raw`\b(${words})\s+(?:[a-z-]+\s+)?(${COUNTABLE})\b`,
    "gi",
  );
  return [...prose.matchAll(re)].map((m) => ({
    text: m[0],
    value: WORDS[m[1].toLowerCase()],
    noun: m[2].toLowerCase(),
  }));
}

/** How many items a cell enumerates: labels (a), (b), … (or a range "(a)–(d)"), or list items. */
export function enumerated(cell: string): number[] {
  const labels = new Set([...cell.matchAll(/(?:^|[\s*(])\(([a-h])\)/gm)].map((m) => m[1]));
  const range = [...cell.matchAll(/\(([a-h])\)\s*[–-]\s*\(([a-h])\)/g)].map((m) =>
    m[2].charCodeAt(0) - m[1].charCodeAt(0) + 1
  );
  const bullets = cell.split("\n").filter((l) => /^\s*(?:[-*]|\d+\.)\s/.test(l)).length;
  return [labels.size, bullets, ...range].filter((n) => n > 0);
}

/** "70 of 74": a figure the run prints in this form. */
export function ofClaims(prose: string): string[] {
  return [...prose.matchAll(/\b(\d+) of (\d+)\b/g)].map((m) => `${m[1]} of ${m[2]}`);
}

/** "`h_seq[1][0]` = 0.3758163", "`output_seq[2][2]` prints as `0.11136916`". */
export function labelClaims(
  prose: string,
): { label: string; name: string; idx: number[]; text: string }[] {
  const re = /`([A-Za-z_]\w*)((?:\[\d+\])+)`\s*(?:=|:|prints as)\s*`?(-?\d*\.\d+)/g;
  return [...prose.matchAll(re)].map((m) => ({
    label: m[1] + m[2],
    name: m[1],
    idx: [...m[2].matchAll(/\d+/g)].map((d) => Number(d[0])),
    text: m[3],
  }));
}

/**
 * The number the source printed at `idx` of quantity `printed` (a numpy-style nested list),
 * its leading dimensions of length 1 dropped as the lessons name entries; undefined when the
 * index does not exist.
 */
export function printedAt(printed: string, idx: number[]): string | undefined {
  const texts = printed.match(/-?\d+\.?\d*(?:e[-+]?\d+)?/g) ?? [];
  let k = 0;
  const nested = JSON.parse(printed.replace(/-?\d+\.?\d*(?:e[-+]?\d+)?/g, () => String(k++)));
  let x: unknown = nested;
  while (Array.isArray(x) && x.length === 1 && Array.isArray(x[0]) && idx.length) x = x[0];
  for (const i of idx) {
    if (!Array.isArray(x) || i >= x.length) return undefined;
    x = x[i];
  }
  return typeof x === "number" ? texts[x] : undefined;
}

/** The README's lesson table: lesson number → its row's text. */
function readmeRows(): Map<number, string> {
  const rows = new Map<number, string>();
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const start = readme.indexOf("## Lessons");
  for (const line of readme.slice(start).split("\n")) {
    const m = line.match(/^\|\s*(\d)\s*\|(.*)\|\s*$/);
    if (m) rows.set(Number(m[1]), m[2]);
    else if (rows.size && !line.startsWith("|")) break;
  }
  return rows;
}

/** Numbers in the run: every number on the lines that also name `word`. */
const onLinesWith = (run: string, word: RegExp) =>
  run.split("\n").filter((l) => word.test(l)).flatMap((l) => numbersIn(l));

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

  Deno.test(`lesson ${n}: ULP counts, counts of items, restated figures and labelled values agree with the run`, async () => {
    const [cellsRun, jsonRun] = await Promise.all([
      runLessonCli(String(n), "--cells"),
      runLessonCli(String(n), "--json"),
    ]);
    const cells: { cell: number; stdout: string }[] = JSON.parse(cellsRun.stdout).cells;
    const report = JSON.parse(jsonRun.stdout);
    const spans = spansOf(Deno.readTextFileSync(p.lesson));
    const published = loadPublished(
      new URL(`../data/published/${p.name}.json`, import.meta.url),
    );
    const run = [
      ...cells.map((c) => c.stdout),
      JSON.stringify(report.values),
      JSON.stringify(report.checks),
    ].join("\n");
    const ulpFigures = [
      ...numbersIn(
        JSON.stringify(
          Object.entries(report.values).filter(([k]) => /ulp/i.test(k)).map(([, v]) => v),
        ),
      ),
      ...numbersIn(
        JSON.stringify(
          report.checks.filter((c: { name: string }) => /ulp|float32 steps/i.test(c.name)),
        ),
      ),
    ];
    // A finding is allowed when its quoted claim is listed, with its reason, in ALLOWED.
    const wrong = (claims: string[]) =>
      claims.filter((c) => !Object.keys(ALLOWED[n] ?? {}).some((k) => c.includes(`"${k}"`)));
    const found: string[] = [];
    const check = (prose: string, near: string, cell: string, where: string) => {
      for (const u of ulpClaims(prose)) {
        const pool = [...numbersIn(near), ...ulpFigures, ...onLinesWith(run, /ulp/i)];
        if (!pool.some((x) => Math.abs(Math.abs(x) - u.value) < 1e-9)) {
          found.push(`${where}: ULP count "${u.text}" is not in the run`);
        }
      }
      for (const c of countClaims(prose)) {
        const stem = c.noun.replace(/(?:e?s)$/, "");
        const printed = onLinesWith(
          near + "\n" + JSON.stringify(report.checks),
          new RegExp(stem, "i"),
        );
        // "the four gradients" the source printed: the lesson's published values.
        const sourcePrinted = /^(?:gradients|numbers|values|entries|quantities)$/.test(c.noun)
          ? [published.values.length]
          : [];
        if (
          !enumerated(cell).includes(c.value) && !printed.includes(c.value) &&
          !sourcePrinted.includes(c.value)
        ) {
          found.push(
            `${where}: "${c.text}" — the cell enumerates ${
              enumerated(cell).join("/") || "nothing"
            }`,
          );
        }
      }
      for (const o of ofClaims(prose)) {
        if (!run.includes(o)) found.push(`${where}: "${o}" is not in the run`);
      }
      for (const l of labelClaims(prose)) {
        const entry = published.values.find((v) => v.name === l.name);
        const stated = statedNumbers(l.text)[0];
        const ok = entry
          ? (() => {
            const at = printedAt(entry.printed, l.idx);
            return at !== undefined && stated.matches(Number(at));
          })()
          : onLinesWith(run, new RegExp(l.label.replace(/[[\]]/g, "\\$&"))).some(stated.matches);
        if (!ok) found.push(`${where}: "${l.label}" = ${l.text} is not what the run shows there`);
      }
    };
    spans.forEach((sp, i) => {
      if (sp.type !== "markdown") return;
      const near = [i - 1, i + 1].filter((j) => spans[j]?.type === "code")
        .map((j) => cells.filter((c) => c.cell === j).map((c) => c.stdout).join("")).join("\n");
      // The cell, and the markdown cells after it up to the next heading (its section's items).
      const section = [sp.lines.join("\n")];
      for (let j = i + 1; j < spans.length && !/^#/.test(spans[j].lines[0] ?? ""); j++) {
        if (spans[j].type === "markdown") section.push(spans[j].lines.join("\n"));
      }
      const cell = section.join("\n");
      const prose = sp.lines.join("\n").replace(
        /`[^`]*`/g,
        // Code is not prose, but a label (`h_seq[1][0]`) and a printed value (`0.11136916`) are.
        (m) => (/^`(?:[A-Za-z_]\w*(\[\d+\])+|-?\d*\.\d+)`$/.test(m) ? m : " "),
      );
      check(prose, near, cell, `${p.name} cell ${i}`);
    });
    const row = readmeRows().get(n);
    if (row) {
      const pool = numbersIn(run);
      for (const s of statedNumbers(row.replace(/`[^`]*`/g, " "))) {
        if (!pool.some(s.matches) && !(s.order && pool.some(s.order))) {
          found.push(`README lesson ${n}: "${s.text}" is not in the run`);
        }
      }
      check(row, run, "", `README lesson ${n}`);
    }
    const left = wrong(found);
    ok(left.length === 0, `prose that disagrees with the run:\n${left.join("\n")}`);
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

Deno.test("the extended prose checks find a ULP count, a count, a restated figure and a label", () => {
  deepEqual(ulpClaims("sits 30 ULPs away, then two float32 ULPs, 0.72 ulp"), [
    { text: "30 ULPs", value: 30 },
    { text: "two float32 ULPs", value: 2 },
    { text: "0.72 ulp", value: 0.72 },
  ]);
  deepEqual(
    countClaims("It has four slips of transcription; Three named machines").map((c) => [
      c.value,
      c.noun,
    ]),
    [[4, "slips"], [3, "machines"]],
  );
  // A count agrees with the items its section enumerates, and a wrong one does not.
  const cell = "Four slips.\n(a) one\n(b) two\n(c) three\n(d) four";
  ok(enumerated(cell).includes(4) && !enumerated(cell).includes(5));
  ok(enumerated("repairing (a)–(d) leaves").includes(4));
  deepEqual(ofClaims("70 of 74 bit for bit; 2 of them"), ["70 of 74"]);
  // A label names the place of the printed array, leading dimensions of length 1 dropped.
  const printed = "[[[ 0.85244656,  0.01066787], [ 0.3758163 ,  0.21824013]]]";
  equal(printedAt(printed, [1, 0]), "0.3758163");
  equal(printedAt(printed, [2, 0]), undefined);
  deepEqual(
    labelClaims("so `h_seq[1][0]` = 0.3758163 and `output_seq[2][2]` prints as `0.1`")
      .map((l) => [l.label, l.text]),
    [["h_seq[1][0]", "0.3758163"], ["output_seq[2][2]", "0.1"]],
  );
});
