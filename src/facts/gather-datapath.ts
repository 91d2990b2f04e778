// The data path as a dependency graph. A probe whose prerequisite failed is skipped with `blockedBy`
// naming the CHECK that judges that prerequisite, so the judges report it as blocked, not as a second
// failure.
//
// Probes do not wait for their prerequisites to *pass* before they start: each starts as soon as the
// address is known (the SDK's client, in its own thread, once TCP connects), and its outcome is kept
// only if the gate opens. When the gate closes (TCP refused, no h2, a 404 for the host…), the probe is cut
// short and the skip is reported instead. Over a real network that turns the chain TCP → TLS →
// HTTP/2 → gRPC → SDK → latency from a sum of round trips into roughly its longest link. What is not
// started early: the smoke test, which writes.
//
// A probe that sends the user's credentials verifies the server's certificate first (see
// probes/grpc-channel.ts), so starting early never sends a secret to a server a client would refuse.
import type { Area, Outcome } from '../model.js';
import type { DataPathFacts, GrpcHttpFact, MilvusAuthProbe, TlsFact } from './types.js';
import { hostPort } from '../probes/deadline.js';
import { probeDns } from '../probes/dns.js';
import { probeGrpcHealth } from '../probes/grpc-health.js';
import { probeHealthz } from '../probes/healthz.js';
import { probeGrpcOverHttp2 } from '../probes/http2.js';
import { internalError, runProbe, skipped } from '../probes/outcome.js';
import { probeTcp } from '../probes/tcp.js';
import { probeTls } from '../probes/tls.js';
import { SdkWorker } from '../probes/sdk-worker.js';

export interface DataPathTarget {
  readonly host: string | null;
  readonly address: string | null;
  readonly port: number;
  readonly serverName: string | null;
  readonly ca: string[] | null;
  readonly dnsServer: string | null;
  readonly healthzUrl: string | null;
  readonly credentials: { token?: string; username?: string; password?: string } | null;
}

export interface DataPathOptions {
  readonly timeoutMs: number;
  readonly latencySamples: number;
  readonly smoke: boolean;
  readonly signal: AbortSignal;
  readonly onStep?: (key: keyof DataPathFacts, status: 'ok' | 'error' | 'skipped', ms: number) => void;
}

/** The check ids that own each prerequisite (blockedBy values). */
export const BLOCKED_BY = {
  dns: 'dns.resolves',
  tcp: 'tcp.connect',
  tls: 'tls.handshake',
  alpn: 'alpn.h2',
  http2: 'http2.grpc',
  version: 'grpc.sdk-version',
  credentials: 'milvus.credentials',
} as const;

const GRPC_UNAUTHENTICATED = 16;

/** What a later probe needs from earlier ones, or the skip it inherits. */
type Gate<T> = { readonly skip: Outcome<never> } | ({ readonly skip?: undefined } & T);
type MilvusProbes = typeof import('../probes/milvus.js');
interface GrpcGate {
  readonly address: string;
  readonly milvus: MilvusProbes;
  readonly grpcTarget: { address: string; port: number; serverName: string | null; authority: string; ca: string[] | null };
}
interface SdkGate extends GrpcGate {
  readonly worker: SdkWorker;
}

