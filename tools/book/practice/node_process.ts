/**
 * `node:process` in the page's bundle: `lib/course/plot.ts` imports it (to quiet a deprecation
 * warning when vega loads under Deno); the page never plots, so an empty object stands in for it.
 * Mapped by the import map `build.ts` gives `deno bundle`.
 *
 * @module
 */
const process: { noDeprecation?: boolean; env: Record<string, string> } = { env: {} };
export default process;
