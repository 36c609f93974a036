import { equal, ok } from "node:assert/strict";
import { glibcLog, parseHexFloat } from "../lib/numerics/glibc_log.ts";
import { readDataJson } from "../lib/numerics/data.ts";

const ref = readDataJson<{ reference: { x: string[]; log: string[] } }>("glibc/log_data.json");
const xs = ref.reference.x.map(parseHexFloat);
const logs = ref.reference.log.map(parseHexFloat);

Deno.test("glibcLog = this machine's glibc log bit for bit (tools/gen_glibc_log_table.py)", () => {
  const bad = xs.filter((x, i) => !Object.is(glibcLog(x), logs[i]));
  equal(bad.length, 0, `differs at ${bad.slice(0, 5).join(", ")}`);
  ok(xs.length > 2500);
  // …while V8's correctly rounded Math.log differs somewhere in the same sample, so the
  // comparison can tell the two apart.
  ok(xs.some((x, i) => Math.log(x) !== logs[i]), "Math.log never differs: weak sample");
  ok(xs.some((x) => x >= 1 - 2 ** -4 && x < 1 + 0x109 / 4096), "no input near 1");
  ok(xs.some((x) => x < 2 ** -1022), "no subnormal input");
});

Deno.test("glibcLog: special values", () => {
  ok(Object.is(glibcLog(1), 0));
  equal(glibcLog(0), -Infinity);
  equal(glibcLog(-0), -Infinity);
  equal(glibcLog(Infinity), Infinity);
  ok(Number.isNaN(glibcLog(-1)));
  ok(Number.isNaN(glibcLog(-Infinity)));
  ok(Number.isNaN(glibcLog(NaN)));
  equal(glibcLog(2), Math.LN2);
  equal(glibcLog(Number.MIN_VALUE), Math.log(Number.MIN_VALUE));
});

Deno.test("parseHexFloat reads Python's float.hex, subnormals included", () => {
  equal(parseHexFloat("-0x1.8000000000000p+1"), -3);
  equal(parseHexFloat("0x0.0000000000001p-1022"), Number.MIN_VALUE);
  equal(parseHexFloat("0x1.fffffffffffffp+1023"), Number.MAX_VALUE);
  equal(parseHexFloat("0x0.0p+0"), 0);
});
