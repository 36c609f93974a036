/**
 * The students' lockfiles, derived from the developers' `dev/deno.lock`.
 *
 * Deno installs every npm package of a lockfile as soon as a program imports any npm package
 * (measured on 2.9.6: a script importing one package of a two-package lock fetches both), so
 * with one lockfile the first `deno task lesson 1` fetched TensorFlow.js, puppeteer-core,
 * fast-check and the rest: 377 MB. So the root `deno.json` (what `deno task` reads) locks only
 * vega and vega-lite, the tests and tools run with `dev/deno.json` (everything), and the
 * lessons that compare with TensorFlow.js, the grader and the notebooks each have a
 * configuration whose lockfile holds only what they can load (`deps/*.json`,
 * `notebooks/deno.json`). `tools/lesson_launch.ts` picks a lesson's.
 *
 * Those lockfiles are not resolved anew: they are cut out of `dev/deno.lock` (the packages
 * reachable from the profile's specifiers), so a lesson loads exactly the versions, with the
 * same integrity hashes, that the tests, the notebooks and the book use.
 *
 * `deno task locks` writes them; `deno task locks --check` (run by `tests/locks_test.ts`)
 * fails when one differs from what `dev/deno.lock` gives, i.e. after `dev/deno.lock` changed.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);

/** A lesson profile: its config file, its lockfile and the npm specifiers it may load. */
export interface Profile {
  name: string;
  config: string;
  lock: string;
  /** Specifiers as written in the code or the import map, e.g. `npm:vega@5.33.1`. */
  specifiers: string[];
}

const VEGA = ["npm:vega-lite@5.23.0", "npm:vega@5.33.1"];
const TFJS = "npm:@tensorflow/tfjs@4.22.0";
const FAST_CHECK = "npm:fast-check@4.10.2";
/** The course's markdown parser (`tools/markdown.ts`): the lesson runner renders cells with it. */
const MARKDOWN = "npm:markdown-it@14.1.0";

/**
 * The profiles. The root `deno.json` (what `deno task` reads, and `deno task` installs its
 * configuration's whole lockfile before it runs a task) has `deps/root.lock`, which holds no
 * package and is frozen: `deno task` downloads nothing, and a program run with the root
 * configuration that loads an npm package fails at once instead of fetching unlocked versions.
 */
export const PROFILES: Profile[] = [
  { name: "root", config: "deno.json", lock: "deps/root.lock", specifiers: [] },
  {
    name: "lesson",
    config: "deps/lesson.json",
    lock: "deps/lesson.lock",
    specifiers: [MARKDOWN, ...VEGA],
  },
  {
    name: "lesson-tfjs",
    config: "deps/lesson-tfjs.json",
    lock: "deps/lesson-tfjs.lock",
    specifiers: [TFJS, MARKDOWN, ...VEGA],
  },
  {
    name: "exercise",
    config: "deps/exercise.json",
    lock: "deps/exercise.lock",
    specifiers: [FAST_CHECK],
  },
  {
    name: "notebook",
    config: "notebooks/deno.json",
    lock: "deps/notebook.lock",
    specifiers: [TFJS, FAST_CHECK, ...VEGA],
  },
];

interface PackageEntry {
  integrity: string;
  dependencies?: string[];
  optionalDependencies?: string[];
  [k: string]: unknown;
}

interface Lock {
  version: string;
  specifiers: Record<string, string>;
  npm: Record<string, PackageEntry>;
  workspace?: { dependencies?: string[] };
}

/** `vega-lite@5.23.0_vega@5.33.1` → `vega-lite`; `@types/node@1.0.0` → `@types/node`. */
export function packageName(key: string): string {
  const at = key.indexOf("@", 1);
  return at < 0 ? key : key.slice(0, at);
}

