// lib/'s rooms (tests/_layers.ts): every library module has a kind, lives in the folder of
// that kind (lib/mod.ts, the face, alone at the top), and its code imports only what its kind
// may import, so the dependencies between the rooms run one way.
import { deepEqual, equal, ok } from "node:assert/strict";
import { codeImports, LAYERS, MAY_IMPORT } from "./_layers.ts";

const ROOT = new URL("../", import.meta.url);

function libModules(dir = "lib"): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(new URL(dir + "/", ROOT))) {
    if (e.isDirectory) out.push(...libModules(`${dir}/${e.name}`));
    else if (e.name.endsWith(".ts")) out.push(`${dir}/${e.name}`);
  }
  return out.sort();
}

/** `lib/a/b.ts` + `../c.ts` → `lib/c.ts`. */
function resolve(from: string, spec: string): string {
  return new URL(spec, new URL(from, ROOT)).href.slice(ROOT.href.length);
}

Deno.test("every module under lib/ has a kind in tests/_layers.ts, and every row names a module", () => {
  deepEqual(libModules(), Object.keys(LAYERS).sort());
});

Deno.test("every module lives in the folder of its kind: lib/<kind>/…, and only lib/mod.ts (the face) at the top", () => {
  for (const [path, kind] of Object.entries(LAYERS)) {
    if (kind === "face") equal(path, "lib/mod.ts");
    else equal(path.split("/")[1], kind, `${path} is listed as ${kind} but lives elsewhere`);
  }
});

Deno.test("lib/ imports run one way: forensics and nn → numerics; course → nn, numerics", () => {
  const wrong: string[] = [];
  for (const [path, kind] of Object.entries(LAYERS)) {
    const source = Deno.readTextFileSync(new URL(path, ROOT));
    for (const spec of codeImports(source)) {
      const target = resolve(path, spec);
      const targetKind = LAYERS[target];
      if (target.startsWith("data/") && target.endsWith(".json")) continue; // a data file
      if (targetKind === undefined) {
        wrong.push(`${path} (${kind}) imports ${target}, which is not a library module`);
      } else if (targetKind !== kind && !MAY_IMPORT[kind].includes(targetKind)) {
        wrong.push(`${path} (${kind}) imports ${target} (${targetKind})`);
      }
    }
  }
  deepEqual(wrong, []);
});

Deno.test("codeImports reads a module's code imports and skips its doc-comment examples", () => {
  deepEqual(
    codeImports(
      `/**\n * import { x } from "./doc.ts";\n */\nimport { y } from "./code.ts";\n` +
        `export { z } from "../up.ts";\nimport {\n  w,\n} from "./multi.ts";\nconst m = import("./lazy.ts");`,
    ),
    ["./code.ts", "../up.ts", "./multi.ts", "./lazy.ts"],
  );
  ok(codeImports(Deno.readTextFileSync(new URL("lib/mod.ts", ROOT))).length > 10);
});
