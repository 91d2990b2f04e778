// Where a check is documented: its heading in docs/checks.md. Cheap to import (explain and --help load it
// without the engine).
export function docsAnchor(id: string): string {
  return `docs/checks.md#${id.replace(/\./g, '-')}`;
}
