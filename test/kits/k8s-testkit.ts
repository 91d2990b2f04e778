// Test support for the Kubernetes, AWS and GCP checks: facts from YAML fixtures through the offline
// loader, the same path `--manifests` takes. A fixture set is a flavour's base directory plus overlays
// that replace objects of the same kind and name (or add new ones).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataPathFacts, Facts, JudgeOptions, TargetInfo } from '../../src/facts/types.js';
import { parseManifestText, type ManifestOptions } from '../../src/platform/k8s/manifests.js';
import { factsFromObjects } from '../../src/platform/k8s/offline.js';
import * as discover from '../../src/platform/k8s/discover.js';
import { decideSelection } from '../../src/sources/selection.js';
import { kindOf, nameOf, type RawObject } from '../../src/platform/k8s/objects.js';
import type { K8sFacts } from '../../src/platform/k8s/types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/tests/k8s/', import.meta.url));

export interface FixtureSet {
  readonly flavour: 'aws' | 'gcp';
  /** Base files to leave out (e.g. 'backendconfig.yaml'). */
  readonly without?: readonly string[];
  /** Overlay files under <flavour>/faults/, applied in order. */
  readonly with?: readonly string[];
  readonly options?: ManifestOptions;
}

function readObjects(file: string): RawObject[] {
  return parseManifestText(readFileSync(file, 'utf8'), file);
}

export function fixtureObjects(set: FixtureSet): RawObject[] {
  const baseDir = join(FIXTURES, set.flavour, 'base');
  const byKey = new Map<string, RawObject>();
  const put = (o: RawObject): void => {
    byKey.set(`${kindOf(o)}/${nameOf(o)}`, o);
  };
  for (const f of readdirSync(baseDir).sort()) if (!(set.without ?? []).includes(f)) readObjects(join(baseDir, f)).forEach(put);
  for (const f of set.with ?? []) readObjects(join(FIXTURES, set.flavour, 'faults', f)).forEach(put);
  return [...byKey.values()];
}

export function k8sFromFixtures(set: FixtureSet): K8sFacts {
  return factsFromObjects(fixtureObjects(set), set.options ?? {});
}

const NOT_PROBED = { status: 'skipped', reason: 'not probed in this test' } as const;

export function emptyDataPath(): DataPathFacts {
  return {
    dns: NOT_PROBED,
    tcp: NOT_PROBED,
    tls: NOT_PROBED,
    tlsNoSni: NOT_PROBED,
    http2Host: NOT_PROBED,
    http2Address: NOT_PROBED,
    grpcHealth: NOT_PROBED,
    milvusVersion: NOT_PROBED,
    milvusHealth: NOT_PROBED,
    milvusAuth: NOT_PROBED,
    milvusAnonymous: NOT_PROBED,
    milvusDefaultPassword: NOT_PROBED,
    latency: NOT_PROBED,
    smoke: NOT_PROBED,
    healthz: NOT_PROBED,
  };
}

/**
 * Facts around a Kubernetes snapshot, with the selection decided as gather decides it: from the target's
 * host and provider (the flags) and the objects.
 */
export function factsWith(k8s: K8sFacts | undefined, target: Partial<TargetInfo> = {}, dataPath: Partial<DataPathFacts> = {}): Facts {
  const flags = {
    host: target.host ?? null,
    address: target.address ?? null,
    provider: target.provider && target.provider !== 'unknown' ? target.provider : ('auto' as const),
    k8s: k8s ? { mode: k8s.source === 'live' ? ('live' as const) : ('manifests' as const), ...nonNull(k8s.requested) } : null,
  };
  const selection = k8s ? decideSelection(flags, k8s, discover) : null;
  return {
    schema: 2,
    selection: selection ? { status: 'ok', value: selection, ms: 0 } : { status: 'skipped', reason: 'no cluster in this test' },
    target: {
      host: null,
      address: null,
      port: 443,
      serverName: null,
      healthzUrl: null,
      caFile: null,
      credentials: 'none',
      dnsServer: null,
      ...target,
      provider: target.provider && target.provider !== 'unknown' ? target.provider : selection?.provider ?? 'unknown',
    },
    gatheredAt: '2030-01-01T00:00:00.000Z',
    gatherMs: 0,
    dataPath: { ...emptyDataPath(), ...dataPath },
    ...(k8s ? { k8s } : {}),
  };
}

/** The tests' clock is fixed so certificate validity judges the same way every year. */
export const JUDGE_OPTIONS: JudgeOptions = { warnDays: 30, failDays: 7, maxLatencyMs: null, smoke: false, now: '2030-01-01T00:00:00.000Z' };

function nonNull(r: K8sFacts['requested']): { release?: string; service?: string; ingress?: string } {
  return {
    ...(r.release !== null ? { release: r.release } : {}),
    ...(r.service !== null ? { service: r.service } : {}),
    ...(r.ingress !== null ? { ingress: r.ingress } : {}),
  };
}

/** What the selection decides from these objects alone (no flags), as gather decides it. */
export function discovered(k8s: K8sFacts) {
  return decideSelection({ host: null, address: null, provider: 'auto', k8s: null }, k8s, discover);
}
