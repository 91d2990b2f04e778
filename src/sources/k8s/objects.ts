// One source per Kubernetes fact. Each reads live (src/platform/k8s/live.ts) or derives from the
// manifests (src/platform/k8s/offline.ts), with the same outcome either way; what depends on the chosen
// Service or Ingress takes them from the selection, decided once (src/sources/selection.ts).
import type { Outcome } from '../../model.js';
import type { IngressFact, ServiceFact } from '../../platform/k8s/types.js';
import type { Reader } from '../../platform/k8s/live.js';
import type { OfflineSelection } from '../../platform/k8s/offline.js';
import type { SelectionFact } from '../selection.js';
import { defineSource, type Permission, type ReadContext, type SourceDef } from '../define.js';
import type { GatherOptions } from '../options.js';
import type { K8sField, K8sKey, K8sValues, SourceKey } from '../values.js';
import { K8S_SCHEMAS } from '../fact-schemas.js';

type Live = typeof import('../../platform/k8s/live.js');

const NO_SERVICE = 'the Milvus Service was not found';

function rbac(group: string, resource: string, verb: 'get' | 'list' | 'create', scope: 'namespace' | 'cluster' = 'namespace'): Permission {
  return { kind: 'rbac', group, resource, verb, scope };
}

interface Picked {
  readonly svc: ServiceFact | null;
  readonly ing: IngressFact | null;
  readonly selection: SelectionFact | null;
}

/** The selected Service and Ingress objects, from the inputs this source declared. */
function picked(ctx: ReadContext, uses: readonly SourceKey[]): Picked {
  const selection = uses.includes('selection') ? ctx.value('selection') : null;
  const services = uses.includes('k8s.services') ? ctx.value('k8s.services') : [];
  const ingresses = uses.includes('k8s.ingresses') ? ctx.value('k8s.ingresses') : [];
  return {
    selection,
    svc: services.find((s) => s.name === selection?.service) ?? null,
    ing: ingresses.find((i) => i.name === selection?.ingress) ?? null,
  };
}

interface K8sSourceSpec<F extends K8sField> {
  readonly label: string;
  readonly owner: string | null;
  readonly permission: readonly Permission[];
  /** Beyond the cluster: the selection and the objects it names. */
  readonly uses?: readonly SourceKey[];
  readonly after?: (o: GatherOptions) => readonly SourceKey[];
  readonly applies?: (o: GatherOptions) => string | null;
  readonly live: (live: Live, r: Reader, p: Picked, ctx: ReadContext) => Promise<Outcome<K8sValues[F]>>;
  readonly budgetMs?: (o: GatherOptions) => number;
}

function k8sSource<F extends K8sField>(field: F, spec: K8sSourceSpec<F>): SourceDef<`k8s.${F}`> {
  const uses = spec.uses ?? [];
  const schema = K8S_SCHEMAS[field];
  // TypeScript cannot reduce ValueOf<`k8s.${F}`> to K8sValues[F] for a generic F; they are the same type.
  const def: SourceDef<`k8s.${K8sField}`> = {
    key: `k8s.${field}`,
    label: spec.label,
    layer: 'k8s',
    owner: spec.owner,
    schema,
    permission: spec.permission,
    applies: (o: GatherOptions) => (o.k8s ? spec.applies?.(o) ?? null : 'no cluster or manifests to read (--kubeconfig/--context or --manifests)'),
    inputs: ['k8s.cluster', ...uses],
    after: spec.after,
    budgetMs: spec.budgetMs,
    async read(ctx: ReadContext): Promise<Outcome<K8sValues[F]>> {
      const cluster = ctx.value('k8s.cluster');
      const p = picked(ctx, uses);
      if (cluster.offline) {
        const { OFFLINE } = await import('../../platform/k8s/offline.js');
        const sel: OfflineSelection = { svc: p.svc, ing: p.ing };
        return OFFLINE[field](cluster.offline, sel);
      }
      if (!cluster.live) return { status: 'skipped', reason: 'no cluster' };
      const live = await import('../../platform/k8s/live.js');
      return spec.live(live, { ...cluster.live, timeoutMs: ctx.timeoutMs, signal: ctx.signal }, p, ctx);
    },
  } as unknown as SourceDef<`k8s.${K8sField}`>;
  return defineSource(def) as unknown as SourceDef<`k8s.${F}`>;
}

