// The practice panel from a file: URL. Chromium refuses module scripts (and so the editor and
// its workers) on a page opened from the file system (origin "null"); this classic script
// still runs there and says how to get the panel: serve the folder. Checked in Chromium: from
// file:// the page script is blocked by CORS ("Cross origin requests are only supported for
// protocol schemes: … http, https …").
"use strict";
if (location.protocol === "file:") {
  addEventListener("DOMContentLoaded", () => {
    const section = document.querySelector("section#practice[data-exercise]");
    if (!section) return;
    const n = section.getAttribute("data-exercise");
    const p = document.createElement("p");
    p.className = "practice-file-notice";
    p.textContent = "The editor and the in-page grader need the book served over http " +
      "(browsers do not run module scripts from files): run `deno task book --serve` in the " +
      "course's folder and open http://127.0.0.1:8000/" + location.pathname.split("/").pop() +
      " — or grade on the command line: `deno task exercise " + n + "`.";
    const h = document.createElement("h2");
    h.textContent = "Practise in the page";
    section.replaceChildren(h, p);
  });
}
