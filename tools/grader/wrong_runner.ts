/**
 * The grader's own mutation score: `deno task exercise:mutants [--only 1,5] [--json]`.
 *
 * `tools/grader/wrong/exNN/*.ts` are complete, filled-in exercise files, each with exactly one
 * mistake a learner could make, written without regard to what the grader happens to catch.
 * Each file's header says what it expects:
 *
 * - `// expect: rejected` — at least one check must fail (a wrong solution that passes every
 *   check is a **survivor**);
 * - `// expect: accepted` — a control (`00_correct.ts`): the un-mutated solution the wrong ones
 *   were made from must pass every check, or the set measures nothing;
 * - `// expect-named: <text>` — the grader should also say what is wrong: either a failing
 *   check names a known mistake containing `<text>` (case-insensitive), or, written as
 *   `<function>: <term>`, a failing check of that function localises the problem to `<term>`
 *   (its message holds the term, not preceded by a letter or digit: `rnn_cell_backward: dWaa`
 *   matches "dWaa[0, 1] = …"; `softmax:` with no term: any failing check of that function).
 *
 * Every file is graded exactly as `deno task exercise N` grades `exercises/NN_slug.ts`
 * ({@link grade} on the file's URL, in a read-only child process). Prints one progress line
 * per file on stderr, then per exercise: rejected k/n, named k/m, and every survivor or
 * unnamed one. Exits 1 if any wrong solution was accepted (or a control rejected), 2 on bad
 * usage. `--json` prints the same as JSON on stdout.
 *
 * @module
 */

import type { ExerciseResult } from "./mod.ts";
import { grade } from "./run_child.ts";
import { EXERCISES } from "./exercises.ts";

/** What a wrong-solution file's header expects. */
export interface Expectation {
  /** "rejected" for a wrong solution, "accepted" for a control. */
  expect: "rejected" | "accepted";
  /** The mistake name (substring) or `function: term` the grader should name, if any. */
  named?: string;
  /** The header's first line: what the mistake is. */
  what: string;
}

/** One graded file. */
export interface WrongResult {
  exercise: number;
  file: string;
  what: string;
  expect: "rejected" | "accepted";
  /** Did at least one check fail? */
  rejected: boolean;
  /** Expected a name: was it named (undefined when no name is expected)? */
  named?: boolean;
  expectedName?: string;
  /** The failing checks, `function: message` (at most three), or "all checks passed". */
  verdict: string;
  /** The mistake names the grader gave. */
  mistakes: string[];
}

/** Per exercise: the counts the README quotes. */
export interface ExerciseScore {
  exercise: number;
  wrong: number;
  rejected: number;
  expectNamed: number;
  named: number;
  controls: number;
  controlsPassed: number;
  survivors: string[];
  unnamed: string[];
  controlsFailed: string[];
}

