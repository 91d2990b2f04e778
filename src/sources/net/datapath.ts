// The data path as sources: DNS → TCP → TLS → HTTP/2 → gRPC → Milvus, and /healthz. A source whose
// prerequisite did not pass is skipped with blockedBy naming the CHECK that judges that prerequisite, so
// the judges report it as blocked, not as a second failure.
//
// Reads do not wait for their prerequisites to *pass* before they start (gates): each starts as soon as
// its inputs are in — the address, for most — and its outcome is kept only if its gates open; when one
// closes (TCP refused, no h2, a 404 for the host…) the read is cut short and the gate's skip reported.
// Over a real network that turns the chain into roughly its longest link. Not started early: the smoke
// test, which writes. A read that sends the user's credentials verifies the server's certificate first
// (src/probes/grpc-channel.ts), so starting early never sends a secret to a server a client would refuse.
import type { Outcome } from '../../model.js';
import { internalError, runProbe, skipped } from '../../probes/outcome.js';
import { defineSource, type Gate, type ReadContext, type SourceDef } from '../define.js';
import { hasCredentials, probesNetwork, type GatherOptions } from '../options.js';
import { DATA_PATH_SCHEMAS } from '../fact-schemas.js';
import type { DataPathKey, DataPathValues, EndpointValue } from '../values.js';
import type { GrpcTarget } from '../../probes/grpc-channel.js';
// The thread's handle only (worker_threads); the SDK itself loads in the thread.
import { SdkWorker } from '../../probes/sdk-worker.js';

const GRPC_UNAUTHENTICATED = 16;

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** What the gRPC probes dial: the address, with SNI and :authority as clients behind an L7 LB set them. */
function grpcTarget(ctx: ReadContext): GrpcTarget {
  const e = ctx.value('endpoint');
  const { address } = ctx.value('dial');
  const port = ctx.options.port;
  return { address, port, serverName: e.serverName, authority: e.host ?? e.serverName ?? hostPort(address, port), ca: ctx.options.ca };
}

// ---------------------------------------------------------------- gates: what must pass for an outcome to count

const tcpGate: Gate = { on: 'tcp', open: (o) => (o.status === 'ok' ? null : o.status === 'skipped' ? o : skipped('TCP connect failed', 'tcp.connect')) };
const h2Gate: Gate = {
  on: 'tls',
  open(o) {
    if (o.status === 'skipped') return o;
    if (o.status === 'error') return skipped('TLS handshake failed', 'tls.handshake');
    const alpn = (o.value as { alpn: string | null }).alpn;
    return alpn === 'h2' ? null : skipped(`ALPN selected ${alpn ?? 'nothing'}, not h2`, 'alpn.h2');
  },
};
const grpcRoutedGate: Gate = {
  on: 'http2Host',
  open(o) {
    if (o.status === 'skipped') return o;
    if (o.status === 'error' || (o.value as { grpcStatus: number | null }).grpcStatus === null) return skipped('no gRPC answer for the host over HTTP/2', 'http2.grpc');
    return null;
  },
};
/** Without credentials, the SDK's calls count once the anonymous call shows that none are needed. */
const anonymousGate: Gate = {
  on: 'milvusAnonymous',
  open(o, options) {
    if (!hasCredentials(options) && o.status === 'ok' && (o.value as { grpcCode: number }).grpcCode === GRPC_UNAUTHENTICATED) {
      return skipped('the server requires credentials and none were given', 'milvus.credentials');
    }
    return null;
  },
};
const versionGate: Gate = {
  on: 'milvusVersion',
  open: (o) => (o.status === 'ok' ? null : o.status === 'skipped' ? o : skipped('GetVersion through the SDK failed', 'grpc.sdk-version')),
};
const GRPC_GATES = [tcpGate, h2Gate, grpcRoutedGate] as const;

const notProbing = (o: GatherOptions): string | null =>
  probesNetwork(o) ? null : 'offline (--manifests): give --address to also probe the load balancer (--host alone names the host the objects are judged against)';

