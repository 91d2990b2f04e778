import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeError } from '../errors.js';
import { type ProtoJson, methodOf } from './grpc-channel.js';
import { probeGrpcHealth } from './grpc-health.js';
import {
  probeMilvusAnonymous,
  probeMilvusAuth,
  probeMilvusDefaultPassword,
  probeMilvusHealth,
  probeMilvusLatency,
  probeMilvusSmoke,
  probeMilvusVersion,
} from './milvus.js';
import { codeOf, HOST, makePki, probeCtx, startMilvusFront, type MilvusFront, type Pki } from '../../test/kits/testkit.js';

const ctx = (timeoutMs = 5_000) => probeCtx(timeoutMs);


describe('Milvus probes through nginx (TLS, HTTP/2, host rule) to milvus-lite', () => {
  let pki: Pki;
  let front: MilvusFront;
  beforeAll(async () => {
    pki = await makePki();
    front = await startMilvusFront(pki);
  });
  afterAll(async () => {
    await front?.stop();
  });

  const target = (authority = HOST) => ({ address: '127.0.0.1', port: front.port, serverName: HOST, authority, ca: [pki.root.certPem], credentials: null });

  it('gets the version through the SDK when :authority is the host', async () => {
    const fact = await probeMilvusVersion(target(), ctx());
    expect(fact.version).toMatch(/^milvus_lite/);
  });

  it('treats the SDK empty "success" as a failure when :authority is the address (404 at the LB)', async () => {
    expect(await codeOf(probeMilvusVersion(target(`127.0.0.1:${front.port}`), ctx()))).toBe('MILVUS_EMPTY_VERSION');
  });

  it('reads CheckHealth, latency percentiles and the anonymous answer', async () => {
    const [health, latency, anon, rootDefault, misrouted] = await Promise.all([
      probeMilvusHealth(target(), ctx()),
      probeMilvusLatency(target(), 5, ctx()),
      probeMilvusAnonymous(target(), ctx()),
      probeMilvusDefaultPassword(target(), ctx()),
      probeMilvusAnonymous(target(`127.0.0.1:${front.port}`), ctx()),
    ]);
    expect(health).toEqual({ isHealthy: true, reasons: [] });
    expect(latency).toMatchObject({ samples: 5, failed: 0 });
    expect(latency.p50).toBeLessThanOrEqual(latency.p95);
    expect(latency.p95).toBeLessThanOrEqual(latency.max);
    // milvus-lite has no authentication: both are accepted.
    expect(anon).toMatchObject({ grpcCode: 0, accepted: true });
    expect(rootDefault).toMatchObject({ grpcCode: 0, accepted: true });
    expect(misrouted).toMatchObject({ grpcCode: status.UNIMPLEMENTED, accepted: false });
  });

  it('runs the smoke test and always drops its collection', async () => {
    const fact = await probeMilvusSmoke(target(), { ...ctx(), timeoutMs: 5_000 });
    expect(fact.collection).toMatch(/^l7doctor_smoke_\d+_[a-z0-9]+$/);
    expect(fact.steps.map((s) => [s.name, s.ok, s.error ?? '']).map(([n, o]) => [n, o]), JSON.stringify(fact.steps)).toEqual([['create', true], ['insert', true], ['search', true], ['drop', true]]);
    expect(fact.dropped).toBe(true);
  });

  it('reports grpc.health.v1 through the front', async () => {
    const result = await probeGrpcHealth(target(), ctx()).then(
      (v) => v.status,
      (err: unknown) => (err instanceof ProbeError ? err.code : 'unexpected'),
    );
    expect(['SERVING', 'GRPC_HEALTH_UNIMPLEMENTED']).toContain(result);
  });
});

