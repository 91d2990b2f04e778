// The lab against real clients: openssl, raw node:http2, @grpc/grpc-js and the Milvus Node SDK, over
// real sockets to real nginx and milvus-lite. Each fault is proven on the wire, not by its config.
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http2 from 'node:http2';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { UsageError } from '../errors.js';
import { FAULTS, type FaultName } from './faults.js';
import { LAB_HOST, LAB_OTHER_HOST, LabStartError, listFaults, startLab, type LabHandle } from './lab.js';
import { findNginx, startNginx } from './nginx.js';
import { reservePorts } from './ports.js';

const GET_VERSION = '/milvus.proto.milvus.MilvusService/GetVersion';
const CHECK_HEALTH = '/milvus.proto.milvus.MilvusService/CheckHealth';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';

interface RawAnswer {
  readonly status: number;
  readonly grpcStatus: number | null;
  readonly grpcMessage: string | null;
  readonly body: Buffer;
  readonly alpn: string | null;
}

function basic(token: string): string {
  return Buffer.from(token).toString('base64');
}

/** One gRPC call as raw HTTP/2, so the real :status and trailers are visible. */
function rawGrpc(options: {
  readonly url: string;
  readonly authority: string;
  readonly path?: string;
  readonly ca?: string;
  readonly servername?: string;
  readonly authorization?: string;
  readonly message?: Buffer;
}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(options.url, { ca: options.ca, servername: options.servername });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error('raw gRPC call timed out'));
    }, 5000);
    session.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const message = options.message ?? Buffer.alloc(0);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), message]);
    frame.writeUInt32BE(message.length, 1);
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': options.path ?? GET_VERSION,
      ':authority': options.authority,
      'content-type': 'application/grpc',
      te: 'trailers',
    };
    if (options.authorization) headers.authorization = options.authorization;
    const req = session.request(headers);
    let status = 0;
    let grpcStatus: number | null = null;
    let grpcMessage: string | null = null;
    const chunks: Buffer[] = [];
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) grpcStatus = Number(h['grpc-status']);
      if (typeof h['grpc-message'] === 'string') grpcMessage = decodeURIComponent(h['grpc-message']);
    };
    req.on('response', (h) => {
      status = Number(h[':status']);
      take(h);
    });
    req.on('trailers', take);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      clearTimeout(timer);
      const alpn = session.alpnProtocol ?? null;
      session.close();
      resolve({ status, grpcStatus, grpcMessage, body: Buffer.concat(chunks), alpn });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    });
    req.end(frame);
  });
}

function front(lab: LabHandle, authority = `${lab.host}:${lab.port}`, authorization = lab.credentials ? basic(lab.credentials.token) : undefined) {
  return rawGrpc({
    url: `https://${lab.address}:${lab.port}`,
    authority,
    ca: readFileSync(lab.caFile, 'utf8'),
    servername: lab.serverName,
    authorization,
  });
}

function openssl(args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('openssl', [...args], { timeout: 5000 }, (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
    child.stdin?.end();
  });
}

function sClient(lab: LabHandle, extra: readonly string[] = []): Promise<string> {
  return openssl(['s_client', '-connect', `${lab.address}:${lab.port}`, '-servername', lab.serverName, '-CAfile', lab.caFile, '-showcerts', ...extra]);
}

/** The served chain as node:crypto sees it (no verification). */
function servedChain(lab: LabHandle): Promise<X509Certificate[]> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: lab.address, port: lab.port, servername: lab.serverName, rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () => {
      const chain: X509Certificate[] = [];
      const seen = new Set<string>();
      // getPeerCertificate(true) links each served cert to its issuer; a self-loop ends the walk.
      for (let node = socket.getPeerCertificate(true); node?.raw && !seen.has(node.fingerprint256); node = node.issuerCertificate) {
        seen.add(node.fingerprint256);
        chain.push(new X509Certificate(node.raw));
      }
      socket.destroy();
      resolve(chain);
    });
    socket.on('error', reject);
  });
}