function dataPathSource<K extends DataPathKey>(def: Omit<SourceDef<K>, 'schema' | 'applies'> & { readonly applies?: (o: GatherOptions) => string | null }): SourceDef<K> {
  return defineSource({
    ...def,
    schema: DATA_PATH_SCHEMAS[def.key],
    applies: (o) => notProbing(o) ?? def.applies?.(o) ?? null,
  } as SourceDef<K>);
}

// ---------------------------------------------------------------- where to connect

/** The host, server name and address as far as the flags and the selection tell, before DNS. */
export const endpointSource = defineSource({
  key: 'endpoint',
  label: 'the endpoint to probe',
  layer: 'dns',
  owner: null,
  schema: null,
  applies: notProbing,
  // The probes wait for the cluster only when it must tell them where to go.
  inputs: (o) => (o.k8s && (o.host === null || o.address === null) ? ['selection'] : []),
  async read(ctx): Promise<Outcome<EndpointValue>> {
    const o = ctx.options;
    const sel = o.k8s && (o.host === null || o.address === null) ? ctx.value('selection') : null;
    const host = o.host ?? sel?.host ?? null;
    const address = o.address ?? sel?.address ?? null;
    if (host === null && address === null) {
      return o.k8s ? skipped('no host or address: the Ingress has no address yet', 'k8s.ingress.address') : skipped('no --address and no --host');
    }
    return { status: 'ok', value: { host, address, serverName: o.serverName ?? host }, ms: 0 };
  },
});

export const dnsSource = dataPathSource({
  key: 'dns',
  label: 'DNS records of the host',
  layer: 'dns',
  owner: 'dns.resolves',
  inputs: ['endpoint'],
  async read(ctx) {
    const e = ctx.value('endpoint');
    if (!e.host) return skipped('no --host');
    const host = e.host;
    const { probeDns } = await import('../../probes/dns.js');
    return runProbe(() => probeDns(host, { server: ctx.options.dnsServer, address: e.address }, ctx), 'dns');
  },
});

/** The address to connect to: the one given or discovered, else the host's first DNS record. */
export const dialSource = defineSource({
  key: 'dial',
  label: 'the address to connect to',
  layer: 'tcp',
  owner: null,
  schema: null,
  inputs: ['endpoint'],
  after: (o) => (o.address === null ? ['dns'] : []),
  async read(ctx): Promise<Outcome<{ address: string }>> {
    const e = ctx.value('endpoint');
    if (e.address) return { status: 'ok', value: { address: e.address }, ms: 0 };
    if (!e.host) return skipped('no --address and no --host');
    const d = await ctx.outcome('dns');
    if (d.status === 'ok' && d.value.addresses.length > 0) return { status: 'ok', value: { address: d.value.addresses[0] }, ms: 0 };
    return skipped(`${e.host} did not resolve`, 'dns.resolves');
  },
});

export const tcpSource = dataPathSource({
  key: 'tcp',
  label: 'TCP connect to the load balancer',
  layer: 'tcp',
  owner: 'tcp.connect',
  inputs: ['dial'],
  async read(ctx) {
    const { probeTcp } = await import('../../probes/tcp.js');
    return runProbe(() => probeTcp(ctx.value('dial').address, ctx.options.port, ctx), 'tcp');
  },
});

const tlsRead = (withSni: boolean) => async (ctx: ReadContext) => {
  const { probeTls } = await import('../../probes/tls.js');
  const sni = withSni ? ctx.value('endpoint').serverName : null;
  return runProbe(() => probeTls({ address: ctx.value('dial').address, port: ctx.options.port, serverName: sni, ca: ctx.options.ca }, ctx), 'tls');
};

export const tlsSource = dataPathSource({
  key: 'tls',
  label: 'TLS handshake with SNI',
  layer: 'tls',
  owner: 'tls.handshake',
  inputs: ['endpoint', 'dial'],
  gates: [tcpGate],
  read: tlsRead(true),
});

