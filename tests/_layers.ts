/**
 * The rooms of `lib/`: every library module, the kind of module it is, and which kinds each kind
 * may import. `tests/layers_test.ts` holds the library to this table; the folder plan
 * (`lib/<kind>/`) is applied by a one-off restructuring script that reads this same table, so
 * a module's folder and its row here never disagree.
 *
 * - `numerics`: arrays, random streams, floating-point arithmetic, gradient checking, and the
 *   reference data everything is checked against (data files, the sources' printed numbers).
 * - `nn`: the models, on the one contract of `lib/nn/mod.ts`.
 * - `forensics`: lessons 8–9's reconstruction of other machines' float32 arithmetic.
 * - `course`: the course's harness — lesson pages, display, plots, progress, the notebook
 *   kernel's side, recorded framework runs, tasks, optimisers and the training loop, the
 *   exercises' stub error.
 * - `face`: `lib/mod.ts`, the one entry point lessons and notebooks import.
 *
 * @module
 */

/** A module's kind. */
export type Kind = "numerics" | "nn" | "forensics" | "course" | "face";

/** Which kinds a module of each kind may import (besides its own kind). */
export const MAY_IMPORT: Record<Kind, readonly Kind[]> = {
  numerics: [],
  nn: ["numerics"],
  forensics: ["numerics"],
  course: ["numerics", "nn"],
  face: ["numerics", "nn", "forensics", "course"],
};

/** Every `.ts` module under `lib/`, by its path from the repository root, and its kind. */
export const LAYERS: Record<string, Kind> = {
  "lib/mod.ts": "face",

  "lib/ndarray.ts": "numerics",
  "lib/linalg.ts": "numerics",
  "lib/summation.ts": "numerics",
  "lib/fma.ts": "numerics",
  "lib/float32.ts": "numerics",
  "lib/glibc_log.ts": "numerics",
  "lib/random.ts": "numerics",
  "lib/torch_random.ts": "numerics",
  "lib/gradcheck.ts": "numerics",
  "lib/gradient_policy.ts": "numerics",
  "lib/published.ts": "numerics",
  "lib/data.ts": "numerics",

  "lib/nn/mod.ts": "nn",
  "lib/nn/params.ts": "nn",
  "lib/nn/activations.ts": "nn",
  "lib/nn/losses.ts": "nn",
  "lib/nn/rnn_cell.ts": "nn",
  "lib/nn/rnn_cell_class.ts": "nn",
  "lib/nn/vanilla_rnn.ts": "nn",
  "lib/nn/rtrl.ts": "nn",
  "lib/nn/simple_rnn.ts": "nn",
  "lib/nn/lstm.ts": "nn",
  "lib/nn/torch_rnn.ts": "nn",
  "lib/nn/gru.ts": "nn",

  "lib/dot_orders.ts": "forensics",
  "lib/vendor_math32.ts": "forensics",
  "lib/tf_rnn32.ts": "forensics",
  "lib/post_stages32.ts": "forensics",

  "lib/lesson.ts": "course",
  "lib/display.ts": "course",
  "lib/plot.ts": "course",
  "lib/progress.ts": "course",
  "lib/jupyter.ts": "course",
  "lib/framework.ts": "course",
  "lib/torch_runs.ts": "course",
  "lib/train.ts": "course",
  "lib/tasks.ts": "course",
  "lib/zmtp.ts": "course",
  "lib/not_implemented.ts": "course",
  "lib/optimisers.ts": "course",
};

/**
 * The relative specifiers a module's code imports (static `import`/`export … from`, and
 * `import("…")` of a literal), not those of the examples in its doc comments, which are not
 * part of its import graph (each JSDoc line starts with ` *`, so a line-start match skips them).
 */
export function codeImports(source: string): string[] {
  const out: string[] = [];
  const statement = /^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gms;
  const bare = /^import\s*["']([^"']+)["']/gm;
  const dynamic = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const re of [statement, bare, dynamic]) {
    for (const m of source.matchAll(re)) {
      const line = source.slice(source.lastIndexOf("\n", m.index) + 1, m.index + 1);
      if (/^\s*(\*|\/\/)/.test(line)) continue;
      if (m[1].startsWith(".")) out.push(m[1]);
    }
  }
  return out;
}
