/**
 * What `deno task lesson` runs: it picks the npm packages a lesson may load, says what a first
 * run will download, and runs the lesson runner (`tools/lesson.ts`) with them.
 *
 * Deno fetches every package of a lockfile as soon as a program loads any npm package, so the
 * lessons do not run with the developers' `dev/deno.lock` (TensorFlow.js, the browser test's
 * puppeteer-core, fast-check, the book's packages: 377 MB on an empty cache). They run with
 * `deps/lesson.json` (its lockfile holds markdown-it, which reads the lessons' text, and vega
 * and vega-lite, for the charts) or, when a lesson
 * compares with TensorFlow.js (it imports `lib/course/framework.ts`), `deps/lesson-tfjs.json`; each
 * lockfile is cut out of `dev/deno.lock` by `tools/locks.ts`, so the versions are the ones the
 * tests use.
 *
 * The runner is started with `--quiet`: Deno's own "Download …" lines and its warning about
 * core-js's build script (core-js comes with `@tensorflow/tfjs`; its script only prints a
 * funding banner, and the CPU backend does not use it) are not the lesson's text. What a
 * first run downloads is said here instead, before it starts.
 *
 * This process loads no npm package; the lesson runs with the permissions of before
 * (`--allow-read=. --allow-write=out --allow-env`: no network, no subprocesses).
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);

/**
 * The packages a first run may have to fetch, with what they take in Deno's cache (measured by
 * `deno task footprint`, which fails when these figures are more than 15 % off).
 */
export const PACKAGES = {
  markdown: {
    dir: "markdown-it/14.1.0",
    what: "markdown-it, which reads the lessons' text",
    mb: 1.5,
  },
  vega: { dir: "vega/5.33.1", what: "vega and vega-lite, which draw the charts", mb: 43 },
  tfjs: { dir: "@tensorflow/tfjs/4.22.0", what: "TensorFlow.js", mb: 285 },
};

/** The packages a lesson loads: all of them are fetched on its first run. */
export function firstRun(tfjs: boolean): { dir: string; what: string; mb: number }[] {
  return [PACKAGES.vega, ...(tfjs ? [PACKAGES.tfjs] : []), PACKAGES.markdown];
}

/** The lesson numbers `args` selects (`all`: every lesson); none for a listing or a bad line. */
export function selectedLessons(args: string[], available: number[]): number[] {
  const picks = args.filter((a) => !a.startsWith("-"));
  if (picks.includes("all")) return available;
  return picks.map(Number).filter((n) => available.includes(n));
}

/** The lessons on disk: number → source text. */
export function lessonSources(): Map<number, string> {
  const out = new Map<number, string>();
  for (const e of Deno.readDirSync(new URL("lessons/", ROOT))) {
    const m = e.name.match(/^(\d\d)_[a-z0-9_]+\.ts$/);
    if (m) out.set(Number(m[1]), Deno.readTextFileSync(new URL(`lessons/${e.name}`, ROOT)));
  }
  return out;
}

/**
 * Does a lesson load TensorFlow.js? It does exactly when it imports `lib/course/framework.ts`,
 * statically (`from "../lib/course/framework.ts"`) or with a literal
 * `import("../lib/course/framework.ts")`.
 */
export function usesTfjs(source: string): boolean {
  return /(from\s+|import\(\s*)["'][./]*lib\/course\/framework\.ts["']/.test(source);
}

/** Deno's npm cache folder (`deno info --json`), or undefined when it cannot be told. */
async function npmCache(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { npmCache?: string };
    return info.npmCache;
  } catch {
    return undefined;
  }
}

/** Is package folder `dir` (e.g. `vega/5.33.1`) in the npm cache, under any registry? */
function cached(cache: string | undefined, dir: string): boolean {
  if (cache === undefined) return false;
  try {
    for (const registry of Deno.readDirSync(cache)) {
      try {
        if (Deno.statSync(`${cache}/${registry.name}/${dir}`).isDirectory) return true;
      } catch { /* not under this registry */ }
    }
  } catch { /* no cache yet */ }
  return false;
}

async function main(args: string[]): Promise<number> {
  const sources = lessonSources();
  const chosen = selectedLessons(args, [...sources.keys()].sort((a, b) => a - b));
  const tfjs = chosen.filter((n) => usesTfjs(sources.get(n)!));
  const config = `--config=deps/${tfjs.length > 0 ? "lesson-tfjs" : "lesson"}.json`;
  if (chosen.length > 0) {
    const cache = await npmCache();
    const missing = firstRun(tfjs.length > 0).filter((p) => !cached(cache, p.dir));
    if (missing.length > 0) {
      const why = tfjs.length > 0
        ? `Lesson${tfjs.length > 1 ? "s" : ""} ${tfjs.join(", ")} compare${
          tfjs.length > 1 ? "" : "s"
        } gradients with TensorFlow.js. `
        : "";
      const named = missing.map((p) => `${p.what} (about ${p.mb} MB)`);
      const list = named.length > 1
        ? `${named.slice(0, -1).join(", ")}, and ${named.at(-1)},`
        : named[0];
      console.error(
        `${why}First run: Deno downloads ${list} from the npm registry into its cache, once.\n`,
      );
    }
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      config,
      "--frozen",
      "--allow-read=.",
      "--allow-write=out",
      "--allow-env",
      "tools/lesson.ts",
      ...args,
    ],
    cwd: ROOT,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  });
  const status = await child.spawn().status;
  return status.signal ? 1 : status.code;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
