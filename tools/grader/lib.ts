/**
 * The part of the course's library the grader's specs use: only modules that touch no host
 * API (no files, no `Deno.*`), so the specs bundle for the browser. Data files are imported as
 * JSON modules by the specs themselves, never read from disk.
 *
 * @module
 */

export * from "../../lib/numerics/ndarray.ts";
export * from "../../lib/numerics/random.ts";
export * from "../../lib/numerics/linalg.ts";
export * from "../../lib/nn/mod.ts";
export * from "../../lib/numerics/gradcheck.ts";
export { gamma } from "../../lib/numerics/published.ts";
export type { PublishedFile } from "../../lib/numerics/published.ts";
