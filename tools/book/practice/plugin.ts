/**
 * The book's practice feature (a `BookPlugin`, `tools/book/plugins.ts`): builds the practice
 * assets into `out/book/practice/`, mounts the editor on every exercise page (its
 * `<section id="practice">`) under the practice Content-Security-Policy, and shows each
 * exercise's state in this browser on the reading guide.
 *
 * @module
 */

import type { BookPlugin } from "../pages.ts";
import { buildPractice, practiceHead, practiceIndexScript } from "./build.ts";

export const practice: BookPlugin = {
  name: "practice",
  async build(out: URL) {
    await buildPractice(out);
  },
  head(page) {
    // An empty icon: without one the browser asks the server for /favicon.ico (a 404 logged
    // as a console error), which the practice test counts.
    const icon = `<link rel="icon" href="data:,">\n`;
    if (page.kind === "exercise") return `${icon}${practiceHead("practice/")}\n`;
    if (page.kind === "index") {
      return `${icon}<link rel="stylesheet" href="practice/practice.css">\n${
        practiceIndexScript("practice/")
      }\n`;
    }
    return "";
  },
};
