/**
 * Random cases for the probes: sizes and seeds drawn by fast-check from a run's seed, so a run
 * is reproducible (`--seed`), each case names its own seed, and no two runs need grade the same
 * inputs. Host-independent.
 *
 * ```ts
 * import { drawCases } from "./cases.ts";
 * import { deepEqual, ok } from "node:assert/strict";
 * const a = drawCases(7, 3, { n: [1, 4] });
 * deepEqual(a, drawCases(7, 3, { n: [1, 4] }));
 * ok(a.every((c) => c.n >= 1 && c.n <= 4 && Number.isInteger(c.seed)));
 * ```
 *
 * @module
 */

import fc from "fast-check";

/**
 * `count` cases, each `{seed, ...sizes}` with every size drawn uniformly from its inclusive
 * range, the same for the same `seed`.
 */
export function drawCases<K extends string>(
  seed: number,
  count: number,
  ranges: Record<K, [number, number]>,
): ({ seed: number } & Record<K, number>)[] {
  const fields = Object.fromEntries(
    Object.entries(ranges).map(([k, r]) => {
      const [min, max] = r as [number, number];
      return [k, fc.integer({ min, max })];
    }),
  );
  return fc.sample(
    fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), ...fields }),
    { seed, numRuns: count },
  ) as ({ seed: number } & Record<K, number>)[];
}
