import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { formatArray, Lesson, NDArray } from "../lib/mod.ts";
import { checkGradients, plantedBugs } from "../lib/numerics/gradient_policy.ts";

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

Deno.test("one-sided checks: pass inside the bound, fail outside or on NaN, show the margin", () => {
  const lesson = new Lesson(1, { quiet: true });
  ok(lesson.atMost("small enough", 0.25, 1, { against: "test" }));
  ok(!lesson.atMost("too big", 1.5, 1, { against: "test" }));
  ok(lesson.atLeast("big enough", 3, 2, { against: "test" }));
  ok(!lesson.atLeast("too small", 1, 2, { against: "test" }));
  ok(!lesson.atMost("NaN is not small", NaN, 1, { against: "test" }));
  ok(!lesson.atLeast("NaN is not big", NaN, 1, { against: "test" }));
  ok(!lesson.atLeast("∞ is not a measurement", Infinity, 1, { against: "test" }));
  ok(lesson.atMost("on the bound", 1, 1, { against: "test" }));
  throws(() => lesson.atMost("bad threshold", 1, NaN, { against: "test" }), /not finite/);
  throws(() => lesson.atLeast("bad threshold", 1, -Infinity, { against: "test" }), /not finite/);
  const rows = lesson.report().checks;
  equal(rows[0].bound, "≤");
  equal(rows[0].diff, 0.75);
  equal(rows[1].diff, -0.5);
  equal(rows[2].bound, "≥");
  equal(rows[2].diff, 1);
  equal(rows.at(-1)!.diff, 0);
});

Deno.test("the terminal table fits 100 columns and names every check in full", async () => {
  const lesson = new Lesson(1, { quiet: true });
  const long = "a check whose name is far longer than any column could hold, ".repeat(3);
  lesson.atMost(long, 0.5, 1, { against: "a basis described at length, ".repeat(6) });
  lesson.check("two-sided", 1, 1.01, { tolerance: 0.05, against: "test" });
  const { renderTable } = await import("../lib/course/lesson.ts");
  const { text } = renderTable(lesson.report());
  for (const line of text.split("\n")) ok([...line].length <= 100, `too wide: ${line}`);
  ok(text.replace(/\n\s+/g, " ").includes(long.trim()));
  ok(text.includes("ours 0.5 ≤ 1 (margin 5.0e-1)"));
  ok(text.includes("|Δ| 1.0e-2 ≤ 5.0e-2"));
});

Deno.test("the terminal report: one line per check, values joined onto it when they fit", async () => {
  const lesson = new Lesson(9, { quiet: true });
  const values = lesson.publishedValue("dl_dU").value as number[];
  ok(lesson.published("dl_dU", values));
  ok(lesson.published("dl_db", lesson.publishedValue("dl_db").value as number[]));
  const wrapped = formatArray(NDArray.from(values));
  ok(wrapped.includes("\n"), `expected numpy-style printing to wrap: ${wrapped}`);
  const { renderTable } = await import("../lib/course/lesson.ts");
  const { text, html } = renderTable(lesson.report());
  const lines = text.split("\n");
  for (const line of lines) ok([...line].length <= 100, `too wide: ${line}`);
  // Both share one basis, stated once, above them.
  equal(lines.filter((l) => l.startsWith("basis: ")).length, 1);
  // dl_dU's values do not fit one line: the line says how close, and how many values.
  const dU = lines.find((l) => l.startsWith("  ✓ dl_dU: "));
  ok(dU && /\|Δ\| 0\.0e\+0 ≤ \S+ \(8 values\)$/.test(dU), dU);
  // dl_db's do: they are shown, numpy's printing joined onto one line.
  const published = lesson.publishedValue("dl_db").printed;
  const dB = lines.find((l) => l.startsWith("  ✓ dl_db: "));
  ok(dB?.includes(`vs ${published.replace(/\s*\n\s*/g, " ")}: |Δ|`), dB);
  // The HTML table shows the value as numpy printed it.
  ok(html.includes(wrapped));
});

Deno.test("the terminal and HTML reports state a shared basis once, in the order of its first check", async () => {
  const lesson = new Lesson(1, { quiet: true });
  for (const name of ["a", "b", "c"]) lesson.check(name, 1, 1, { tolerance: 0, against: "same" });
  lesson.check("d", 1, 1, { tolerance: 0, against: "other" });
  lesson.check("e", 1, 1, { tolerance: 0, against: "same" });
  const { renderTable } = await import("../lib/course/lesson.ts");
  const { text, html } = renderTable(lesson.report());
  const lines = text.split("\n").filter((l) => l.startsWith("basis: ") || l.startsWith("  ✓"));
  deepEqual(lines.map((l) => l.split(":")[0]), [
    "basis",
    "  ✓ a",
    "  ✓ b",
    "  ✓ c",
    "  ✓ e",
    "basis",
    "  ✓ d",
  ]);
  equal((html.match(/basis: same/g) ?? []).length, 1);
});

