/**
 * Mutation testing with a curated list: `deno task mutants [--fast] [--only id,id…]`.
 *
 * Each mutant in tools/mutants.json is one realistic slip (a search string in one lib/ file
 * and its replacement). The runner copies the project (the files git knows, as they are in
 * the working tree) into a scratch directory, checks that the unmutated copy passes the
 * targeted tests, then for each mutant in turn writes the mutated file into the copy, runs
 * the mutant's targeted tests and, for a survivor, the whole suite (`--fast`: targeted
 * tests only), and puts the original file back. The working tree is never written to.
 *
 * A mutant is killed when the tests fail (or time out). Mutants marked `equivalent` change
 * no observable behaviour; they are listed, not run, and not counted. The score is killed /
 * non-equivalent; below 90 % the exit code is 1. Results also go to out/mutants/last.json.
 *
 * @module
 */

export interface Mutant {
  id: string;
  file: string;
  search: string;
  replace: string;
  why: string;
  tests: string[];
  equivalent?: string;
  /** For a known survivor: why the suite cannot kill it yet. */
  survives?: string;
}

type Status = "killed" | "killed (suite)" | "SURVIVED" | "equivalent";

interface Result {
  id: string;
  file: string;
  status: Status;
  seconds: number;
  note: string;
}

import { flagHelp, parseOrExit } from "./cli.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const THRESHOLD = 0.9;
const PERMS = [
  "--allow-read=.",
  "--allow-write=out",
  "--allow-env",
  "--allow-run",
  "--allow-net=127.0.0.1",
];
const SUITE = ["--doc", "lib/", "tests/"];

/** The curated list, tools/mutants.json. */
export function loadMutants(): Mutant[] {
  return (JSON.parse(Deno.readTextFileSync(`${ROOT}tools/mutants.json`)) as {
    mutants: Mutant[];
  }).mutants;
}

/**
 * Validates the list against the tree: ids unique, every field present, every search string
 * occurring exactly once in its file, every targeted test file existing. Throws naming the
 * first mutant that fails (tests/mutants_list_test.ts runs it, so a lib/ edit that moves a
 * mutant's code fails `deno task test`, not only CI's mutant run).
 */
export function validate(list: Mutant[]): void {
  const ids = new Set<string>();
  for (const m of list) {
    if (ids.has(m.id)) throw new Error(`mutants.json: duplicate id "${m.id}"`);
    ids.add(m.id);
    for (const key of ["file", "search", "replace", "why", "tests"] as const) {
      if (m[key] === undefined) throw new Error(`mutants.json: "${m.id}" has no "${key}"`);
    }
    if (m.search === m.replace) throw new Error(`mutants.json: "${m.id}" changes nothing`);
    const text = Deno.readTextFileSync(`${ROOT}${m.file}`);
    const count = text.split(m.search).length - 1;
    if (count !== 1) {
      throw new Error(
        `mutants.json: "${m.id}": the search string occurs ${count} times in ${m.file} (needs 1)`,
      );
    }
    for (const t of m.tests) Deno.statSync(`${ROOT}${t}`);
  }
}

/** The project's files: what git knows (tracked or not ignored), else a walk of the tree. */
async function projectFiles(): Promise<string[]> {
  try {
    const out = await new Deno.Command("git", {
      args: ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (out.success) {
      return new TextDecoder().decode(out.stdout).split("\0").filter((f) =>
        f && !f.startsWith("out/")
      );
    }
  } catch {
    // no git on this machine: walk the tree instead
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(`${ROOT}${dir}`)) {
      const rel = `${dir}${e.name}`;
      if ([".git", "out", "node_modules"].includes(rel)) continue;
      if (e.isDirectory) walk(`${rel}/`);
      else if (e.isFile) files.push(rel);
    }
  };
  walk("");
  return files;
}

async function copyProject(dest: string): Promise<void> {
  for (const f of await projectFiles()) {
    let data: Uint8Array;
    try {
      data = Deno.readFileSync(`${ROOT}${f}`);
    } catch {
      continue; // deleted in the working tree
    }
    const dir = `${dest}/${f}`.replace(/\/[^/]*$/, "");
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeFileSync(`${dest}/${f}`, data);
  }
  Deno.mkdirSync(`${dest}/out`, { recursive: true });
}

/**
 * Runs `deno test` in the copy: `""` when every test passed, else what failed (the first
 * failing test's name, or "timed out").
 */
async function failure(cwd: string, files: string[], timeoutS: number): Promise<string> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["test", "--config=dev/deno.json", ...PERMS, "--no-check", "--fail-fast", ...files],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(timeoutS * 1000),
  });
  try {
    const out = await cmd.output();
    if (out.success) return "";
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    const failed = text.match(/^(.*?) \.\.\. FAILED/m)?.[1];
    return failed ? `"${failed.trim()}"` : text.trim().split("\n").at(-1) ?? "failed";
  } catch {
    return "timed out"; // the mutant made the tests hang, which also kills it
  }
}

