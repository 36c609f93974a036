/**
 * Reading the project's data files (`data/…`) from a lesson, a test or a notebook alike:
 * paths are resolved against this module, so they work wherever the caller runs (a Jupyter
 * cell has no `import.meta.url` of its own).
 *
 * ```ts
 * import { readDataJson } from "./data.ts";
 * import { ok } from "node:assert/strict";
 * const ref = readDataJson<{ provenance: { script: string } }>("rnn_cell/numpy_reference.json");
 * ok(ref.provenance.script.startsWith("tools/"));
 * ```
 *
 * @module
 */

/** The `file:` URL of `data/<path>`. */
export function dataUrl(path: string): URL {
  return new URL(`../../data/${path}`, import.meta.url);
}

/**
 * Parses `data/<path>` as JSON. A missing or malformed file is an error that names the file
 * and, when the file records one, the script that makes it.
 */
export function readDataJson<T = unknown>(path: string): T {
  let text: string;
  try {
    text = Deno.readTextFileSync(dataUrl(path));
  } catch (e) {
    throw new Error(`cannot read data/${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`data/${path} is not valid JSON: ${(e as Error).message}`);
  }
}
