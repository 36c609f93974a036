/**
 * A graded exercise as text: one line per check, ✓/✗, wrapped within 100 columns, the random
 * cases' seed, then a summary line. Host-independent.
 *
 * @module
 */

import { wrapLine } from "../../lib/course/display.ts";
import type { ExerciseResult } from "./judge.ts";

/** One line per test, ✓/✗ (wrapped within 100 columns), then a summary line. */
export function formatResult(r: ExerciseResult): string {
  const lines = [`Exercise ${r.exercise} · ${r.title}`];
  let fn = "";
  for (const t of r.tests) {
    if (t.function !== fn) {
      fn = t.function;
      lines.push(`  ${fn}`);
    }
    // Within 100 columns (terminal and notebook alike), continuation lines indented further.
    lines.push(wrapLine(`${t.ok ? "✓" : "✗"} ${t.name}: ${t.message}`, 100, " ".repeat(6), "    "));
    // A code frame verbatim (never re-wrapped, so its caret stays in its column).
    if (t.detail) lines.push(...t.detail.split("\n").map((l) => `      ${l}`));
  }
  if (r.seed !== undefined) {
    lines.push(
      `random cases drawn from seed ${r.seed} (\`deno task exercise ${r.exercise} --seed ` +
        `${r.seed}\` repeats them)`,
    );
  }
  // The summary last (the notebooks' runner reads it there).
  const passed = r.tests.filter((t) => t.ok).length;
  lines.push(
    passed === r.tests.length
      ? `all ${r.tests.length} checks passed`
      : `${passed} of ${r.tests.length} checks passed`,
  );
  return lines.join("\n");
}
