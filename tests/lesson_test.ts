import { equal, ok, throws } from "node:assert/strict";
import { Lesson, NDArray } from "../lib/mod.ts";

Deno.test("a check outside its tolerance fails the report and sets the exit code", async () => {
  const before = Deno.exitCode;
  const lesson = new Lesson(1, { quiet: true });
  ok(
    !lesson.check("too far", NDArray.from([1]), NDArray.from([1.1]), {
      tolerance: 0.05,
      against: "test",
    }),
  );
  ok(lesson.check("close", 1, 1.01, { tolerance: 0.05, against: "test" }));
  const report = await lesson.end();
  equal(report.ok, false);
  equal(Deno.exitCode, 1);
  Deno.exitCode = before;
});

Deno.test("published values use the recorded tolerance plus the roundoff given", () => {
  const lesson = new Lesson(1, { quiet: true });
  const name = 'gradients["dxt"][1][2]';
  const v = lesson.publishedValue(name).value as number;
  ok(!lesson.published(name, v + 1e-15));
  ok(lesson.published(name, v + 1e-15, { roundoff: 2e-15 }));
  ok(lesson.published(name, v));
  throws(() => lesson.published("nope", 1), /the source printed no "nope"; it printed: gradients/);
  throws(() => lesson.published(name, [1, 2]), /printed 1 number\(s\), we computed 2/);
  throws(() => new Lesson(42, { quiet: true }), /no data\/published\/42_\*\.json/);
});

Deno.test("NaN never passes a check", () => {
  const lesson = new Lesson(2, { quiet: true });
  ok(!lesson.check("nan", NaN, 0, { tolerance: 1, against: "test" }));
  throws(
    () =>
      lesson.check("shapes", NDArray.zeros([2]), NDArray.zeros([3]), {
        tolerance: 1,
        against: "t",
      }),
    /shapes/,
  );
});
