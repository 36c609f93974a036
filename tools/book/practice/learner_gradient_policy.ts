/**
 * What an exercise file's `import … from "../lib/gradient_policy.ts"` gets in the page (the
 * reference solutions use `checkGradients`).
 *
 * @module
 */
export * from "../../../lib/gradient_policy.ts";
