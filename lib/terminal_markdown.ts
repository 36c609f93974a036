/**
 * PLACEHOLDER until the terminal renderer lands: markdown shown as written.
 *
 * @module
 */

/** Options of {@link renderMarkdown}. */
export interface RenderOptions {
  width: number;
  color: boolean;
}

/** The markdown as written (placeholder). */
export function renderMarkdown(md: string, _options: RenderOptions): string {
  return md;
}
