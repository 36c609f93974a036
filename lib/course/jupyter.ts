/**
 * Making a notebook cell's outputs land under that cell, on Deno's Jupyter kernel.
 *
 * Deno's kernel (2.9) queues everything a cell prints or displays and publishes the queue
 * from a separate loop, stamping each message with the request that is current *when it is
 * published*; it sends the cell's `idle` status directly, without waiting for that queue.
 * Under "Run All" the next request starts at once, so a cell's last outputs can go out after
 * its `idle`, carrying the next cell's id: the classic Notebook files them under the next
 * cell, nbclient and JupyterLab drop them. (The cause, traced in the kernel's source, and a
 * minimal repro are in the README, section "Notebooks and Deno's kernel".)
 *
 * {@link flushOutput} waits until everything the cell has emitted so far has been written to
 * the kernel's output subscribers. It subscribes to the kernel's own output (iopub) socket,
 * publishes a marker through the same queue and waits for the marker to come back: the queue
 * is published in order, and to subscribers in the order they connected, so when our marker
 * reaches us every front-end that connected before us has been sent everything before it.
 * The marker is an `update_display_data` for a display id that was never shown, which every
 * front-end ignores (the classic Notebook, JupyterLab, nbclient and VS Code look the id up
 * and find nothing). Every marker this function publishes is accounted for before it returns,
 * so none can trail the cell's `idle`.
 *
 * The notebook generator (`tools/notebooks.ts`) ends every code cell with
 * `await flushOutput();`; {@link Lesson.end} also flushes before it raises. Outside a kernel it
 * returns at once.
 *
 * ```ts
 * import { flushOutput } from "./jupyter.ts";
 * await flushOutput(); // a no-op outside Jupyter
 * ```
 *
 * @module
 */
import { frame, greeting, ready } from "./zmtp.ts";

import { inJupyter } from "./display.ts";

interface Connection {
  transport: string;
  ip: string;
  iopub_port: number;
}

/** Why the kernel's connection could not be found (reported once), or the connection. */
let found: Connection | string | undefined;
let warned = false;

/** The kernel's command line: Linux `/proc`, else `ps` (macOS, BSD), else PowerShell. */
function kernelCommandLine(): string[] {
  try {
    return Deno.readTextFileSync("/proc/self/cmdline").split("\0");
  } catch { /* not Linux */ }
  const run = (cmd: string, args: string[]) => {
    const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "";
  };
  let line = "";
  try {
    line = Deno.build.os === "windows"
      ? run("powershell", [
        "-NoProfile",
        "-Command",
        `(Get-CimInstance Win32_Process -Filter "ProcessId=${Deno.pid}").CommandLine`,
      ])
      : run("ps", ["-ww", "-o", "command=", "-p", String(Deno.pid)]);
  } catch { /* no ps */ }
  // Connection files live in Jupyter's runtime directory, whose paths have no spaces on the
  // platforms we know; a quoted Windows path keeps its quotes off.
  return line.split(/\s+/).map((a) => a.replace(/^"|"$/g, ""));
}

function connection(): Connection | string {
  if (found !== undefined) return found;
  try {
    const argv = kernelCommandLine();
    const at = argv.indexOf("--conn");
    if (at < 0 || !argv[at + 1]) {
      found = "the kernel's command line names no --conn file";
    } else {
      const info = JSON.parse(Deno.readTextFileSync(argv[at + 1])) as Connection;
      found = info.transport === "tcp"
        ? info
        : `the kernel uses the ${info.transport} transport (only tcp is supported)`;
    }
  } catch (e) {
    found = `the kernel's connection file could not be read (${(e as Error).message})`;
  }
  return found;
}

/** The bytes a ZMTP 3.0 SUB socket sends: greeting, READY, and "subscribe to everything". */
function subscribeBytes(): Uint8Array {
  const subscribe = frame(new Uint8Array([0x01]), false); // a message frame: 0x01, empty topic
  return new Uint8Array([...greeting(), ...ready("SUB"), ...subscribe]);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let w = 0; w < bytes.length;) w += await conn.write(bytes.subarray(w));
}

function publishMarker(id: string): void {
  // deno-lint-ignore no-explicit-any
  const sent = (Deno as any).jupyter.broadcast("update_display_data", {
    data: {},
    metadata: {},
    transient: { display_id: id },
  });
  // Deno 2.9 returns undefined; later versions may return a promise.
  if (sent && typeof sent.catch === "function") sent.catch(() => {});
}

/** Options of {@link flushOutput}. */
export interface FlushOptions {
  /** Give up (with one warning on stderr) after this long; default 10 s. */
  timeoutMs?: number;
}

/**
 * Waits until every output this cell has produced so far has been sent to the front-end
 * (see the module doc). Returns at once outside Jupyter. Never throws: where it cannot work
 * (no connection file, another transport) it warns once on stderr and waits 100 ms instead,
 * which usually but not always suffices.
 */
export async function flushOutput(options: FlushOptions = {}): Promise<void> {
  if (!inJupyter()) return;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const info = connection();
  if (typeof info === "string") {
    if (!warned) {
      warned = true;
      console.error(
        `flushOutput: ${info}; on "Run All" a cell's last outputs may show under the next cell`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
    return;
  }
  const conn = await Deno.connect({ hostname: info.ip, port: info.iopub_port });
  const sent: string[] = [];
  let firstBack = -1; // index in `sent` of the first marker that came back to us
  const back = new Set<string>();
  let closed = false;
  try {
    await writeAll(conn, subscribeBytes());
    // Everything the kernel publishes now reaches us too; scan the bytes for our markers
    // (random UUIDs cannot occur by accident), keeping a tail for a marker split by a read.
    const reader = (async () => {
      const buf = new Uint8Array(1 << 16);
      const latin1 = new TextDecoder("latin1");
      let tail = "";
      while (true) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) break;
        const text = tail + latin1.decode(buf.subarray(0, n));
        for (let i = Math.max(firstBack, 0); i < sent.length; i++) {
          if (!back.has(sent[i]) && text.includes(sent[i])) {
            back.add(sent[i]);
            if (firstBack < 0 || i < firstBack) firstBack = i;
          }
        }
        tail = text.slice(-64);
      }
      closed = true;
    })();
    // Our subscription takes effect only once the kernel has read it, so markers published
    // before that never reach us: publish a new one every 10 ms until one does. Those lost
    // ones went out to the earlier subscribers before the one that came back, so once every
    // marker from the first returned one on is back, nothing of ours is still queued.
    const start = Date.now();
    const allBack = () => firstBack >= 0 && sent.slice(firstBack).every((id) => back.has(id));
    while (!allBack() && !closed) {
      if (Date.now() - start > timeoutMs) {
        console.error(
          `flushOutput: no answer from the kernel's output socket in ${timeoutMs} ms; ` +
            `this cell's last outputs may show under the next cell`,
        );
        break;
      }
      if (firstBack < 0) {
        const id = `gbh-flush-${crypto.randomUUID()}`;
        sent.push(id);
        publishMarker(id);
      }
      await new Promise((r) => setTimeout(r, firstBack < 0 ? 10 : 2));
    }
    conn.close();
    closed = true;
    await reader;
  } finally {
    if (!closed) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}
