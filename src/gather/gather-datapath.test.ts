import { Server, ServerCredentials, status as GrpcStatus, type sendUnaryData } from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataPathFacts } from '../facts/types.js';
import { gather } from './gather.js';
import { DATA_PATH_SOURCES } from '../sources/registry.js';
import type { GatherOptions } from '../sources/options.js';
import type { DataPathKey } from '../sources/values.js';
import { type ProtoJson, methodOf } from '../probes/grpc-channel.js';
import { HOST, type MilvusFront, type Pki, closeServer, listen, makePki, refusedPort, startDnsServer, startMilvusFront, startTarpit } from '../../test/kits/testkit.js';

/** Short, for the tarpit's bound; the healthy paths get the CLI default so a loaded CI machine cannot fail them. */
const TIMEOUT = 1_500;
const DEFAULT_TIMEOUT = 5_000;

type Target = Pick<GatherOptions, 'host' | 'address' | 'port' | 'serverName' | 'ca' | 'dnsServer' | 'healthzUrl' | 'credentials'>;

/** Every data-path source, as a run whose checks need them all gathers them. */
function run(target: Partial<Target>, smoke = false, timeoutMs = DEFAULT_TIMEOUT) {
  const steps: string[] = [];
  const options: GatherOptions = {
    host: HOST, address: '127.0.0.1', port: 443, serverName: HOST, ca: null, dnsServer: null, healthzUrl: null, credentials: null,
    caFile: null, provider: 'auto', timeoutMs, latencySamples: 3, smoke, k8s: null, ...target,
  };
  const started = Date.now();
  const needs = Object.keys(DATA_PATH_SOURCES) as DataPathKey[];
  return gather(options, needs, new AbortController().signal, (k, s) => steps.push(`${k}:${s}`)).then(({ facts }) => ({ facts: facts.dataPath, ms: Date.now() - started, steps }));
}

const status = (facts: DataPathFacts) =>
  Object.fromEntries(Object.entries(facts).map(([k, o]) => [k, o.status === 'skipped' ? `skipped${o.blockedBy ? `:${o.blockedBy}` : ''}` : o.status === 'error' ? `error:${o.error.code}` : 'ok']));

