import { equal } from "node:assert/strict";
import { dotCompensated, dotLanes, dotSequential } from "../lib/numerics/summation.ts";

Deno.test("dotCompensated keeps every product's rounding error (Dot2, not just compensated sums)", () => {
  // (1 + 2⁻²⁷)(1 − 2⁻²⁷) = 1 − 2⁻⁵⁴ exactly, which rounds to 1 (a tie, to even): the dot
  // product below is exactly −2⁻⁵⁴, and only TwoProduct's error term carries it.
  const x = [-1, 1 + 2 ** -27], y = [1, 1 - 2 ** -27];
  equal(dotSequential(x, y), 0);
  equal(dotCompensated(x, y), -(2 ** -54));
  // the error of the first product too
  equal(dotCompensated([1 + 2 ** -27, -1], [1 - 2 ** -27, 1]), -(2 ** -54));
  equal(dotCompensated([], []), 0);
});

Deno.test("dotLanes deals terms round-robin to the lanes, then adds the lanes pairwise", () => {
  // lanes of 4: lane 0 gets 1e16 and −1e16 (exactly 0), lanes 1–3 get 1 + 1 = 2 each, so
  // the result is exactly (0 + 2) + (2 + 2) = 6. One term at a time, each +1 is lost next to
  // ±1e16 (the spacing there is 2, and the ties go to the even 1e16).
  const x = [1e16, 1, 1, 1, -1e16, 1, 1, 1], ones = x.map(() => 1);
  equal(dotLanes(x, ones, 4), 6);
  equal(dotSequential(x, ones), 3);
  equal(dotLanes([1, 2, 3], [1, 1, 1], 4), 6);
});
