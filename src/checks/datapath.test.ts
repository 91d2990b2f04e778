// Table-driven tests of the data-path judges over hand-built facts: one row per situation.
import { describe, expect, test } from 'vitest';
import { findCheck } from '../catalog.js';
import { fillKnown, judgeCheck } from './define.js';
import { OPTIONS, ROWS } from '../../test/kits/datapath-rows.js';

describe('data-path judges', () => {
  test.each(ROWS)('$id: $name → $verdict', ({ id, f, o, verdict, blockedBy, says }) => {
    const def = findCheck(id);
    expect(def, id).toBeDefined();
    const j = judgeCheck(def as NonNullable<typeof def>, f, { ...OPTIONS, ...o });
    expect(j.verdict).toBe(verdict);
    if (blockedBy) expect(j.verdict === 'blocked' && j.blockedBy).toBe(blockedBy);
    if (says) expect(JSON.stringify({ ...j, hint: 'hint' in j ? j.hint ?? def!.hint : def!.hint, fix: 'fix' in j ? j.fix ?? def!.fix : def!.fix })).toMatch(says);
    if (j.verdict === 'fail' || j.verdict === 'warn') expect(j.expected).not.toBe(j.observed);
  });

  test('every data-path check has a row that passes and a row that does not', () => {
    const ids = new Set(ROWS.map((r) => r.id));
    for (const id of ids) {
      const verdicts = ROWS.filter((r) => r.id === id).map((r) => r.verdict);
      expect(verdicts.some((v) => v !== 'pass'), id).toBe(true);
    }
  });
});

describe('fixes use what the run knows', () => {
  test('placeholders the run can fill are filled; the unknown ones stay', () => {
    const f = { ...ROWS[0].f, target: { ...ROWS[0].f.target, host: 'milvus.example.com', address: '10.0.0.1' } };
    expect(fillKnown('dig +short <host> # then dial <address> in <namespace>', f)).toBe('dig +short milvus.example.com # then dial 10.0.0.1 in <namespace>');
  });
});
