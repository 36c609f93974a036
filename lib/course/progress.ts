/**
 * A progress bar for slow loops, written to stderr so it never mixes with a lesson's
 * results (or with `--json` output). On a terminal it redraws one line; in a Jupyter
 * notebook it is a display updated in place (`update_display_data`: the kernel forwards
 * nothing written with `Deno.stderr.writeSync` to a notebook); elsewhere (CI, pipes, a file)
 * it prints one line, its final state, when the loop is done — a redirected lesson reads
 * without frames of a bar in it. Outside a terminal it shows no timings, so two runs print
 * the same bytes.
 *
 * ```ts
 * import { progress } from "./progress.ts";
 * const bar = progress(1000, "training", { quiet: true });
 * for (let i = 0; i < 1000; i++) bar.tick();
 * bar.done();
 * ```
 *
 * @module
 */

import { inJupyter } from "./display.ts";

const encoder = new TextEncoder();

/**
 * Where the terminal narration (`tools/narrate.ts`) hangs a function that shows the markdown
 * cells above the calling code cell. A bar writes to stderr without `console`, so it calls
 * this before its first line: otherwise a lesson's bar would appear above the text that
 * introduces it.
 */
export const BEFORE_OUTPUT = Symbol.for("gradients-by-hand.narrate.before-output");

function beforeOutput(): void {
  const hook = (globalThis as Record<symbol, unknown>)[BEFORE_OUTPUT];
  if (typeof hook === "function") hook();
}

/** One line, shown in a notebook as a display that later lines replace in place. */
function jupyterLine(): (text: string) => void {
  const id = `gbh-progress-${crypto.randomUUID()}`;
  let first = true;
  return (text: string) => {
    const esc = text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    // Sent synchronously, so the bar moves while a long loop runs.
    // deno-lint-ignore no-explicit-any
    (Deno as any).jupyter.broadcast(first ? "display_data" : "update_display_data", {
      data: { "text/plain": text, "text/html": `<pre style="margin:0">${esc}</pre>` },
      metadata: {},
      transient: { display_id: id },
    });
    first = false;
  };
}

function write(s: string): void {
  Deno.stderr.writeSync(encoder.encode(s));
}

/** A running progress bar. */
export interface Progress {
  /** Advances by `n` steps; `note` (e.g. the current loss) is shown beside the bar. */
  tick(n?: number, note?: string): void;
  /** Completes the bar. */
  done(note?: string): void;
}

/** Starts a progress bar over `total` steps. */
export function progress(
  total: number,
  label: string,
  options: { quiet?: boolean } = {},
): Progress {
  const quiet = options.quiet ?? false;
  const notebook = !quiet && inJupyter() ? jupyterLine() : null;
  const tty = !quiet && !notebook && Deno.stderr.isTerminal();
  const start = performance.now();
  let count = 0;
  let lastDraw = 0;
  let lastTenth = -1;
  let started = false;
  const bar = (frac: number) => {
    const w = 24;
    const full = Math.round(frac * w);
    return "█".repeat(full) + "░".repeat(w - full);
  };
  const draw = (note = "") => {
    const frac = total ? count / total : 1;
    const pct = `${Math.floor(frac * 100)}`.padStart(3);
    if (!notebook && !started) {
      started = true;
      beforeOutput();
    }
    if (tty) {
      const secs = ((performance.now() - start) / 1000).toFixed(1);
      write(`\r${label} ${bar(frac)} ${pct}% ${count}/${total} ${secs}s ${note}\x1b[K`);
    } else {
      const line = `${label} ${bar(frac)} ${pct}% ${count}/${total}${note ? " " + note : ""}`;
      if (notebook) notebook(line);
      else write(line + "\n");
    }
  };
  return {
    tick(n = 1, note = "") {
      count += n;
      if (quiet) return;
      if (tty) {
        const now = performance.now();
        if (now - lastDraw > 80) {
          lastDraw = now;
          draw(note);
        }
      } else if (notebook) {
        // A notebook's display is updated in place, at every tenth of the way.
        const tenth = Math.floor((count / total) * 10);
        if (tenth > lastTenth && tenth < 10) {
          lastTenth = tenth;
          draw(note);
        }
      }
      // Off a terminal and outside a notebook: nothing until done().
    },
    done(note = "") {
      count = total;
      if (quiet) return;
      draw(note);
      if (tty) write("\n");
    },
  };
}
