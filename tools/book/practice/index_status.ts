/// <reference lib="dom" />
/**
 * The book's index: fills every `[data-practice-status="NN_slug"]` element with that exercise's
 * state in this browser (not started, k of n checks, done), from the same `localStorage` the
 * practice page writes.
 *
 * @module
 */

import { keys, load, loadSummary, statusText } from "./storage.ts";

export function fillStatuses(root: ParentNode = document) {
  for (const e of root.querySelectorAll<HTMLElement>("[data-practice-status]")) {
    const slug = e.dataset.practiceStatus!;
    const s = loadSummary(slug);
    e.textContent = statusText(s, load(keys.code(slug)) !== undefined);
    e.dataset.state = !s || s.notStarted
      ? "not-started"
      : s.passed === s.total
      ? "done"
      : "partial";
  }
}

if (typeof document !== "undefined") {
  fillStatuses();
  // Another tab of the book saved a run: show it here too.
  addEventListener("storage", () => fillStatuses());
}
