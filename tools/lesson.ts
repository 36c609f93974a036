/**
 * The lesson runner: `deno task lesson` lists the lessons, `deno task lesson N` runs one
 * and ends with its table of published values, `deno task lesson all` runs every lesson,
 * and `--json` prints the table(s) as JSON on stdout (the lessons' narrative then goes to
 * stderr, so stdout stays machine-readable).
 *
 * Exit status: 0 when every check reproduced, 1 when a check failed or a lesson threw,
 * 2 for a bad command line.
 *
 * @module
 */

import { type Report, reports } from "../lib/lesson.ts";

const LESSONS_DIR = new URL("../lessons/", import.meta.url);
const USAGE = `usage: deno task lesson [N | all] [--json]
  (no argument)   list the lessons
  N               run lesson N, e.g. \`deno task lesson 1\`
  all             run every lesson in order
  --json          print the published-value table(s) as JSON on stdout
  --help          show this help`;

interface LessonFile {
  number: number;
  slug: string;
  url: URL;
}

/** The lessons on disk, `lessons/NN_slug.ts`, in order. */
export function listLessons(): LessonFile[] {
  const out: LessonFile[] = [];
  for (const e of Deno.readDirSync(LESSONS_DIR)) {
    const m = e.name.match(/^(\d\d)_([a-z0-9_]+)\.ts$/);
    if (m) {
      out.push({
        number: Number(m[1]),
        slug: `${m[1]}_${m[2]}`,
        url: new URL(e.name, LESSONS_DIR),
      });
    }
  }
  return out.sort((a, b) => a.number - b.number);
}

function firstHeading(url: URL): string {
  const text = Deno.readTextFileSync(url);
  const m = text.match(/^\/\/ # (.+)$/m);
  return m ? m[1] : "(no title)";
}

class UsageError extends Error {}

/** Parses the command line into the lessons to run and the output mode. */
export function parseArgs(
  args: string[],
  lessons: LessonFile[],
): { run: LessonFile[]; json: boolean } {
  let json = false;
  const picks: string[] = [];
  for (const a of args) {
    if (a === "--json") json = true;
    else if (a === "--help" || a === "-h") throw new UsageError("");
    else if (a.startsWith("-")) {
      throw new UsageError(`unknown flag "${a}"; valid flags: --json, --help`);
    } else picks.push(a);
  }
  const valid = lessons.map((l) => String(l.number)).join(", ");
  if (picks.length > 1) {
    throw new UsageError(`give one lesson number or "all", not ${picks.join(" ")}`);
  }
  if (picks.length === 0) return { run: [], json };
  if (picks[0] === "all") return { run: lessons, json };
  const n = /^\d+$/.test(picks[0]) ? Number(picks[0]) : NaN;
  const lesson = lessons.find((l) => l.number === n);
  if (!lesson) {
    throw new UsageError(`no lesson "${picks[0]}"; valid lessons: ${valid}, or "all"`);
  }
  return { run: [lesson], json };
}

async function main(args: string[]): Promise<number> {
  const lessons = listLessons();
  let parsed;
  try {
    parsed = parseArgs(args, lessons);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) console.error(`error: ${e.message}\n`);
    console.error(USAGE);
    return e.message ? 2 : 0;
  }
  if (parsed.run.length === 0) {
    console.log("Lessons (run one with `deno task lesson N`):\n");
    for (const l of lessons) {
      console.log(`  ${String(l.number).padStart(2)}  ${firstHeading(l.url)}`);
    }
    return 0;
  }
  const stdoutLog = console.log;
  if (parsed.json) {
    // The narrative goes to stderr; stdout carries only the JSON.
    console.log = console.error;
    console.info = console.error;
    console.table = (...x: unknown[]) => console.error(...x);
  }
  const results: Report[] = [];
  let failed = false;
  for (const l of parsed.run) {
    const before = reports.length;
    try {
      await import(l.url.href);
    } catch (e) {
      failed = true;
      console.error(
        `\n✗ lesson ${l.number} (${l.slug}) stopped with an error:\n${(e as Error).stack ?? e}`,
      );
      continue;
    }
    const mine = reports.slice(before);
    if (mine.length === 0) {
      failed = true;
      console.error(`\n✗ lesson ${l.number} (${l.slug}) never called lesson.end()`);
    }
    for (const r of mine) {
      results.push(r);
      if (!r.ok) failed = true;
    }
    if (parsed.run.length > 1) console.log("");
  }
  if (parsed.json) {
    const out = parsed.run.length === 1 && results.length === 1 ? results[0] : results;
    stdoutLog(JSON.stringify(out, null, 1));
  }
  return failed ? 1 : 0;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
