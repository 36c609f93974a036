/**
 * A NaN, an infinity, an empty array or mismatched shapes can make no check pass: not an
 * `NDArray` reduction, not `maxAbsDiff`/`relError`/`gradCheck`, not a lesson's `check` or
 * `published`, not the tests' own `assertAllBelow`.
 */
import { AssertionError } from "node:assert";
import { equal, ok, throws } from "node:assert/strict";
import { gradCheck, Lesson, maxAbsDiff, NDArray, relError } from "../lib/mod.ts";
import { assertAllBelow, assertBelow } from "./_assert.ts";

const BAD = [NaN, Infinity, -Infinity];

Deno.test("max and min: NaN anywhere gives NaN, as numpy; negatives; empty is an error", () => {
  for (const data of [[NaN, 1, 2], [1, NaN, 2], [1, 2, NaN], [NaN, NaN]]) {
    equal(NDArray.from(data).max(), NaN, `max ${data}`);
    equal(NDArray.from(data).min(), NaN, `min ${data}`);
  }
  equal(NDArray.from([-3, -1, -2]).max(), -1);
  equal(NDArray.from([3, 1, 2]).min(), 1);
  equal(NDArray.from([-Infinity, -Infinity]).max(), -Infinity);
  const m = NDArray.from([[1, NaN, 3], [-4, -5, -6]]);
  equal(m.max(1).get(0), NaN);
  equal(m.max(1).get(1), -4);
  equal(m.min(0).get(1), NaN);
  equal(m.min(0).get(2), -6);
  throws(() => NDArray.zeros([0]).max(), /max: zero-size array \(0,\) has no maximum/);
  throws(() => NDArray.zeros([0]).min(), /min: zero-size array \(0,\) has no minimum/);
  throws(() => NDArray.zeros([0, 3]).max(0), /max: zero-size array \(0,3\)/);
  equal(NDArray.zeros([0, 3]).max(1).size, 0, "reducing a non-empty axis of an empty array");
});

Deno.test("maxAbsDiff: NaN or ∞ anywhere is NaN/∞; empty and mismatched shapes are errors", () => {
  const a = NDArray.from([1, 2, 3]);
  for (const i of [0, 1, 2]) {
    const b = a.copy();
    b.data[i] = NaN;
    equal(maxAbsDiff(a, b), NaN, `NaN at ${i}`);
    equal(maxAbsDiff(b, a), NaN, `NaN at ${i}, other side`);
  }
  equal(maxAbsDiff(a, NDArray.from([1, Infinity, 3])), Infinity);
  equal(maxAbsDiff(NDArray.from([-1, -2]), NDArray.from([-1.5, -2])), 0.5);
  throws(() => maxAbsDiff(NDArray.zeros([0, 3]), NDArray.zeros([0, 3])), /zero-size/);
  throws(() => maxAbsDiff(NDArray.zeros([2, 3]), NDArray.zeros([3, 2])), /\(2,3\) and \(3,2\)/);
  throws(() => maxAbsDiff(NDArray.zeros([6]), NDArray.zeros([2, 3])), /differ/);
});

Deno.test("relError: non-finite on either side is NaN; the floor only guards 0/0", () => {
  for (const x of BAD) {
    equal(relError(x, 1), NaN, `${x} vs 1`);
    equal(relError(1, x), NaN, `1 vs ${x}`);
    equal(relError(x, x), NaN, `${x} vs itself`);
  }
  const r = relError(NDArray.from([1, Infinity, 2]), NDArray.from([1, Infinity, 2]));
  equal(r.data[1], NaN);
  equal(r.max(), NaN);
  // Tiny but nonzero gradients are still compared relatively: the floor is far below them.
  equal(relError(1e-20, 3e-20), 0.5);
  equal(relError(-1e-200, 1e-200), 1);
  equal(relError(0, 0), 0);
});

