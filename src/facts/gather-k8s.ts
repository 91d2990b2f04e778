// The Kubernetes part of gather(): live from the API server or offline from --manifests, the same
// K8sFacts either way. Readers are imported lazily so a run without a cluster never loads client-node.
import type { K8sFacts, K8sSelection } from '../platform/k8s/types.js';
import type { StepListener } from '../model.js';

export interface GatherK8sOptions extends K8sSelection {
  readonly mode: 'live' | 'manifests';
  /** A file, a directory, or '-' for stdin. */
  readonly manifests?: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly onStep?: StepListener;
  /** Where '-' reads from (tests); process.stdin by default. */
  readonly stdin?: NodeJS.ReadableStream;
}

export async function gatherK8s(options: GatherK8sOptions): Promise<K8sFacts> {
  const who = { namespace: options.namespace, release: options.release, service: options.service, ingress: options.ingress };
  if (options.mode === 'manifests') {
    const { UsageError } = await import('../errors.js');
    if (!options.manifests) throw new UsageError('--manifests needs a file, a directory or - for stdin', 'MANIFEST_NOT_FOUND');
    const { loadManifests } = await import('../platform/k8s/manifests.js');
    const started = performance.now();
    const facts = await loadManifests(options.manifests, who, options.stdin);
    options.onStep?.('k8s.manifests', 'ok', Math.round(performance.now() - started));
    return facts;
  }
  const { readLive } = await import('../platform/k8s/live.js');
  return readLive({ ...who, kubeconfig: options.kubeconfig, context: options.context, timeoutMs: options.timeoutMs, signal: options.signal, onStep: options.onStep });
}