Deno.test("gradientCheck: a correct gradient passes, a 1e-3 scale error and NaN fail", () => {
  const x = NDArray.from([0.5, -1, 2]);
  const loss = () => x.data.reduce((s, v) => s + Math.sin(v) * v, 0);
  const right = NDArray.from([...x.data].map((v) => Math.sin(v) + v * Math.cos(v)));
  const lesson = new Lesson(1, { quiet: true });
  const good = checkGradients(loss, { x }, { x: right });
  ok(lesson.gradientCheck("correct", good));
  const scaled = checkGradients(loss, { x }, plantedBugs.scaled({ x: right }, 1e-3));
  ok(!lesson.gradientCheck("scaled 1e-3", scaled));
  ok(lesson.gradientCheck("scaled 1e-3 flagged", scaled, { planted: "scale 1 + 1e-3" }));
  ok(!lesson.gradientCheck("correct, claimed planted", good, { planted: "none" }));
  const nan = checkGradients(loss, { x }, { x: NDArray.from([NaN, 0, 0]) });
  ok(!lesson.gradientCheck("NaN", nan));
  const rows = lesson.report().checks;
  equal(rows.length, 5);
  ok(
    rows[0].against.includes(
      `flags a relative error ≥ ${good.smallestDetectable.toExponential(1)}`,
    ),
  );
  ok(rows[0].diff > 0 && rows[0].bound === "≤");
  ok(Number.isNaN(rows[4].reproduced as number));
  equal(lesson.report().ok, false);
});

Deno.test("flagsPlantedBugs: a real bug gives a ✓ row, a 'bug' that is the correct gradient a ✗", () => {
  const x = NDArray.from([0.5, -1, 2]);
  const loss = () => x.data.reduce((s, v) => s + Math.sin(v) * v, 0);
  const right = NDArray.from([...x.data].map((v) => Math.sin(v) + v * Math.cos(v)));
  const lesson = new Lesson(1, { quiet: true });
  ok(lesson.flagsPlantedBugs(loss, { x }, [["scaled by 1 + 1e-3", { x: right.mul(1 + 1e-3) }]]));
  // The correct gradient listed first: not flagged, so its row fails; the bug after it is
  // still checked and recorded.
  ok(
    !lesson.flagsPlantedBugs(loss, { x }, [
      ["none (the correct gradient)", { x: right }],
      ["x[1] negated", { x: NDArray.from([right.data[0], -right.data[1], right.data[2]]) }],
    ]),
  );
  const rows = lesson.report().checks;
  deepEqual(rows.map((r) => [r.name, r.ok, r.bound]), [
    ["the gradient check flags a planted bug: scaled by 1 + 1e-3", true, "≥"],
    ["the gradient check flags a planted bug: none (the correct gradient)", false, "≥"],
    ["the gradient check flags a planted bug: x[1] negated", true, "≥"],
  ]);
  ok(rows[1].against.startsWith("planted bug (none (the correct gradient)) must be flagged"));
  ok((rows[0].reproduced as number) > 1 && (rows[1].reproduced as number) <= 1);
  equal(lesson.report().ok, false);
});

Deno.test("flagsPlantedBugs prints one line per bug, unless the lesson is quiet", () => {
  const x = NDArray.from([0.5, -1, 2]);
  const loss = () => x.data.reduce((s, v) => s + Math.sin(v) * v, 0);
  const right = NDArray.from([...x.data].map((v) => Math.sin(v) + v * Math.cos(v)));
  const planted: [string, Record<string, NDArray>][] = [
    ["scaled by 1 + 1e-3", { x: right.mul(1 + 1e-3) }],
    ["none", { x: right }],
  ];
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    new Lesson(1, { quiet: true }).flagsPlantedBugs(loss, { x }, planted);
    equal(printed.length, 0);
    const loud = new Lesson(1);
    printed.length = 0; // the constructor's source line
    loud.flagsPlantedBugs(loss, { x }, planted);
  } finally {
    console.log = log;
  }
  deepEqual(printed, ["planted scaled by 1 + 1e-3: flagged", "planted none: NOT flagged"]);
});
