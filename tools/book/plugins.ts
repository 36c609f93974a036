/**
 * The features that add assets and tags to the book's pages (see `BookPlugin` in
 * `tools/book/pages.ts`). To add one: write a module exporting a `BookPlugin` under
 * `tools/<feature>/`, import it here and append it. Example — a script on exercise pages:
 *
 * ```ts ignore
 * export const practice: BookPlugin = {
 *   name: "practice",
 *   assets: [{ to: "assets/practice.js", from: new URL("./practice.js", import.meta.url) }],
 *   head: (page) => page.kind === "exercise" ? '<script type="module" src="assets/practice.js"></script>' : "",
 * };
 * ```
 *
 * An exercise page holds `<section id="practice" data-exercise="N" data-path="exercises/NN_slug.ts">`
 * with `<script type="application/json" id="exercise-source">{number, slug, path, source}</script>`
 * (the exercise file as committed, its stubs in place) for such a script to mount on.
 *
 * @module
 */

import type { BookPlugin } from "./pages.ts";
import { practice } from "./practice/plugin.ts";

export const PLUGINS: BookPlugin[] = [practice];
