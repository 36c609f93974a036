/// <reference lib="dom" />
/**
 * What the practice page keeps in the browser's `localStorage`, per exercise: the learner's
 * code (written on every edit), the code a reset replaced (so the reset can be undone), and the
 * last run's summary (which the book's index shows). One place for the keys, so the page and
 * the index read the same thing.
 *
 * @module
 */

const PREFIX = "gradients-by-hand/practice/v1/";

/** The last run of an exercise, as the index shows it. */
export interface RunSummary {
  passed: number;
  total: number;
  /** Every check still "not implemented yet". */
  notStarted: boolean;
  /** When it ran (ms since the epoch). */
  at: number;
}

export const keys = {
  code: (slug: string) => `${PREFIX}${slug}/code`,
  undo: (slug: string) => `${PREFIX}${slug}/undo`,
  result: (slug: string) => `${PREFIX}${slug}/result`,
};

function store(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled for this page
  }
}

export function load(key: string): string | undefined {
  return store()?.getItem(key) ?? undefined;
}

/** Writes, or says why it could not (quota, storage disabled). */
export function save(key: string, value: string | undefined): string | undefined {
  const s = store();
  if (!s) return "this browser does not let the page store anything";
  try {
    if (value === undefined) s.removeItem(key);
    else s.setItem(key, value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function loadSummary(slug: string): RunSummary | undefined {
  const text = load(keys.result(slug));
  if (!text) return undefined;
  try {
    return JSON.parse(text) as RunSummary;
  } catch {
    return undefined;
  }
}

/** "not started", "k of n checks", "done", as the command line's exercise list says it. */
export function statusText(s: RunSummary | undefined, edited: boolean): string {
  if (!s) return edited ? "started, not run yet" : "not started";
  if (s.notStarted) return edited ? "started (every check still a stub)" : "not started";
  if (s.passed === s.total) return `done (all ${s.total} checks passed)`;
  return `${s.passed} of ${s.total} checks passed`;
}
