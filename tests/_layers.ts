/**
 * The rooms of `lib/`: every library module, the kind of module it is, and which kinds each kind
 * may import. `tests/layers_test.ts` holds the library to this table: every module lives in
 * `lib/<kind>/` (the face alone at the top), so a module's folder and its row here never
 * disagree.
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

  "lib/numerics/ndarray.ts": "numerics",
  "lib/numerics/linalg.ts": "numerics",
  "lib/numerics/summation.ts": "numerics",
  "lib/numerics/fma.ts": "numerics",
  "lib/numerics/float32.ts": "numerics",
  "lib/numerics/glibc_log.ts": "numerics",
  "lib/numerics/random.ts": "numerics",
  "lib/numerics/torch_random.ts": "numerics",
  "lib/numerics/gradcheck.ts": "numerics",
  "lib/numerics/gradient_policy.ts": "numerics",
  "lib/numerics/published.ts": "numerics",
  "lib/numerics/data.ts": "numerics",

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

  "lib/forensics/dot_orders.ts": "forensics",
  "lib/forensics/vendor_math32.ts": "forensics",
  "lib/forensics/tf_rnn32.ts": "forensics",
  "lib/forensics/post_stages32.ts": "forensics",

  "lib/course/lesson.ts": "course",
  "lib/course/display.ts": "course",
  "lib/course/plot.ts": "course",
  "lib/course/progress.ts": "course",
  "lib/course/jupyter.ts": "course",
  "lib/course/framework.ts": "course",
  "lib/course/torch_runs.ts": "course",
  "lib/course/train.ts": "course",
  "lib/course/tasks.ts": "course",
  "lib/course/zmtp.ts": "course",
  "lib/course/not_implemented.ts": "course",
  "lib/course/optimisers.ts": "course",
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
