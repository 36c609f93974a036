/**
 * The lesson runner: `deno task lesson` lists the lessons, `deno task lesson N` runs one as a
 * notebook reads — each markdown cell rendered for the terminal, followed by what the code
 * after it prints — and ends with its table of published values; `deno task lesson all` runs
 * every lesson; `--quiet` prints only the table; `--json` prints the table(s) as JSON on
 * stdout (the lessons' outputs then go to stderr, so stdout stays machine-readable);
 * `--cells` prints, as JSON, each code cell's ordinary output (what the notebook test
 * compares with the notebook's, cell for cell).
 *
 * Exit status: 0 when every check reproduced, 1 when a check failed or a lesson threw,
 * 2 for a bad command line.
 *
 * @module
 */

import { type Report, reports } from "../lib/course/lesson.ts";
import { renderMarkdown } from "./terminal_markdown.ts";
import { consoleText, narrate, type Sink } from "./narrate.ts";
import { spansOf } from "./notebooks.ts";
import { flagHelp, parseCommandLine, runCommand, UsageError } from "./cli.ts";

const LESSONS_DIR = new URL("../lessons/", import.meta.url);
const FLAGS = {
  quiet: { type: "boolean", help: "print only the published-value table(s)" },
  json: { type: "boolean", help: "print the published-value table(s) as JSON on stdout" },
  cells: {
    type: "boolean",
    help: "print each code cell's output as JSON (for the notebook comparison test)",
  },
} as const;
const USAGE = `usage: deno task lesson [N | all] [--quiet | --json | --cells]
  (no argument)  list the lessons
  N              run lesson N, e.g. \`deno task lesson 1\`: its text and its outputs
  all            run every lesson in order
${flagHelp(FLAGS)}`;

type Mode = "narrative" | "quiet" | "json" | "cells";

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

/** Parses the command line into the lessons to run and the output mode. */
export function parseArgs(
  args: string[],
  lessons: LessonFile[],
): { run: LessonFile[]; json: boolean; mode: Mode } {
  const { values, positionals: picks } = parseCommandLine(args, FLAGS, { positionals: Infinity });
  const modes = (["quiet", "json", "cells"] as const).filter((m) => values[m]);
  if (modes.length > 1) {
    throw new UsageError(
      `give one of --quiet, --json, --cells, not ${modes.map((m) => `--${m}`).join(" ")}`,
    );
  }
  if (picks.length > 1) {
    throw new UsageError(`give one lesson number or "all", not ${picks.join(" ")}`);
  }
  const mode: Mode = modes[0] ?? "narrative";
  const json = mode === "json";
  const valid = lessons.map((l) => String(l.number)).join(", ");
  if (picks.length === 0) return { run: [], json, mode };
  if (picks[0] === "all") return { run: lessons, json, mode };
  const n = /^\d+$/.test(picks[0]) ? Number(picks[0]) : NaN;
  const lesson = lessons.find((l) => l.number === n);
  if (!lesson) {
    throw new UsageError(`no lesson "${picks[0]}"; valid lessons: ${valid}, or "all"`);
  }
  return { run: [lesson], json, mode };
}

/** What each mode does with a lesson's markdown and outputs. */
function sinkFor(mode: Mode, cells: { cell: number; stdout: string }[]): Sink {
  const tty = Deno.stdout.isTerminal();
  const width = tty ? Math.min(Deno.consoleSize().columns, 120) : 100;
  const color = tty && !Deno.env.get("NO_COLOR");
  let lastWasMarkdown = false;
  return {
    markdown(lines, _index, write) {
      if (mode !== "narrative") return;
      write("\n" + renderMarkdown(lines.join("\n"), { width, color }));
      lastWasMarkdown = true;
    },
    output(cell, stream, kind, args, print, write) {
      if (mode === "quiet" && kind !== "table") return;
      if (mode === "cells") {
        if (kind === null && stream === "stdout") {
          const last = cells.at(-1);
          const text = consoleText(args) + "\n";
          if (last?.cell === cell) last.stdout += text;
          else cells.push({ cell, stdout: text });
        }
        return;
      }
      if (lastWasMarkdown) write("");
      lastWasMarkdown = false;
      print();
    },
    beforeBar(_cell, write) {
      if (mode !== "narrative") return;
      if (lastWasMarkdown) write("");
      lastWasMarkdown = false;
    },
  };
}

async function main(args: string[]): Promise<number> {
  const lessons = listLessons();
  const parsed = parseArgs(args, lessons);
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
    const cellOutputs: { cell: number; stdout: string }[] = [];
    const spans = spansOf(Deno.readTextFileSync(l.url), `lessons/${l.slug}.ts`);
    const stop = parsed.mode === "json"
      ? () => {}
      : narrate(l.url, spans, sinkFor(parsed.mode, cellOutputs));
    try {
      await import(l.url.href);
    } catch (e) {
      stop();
      failed = true;
      console.error(
        `\n✗ lesson ${l.number} (${l.slug}) stopped with an error:\n${(e as Error).stack ?? e}`,
      );
      continue;
    }
    stop();
    if (parsed.mode === "cells") {
      stdoutLog(JSON.stringify({ lesson: l.number, cells: cellOutputs }, null, 1));
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
    if (parsed.run.length > 1 && parsed.mode !== "cells") console.log("");
  }
  if (parsed.json) {
    const out = parsed.run.length === 1 && results.length === 1 ? results[0] : results;
    stdoutLog(JSON.stringify(out, null, 1));
  }
  return failed ? 1 : 0;
}

if (import.meta.main) {
  Deno.exitCode = await runCommand(USAGE, () => main(Deno.args));
}
