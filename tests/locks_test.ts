/**
 * The students' lockfiles (`deps/*.lock`, cut out of `dev/deno.lock` by `tools/locks.ts`) are
 * current, the cutting is right on a small lock, and the lesson launcher gives TensorFlow.js
 * exactly to the lessons whose import graph holds it.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { deriveLock, expectedLocks, packageName } from "../tools/locks.ts";
import { firstRun, selectedLessons, usesTfjs } from "../tools/lesson_launch.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("deps/*.lock are what dev/deno.lock gives (else: deno task locks)", () => {
  for (const { profile, text } of expectedLocks()) {
    equal(
      Deno.readTextFileSync(new URL(profile.lock, ROOT)),
      text,
      `${profile.lock} is stale: run \`deno task locks\``,
    );
  }
});

Deno.test("deriveLock keeps what the specifiers reach and renames refs that became unique", () => {
  const root = {
    version: "5",
    specifiers: { "npm:a@1.0.0": "1.0.0", "npm:z@1.0.0": "1.0.0" },
    npm: {
      "a@1.0.0": { integrity: "ia", dependencies: ["b@2.0.0", "c"] },
      "b@1.0.0": { integrity: "ib1" },
      "b@2.0.0": { integrity: "ib2" },
      "c@1.0.0_b@1.0.0": { integrity: "ic", dependencies: ["b@1.0.0"] },
      "z@1.0.0": { integrity: "iz", dependencies: ["b@1.0.0"] },
    },
  };
  const lock = deriveLock(root, { name: "t", config: "", lock: "", specifiers: ["npm:a@1.0.0"] }, [
    "npm:a@1.0.0",
  ]);
  deepEqual(Object.keys(lock.npm), ["a@1.0.0", "b@1.0.0", "b@2.0.0", "c@1.0.0_b@1.0.0"]);
  deepEqual(lock.npm["a@1.0.0"].dependencies, ["b@2.0.0", "c"]);
  deepEqual(lock.specifiers, { "npm:a@1.0.0": "1.0.0" });
  const onlyZ = deriveLock(
    root,
    { name: "t", config: "", lock: "", specifiers: ["npm:z@1.0.0"] },
    [],
  );
  // b has one version left, so Deno names it bare.
  deepEqual(onlyZ.npm["z@1.0.0"].dependencies, ["b"]);
  equal(onlyZ.workspace, undefined);
  equal(packageName("@types/node@1.0.0"), "@types/node");
});

Deno.test("the launcher's TensorFlow.js lessons are those whose import graph holds it", async () => {
  const lessons = [...Deno.readDirSync(new URL("lessons/", ROOT))]
    .filter((e) => /^\d\d_.*\.ts$/.test(e.name)).map((e) => e.name).sort();
  ok(lessons.length >= 9);
  for (const name of lessons) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--config=dev/deno.json", "--json", `lessons/${name}`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: { specifier: string }[];
    };
    const graphHasTf = info.modules.some((m) => m.specifier.includes("@tensorflow/tfjs"));
    equal(
      usesTfjs(Deno.readTextFileSync(new URL(`lessons/${name}`, ROOT))),
      graphHasTf,
      `${name}: the launcher and the import graph disagree about TensorFlow.js`,
    );
  }
  deepEqual(selectedLessons(["all"], [1, 2, 3]), [1, 2, 3]);
  deepEqual(selectedLessons(["3", "--json"], [1, 2, 3]), [3]);
  deepEqual(selectedLessons(["--help"], [1, 2, 3]), []);
});

Deno.test("the launcher announces exactly the packages the lesson lockfiles load", () => {
  for (
    const [lock, tf] of [["deps/lesson.lock", false], ["deps/lesson-tfjs.lock", true]] as const
  ) {
    const locked = Object.keys(
      (JSON.parse(Deno.readTextFileSync(new URL(lock, ROOT))) as {
        specifiers: Record<string, string>;
      }).specifiers,
    ).map((s) => s.slice("npm:".length).replace(/@([^@]+)$/, "/$1"));
    const announced = firstRun(tf);
    for (const pkg of locked) {
      const name = pkg.slice(0, pkg.lastIndexOf("/"));
      ok(
        announced.some((p) => p.dir === pkg || p.what.includes(name)),
        `${lock} loads ${pkg}, which the launcher does not announce`,
      );
    }
    for (const p of announced) ok(locked.includes(p.dir), `${p.dir} is announced, not in ${lock}`);
  }
});
