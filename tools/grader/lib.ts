/**
 * The part of the course's library the grader's specs use: only modules that touch no host
 * API (no files, no `Deno.*`), so the specs bundle for the browser. Data files are imported as
 * JSON modules by the specs themselves, never read from disk.
 *
 * @module
 */

export * from "../../lib/ndarray.ts";
export * from "../../lib/random.ts";
export * from "../../lib/linalg.ts";
export * from "../../lib/nn/mod.ts";
export * from "../../lib/gradcheck.ts";
export { gamma } from "../../lib/published.ts";
export type { PublishedFile } from "../../lib/published.ts";
