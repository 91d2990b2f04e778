// What the GKE checks share: the annotation keys ingress-gce reads, the kubectl command that sets one, and
// the wrappers that make a judge need the Milvus Service or its Ingress.
import type { CheckDef, Judgement } from '../define.js';
import { annotationJson, withIngress, withService, type K8sView } from '../k8s/view.js';
import { milvusServicePort } from '../../platform/k8s/discover.js';
import { isRecord } from '../../platform/k8s/objects.js';

import type { IngressFact, ServiceFact } from '../../platform/k8s/types.js';

export const APP_PROTOCOLS = 'cloud.google.com/app-protocols';
export const APP_PROTOCOLS_ALPHA = 'service.alpha.kubernetes.io/app-protocols';
export const BACKEND_CONFIG_KEYS = ['cloud.google.com/backend-config', 'beta.cloud.google.com/backend-config'];
export const NEG = 'cloud.google.com/neg';
export const NEG_STATUS = 'cloud.google.com/neg-status';
export const JSON_KEYS = [APP_PROTOCOLS, APP_PROTOCOLS_ALPHA, ...BACKEND_CONFIG_KEYS, NEG, NEG_STATUS];

export function gcpService(body: (v: K8sView, svc: ServiceFact) => Judgement): CheckDef['judge'] {
  return (facts) => withService(facts, body);
}
export function gcpIngress(body: (v: K8sView, ing: IngressFact, svc: ServiceFact | null) => Judgement): CheckDef['judge'] {
  return (facts) => withIngress(facts, body);
}

export function annotateService(svc: ServiceFact, key: string, value: string): string {
  return `kubectl -n ${svc.namespace} annotate service ${svc.name} ${key}='${value}' --overwrite`;
}

/** The app-protocols annotation ingress-gce goes by: the alpha key wins when both are set. */
export function effectiveAppProtocols(svc: ServiceFact): { readonly key: string; readonly parsed: ReturnType<typeof annotationJson> } {
  const alpha = annotationJson(svc.annotations, APP_PROTOCOLS_ALPHA);
  return alpha.present ? { key: APP_PROTOCOLS_ALPHA, parsed: alpha } : { key: APP_PROTOCOLS, parsed: annotationJson(svc.annotations, APP_PROTOCOLS) };
}

/** The protocol ingress-gce speaks to the gRPC port: the entry keyed by the port's NAME, or null. */
export function appProtocolOfMilvusPort(svc: ServiceFact): string | null {
  const name = milvusServicePort(svc)?.name;
  const { parsed } = effectiveAppProtocols(svc);
  if (!name || !parsed.present || parsed.error !== null || !isRecord(parsed.value)) return null;
  const value = parsed.value[name];
  return typeof value === 'string' ? value.toUpperCase() : null;
}
