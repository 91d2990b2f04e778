import { describe, expect, test } from 'vitest';
import { createLabWorld, findObject, nextResourceVersion, podPortTarget, putObject, resourceVersionNow, stamp, type LabWorld } from './world.js';
import type { LabProvider } from './k8s-api/resources.js';

const TLS = { certPem: '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n', chainPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n', keyPem: 'KEY' };
const BACKENDS = { milvus: '127.0.0.1:1001', milvusTls: '127.0.0.1:1002', healthz: '127.0.0.1:1003' };

function world(provider: LabProvider, faults: readonly string[] = []): LabWorld {
  return createLabWorld({ provider, host: 'milvus-demo.milvus.io', ingressAddress: '127.0.0.1', tls: TLS, faults, backends: BACKENDS });
}

describe('createLabWorld', () => {
  test.each([
    ['aws', ['Namespace', 'Service', 'Endpoints', 'EndpointSlice', 'Deployment', 'ConfigMap', 'IngressClass', 'IngressClassParams', 'Ingress', 'TargetGroupBinding', 'Event', 'Pod', 'Pod']],
    ['gcp', ['Namespace', 'Service', 'Endpoints', 'EndpointSlice', 'Deployment', 'ConfigMap', 'BackendConfig', 'Secret', 'Ingress', 'Event', 'Pod', 'Pod', 'Node', 'Node']],
  ] as const)('%s: the guide\'s objects as the cluster leaves them, each with a uid and its own resourceVersion', (provider, kinds) => {
    const w = world(provider);
    expect(w.objects.map((o) => o.kind)).toEqual(kinds);
    expect(new Set(w.objects.map((o) => o.metadata.uid)).size).toBe(w.objects.length);
    expect(new Set(w.objects.map((o) => o.metadata.resourceVersion)).size).toBe(w.objects.length);
    expect(w.dataPath).toEqual({});
  });

  test('references agree: endpoints and slices name the pods by their uids, the event the Ingress', () => {
    const w = world('gcp');
    const uidOf = (kind: string, name: string) => findObject(w, kind, name)?.metadata.uid;
    expect(JSON.stringify(findObject(w, 'EndpointSlice', w.objects[3].metadata.name))).toContain(String(uidOf('Pod', w.ids.pods[0].name)));
    expect(w.objects.find((o) => o.kind === 'Event')).toMatchObject({ involvedObject: { uid: uidOf('Ingress', w.ids.ingress) } });
  });

  test('faults change the world and its data-path flags together', () => {
    const w = world('gcp', ['plaintext-backend', 'healthz-not-ready-pod']);
    expect(w.dataPath).toEqual({ backendProtocol: 'plaintext' });
    expect(w.milvusBackend).toBe('h2c');
    expect([...w.healthzOverrides.keys()]).toEqual([w.ids.pods[1].name]);
  });

  test('the gcp world needs a TLS Milvus to send the LB to', () => {
    expect(() => createLabWorld({ provider: 'gcp', host: 'h.example', ingressAddress: '127.0.0.1', tls: TLS, faults: [], backends: { milvus: '127.0.0.1:1', healthz: '127.0.0.1:2' } })).toThrow(/milvusTls/);
  });
});

describe('resource versions', () => {
  test('only grow, past anything stored, and stamp keeps what an object already has', () => {
    const w = world('aws');
    const before = Number(resourceVersionNow(w));
    const next = Number(nextResourceVersion(w));
    expect(next).toBeGreaterThan(before);
    const [o] = stamp(w, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'milvus', resourceVersion: '99999' } }]);
    putObject(w, o);
    expect(o.metadata.resourceVersion).toBe('99999');
    expect(Number(nextResourceVersion(w))).toBe(100000);
  });
});

describe('podPortTarget', () => {
  const aws = world('aws');
  const gcp = world('gcp');
  const mtls = world('gcp', ['mtls-backend']);
  mtls.backends.mtls = { host: '127.0.0.1', port: 1004 };
  const pod = aws.ids.pods[0].name;
  test.each<[string, LabWorld, string, number, unknown]>([
    ['aws 19530: h2c Milvus', aws, pod, 19530, { target: { host: '127.0.0.1', port: 1001 } }],
    ['gcp 19530: TLS Milvus', gcp, gcp.ids.pods[0].name, 19530, { target: { host: '127.0.0.1', port: 1002 } }],
    ['mtls-backend 19530: the client-certificate Milvus', mtls, mtls.ids.pods[0].name, 19530, { target: { host: '127.0.0.1', port: 1004 } }],
    ['9091: the lab healthz', aws, pod, 9091, { target: { host: '127.0.0.1', port: 1003 } }],
    ['a port the pod does not declare', aws, pod, 8080, { error: expect.stringMatching(/^error forwarding port 8080 to pod .*connection refused/) }],
    ['a pod that does not exist', aws, 'nope', 19530, { error: expect.stringContaining('connection refused') }],
  ])('%s', (_what, w, name, port, expected) => {
    expect(podPortTarget(w, name, port)).toEqual(expected);
  });
});
