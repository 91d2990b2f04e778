// Which sources a selection gathers: --only, --skip, offline, provider. What is not planned is never
// started (run-graph.test.ts and the e2e tests prove that on the wire and in the loaded modules).
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../catalog.js';
import type { GatherOptions } from '../sources/options.js';
import { SOURCES } from '../sources/registry.js';
import type { SourceKey } from '../sources/values.js';
import { resolveSelectors } from '../cli/values.js';
import { rootNeeds } from '../checks/needs.js';
import { planSources } from './plan.js';
import { gather } from './gather.js';

const BASE: GatherOptions = {
  host: 'milvus.example.com', address: '127.0.0.1', port: 443, serverName: null, caFile: null, ca: null, credentials: null, healthzUrl: null,
  dnsServer: null, provider: 'auto', timeoutMs: 5000, latencySamples: 20, smoke: false, k8s: null,
};
const LIVE: GatherOptions = { ...BASE, k8s: { mode: 'live', namespace: 'milvus', release: 'milvus-demo' } };
const ALL = CATALOG.map((c) => c.id);

function plan(options: GatherOptions, only?: string[], skip: string[] = []): Set<SourceKey> {
  const selected = only ? resolveSelectors('--only', only) : new Set(ALL);
  const skipped = skip.length ? resolveSelectors('--skip', skip) : new Set<string>();
  return planSources(rootNeeds([...selected].filter((id) => !skipped.has(id)), options), options);
}

const MILVUS: SourceKey[] = ['milvusAnonymous', 'milvusAuth', 'milvusDefaultPassword', 'milvusVersion', 'milvusHealth', 'latency', 'smoke', 'sdkSession'];
const k8sKeys = (p: Set<SourceKey>) => [...p].filter((k) => k.startsWith('k8s.'));

describe('the plan of a selection', () => {
  test('--only tls: the TLS handshake and what it stands on, no Milvus session, no Kubernetes read', () => {
    expect([...plan(BASE, ['tls'])].sort()).toEqual(['dial', 'endpoint', 'tcp', 'tls', 'tlsNoSni'].sort());
    const withCluster = plan(LIVE, ['tls']);
    for (const k of MILVUS) expect(withCluster.has(k), k).toBe(false);
    expect(k8sKeys(withCluster)).toEqual([]);
    expect(withCluster.has('selection')).toBe(false);
  });

  test('--only tls without --address resolves the host first', () => {
    expect(plan({ ...BASE, address: null }, ['tls']).has('dns')).toBe(true);
    expect(plan(BASE, ['tls']).has('dns')).toBe(false);
  });

  test('--skip security.default-password never plans the root:Milvus login', () => {
    expect(plan(BASE).has('milvusDefaultPassword')).toBe(true);
    expect(plan(BASE, undefined, ['security.default-password']).has('milvusDefaultPassword')).toBe(false);
    expect(plan(BASE, undefined, ['security.default-password']).has('milvusAnonymous')).toBe(true);
  });

  test('no cluster: every Kubernetes source is planned only as not applicable (its skip reason), never read', () => {
    const p = plan(BASE);
    expect(k8sKeys(p).length).toBeGreaterThan(0);
    for (const k of k8sKeys(p)) expect(SOURCES[k].applies?.(BASE), k).toMatch(/no cluster/);
  });

  test('a cluster but --host and --address given: the probes do not wait for the cluster', () => {
    const p = plan(LIVE, ['dns', 'tcp']);
    expect(p.has('selection')).toBe(false);
    expect(k8sKeys(p)).toEqual([]);
    const discovered = plan({ ...LIVE, host: null, address: null }, ['tcp']);
    expect(discovered.has('selection') && discovered.has('k8s.ingresses')).toBe(true);
  });

  test('--provider aws plans no GKE object, --provider gcp no AWS object', () => {
    const aws = plan({ ...LIVE, provider: 'aws' });
    expect(aws.has('k8s.backendConfigs') || aws.has('k8s.managedCertificates')).toBe(false);
    expect(aws.has('k8s.targetGroupBindings')).toBe(true);
    const gcp = plan({ ...LIVE, provider: 'gcp' });
    expect(gcp.has('k8s.targetGroupBindings')).toBe(false);
    expect(gcp.has('k8s.backendConfigs')).toBe(true);
    const auto = plan(LIVE);
    expect(auto.has('k8s.targetGroupBindings') && auto.has('k8s.backendConfigs')).toBe(true);
  });

  test('offline without --address: data-path sources are planned as not applicable and need nothing', () => {
    const offline: GatherOptions = { ...BASE, host: null, address: null, k8s: { mode: 'manifests', manifests: 'x' } };
    const p = plan(offline);
    expect(p.has('k8s.services')).toBe(true);
    for (const k of ['tcp', 'tls', 'milvusVersion'] as SourceKey[]) expect(SOURCES[k].applies?.(offline)).toMatch(/offline/);
    expect(p.has('sdkSession')).toBe(false);
  });

  test('--only k8s.service.exists reads the Services (and what selection consults), not the pods', () => {
    const p = plan({ ...LIVE, host: null, address: null }, ['k8s.service.exists']);
    expect(p.has('k8s.services')).toBe(true);
    expect(p.has('k8s.pods') || p.has('k8s.backendProtocol') || p.has('tcp')).toBe(false);
  });

  test('the graph has no cycle under any mode, and every dependency is a registered source', () => {
    for (const o of [BASE, LIVE, { ...LIVE, host: null, address: null }, { ...BASE, k8s: { mode: 'manifests' as const, manifests: 'x' } }]) {
      const p = planSources(Object.keys(SOURCES) as SourceKey[], o);
      for (const k of p) expect(SOURCES[k], k).toBeDefined();
    }
  });
});