export const tlsNoSniSource = dataPathSource({
  key: 'tlsNoSni',
  label: 'TLS handshake without SNI',
  layer: 'tls',
  owner: null,
  inputs: ['endpoint', 'dial'],
  gates: [tcpGate],
  read: tlsRead(false),
});

const http2Read = (authority: (e: EndpointValue, address: string, port: number) => string) => async (ctx: ReadContext) => {
  const { probeGrpcOverHttp2 } = await import('../../probes/http2.js');
  const e = ctx.value('endpoint');
  const { address } = ctx.value('dial');
  const port = ctx.options.port;
  return runProbe(() => probeGrpcOverHttp2({ address, port, serverName: e.serverName, authority: authority(e, address, port), ca: ctx.options.ca }, ctx), 'http2');
};

export const http2HostSource = dataPathSource({
  key: 'http2Host',
  label: 'raw HTTP/2 gRPC request, :authority = host',
  layer: 'http2',
  owner: 'http2.grpc',
  inputs: ['endpoint', 'dial'],
  gates: [tcpGate, h2Gate],
  read: http2Read((e, a, p) => e.host ?? e.serverName ?? hostPort(a, p)),
});

export const http2AddressSource = dataPathSource({
  key: 'http2Address',
  label: 'raw HTTP/2 gRPC request, :authority = address',
  layer: 'http2',
  owner: null,
  inputs: ['endpoint', 'dial'],
  gates: [tcpGate, h2Gate],
  // What grpc-js sends by default: the dialled target, host:port.
  read: http2Read((_e, a, p) => hostPort(a, p)),
});

type AuthKey = 'milvusAnonymous' | 'milvusDefaultPassword' | 'milvusAuth';
type MilvusProbes = typeof import('../../probes/milvus.js');

/**
 * A raw gRPC call through the load balancer (the health service, or Milvus with one kind of credential):
 * started with the address, kept once the front routes gRPC for the host.
 */
function rawGrpcSource<K extends 'grpcHealth' | AuthKey>(
  key: K,
  label: string,
  owner: string,
  call: (t: GrpcTarget, ctx: ReadContext) => Promise<Outcome<DataPathValues[K]>>,
): SourceDef<K> {
  return dataPathSource({ key, label, layer: key === 'grpcHealth' ? 'grpc' : 'milvus', owner, inputs: ['endpoint', 'dial'], gates: GRPC_GATES, read: (ctx) => call(grpcTarget(ctx), ctx) } as Omit<SourceDef<K>, 'schema' | 'applies'>);
}

const milvusCall = <T>(run: (m: MilvusProbes, t: GrpcTarget, ctx: ReadContext) => Promise<T>) => async (t: GrpcTarget, ctx: ReadContext): Promise<Outcome<T>> => {
  const m = await import('../../probes/milvus.js');
  return runProbe(() => run(m, t, ctx), 'milvus');
};

export const grpcHealthSource = rawGrpcSource('grpcHealth', 'grpc.health.v1 Health/Check', 'grpc.health', async (t, ctx) => {
  const { probeGrpcHealth } = await import('../../probes/grpc-health.js');
  return runProbe(() => probeGrpcHealth(t, ctx), 'grpc');
});

export const milvusAnonymousSource = rawGrpcSource('milvusAnonymous', 'Milvus call without credentials', 'security.authorization', milvusCall((m, t, ctx) => m.probeMilvusAnonymous(t, ctx)));

export const milvusDefaultPasswordSource = rawGrpcSource('milvusDefaultPassword', 'Milvus login with root:Milvus', 'security.default-password', milvusCall((m, t, ctx) => m.probeMilvusDefaultPassword(t, ctx)));

