// The Kubernetes facts of one run, through the source graph as the CLI gathers them: every k8s source
// planned, live from a kubeconfig or offline from manifests. For tests of the readers.
import type { K8sFacts } from '../../src/platform/k8s/types.js';
import { gather } from '../../src/gather/gather.js';
import { K8S_SOURCES } from '../../src/sources/k8s/objects.js';
import type { GatherOptions, K8sOptions } from '../../src/sources/options.js';
import type { SourceKey } from '../../src/sources/values.js';

export interface ReadK8sOptions extends Omit<K8sOptions, 'mode'> {
  readonly mode?: K8sOptions['mode'];
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly backendProbe?: boolean;
  readonly host?: string;
  readonly provider?: GatherOptions['provider'];
  readonly stdin?: NodeJS.ReadableStream;
  readonly onStep?: (key: string, status: 'ok' | 'error' | 'skipped', ms: number) => void;
}

export async function readK8s(o: ReadK8sOptions): Promise<K8sFacts> {
  const { timeoutMs, signal, backendProbe, host, provider, stdin, onStep, mode, ...k8s } = o;
  const options: GatherOptions = {
    host: host ?? null, address: null, port: 443, serverName: null, caFile: null, ca: null, credentials: null, healthzUrl: null, dnsServer: null,
    provider: provider ?? 'auto', timeoutMs, latencySamples: 0, smoke: false,
    k8s: { mode: mode ?? 'live', ...k8s },
    ...(stdin ? { stdin } : {}),
    ...(backendProbe === false ? { backendProbe } : {}),
  };
  const needs = Object.keys(K8S_SOURCES) as SourceKey[];
  const { facts } = await gather(options, needs, signal, onStep);
  if (!facts.k8s) throw new Error('no Kubernetes facts gathered');
  return facts.k8s;
}

/** Offline: the facts of --manifests PATH. */
export function loadManifests(path: string, options: Omit<ReadK8sOptions, 'timeoutMs' | 'signal' | 'manifests' | 'mode'> = {}, stdin?: NodeJS.ReadableStream): Promise<K8sFacts> {
  return readK8s({ ...options, mode: 'manifests', manifests: path, timeoutMs: 5000, signal: new AbortController().signal, ...(stdin ? { stdin } : {}) });
}