describe('credential probes against a Milvus that requires authorization', () => {
  let pki: Pki;
  let server: Server;
  let port = 0;
  const received: (string | null)[] = [];

  beforeAll(async () => {
    pki = await makePki();
    const require = createRequire(import.meta.url);
    const protos = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus') as { default: ProtoJson };
    const getVersion = methodOf(protos.default, 'milvus.proto.milvus.MilvusService', 'GetVersion', { enums: String, defaults: true });
    server = new Server();
    const ok = { error_code: 'Success', code: 0, reason: '' };
    server.register(
      getVersion.path,
      (call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
        const auth = call.metadata.get('authorization')[0];
        const value = auth === undefined ? null : String(auth);
        received.push(value);
        if (value === null) return callback({ code: status.UNAUTHENTICATED, details: 'missing authorization in header' });
        const decoded = Buffer.from(value, 'base64').toString();
        if (decoded === 'root:Milvus' || decoded === 'reader:s3cret-pass') return callback(null, { status: ok, version: 'v2.5.0' });
        return callback(null, { status: { error_code: 'UnexpectedError', code: 1800, reason: `auth check failure for ${decoded}` }, version: '' });
      },
      getVersion.responseSerialize,
      getVersion.requestDeserialize,
      'unary',
    );
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createSsl(null, [{ private_key: Buffer.from(pki.leaf.keyPem), cert_chain: Buffer.from(pki.leaf.certPem + pki.intermediate.certPem) }]), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  const target = () => ({ address: '127.0.0.1', port, serverName: HOST, authority: HOST, ca: [pki.root.certPem] });

  it('sees UNAUTHENTICATED without credentials and sends user:password as the SDK does', async () => {
    received.length = 0;
    const anon = await probeMilvusAnonymous(target(), ctx());
    expect(anon).toMatchObject({ grpcCode: status.UNAUTHENTICATED, accepted: false });
    const good = await probeMilvusAuth(target(), { username: 'reader', password: 's3cret-pass' }, ctx());
    expect(good).toMatchObject({ grpcCode: 0, accepted: true });
    const rootDefault = await probeMilvusDefaultPassword(target(), ctx());
    expect(rootDefault).toMatchObject({ grpcCode: 0, accepted: true });
    expect(received).toEqual([null, Buffer.from('reader:s3cret-pass').toString('base64'), Buffer.from('root:Milvus').toString('base64')]);
  });

  it('reports a refusal inside an OK response as not accepted, with the secret redacted', async () => {
    const bad = await probeMilvusAuth(target(), { token: 'reader:wrong-pass' }, ctx());
    expect(bad).toMatchObject({ grpcCode: 0, accepted: false, milvusCode: 1800, milvusErrorCode: 'UnexpectedError' });
    expect(JSON.stringify(bad)).not.toContain('wrong-pass');
  });

  it('never sends the given credentials to a server whose certificate a client would refuse', async () => {
    // No --ca: the system roots do not know the test PKI, as with an untrusted or self-signed front.
    const untrusted = { ...target(), ca: null };
    const wrongName = { ...target(), serverName: 'not-the-host.example', authority: 'not-the-host.example' };
    for (const t of [untrusted, wrongName]) {
      received.length = 0;
      const auth = await probeMilvusAuth(t, { username: 'reader', password: 's3cret-pass' }, ctx());
      expect(auth).toMatchObject({ grpcCode: status.UNAVAILABLE, accepted: false });
      const sdk = await probeMilvusVersion({ ...t, credentials: { token: 'reader:s3cret-pass' } }, ctx()).catch((e: unknown) => e);
      expect(sdk).toBeInstanceOf(ProbeError);
      expect(received).toEqual([]);
      // The public default and the anonymous call are still made: they carry no secret.
      await probeMilvusDefaultPassword(t, ctx());
      expect(received).toEqual([Buffer.from('root:Milvus').toString('base64')]);
    }
  });

  it('maps the SDK failure to MILVUS_<grpc code> without leaking the password', async () => {
    const err = await probeMilvusVersion({ ...target(), credentials: null }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err instanceof ProbeError && err.code).toBe('MILVUS_UNAUTHENTICATED');
  });
});
