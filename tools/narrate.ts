/**
 * Which cell of a lesson printed what: the terminal run interleaves a lesson's markdown cells
 * with the outputs of its code cells, as a notebook shows them, without running the lesson
 * any differently from `deno run`.
 *
 * The lesson runs as one module, as always. While it runs, `console.log` and its siblings are
 * wrapped: each call finds the innermost stack frame in the lesson's file, and so the cell it
 * came from (V8 keeps the frames of awaited calls, so a print after an `await` is found too);
 * before the first output of a code cell, every markdown cell above it that has not been
 * shown yet is shown. The markdown cells after the last output are shown at the end.
 *
 * @module
 */

import { printing } from "../lib/course/display.ts";
import { BEFORE_OUTPUT } from "../lib/course/progress.ts";
import type { Span } from "./notebooks.ts";

/** Where the narration goes. */
export interface Sink {
  /**
   * A markdown cell (its lines, `// ` removed), in order; `write` prints a line to stdout
   * (the console itself is wrapped while the lesson runs).
   */
  markdown(lines: string[], index: number, write: (text: string) => void): void;
  /**
   * An output of code cell `index` (an index into the spans), `kind` as
   * {@link printing} was when it was printed.
   */
  output(
    index: number,
    stream: "stdout" | "stderr",
    kind: typeof printing,
    args: unknown[],
    print: () => void,
    write: (text: string) => void,
  ): void;
  /**
   * A progress bar of code cell `index` is about to write its first line to stderr (after
   * the markdown above the cell has been shown); optional.
   */
  beforeBar?(index: number, write: (text: string) => void): void;
}

/** The formatted text of a console call's arguments, as `console.log` writes it (no colour). */
export function consoleText(args: unknown[]): string {
  return args.map((a) => (typeof a === "string" ? a : Deno.inspect(a, { colors: false })))
    .join(" ");
}

/**
 * Starts attributing console output to the cells of the lesson at `url`; returns a function
 * that shows the remaining markdown cells and restores the console.
 */
export function narrate(url: URL, spans: Span[], sink: Sink): () => void {
  const file = url.href;
  let shown = 0; // spans[0 .. shown) are done
  let lastCell = -1;
  const cellAt = (line: number) => spans.findIndex((s) => line >= s.first && line <= s.last);
  const lineOf = (stack: string) => {
    for (const frame of stack.split("\n").slice(1)) {
      const at = frame.lastIndexOf(file + ":");
      if (at < 0) continue;
      const m = frame.slice(at + file.length + 1).match(/^(\d+):\d+/);
      if (m) return Number(m[1]);
    }
    return -1;
  };
  const saved = {
    log: console.log,
    info: console.info,
    error: console.error,
    warn: console.warn,
  };
  const upTo = (index: number) => {
    for (; shown < index; shown++) {
      if (spans[shown].type === "markdown") sink.markdown(spans[shown].lines, shown, saved.log);
    }
  };
  /** The cell the caller is in; shows the markdown above it on its first output. */
  const enter = () => {
    const line = lineOf(new Error().stack ?? "");
    const found = line < 0 ? -1 : cellAt(line);
    const cell = found >= 0 ? found : lastCell;
    if (cell > lastCell) {
      upTo(cell);
      lastCell = cell;
      shown = Math.max(shown, cell + 1);
    }
    return cell;
  };
  const wrap = (name: keyof typeof saved, stream: "stdout" | "stderr") => {
    console[name] = (...args: unknown[]) => {
      const cell = enter();
      sink.output(cell, stream, printing, args, () => saved[name](...args), saved.log);
    };
  };
  wrap("log", "stdout");
  wrap("info", "stdout");
  wrap("error", "stderr");
  wrap("warn", "stderr");
  // A progress bar (lib/course/progress.ts) writes to stderr directly: before its first line,
  // the markdown above its cell is shown.
  const hooks = globalThis as Record<symbol, unknown>;
  hooks[BEFORE_OUTPUT] = () => sink.beforeBar?.(enter(), saved.log);
  return () => {
    Object.assign(console, saved);
    delete hooks[BEFORE_OUTPUT];
    upTo(spans.length);
  };
}