function sdkClient(lab: LabHandle, token: string | undefined): MilvusClient {
  return new MilvusClient({
    address: `${lab.address}:${lab.port}`,
    ssl: true,
    tls: { rootCert: readFileSync(lab.caFile), serverName: lab.serverName },
    // The SDK's serverName sets SNI only; the host rule matches :authority.
    channelOptions: { 'grpc.default_authority': `${lab.host}:${lab.port}` },
    ...(token ? { token } : {}),
    timeout: 5000,
    maxRetries: 0,
    logLevel: 'error',
  });
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('healthy lab (nginx + milvus-lite)', () => {
  let lab: LabHandle;
  let stopMs = 0;
  beforeAll(async () => {
    lab = await startLab({ provider: 'gcp' });
  });
  afterAll(async () => {
    const t = performance.now();
    await lab?.stop();
    stopMs = performance.now() - t;
    expect(stopMs).toBeLessThan(5000);
  });

  test('uses the real parts and starts fast', () => {
    const kinds = lab.components.map((c) => c.kind).sort();
    expect(kinds).toEqual(['compute-api', 'dns', 'healthz', 'kubernetes-api', 'milvus-lite', 'milvus-stub', 'nginx']);
    expect(lab.credentials?.token).toMatch(/^root:/);
    // milvus-lite (a Python process) is the long pole; everything else starts beside it.
    expect(lab.timings.startMs).toBeLessThan(30_000);
  });

  test('openssl sees the full chain, verified by the lab root, with ALPN h2', async () => {
    const out = await sClient(lab, ['-alpn', 'h2']);
    expect(out.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(out).toContain('Verify return code: 0 (ok)');
    expect(out).toContain('ALPN protocol: h2');
    expect(out).toMatch(/s:CN\s*=\s*milvus\.l7-lab\.test/);
    expect(out).toMatch(/i:.*CN\s*=\s*milvus-l7-doctor lab intermediate/);
  });

  test(':authority = host reaches milvus-lite; the address gets the default 404', async () => {
    const ok = await front(lab);
    expect(ok).toMatchObject({ status: 200, grpcStatus: 0, alpn: 'h2' });
    expect(ok.body.toString('latin1')).toContain('milvus_lite-');
    const byAddress = await front(lab, `${lab.address}:${lab.port}`);
    expect(byAddress.status).toBe(404);
    expect(byAddress.grpcStatus).toBeNull();
  });

  test('authorization is enforced at the pod: none or a wrong password → UNAUTHENTICATED', async () => {
    const anonymous = await front(lab, undefined, '');
    expect(anonymous).toMatchObject({ status: 200, grpcStatus: 16 });
    expect(anonymous.grpcMessage).toContain('missing authorization');
    expect((await front(lab, undefined, basic('root:Milvus'))).grpcStatus).toBe(16);
    // grpc.health.v1 answers without credentials, as Milvus's does.
    const health = await rawGrpc({
      url: `https://${lab.address}:${lab.port}`, authority: lab.host, path: HEALTH_CHECK, ca: readFileSync(lab.caFile, 'utf8'), servername: lab.serverName,
    });
    expect(health).toMatchObject({ status: 200, grpcStatus: 0 });
    expect([...health.body]).toEqual([0, 0, 0, 0, 2, 8, 1]); // status: SERVING
  });

  test('the Milvus Node SDK through the front: version with a token, UNAUTHENTICATED without', async () => {
    const client = sdkClient(lab, lab.credentials?.token);
    try {
      const version = await client.getVersion();
      expect(version.version).toMatch(/^milvus_lite-/);
      const health = await client.checkHealth();
      expect(health.isHealthy).toBe(true);
      // The calls a smoke test makes, against milvus-lite itself.
      await expectSmokeWorks(client, `lab_smoke_${Date.now()}`);
    } finally {
      await client.closeConnection();
    }
    const anonymous = sdkClient(lab, undefined);
    try {
      await expect(anonymous.getVersion()).rejects.toMatchObject({ code: 16 });
    } finally {
      await anonymous.closeConnection();
    }
  });

  test('the backend endpoints: h2c pod and TLS pod (gcp) with the same routing', async () => {
    const auth = basic(lab.credentials?.token ?? '');
    const h2c = await rawGrpc({ url: `http://${lab.backend.milvus}`, authority: lab.backend.milvus, authorization: auth });
    expect(h2c).toMatchObject({ status: 200, grpcStatus: 0 });
    expect(lab.backend.milvusTls).toBeDefined();
    const tls = await rawGrpc({
      url: `https://${lab.backend.milvusTls}`, authority: lab.host, ca: readFileSync(lab.caFile, 'utf8'), servername: lab.host, authorization: auth,
    });
    expect(tls).toMatchObject({ status: 200, grpcStatus: 0, alpn: 'h2' });
  });

  test('what milvus-lite lacks, asked directly: no grpc.health.v1, no authorization', async () => {
    const lite = lab.components.find((c) => c.kind === 'milvus-lite');
    expect(lite).toBeDefined();
    const url = `http://${lite?.endpoint}`;
    const health = await rawGrpc({ url, authority: lite?.endpoint ?? '', path: HEALTH_CHECK });
    expect(health.grpcStatus).toBe(12); // UNIMPLEMENTED
    const anonymous = await rawGrpc({ url, authority: lite?.endpoint ?? '' });
    expect(anonymous.grpcStatus).toBe(0);
  });

  test('healthz answers 200 OK; DNS resolves the host only', async () => {
    const res = await fetch(lab.healthzUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([lab.dnsServer]);
    expect(await resolver.resolve4(lab.host)).toEqual(['127.0.0.1']);
    await expect(resolver.resolve4('nope.example.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('lab API', () => {
  test('an unknown fault is a usage error naming the valid ones', async () => {
    const error = await startLab({ faults: ['no-such-fault'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'LAB_UNKNOWN_FAULT' });
    expect(String(error)).toContain('expired-cert');
    await expect(startLab({ faults: ['tarpit', 'refused'] })).rejects.toMatchObject({ code: 'LAB_FAULT_CONFLICT' });
  });

  test("nginx failing to start surfaces its error.log line", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-nginx-'));
    try {
      const [podPort, frontPort] = await reservePorts(2);
      const missing = { certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'missing.key') };
      const error = await startNginx({
        bin: findNginx() ?? 'nginx',
        dir,
        front: { port: frontPort, tls: true, h2: true, hostRule: LAB_HOST, action: { kind: 'status', status: 464 }, ...missing },
        pod: { port: podPort, tlsPort: null, backendPort: 1, stubPort: 1, authorized: null, checkHealthToStub: false, ...missing },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabStartError);
      expect(String(error)).toMatch(/\[emerg\].*missing\.pem/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('every fault names a FAILURES.md row and the checks it must fail', () => {
    const names = listFaults().map((f) => f.name);
    // 17 on the data path, 17 in the Kubernetes objects, 13 in Compute, 14 in AWS; one namespace of names.
    expect(names).toHaveLength(61);
    expect(new Set(names).size).toBe(names.length);
    for (const f of listFaults()) {
      expect(f.reproduces).not.toBe('');
      expect(f.expectFail.length + (f.expectWarn?.length ?? 0)).toBeGreaterThan(0);
    }
  });

  test('stop() leaves no process and no directory', async () => {
    const lab = await startLab({});
    const pids = lab.components.flatMap((c) => (c.pid !== undefined && c.pid !== process.pid ? [c.pid] : []));
    expect(pids.length).toBe(2);
    await lab.stop();
    for (const pid of pids) expect(processGone(pid)).toBe(true);
    expect(existsSync(lab.dir)).toBe(false);
    await lab.stop();
  });

  test('fallbacks: Node proxy + stub backend behave the same on the wire', async () => {
    const lab = await startLab({ prefer: { nginx: false, milvusLite: false }, faults: ['milvus-unhealthy'] });
    try {
      expect(lab.components.map((c) => c.kind).sort()).toEqual(['aws-api', 'dns', 'healthz', 'kubernetes-api', 'milvus-stub', 'node-proxy']);
      const ok = await front(lab);
      expect(ok).toMatchObject({ status: 200, grpcStatus: 0 });
      expect((await front(lab, `${lab.address}:${lab.port}`)).status).toBe(404);
      expect((await front(lab, undefined, '')).grpcStatus).toBe(16);
      const client = sdkClient(lab, lab.credentials?.token);
      try {
        expect((await client.getVersion()).version).toContain('lab-stub');
        const health = await client.checkHealth();
        expect(health.isHealthy).toBe(false);
        expect(health.reasons.length).toBeGreaterThan(0);
        // A smoke test's calls against the stub.
        await expectSmokeWorks(client, 'lab_smoke');
      } finally {
        await client.closeConnection();
      }
    } finally {
      await lab.stop();
    }
  });
});

/** What each fault looks like on the wire. */
const FAULT_PROOFS: Record<FaultName, (lab: LabHandle) => Promise<void>> = {
  'expired-cert': async (lab) => {
    const [leaf] = await servedChain(lab);
    expect(new Date(leaf.validTo).getTime()).toBeLessThan(Date.now());
    expect(await sClient(lab)).toMatch(/Verify return code: 10 \(certificate has expired\)/);
  },
  'expiring-cert': async (lab) => {
    const [leaf] = await servedChain(lab);
    const days = (new Date(leaf.validTo).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(4.9);
    expect(days).toBeLessThan(5.2);
    expect(await sClient(lab)).toContain('Verify return code: 0 (ok)');
  },
  'missing-intermediate': async (lab) => {
    const out = await sClient(lab);
    expect(out.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(1);
    expect(out).toMatch(/Verify return code: 2[01] \(unable to (get local issuer certificate|verify the first certificate)\)/);
  },
  'name-mismatch': async (lab) => {
    const [leaf] = await servedChain(lab);
    expect(leaf.subjectAltName).toBe(`DNS:${LAB_OTHER_HOST}`);
    expect(leaf.checkHost(LAB_HOST)).toBeUndefined();
  },
  'cn-only': async (lab) => {
    const [leaf] = await servedChain(lab);
    expect(leaf.subjectAltName).toBeUndefined();
    expect(leaf.subject).toContain(`CN=${LAB_HOST}`);
  },
  'untrusted-ca': async (lab) => {
    const out = await sClient(lab);
    expect(out.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(out).toMatch(/Verify return code: (2|20) \(unable to get (local )?issuer certificate\)/);
    expect(out).toContain('untrusted intermediate');
  },
  'no-h2': async (lab) => {
    const out = await sClient(lab, ['-alpn', 'h2,http/1.1']);
    expect(out).not.toContain('ALPN protocol: h2');
    expect(out).toMatch(/No ALPN negotiated|ALPN protocol: http\/1\.1/);
  },
  'host-rule-404': async (lab) => {
    expect((await front(lab)).status).toBe(404);
  },
  'not-grpc-464': async (lab) => {
    expect((await front(lab)).status).toBe(464);
  },
  'backend-down': async (lab) => {
    expect((await front(lab)).status).toBe(502);
  },
  'healthz-not-ready': async (lab) => {
    const text = await fetch(lab.healthzUrl);
    expect(text.status).toBe(500);
    expect(await text.text()).toBe('Not all components are healthy, 3/5');
    const json = await fetch(lab.healthzUrl, { headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(500);
    expect(await json.json()).toMatchObject({ state: 'Not all components are healthy, 3/5', unhealthy: ['datanode', 'querynode'] });
  },
  'milvus-unhealthy': async (lab) => {
    const answer = await rawGrpc({
      url: `https://${lab.address}:${lab.port}`, authority: lab.host, path: CHECK_HEALTH, ca: readFileSync(lab.caFile, 'utf8'),
      servername: lab.serverName, authorization: basic(lab.credentials?.token ?? ''),
    });
    expect(answer).toMatchObject({ status: 200, grpcStatus: 0 });
    expect(answer.body.toString('latin1')).toContain('QueryNode 3 is not serving');
  },
  'auth-required': async (lab) => {
    expect(lab.credentials).toBeNull();
    expect((await front(lab)).grpcStatus).toBe(16);
    expect(lab.components.some((c) => c.kind === 'milvus-lite')).toBe(true);
  },
  'default-password': async (lab) => {
    const withDefault = await front(lab, undefined, basic('root:Milvus'));
    expect(withDefault.grpcStatus).toBe(0);
    expect(withDefault.body.toString('latin1')).toContain('milvus_lite-');
    expect((await front(lab, undefined, basic('root:wrong'))).grpcStatus).toBe(16);
  },
  tarpit: async (lab) => {
    const out = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: lab.address, port: lab.port, servername: lab.serverName, rejectUnauthorized: false });
      socket.setTimeout(500, () => {
        socket.destroy();
        resolve('handshake timeout');
      });
      socket.on('secureConnect', () => resolve('handshake done'));
      socket.on('error', (e) => resolve(`error ${e.message}`));
    });
    expect(out).toBe('handshake timeout');
  },
  refused: async (lab) => {
    const code = await new Promise<string>((resolve) => {
      const socket = netConnect({ host: lab.address, port: lab.port });
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(code).toBe('ECONNREFUSED');
  },
  'plaintext-front': async (lab) => {
    const out = await sClient(lab);
    expect(out).toMatch(/wrong version number|packet length too long|record layer failure/i);
    const res = await fetch(`http://${lab.address}:${lab.port}/`, { headers: { host: lab.host } });
    expect(res.status).toBeGreaterThanOrEqual(200);
  },
};

/** Faults whose proof needs Milvus itself behind the gate; the others never reach it (stub backend). */
const NEEDS_MILVUS_LITE = new Set<FaultName>(['auth-required', 'default-password']);

describe.concurrent('faults on the wire', () => {
  for (const fault of FAULTS) {
    test(fault.name, async () => {
      const lab = await startLab({ faults: [fault.name], prefer: { milvusLite: NEEDS_MILVUS_LITE.has(fault.name) } });
      expect(lab.components.some((c) => c.kind === 'nginx')).toBe(true);
      try {
        expect(lab.faultDefs.map((f) => f.name)).toEqual([fault.name]);
        await FAULT_PROOFS[fault.name](lab);
      } finally {
        await lab.stop();
      }
    });
  }
});

describe.concurrent('faults on the wire, Node proxy fallback (no nginx)', () => {
  for (const fault of FAULTS.filter((f) => !NEEDS_MILVUS_LITE.has(f.name))) {
    test(fault.name, async () => {
      const lab = await startLab({ faults: [fault.name], prefer: { nginx: false, milvusLite: false } });
      try {
        expect(lab.components.some((c) => c.kind === 'nginx')).toBe(false);
        await FAULT_PROOFS[fault.name](lab);
      } finally {
        await lab.stop();
      }
    });
  }
});

/** Create, insert, search (the row comes back) and drop through the lab, as the doctor's --smoke does. */
async function expectSmokeWorks(client: MilvusClient, name: string): Promise<void> {
  // milvus-lite requires an explicit index_type; Milvus defaults it to AUTOINDEX. The stub ignores it.
  const created = await client.createCollection({ collection_name: name, dimension: 4, index_params: { index_type: 'AUTOINDEX', metric_type: 'L2' } });
  expect(created.error_code).toBe('Success');
  const inserted = await client.insert({ collection_name: name, data: [{ id: 1, vector: [0.1, 0.2, 0.3, 0.4] }] });
  expect(inserted.status.error_code).toBe('Success');
  const found = await client.search({ collection_name: name, data: [0.1, 0.2, 0.3, 0.4], limit: 1 });
  expect(found.status.error_code).toBe('Success');
  expect(found.results.length).toBeGreaterThan(0);
  expect((await client.dropCollection({ collection_name: name })).error_code).toBe('Success');
}
