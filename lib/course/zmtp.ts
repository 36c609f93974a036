/**
 * The bytes of ZMTP 3.0 (ZeroMQ RFC 23, NULL security mechanism) that a Jupyter client's two
 * socket types, DEALER and SUB, send: the greeting, the READY command and the frame layout.
 * `flushOutput` (`jupyter.ts`, inside the kernel) sends the handshake of a SUB socket itself;
 * the notebook runner's sockets, which also read frames and hold a connection, are
 * `tools/zmtp_socket.ts` (our own TypeScript instead of `npm:zeromq`, whose native addon
 * crashed the runner with SIGSEGV now and then under Deno, exit code 139, no message, and
 * downloads 34 MB of prebuilt binaries).
 *
 * What a connection does, per RFC 23:
 * 1. both peers send a 64-byte greeting: signature `FF 00×8 7F`, version 3.0, mechanism
 *    "NULL" padded to 20 bytes, as-server 0, 31 bytes of filler;
 * 2. both send a READY command carrying the property `Socket-Type` (DEALER or SUB);
 * 3. then messages flow as frames: a flags byte (bit 0 MORE: another frame of this message
 *    follows; bit 1 LONG: an 8-byte size instead of 1 byte; bit 2 COMMAND), the size, the
 *    body. A SUB socket subscribes by sending the one-frame message `01` + prefix.
 *
 * @module
 */

/** The socket types whose handshake is written here. */
export type SocketType = "DEALER" | "SUB";

const enc = new TextEncoder();

/** The 64-byte ZMTP 3.0 greeting of a NULL-mechanism client. */
export function greeting(): Uint8Array {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3; // version major
  g[11] = 0; // version minor
  g.set(enc.encode("NULL"), 12);
  // g[32] = 0: as-server false; the filler stays zero
  return g;
}

/** One frame: flags, a 1- or 8-byte size, the body. */
export function frame(body: Uint8Array, more: boolean, command = false): Uint8Array {
  const long = body.length > 255;
  const head = long ? 9 : 2;
  const out = new Uint8Array(head + body.length);
  out[0] = (more ? 0x01 : 0) | (long ? 0x02 : 0) | (command ? 0x04 : 0);
  if (long) new DataView(out.buffer).setBigUint64(1, BigInt(body.length));
  else out[1] = body.length;
  out.set(body, head);
  return out;
}

/** The READY command announcing `type`. */
export function ready(type: SocketType): Uint8Array {
  const name = enc.encode("READY");
  const key = enc.encode("Socket-Type");
  const value = enc.encode(type);
  const body = new Uint8Array(1 + name.length + 1 + key.length + 4 + value.length);
  let i = 0;
  body[i++] = name.length;
  body.set(name, i);
  i += name.length;
  body[i++] = key.length;
  body.set(key, i);
  i += key.length;
  new DataView(body.buffer).setUint32(i, value.length);
  body.set(value, i + 4);
  return frame(body, false, true);
}
