// lib/course/zmtp.ts and tools/zmtp_socket.ts against the bytes ZeroMQ RFC 23 (ZMTP 3.0) specifies;
// the real peer (Deno's Jupyter kernel) is exercised by tests/notebooks_test.ts.
import { deepEqual, equal, throws } from "node:assert/strict";
import { frame, greeting, ready } from "../lib/course/zmtp.ts";
import { FrameReader, Socket } from "../tools/zmtp_socket.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");

Deno.test("zmtp greeting: signature FF 00x8 7F, version 3.0, NULL, as-server 0, 64 bytes", () => {
  const g = greeting();
  equal(g.length, 64);
  equal(hex(g.slice(0, 12)), "ff 00 00 00 00 00 00 00 00 7f 03 00");
  equal(new TextDecoder().decode(g.slice(12, 16)), "NULL");
  deepEqual([...g.slice(16)], new Array(48).fill(0));
});

Deno.test("zmtp frames: short and long sizes, MORE and COMMAND flags", () => {
  equal(hex(frame(new Uint8Array([0x61, 0x62]), true)), "01 02 61 62");
  equal(hex(frame(new Uint8Array([]), false)), "00 00");
  const long = frame(new Uint8Array(300), false);
  equal(hex(long.slice(0, 9)), "02 00 00 00 00 00 00 01 2c");
  equal(long.length, 309);
  equal(hex(frame(new Uint8Array([1]), false, true).slice(0, 2)), "04 01");
  // the boundary: 255 bytes fit the 1-byte size, 256 need the long form
  equal(hex(frame(new Uint8Array(255), false).slice(0, 2)), "00 ff");
  equal(hex(frame(new Uint8Array(256), true).slice(0, 9)), "03 00 00 00 00 00 00 01 00");
});

Deno.test("zmtp READY command: name, then Socket-Type with a 4-byte value size", () => {
  const r = ready("DEALER");
  equal(r[0], 0x04);
  equal(r[1], r.length - 2);
  equal(
    hex(r.slice(2)),
    "05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 44 45 41 4c 45 52",
  );
});

Deno.test("FrameReader: frames split across chunks arrive whole, in order", () => {
  const bytes = new Uint8Array([
    ...frame(new TextEncoder().encode("<IDS|MSG>"), true),
    ...frame(new Uint8Array(1000).fill(7), false),
  ]);
  const r = new FrameReader();
  const got: { flags: number; body: Uint8Array }[] = [];
  for (let i = 0; i < bytes.length; i += 5) got.push(...r.push(bytes.slice(i, i + 5)));
  equal(got.length, 2);
  equal(got[0].flags, 1);
  equal(new TextDecoder().decode(got[0].body), "<IDS|MSG>");
  equal(got[1].flags, 2);
  equal(got[1].body.length, 1000);
});

Deno.test("zmtp Socket: a bad address is refused at once, an absent peer after the timeout", async () => {
  throws(() => Socket.connect("DEALER", "ipc:///tmp/x"), /not tcp:\/\/host:port/);
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const s = Socket.connect("DEALER", `tcp://127.0.0.1:${port}`, 100);
  let message = "";
  await s.send(["x"]).catch((e) => (message = String(e)));
  equal(/no peer at 127\.0\.0\.1/.test(message), true, message);
  s.close();
});
