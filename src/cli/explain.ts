// `explain <id>` and docs/checks.md come from the same catalogue text.
import { docsAnchor } from '../checks/docs-link.js';
import { CATALOG, byReportOrder, findCheck } from '../catalog.js';
import type { CheckDef } from '../checks/define.js';
import { UsageError } from '../errors.js';
import { AREAS, type Area } from '../model.js';
import { closest } from './values.js';

function inReportOrder(defs: readonly CheckDef[]): CheckDef[] {
  return [...defs].sort((a, b) => byReportOrder(a.id, b.id));
}

function table(defs: readonly CheckDef[]): string {
  const width = Math.max(...defs.map((c) => c.id.length));
  return `${defs.map((c) => `${c.id.padEnd(width)}  ${c.area.padEnd(8)}  ${c.title}`).join('\n')}\n`;
}

function isArea(id: string): id is Area {
  return (AREAS as readonly string[]).includes(id);
}

/** One check's text, or the list of an area's checks when `id` names an area (`explain tls`). */
export function explain(id: string): string {
  if (isArea(id)) {
    const defs = inReportOrder(CATALOG.filter((c) => c.area === id));
    if (defs.length === 0) throw new UsageError(`area ${id} has no checks; list them all with: milvus-l7-doctor explain --list`);
    return table(defs);
  }
  const def = findCheck(id);
  if (!def) {
    const typo = closest(id, [...AREAS, ...CATALOG.map((c) => c.id)]);
    const near = typo.length > 0 ? typo : CATALOG.filter((c) => c.id.startsWith(id.split('.')[0] ?? id)).map((c) => c.id);
    throw new UsageError(`no check ${JSON.stringify(id)}${near.length ? ` (did you mean ${near.slice(0, 5).join(', ')}?)` : ''}; list them with: milvus-l7-doctor explain --list`);
  }
  return [
    `${def.id}  [${def.area}, ${def.severity}]`,
    `  healthy when: ${def.title}`,
    '',
    `  why: ${def.why}`,
    '',
    `  when it fails: ${def.hint}`,
    ...(def.fix ? ['', '  fix:', ...def.fix.split('\n').map((l) => `    ${l}`)] : []),
    '',
    `  docs: ${docsAnchor(def.id)}`,
    '',
  ].join('\n');
}

export function listChecks(): string {
  return table(inReportOrder(CATALOG));
}

function section(def: CheckDef): string {
  return [
    `## ${def.id}`,
    '',
    `**Area** ${def.area} · **severity** ${def.severity}`,
    '',
    `Healthy when ${def.title}.`,
    '',
    def.why,
    '',
    `**When it fails:** ${def.hint}`,
    ...(def.fix ? ['', '**Fix:**', '', '```', def.fix, '```'] : []),
    '',
  ].join('\n');
}

/** docs/checks.md, generated: `npm run docs`; a test fails when the file is stale. */
export function renderChecksMarkdown(): string {
  const toc = CATALOG.map((c) => `- [${c.id}](#${docsAnchor(c.id).split('#')[1]}) — ${c.title}`).join('\n');
  return `# Checks\n\nGenerated from the catalogue (src/catalog.ts) by \`npm run docs\`; \`milvus-l7-doctor explain <id>\` prints the same text.\n\n${toc}\n\n${CATALOG.map(section).join('\n')}`;
}
