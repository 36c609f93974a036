import { equal, throws } from "node:assert/strict";
import { arithmeticLabel, dotIn, matmulIn, nextDouble } from "../lib/forensics/dot_orders.ts";
import { fma } from "../lib/numerics/fma.ts";
import { NDArray } from "../lib/numerics/ndarray.ts";

// Terms chosen so that each order rounds differently; the expected sums are worked out by
// hand from the definition of each order (exact intermediate values are small integers
// times powers of two).
const BIG = 2 ** 53;
const x = [BIG, 1, 1, -BIG, 1];
const one = [1, 1, 1, 1, 1];

Deno.test("dotIn: each order adds in its own sequence", () => {
  // sequential: 2^53 + 1 is a tie and rounds to 2^53 (even), twice; − 2^53 → 0; + 1 → 1
  equal(dotIn(x, one, { order: "sequential" }), 1);
  // reverse: 1 − 2^53, + 1, + 1 are exact (−2^53 + 3), then + 2^53 → 3
  equal(dotIn(x, one, { order: "reverse" }), 3);
  // pairwise: [2^53 + 1 → 2^53, 1 − 2^53, 1] → [1, 1] → 2
  equal(dotIn(x, one, { order: "pairwise" }), 2);
  // 2 lanes: lane 0 = 2^53 + 1 + 1 → 2^53 (two ties), lane 1 = 1 − 2^53 (exact); sum 1
  equal(dotIn(x, one, { order: "lanes2" }), 1);
  // 4 lanes: [2^53 + 1 → 2^53, 1, 1, −2^53], tree: 2^53 + (1 − 2^53) = 1
  equal(dotIn(x, one, { order: "lanes4" }), 1);
  equal(dotIn(x, one, { order: "exact" }), 3);
});

Deno.test("dotIn: fused steps are fma, separate steps round twice", () => {
  const a = 1 + 2 ** -30;
  const p = [a, -1];
  const q = [a, 1];
  equal(dotIn(p, q, { order: "sequential" }), a * a - 1);
  equal(dotIn(p, q, { order: "sequential", fused: true }), fma(-1, 1, fma(a, a, 0)));
  equal(dotIn(p, q, { order: "reverse", fused: true }), fma(a, a, -1));
  equal(dotIn(p, q, { order: "reverse", fused: true }), 2 ** -29 + 2 ** -60);
  equal(arithmeticLabel({ order: "lanes4", fused: true }), "4 lanes, fused");
  equal(arithmeticLabel({ order: "pairwise", fused: true }), "pairwise");
});

Deno.test("matmulIn: every entry a dotIn; bad shapes and orders are named", () => {
  const A = NDArray.from([[1, 2], [3, 4]]);
  const B = NDArray.from([[5], [6]]);
  equal(matmulIn(A, B, { order: "sequential" }).toNested().toString(), "17,39");
  throws(() => matmulIn(A, A.T.reshape(1, 4), { order: "sequential" }), /not \(m, k\)/);
  // deno-lint-ignore no-explicit-any
  throws(() => dotIn([1], [1], { order: "sideways" as any }), /unknown order "sideways"/);
  throws(() => dotIn([1], [1, 2], { order: "exact" }), /lengths 1 and 2/);
  equal(nextDouble(1, 1), 1 + 2 ** -52);
  equal(nextDouble(1, -1), 1 - 2 ** -53);
  equal(nextDouble(-0, -1), -Number.MIN_VALUE);
});
