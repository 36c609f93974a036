/**
 * The one piece of `Deno` the grader's specs use, for a browser: they read their references
 * from `data/…` with `Deno.readTextFileSync` when they load (lib/data.ts, lib/published.ts).
 * In the page those files come from `data.js`, which the build writes from the files the specs
 * were seen to read ({@link collectSpecData} in `build.ts`). Nothing else of `Deno` exists here:
 * a read of a file that was not bundled throws, naming it.
 *
 * @module
 */

/** `data/<path>` → its text, as the build bundled it. */
export type DataFiles = Record<string, string>;

/** The path under `data/` of a URL or path, or undefined. */
export function dataPath(url: string | URL): string | undefined {
  const s = String(url);
  const at = s.lastIndexOf("/data/");
  return at < 0 ? undefined : decodeURIComponent(s.slice(at + "/data/".length));
}

/** Installs `globalThis.Deno` with `readTextFileSync` serving `files` (a no-op under Deno). */
export function installDenoShim(files: DataFiles): void {
  const g = globalThis as { Deno?: unknown };
  if (g.Deno) return;
  g.Deno = {
    readTextFileSync(url: string | URL): string {
      const path = dataPath(url);
      if (path !== undefined && path in files) return files[path];
      throw new Error(
        `${String(url)} is not bundled into the page (only data/ files the grader reads)`,
      );
    },
    build: { os: "browser" },
  };
}
