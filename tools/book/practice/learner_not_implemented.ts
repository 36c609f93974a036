/**
 * What the learner's import of `not_implemented.ts` gets in the page (the stubs throw it).
 *
 * @module
 */
export * from "../../grader/not_implemented.ts";
