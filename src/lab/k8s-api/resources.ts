// The API resources the lab's Kubernetes API serves, as discovery describes them. One table drives
// discovery, routing, list kinds and the wording of NotFound/Forbidden, so they cannot disagree.

export type LabProvider = 'aws' | 'gcp';

export interface ApiResource {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural, as in the URL and in RBAC rules. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Subresources listed in discovery (and, for proxy and portforward, served). */
  readonly subresources?: readonly { readonly name: string; readonly kind: string; readonly verbs: readonly string[] }[];
  /** A CustomResourceDefinition: list items keep kind/apiVersion, as the real apiserver returns them. */
  readonly custom?: boolean;
  /** Only installed on this provider's clusters (a CRD of its controller). */
  readonly provider?: LabProvider;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const STATUS = (kind: string) => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });

export const API_RESOURCES: readonly ApiResource[] = [
  { group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], subresources: [STATUS('Namespace')] },
  { group: '', version: 'v1', resource: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: [STATUS('Node')] },
  {
    group: '', version: 'v1', resource: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'],
    subresources: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, STATUS('Service')],
  },
  { group: '', version: 'v1', resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
  {
    group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
    subresources: [
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      STATUS('Pod'),
    ],
  },
  { group: '', version: 'v1', resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  { group: '', version: 'v1', resource: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'] },
  { group: 'apps', version: 'v1', resource: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: [STATUS('Deployment')] },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true, shortNames: ['ing'], subresources: [STATUS('Ingress')] },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', singular: 'ingressclass', kind: 'IngressClass', namespaced: false },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true },
  { group: 'cloud.google.com', version: 'v1', resource: 'backendconfigs', singular: 'backendconfig', kind: 'BackendConfig', namespaced: true, shortNames: ['bc'], custom: true, provider: 'gcp' },
  { group: 'networking.gke.io', version: 'v1', resource: 'managedcertificates', singular: 'managedcertificate', kind: 'ManagedCertificate', namespaced: true, shortNames: ['mcrt'], custom: true, provider: 'gcp', subresources: [STATUS('ManagedCertificate')] },
  { group: 'elbv2.k8s.aws', version: 'v1beta1', resource: 'targetgroupbindings', singular: 'targetgroupbinding', kind: 'TargetGroupBinding', namespaced: true, custom: true, provider: 'aws', subresources: [STATUS('TargetGroupBinding')] },
  { group: 'elbv2.k8s.aws', version: 'v1beta1', resource: 'ingressclassparams', singular: 'ingressclassparams', kind: 'IngressClassParams', namespaced: false, custom: true, provider: 'aws' },
];

/** What a cluster of this provider serves: the built-ins plus its own controller's CRDs only. */
export function resourcesFor(provider: LabProvider): readonly ApiResource[] {
  return API_RESOURCES.filter((r) => r.provider === undefined || r.provider === provider);
}

export function groupVersion(r: Pick<ApiResource, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** `services` for the core group, `ingresses.networking.k8s.io` otherwise: how the apiserver names a resource in messages. */
export function qualifiedResource(r: Pick<ApiResource, 'group' | 'resource'>): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

export function findResource(resources: readonly ApiResource[], group: string, version: string, resource: string): ApiResource | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findResourceByKind(resources: readonly ApiResource[], apiVersion: string, kind: string): ApiResource | undefined {
  return resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

/** The APIResourceList body for one group/version. */
export function apiResourceList(resources: readonly ApiResource[], group: string, version: string): Record<string, unknown> | undefined {
  const inGv = resources.filter((r) => r.group === group && r.version === version);
  if (inGv.length === 0) return undefined;
  const entries: Record<string, unknown>[] = [];
  for (const r of inGv) {
    entries.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...RW],
      ...(r.shortNames ? { shortNames: [...r.shortNames] } : {}),
      ...(r.categories ? { categories: [...r.categories] } : {}),
      storageVersionHash: storageVersionHash(r),
    });
    for (const s of r.subresources ?? []) {
      entries.push({ name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: [...s.verbs] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: entries };
}

/** The APIGroupList body for /apis (every group but the core one). */
export function apiGroupList(resources: readonly ApiResource[]): Record<string, unknown> {
  const groups = [...new Set(resources.filter((r) => r.group !== '').map((r) => r.group))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(resources, g)) };
}

export function apiGroup(resources: readonly ApiResource[], group: string): Record<string, unknown> | undefined {
  const versions = [...new Set(resources.filter((r) => r.group === group).map((r) => r.version))];
  if (versions.length === 0 || group === '') return undefined;
  const gvs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: gvs, preferredVersion: gvs[0] };
}

// The real value is a hash of the storage version; clients only compare it for change, so any stable
// eight bytes of base64 do.
function storageVersionHash(r: ApiResource): string {
  let h = 0x811c9dc5;
  for (const c of `${r.group}/${r.version}/${r.resource}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return Buffer.from([h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255, 0x4b, 0x38, 0x73, 0x21]).toString('base64');
}
