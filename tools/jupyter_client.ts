/**
 * A small Jupyter client: starts Deno's kernel and speaks the messaging protocol to it over
 * ZeroMQ's wire protocol, implemented in TypeScript (`zmtp_socket.ts`: DEALER and SUB over TCP), so
 * nothing but Deno is needed and no native addon runs in the process.
 *
 * Only what the notebook runner needs: a kernel started from a connection file we write,
 * `kernel_info_request` until it answers, `execute_request`s (signed with HMAC-SHA256, as the
 * protocol requires), every iopub message with its arrival time, and a clean shutdown.
 *
 * @module
 */

import { Socket } from "./zmtp_socket.ts";

/** A message of the Jupyter protocol, as the runner sees it. */
export interface Message {
  header: { msg_id: string; msg_type: string; [k: string]: unknown };
  parent_header: { msg_id?: string; [k: string]: unknown };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  /** `performance.now()` when it arrived. */
  at: number;
}

const DELIMITER = "<IDS|MSG>";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function freePorts(n: number): Promise<number[]> {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  listeners.forEach((l) => l.close());
  return await Promise.resolve(ports);
}

const REPO = new URL("../", import.meta.url);

/**
 * The kernel reads the `deno.json` nearest its working directory. In `notebooks/` that is
 * `notebooks/deno.json` (the notebooks' own lockfile, `deps/notebook.lock`); a notebook run
 * from a copy under `out/` (`out/exercises/`, `out/solved/`, as deep as `notebooks/…`) gets
 * the same configuration as `out/deno.json`, so that the kernel never falls back on the root
 * `deno.json`, whose lockfile holds only the charts' packages.
 */
export function kernelConfigFor(cwd: string): void {
  const out = new URL("out/", REPO).pathname;
  if (!new URL(cwd, "file:///").pathname.startsWith(out)) return;
  Deno.mkdirSync(out, { recursive: true });
  Deno.writeTextFileSync(
    `${out}deno.json`,
    Deno.readTextFileSync(new URL("notebooks/deno.json", REPO)),
  );
}

/** The kernel could not bind one of its ports (another process took it first). */
class PortTaken extends Error {}

/** A running Deno kernel and the sockets connected to it. */
export class Kernel {
  private readonly shell: Socket;
  private readonly control: Socket;
  private readonly iopub: Socket;
  /** Whether an iopub message has arrived (then the subscription is in effect). */
  private heardIopub = false;
  private readonly session = crypto.randomUUID();
  private readonly listeners = new Set<(m: Message) => void>();
  private readonly replies = new Map<string, (m: Message) => void>();
  private readonly early = new Map<string, Message>();
  private closed = false;
  /** What the kernel wrote to its stderr (shown when something goes wrong). */
  stderr = "";

