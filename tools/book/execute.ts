/**
 * Runs one lesson the way Deno's Jupyter kernel runs its notebook and records what each cell
 * showed, for the web book (`tools/book/build.ts` starts one of these per lesson).
 *
 * `deno run --config=deps/lesson.json --frozen --allow-read=. --allow-write=out --allow-env
 * tools/book/execute.ts N OUT.json` (the build passes `deps/lesson-tfjs.json` for a lesson that
 * loads TensorFlow.js, as `deno task lesson` does; the permissions are the lesson runner's).
 *
 * The lesson module is imported once, as `deno task lesson N` imports it; `tools/narrate.ts`
 * attributes every console call to the cell whose line is on the call's stack. Before the
 * import, `Deno.jupyter` is given a stand-in with the two functions the library calls —
 * `display(bundle)` and `broadcast(type, content)` — so the library takes its notebook
 * branch: `show` displays an HTML table, `plot` a Vega-Lite spec with its SVG, the progress
 * bar a display updated in place, `Lesson.end` the published-value table as HTML. Each
 * display is attributed to a cell the same way (it is logged through the wrapped console as a
 * marker object). An update of a display replaces it, so a progress bar is recorded once, in
 * its final state.
 *
 * The stand-in has no kernel behind it, so `flushOutput` (called by `Lesson.end` before it
 * throws on a ✗) finds no connection file and warns once on stderr: that one line is dropped.
 * Nothing else is filtered.
 *
 * Writes `{lesson, slug, cells, reports, error}` as JSON to OUT.json; exits 0 even when the
 * lesson fails (the builder decides), 2 for a bad command line.
 *
 * @module
 */

import { narrate } from "../narrate.ts";
import { spansOf } from "../notebooks.ts";
import { type Report, reports } from "../../lib/course/lesson.ts";

/** One output of a code cell, in the order the cell produced them. */
export type Output =
  | { type: "stream"; name: "stdout" | "stderr"; text: string }
  | { type: "display"; data: Record<string, unknown> }
  | { type: "error"; text: string };

/** A cell of the executed lesson. */
export type ExecutedCell =
  | { type: "markdown"; lines: string[] }
  | { type: "code"; lines: string[]; first: number; outputs: Output[] };

/** What one execution of a lesson produced. */
export interface Execution {
  lesson: number;
  slug: string;
  cells: ExecutedCell[];
  reports: Report[];
  /** The uncaught error that stopped the lesson, if any (also an output of its cell). */
  error: string | null;
}

/** The warning `flushOutput` prints once when it has no kernel connection (see module doc). */
const NO_KERNEL_WARNING = /^flushOutput: the kernel's command line names no --conn file/;

class DisplayMarker {
  constructor(readonly data: Record<string, unknown>, readonly id: string | null) {}
}

/** Runs lesson `file` (a `lessons/NN_slug.ts` URL) and returns what its cells showed. */
export async function execute(file: URL, lesson: number, slug: string): Promise<Execution> {
  Error.stackTraceLimit = 200; // the lesson's frame must be on the stack of a deep call
  const spans = spansOf(Deno.readTextFileSync(file), `lessons/${slug}.ts`);
  const cells: ExecutedCell[] = spans.map((s) =>
    s.type === "markdown"
      ? { type: "markdown", lines: s.lines }
      : { type: "code", lines: s.lines, first: s.first, outputs: [] }
  );
  const byId = new Map<string, { type: "display"; data: Record<string, unknown> }>();
  const outputsOf = (index: number): Output[] => {
    // Output before any cell (there is none today) goes to the first code cell.
    const at = index >= 0 ? index : cells.findIndex((c) => c.type === "code");
    const cell = cells[at];
    if (!cell || cell.type !== "code") throw new Error(`output attributed to cell ${index}`);
    return cell.outputs;
  };
  // deno-lint-ignore no-explicit-any
  const deno = Deno as any;
  deno.jupyter = {
    display(data: Record<string, unknown>) {
      console.log(new DisplayMarker(data, null));
      return Promise.resolve();
    },
    broadcast(
      type: string,
      content: { data?: Record<string, unknown>; transient?: { display_id?: string } },
    ) {
      const id: string | null = content.transient?.display_id ?? null;
      if (type === "display_data" && content.data) {
        console.log(new DisplayMarker(content.data, id));
      } else if (type === "update_display_data" && id && content.data) {
        const shown = byId.get(id);
        if (shown) shown.data = content.data; // an unknown id (a flush marker) shows nothing
      }
      return Promise.resolve();
    },
  };
  const stop = narrate(file, spans, {
    markdown() {},
    output(index, stream, _kind, args) {
      const outputs = outputsOf(index);
      if (args.length === 1 && args[0] instanceof DisplayMarker) {
        const out = { type: "display" as const, data: args[0].data };
        if (args[0].id) byId.set(args[0].id, out);
        outputs.push(out);
        return;
      }
      const text = args.map((a) => (typeof a === "string" ? a : Deno.inspect(a, { colors: false })))
        .join(" ") + "\n";
      if (stream === "stderr" && NO_KERNEL_WARNING.test(text)) return;
      const last = outputs.at(-1);
      if (last?.type === "stream" && last.name === stream) last.text += text;
      else outputs.push({ type: "stream", name: stream, text });
    },
  });
  const before = reports.length;
  let error: string | null = null;
  let errorCell = -1;
  try {
    await import(file.href);
  } catch (e) {
    error = (e as Error).stack ?? String(e);
    // The innermost frame in the lesson's file names the cell that threw.
    for (const frame of error.split("\n")) {
      const at = frame.lastIndexOf(file.href + ":");
      if (at < 0) continue;
      const line = Number(frame.slice(at + file.href.length + 1).split(":")[0]);
      errorCell = spans.findIndex((s) => line >= s.first && line <= s.last);
      if (errorCell >= 0) break;
    }
  } finally {
    stop(); // the stand-in stays: this process ends after one lesson
  }
  if (error !== null) {
    const last = cells.findLastIndex((c) => c.type === "code" && c.outputs.length > 0);
    outputsOf(errorCell >= 0 ? errorCell : last).push({ type: "error", text: error });
  }
  return { lesson, slug, cells, reports: reports.slice(before), error };
}

if (import.meta.main) {
  const [n, out] = Deno.args;
  const name = [...Deno.readDirSync(new URL("../../lessons/", import.meta.url))]
    .map((e) => e.name).find((f) =>
      /^\d\d_[a-z0-9_]+\.ts$/.test(f) && Number(f.slice(0, 2)) === Number(n)
    );
  if (!name || !out) {
    console.error("usage: execute.ts N OUT.json (N a lesson in lessons/)");
    Deno.exit(2);
  }
  const file = new URL(`../../lessons/${name}`, import.meta.url);
  const result = await execute(file, Number(n), name.replace(/\.ts$/, ""));
  Deno.writeTextFileSync(out, JSON.stringify(result));
  Deno.exitCode = 0;
}
