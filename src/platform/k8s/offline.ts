// Offline mode: each Kubernetes fact derived from the objects read from --manifests, one function per
// fact, the same as the registry's offline reads use. What only a live cluster can tell is `skipped` with
// OFFLINE_REASON, unless the files carry it (a kubectl dump can hold pods and events).
import type { Outcome } from '../../model.js';
import { skipped } from '../../probes/outcome.js';
import { ingressHost, selectIngress, selectService, tlsSecretNameFor } from './discover.js';
import { parseMilvusConfig } from './milvus-config.js';
import {
  WORKLOAD_KINDS, arr, isRecord, kindOf, nameOf, namespaceOf, selectorMatches, strMap, toBackendConfig, toEndpointSlice, toEvent, toIngress,
  toIngressClass, toManagedCertificate, toPod, toService, toTargetGroupBinding, toWorkload, type RawObject,
} from './objects.js';
import { parseTlsSecret } from './tls-secret.js';
import { OFFLINE_REASON, type IngressFact, type K8sFacts, type ServiceFact } from './types.js';
import type { K8sValues } from '../../sources/values.js';

/** The objects of one namespace (and the cluster-scoped IngressClasses), as read from the files. */
export interface OfflineObjects {
  readonly namespace: string;
  readonly objects: readonly RawObject[];
}

/** What the per-object facts need from the selection: the chosen Service and Ingress objects. */
export interface OfflineSelection {
  readonly svc: ServiceFact | null;
  readonly ing: IngressFact | null;
}

/** A fact read from the files: no time spent on a network. */
function okv<T>(value: T): Outcome<T> {
  return { status: 'ok', value, ms: 0 };
}

/** The namespace to judge: -n, else the Milvus Service's, else an Ingress's, else default. */
export function chooseNamespace(objects: readonly RawObject[], wanted: string | undefined): string {
  if (wanted) return wanted;
  const svcNs = objects
    .filter((o) => kindOf(o) === 'Service' && arr(isRecord(o.spec) ? o.spec.ports : []).some((p) => isRecord(p) && p.port === 19530))
    .map(namespaceOf)
    .find((n): n is string => n !== null);
  if (svcNs) return svcNs;
  return objects.filter((o) => kindOf(o) === 'Ingress').map(namespaceOf).find((n): n is string => n !== null) ?? 'default';
}

export function offlineObjects(all: readonly RawObject[], wantedNamespace: string | undefined): OfflineObjects {
  const namespace = chooseNamespace(all, wantedNamespace);
  return { namespace, objects: all.filter((o) => kindOf(o) === 'IngressClass' || (namespaceOf(o) ?? namespace) === namespace) };
}

const ofKind = (o: OfflineObjects, kind: string): RawObject[] => o.objects.filter((x) => kindOf(x) === kind);
const present = (o: OfflineObjects, kind: string): boolean => ofKind(o, kind).length > 0;

type Derive<F extends keyof K8sValues> = (o: OfflineObjects, sel: OfflineSelection) => Outcome<K8sValues[F]>;

