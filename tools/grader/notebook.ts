/**
 * The grading cell of the exercise notebooks: `await gradeHere(1, { rnn_cell_forward },
 * "rnn_cell_forward")` prints the same checks as `deno task exercise 1` for that function.
 * The functions live in the kernel, so they are graded in the kernel's own thread: a function
 * that never returns cannot be stopped here (use Kernel → Interrupt); the terminal command can.
 *
 * @module
 */

import { formatResult, freshSeed, gradeInProcess, type Impl } from "./mod.ts";
import { EXERCISES } from "./exercises.ts";

/**
 * The random cases' seed: a fresh one each run (printed with each case, as on the command
 * line), or `GBH_GRADER_SEED` when it is set — the notebook tests set it, so that the two runs
 * they compare (Run All and cell by cell) grade the same random cases.
 */
export function notebookSeed(): number {
  try {
    const s = Deno.env.get("GBH_GRADER_SEED");
    if (s !== undefined && /^\d+$/.test(s)) return Number(s);
  } catch { /* no permission to read the environment: a fresh seed */ }
  return freshSeed();
}

/** Grades `impl` on exercise `n`'s checks (only those of `only`, if given) and prints them. */
export function gradeHere(n: number, impl: Impl, only?: string): boolean {
  const spec = EXERCISES.find((e) => e.number === n);
  if (!spec) throw new RangeError(`gradeHere: no exercise ${n}`);
  const r = gradeInProcess(spec, impl, only, undefined, notebookSeed());
  console.log(formatResult(r));
  return r.tests.every((t) => t.ok);
}