const needService = <T>(p: Picked, body: (svc: ServiceFact) => Promise<Outcome<T>>): Promise<Outcome<T>> =>
  p.svc ? body(p.svc) : Promise.resolve({ status: 'skipped', reason: NO_SERVICE, blockedBy: 'k8s.service.exists' });

/** Live, the provider decides whether a GKE- or AWS-only object is worth asking for. */
async function providerIs(ctx: ReadContext): Promise<SelectionFact['provider']> {
  const s = await ctx.outcome('selection');
  return s.status === 'ok' ? s.value.provider : 'unknown';
}
const liveSelection = (o: GatherOptions): readonly SourceKey[] => (o.k8s?.mode === 'live' ? ['selection'] : []);

const NOT_THERE = { aws: 'not an AWS deployment', gcp: 'not a GKE deployment' } as const;

/**
 * An object only one provider's controller reads (BackendConfig, TargetGroupBinding): not asked for when
 * --provider names the other, nor live when the selection found the other.
 */
function providerOnly<F extends 'backendConfigs' | 'managedCertificates' | 'targetGroupBindings'>(
  field: F,
  provider: 'aws' | 'gcp',
  spec: Pick<K8sSourceSpec<F>, 'label' | 'owner' | 'permission'> & { readonly list: (l: Live, r: Reader) => Promise<Outcome<K8sValues[F]>> },
): SourceDef<`k8s.${F}`> {
  const other = provider === 'aws' ? 'gcp' : 'aws';
  return k8sSource(field, {
    ...spec,
    applies: (o) => (o.provider === other ? NOT_THERE[provider] : null),
    after: liveSelection,
    live: async (l, r, _p, ctx) => ((await providerIs(ctx)) === other ? { status: 'skipped', reason: NOT_THERE[provider] } : spec.list(l, r)),
  });
}