async function main(): Promise<void> {
  const flags = {
    fast: { type: "boolean", help: "targeted tests only (no whole-suite run for survivors)" },
    only: { type: "string", help: "run only these mutants: id,id…" },
  } as const;
  const usage = `usage: deno task mutants [--fast] [--only id,id…]\n${flagHelp(flags)}`;
  const { values } = parseOrExit(Deno.args, flags, usage);
  const fast = values.fast ?? false;
  const only = values.only !== undefined ? new Set(values.only.split(",")) : undefined;
  const mutants = loadMutants();
  validate(mutants);
  const selected = mutants.filter((m) => !only || only.has(m.id));
  const scratch = Deno.makeTempDirSync({ prefix: "gbh-mutants-" });
  const results: Result[] = [];
  const started = performance.now();
  try {
    await copyProject(scratch);
    const targeted = [...new Set(selected.filter((m) => !m.equivalent).flatMap((m) => m.tests))];
    const baseline = await failure(scratch, targeted, 600);
    if (baseline) {
      throw new Error(`mutants: the unmutated copy fails its targeted tests: ${baseline}`);
    }
    for (const m of selected) {
      const t0 = performance.now();
      if (m.equivalent) {
        results.push({
          id: m.id,
          file: m.file,
          status: "equivalent",
          seconds: 0,
          note: m.equivalent,
        });
        continue;
      }
      const path = `${scratch}/${m.file}`;
      const original = Deno.readTextFileSync(path);
      Deno.writeTextFileSync(path, original.replace(m.search, () => m.replace));
      let status: Status;
      let by = "";
      try {
        by = await failure(scratch, m.tests, 300);
        if (by) status = "killed";
        else if (!fast && (by = await failure(scratch, SUITE, 900))) status = "killed (suite)";
        else status = "SURVIVED";
      } finally {
        Deno.writeTextFileSync(path, original);
      }
      const seconds = (performance.now() - t0) / 1000;
      const note = status === "SURVIVED" ? m.survives ?? m.why : `by ${by}`;
      results.push({ id: m.id, file: m.file, status, seconds, note });
      console.log(`${status.padEnd(15)} ${m.id} (${seconds.toFixed(1)} s) ${note}`);
    }
  } finally {
    Deno.removeSync(scratch, { recursive: true });
  }

  const counted = results.filter((r) => r.status !== "equivalent");
  const killed = counted.filter((r) => r.status.startsWith("killed")).length;
  const score = counted.length ? killed / counted.length : 1;
  const total = (performance.now() - started) / 1000;

  const idW = Math.max(...results.map((r) => r.id.length), 6);
  const fileW = Math.max(...results.map((r) => r.file.length), 4);
  console.log(`\n${"mutant".padEnd(idW)}  ${"file".padEnd(fileW)}  ${"status".padEnd(15)}  s`);
  for (const r of results) {
    console.log(
      `${r.id.padEnd(idW)}  ${r.file.padEnd(fileW)}  ${r.status.padEnd(15)}  ${
        r.status === "equivalent" ? "-" : r.seconds.toFixed(1)
      }`,
    );
  }
  const survivors = results.filter((r) => r.status === "SURVIVED");
  for (const r of survivors) console.log(`survivor ${r.id}: ${r.note}`);
  const summary = `${killed}/${counted.length} non-equivalent mutants killed (${
    (100 * score).toFixed(1)
  } %), ${results.length - counted.length} equivalent, ${
    fast ? "targeted tests only" : "targeted tests, then the whole suite for survivors"
  }; ${total.toFixed(0)} s`;
  console.log(`\n${summary}`);
  Deno.mkdirSync(`${ROOT}out/mutants`, { recursive: true });
  Deno.writeTextFileSync(
    `${ROOT}out/mutants/last.json`,
    JSON.stringify({ fast, score, killed, counted: counted.length, results, summary }, null, 1) +
      "\n",
  );
  if (score < THRESHOLD) {
    console.log(`✗ below the ${100 * THRESHOLD} % threshold`);
    Deno.exit(1);
  }
}

if (import.meta.main) await main();
