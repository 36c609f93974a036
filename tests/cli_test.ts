import { deepEqual, equal, throws } from "node:assert/strict";
import { flagHelp, parseCommandLine, UsageError } from "../tools/cli.ts";

const FLAGS = {
  fast: { type: "boolean", help: "targeted tests only" },
  only: { type: "string", short: "o", help: "these ids" },
} as const;

Deno.test("parseCommandLine: switches, values (--only x, --only=x, -o x), bare arguments up to the limit", () => {
  deepEqual(parseCommandLine(["--fast", "--only", "a,b"], FLAGS).values, {
    fast: true,
    only: "a,b",
  });
  equal(parseCommandLine(["--only=c"], FLAGS).values.only, "c");
  equal(parseCommandLine(["-o", "d"], FLAGS).values.only, "d");
  deepEqual(parseCommandLine(["x", "--fast"], FLAGS, { positionals: 1 }).positionals, ["x"]);
  deepEqual(parseCommandLine([], FLAGS).values, {});
});

Deno.test("parseCommandLine: every mistake is a UsageError that names it; --help and -h are an empty one", () => {
  const mistakes: [string[], RegExp][] = [
    [["--fats"], /^unknown flag "--fats"; valid flags: --fast, --only, --help$/],
    [["--only"], /^flag --only needs a value \(these ids\)$/],
    [["--fast=yes"], /^flag --fast takes no value$/],
    [["extra"], /^unexpected argument "extra"$/],
  ];
  for (const [args, message] of mistakes) {
    throws(
      () => parseCommandLine(args, FLAGS),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  }
  throws(
    () => parseCommandLine(["a", "b"], FLAGS, { positionals: 1 }),
    /too many arguments: "b" \(at most 1\)/,
  );
  for (const h of ["--help", "-h"]) {
    throws(() => parseCommandLine([h], FLAGS), (e) => e instanceof UsageError && e.message === "");
  }
});

Deno.test("flagHelp: one aligned line per flag, --help last", () => {
  equal(
    flagHelp(FLAGS),
    [
      "  --fast              targeted tests only",
      "  --only <value>, -o  these ids",
      "  --help, -h          show this help",
    ].join("\n"),
  );
});
