// The cluster every Kubernetes source reads from: a live API server (the kubeconfig, loaded with
// @kubernetes/client-node) or the objects of --manifests. An internal source: never stored, and the only
// place client-node or the manifest reader is loaded, so a run that needs no Kubernetes fact loads neither.
import type { Outcome } from '../../model.js';
import type { LiveCluster } from '../../platform/k8s/live.js';
import type { OfflineObjects } from '../../platform/k8s/offline.js';
import type { K8sMeta } from '../../platform/k8s/types.js';
import { defineSource } from '../define.js';

export interface ClusterHandle {
  readonly meta: K8sMeta;
  readonly live: LiveCluster | null;
  readonly offline: OfflineObjects | null;
}

export const clusterSource = defineSource({
  key: 'k8s.cluster',
  label: 'load the kubeconfig or the manifests',
  layer: 'k8s',
  owner: null,
  schema: null,
  applies: (o) => (o.k8s ? null : 'no cluster or manifests to read (--kubeconfig/--context or --manifests)'),
  async read(ctx): Promise<Outcome<ClusterHandle>> {
    const started = performance.now();
    const k = ctx.options.k8s;
    if (!k) return { status: 'skipped', reason: 'no cluster' };
    const requested = { release: k.release ?? null, service: k.service ?? null, ingress: k.ingress ?? null };
    if (k.mode === 'manifests') {
      const { UsageError } = await import('../../errors.js');
      if (!k.manifests) throw new UsageError('--manifests needs a file, a directory or - for stdin', 'MANIFEST_NOT_FOUND');
      const [{ readManifests }, { offlineObjects }] = await Promise.all([import('../../platform/k8s/manifests.js'), import('../../platform/k8s/offline.js')]);
      const { objects, files } = await readManifests(k.manifests, ctx.options.stdin);
      const offline = offlineObjects(objects.map((x) => x.object), k.namespace);
      const meta: K8sMeta = { source: 'manifests', namespace: offline.namespace, context: null, requested, files };
      return { status: 'ok', value: { meta, live: null, offline }, ms: Math.round(performance.now() - started) };
    }
    const { openCluster } = await import('../../platform/k8s/live.js');
    const live = openCluster(k.kubeconfig, k.context, k.namespace);
    const meta: K8sMeta = { source: 'live', namespace: live.namespace, context: live.context, requested, files: [] };
    return { status: 'ok', value: { meta, live, offline: null }, ms: Math.round(performance.now() - started) };
  },
});
