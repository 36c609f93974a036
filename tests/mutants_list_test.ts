// The curated mutant list (tools/mutants.json) matches the tree it mutates: CI runs the mutants
// last, so without this a lib/ edit that moves a mutant's code is found only there.
import { throws } from "node:assert/strict";
import { loadMutants, validate } from "../tools/mutants.ts";

Deno.test("tools/mutants.json: every search string occurs exactly once in its file, every targeted test exists", () => {
  validate(loadMutants());
});

Deno.test("mutant list validation rejects a search string that no longer occurs", () => {
  const [first] = loadMutants();
  throws(
    () => validate([{ ...first, search: first.search + "\u0000 not in the file" }]),
    /occurs 0 times/,
  );
});