Deno.test("gradCheck: the first NaN/∞ entry is reported with its index; nothing to check is an error", () => {
  const x = NDArray.from([1, 2, 0.8]);
  const loss = () => x.square().sum();
  for (const bad of BAD) {
    for (const at of [0, 1, 2]) {
      const g = x.mul(2);
      g.data[at] = bad;
      const [r] = gradCheck(loss, { x }, { x: g });
      equal(r.maxRelError, NaN, `${bad} at ${at}`);
      ok(!(r.maxRelError < 1e-3));
      equal(r.worst.index, at);
      equal(r.worst.analytic, bad);
      equal(r.nonFinite, `x[${at}]: analytic ${bad}, numeric ${r.numeric.data[at]}`);
    }
  }
  // two bad entries: the first is named
  const [two] = gradCheck(loss, { x }, { x: NDArray.from([2, NaN, Infinity]) });
  equal(two.worst.index, 1);
  // a loss that is NaN makes the numeric gradient NaN: that fails too
  const [nanLoss] = gradCheck(() => NaN, { x }, { x: x.mul(2) });
  equal(nanLoss.maxRelError, NaN);
  equal(nanLoss.worst.index, 0);
  const [fine] = gradCheck(loss, { x }, { x: x.mul(2) });
  equal(fine.nonFinite, "");
  ok(fine.maxRelError < 1e-9);
  throws(() => gradCheck(loss, {}, {}), /no parameters to check/);
  const empty = NDArray.zeros([0, 3]);
  throws(() => gradCheck(() => 0, { empty }, { empty }), /"empty" has shape \(0,3\): nothing/);
  for (const h of [0, -1e-5, NaN, Infinity]) {
    throws(() => gradCheck(loss, { x }, { x: x.mul(2) }, h), /step h = .* positive finite/);
  }
});

Deno.test("lesson.check: NaN/∞ in ours or theirs is ✗; empty, shapes, bad tolerances throw", () => {
  const lesson = new Lesson(1, { quiet: true });
  const opts = { tolerance: 1, against: "test" };
  for (const bad of BAD) {
    ok(!lesson.check("ours bad", [1, bad], [1, 2], opts), `ours ${bad}`);
    ok(!lesson.check("theirs bad", [1, 2], [1, bad], opts), `theirs ${bad}`);
    ok(!lesson.check("both bad", [bad], [bad], opts), `both ${bad}`);
    ok(!lesson.check("rel", [bad, 1], [bad, 1], { ...opts, relative: true }), `rel ${bad}`);
    ok(!lesson.check("scalar", bad, 0, { tolerance: 1e300, against: "t" }), `scalar ${bad}`);
  }
  for (const c of lesson.report().checks) equal(c.ok, false, c.name);
  equal(lesson.report().ok, false);
  throws(() => lesson.check("empty", [], [], { tolerance: 0, against: "t" }), /no values/);
  throws(
    () => lesson.check("empty", NDArray.zeros([0, 3]), NDArray.zeros([0, 3]), opts),
    /no values/,
  );
  throws(
    () => lesson.check("shapes", NDArray.zeros([2, 3]), NDArray.zeros([3, 2]), opts),
    /shapes/,
  );
  throws(() => lesson.check("lengths", [1, 2], [1], opts), /2 values against 1/);
  for (const tolerance of [-1e-9, NaN, Infinity]) {
    throws(
      () => lesson.check("tol", 1, 1, { tolerance, against: "t" }),
      /tolerance is .*: it must be a finite number >= 0/,
    );
  }
});

