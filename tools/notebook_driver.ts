/**
 * The notebook runner's kernel driver: runs one notebook on Deno's Jupyter kernel the way
 * front-ends do ("all": every code cell sent at once, as Run All; "serial": each cell after the
 * previous one's `idle`) and records what each cell received, filing every iopub message under
 * the cell its parent id names and keeping apart the outputs that arrive after a cell's `idle`
 * (lost to front-ends that stop listening there). Also the notebook files in and out: the
 * executed notebook `--write` saves, and an exercise notebook with the reference solutions in
 * place of its stubs. What counts as a failure is `notebook_verdicts.ts`'s; the command line is
 * `run_notebooks.ts`.
 *
 * @module
 */

// The client (it starts kernels and opens TCP sockets) is loaded only to run a notebook, so
// the types and the notebook files here can be imported without those permissions.
import type { Message } from "./jupyter_client.ts";

const ROOT = new URL("../", import.meta.url);

/** A cell output in nbformat's shape. */
export type Output =
  | { output_type: "stream"; name: string; text: string }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: unknown }
  | {
    output_type: "execute_result";
    data: Record<string, unknown>;
    metadata: unknown;
    execution_count: number | null;
  }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
  [k: string]: unknown;
}

/** What one code cell received. */
export interface CellResult {
  /** 1-based position in the notebook, markdown cells counted. */
  cell: number;
  /** The code the cell sent. */
  source: string;
  outputs: Output[];
  /** Outputs that arrived after the cell's `idle` (lost to front-ends that stop there). */
  late: Output[];
  status: string;
  executionCount: number | null;
  error?: string;
}

/** A notebook run. */
export interface NotebookRun {
  name: string;
  mode: "all" | "serial";
  cells: CellResult[];
  /** Output messages whose parent is none of our requests. */
  orphans: number;
  seconds: number;
  kernelStderr: string;
}

function text(source: string | string[]): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Turns an iopub message into an output (nbformat's `output_from_msg`), or null. */
function outputOf(m: Message): Output | null {
  const c = m.content;
  switch (m.header.msg_type) {
    case "stream":
      return { output_type: "stream", name: String(c.name), text: String(c.text) };
    case "display_data":
      return {
        output_type: "display_data",
        data: c.data as Record<string, unknown>,
        metadata: c.metadata ?? {},
      };
    case "execute_result":
      return {
        output_type: "execute_result",
        data: c.data as Record<string, unknown>,
        metadata: c.metadata ?? {},
        execution_count: (c.execution_count as number) ?? null,
      };
    case "error":
      return {
        output_type: "error",
        ename: String(c.ename),
        evalue: String(c.evalue),
        traceback: (c.traceback as string[]) ?? [],
      };
  }
  return null;
}

/** Appends an output, merging consecutive stream text of one name as nbformat stores it. */
function append(outputs: Output[], o: Output): void {
  const last = outputs.at(-1);
  if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) {
    last.text += o.text;
  } else outputs.push(structuredClone(o));
}

