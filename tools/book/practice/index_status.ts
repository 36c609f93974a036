/// <reference lib="dom" />
/**
 * The book's reading guide (and the bare index of `deno task practice`): shows each exercise's
 * state in this browser — not started, k of n checks, done — from the same `localStorage` the
 * practice page writes. It fills every `[data-practice-status="NN_slug"]`, and adds one after
 * each link to an exercise page (`exercise-NN.html`) in the guide's list of exercises.
 *
 * @module
 */

import { keys, load, loadSummary, statusText } from "./storage.ts";

interface Info {
  number: number;
  slug: string;
}

function addSpans(all: Info[]) {
  const lists = document.querySelectorAll("main .exercises a[href^='exercise-']");
  for (const a of lists) {
    const n = Number(a.getAttribute("href")!.match(/^exercise-(\d+)\.html$/)?.[1]);
    const info = all.find((e) => e.number === n);
    if (!info || a.parentElement?.querySelector("[data-practice-status]")) continue;
    const span = document.createElement("span");
    span.className = "practice-state";
    span.dataset.practiceStatus = info.slug;
    a.after(" — ", span);
  }
}

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
  const all: Info[] = (await import(new URL("./exercises.js", import.meta.url).href)).default;
  addSpans(all);
  fillStatuses();
  // Another tab of the book saved a run: show it here too.
  addEventListener("storage", () => fillStatuses());
}