export const milvusAuthSource = rawGrpcSource('milvusAuth', 'Milvus call with the given credentials', 'milvus.credentials', async (t, ctx) => {
  const credentials = ctx.options.credentials;
  if (!hasCredentials(ctx.options) || !credentials) return skipped('no credentials given');
  return milvusCall((m, target, c) => m.probeMilvusAuth(target, credentials, c))(t, ctx);
});

// ---------------------------------------------------------------- the real SDK, in its own thread

/**
 * One SDK client for the SDK probes, in a worker thread (loading the SDK is the slowest start-up cost of a
 * run, and it runs there on another core), built once TCP connects: not worth starting for a refused port.
 */
export const sdkSessionSource = defineSource({
  key: 'sdkSession',
  label: 'the Milvus SDK client',
  layer: 'milvus',
  owner: null,
  schema: null,
  applies: notProbing,
  inputs: ['endpoint', 'dial', 'tcp'],
  // Synchronously, so that the thread loads the SDK while this one loads the judging engine.
  prepare: () => {
    SdkWorker.prewarm();
    // Discovery may find nothing to dial: the thread nobody took goes too.
    return () => SdkWorker.discardWarm();
  },
  async read(ctx) {
    let worker: SdkWorker;
    try {
      worker = new SdkWorker();
    } catch (err) {
      return internalError('milvus', err);
    }
    worker.open({ ...grpcTarget(ctx), credentials: hasCredentials(ctx.options) ? ctx.options.credentials : null }, ctx.options.timeoutMs);
    return { status: 'ok', value: worker, ms: 0 };
  },
  // Ending the thread ends its client, and any call of a discarded probe still in flight with it.
  dispose: (worker) => worker.close(),
});

const SDK_GATES = [...GRPC_GATES, anonymousGate] as const;

export const milvusVersionSource = dataPathSource({
  key: 'milvusVersion',
  label: 'Milvus SDK connect + GetVersion',
  layer: 'milvus',
  owner: 'grpc.sdk-version',
  inputs: ['sdkSession'],
  gates: SDK_GATES,
  read: (ctx) => ctx.value('sdkSession').run('version', ctx),
});

export const milvusHealthSource = dataPathSource({
  key: 'milvusHealth',
  label: 'Milvus CheckHealth',
  layer: 'milvus',
  owner: 'milvus.health',
  inputs: ['sdkSession'],
  gates: SDK_GATES,
  read: (ctx) => ctx.value('sdkSession').run('health', ctx),
});

export const latencySource = dataPathSource({
  key: 'latency',
  label: 'GetVersion latency',
  layer: 'milvus',
  owner: 'milvus.latency',
  applies: (o) => (o.latencySamples <= 0 ? 'no latency samples requested' : null),
  inputs: ['sdkSession', 'milvusVersion'],
  gates: [versionGate],
  read: (ctx) => ctx.value('sdkSession').run('latency', ctx, ctx.options.latencySamples),
  budgetMs: (o) => o.timeoutMs * (3 + o.latencySamples),
});

export const smokeSource = dataPathSource({
  key: 'smoke',
  label: 'smoke test (create, insert, search, drop)',
  layer: 'milvus',
  owner: 'milvus.smoke',
  applies: (o) => (o.smoke ? null : 'not requested (--smoke)'),
  // Not speculative: it writes.
  inputs: ['sdkSession', 'milvusVersion'],
  read: (ctx) => ctx.value('sdkSession').run('smoke', ctx),
  budgetMs: (o) => o.timeoutMs * 10,
});

export const healthzSource = dataPathSource({
  key: 'healthz',
  label: '/healthz on 9091',
  layer: 'healthz',
  owner: 'healthz.ready',
  applies: (o) => (o.healthzUrl ? null : 'no --healthz-url'),
  async read(ctx) {
    const url = ctx.options.healthzUrl;
    if (!url) return skipped('no --healthz-url');
    const { probeHealthz } = await import('../../probes/healthz.js');
    return runProbe(() => probeHealthz(url, { ca: ctx.options.ca }, ctx), 'healthz');
  },
});