/** Reads the `// expect…` header of a wrong-solution file. */
export function parseHeader(text: string, file = "file"): Expectation {
  const head = text.split("\n").filter((l) => l.startsWith("//")).map((l) => l.slice(2).trim());
  const expect = head.find((l) => l.startsWith("expect:"))?.slice(7).trim();
  if (expect !== "rejected" && expect !== "accepted") {
    throw new Error(`${file}: no "// expect: rejected" or "// expect: accepted" header line`);
  }
  const named = head.find((l) => l.startsWith("expect-named:"))?.slice(13).trim() || undefined;
  const what = head.find((l) => l && !l.startsWith("expect")) ?? "";
  return { expect, named, what };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Does the graded result name `named` (see the module doc for the two forms)? */
export function isNamed(r: ExerciseResult, named: string, functions: string[]): boolean {
  const failing = r.tests.filter((t) => !t.ok);
  const m = /^(\S+):\s*(.*)$/.exec(named);
  if (m && functions.includes(m[1])) {
    const term = new RegExp(`(^|[^\\w])${escape(m[2])}`);
    return failing.some((t) => t.function === m[1] && term.test(t.message));
  }
  const want = named.toLowerCase();
  return failing.some((t) => (t.mistake ?? "").toLowerCase().includes(want));
}

/** The wrong-solution files of exercise `n`, sorted. */
export function wrongFiles(n: number, dir = new URL("./wrong/", import.meta.url)): URL[] {
  const sub = new URL(`ex${String(n).padStart(2, "0")}/`, dir);
  let names: string[];
  try {
    names = [...Deno.readDirSync(sub)].filter((e) => e.isFile && e.name.endsWith(".ts"))
      .map((e) => e.name);
  } catch {
    return [];
  }
  return names.sort().map((name) => new URL(name, sub));
}

/** Grades one file and compares with its header. */
export async function gradeWrong(n: number, url: URL): Promise<WrongResult> {
  const spec = EXERCISES.find((e) => e.number === n);
  if (!spec) throw new Error(`no exercise ${n}`);
  const file = url.pathname.split("/").slice(-2).join("/");
  const h = parseHeader(await Deno.readTextFile(url), file);
  const r = await grade(spec, url.href);
  const failing = r.tests.filter((t) => !t.ok);
  return {
    exercise: n,
    file,
    what: h.what,
    expect: h.expect,
    rejected: failing.length > 0,
    ...(h.named ? { named: isNamed(r, h.named, spec.functions), expectedName: h.named } : {}),
    verdict: failing.length
      ? failing.slice(0, 3).map((t) => `${t.function}: ${t.message}`).join(" | ") +
        (failing.length > 3 ? ` | (${failing.length - 3} more failing)` : "")
      : `all ${r.tests.length} checks passed`,
    mistakes: [...new Set(failing.flatMap((t) => (t.mistake ? [t.mistake] : [])))],
  };
}

/** The counts of one exercise's results. */
export function score(exercise: number, results: WrongResult[]): ExerciseScore {
  const wrong = results.filter((r) => r.expect === "rejected");
  const controls = results.filter((r) => r.expect === "accepted");
  const expectNamed = wrong.filter((r) => r.named !== undefined);
  return {
    exercise,
    wrong: wrong.length,
    rejected: wrong.filter((r) => r.rejected).length,
    expectNamed: expectNamed.length,
    named: expectNamed.filter((r) => r.named).length,
    controls: controls.length,
    controlsPassed: controls.filter((r) => !r.rejected).length,
    survivors: wrong.filter((r) => !r.rejected).map((r) => r.file),
    unnamed: expectNamed.filter((r) => r.rejected && !r.named).map((r) => r.file),
    controlsFailed: controls.filter((r) => r.rejected).map((r) => r.file),
  };
}

const pct = (k: number, n: number) => (n ? `${(100 * k / n).toFixed(0)} %` : "–");

/** The per-exercise table and the lists of survivors and unnamed files. */
export function report(scores: ExerciseScore[], results: WrongResult[]): string {
  const row = (label: string, rj: number, w: number, nm: number, en: number, controls: string) =>
    [
      label.padStart(8),
      `${rj}/${w}`.padStart(9),
      pct(rj, w).padStart(6),
      `${nm}/${en}`.padStart(10),
      pct(nm, en).padStart(6),
      controls.padStart(12),
    ].join("").trimEnd();
  const lines = [
    `${"exercise".padStart(8)}${"rejected".padStart(15)}${"named".padStart(16)}${
      "controls".padStart(12)
    }`,
  ];
  for (const s of scores) {
    lines.push(
      row(
        String(s.exercise),
        s.rejected,
        s.wrong,
        s.named,
        s.expectNamed,
        `${s.controlsPassed}/${s.controls} pass`,
      ),
    );
  }
  const sum = (f: (s: ExerciseScore) => number) => scores.reduce((a, s) => a + f(s), 0);
  lines.push(
    row(
      "total",
      sum((s) => s.rejected),
      sum((s) => s.wrong),
      sum((s) => s.named),
      sum((s) => s.expectNamed),
      "",
    ),
  );
  const byFile = new Map(results.map((r) => [r.file, r]));
  const list = (title: string, files: string[], show: (r: WrongResult) => string) => {
    if (!files.length) return;
    lines.push("", title);
    for (const f of files) lines.push(`  ${f}: ${show(byFile.get(f)!)}`);
  };
  list(
    "SURVIVORS (wrong, yet every check passed):",
    scores.flatMap((s) => s.survivors),
    (r) => r.what,
  );
  list(
    "CONTROLS REJECTED (a correct solution failed):",
    scores.flatMap((s) => s.controlsFailed),
    (r) => r.verdict,
  );
  list(
    "rejected but not named as expected:",
    scores.flatMap((s) => s.unnamed),
    (r) => `expected "${r.expectedName}"; got ${r.verdict.slice(0, 300)}`,
  );
  return lines.join("\n");
}

function usage(problem: string): never {
  console.error(`${problem}
usage: deno task exercise:mutants [--only 1,5] [--json]`);
  Deno.exit(2);
}

async function main(args: string[]) {
  let only: number[] | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--json") json = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const v = a === "--only" ? args[++i] : a.slice(7);
      if (!v || !/^\d+(,\d+)*$/.test(v)) usage(`--only needs exercise numbers, e.g. --only 1,5`);
      only = v.split(",").map(Number);
      for (const n of only) {
        if (!EXERCISES.some((e) => e.number === n)) usage(`no exercise ${n}`);
      }
    } else usage(`unknown argument ${a}`);
  }
  const numbers = only ?? EXERCISES.map((e) => e.number);
  const jobs = numbers.flatMap((n) => wrongFiles(n).map((url) => ({ n, url })));
  const results: WrongResult[] = [];
  const t0 = performance.now();
  for (const [i, { n, url }] of jobs.entries()) {
    const r = await gradeWrong(n, url);
    results.push(r);
    const mark = r.expect === "accepted"
      ? (r.rejected ? "CONTROL REJECTED" : "control passes")
      : !r.rejected
      ? "SURVIVED"
      : r.named === false
      ? "rejected, not named"
      : "rejected";
    console.error(
      `[${i + 1}/${jobs.length}] ${
        ((performance.now() - t0) / 1000).toFixed(0)
      } s  ${r.file}: ${mark}`,
    );
  }
  const scores = numbers.map((n) => score(n, results.filter((r) => r.exercise === n)));
  if (json) console.log(JSON.stringify({ scores, results }, null, 2));
  else console.log(report(scores, results));
  if (scores.some((s) => s.survivors.length || s.controlsFailed.length)) Deno.exit(1);
}

if (import.meta.main) await main(Deno.args);
