// Where a check is documented: its heading in docs/checks.md. Cheap to import (explain and --help load it
// without the engine).

/**
 * The anchor GitHub (and most Markdown renderers) give a heading: lower case, punctuation other than `-`
 * and `_` dropped, spaces as `-`. `## tls.chain` becomes `#tlschain`, not `#tls-chain`: a link must use
 * what the renderer made, or it lands at the top of the page.
 */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

export function docsAnchor(id: string): string {
  return `docs/checks.md#${headingAnchor(id)}`;
}
