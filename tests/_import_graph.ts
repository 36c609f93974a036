import { equal } from "node:assert/strict";

/**
 * Every module in `entry`'s import graph, from `deno info --json`: what Deno resolves (and,
 * for npm packages, installs) before it runs `entry`. Static and literal dynamic `import()`s
 * are edges; a type-only `typeof import("vega")` and an `import()` of a variable are not.
 */
export async function importGraph(entry: string | URL): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--config=dev/deno.json", "--json", new URL(entry, import.meta.url).href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    redirects: Record<string, string>;
    modules: { specifier: string; dependencies?: { code?: { specifier: string } }[] }[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...info.roots];
  while (todo.length > 0) {
    const s = todo.pop()!;
    const spec = info.redirects[s] ?? s;
    if (seen.has(spec)) continue;
    seen.add(spec);
    for (const d of bySpecifier.get(spec)?.dependencies ?? []) {
      if (d.code) todo.push(d.code.specifier);
    }
  }
  return [...seen];
}
