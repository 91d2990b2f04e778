// The body of every suites/*.check.ts file: one vitest test per catalogue check of the given areas.
// The test judges the provided Facts, records the verdict in task meta, and makes vitest's own state
// agree with it (fail → a failed expectation, skip/blocked → skipped).
import { expect, inject, test } from 'vitest';
import './meta.js';
import { CATALOG } from '../catalog.js';
import type { Area } from '../model.js';
import type { Facts } from '../facts/types.js';
import { fillKnown, judgeCheck, type CheckDef, type Judgement } from '../checks/define.js';
import type { CheckMeta } from './meta.js';
import { receiveJudging, type Judging } from './channel.js';

export { docsAnchor } from '../checks/docs-link.js';
import { docsAnchor } from '../checks/docs-link.js';

export function toMeta(def: CheckDef, j: Judgement, facts?: Facts): CheckMeta {
  const fill = (text: string): string => (facts ? fillKnown(text, facts) : text);
  const base = {
    id: def.id,
    area: def.area,
    title: def.title,
    severity: def.severity,
    verdict: j.verdict,
    docs: docsAnchor(def.id),
  } as const;
  switch (j.verdict) {
    case 'pass':
      return { ...base, ...(j.observed !== undefined ? { observed: j.observed } : {}), ...(j.evidence ? { evidence: j.evidence } : {}) };
    case 'warn':
    case 'fail':
      return {
        ...base,
        expected: j.expected,
        observed: j.observed,
        hint: fill(j.hint ?? def.hint),
        ...(j.fix ?? def.fix ? { fix: fill(j.fix ?? def.fix ?? '') } : {}),
        ...(j.evidence ? { evidence: j.evidence } : {}),
      };
    case 'skip':
      return { ...base, reason: j.reason };
    case 'blocked':
      return { ...base, blockedBy: j.blockedBy, reason: j.reason };
    case 'error':
      return { ...base, observed: j.observed, hint: j.hint ?? 'the check could not run; see observed', ...(j.evidence ? { evidence: j.evidence } : {}) };
  }
}

/** The check could not run (permission denied, API unreachable): neither pass nor fail. */
export class CheckCouldNotRun extends Error {}

// One wait per run: with isolate: false the suite files share this module, so the later files find the
// facts already here.
let judging: Promise<Judging | null> | null = null;

/**
 * One suite file per area (suites/<area>.check.ts): one vitest test per catalogue check of that area.
 * Collection waits here for the facts (see channel.ts); a run that ended without facts defines no test.
 */
export async function defineSuite(area: Area): Promise<void> {
  judging ??= receiveJudging(inject('doctorChannel'));
  const run = await judging;
  if (!run) return;
  const { facts, options } = run;
  const selected = new Set(run.selected);
  for (const def of CATALOG) {
    if (def.area !== area || !selected.has(def.id)) continue;
    test(def.id, (ctx) => {
      const judgement = judgeCheck(def, facts, options);
      const meta = toMeta(def, judgement, facts);
      ctx.task.meta.doctor = meta;
      switch (judgement.verdict) {
        case 'pass':
        case 'warn':
          return;
        case 'skip':
          ctx.skip(judgement.reason);
          return;
        case 'blocked':
          ctx.skip(`blocked by ${judgement.blockedBy}: ${judgement.reason}`);
          return;
        case 'fail':
          // The verdict is the assertion; expected and observed travel in the message and in meta.
          expect(judgement.verdict, `expected ${judgement.expected}, observed ${judgement.observed}`).toBe('pass');
          return;
        case 'error':
          throw new CheckCouldNotRun(judgement.observed);
      }
    });
  }
}