describe('gather: the data path', () => {
  let pki: Pki;
  let front: MilvusFront;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  const healthz = createHttpServer((_req, res) => res.end('OK'));
  let healthzPort = 0;
  beforeAll(async () => {
    pki = await makePki();
    [front, dns, healthzPort] = await Promise.all([startMilvusFront(pki), startDnsServer({ [HOST]: { A: ['127.0.0.1'] } }), listen(healthz)]);
  });
  afterAll(async () => {
    healthz.closeAllConnections();
    await Promise.all([front?.stop(), dns?.close(), closeServer(healthz)]);
  });

  it('gathers a healthy path end to end: DNS → nginx (TLS, h2, host rule) → milvus-lite', async () => {
    const { facts, ms, steps } = await run(
      { address: null, port: front.port, ca: [pki.root.certPem], dnsServer: dns.server, healthzUrl: `http://127.0.0.1:${healthzPort}/healthz`, credentials: { username: 'reader', password: 'pw-secret-123' } },
      true,
    );
    expect(status(facts)).toEqual({
      dns: 'ok', tcp: 'ok', tls: 'ok', tlsNoSni: 'ok', http2Host: 'ok', http2Address: 'ok',
      grpcHealth: expect.stringMatching(/^(ok|error:GRPC_HEALTH_UNIMPLEMENTED)$/),
      milvusVersion: 'ok', milvusHealth: 'ok', milvusAuth: 'ok', milvusAnonymous: 'ok', milvusDefaultPassword: 'ok',
      latency: 'ok', smoke: 'ok', healthz: 'ok',
    });
    expect(facts.http2Address.status === 'ok' && facts.http2Address.value.status).toBe(404);
    expect(facts.tls.status === 'ok' && facts.tls.value.analysis.complete).toBe(true);
    expect(steps).toHaveLength(15);
    expect(facts.tlsNoSni.status === 'ok' && facts.tlsNoSni.value.analysis.verifyError).toBeNull();
    expect(JSON.stringify(facts)).not.toContain('pw-secret-123');
    expect(JSON.stringify(facts)).not.toContain(Buffer.from('reader:pw-secret-123').toString('base64'));
    process.stderr.write(`gather healthy (with smoke): ${ms} ms\n`);
  });

  it('without --smoke and --healthz-url, skips them as not applicable', async () => {
    const { facts } = await run({ port: front.port });
    expect(facts.smoke).toMatchObject({ status: 'skipped' });
    expect(facts.smoke.status === 'skipped' && facts.smoke.blockedBy).toBeUndefined();
    expect(facts.healthz).toMatchObject({ status: 'skipped' });
  });

  it('finishes a tarpit within timeout + 2 s and blocks everything after TLS on tls.handshake', async () => {
    const tarpit = await startTarpit();
    try {
      const { facts, ms } = await run({ port: tarpit.port, healthzUrl: `http://127.0.0.1:${tarpit.port}/healthz` }, false, TIMEOUT);
      expect(ms).toBeLessThan(TIMEOUT + 2_000);
      expect(status(facts)).toMatchObject({
        tcp: 'ok', tls: 'error:TLS_HANDSHAKE_TIMEOUT', tlsNoSni: 'error:TLS_HANDSHAKE_TIMEOUT',
        http2Host: 'skipped:tls.handshake', grpcHealth: 'skipped:tls.handshake', milvusVersion: 'skipped:tls.handshake',
        latency: 'skipped:tls.handshake', healthz: 'error:HEALTHZ_TIMEOUT',
      });
      process.stderr.write(`gather tarpit: ${ms} ms (timeout ${TIMEOUT} ms)\n`);
    } finally {
      await tarpit.close();
    }
  });

  it('skips everything after a refused TCP connect on tcp.connect', async () => {
    const { facts } = await run({ port: await refusedPort() });
    const s = status(facts);
    expect(s.tcp).toBe('error:TCP_REFUSED');
    for (const k of ['tls', 'tlsNoSni', 'http2Host', 'http2Address', 'grpcHealth', 'milvusVersion', 'milvusAnonymous', 'latency']) expect(s[k]).toBe('skipped:tcp.connect');
  });

  it('skips on dns.resolves when the host does not resolve and no --address is given', async () => {
    const { facts } = await run({ host: 'nowhere.example.test', address: null, dnsServer: dns.server });
    expect(status(facts)).toMatchObject({ dns: 'error:DNS_NOT_FOUND', tcp: 'skipped:dns.resolves', tls: 'skipped:dns.resolves' });
  });

  it('blocks on alpn.h2 when the front does not speak HTTP/2', async () => {
    const h1 = createTlsServer({ key: pki.leaf.keyPem, cert: pki.leaf.certPem }, (s) => s.end());
    const p = await listen(h1);
    try {
      const { facts } = await run({ port: p });
      expect(status(facts)).toMatchObject({ tls: 'ok', http2Host: 'skipped:alpn.h2', milvusAnonymous: 'skipped:alpn.h2' });
    } finally {
      await closeServer(h1);
    }
  });

  it('blocks gRPC and Milvus on http2.grpc when the host rule answers 404', async () => {
    const lb = createSecureServer({ key: pki.leaf.keyPem, cert: pki.leaf.certPem }, (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>404</h1>');
    });
    const p = await listen(lb);
    try {
      const { facts } = await run({ port: p });
      expect(status(facts)).toMatchObject({ http2Host: 'ok', grpcHealth: 'skipped:http2.grpc', milvusVersion: 'skipped:http2.grpc', milvusAuth: 'skipped:http2.grpc' });
    } finally {
      await closeServer(lb);
    }
  });

  it('blocks the SDK probes on milvus.credentials when the server wants credentials and none were given', async () => {
    const require = createRequire(import.meta.url);
    const protos = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus') as { default: ProtoJson };
    const getVersion = methodOf(protos.default, 'milvus.proto.milvus.MilvusService', 'GetVersion');
    const server = new Server();
    server.register(
      getVersion.path,
      (_call: unknown, callback: sendUnaryData<object>) => callback({ code: GrpcStatus.UNAUTHENTICATED, details: 'missing authorization in header' }),
      getVersion.responseSerialize,
      getVersion.requestDeserialize,
      'unary',
    );
    const creds = ServerCredentials.createSsl(null, [{ private_key: Buffer.from(pki.leaf.keyPem), cert_chain: Buffer.from(pki.leaf.certPem) }]);
    const p = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, port) => (err ? reject(err) : resolve(port))));
    try {
      const { facts } = await run({ port: p });
      expect(status(facts)).toMatchObject({
        http2Host: 'ok', milvusAnonymous: 'ok', milvusAuth: 'skipped',
        milvusVersion: 'skipped:milvus.credentials', milvusHealth: 'skipped:milvus.credentials', latency: 'skipped:milvus.credentials',
      });
      expect(facts.milvusAnonymous.status === 'ok' && facts.milvusAnonymous.value.grpcCode).toBe(16);
    } finally {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
  });
});
