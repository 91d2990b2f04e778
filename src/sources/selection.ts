// The selection: which Service, Ingress, host, address and provider this run is about, and why each was
// chosen. Decided once, here, from the flags and the cluster's objects; every reader and check uses it, so
// the Secret that is read is the one of the Ingress that is judged.
import type { Outcome } from '../model.js';
import type { GatherOptions } from './options.js';
import type { DiscoveryInput } from '../platform/k8s/discover.js';
import type { IngressFact, ServiceFact } from '../platform/k8s/types.js';
import { defineSource } from './define.js';
import { selectionSchema } from './fact-schemas.js';

export type Provider = 'aws' | 'gcp' | 'unknown';

export interface SelectionFact {
  readonly namespace: string | null;
  readonly service: string | null;
  readonly serviceFrom: 'flag' | 'release' | 'discovery' | null;
  readonly ingress: string | null;
  readonly ingressFrom: 'flag' | 'discovery' | null;
  readonly host: string | null;
  readonly hostFrom: 'flag' | 'ingress' | 'managed-certificate' | null;
  readonly address: string | null;
  readonly addressFrom: 'flag' | 'ingress-status' | null;
  readonly provider: Provider;
  readonly providerFrom: 'flag' | 'discovery' | null;
  /** Helm releases of Milvus-like Services in the namespace: what exists when --release names none. */
  readonly releases: readonly string[];
  readonly notes: readonly string[];
}

/** What the user named: the flags the selection starts from. */
export type SelectionFlags = Pick<GatherOptions, 'host' | 'address' | 'provider' | 'k8s'>;

function okValue<T>(o: Outcome<T> | undefined): T | null {
  return o && o.status === 'ok' ? o.value : null;
}

/** From the flags alone: no cluster, or a cluster whose objects could not be read. */
export function selectionFromFlags(options: SelectionFlags, namespace: string | null = null): SelectionFact {
  return {
    namespace,
    service: options.k8s?.service ?? null,
    serviceFrom: options.k8s?.service ? 'flag' : null,
    ingress: options.k8s?.ingress ?? null,
    ingressFrom: options.k8s?.ingress ? 'flag' : null,
    host: options.host,
    hostFrom: options.host !== null ? 'flag' : null,
    address: options.address,
    addressFrom: options.address !== null ? 'flag' : null,
    provider: options.provider === 'auto' ? 'unknown' : options.provider,
    providerFrom: options.provider === 'auto' ? null : 'flag',
    releases: [],
    notes: [],
  };
}

/** Discovery over the objects; flags win over everything discovered. */
export function decideSelection(options: SelectionFlags, input: DiscoveryInput, discover: typeof import('../platform/k8s/discover.js')): SelectionFact {
  const notes: string[] = [];
  const svc: ServiceFact | null = discover.selectService(input, notes);
  const ing: IngressFact | null = discover.selectIngress(input, svc?.name ?? null, options.host, notes);
  const services = okValue(input.services);
  if (svc && !ing && okValue(input.ingresses)) notes.push(`no Ingress routes to ${svc.name}`);
  const found = discover.detectProvider(input, ing, svc, notes);
  let host: string | null = ing ? discover.ingressHost(ing) : null;
  let hostFrom: SelectionFact['hostFrom'] = host !== null ? 'ingress' : null;
  if (host === null && ing) {
    const names = (ing.annotations['networking.gke.io/managed-certificates'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    host = (okValue(input.managedCertificates) ?? []).filter((m) => names.includes(m.name)).flatMap((m) => m.domains)[0] ?? null;
    if (host !== null) hostFrom = 'managed-certificate';
  }
  const address = ing ? discover.ingressAddress(ing) : null;
  const flags = selectionFromFlags(options, input.namespace);
  return {
    namespace: input.namespace,
    service: svc?.name ?? null,
    serviceFrom: svc ? (input.requested.service !== null ? 'flag' : input.requested.release !== null ? 'release' : 'discovery') : null,
    ingress: ing?.name ?? null,
    ingressFrom: ing ? (input.requested.ingress !== null ? 'flag' : 'discovery') : null,
    host: flags.host ?? host,
    hostFrom: flags.hostFrom ?? hostFrom,
    address: flags.address ?? address,
    addressFrom: flags.addressFrom ?? (address !== null ? 'ingress-status' : null),
    provider: flags.providerFrom ? flags.provider : found,
    providerFrom: flags.providerFrom ?? (found !== 'unknown' ? 'discovery' : null),
    releases: services ? discover.releasesIn(services) : [],
    notes,
  };
}

const K8S_DISCOVERY_READS = ['k8s.services', 'k8s.ingresses', 'k8s.ingressClasses'] as const;

/** The selection as a source: from the flags, and from the cluster's objects when there is a cluster. */
export const selectionSource = defineSource({
  key: 'selection',
  label: 'choose the Service, Ingress, host and address',
  layer: 'k8s',
  owner: 'k8s.service.exists',
  schema: selectionSchema,
  inputs: (o) => (o.k8s ? ['k8s.cluster'] : []),
  // Offline, the GKE objects are at hand and can tell the provider and a managed certificate's host.
  after: (o) => (o.k8s ? [...K8S_DISCOVERY_READS, ...(o.k8s.mode === 'manifests' ? (['k8s.backendConfigs', 'k8s.managedCertificates'] as const) : [])] : []),
  async read(ctx): Promise<Outcome<SelectionFact>> {
    const started = performance.now();
    const o = ctx.options;
    if (!o.k8s) return { status: 'ok', value: selectionFromFlags(o), ms: 0 };
    const cluster = ctx.value('k8s.cluster');
    const offline = o.k8s.mode === 'manifests';
    const [services, ingresses, ingressClasses, backendConfigs, managedCertificates] = await Promise.all([
      ctx.outcome('k8s.services'),
      ctx.outcome('k8s.ingresses'),
      ctx.outcome('k8s.ingressClasses'),
      offline ? ctx.outcome('k8s.backendConfigs') : undefined,
      offline ? ctx.outcome('k8s.managedCertificates') : undefined,
    ]);
    const discover = await import('../platform/k8s/discover.js');
    const input = {
      namespace: cluster.meta.namespace,
      requested: cluster.meta.requested,
      services,
      ingresses,
      ingressClasses,
      ...(backendConfigs ? { backendConfigs } : {}),
      ...(managedCertificates ? { managedCertificates } : {}),
    };
    return { status: 'ok', value: decideSelection(o, input, discover), ms: Math.round(performance.now() - started) };
  },
});
