// The Milvus release as milvus-helm renders it once a guide's `helm upgrade` ran: the proxy Service as
// ClusterIP (`--set service.type=ClusterIP`, both guides), the user.yaml the guides' values add, and the
// proxy Deployment the Service selects. Only the proxy: it is the component the load balancer reaches.

import { stringify } from 'yaml';
import { gcpServiceAnnotations } from './gcp.js';
import type { K8sObject } from './object.js';
import { DEFAULTS, guideNames, METRICS_PORT, MILVUS_PORT, type GuideParams } from './params.js';

/** The proxy pods' labels: the Service selects them, the Deployment stamps them. */
export function proxySelector(release: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/name': 'milvus', component: 'proxy' };
}

function chartLabels(p: GuideParams, component?: string): Record<string, string> {
  return {
    'app.kubernetes.io/instance': p.release,
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/name': 'milvus',
    ...(component ? { component } : {}),
    'helm.sh/chart': p.chart ?? DEFAULTS.chart,
  };
}

// Helm 3 adopts an object only when these name its release; provision must keep them or Helm refuses the next upgrade.
function helmAnnotations(p: GuideParams): Record<string, string> {
  return { 'meta.helm.sh/release-name': p.release, 'meta.helm.sh/release-namespace': p.namespace };
}

/** The two ports by name: GKE's app-protocols is keyed by the port name, so the name is not cosmetic. */
export function milvusServicePorts(): Record<string, unknown>[] {
  return [MILVUS_PORT, METRICS_PORT].map((x) => ({ name: x.name, port: x.port, protocol: 'TCP', targetPort: x.name }));
}

export function renderMilvusService(p: GuideParams): K8sObject {
  const names = guideNames(p);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: names.service,
      namespace: p.namespace,
      labels: chartLabels(p, 'proxy'),
      annotations: { ...helmAnnotations(p), ...(p.provider === 'gcp' ? gcpServiceAnnotations(p) : {}) },
    },
    spec: { type: 'ClusterIP', ports: milvusServicePorts(), selector: proxySelector(p.release) },
  };
}

function effectiveTlsMode(p: GuideParams): 0 | 1 | 2 | undefined {
  return p.milvus?.tlsMode ?? (p.provider === 'gcp' ? 1 : undefined);
}

/** Where Milvus reads its server certificate: the TLS Secret, mounted into the proxy pods. */
export const MILVUS_TLS_DIR = '/milvus/tls';

/**
 * user.yaml as the guides' values file carries it (`extraConfigFiles`). tlsMode 1 on GCP: GKE's backend
 * service speaks HTTP/2 over TLS; never 2, which demands client certificates no LB presents.
 */
export function milvusUserConfig(p: GuideParams): Record<string, unknown> {
  const tlsMode = effectiveTlsMode(p);
  const security: Record<string, unknown> = { authorizationEnabled: p.milvus?.authorizationEnabled ?? true };
  if (tlsMode !== undefined && tlsMode !== 0) security.tlsMode = tlsMode;
  const config: Record<string, unknown> = { common: { security } };
  if (tlsMode !== undefined && tlsMode !== 0) {
    config.tls = {
      serverPemPath: `${MILVUS_TLS_DIR}/tls.crt`,
      serverKeyPath: `${MILVUS_TLS_DIR}/tls.key`,
      // Milvus verifies clients against this CA under tlsMode 2.
      ...(tlsMode === 2 ? { caPemPath: `${MILVUS_TLS_DIR}/ca.crt` } : {}),
    };
  }
  return config;
}

export function milvusUserYaml(p: GuideParams): string {
  return stringify(milvusUserConfig(p));
}

/** The values file for `helm upgrade <release> milvus/milvus -f …`: what both guides change in the chart. */
export function milvusHelmValues(p: GuideParams): string {
  return stringify({ service: { type: 'ClusterIP' }, extraConfigFiles: { 'user.yaml': milvusUserYaml(p) } });
}

export function renderMilvusConfigMap(p: GuideParams): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: guideNames(p).configMap, namespace: p.namespace, labels: chartLabels(p), annotations: helmAnnotations(p) },
    data: { 'user.yaml': milvusUserYaml(p) },
  };
}

/**
 * Where Milvus finds the certificate user.yaml names (tls.serverPemPath): the TLS Secret mounted at
 * MILVUS_TLS_DIR whenever Milvus serves TLS. Without it a tlsMode 1 proxy cannot start. The chart takes
 * these as its `volumes` / `volumeMounts` values.
 */
export function milvusTlsMount(p: GuideParams): { volumes: Record<string, unknown>[]; volumeMounts: Record<string, unknown>[] } {
  if ((effectiveTlsMode(p) ?? 0) === 0) return { volumes: [], volumeMounts: [] };
  return {
    volumes: [{ name: 'milvus-tls', secret: { secretName: guideNames(p).tlsSecret } }],
    volumeMounts: [{ name: 'milvus-tls', mountPath: MILVUS_TLS_DIR, readOnly: true }],
  };
}

/** The proxy container as the chart declares it (probes are the kubelet's concern, see the pods). */
export function proxyContainer(p: GuideParams): Record<string, unknown> {
  const { volumeMounts } = milvusTlsMount(p);
  return {
    name: 'proxy',
    image: p.image ?? DEFAULTS.image,
    args: ['milvus', 'run', 'proxy'],
    ports: [MILVUS_PORT, METRICS_PORT].map((x) => ({ name: x.name, containerPort: x.port, protocol: 'TCP' })),
    ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
  };
}

/** The pod volumes the proxy container mounts: the TLS Secret whenever Milvus serves TLS. */
export function proxyVolumes(p: GuideParams): Record<string, unknown>[] {
  return milvusTlsMount(p).volumes;
}

export function renderProxyDeployment(p: GuideParams): K8sObject {
  const volumes = proxyVolumes(p);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: guideNames(p).deployment, namespace: p.namespace, labels: chartLabels(p, 'proxy'), annotations: helmAnnotations(p) },
    spec: {
      replicas: p.proxyReplicas ?? DEFAULTS.proxyReplicas,
      selector: { matchLabels: proxySelector(p.release) },
      template: {
        metadata: { labels: proxySelector(p.release) },
        spec: { containers: [proxyContainer(p)], ...(volumes.length > 0 ? { volumes } : {}) },
      },
    },
  };
}
