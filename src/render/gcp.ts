// The objects of the GCP guide (seeds/002): the Service annotations, the BackendConfig health check, the
// certificate (a TLS Secret or a ManagedCertificate) and the GKE Ingress.

import { ingressRule } from './ingress-rule.js';
import type { K8sObject } from './object.js';
import { DEFAULTS, guideNames, METRICS_PORT, MILVUS_PORT, type GcpParams, type TlsMaterial } from './params.js';

/**
 * The three annotations of `kubectl annotate service` in seeds/002. app-protocols is keyed by the port
 * NAME: keyed by number GKE ignores it and speaks HTTP/1.1 (FAILURES.md: app-protocols-key).
 */
export function gcpServiceAnnotations(p: Pick<GcpParams, 'release' | 'names'>): Record<string, string> {
  return {
    'cloud.google.com/app-protocols': JSON.stringify({ [MILVUS_PORT.name]: 'HTTP2' }),
    'cloud.google.com/backend-config': JSON.stringify({ default: guideNames(p).backendConfig }),
    // The guide's own spelling; GKE parses it as JSON, so the space is harmless.
    'cloud.google.com/neg': '{"ingress": true}',
  };
}

/**
 * Plain HTTP /healthz on 9091 while traffic goes HTTP/2 over TLS to 19530: Milvus offers health only over
 * gRPC and HTTP/1, and GKE's default check (HTTP2 on the serving port, path /) marks it UNHEALTHY.
 */
export function renderBackendConfig(p: GcpParams): K8sObject {
  const timing = { ...DEFAULTS.healthCheck, ...p.healthCheck };
  return {
    apiVersion: 'cloud.google.com/v1',
    kind: 'BackendConfig',
    // The guide puts it in `default`; it only works in the Service's namespace (FAILURES.md: backendconfig-ref).
    metadata: { name: guideNames(p).backendConfig, namespace: p.namespace },
    spec: {
      timeoutSec: p.backendTimeoutSec ?? DEFAULTS.backendTimeoutSec,
      healthCheck: { type: 'HTTP', port: METRICS_PORT.port, requestPath: '/healthz', ...timing },
    },
  };
}

/** `tls.crt` as the LB and Milvus serve it: the leaf, then the intermediates. */
export function tlsCertificateChain(tls: Pick<TlsMaterial, 'certPem' | 'chainPem'>): string {
  return tls.chainPem ? `${tls.certPem.trimEnd()}\n${tls.chainPem.trimEnd()}\n` : `${tls.certPem.trimEnd()}\n`;
}

/** `kubectl create secret tls <service>-tls --cert --key`. */
export function renderTlsSecret(p: GcpParams, tls: TlsMaterial): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: guideNames(p).tlsSecret, namespace: p.namespace },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(tlsCertificateChain(tls)).toString('base64'),
      'tls.key': Buffer.from(tls.keyPem).toString('base64'),
      ...(tls.caPem ? { 'ca.crt': Buffer.from(tls.caPem).toString('base64') } : {}),
    },
  };
}

/** Google provisions it only once the host's DNS points at the Ingress IP (FAILURES.md: managed-cert). */
export function renderManagedCertificate(p: Pick<GcpParams, 'namespace' | 'release' | 'host' | 'names'>): K8sObject {
  return {
    apiVersion: 'networking.gke.io/v1',
    kind: 'ManagedCertificate',
    // The guide leaves out the namespace; it must be the Ingress's.
    metadata: { name: guideNames(p).managedCertificate, namespace: p.namespace },
    spec: { domains: [p.host] },
  };
}

/**
 * The guide's Ingress. Class by annotation, never spec.ingressClassName: the GCE controller skips an
 * Ingress whose ingressClassName is set (FAILURES.md: ignored). Port 80 closed: clients must use 443.
 */
export function renderGkeIngress(p: GcpParams): K8sObject {
  const names = guideNames(p);
  const managed = p.certificate === 'managed';
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: names.ingress,
      namespace: p.namespace,
      annotations: {
        'kubernetes.io/ingress.class': 'gce',
        ...(p.allowHttp ? {} : { 'kubernetes.io/ingress.allow-http': 'false' }),
        ...(managed ? { 'networking.gke.io/managed-certificates': names.managedCertificate } : {}),
      },
    },
    spec: {
      ...(managed ? {} : { tls: [{ hosts: [p.host], secretName: names.tlsSecret }] }),
      rules: [ingressRule(p.host, names.service)],
    },
  };
}
