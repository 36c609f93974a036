/**
 * Debian's Chromium under `npm:puppeteer-core`, launched the one way the browser suites and
 * `deno task book:measure` launch it: headless, no sandbox (CI runs as root), nothing fetched in
 * the background (no component updates, sync, background networking or QUIC: the suites count
 * every request), in a profile folder of the caller's. `CHROMIUM` in the environment overrides
 * the path.
 *
 * @module
 */
// Pinned here, not in an import map, which `deno task` would install whole before any task.
// deno-lint-ignore no-import-prefix
import puppeteer, { type Browser, type Page } from "npm:puppeteer-core@25.16.0";

export type { Browser, Page };

/** The Chromium executable: `$CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

/** What differs between the callers. */
export interface LaunchOptions {
  /** The viewport's height in CSS px (its width is 1280). */
  height?: number;
  /** puppeteer's limit on one DevTools call, in ms (puppeteer's own default when absent). */
  protocolTimeout?: number;
}

/** Starts Chromium with its profile in `profile` (a folder the caller removes). */
export async function launchChromium(
  profile: string,
  { height = 900, protocolTimeout }: LaunchOptions = {},
): Promise<Browser> {
  return await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
    defaultViewport: { width: 1280, height },
    ...(protocolTimeout === undefined ? {} : { protocolTimeout }),
  });
}