function startSdkWorker(): SdkWorker | Error {
  try {
    return new SdkWorker();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

export async function gatherDataPath(target: DataPathTarget, options: DataPathOptions): Promise<DataPathFacts> {
  const ctx = { signal: options.signal, timeoutMs: options.timeoutMs };
  const step = async <K extends keyof DataPathFacts>(key: K, layer: Area, run: () => Promise<DataPathFacts[K]>): Promise<DataPathFacts[K]> => {
    let outcome: DataPathFacts[K];
    try {
      outcome = await run();
    } catch (err) {
      // A bug in the graph itself must not lose the other facts.
      outcome = internalError(layer, err) as DataPathFacts[K];
    }
    options.onStep?.(key, outcome.status, outcome.status === 'skipped' ? 0 : outcome.ms);
    return outcome;
  };
  /**
   * Starts `run` now with a signal of its own and returns its outcome once `gate` opens; when the gate
   * closes, cuts the probe short (waiting for it to let go of its sockets) and returns the gate's skip.
   */
  const speculate = async <T>(gate: Promise<{ readonly skip?: Outcome<never> }>, run: (c: typeof ctx) => Promise<Outcome<T>>): Promise<Outcome<T>> => {
    const cancel = new AbortController();
    const result = run({ signal: AbortSignal.any([options.signal, cancel.signal]), timeoutMs: options.timeoutMs });
    result.catch(() => undefined); // awaited below, after the gate: never an unhandled rejection meanwhile
    const g = await gate;
    if (!g.skip) return result;
    cancel.abort();
    await result.catch(() => undefined);
    return g.skip;
  };
  const milvusModule = import('../probes/milvus.js');
  // The SDK probes' thread, started now: loading the SDK is the slowest start-up cost, and it runs
  // there on another core while the probes here proceed. Not started when nothing will be dialled.
  const sdkWorker: SdkWorker | Error | null = target.host || target.address ? startSdkWorker() : null;
  const host = target.host;
  const serverName = target.serverName ?? host;
  const hasCredentials = !!(target.credentials && (target.credentials.token || target.credentials.username));

  const dns = step('dns', 'dns', () =>
    host ? runProbe(() => probeDns(host, { server: target.dnsServer, address: target.address }, ctx), 'dns') : Promise.resolve(skipped('no --host')),
  );

  const address = (async (): Promise<Gate<{ address: string }>> => {
    if (target.address) return { address: target.address };
    if (!host) return { skip: skipped('no --address and no --host') };
    const d = await dns;
    if (d.status === 'ok' && d.value.addresses.length > 0) return { address: d.value.addresses[0] };
    return { skip: skipped(`${host} did not resolve`, BLOCKED_BY.dns) };
  })();

  const tcp = step('tcp', 'tcp', async () => {
    const a = await address;
    return a.skip ? a.skip : runProbe(() => probeTcp(a.address, target.port, ctx), 'tcp');
  });

  // Everything past TCP needs the address and a connection.
  const connected = (async (): Promise<Gate<{ address: string }>> => {
    const [a, t] = await Promise.all([address, tcp]);
    if (a.skip) return { skip: a.skip };
    if (t.status !== 'ok') return { skip: t.status === 'skipped' ? t : skipped('TCP connect failed', BLOCKED_BY.tcp) };
    return a;
  })();

  const tlsProbe = (sni: string | null) => (): Promise<Outcome<TlsFact>> =>
    speculate(connected, async (c) => {
      const a = await address;
      return a.skip ? a.skip : runProbe(() => probeTls({ address: a.address, port: target.port, serverName: sni, ca: target.ca }, c), 'tls');
    });
  const tls = step('tls', 'tls', tlsProbe(serverName));
  const tlsNoSni = step('tlsNoSni', 'tls', tlsProbe(null));

  // HTTP/2 and gRPC need a handshake that selected h2.
  const h2 = (async (): Promise<Gate<{ address: string }>> => {
    const [c, t] = await Promise.all([connected, tls]);
    if (c.skip) return { skip: c.skip };
    if (t.status === 'skipped') return { skip: t };
    if (t.status === 'error') return { skip: skipped('TLS handshake failed', BLOCKED_BY.tls) };
    if (t.value.alpn !== 'h2') return { skip: skipped(`ALPN selected ${t.value.alpn ?? 'nothing'}, not h2`, BLOCKED_BY.alpn) };
    return c;
  })();

  const http2 = (authority: (address: string) => string) => (): Promise<Outcome<GrpcHttpFact>> =>
    speculate(h2, async (c) => {
      const a = await address;
      if (a.skip) return a.skip;
      return runProbe(() => probeGrpcOverHttp2({ address: a.address, port: target.port, serverName, authority: authority(a.address), ca: target.ca }, c), 'http2');
    });
  const http2Host = step('http2Host', 'http2', http2((a) => host ?? serverName ?? hostPort(a, target.port)));
  // What grpc-js sends by default: the dialled target, host:port.
  const http2Address = step('http2Address', 'http2', http2((a) => hostPort(a, target.port)));

  // What the gRPC probes dial, known with the address; the module with the SDK loaded behind it.
  const grpcSetup = (async (): Promise<Gate<GrpcGate>> => {
    const a = await address;
    if (a.skip) return { skip: a.skip };
    const milvus = await milvusModule;
    const grpcTarget = { address: a.address, port: target.port, serverName, authority: host ?? serverName ?? hostPort(a.address, target.port), ca: target.ca };
    return { address: a.address, milvus, grpcTarget };
  })();

  // gRPC and Milvus need the front to route a gRPC call for the host to a gRPC server.
  const grpcReady = (async (): Promise<Gate<GrpcGate>> => {
    const [c, hh] = await Promise.all([h2, http2Host]);
    if (c.skip) return { skip: c.skip };
    if (hh.status === 'skipped') return { skip: hh };
    if (hh.status === 'error' || hh.value.grpcStatus === null) return { skip: skipped('no gRPC answer for the host over HTTP/2', BLOCKED_BY.http2) };
    return grpcSetup;
  })();

  /** A gRPC probe started with the address and kept when the front routes gRPC for the host. */
  const grpcProbe = <T>(layer: Area, run: (g: GrpcGate, c: typeof ctx) => Promise<T>) => (): Promise<Outcome<T>> =>
    speculate(grpcReady, async (c) => {
      const g = await grpcSetup;
      return g.skip ? g.skip : runProbe(() => run(g, c), layer);
    });
  const grpcHealth = step('grpcHealth', 'grpc', grpcProbe('grpc', (g, c) => probeGrpcHealth(g.grpcTarget, c)));
  const milvusAnonymous = step('milvusAnonymous', 'milvus', grpcProbe('milvus', (g, c): Promise<MilvusAuthProbe> => g.milvus.probeMilvusAnonymous(g.grpcTarget, c)));
  const milvusDefaultPassword = step('milvusDefaultPassword', 'milvus', grpcProbe('milvus', (g, c): Promise<MilvusAuthProbe> => g.milvus.probeMilvusDefaultPassword(g.grpcTarget, c)));
  const credentials = target.credentials;
  const milvusAuth = step('milvusAuth', 'milvus', (): Promise<Outcome<MilvusAuthProbe>> =>
    !hasCredentials || !credentials
      ? grpcReady.then((g) => g.skip ?? skipped('no credentials given'))
      : grpcProbe('milvus', (g, c) => g.milvus.probeMilvusAuth(g.grpcTarget, credentials, c))(),
  );

  // One SDK client for the SDK probes, built as soon as TCP connects: building it is the slowest step
  // of a run (the SDK compiles its protos per client), and not worth starting for a refused port.
  const sdkSetup = (async (): Promise<Gate<SdkGate>> => {
    const [c, g] = await Promise.all([connected, grpcSetup]);
    if (c.skip) return { skip: c.skip };
    if (g.skip) return { skip: g.skip };
    if (!sdkWorker) return { skip: skipped('nothing to dial') };
    if (sdkWorker instanceof Error) return { skip: internalError('milvus', sdkWorker) };
    sdkWorker.open({ ...g.grpcTarget, credentials: hasCredentials ? target.credentials : null }, options.timeoutMs);
    return { ...g, worker: sdkWorker };
  })();
  // The SDK's outcomes count once the front routes gRPC and, without credentials, once the anonymous
  // call has shown that none are needed: else they would all fail for the same reason.
  const sdkReady = (async (): Promise<Gate<object>> => {
    const [g, anon] = await Promise.all([grpcReady, milvusAnonymous]);
    if (g.skip) return { skip: g.skip };
    if (!hasCredentials && anon.status === 'ok' && anon.value.grpcCode === GRPC_UNAUTHENTICATED) {
      return { skip: skipped('the server requires credentials and none were given', BLOCKED_BY.credentials) };
    }
    return {};
  })();
  /** An SDK probe started with the client and kept when sdkReady opens. */
  const sdkProbe = <K extends 'version' | 'health'>(kind: K) => () =>
    speculate(sdkReady, async (c) => {
      const s = await sdkSetup;
      return s.skip ? s.skip : s.worker.run(kind, c);
    });
  const milvusVersion = step('milvusVersion', 'milvus', sdkProbe('version'));
  const milvusHealth = step('milvusHealth', 'milvus', sdkProbe('health'));
  const afterVersion = (async (): Promise<Gate<SdkGate>> => {
    const [s, v] = await Promise.all([sdkSetup, milvusVersion]);
    if (v.status === 'skipped') return { skip: v };
    if (s.skip) return { skip: s.skip };
    if (v.status !== 'ok') return { skip: skipped('GetVersion through the SDK failed', BLOCKED_BY.version) };
    return s;
  })();
  const latency = step('latency', 'milvus', async () => {
    const s = await afterVersion;
    if (s.skip) return s.skip;
    if (options.latencySamples <= 0) return skipped('no latency samples requested');
    return s.worker.run('latency', ctx, options.latencySamples);
  });
  const smoke = step('smoke', 'milvus', async () => {
    if (!options.smoke) return skipped('not requested (--smoke)');
    const s = await afterVersion;
    return s.skip ? s.skip : s.worker.run('smoke', ctx);
  });

  const healthzUrl = target.healthzUrl;
  const healthz = step('healthz', 'healthz', () =>
    healthzUrl ? runProbe(() => probeHealthz(healthzUrl, { ca: target.ca }, ctx), 'healthz') : Promise.resolve(skipped('no --healthz-url')),
  );

  const facts: DataPathFacts = {
    dns: await dns,
    tcp: await tcp,
    tls: await tls,
    tlsNoSni: await tlsNoSni,
    http2Host: await http2Host,
    http2Address: await http2Address,
    grpcHealth: await grpcHealth,
    milvusVersion: await milvusVersion,
    milvusHealth: await milvusHealth,
    milvusAuth: await milvusAuth,
    milvusAnonymous: await milvusAnonymous,
    milvusDefaultPassword: await milvusDefaultPassword,
    latency: await latency,
    smoke: await smoke,
    healthz: await healthz,
  };
  // Ending the thread ends its client, and any call of a discarded probe still in flight with it.
  if (sdkWorker && !(sdkWorker instanceof Error)) await sdkWorker.close();
  return facts;
}
