import { judgeCheck } from '../../checks/define.js';
// The live reader and every Kubernetes/AWS/GCP check against the lab's Kubernetes API stand-in (the real
// client-node over HTTP, port-forward over WebSocket to gRPC backends made here), for both flavours and
// each of the lab's faults: the fault's own checks fail, and none of the other checks here fails.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createSecureServer, createServer as createH2cServer, type Http2SecureServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { annotationChecks } from '../../checks/aws/annotations.js';
import type { CheckDef } from '../../checks/define.js';
import { gcpChecks } from '../../checks/gcp/index.js';
import { k8sChecks } from '../../checks/k8s/index.js';
import { factsWith } from '../../../test/kits/k8s-testkit.js';
import { K8S_FAULTS } from '../../lab/k8s-api/faults.js';
import { startK8sApi, type K8sApiHandle } from '../../lab/k8s-api/server.js';
import { createLabPki } from '../../lab/pki.js';
import { readK8s as readLive } from '../../../test/kits/gather-k8s.js';
import { tempDir } from '../../../test/tmp.js';

// The AWS API checks need the lab's ELBv2/ACM stand-in, not only its Kubernetes API: test/e2e/lab-k8s.test.ts.
// What the Kubernetes objects alone decide: the Compute checks judge the Compute API's facts, which this
// test does not gather (test/e2e/gcp-compute.test.ts and the lab fault runs do).
const MINE: readonly CheckDef[] = [...k8sChecks, ...annotationChecks, ...gcpChecks.filter((c) => !c.needs.some((n) => n.startsWith('gcp.')))];
const HOST = 'milvus-demo.milvus.io';
const DAY = 86_400_000;

function answerGetVersion(stream: ServerHttp2Stream): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  // GetVersionResponse{ version: "v2.4.5" }: field 2, length-delimited.
  const msg = Buffer.concat([Buffer.from([0x12, 6]), Buffer.from('v2.4.5')]);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(msg.length, 1);
  stream.end(Buffer.concat([frame, msg]));
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

interface Backends {
  milvus: string;
  milvusTls: string;
  healthz: string;
  tls: { certPem: string; chainPem: string; keyPem: string; expiredCertPem: string; expiredKeyPem: string };
  close(): Promise<void>;
}