Deno.test("lesson.check: absolute and relative tolerances mean what they say", () => {
  const lesson = new Lesson(1, { quiet: true });
  const t = (ours: number[], ref: number[], tolerance: number, relative?: boolean) =>
    lesson.check("t", ours, ref, { tolerance, against: "t", relative });
  // the worst entry decides, wherever it is
  ok(!t([1, 2, 3], [1, 2, 3.5], 0.4));
  ok(!t([1.5, 2, 3], [1, 2, 3], 0.4));
  ok(t([1, 2, 3], [1.25, 2, 3], 0.25), "a difference equal to the tolerance passes");
  // relative: |a − b| / (|a| + |b|)
  ok(t([1000], [1001], 1e-3, true));
  ok(!t([1000], [1001], 1e-3));
  ok(!t([1e-3], [2e-3], 0.1, true));
  ok(t([1e-3], [2e-3], 0.1));
  ok(t([-1e-20], [-1.01e-20], 0.01, true), "tiny values are compared relatively");
  ok(t([0], [0], 0, true), "0 against 0 is 0");
  const rel = lesson.report().checks.at(-1)!;
  equal(rel.relative, true);
  equal(rel.diff, 0);
  equal(lesson.report().checks[0].diff, 0.5);
  // the denominator is |ours| + |reference| (CS231n's), not |reference|: 2 / (1 + 3)
  ok(t([1], [3], 0.5, true));
  equal(lesson.report().checks.at(-1)!.diff, 0.5);
  ok(t([3], [1], 0.5, true));
});

Deno.test("lesson.published: NaN/∞ are ✗, a bad roundoff throws, roundoff adds to the tolerance", () => {
  const lesson = new Lesson(1, { quiet: true });
  const name = 'gradients["dxt"][1][2]';
  const v = lesson.publishedValue(name).value as number;
  for (const bad of BAD) {
    ok(!lesson.published(name, bad), `ours ${bad}`);
    ok(!lesson.published(name, [bad]), `ours [${bad}]`);
  }
  for (const roundoff of [Infinity, NaN, -1e-15]) {
    throws(
      () => lesson.published(name, v, { roundoff }),
      /roundoff is .*: it must be a finite number >= 0/,
    );
  }
  throws(() => lesson.published(name, []), /printed 1 number\(s\), we computed 0/);
  // tolerance + roundoff, not either alone (dba[4] was printed with 8 decimals: ± 5e-9)
  const dba = 'gradients["dba"][4]';
  const tol = lesson.publishedValue(dba).tolerance;
  const w = (lesson.publishedValue(dba).value as number[])[0];
  equal(tol, 5e-9);
  ok(lesson.published(dba, w + tol * 1.5, { roundoff: tol }));
  ok(!lesson.published(dba, w + tol * 2.5, { roundoff: tol }));
  ok(!lesson.published(dba, w + tol * 1.5));
  ok(lesson.published(dba, w - tol * 0.9));
  ok(!lesson.published(dba, w - tol * 1.1));
  const last = lesson.report().checks.at(-1)!;
  equal(last.tolerance, tol);
  const withRoundoff = lesson.report().checks.find((c) => c.against.includes("roundoff bound"))!;
  equal(withRoundoff.tolerance, tol + tol);
  ok(withRoundoff.ok);
});

Deno.test("assertAllBelow itself: NaN, ∞, null, empty and values at the tolerance fail", () => {
  const fails = (f: () => void) => throws(f, AssertionError);
  for (const bad of [...BAD, null, undefined, "0"]) {
    fails(() => assertAllBelow([0, bad as number], 1, "x"));
    fails(() => assertBelow(bad, 1, "x"));
    fails(() => assertAllBelow({ a: 0, b: bad as number }, 1, "x"));
  }
  fails(() => assertAllBelow(NDArray.from([0, NaN]), 1, "x"));
  fails(() => assertAllBelow([], 1, "x"));
  fails(() => assertAllBelow(NDArray.zeros([0]), 1, "x"));
  fails(() => assertAllBelow({}, 1, "x"));
  fails(() => assertAllBelow([1], 1, "x"));
  fails(() => assertAllBelow([0], NaN, "x"));
  throws(() => assertAllBelow([0, 2], 1, "dW"), /dW\[1\] = 2 is not below 1/);
  throws(() => assertAllBelow([0, NaN], 1, "dW"), /dW\[1\] is NaN, not a finite number/);
  assertAllBelow(NDArray.from([[0, 0.5], [-3, 0.99]]), 1, "x");
  assertBelow(0, 1, "x");
});
