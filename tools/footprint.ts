/**
 * What a student's first run costs: `deno task footprint [N] [--max-mb M] [--json]` runs
 * `deno task lesson N` (default 1) exactly as the README says, with an empty Deno cache (a
 * fresh `DENO_DIR`), and measures
 *
 * - the bytes downloaded, counted at the socket: Deno is pointed at a local HTTPS proxy
 *   (`HTTPS_PROXY`) that tunnels each connection and counts what comes back;
 * - the npm packages on disk afterwards, and the whole cache (with Deno's compiled-code caches);
 * - the wall-clock time.
 *
 * With `--max-mb M` it exits 1 when the download or the npm packages on disk exceed M MB
 * (1 MB = 10⁶ bytes); `.ci/run` runs it for lesson 1 with 40. It also checks that what the
 * launcher tells a student before a first download (`firstRun` in `tools/lesson_launch.ts`)
 * is within 15 % of what was measured.
 *
 * Needs the network (the npm registry); it is not part of `deno task test`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { firstRun, lessonSources, usesTfjs } from "./lesson_launch.ts";

const ROOT = new URL("../", import.meta.url);
const MB = 1e6;

/** A local CONNECT proxy that counts the bytes each tunnel brings back. */
function countingProxy() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const stats = { down: 0, up: 0, tunnels: 0 };
  const enc = new TextEncoder();
  const serve = async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(16384);
        let head = "";
        while (!head.includes("\r\n\r\n")) {
          const n = await conn.read(buf);
          if (n === null) return conn.close();
          head += new TextDecoder().decode(buf.subarray(0, n));
        }
        const m = head.match(/^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/);
        if (!m) {
          await conn.write(enc.encode("HTTP/1.1 405 Method Not Allowed\r\n\r\n"));
          return conn.close();
        }
        let upstream: Deno.TcpConn;
        try {
          upstream = await Deno.connect({ hostname: m[1], port: Number(m[2]) });
        } catch {
          await conn.write(enc.encode("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
          return conn.close();
        }
        stats.tunnels++;
        await conn.write(enc.encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
        const count = (key: "down" | "up") =>
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, ctl) {
              stats[key] += chunk.byteLength;
              ctl.enqueue(chunk);
            },
          });
        await Promise.allSettled([
          upstream.readable.pipeThrough(count("down")).pipeTo(conn.writable),
          conn.readable.pipeThrough(count("up")).pipeTo(upstream.writable),
        ]);
      })().catch(() => {});
    }
  };
  const done = serve().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    stats,
    async close() {
      listener.close();
      await done;
    },
  };
}

/** Apparent size in bytes of everything under `dir` (links not followed). */
export function sizeOf(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.isFile) total += Deno.statSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch { /* missing */ }
  return total;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { "max-mb": { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
  });
  const lesson = positionals[0] ?? "1";
  const denoDir = await Deno.makeTempDir({ prefix: "gbh_footprint_" });
  const proxy = countingProxy();
  const started = performance.now();
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["task", "lesson", lesson],
    cwd: ROOT,
    env: {
      DENO_DIR: denoDir,
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: "",
      NO_COLOR: "1",
    },
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  await proxy.close();
  const npmBytes = sizeOf(`${denoDir}/npm`);
  const cacheBytes = sizeOf(denoDir);
  await Deno.remove(denoDir, { recursive: true });
  const stderr = new TextDecoder().decode(run.stderr);
  const said = stderr.split("\n").filter((l) => l.startsWith("First run") || /compares?/.test(l));
  const result = {
    lesson: Number(lesson),
    exitCode: run.code,
    downloadedMB: +(proxy.stats.down / MB).toFixed(1),
    tunnels: proxy.stats.tunnels,
    npmOnDiskMB: +(npmBytes / MB).toFixed(1),
    cacheOnDiskMB: +(cacheBytes / MB).toFixed(1),
    seconds: +seconds.toFixed(1),
    toldStudent: said.join(" "),
  };
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`deno task lesson ${lesson} exited with ${run.code}`);
  if (proxy.stats.tunnels === 0) {
    problems.push("nothing went through the proxy: the download was not measured");
  }
  const max = values["max-mb"] === undefined ? undefined : Number(values["max-mb"]);
  if (max !== undefined && result.downloadedMB > max) {
    problems.push(`downloaded ${result.downloadedMB} MB > ${max} MB`);
  }
  if (max !== undefined && result.npmOnDiskMB > max) {
    problems.push(`npm packages on disk ${result.npmOnDiskMB} MB > ${max} MB`);
  }
  // What the launcher promised: the sum of the packages it named, against the npm cache.
  const source = lessonSources().get(Number(lesson));
  const tf = source !== undefined && usesTfjs(source);
  const promised = firstRun(tf).reduce((sum, p) => sum + p.mb, 0);
  if (Math.abs(promised - result.cacheOnDiskMB) > 0.15 * result.cacheOnDiskMB) {
    problems.push(
      `the launcher tells the student about ${promised} MB; the cache holds ${result.cacheOnDiskMB} MB`,
    );
  }
  if (values.json) console.log(JSON.stringify({ ...result, problems }));
  else {
    console.log(
      `lesson ${lesson} on an empty Deno cache: downloaded ${result.downloadedMB} MB ` +
        `(${result.tunnels} connections), npm packages on disk ${result.npmOnDiskMB} MB, ` +
        `whole cache ${result.cacheOnDiskMB} MB, ${result.seconds} s`,
    );
    if (result.toldStudent) console.log(`told the student first: "${result.toldStudent}"`);
    for (const p of problems) console.log(`✗ ${p}`);
    if (problems.length === 0 && max !== undefined) console.log(`✓ within ${max} MB`);
  }
  return problems.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
