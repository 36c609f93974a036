import { equal, ok, throws } from "node:assert/strict";
import {
  gamma,
  halfUnit,
  loadPublished,
  parsePrinted,
  ulpDistance,
  ulpOf,
} from "../lib/numerics/published.ts";

Deno.test("every published file is consistent: values are what the printed text says", () => {
  for (const e of Deno.readDirSync(new URL("../data/published/", import.meta.url))) {
    const file = loadPublished(e.name);
    ok(file.source.title.length > 0, e.name);
    equal(`${file.slug}.json`, e.name);
    for (const v of file.values) {
      // A tolerance is never below the printing resolution of the number.
      ok(v.tolerance >= halfUnit(v.printed) || /^\(|^\d+$/.test(v.printed), `${e.name}: ${v.name}`);
    }
  }
});

Deno.test("halfUnit and parsePrinted", () => {
  equal(halfUnit("-0.4605641030588796"), 5e-17);
  equal(halfUnit("1.5e-03"), 5e-5);
  equal(parsePrinted("(5, 10, 4)").length, 3);
});

Deno.test("ULP distances and gamma", () => {
  equal(ulpDistance(-1, -1 - 2 ** -52), -1);
  equal(ulpDistance(-Number.MIN_VALUE, Number.MIN_VALUE), 2);
  equal(ulpOf(-0.46), 2 ** -54);
  ok(gamma(10) > 10 * 2 ** -53);
  throws(() => gamma(-1), /out of range/);
  throws(() => ulpDistance(NaN, 1), /must both be finite/);
});

Deno.test("a malformed published file is named in the error", () => {
  const dir = Deno.makeTempDirSync({ dir: new URL("../out/", import.meta.url).pathname });
  const bad = `${dir}/99_bad.json`;
  Deno.writeTextFileSync(
    bad,
    JSON.stringify({
      lesson: 99,
      slug: "99_bad",
      title: "t",
      source: { document: "x", title: "y" },
      values: [{ name: "v", printed: "0.5", value: 0.25, tolerance: 0.05, why: "w" }],
    }),
  );
  throws(
    () => loadPublished(new URL(`file://${bad}`)),
    /entry "v": value 0.25 is not what "0.5" says/,
  );
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("halfUnit of a numpy array print: the element with the most decimals sets it", () => {
  // numpy drops trailing zeros per element: [0.5 -1.25] was printed to 2 decimals.
  equal(halfUnit("[0.5   -1.25 ]"), 0.005);
  equal(halfUnit("[ 1.  0.125]"), 0.0005);
  // a lone number: its own last digit
  equal(halfUnit("0.5"), 0.05);
});

Deno.test("ulpOf reaches the subnormals: 2^-1074 at the bottom", () => {
  equal(ulpOf(Number.MIN_VALUE), Number.MIN_VALUE);
  equal(ulpOf(2 ** -1030), Number.MIN_VALUE);
  equal(ulpOf(2 ** -1022), 2 ** -1074);
  equal(ulpDistance(2 ** -1074, 2 ** -1073), 1);
});
