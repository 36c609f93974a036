/**
 * The minimal repro of Deno's kernel race under "Run All" (README, "Deno's kernel and Run
 * All"): three cells sent at once, the first printing and displaying in a loop. Prints every
 * iopub message in arrival order with the cell its parent id names, and counts the outputs
 * that arrived after their cell's `idle` or carry another cell's id. `--flush` ends each cell with `flushOutput()`
 * (lib/course/jupyter.ts), which should make that count 0.
 *
 * `deno task notebooks:repro [--flush] [--runs N]`
 *
 * @module
 */

import { Kernel } from "./jupyter_client.ts";

const flush = Deno.args.includes("--flush");
const runsAt = Deno.args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(Deno.args[runsAt + 1]) : 3;
const lib = new URL("../lib/course/jupyter.ts", import.meta.url).href;
const tail = flush ? `\nawait (await import(${JSON.stringify(lib)})).flushOutput();` : "";
const cells = [
  `for (let i = 0; i < 5; i++) {\n  await Deno.jupyter.display({ "text/plain": "display " + i }, { raw: true });\n  console.log("line " + i);\n}` +
  tail,
  `console.log("cell 2");` + tail,
  `console.log("cell 3");` + tail,
];
let lostInAll = 0;
for (let run = 1; run <= runs; run++) {
  const kernel = await Kernel.start({
    deno: Deno.execPath(),
    cwd: Deno.cwd(),
    dir: new URL("../out/jupyter/", import.meta.url).pathname,
  });
  const ids: string[] = cells.map(() => crypto.randomUUID());
  const idle = new Set<string>();
  let lost = 0;
  const lines: string[] = [];
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    kernel.onIopub((m) => {
      const cell = ids.indexOf(m.parent_header.msg_id ?? "") + 1;
      const type = m.header.msg_type;
      const state = m.content.execution_state;
      const late = type !== "status" && type !== "execute_input" &&
        type !== "update_display_data" && idle.has(m.parent_header.msg_id ?? "");
      // Cell 1's text stamped with another cell's id: filed under the wrong cell.
      const misfiled = cell > 1 && /^"(line|display) /.test(
        JSON.stringify(
          m.content.text ?? (m.content.data as Record<string, string>)?.["text/plain"] ?? "",
        ),
      );
      if (late || misfiled) lost++;
      const what = type === "stream"
        ? JSON.stringify(m.content.text)
        : type === "status"
        ? String(state)
        : type === "display_data"
        ? JSON.stringify((m.content.data as Record<string, string>)["text/plain"])
        : "";
      lines.push(
        `${(m.at - t0).toFixed(1).padStart(7)} ms  cell ${cell || "?"}  ${type} ${what}${
          late
            ? "   ← after this cell's idle"
            : misfiled
            ? "   ← cell 1's output, under another cell"
            : ""
        }`,
      );
      if (type === "status" && state === "idle" && cell) {
        idle.add(m.parent_header.msg_id!);
        if (idle.size === ids.length) setTimeout(resolve, 300);
      }
    });
  });
  for (let i = 0; i < cells.length; i++) await kernel.execute(cells[i], ids[i]);
  await done;
  await kernel.shutdown();
  if (runs > 1) console.log(`run ${run} of ${runs}:`);
  console.log(lines.filter((l) => !/update_display_data/.test(l)).join("\n"));
  console.log(`outputs after their cell's idle or under another cell: ${lost}\n`);
  lostInAll += lost;
}
console.log(
  `${
    flush ? "with" : "without"
  } flushOutput: ${lostInAll} output(s) arrived after their cell's idle in ${runs} runs`,
);
