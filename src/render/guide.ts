// Everything one guide creates, by role and in the order `kubectl apply` needs it (what a resource
// refers to before the resource). The lab serves these; `provision` diffs them against the cluster.

import { renderAlbIngress } from './aws.js';
import { renderBackendConfig, renderGkeIngress, renderManagedCertificate, renderTlsSecret } from './gcp.js';
import { renderMilvusConfigMap, renderMilvusService, renderProxyDeployment } from './milvus.js';
import type { K8sObject } from './object.js';
import { validateParams, type GuideParams } from './params.js';

export interface GuideObjects {
  readonly service: K8sObject;
  readonly configMap: K8sObject;
  readonly deployment: K8sObject;
  /** GCP only. */
  readonly backendConfig?: K8sObject;
  /** GCP, when TLS material was given. */
  readonly tlsSecret?: K8sObject;
  /** GCP with a Google-managed certificate. */
  readonly managedCertificate?: K8sObject;
  readonly ingress: K8sObject;
}

/** Validates first (RenderError naming the field), then renders fresh objects the caller may change. */
export function renderGuide(p: GuideParams): GuideObjects {
  validateParams(p);
  const milvus = { service: renderMilvusService(p), configMap: renderMilvusConfigMap(p), deployment: renderProxyDeployment(p) };
  if (p.provider === 'aws') return { ...milvus, ingress: renderAlbIngress(p) };
  return {
    ...milvus,
    backendConfig: renderBackendConfig(p),
    ...(p.tls ? { tlsSecret: renderTlsSecret(p, p.tls) } : {}),
    ...(p.certificate === 'managed' ? { managedCertificate: renderManagedCertificate(p) } : {}),
    ingress: renderGkeIngress(p),
  };
}

const APPLY_ORDER: readonly (keyof GuideObjects)[] = ['configMap', 'tlsSecret', 'managedCertificate', 'backendConfig', 'deployment', 'service', 'ingress'];

/** The objects in apply order: config and certificates, then what uses them, the Ingress last. */
export function guideObjectList(g: GuideObjects): K8sObject[] {
  return APPLY_ORDER.flatMap((role) => {
    const o = g[role];
    return o ? [o] : [];
  });
}
