/**
 * Prints, as a JSON list, the `data/` files the grader reads: while loading every exercise's
 * spec and grading the reference solutions in this process (which also runs the references,
 * the gradient checks and the mistakes, so a file read only then is seen too). `build.ts` runs
 * it in a fresh process (a process that already loaded the specs would see no reads) and
 * bundles those files into the page's `data.js`.
 *
 * @module
 */

import { dataPath } from "./deno_shim.ts";

const read = Deno.readTextFileSync;
const seen = new Set<string>();
Deno.readTextFileSync = (p: string | URL) => {
  const path = dataPath(p);
  if (path !== undefined) seen.add(path);
  return read(p);
};
const { EXERCISES } = await import("../../grader/exercises.ts");
const { gradeInProcess } = await import("../../grader/core.ts");
for (const spec of EXERCISES) gradeInProcess(spec, spec.reference);
console.log(JSON.stringify([...seen].sort()));