  private constructor(
    private readonly child: Deno.ChildProcess,
    private readonly key: CryptoKey,
    private readonly connFile: string,
    ports: Record<string, number>,
  ) {
    const url = (p: number) => `tcp://127.0.0.1:${p}`;
    this.shell = Socket.connect("DEALER", url(ports.shell_port));
    this.control = Socket.connect("DEALER", url(ports.control_port));
    this.iopub = Socket.connect("SUB", url(ports.iopub_port));
    this.iopub.subscribe().catch(() => {/* reported by start's deadline */});
    this.pump(this.iopub, (m) => {
      this.heardIopub = true;
      this.listeners.forEach((f) => f(m));
    });
    const reply = (m: Message) => {
      const id = m.parent_header.msg_id;
      if (!id) return;
      const waiter = this.replies.get(id);
      if (waiter) waiter(m);
      else this.early.set(id, m); // a reply before anyone waits for it
    };
    this.pump(this.shell, reply);
    this.pump(this.control, reply);
    (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.stderr = (this.stderr + chunk).slice(-20_000);
      }
    })().catch(() => {});
  }

  /**
   * Starts `deno jupyter --kernel` with a fresh connection file under `dir`, in working
   * directory `cwd`, and waits until it answers a `kernel_info_request`.
   */
  static async start(
    options: { deno: string; cwd: string; dir: string; timeoutMs?: number },
  ): Promise<Kernel> {
    // The ports are free when chosen, but another process (a second kernel started at the same
    // moment) may bind one before this kernel does; it then dies at once with AddrInUse. Try
    // again with fresh ports, a few times, rather than wait for the deadline.
    for (let attempt = 1;; attempt++) {
      try {
        return await Kernel.startOnce(options);
      } catch (e) {
        if (!(e instanceof PortTaken) || attempt >= 4) throw e;
      }
    }
  }

  private static async startOnce(
    options: { deno: string; cwd: string; dir: string; timeoutMs?: number },
  ): Promise<Kernel> {
    const [shell_port, iopub_port, stdin_port, control_port, hb_port] = await freePorts(5);
    const ports = { shell_port, iopub_port, stdin_port, control_port, hb_port };
    const secret = crypto.randomUUID();
    Deno.mkdirSync(options.dir, { recursive: true });
    const connFile = `${options.dir}/kernel-${crypto.randomUUID()}.json`;
    Deno.writeTextFileSync(
      connFile,
      JSON.stringify({
        ...ports,
        ip: "127.0.0.1",
        transport: "tcp",
        signature_scheme: "hmac-sha256",
        key: secret,
        kernel_name: "deno",
      }),
    );
    const key = await crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    kernelConfigFor(options.cwd);
    const child = new Deno.Command(options.deno, {
      args: ["jupyter", "--kernel", "--conn", connFile],
      cwd: options.cwd,
      // A fixed seed for the exercise notebooks' random cases (tools/grader/notebook.ts), so that
      // every run of a notebook prints the same text.
      env: { NO_COLOR: "1", GBH_GRADER_SEED: "20261207" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const kernel = new Kernel(child, key, connFile, ports);
    const deadline = performance.now() + (options.timeoutMs ?? 60_000);
    // The kernel binds its sockets some time after it starts; ask until it answers, and until
    // iopub has delivered something (its busy/idle status), so the subscription is in effect
    // before the first cell runs.
    while (true) {
      // The send waits for the handshake; it fails once the socket gives up connecting.
      const id = await kernel.send(kernel.shell, "kernel_info_request", {}).catch(() => null);
      if (id === null) await new Promise((r) => setTimeout(r, 100));
      const ok = id !== null && await kernel.waitReply(id, 500);
      if (ok && kernel.heardIopub) break;
      if (kernel.stderr.includes("AddrInUse")) {
        await kernel.shutdown();
        throw new PortTaken(kernel.stderr);
      }
      if (performance.now() > deadline) {
        await kernel.shutdown();
        throw new Error(
          `the Deno kernel did not answer within ${
            options.timeoutMs ?? 60000
          } ms:\n${kernel.stderr}`,
        );
      }
    }
    return kernel;
  }

  private pump(socket: Socket, deliver: (m: Message) => void): void {
    (async () => {
      for await (const frames of socket) {
        const m = this.decode(frames);
        if (m) deliver(m);
      }
    })().catch(() => {/* the socket closed */});
  }

  private decode(frames: Uint8Array[]): Message | null {
    const at = performance.now();
    const i = frames.findIndex((f) => decoder.decode(f) === DELIMITER);
    if (i < 0 || frames.length < i + 6) return null;
    const part = (k: number) => JSON.parse(decoder.decode(frames[i + 2 + k]));
    return { header: part(0), parent_header: part(1), metadata: part(2), content: part(3), at };
  }

  private async send(
    socket: Socket,
    msgType: string,
    content: Record<string, unknown>,
    msgId: string = crypto.randomUUID(),
  ): Promise<string> {
    const header = {
      msg_id: msgId,
      session: this.session,
      username: "gbh",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: "5.3",
    };
    const parts = [header, {}, {}, content].map((p) => JSON.stringify(p));
    const sig = await crypto.subtle.sign("HMAC", this.key, encoder.encode(parts.join("")));
    const hex = [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, "0")).join("");
    await socket.send([DELIMITER, hex, ...parts]);
    return header.msg_id;
  }

  /** Resolves with the reply to request `id`, or null after `timeoutMs`. */
  waitReply(id: string, timeoutMs: number): Promise<Message | null> {
    const early = this.early.get(id);
    if (early) {
      this.early.delete(id);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        resolve(null);
      }, timeoutMs);
      this.replies.set(id, (m) => {
        clearTimeout(timer);
        this.replies.delete(id);
        resolve(m);
      });
    });
  }

  /** Calls `f` with every iopub message from now on; returns a function that stops it. */
  onIopub(f: (m: Message) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /**
   * Sends an `execute_request` with id `msgId` (choose it first, so that its outputs can be
   * recognised from the first one); the reply comes through {@link waitReply}.
   */
  execute(code: string, msgId: string): Promise<string> {
    return this.send(this.shell, "execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    }, msgId);
  }

  /** Whether the kernel process is still running. */
  async alive(): Promise<boolean> {
    const status = await Promise.race([
      this.child.status.then(() => "exited"),
      new Promise<string>((r) => setTimeout(() => r("running"), 0)),
    ]);
    return status === "running";
  }

  /** Asks the kernel to shut down, kills it if it does not, and closes every socket. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      const id = await this.send(this.control, "shutdown_request", { restart: false });
      await this.waitReply(id, 2000);
    } catch { /* already gone */ }
    const exited = await Promise.race([
      this.child.status.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
    ]);
    if (!exited) {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
      await this.child.status;
    }
    for (const s of [this.shell, this.control, this.iopub]) s.close();
    try {
      Deno.removeSync(this.connFile);
    } catch { /* gone */ }
  }
}