async function startBackends(): Promise<Backends> {
  const dir = tempDir('k8s-lab-');
  const now = Date.now();
  const good = await createLabPki(join(dir, 'good'), { host: HOST, leaf: { name: HOST } });
  const old = await createLabPki(join(dir, 'old'), { host: HOST, leaf: { name: HOST, notBefore: new Date(now - 100 * DAY), notAfter: new Date(now - 10 * DAY) } });
  const [leaf, ...chain] = pemBlocks(readFileSync(good.fullchainFile, 'utf8'));
  const keyPem = readFileSync(good.keyFile, 'utf8');
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const h2c: Http2Server = createH2cServer();
  h2c.on('stream', answerGetVersion);
  const tls: Http2SecureServer = createSecureServer({ cert: readFileSync(good.backendFullchainFile), key: readFileSync(good.backendKeyFile), ALPNProtocols: ['h2'] });
  tls.on('stream', answerGetVersion);
  const healthz: HttpServer = createHttpServer((_req, res) => res.end('OK'));
  const listen = (s: HttpServer | Http2Server | Http2SecureServer): Promise<string> =>
    new Promise((resolve) => {
      s.on('connection', track);
      s.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(s.address() as AddressInfo).port}`));
    });
  const [milvus, milvusTls, hz] = await Promise.all([listen(h2c), listen(tls), listen(healthz)]);
  return {
    milvus,
    milvusTls,
    healthz: hz,
    tls: {
      certPem: leaf,
      chainPem: chain.join('\n'),
      keyPem,
      expiredCertPem: pemBlocks(readFileSync(old.fullchainFile, 'utf8'))[0],
      expiredKeyPem: readFileSync(old.keyFile, 'utf8'),
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([h2c, tls, healthz].map((s) => new Promise((r) => s.close(r))));
    },
  };
}

async function runAgainstLab(backends: Backends, provider: 'aws' | 'gcp', faults: readonly string[], forbidden: readonly { verb: string; resource: string }[] = []) {
  const api: K8sApiHandle = await startK8sApi({
    provider,
    faults,
    host: HOST,
    ingressAddress: provider === 'gcp' ? '34.111.144.65' : 'k8s-milvus-milvusde-2f72215c02-778371620.us-east-2.elb.amazonaws.com',
    backend: { milvus: backends.milvus, milvusTls: backends.milvusTls, healthz: backends.healthz },
    tls: backends.tls,
    dir: tempDir('k8s-lab-api-'),
    forbidden,
  });
  try {
    const k8s = await readLive({ kubeconfig: api.kubeconfigPath, context: api.context, namespace: api.ids.namespace, release: 'milvus-demo', timeoutMs: 4000, signal: new AbortController().signal });
    const facts = factsWith(k8s);
    const now = new Date().toISOString();
    const verdicts = new Map(MINE.map((c) => [c.id, judgeCheck(c, facts, { warnDays: 14, failDays: 3, maxLatencyMs: null, smoke: false, now })]));
    return { k8s, verdicts };
  } finally {
    await api.stop();
  }
}

describe('against the lab Kubernetes API', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(async () => {
    await backends.close();
  });

  test.each(['gcp', 'aws'] as const)('%s flavour as the guide builds it: nothing fails', async (provider) => {
    const { k8s, verdicts } = await runAgainstLab(backends, provider, []);
    const bad = [...verdicts].filter(([, j]) => j.verdict === 'fail' || j.verdict === 'error').map(([id, j]) => `${id}: ${JSON.stringify(j)}`);
    expect(bad).toEqual([]);
    expect(verdicts.get('http2.backend-protocol')?.verdict).toBe('pass');
    expect(verdicts.get('k8s.service.exists')?.verdict).toBe('pass');
    expect(k8s.backendProtocol.status === 'ok' && k8s.backendProtocol.value.tls.outcome).toBe(provider === 'gcp' ? 'tls' : 'plaintext');
    // The snapshot is plain JSON: it survives --snapshot files and the trip into vitest workers unchanged.
    expect(JSON.parse(JSON.stringify(k8s))).toEqual(k8s);
    expect(JSON.stringify(k8s)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  test.each([
    ['plaintext-backend', 'plaintext'],
    ['mtls-backend', 'client-cert-required'],
  ] as const)('port-forward sees what GKE would meet: %s → %s', async (fault, outcome) => {
    const { k8s, verdicts } = await runAgainstLab(backends, 'gcp', [fault]);
    expect(k8s.backendProtocol.status === 'ok' && k8s.backendProtocol.value.tls.outcome).toBe(outcome);
    expect(verdicts.get('http2.backend-protocol')).toMatchObject({ verdict: 'fail', observed: expect.stringMatching(fault === 'mtls-backend' ? /client certificate/ : /plaintext h2c/) });
  });

  test('RBAC: a forbidden port-forward or endpointslices list is `error` naming verb and resource, never pass or fail', async () => {
    const { k8s, verdicts } = await runAgainstLab(backends, 'gcp', [], [
      { verb: '*', resource: 'pods/portforward' },
      { verb: 'list', resource: 'endpointslices' },
    ]);
    expect(k8s.backendProtocol.status === 'error' && k8s.backendProtocol.error.code).toBe('K8S_FORBIDDEN');
    expect(verdicts.get('http2.backend-protocol')).toMatchObject({ verdict: 'error', observed: expect.stringContaining('pods/portforward') });
    expect(verdicts.get('k8s.endpoints.ready')).toMatchObject({ verdict: 'error', observed: expect.stringContaining('list endpointslices.discovery.k8s.io in milvus') });
    expect([...verdicts].filter(([, j]) => j.verdict === 'fail')).toEqual([]);
  });

  // A fault's checks that need the wire (the TLS probe) fail in the lab's end-to-end runs, not here.
  const mineIds = new Set(MINE.filter((c) => c.needs.every((n) => n === 'selection' || n.startsWith('k8s.'))).map((c) => c.id));
  const cases = K8S_FAULTS.flatMap((f) => (f.provider === 'any' ? (['gcp', 'aws'] as const) : [f.provider]).map((p) => [f.name, p, f.expectFail.filter((id) => mineIds.has(id)), f.expectFail] as const));
  test.each(cases)('fault %s (%s): its checks fail, no other check fails', async (fault, provider, expectFail, allExpected) => {
    const { verdicts } = await runAgainstLab(backends, provider, [fault]);
    for (const id of expectFail) expect(verdicts.get(id)?.verdict, `${id}: ${JSON.stringify(verdicts.get(id))}`).toBe('fail');
    const others = [...verdicts].filter(([id, j]) => !allExpected.includes(id) && (j.verdict === 'fail' || j.verdict === 'error')).map(([id, j]) => `${id}: ${JSON.stringify(j)}`);
    expect(others).toEqual([]);
  });
});