describe('what a selection starts, run for real over manifests', () => {
  const FIXTURE = fileURLToPath(new URL('../../fixtures/tests/k8s/aws/base', import.meta.url));
  const offline = (o: Partial<GatherOptions> = {}): GatherOptions => ({ ...BASE, host: null, address: null, k8s: { mode: 'manifests', manifests: FIXTURE }, ...o });
  const started = async (options: GatherOptions, only?: string[], skip: string[] = []) =>
    new Set((await gather(options, plan(options, only, skip), new AbortController().signal)).started);

  test('offline without --address: the objects are read, nothing is dialled', async () => {
    const s = await started(offline());
    expect(s.has('k8s.cluster') && s.has('k8s.services') && s.has('selection')).toBe(true);
    for (const k of ['endpoint', 'dns', 'tcp', 'tls', 'sdkSession', 'milvusAnonymous'] as SourceKey[]) expect(s.has(k), k).toBe(false);
  });

  test('offline with --host only: the host judges the objects, and still nothing is dialled', async () => {
    const s = await started(offline({ host: 'milvus-demo.milvus.io' }));
    expect(s.has('selection')).toBe(true);
    for (const k of ['endpoint', 'dns', 'tcp', 'tls'] as SourceKey[]) expect(s.has(k), k).toBe(false);
    const withAddress = await started(offline({ host: 'milvus-demo.milvus.io', address: '127.0.0.1', port: 1 }));
    expect(withAddress.has('tcp')).toBe(true);
  });

  test('--provider gcp offline: the AWS object is never read; --provider aws: the GKE ones are not', async () => {
    const gcp = await started(offline({ provider: 'gcp' }));
    expect(gcp.has('k8s.targetGroupBindings')).toBe(false);
    expect(gcp.has('k8s.backendConfigs')).toBe(true);
    const aws = await started(offline({ provider: 'aws' }));
    expect(aws.has('k8s.backendConfigs') || aws.has('k8s.managedCertificates')).toBe(false);
  });

  test('--only k8s.ingress.class reads what the selection needs and the classes, nothing per pod', async () => {
    const s = await started(offline(), ['k8s.ingress.class']);
    expect(s.has('k8s.ingressClasses')).toBe(true);
    for (const k of ['k8s.pods', 'k8s.endpointSlices', 'k8s.milvusConfig', 'k8s.tlsSecret'] as SourceKey[]) expect(s.has(k), k).toBe(false);
  });
});