/** One derivation per Kubernetes fact. */
export const OFFLINE: { readonly [F in keyof K8sValues]: Derive<F> } = {
  services: (o) => okv(ofKind(o, 'Service').map((x) => toService(x, o.namespace))),
  ingresses: (o) => okv(ofKind(o, 'Ingress').map((x) => toIngress(x, o.namespace))),
  ingressClasses: (o) => (present(o, 'IngressClass') ? okv(ofKind(o, 'IngressClass').map(toIngressClass)) : skipped(OFFLINE_REASON)),
  endpointSlices: (o, { svc }) =>
    present(o, 'EndpointSlice') && svc ? okv(ofKind(o, 'EndpointSlice').map(toEndpointSlice).filter((e) => e.service === svc.name)) : skipped(OFFLINE_REASON),
  pods: (o, { svc }) => (present(o, 'Pod') && svc ? okv(ofKind(o, 'Pod').map(toPod).filter((p) => selectorMatches(svc.selector, p.labels))) : skipped(OFFLINE_REASON)),
  workloads: (o, { svc }) =>
    svc ? okv(o.objects.filter((x) => WORKLOAD_KINDS.has(kindOf(x))).map(toWorkload).filter((w) => selectorMatches(svc.selector, w.podLabels))) : okv([]),
  milvusConfig: (o, { svc }) => {
    const hasMilvusFile = (x: RawObject): boolean => {
      const data = isRecord(x.data) ? x.data : {};
      return ['user.yaml', 'milvus.yaml', 'default.yaml'].some((k) => k in data);
    };
    const configMaps = ofKind(o, 'ConfigMap');
    const cm = (svc ? configMaps.find((x) => nameOf(x) === svc.name && hasMilvusFile(x)) : undefined) ?? configMaps.find(hasMilvusFile);
    if (!cm) return skipped(`${OFFLINE_REASON} (no Milvus ConfigMap with user.yaml/default.yaml in the manifests)`);
    return okv(parseMilvusConfig(nameOf(cm), strMap(cm.data)));
  },
  ingressEvents: (o, { ing }) => {
    if (!present(o, 'Event')) return skipped(OFFLINE_REASON);
    const events = ofKind(o, 'Event').map(toEvent).filter((e) => e.involvedKind === 'Ingress');
    return okv(ing ? events.filter((e) => e.involvedName === ing.name) : events);
  },
  backendConfigs: (o) => okv(ofKind(o, 'BackendConfig').map((x) => toBackendConfig(x, o.namespace))),
  managedCertificates: (o) => okv(ofKind(o, 'ManagedCertificate').map((x) => toManagedCertificate(x, o.namespace))),
  tlsSecret: (o, { ing }) => {
    const name = ing ? tlsSecretNameFor(ing, ingressHost(ing)) : null;
    if (name === null) return skipped('the Ingress references no TLS Secret');
    const s = ofKind(o, 'Secret').find((x) => nameOf(x) === name);
    if (!s) return skipped(`${OFFLINE_REASON} (Secret ${name} is not in the manifests)`);
    return okv(parseTlsSecret(s, o.namespace));
  },
  targetGroupBindings: (o) =>
    present(o, 'TargetGroupBinding')
      ? okv(ofKind(o, 'TargetGroupBinding').map((x) => toTargetGroupBinding(x, ofKind(o, 'Event').map(toEvent))))
      : skipped(OFFLINE_REASON),
  healthzService: () => skipped(OFFLINE_REASON),
  healthzPods: () => skipped(OFFLINE_REASON),
  backendProtocol: () => skipped(OFFLINE_REASON),
};

/** The whole offline snapshot at once (tests, and tools that judge objects without running the graph). */
export function factsFromObjects(
  all: readonly RawObject[],
  options: { readonly namespace?: string; readonly release?: string; readonly service?: string; readonly ingress?: string },
  files: readonly string[] = [],
  host: string | null = null,
): K8sFacts {
  const o = offlineObjects(all, options.namespace);
  const derive = (sel: OfflineSelection): K8sFacts => {
    const fields = Object.fromEntries((Object.keys(OFFLINE) as (keyof K8sValues)[]).map((f) => [f, OFFLINE[f](o, sel)]));
    return {
      source: 'manifests',
      namespace: o.namespace,
      context: null,
      requested: { release: options.release ?? null, service: options.service ?? null, ingress: options.ingress ?? null },
      files,
      ...(fields as K8sOutcomes),
    };
  };
  const base = derive({ svc: null, ing: null });
  const svc = selectService(base);
  return derive({ svc, ing: selectIngress(base, svc?.name ?? null, host) });
}

type K8sOutcomes = { readonly [F in keyof K8sValues]: Outcome<K8sValues[F]> };
