/**
 * What the learner's `import … from "../lib/mod.ts"` gets in the page: the library, bundled
 * into the same chunks as the grader, so the learner's NDArray is the grader's NDArray.
 *
 * @module
 */
export * from "../../../lib/mod.ts";
