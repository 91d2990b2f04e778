// `explain <id>` and docs/checks.md come from the same catalogue text.
import { CATALOG, findCheck } from '../catalog.js';
import type { CheckDef } from '../checks/define.js';
import { UsageError } from '../errors.js';
import { docsAnchor } from '../engine/suite.js';

export function explain(id: string): string {
  const def = findCheck(id);
  if (!def) {
    const near = CATALOG.filter((c) => c.id.startsWith(id.split('.')[0] ?? id)).map((c) => c.id);
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
  const width = Math.max(...CATALOG.map((c) => c.id.length));
  return `${CATALOG.map((c) => `${c.id.padEnd(width)}  ${c.area.padEnd(8)}  ${c.title}`).join('\n')}\n`;
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