export const K8S_SOURCES = {
  'k8s.services': k8sSource('services', {
    label: 'list the Services',
    owner: 'k8s.service.exists',
    permission: [rbac('', 'services', 'list')],
    live: (l, r) => l.listServices(r),
  }),
  'k8s.ingresses': k8sSource('ingresses', {
    label: 'list the Ingresses',
    owner: 'k8s.ingress.exists',
    permission: [rbac('networking.k8s.io', 'ingresses', 'list')],
    live: (l, r) => l.listIngresses(r),
  }),
  'k8s.ingressClasses': k8sSource('ingressClasses', {
    label: 'list the IngressClasses',
    owner: null,
    permission: [rbac('networking.k8s.io', 'ingressclasses', 'list', 'cluster')],
    live: (l, r) => l.listIngressClasses(r),
  }),
  'k8s.ingressEvents': k8sSource('ingressEvents', {
    label: 'list the Ingress events',
    owner: 'k8s.ingress.events',
    permission: [rbac('', 'events', 'list')],
    uses: ['selection'],
    async live(l, r, p) {
      const events = await l.listEvents(r, 'Ingress');
      const ing = p.selection?.ingress ?? null;
      return events.status === 'ok' && ing !== null ? { ...events, value: events.value.filter((e) => e.involvedName === ing) } : events;
    },
  }),
  'k8s.endpointSlices': k8sSource('endpointSlices', {
    label: 'list the EndpointSlices of the Service',
    owner: 'k8s.endpoints.ready',
    permission: [rbac('discovery.k8s.io', 'endpointslices', 'list')],
    uses: ['k8s.services', 'selection'],
    live: (l, r, p) => needService(p, (svc) => l.listEndpointSlices(r, svc)),
  }),
  'k8s.pods': k8sSource('pods', {
    label: 'list the Milvus pods',
    owner: 'k8s.pods.ready',
    permission: [rbac('', 'pods', 'list')],
    uses: ['k8s.services', 'selection'],
    live: (l, r, p) => needService(p, (svc) => l.listPods(r, svc)),
  }),
  'k8s.workloads': k8sSource('workloads', {
    label: 'the workloads the Service selects',
    owner: null,
    permission: [],
    uses: ['k8s.services', 'selection'],
    live: async () => ({ status: 'skipped', reason: 'live: the pods themselves are read' }),
  }),
  'k8s.milvusConfig': k8sSource('milvusConfig', {
    label: 'read the Milvus ConfigMap',
    owner: null,
    permission: [rbac('', 'configmaps', 'get')],
    uses: ['k8s.services', 'selection'],
    live: (l, r, p, ctx) => needService(p, (svc) => l.readMilvusConfig(r, svc, ctx.options.k8s?.release ?? null)),
  }),
  'k8s.backendConfigs': providerOnly('backendConfigs', 'gcp', {
    label: 'list the BackendConfigs',
    owner: 'gcp.backendconfig.health-check',
    permission: [rbac('cloud.google.com', 'backendconfigs', 'list')],
    list: (l, r) => l.listBackendConfigs(r),
  }),
  'k8s.managedCertificates': providerOnly('managedCertificates', 'gcp', {
    label: 'list the ManagedCertificates',
    owner: 'gcp.managed-certificate',
    permission: [rbac('networking.gke.io', 'managedcertificates', 'list')],
    list: (l, r) => l.listManagedCertificates(r),
  }),
  'k8s.tlsSecret': k8sSource('tlsSecret', {
    label: 'read the Ingress TLS Secret',
    owner: 'k8s.tls-secret',
    permission: [rbac('', 'secrets', 'get')],
    uses: ['k8s.ingresses', 'selection'],
    async live(l, r, p) {
      const { tlsSecretNameFor, ingressHost } = await import('../../platform/k8s/discover.js');
      if (!p.ing) return { status: 'skipped', reason: 'no Ingress routes to the Milvus Service' };
      // The ALB never reads a Kubernetes Secret (ACM holds its certificate): do not ask for secrets there.
      if (p.selection?.provider === 'aws') return { status: 'skipped', reason: 'the ALB takes its certificate from ACM' };
      const name = tlsSecretNameFor(p.ing, ingressHost(p.ing));
      return name ? l.readTlsSecret(r, name) : { status: 'skipped', reason: 'the Ingress references no TLS Secret' };
    },
  }),
  'k8s.targetGroupBindings': providerOnly('targetGroupBindings', 'aws', {
    label: 'list the TargetGroupBindings',
    owner: 'aws.targetgroupbinding',
    permission: [rbac('elbv2.k8s.aws', 'targetgroupbindings', 'list'), rbac('', 'events', 'list')],
    list: (l, r) => l.listTargetGroupBindings(r),
  }),
  'k8s.healthzService': k8sSource('healthzService', {
    label: '/healthz through the Service proxy',
    owner: 'healthz.service-proxy',
    permission: [rbac('', 'services/proxy', 'get')],
    uses: ['k8s.services', 'selection'],
    live: (l, r, p) => needService(p, (svc) => l.readServiceHealthz(r, svc)),
  }),
  'k8s.healthzPods': k8sSource('healthzPods', {
    label: '/healthz of each pod through the pod proxy',
    owner: 'healthz.pods',
    permission: [rbac('', 'pods/proxy', 'get')],
    uses: ['k8s.pods'],
    live: (l, r, _p, ctx) => l.readPodsHealthz(r, ctx.value('k8s.pods')),
  }),
  'k8s.backendProtocol': k8sSource('backendProtocol', {
    label: 'the backend protocol on a pod, through a port-forward',
    owner: 'http2.backend-protocol',
    // WebSocket upgrade of a GET; kubectl port-forward needs create.
    permission: [rbac('', 'pods/portforward', 'get'), rbac('', 'pods/portforward', 'create')],
    uses: ['k8s.services', 'selection', 'k8s.pods'],
    applies: (o) => (o.backendProbe === false ? 'backend probe disabled' : null),
    live: (l, r, p, ctx) => needService(p, (svc) => l.readBackendProtocol(r, svc, ctx.value('k8s.pods'))),
    // two probes, each with its own deadline, plus the port-forward set-up
    budgetMs: (o) => o.timeoutMs * 3 + 2000,
  }),
} as const satisfies { readonly [K in K8sKey]: SourceDef<K> };
