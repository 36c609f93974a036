/**
 * The ZeroMQ DEALER and SUB sockets the notebook runner's Jupyter client
 * (`jupyter_client.ts`) speaks to a kernel with: ZMTP 3.0 over TCP, NULL mechanism. The bytes
 * of the handshake and the frame layout are `lib/course/zmtp.ts`'s (the kernel-side flush in
 * `lib/course/jupyter.ts` sends some of them itself); here is what only a client needs — reading
 * frames from a byte stream ({@link FrameReader}) and a connected socket ({@link Socket}).
 *
 * Like ZeroMQ's own `connect`, {@link connect} returns at once and keeps trying to reach the
 * peer (the kernel binds its ports a little after it starts); sends wait for the handshake.
 * Only one peer per socket, no reconnection after a connection is lost: enough for a client
 * of one kernel.
 *
 * @module
 */

import { frame, greeting, ready, type SocketType } from "../lib/course/zmtp.ts";

const enc = new TextEncoder();

/**
 * Splits a byte stream into frames. `push` takes bytes as they arrive and returns the
 * complete frames they finish; the rest waits for more bytes.
 */
export class FrameReader {
  private buf = new Uint8Array(0);

  push(chunk: Uint8Array): { flags: number; body: Uint8Array }[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const frames: { flags: number; body: Uint8Array }[] = [];
    let i = 0;
    while (i < joined.length) {
      const flags = joined[i];
      const long = (flags & 0x02) !== 0;
      const head = long ? 9 : 2;
      if (joined.length - i < head) break;
      const size = long
        ? Number(new DataView(joined.buffer, joined.byteOffset + i + 1, 8).getBigUint64(0))
        : joined[i + 1];
      if (joined.length - i - head < size) break;
      frames.push({ flags, body: joined.slice(i + head, i + head + size) });
      i += head + size;
    }
    this.buf = joined.slice(i);
    return frames;
  }
}

/** A DEALER or SUB socket connected to one TCP peer. */
export class Socket implements AsyncIterable<Uint8Array[]> {
  private conn: Deno.TcpConn | undefined;
  private closed = false;
  private readonly handshake: Promise<void>;
  private readonly inbox: Uint8Array[][] = [];
  private waiting: ((m: IteratorResult<Uint8Array[]>) => void) | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly type: SocketType,
    private readonly hostname: string,
    private readonly port: number,
    timeoutMs: number,
  ) {
    this.handshake = this.open(timeoutMs);
    this.handshake.catch(() => this.finish());
  }

  /** Connects to `tcp://host:port`, retrying until the peer listens (up to `timeoutMs`). */
  static connect(type: SocketType, url: string, timeoutMs = 60_000): Socket {
    const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(url);
    if (!m) throw new RangeError(`zmtp: "${url}" is not tcp://host:port`);
    return new Socket(type, m[1], Number(m[2]), timeoutMs);
  }

  private async open(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.conn) {
      if (this.closed) throw new Error("zmtp: closed before connecting");
      try {
        this.conn = await Deno.connect({ hostname: this.hostname, port: this.port });
      } catch (e) {
        if (performance.now() > deadline) {
          throw new Error(`zmtp: no peer at ${this.hostname}:${this.port} (${e})`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (this.closed) {
      this.conn.close();
      throw new Error("zmtp: closed while connecting");
    }
    await this.write(greeting());
    const reader = this.conn.readable.getReader();
    // The peer's greeting: 64 bytes, then frames.
    let pending = new Uint8Array(0);
    while (pending.length < 64) {
      const { value, done } = await reader.read();
      if (done) throw new Error("zmtp: the peer closed during the greeting");
      const joined = new Uint8Array(pending.length + value.length);
      joined.set(pending);
      joined.set(value, pending.length);
      pending = joined;
    }
    if (pending[0] !== 0xff || pending[9] !== 0x7f || pending[10] < 3) {
      throw new Error("zmtp: the peer does not speak ZMTP 3");
    }
    await this.write(ready(this.type));
    const frames = new FrameReader();
    let gotReady = false;
    let resolveReady!: () => void;
    const peerReady = new Promise<void>((r) => (resolveReady = r));
    let parts: Uint8Array[] = [];
    const take = (chunk: Uint8Array) => {
      for (const f of frames.push(chunk)) {
        if (f.flags & 0x04) {
          // A command: READY completes the handshake; others (PING in 3.1) are ignored.
          const name = new TextDecoder().decode(f.body.slice(1, 1 + f.body[0]));
          if (name === "READY" && !gotReady) {
            gotReady = true;
            resolveReady();
          }
          continue;
        }
        parts.push(f.body);
        if (!(f.flags & 0x01)) {
          this.deliver(parts);
          parts = [];
        }
      }
    };
    take(pending.slice(64));
    (async () => {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        take(value);
      }
    })().catch(() => {}).finally(() => this.finish());
    await peerReady;
  }

  private deliver(message: Uint8Array[]): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: message, done: false });
    } else this.inbox.push(message);
  }

  private finish(): void {
    this.closed = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  private write(bytes: Uint8Array): Promise<unknown> {
    const conn = this.conn!;
    // Writes in order: each waits for the one before (a partial write writes the rest).
    this.writing = this.writing.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    });
    return this.writing;
  }

  /** Sends one message (after the handshake). Strings are sent as UTF-8. */
  async send(parts: (string | Uint8Array)[]): Promise<void> {
    await this.handshake;
    if (this.closed) throw new Error("zmtp: send on a closed socket");
    const bodies = parts.map((p) => (typeof p === "string" ? enc.encode(p) : p));
    const bytes = bodies.map((b, i) => frame(b, i < bodies.length - 1));
    const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
    let off = 0;
    for (const b of bytes) {
      all.set(b, off);
      off += b.length;
    }
    await this.write(all);
  }

  /** SUB only: receive every message whose first frame starts with `prefix` (all: ""). */
  async subscribe(prefix = ""): Promise<void> {
    if (this.type !== "SUB") throw new Error("zmtp: subscribe is for SUB sockets");
    const p = enc.encode(prefix);
    const body = new Uint8Array(1 + p.length);
    body[0] = 1;
    body.set(p, 1);
    await this.send([body]);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array[]> {
    return {
      next: () => {
        const m = this.inbox.shift();
        if (m) return Promise.resolve({ value: m, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }

  /** Closes the connection; iteration ends. */
  close(): void {
    if (this.conn) {
      try {
        this.conn.close();
      } catch { /* already closed */ }
    }
    this.finish();
  }
}
