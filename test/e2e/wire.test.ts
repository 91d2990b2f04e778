// What reaches the lab's servers is what the selected checks need: `--skip security.default-password`
// sends no root:Milvus login, and `--only tls` no Milvus call at all; the full selection — the control —
// sends both the anonymous call and the default-password login.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CATALOG } from '../../src/catalog.js';
import { rootNeeds } from '../../src/checks/needs.js';
import { resolveSelectors } from '../../src/cli/values.js';
import { gather } from '../../src/gather/gather.js';
import { planSources } from '../../src/gather/plan.js';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import type { GatherOptions } from '../../src/sources/options.js';

let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ provider: 'aws', kubernetes: false });
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});

/** Gathers what the checks left by --only/--skip need, against the lab, and returns the calls its stub saw. */
async function callsFor(only: string[] | null, skip: string[]): Promise<{ method: string; credential: string }[]> {
  const options: GatherOptions = {
    host: lab.host, address: lab.address, port: lab.port, serverName: null, caFile: lab.caFile, ca: [readFileSync(lab.caFile, 'utf8')],
    credentials: lab.credentials, healthzUrl: lab.healthzUrl, dnsServer: lab.dnsServer, provider: 'auto', timeoutMs: 5000,
    latencySamples: 2, smoke: false, k8s: null,
  };
  const selected = only ? resolveSelectors('--only', only) : new Set(CATALOG.map((c) => c.id));
  const skipped = skip.length ? resolveSelectors('--skip', skip) : new Set<string>();
  const before = lab.milvusCalls.length;
  const plan = planSources(rootNeeds([...selected].filter((id) => !skipped.has(id)), options), options);
  await gather(options, plan, new AbortController().signal);
  return lab.milvusCalls.slice(before).map((c) => ({ ...c }));
}

describe('what reaches the lab', () => {
  test('the full selection sends the anonymous call and the default-password login (the control)', async () => {
    const calls = await callsFor(null, []);
    expect(calls.some((c) => c.credential === 'default-password')).toBe(true);
    expect(calls.some((c) => c.credential === 'none')).toBe(true);
  }, 60_000);

  test('--skip security.default-password: no root:Milvus login reaches the server, the anonymous call still does', async () => {
    const calls = await callsFor(null, ['security.default-password']);
    expect(calls.filter((c) => c.credential === 'default-password')).toEqual([]);
    expect(calls.some((c) => c.credential === 'none')).toBe(true);
  }, 60_000);

  test('--only tls: no Milvus call at all', async () => {
    expect(await callsFor(['tls'], [])).toEqual([]);
  }, 60_000);
});
