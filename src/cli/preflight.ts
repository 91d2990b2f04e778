// Input errors found before the run loads its engine, probes and SDKs (about a second of imports
// and worker start-up): a usage error should cost no more than parsing the command line.
import { UsageError } from '../errors.js';
import type { RunConfig } from './config.js';

export async function preflight(config: RunConfig, env: NodeJS.ProcessEnv): Promise<void> {
  if (config.fromSnapshot) {
    // A file that is not a snapshot is an input error: said before the engine starts.
    const { loadSnapshot } = await import('../facts/snapshot.js');
    loadSnapshot(config.fromSnapshot);
    return;
  }
  const { gather } = config;
  // gather() says the same once it has started; this spares the imports in front of it.
  if (gather.host === null && gather.address === null && !gather.k8s) {
    throw new UsageError('nothing to check: give --address and --host, or --namespace/--release to discover them from the cluster, or --manifests');
  }
  if (gather.k8s?.mode === 'manifests' && gather.k8s.manifests !== undefined && gather.k8s.manifests !== '-') {
    // Files without objects, templates and bad YAML are input errors: said before anything starts.
    // (stdin can be read only once: gather reads and judges it.)
    const { readManifests } = await import('../platform/k8s/manifests.js');
    await readManifests(gather.k8s.manifests);
  }
  if (gather.k8s?.mode === 'live') {
    // `yaml` (~80 ms to load) only when a cluster is read at all.
    const { checkKubeconfig } = await import('../platform/k8s/kubeconfig-check.js');
    checkKubeconfig(gather.k8s.kubeconfig, gather.k8s.context, env);
  }
}
