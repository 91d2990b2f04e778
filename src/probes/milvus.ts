// Milvus through the LB, two ways. The real Node SDK, configured as users configure it behind an L7
// LB (ssl, serverName, grpc.default_authority), for version, health, latency and the smoke test.
// And one raw grpc-js GetVersion for the credential probes, because the SDK's retry interceptor
// rewrites statuses (UNIMPLEMENTED becomes an empty success) and we need the exact gRPC code.
import { createRequire } from 'node:module';
import type { ClientConfig, MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { LatencyFact, MilvusAuthProbe, MilvusHealthFact, MilvusVersionFact, SmokeFact, SmokeStep } from '../facts/types.js';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import { type ProbeContext, hostPort, messageOf, unlessAborted, withDeadline } from './deadline.js';
import { type GrpcTarget, Metadata, type ProtoJson, grpcCodeName, methodOf, openClient, unary } from './grpc-channel.js';

export interface MilvusCredentials {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface MilvusTarget extends GrpcTarget {
  readonly credentials: MilvusCredentials | null;
}

// ---------------------------------------------------------------- the SDK, loaded on first use

type Sdk = typeof import('@zilliz/milvus2-sdk-node');
let sdk: Promise<Sdk> | undefined;

function loadSdk(): Promise<Sdk> {
  sdk ??= import('@zilliz/milvus2-sdk-node').then((m) => {
    // Its winston logger writes to stdout, which belongs to the chosen report format.
    m.logger.silent = true;
    return m;
  });
  return sdk;
}

/** Starts loading the SDK (about 0.6 s of module evaluation) so that it overlaps the network probes. */
export function preloadSdk(): void {
  loadSdk().catch(() => undefined);
}

export function sdkConfig(target: MilvusTarget, ctx: Pick<ProbeContext, 'timeoutMs'>, credentials: MilvusCredentials | null): ClientConfig {
  return {
    address: hostPort(target.address, target.port),
    ssl: true,
    // Verifying, as an application does: against --ca, else the system roots (the SDK's one-way TLS).
    // The session carries the user's credentials, which must not reach a server that fails that.
    tls: {
      ...(target.ca ? { rootCert: Buffer.from(target.ca.join('\n')) } : {}),
      ...(target.serverName ? { serverName: target.serverName } : {}),
    },
    channelOptions: {
      // The SDK's serverName sets SNI only; without this :authority is the dialled address and a
      // host rule on the LB falls through to its default backend.
      'grpc.default_authority': target.authority,
      ...(target.serverName ? { 'grpc.ssl_target_name_override': target.serverName } : {}),
    },
    timeout: ctx.timeoutMs,
    maxRetries: 0,
    ...(credentials?.token ? { token: credentials.token } : {}),
    ...(credentials?.username ? { username: credentials.username, password: credentials.password ?? '' } : {}),
  };
}

/**
 * One SDK client shared by several probes. Loading the SDK and building a client costs seconds
 * (it compiles its protos per client), so a gather builds one and closes it at the end.
 */
export class MilvusSession {
  private client: Promise<MilvusClient> | undefined;
  constructor(
    readonly target: MilvusTarget,
    private readonly timeoutMs: number,
  ) {}

  get(): Promise<MilvusClient> {
    this.client ??= loadSdk().then(({ MilvusClient }) => {
      const client = new MilvusClient(sdkConfig(this.target, { timeoutMs: this.timeoutMs }, this.target.credentials));
      // The constructor starts Connect; a failure surfaces through the first call, not as an unhandled rejection.
      client.connectPromise.catch(() => undefined);
      return client;
    });
    return this.client;
  }

  /**
   * Closes the client, waiting at most `graceMs`: the SDK's close drains its channel pool, which waits
   * for a call still in flight (a Connect stuck on a tarpit after its probe was cut short) up to that
   * call's own timeout. The caller does not wait for it; the channel goes with its deadline.
   */
  async close(graceMs = 1_000): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    try {
      await Promise.race([client.then((c) => c.closeConnection()).catch(() => undefined), grace]);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function withClient<T>(
  target: MilvusTarget,
  ctx: ProbeContext,
  budgetMs: number,
  session: MilvusSession | undefined,
  work: (client: MilvusClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const own = session ?? new MilvusSession(target, ctx.timeoutMs);
  try {
    // Building the client is CPU, not network, but a cancelled probe must not wait for it.
    const client = await unlessAborted(own.get(), ctx.signal, 'milvus');
    return await withDeadline(ctx, 'milvus', () => new ProbeTimeoutError('milvus', 'call', budgetMs), (signal) => work(client, signal), budgetMs);
  } catch (err) {
    throw toProbeError(err, target.credentials);
  } finally {
    if (!session) await own.close();
  }
}

interface MilvusStatus {
  readonly error_code?: string | number;
  readonly code?: number;
  readonly reason?: string;
}

function statusFailure(status: MilvusStatus | undefined): { code: number; errorCode: string; reason: string } | null {
  if (!status) return null;
  const code = Number(status.code ?? 0);
  const errorCode = String(status.error_code ?? 'Success');
  if (code === 0 && (errorCode === 'Success' || errorCode === '0')) return null;
  return { code, errorCode, reason: status.reason ?? '' };
}

// The SDK's response types omit `status` on some responses that carry it on the wire.
function statusOf(res: object): MilvusStatus | undefined {
  const status: unknown = 'status' in res ? res.status : undefined;
  return status && typeof status === 'object' ? status : undefined;
}

function checkStatus(status: MilvusStatus | undefined, credentials: MilvusCredentials | null): void {
  const failure = statusFailure(status);
  if (failure) {
    throw new ProbeError('milvus', 'MILVUS_STATUS_ERROR', `Milvus answered ${failure.errorCode} (${failure.code}): ${redact(failure.reason, credentials)}`, {
      milvusCode: failure.code,
      errorCode: failure.errorCode,
    });
  }
}

function toProbeError(err: unknown, credentials: MilvusCredentials | null): ProbeError {
  if (err instanceof ProbeError) return err;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'number') {
    const name = grpcCodeName(err.code);
    const details = redact('details' in err && typeof err.details === 'string' ? err.details : messageOf(err), credentials);
    return new ProbeError('milvus', `MILVUS_${name}`, `${name}: ${details}`, { grpcCode: err.code, details });
  }
  return new ProbeError('milvus', 'MILVUS_CLIENT_ERROR', redact(messageOf(err), credentials));
}

/** Credentials never leave memory: scrub them (and their base64 form) from anything a server echoes. */
export function redact(text: string, credentials: MilvusCredentials | null): string {
  if (!credentials) return text;
  let out = text;
  const secrets = [credentials.password, credentials.token, authorizationFor(credentials)].filter((s): s is string => !!s && s.length >= 3);
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

// ---------------------------------------------------------------- SDK probes

export async function probeMilvusVersion(target: MilvusTarget, ctx: ProbeContext, session?: MilvusSession): Promise<MilvusVersionFact> {
  const started = performance.now();
  return withClient(target, ctx, ctx.timeoutMs * 2, session, async (client) => {
    const res = await client.getVersion();
    checkStatus(statusOf(res), target.credentials);
    if (!res.version) {
      // What the SDK returns when the LB answered 404 (grpc-js: UNIMPLEMENTED): an empty "success".
      throw new ProbeError('milvus', 'MILVUS_EMPTY_VERSION', 'GetVersion succeeded with an empty version (the SDK hides an UNIMPLEMENTED / HTTP 404 this way)');
    }
    return { version: res.version, connectMs: Math.round(performance.now() - started) };
  });
}

export async function probeMilvusHealth(target: MilvusTarget, ctx: ProbeContext, session?: MilvusSession): Promise<MilvusHealthFact> {
  return withClient(target, ctx, ctx.timeoutMs * 2, session, async (client) => {
    const res = await client.checkHealth();
    checkStatus(statusOf(res), target.credentials);
    return { isHealthy: res.isHealthy, reasons: [...(res.reasons ?? [])] };
  });
}

export async function probeMilvusLatency(target: MilvusTarget, samples: number, ctx: ProbeContext, session?: MilvusSession): Promise<LatencyFact> {
  // A budget for the whole series; a slow front ends the series early rather than the run.
  const budgetMs = ctx.timeoutMs * 3;
  return withClient(target, ctx, budgetMs, session, async (client, signal) => {
    await client.getVersion(); // the connection and Connect RPC are not part of the samples
    const times: number[] = [];
    let failed = 0;
    let attempted = 0;
    let lastError: unknown;
    const started = performance.now();
    for (let i = 0; i < samples && !signal.aborted && performance.now() - started < budgetMs - ctx.timeoutMs; i++) {
      attempted++;
      const t0 = performance.now();
      try {
        const res = await client.getVersion();
        if (!res.version || statusFailure(statusOf(res))) throw new Error('GetVersion returned no version');
        times.push(performance.now() - t0);
      } catch (err) {
        failed++;
        lastError = err;
      }
    }
    if (times.length === 0) throw lastError ?? new ProbeError('milvus', 'MILVUS_LATENCY_NO_SAMPLES', 'no GetVersion call completed');
    times.sort((a, b) => a - b);
    const pick = (q: number): number => round1(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]);
    return { samples: attempted, failed, p50: pick(0.5), p95: pick(0.95), max: round1(times[times.length - 1]) };
  });
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

const SMOKE_DIM = 4;

/** create → insert → search → drop on a uniquely named collection; drop is attempted whatever failed. */
export async function probeMilvusSmoke(target: MilvusTarget, ctx: ProbeContext, session?: MilvusSession): Promise<SmokeFact> {
  const collection = `l7doctor_smoke_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const own = session ?? new MilvusSession(target, ctx.timeoutMs);
  const client = await own.get();
  const steps: SmokeStep[] = [];
  const step = async (name: SmokeStep['name'], run: () => Promise<MilvusStatus | undefined>): Promise<boolean> => {
    const t0 = performance.now();
    let error: string | undefined;
    try {
      const stepCtx = { signal: ctx.signal, timeoutMs: ctx.timeoutMs * 2 };
      const status = await withDeadline(stepCtx, 'milvus', () => new ProbeTimeoutError('milvus', name, stepCtx.timeoutMs), () => run());
      const failure = statusFailure(status);
      if (failure) error = `${failure.errorCode} (${failure.code}): ${failure.reason}`;
    } catch (err) {
      error = toProbeError(err, target.credentials).message;
    }
    steps.push({ name, ok: error === undefined, ms: Math.round(performance.now() - t0), ...(error === undefined ? {} : { error: redact(error, target.credentials) }) });
    return error === undefined;
  };
  let dropped = false;
  try {
    const vectors = [0, 1, 2].map((i) => ({ id: i + 1, vector: Array.from({ length: SMOKE_DIM }, (_, j) => (i + 1) * 0.1 + j * 0.01) }));
    (await step('create', () => client.createCollection({ collection_name: collection, dimension: SMOKE_DIM, consistency_level: 'Strong', index_params: { index_type: 'FLAT', metric_type: 'L2' } }))) &&
      (await step('insert', async () => (await client.insert({ collection_name: collection, data: vectors })).status)) &&
      (await step('search', async () => {
        const res = await client.search({ collection_name: collection, data: vectors[0].vector, limit: 1 });
        if (res.status.error_code === 'Success' && res.results.length === 0) return { error_code: 'EmptyResult', code: -1, reason: 'search found none of the inserted vectors' };
        return res.status;
      }));
  } finally {
    dropped = await step('drop', () => client.dropCollection({ collection_name: collection }));
    if (!session) await own.close();
  }
  return { collection, steps, dropped };
}

// ---------------------------------------------------------------- credential probes (raw grpc-js)

const require = createRequire(import.meta.url);
let getVersion: ReturnType<typeof methodOf> | undefined;

function getVersionMethod(): ReturnType<typeof methodOf> {
  if (!getVersion) {
    // The SDK's own protos (protobufjs JSON), decoded with the SDK's conversion options.
    const mod: unknown = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus');
    if (!mod || typeof mod !== 'object' || !('default' in mod) || !mod.default || typeof mod.default !== 'object') {
      throw new Error('the Milvus SDK no longer ships proto-json/milvus');
    }
    getVersion = methodOf(mod.default as ProtoJson, 'milvus.proto.milvus.MilvusService', 'GetVersion', {
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
  }
  return getVersion;
}

/** The `authorization` metadata exactly as the SDK sends it (utils/Connection.js getAuthString). */
function authorizationFor(c: MilvusCredentials): string {
  if (c.token) return Buffer.from(c.token, 'utf-8').toString('base64');
  if (c.username && c.password) return Buffer.from(`${c.username}:${c.password}`, 'utf-8').toString('base64');
  return '';
}

async function probeMilvusAs(target: GrpcTarget, credentials: MilvusCredentials | null, ctx: ProbeContext, verify = false): Promise<MilvusAuthProbe> {
  const method = getVersionMethod();
  const metadata = new Metadata();
  const auth = credentials ? authorizationFor(credentials) : '';
  if (auth) metadata.set('authorization', auth);
  metadata.set('dbname', 'default');
  const client = openClient(target, { verify });
  try {
    const result = await unary(client, method, {}, metadata, ctx, 'milvus');
    if (!result.ok) return { grpcCode: result.error.code, message: redact(result.error.details, credentials), accepted: false, milvusCode: null, milvusErrorCode: null };
    // Some Milvus versions refuse credentials inside an OK response.
    const failure = statusFailure(statusOf(result.value));
    if (failure) return { grpcCode: 0, message: redact(failure.reason, credentials), accepted: false, milvusCode: failure.code, milvusErrorCode: failure.errorCode };
    const version = 'version' in result.value ? String(result.value.version) : '';
    return { grpcCode: 0, message: '', accepted: version !== '', milvusCode: 0, milvusErrorCode: null };
  } finally {
    client.close();
  }
}

/** The user's credentials: sent only over a connection that verifies the server's certificate. */
export function probeMilvusAuth(target: GrpcTarget, credentials: MilvusCredentials, ctx: ProbeContext): Promise<MilvusAuthProbe> {
  return probeMilvusAs(target, credentials, ctx, true);
}

export function probeMilvusAnonymous(target: GrpcTarget, ctx: ProbeContext): Promise<MilvusAuthProbe> {
  return probeMilvusAs(target, null, ctx);
}

/** root:Milvus, the default every Milvus install starts with (public, so sent whatever the certificate). */
export function probeMilvusDefaultPassword(target: GrpcTarget, ctx: ProbeContext): Promise<MilvusAuthProbe> {
  return probeMilvusAs(target, { username: 'root', password: 'Milvus' }, ctx);
}
