/**
 * A static file server for the built book, on 127.0.0.1 only (`deno task book --serve`, and
 * the browser test). Serves `out/book/` as it is: no rewriting, no index other than
 * `index.html`, 404 for anything outside the folder.
 *
 * @module
 */

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  woff2: "font/woff2",
  png: "image/png",
  ts: "text/plain; charset=utf-8",
};

/** Starts serving `dir` (a directory URL ending in `/`) on 127.0.0.1:`port` (0: any free port). */
export function serveBook(dir: URL, port = 0, onListen?: (port: number) => void): Deno.HttpServer {
  return Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => onListen?.(port),
  }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const rel = path.endsWith("/") ? `${path}index.html` : path;
    if (rel.split("/").some((part) => part === "..")) {
      return new Response("bad path", { status: 400 });
    }
    const file = new URL(`.${rel}`, dir);
    try {
      const body = await Deno.readFile(file);
      const ext = rel.split(".").at(-1) ?? "";
      return new Response(body, {
        headers: { "content-type": TYPES[ext] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}
