// Checks declare what they read (CheckDef.needs), and gather runs only that. This proves the declarations:
// every check judged over facts where everything outside its planned sources was never gathered gives
// the same judgement as over the whole facts, over every fact set the judges' own tables use.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../catalog.js';
import { judgeCheck } from './define.js';
import type { Facts } from '../facts/types.js';
import type { K8sFacts } from '../platform/k8s/types.js';
import type { GatherOptions } from '../sources/options.js';
import type { SourceKey } from '../sources/values.js';
import { planSources } from '../gather/plan.js';
import { OPTIONS as DATA_PATH_OPTIONS, ROWS } from '../../test/kits/datapath-rows.js';
import { FIXTURES, JUDGE_OPTIONS, factsWith, k8sFromFixtures } from '../../test/kits/k8s-testkit.js';

const NOT_GATHERED = { status: 'skipped', reason: 'not gathered' } as const;

function optionsFor(f: Facts): GatherOptions {
  return {
    host: f.target.host, address: f.target.address, port: f.target.port, serverName: f.target.serverName, caFile: f.target.caFile, ca: null,
    credentials: f.target.credentials === 'token' ? { token: 't' } : f.target.credentials === 'user-password' ? { username: 'u', password: 'p' } : null,
    healthzUrl: f.target.healthzUrl, dnsServer: f.target.dnsServer, provider: f.target.provider === 'unknown' ? 'auto' : f.target.provider,
    timeoutMs: 5000, latencySamples: 20, smoke: true,
    k8s: f.k8s ? { mode: f.k8s.source === 'live' ? 'live' : 'manifests' } : null,
  };
}

/** The facts a run that gathered only `plan` would have had. */
function pruned(f: Facts, plan: ReadonlySet<SourceKey>): Facts {
  const keep = <T>(key: SourceKey, o: T): T | typeof NOT_GATHERED => (plan.has(key) ? o : NOT_GATHERED);
  const dataPath = Object.fromEntries(Object.entries(f.dataPath).map(([k, o]) => [k, keep(k as SourceKey, o)])) as Facts['dataPath'];
  const k8s: K8sFacts | undefined = f.k8s
    ? ({ ...f.k8s, ...Object.fromEntries(Object.entries(f.k8s).filter(([, o]) => typeof o === 'object' && o !== null && 'status' in o).map(([k, o]) => [k, keep(`k8s.${k}` as SourceKey, o)])) } as K8sFacts)
    : undefined;
  return { ...f, selection: keep('selection', f.selection), dataPath, ...(k8s ? { k8s } : {}) };
}

function factSets(): { name: string; facts: Facts; options: typeof JUDGE_OPTIONS }[] {
  const sets = ROWS.map((r) => ({ name: `data path: ${r.id} ${r.name}`, facts: r.f, options: { ...DATA_PATH_OPTIONS, ...r.o } }));
  for (const flavour of ['aws', 'gcp'] as const) {
    const faults = readdirSync(join(FIXTURES, flavour, 'faults')).sort();
    for (const fault of [null, ...faults]) {
      const k8s = k8sFromFixtures({ flavour, ...(fault ? { with: [fault] } : {}) });
      sets.push({ name: `${flavour} ${fault ?? 'base'}`, facts: factsWith(k8s), options: JUDGE_OPTIONS });
      sets.push({ name: `${flavour} ${fault ?? 'base'} --host`, facts: factsWith(k8s, { host: 'milvus-demo.milvus.io', provider: flavour }), options: JUDGE_OPTIONS });
    }
  }
  return sets;
}

describe('every check reads only what it declares', () => {
  const sets = factSets();
  test.each(CATALOG.map((c) => [c.id, c] as const))('%s', (_id, def) => {
    expect(def.needs.length, 'a check that reads nothing cannot judge anything').toBeGreaterThan(0);
    for (const s of sets) {
      // What it only uses is there when another check gathered it: a full run, the facts of these sets.
      const plan = planSources([...def.needs, ...(def.uses ?? [])], optionsFor(s.facts));
      expect(judgeCheck(def, pruned(s.facts, plan), s.options), s.name).toEqual(judgeCheck(def, s.facts, s.options));
    }
  });

  test('the fact sets exercise pass and non-pass verdicts', () => {
    const verdicts = new Set(sets.flatMap((s) => CATALOG.map((c) => judgeCheck(c, s.facts, s.options).verdict)));
    expect([...verdicts].sort()).toEqual(expect.arrayContaining(['blocked', 'fail', 'pass', 'skip', 'warn']));
  });
});
