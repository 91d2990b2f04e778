// One suite file per area, and every area has one: a check in an area without a file would never run.
import { readdirSync } from 'node:fs';
import { expect, test } from 'vitest';
import { AREAS } from '../src/model.js';

test('suites/ holds exactly one <area>.check.ts per area', () => {
  const files = readdirSync(new URL('../suites/', import.meta.url)).filter((f) => f.endsWith('.check.ts')).sort();
  expect(files).toEqual(AREAS.map((a) => `${a}.check.ts`).sort());
});