/** Runs one notebook on a new kernel; "all" sends every cell at once, "serial" one by one. */
export async function runNotebook(
  path: string,
  mode: "all" | "serial",
  options: { deno?: string; timeoutSeconds?: number } = {},
): Promise<NotebookRun> {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  const cells: NotebookCell[] = nb.cells;
  const timeout = (options.timeoutSeconds ?? Number(Deno.env.get("GBH_CELL_TIMEOUT") ?? 300)) *
    1000;
  const dir = path.replace(/[^/]*$/, "") || ".";
  const { Kernel } = await import("./jupyter_client.ts");
  const kernel = await Kernel.start({
    deno: options.deno ?? Deno.execPath(),
    cwd: dir,
    dir: new URL("out/jupyter/", ROOT).pathname,
  });
  const start = performance.now();
  const results: CellResult[] = [];
  const byId = new Map<string, { result: CellResult; idle: boolean }>();
  // display_id → the output it created, so update_display_data changes it in place (as every
  // front-end does); ids never displayed (flushOutput's markers) change nothing.
  const displays = new Map<string, Output>();
  let orphans = 0;
  const waiting = new Map<string, () => void>();
  const stop = kernel.onIopub((m) => {
    const entry = byId.get(m.parent_header.msg_id ?? "");
    if (m.header.msg_type === "status") {
      if (entry && m.content.execution_state === "idle") {
        entry.idle = true;
        waiting.get(m.parent_header.msg_id!)?.();
      }
      return;
    }
    if (m.header.msg_type === "update_display_data") {
      const id = (m.content.transient as { display_id?: string } | undefined)?.display_id;
      const target = id ? displays.get(id) : undefined;
      if (target && "data" in target) target.data = m.content.data as Record<string, unknown>;
      return;
    }
    const out = outputOf(m);
    if (!out) return;
    if (!entry) {
      orphans++;
      return;
    }
    append(entry.idle ? entry.result.late : entry.result.outputs, out);
    const id = (m.content.transient as { display_id?: string } | undefined)?.display_id;
    if (id && !entry.idle) displays.set(id, entry.result.outputs.at(-1)!);
  });
  const idleOf = (id: string) =>
    new Promise<void>((resolve) => {
      if (byId.get(id)?.idle) resolve();
      else waiting.set(id, resolve);
    });
  try {
    const sent: { id: string; result: CellResult }[] = [];
    const send = async (n: number) => {
      const result: CellResult = {
        cell: n + 1,
        source: text(cells[n].source),
        outputs: [],
        late: [],
        status: "sent",
        executionCount: null,
      };
      results.push(result);
      const id = crypto.randomUUID();
      byId.set(id, { result, idle: false });
      await kernel.execute(text(cells[n].source), id);
      sent.push({ id, result });
      return id;
    };
    const finish = async ({ id, result }: { id: string; result: CellResult }) => {
      const reply = await Promise.race([
        Promise.all([kernel.waitReply(id, timeout), idleOf(id)]).then(([r]) => r),
        new Promise<null>((r) => setTimeout(() => r(null), timeout)),
      ]);
      if (!reply) {
        result.status = (await kernel.alive()) ? "timeout" : "dead";
        result.error = result.status === "dead"
          ? "the kernel died"
          : `no result after ${timeout / 1000} s (GBH_CELL_TIMEOUT)`;
        return false;
      }
      result.status = String(reply.content.status);
      result.executionCount = (reply.content.execution_count as number) ?? null;
      if (result.status !== "ok") {
        result.error = `${reply.content.ename}: ${reply.content.evalue}`;
      }
      return true;
    };
    const code = cells.map((c, n) => (c.cell_type === "code" ? n : -1)).filter((n) => n >= 0);
    if (mode === "all") {
      // Reply waiters are registered before anything can answer: send, then wait in order.
      const ids: Promise<boolean>[] = [];
      for (const n of code) {
        await send(n);
        const last = sent.at(-1)!;
        ids.push(finish(last));
      }
      for (const p of ids) if (!(await p)) break;
    } else {
      for (const n of code) {
        await send(n);
        if (!(await finish(sent.at(-1)!))) break;
      }
    }
    // Anything still on its way is late by definition; give it a moment to show itself.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    stop();
    await kernel.shutdown();
  }
  return {
    name: path.split("/").at(-1)!,
    mode,
    cells: results,
    orphans,
    seconds: (performance.now() - start) / 1000,
    kernelStderr: kernel.stderr,
  };
}

export function executed(path: string, run: NotebookRun): string {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  let k = 0;
  for (const c of nb.cells as NotebookCell[]) {
    if (c.cell_type !== "code") continue;
    const r = run.cells[k++];
    c.outputs = (r?.outputs ?? []).map((o) => {
      if (o.output_type !== "stream") return o;
      const lines = o.text.split(/(?<=\n)/);
      return { ...o, text: lines };
    }) as Output[];
    c.execution_count = r?.executionCount ?? null;
  }
  return JSON.stringify(nb, null, 1) + "\n";
}

/**
 * An exercise notebook with the reference solutions in place of its stubs: each cell that
 * holds a stub ends by assigning the same names from `exercises/_solutions.ts` (a cell's
 * function and class bindings can be reassigned), so the grading cells grade the solutions
 * in the kernel, as a learner's finished notebook would be. Written to `out/solved/`, as
 * deep below the root as `notebooks/exercises/`, so its relative imports resolve alike.
 */
export function solvedNotebook(path: string): string {
  const out = new URL(`out/solved/${path.split("/").at(-1)}`, ROOT).pathname;
  Deno.mkdirSync(out.replace(/[^/]*$/, ""), { recursive: true });
  Deno.writeTextFileSync(out, solvedNotebookText(path));
  return out;
}

/** The text of {@link solvedNotebook}'s notebook, written nowhere. */
export function solvedNotebookText(path: string): string {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  for (const c of nb.cells as NotebookCell[]) {
    const src = text(c.source);
    if (c.cell_type !== "code" || !src.includes("new NotImplemented(")) continue;
    const names = [...src.matchAll(/^(?:function|class) (\w+)/gm)].map((m) => m[1]);
    const at = src.lastIndexOf("await flushOutput();");
    const assign =
      `// The reference solutions in place of the stubs above (tools/notebook_driver.ts).\n` +
      `({ ${names.join(", ")} } = await import("../../exercises/_solutions.ts"));\n\n`;
    c.source = at < 0 ? src + "\n" + assign : src.slice(0, at) + assign + src.slice(at);
  }
  return JSON.stringify(nb, null, 1) + "\n";
}