/** The lock key a dependency reference names: `d3-array` (the only d3-array) or `d3-array@3.2.4`. */
function resolveRef(ref: string, keys: string[]): string {
  if (keys.includes(ref)) return ref;
  const versioned = ref.indexOf("@", 1) > 0;
  const hits = keys.filter((k) => versioned ? k.startsWith(ref + "_") : packageName(k) === ref);
  if (hits.length !== 1) {
    throw new Error(`locks: "${ref}" names ${hits.length} packages of deno.lock`);
  }
  return hits[0];
}

/** The lockfile of `profile`, cut out of `root` (deno.lock) with `imports` as its workspace deps. */
export function deriveLock(root: Lock, profile: Profile, imports: string[]): Lock {
  const keys = Object.keys(root.npm);
  const wanted = new Set<string>();
  const queue: string[] = [];
  const specifiers: Record<string, string> = {};
  for (const spec of profile.specifiers) {
    const version = root.specifiers[spec];
    if (version === undefined) throw new Error(`locks: deno.lock has no specifier ${spec}`);
    specifiers[spec] = version;
    queue.push(`${packageName(spec.slice("npm:".length))}@${version}`);
  }
  while (queue.length > 0) {
    const key = queue.pop()!;
    if (wanted.has(key)) continue;
    if (!root.npm[key]) throw new Error(`locks: deno.lock has no package ${key}`);
    wanted.add(key);
    const e = root.npm[key];
    for (const ref of [...(e.dependencies ?? []), ...(e.optionalDependencies ?? [])]) {
      queue.push(resolveRef(ref, keys));
    }
  }
  // Deno names a dependency by its bare name when the lockfile holds one version of it, and by
  // name@version otherwise; fewer packages can make a name unique again.
  const chosen = [...wanted].sort();
  const count = new Map<string, number>();
  for (const k of chosen) count.set(packageName(k), (count.get(packageName(k)) ?? 0) + 1);
  const rename = (ref: string) => {
    const key = resolveRef(ref, keys);
    return count.get(packageName(key)) === 1 ? packageName(key) : key;
  };
  const npm: Record<string, PackageEntry> = {};
  for (const k of chosen) {
    const e = { ...root.npm[k] };
    if (e.dependencies) e.dependencies = e.dependencies.map(rename);
    if (e.optionalDependencies) e.optionalDependencies = e.optionalDependencies.map(rename);
    npm[k] = e;
  }
  const sortedSpecifiers = Object.fromEntries(
    Object.entries(specifiers).sort(([a], [b]) => a < b ? -1 : 1),
  );
  if (chosen.length === 0) return { version: root.version } as Lock;
  const lock: Lock = { version: root.version, specifiers: sortedSpecifiers, npm };
  if (imports.length > 0) lock.workspace = { dependencies: [...imports].sort() };
  return lock;
}

function readJson<T>(path: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(path, ROOT))) as T;
}

/** Each profile's lockfile text as `deno.lock` gives it. */
export function expectedLocks(): { profile: Profile; text: string }[] {
  const root = readJson<Lock>("dev/deno.lock");
  return PROFILES.map((profile) => {
    const config = readJson<{ imports?: Record<string, string> }>(profile.config);
    const imports = Object.values(config.imports ?? {}).filter((s) => s.startsWith("npm:"));
    const lock = deriveLock(root, profile, imports);
    return { profile, text: JSON.stringify(lock, null, 2) + "\n" };
  });
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  let stale = 0;
  for (const { profile, text } of expectedLocks()) {
    const url = new URL(profile.lock, ROOT);
    let current = "";
    try {
      current = Deno.readTextFileSync(url);
    } catch { /* missing */ }
    if (current === text) continue;
    if (check) {
      stale++;
      console.error(`${profile.lock} is not what dev/deno.lock gives: run \`deno task locks\``);
    } else {
      Deno.writeTextFileSync(url, text);
      console.error(`wrote ${profile.lock} (${Object.keys(JSON.parse(text).npm).length} packages)`);
    }
  }
  Deno.exitCode = stale > 0 ? 1 : 0;
}
