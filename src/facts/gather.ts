// gather(): every probe and reader of one run, once, as concurrently as their dependencies allow.
// Kubernetes first only when discovery must supply the host or the address; otherwise both at once.
import { UsageError } from '../errors.js';
import type { Facts, TargetInfo } from './types.js';
import type { DataPathTarget } from './gather-datapath.js';
import type { K8sFacts, K8sSelection } from '../platform/k8s/types.js';
import type { StepListener } from '../model.js';

export interface Credentials {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface GatherConfig {
  readonly host: string | null;
  readonly address: string | null;
  readonly port: number;
  readonly serverName: string | null;
  readonly caFile: string | null;
  readonly ca: string[] | null;
  readonly credentials: Credentials | null;
  readonly healthzUrl: string | null;
  readonly dnsServer: string | null;
  readonly provider: 'aws' | 'gcp' | 'auto';
  readonly timeoutMs: number;
  readonly latencySamples: number;
  readonly smoke: boolean;
  readonly k8s: (K8sSelection & { readonly mode: 'live' | 'manifests'; readonly manifests?: string }) | null;
}

function credentialKind(c: Credentials | null): TargetInfo['credentials'] {
  if (!c) return 'none';
  if (c.token) return 'token';
  if (c.username) return 'user-password';
  return 'none';
}

export async function gather(config: GatherConfig, signal: AbortSignal, onStep?: StepListener): Promise<Facts> {
  const started = Date.now();
  const gatheredAt = new Date(started).toISOString();
  let host = config.host;
  let address = config.address;
  let provider: TargetInfo['provider'] = config.provider === 'auto' ? 'unknown' : config.provider;

  let k8sPromise: Promise<K8sFacts> | undefined;
  const discover = async (snapshot: K8sFacts) => {
    const { discoverTarget } = await import('../platform/k8s/discover.js');
    return discoverTarget(snapshot);
  };
  if (config.k8s) {
    const { gatherK8s } = await import('./gather-k8s.js');
    k8sPromise = gatherK8s({ ...config.k8s, timeoutMs: config.timeoutMs, signal, onStep });
    // The probes wait for discovery only when it must tell them where to go; the provider is for the
    // judges and can come afterwards.
    if (host === null || address === null) {
      const found = await discover(await k8sPromise);
      host ??= found.host;
      address ??= found.address;
    }
  }

  if (host === null && address === null && !config.k8s) {
    throw new UsageError('nothing to check: give --address and --host, or --namespace/--release to discover them from the cluster, or --manifests');
  }

  const { gatherDataPath } = await import('./gather-datapath.js');
  const serverName = config.serverName ?? host;
  const target: DataPathTarget = {
    host,
    address,
    port: config.port,
    serverName,
    ca: config.ca,
    dnsServer: config.dnsServer,
    healthzUrl: config.healthzUrl,
    credentials: config.credentials,
  };
  // Offline, the network is probed only when the user named an endpoint; a rendered manifest's host
  // is not a promise that it resolves.
  const explicit = config.host !== null || config.address !== null;
  const offline = config.k8s?.mode === 'manifests';
  const canProbe = offline ? explicit : host !== null || address !== null;
  const dataPathPromise = canProbe
    ? gatherDataPath(target, { timeoutMs: config.timeoutMs, latencySamples: config.latencySamples, smoke: config.smoke, signal, onStep })
    : null;
  const [dataPath, k8sFacts] = await Promise.all([dataPathPromise, k8sPromise]);
  if (k8sFacts && provider === 'unknown') provider = (await discover(k8sFacts)).provider;

  if (dataPath && config.host !== null && address === null && dataPath.dns.status === 'error' && dataPath.dns.error.code === 'DNS_NOT_FOUND') {
    throw new UsageError(`--host ${host} does not resolve (${dataPath.dns.error.message}); give --address to check the load balancer directly`);
  }

  const targetInfo: TargetInfo = {
    host,
    address,
    port: config.port,
    serverName,
    healthzUrl: config.healthzUrl,
    caFile: config.caFile,
    credentials: credentialKind(config.credentials),
    provider,
    dnsServer: config.dnsServer,
  };
  return {
    schema: 1,
    target: targetInfo,
    gatheredAt,
    gatherMs: Date.now() - started,
    dataPath: dataPath ?? (offline ? notProbed('offline (--manifests): give --address (and --host) to also probe the load balancer') : notProbed('no host or address: the Ingress has no address yet', 'k8s.ingress.address')),
    ...(k8sFacts ? { k8s: k8sFacts } : {}),
  };
}

/** Every data-path fact skipped: offline without an endpoint, or blocked when discovery found no address. */
function notProbed(reason: string, blockedBy?: string): Facts['dataPath'] {
  const s = { status: 'skipped', reason, ...(blockedBy ? { blockedBy } : {}) } as const;
  return {
    dns: s, tcp: s, tls: s, tlsNoSni: s, http2Host: s, http2Address: s, grpcHealth: s, milvusVersion: s, milvusHealth: s,
    milvusAuth: s, milvusAnonymous: s, milvusDefaultPassword: s, latency: s, smoke: s, healthz: s,
  };
}
