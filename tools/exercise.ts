/**
 * `deno task exercise [N] [--solution] [--json]`: grades `exercises/NN_slug.ts`.
 *
 * - `deno task exercise N` grades the learner's exports of exercise N, one line per check;
 *   any ✗ exits 1.
 * - `--solution` grades the course's reference solutions (`exercises/_solutions.ts`, the
 *   library) through the same grader.
 * - `--json` prints `{exercise, title, tests: [{function, name, ok, message, outcome}]}`.
 * - Without a number, lists every exercise with its status: not started, k of n passed, done.
 * - An unknown exercise or flag exits 2 and lists what is valid.
 *
 * @module
 */

import { type ExerciseResult, formatResult } from "./grader/mod.ts";
import { grade } from "./grader/run_child.ts";
import { EXERCISES, learnerUrl, SOLUTIONS_URL } from "./grader/exercises.ts";

const FLAGS = ["--solution", "--json"];

function usage(problem: string): never {
  console.error(`${problem}
usage: deno task exercise [N] [--solution] [--json]
exercises: ${EXERCISES.map((e) => `${e.number} (${e.slug})`).join(", ")}
flags: ${FLAGS.join(", ")}`);
  Deno.exit(2);
}

/** Not started (every check still a stub), done (all passed), or k of n passed. */
export function status(r: ExerciseResult): string {
  const passed = r.tests.filter((t) => t.ok).length;
  if (r.tests.every((t) => t.outcome === "not_implemented")) return "not started";
  if (passed === r.tests.length) return `done (all ${passed} checks passed)`;
  return `${passed} of ${r.tests.length} checks passed`;
}

async function main(args: string[]) {
  const flags = args.filter((a) => a.startsWith("-"));
  const rest = args.filter((a) => !a.startsWith("-"));
  for (const f of flags) if (!FLAGS.includes(f)) usage(`unknown flag ${f}`);
  if (rest.length > 1) usage(`one exercise at a time, got ${rest.join(" ")}`);
  const json = flags.includes("--json"), solution = flags.includes("--solution");
  if (!rest.length) {
    const rows = [];
    for (const spec of EXERCISES) {
      const r = await grade(spec, solution ? SOLUTIONS_URL : learnerUrl(spec));
      rows.push({ exercise: spec.number, slug: spec.slug, title: spec.title, status: status(r) });
    }
    if (json) console.log(JSON.stringify(rows, null, 2));
    else {
      for (const r of rows) {
        console.log(`${String(r.exercise).padStart(2)}  ${r.slug.padEnd(16)} ${r.status}`);
      }
      console.log("grade one: deno task exercise N");
    }
    return;
  }
  const n = /^\d+$/.test(rest[0]) ? Number(rest[0]) : NaN;
  const spec = EXERCISES.find((e) => e.number === n);
  if (!spec) usage(`no exercise ${rest[0]}`);
  const r = await grade(spec, solution ? SOLUTIONS_URL : learnerUrl(spec));
  console.log(json ? JSON.stringify(r, null, 2) : formatResult(r));
  if (r.tests.some((t) => !t.ok)) Deno.exit(1);
}

if (import.meta.main) await main(Deno.args);
