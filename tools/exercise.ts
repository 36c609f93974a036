/**
 * `deno task exercise [N] [--solution] [--json] [--seed S]`: grades `exercises/NN_slug.ts`.
 *
 * - `deno task exercise N` grades the learner's exports of exercise N, one line per check;
 *   any ✗ exits 1.
 * - `--solution` grades the course's reference solutions (`exercises/_solutions.ts`, the
 *   library) through the same grader.
 * - `--json` prints `{exercise, title, seed, tests: [{function, name, ok, message, outcome}]}`.
 * - `--seed S` draws the random cases from seed S (each run draws a new seed and prints it).
 * - Without a number, lists every exercise with its title and status: not started, k of n
 *   passed, done.
 * - An unknown exercise or flag exits 2 and lists what is valid.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ExerciseResult, formatResult } from "./grader/mod.ts";
import { grade } from "./grader/run_child.ts";
import { EXERCISES, learnerUrl, SOLUTIONS_URL } from "./grader/exercises.ts";

const USAGE = "usage: deno task exercise [N] [--solution] [--json] [--seed S]";

function usage(problem: string): never {
  const width = Math.max(...EXERCISES.map((e) => e.slug.length));
  console.error(`${problem}
${USAGE}
exercises:
${
    EXERCISES.map((e) => `  ${String(e.number).padStart(2)}  ${e.slug.padEnd(width)}  ${e.title}`)
      .join("\n")
  }
flags: --solution (grade the reference solutions), --json, --seed S (repeat a run's random cases)`);
  Deno.exit(2);
}

/** Not started (every check still a stub), done (all passed), or k of n passed. */
export function status(r: ExerciseResult): string {
  const passed = r.tests.filter((t) => t.ok).length;
  if (r.tests.every((t) => t.outcome === "not_implemented")) return "not started";
  if (passed === r.tests.length) return `done (all ${passed} checks passed)`;
  return `${passed} of ${r.tests.length} checks passed`;
}

/** The exercises as aligned columns: number, slug, title, status. */
export function formatList(
  rows: { exercise: number; slug: string; title: string; status: string }[],
): string {
  const slug = Math.max(...rows.map((r) => r.slug.length));
  const title = Math.max(...rows.map((r) => r.title.length));
  return [
    ...rows.map((r) =>
      `${String(r.exercise).padStart(2)}  ${r.slug.padEnd(slug)}  ${
        r.title.padEnd(title)
      }  ${r.status}`
    ),
    "grade one: deno task exercise N",
  ].join("\n");
}

/** The command line, parsed; exits 2 with the usage on anything it does not know. */
export function parse(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        solution: { type: "boolean" },
        json: { type: "boolean" },
        seed: { type: "string" },
      },
    });
  } catch (e) {
    usage((e as Error).message.split(". ")[0]); // "Unknown option '--x'"
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) usage(`one exercise at a time, got ${positionals.join(" ")}`);
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || !(seed < 2 ** 31)) {
      usage(`--seed takes a whole number below 2^31, got ${values.seed}`);
    }
  }
  let spec;
  if (positionals.length) {
    const n = /^\d+$/.test(positionals[0]) ? Number(positionals[0]) : NaN;
    spec = EXERCISES.find((e) => e.number === n);
    if (!spec) usage(`no exercise ${positionals[0]}`);
  }
  return { spec, json: !!values.json, solution: !!values.solution, seed };
}

async function main(args: string[]) {
  const { spec, json, solution, seed } = parse(args);
  if (!spec) {
    const rows = [];
    for (const s of EXERCISES) {
      const r = await grade(s, solution ? SOLUTIONS_URL : learnerUrl(s), { seed });
      rows.push({ exercise: s.number, slug: s.slug, title: s.title, status: status(r) });
    }
    if (json) console.log(JSON.stringify(rows, null, 2));
    else {
      const slug = Math.max(...rows.map((r) => r.slug.length));
      const title = Math.max(...rows.map((r) => r.title.length));
      for (const r of rows) {
        console.log(
          `${String(r.exercise).padStart(2)}  ${r.slug.padEnd(slug)}  ${
            r.title.padEnd(title)
          }  ${r.status}`,
        );
      }
      console.log("grade one: deno task exercise N");
    }
    return;
  }
  const r = await grade(spec, solution ? SOLUTIONS_URL : learnerUrl(spec), { seed });
  console.log(json ? JSON.stringify(r, null, 2) : formatResult(r));
  if (r.tests.some((t) => !t.ok)) Deno.exit(1);
}

if (import.meta.main) await main(Deno.args);
