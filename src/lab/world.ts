// The lab's one model of the deployment it pretends to be: the Kubernetes objects, the pods and where
// their ports land, the PKI material, the active faults and the lab's backend addresses. Every stand-in
// serves from it (the Kubernetes API today; ELBv2/ACM and Compute can derive target groups, NEGs and
// health from the same objects and endpoints, as the real controllers do), so one fault shows the same
// way everywhere.

import { isRecord, type K8sObject } from '../render/object.js';
import { parseHostPort, type HostPort, type PortTarget } from './address.js';
import type { ClusterContext, RenderInput } from './cluster/context.js';
import { labIdentifiers, stableUid, type LabIdentifiers } from './cluster/ids.js';
import { clusterContext, clusterObjects } from './cluster/objects.js';
import { bareClusterContext, bareClusterObjects } from './cluster/bare.js';
import { applyK8sFaults, k8sFaultDataPath, type DataPathFlags } from './k8s-api/faults.js';
import type { LabProvider } from './k8s-api/resources.js';

export type { LabProvider };

/** The lab PKI's serving certificate as PEM, and the expired one a fault swaps in. */
export interface LabTls {
  readonly certPem: string;
  readonly chainPem: string;
  readonly keyPem: string;
  readonly expiredCertPem?: string;
  readonly expiredKeyPem?: string;
}

export interface HealthzAnswer {
  readonly status: number;
  readonly body: string;
}

/** What a proxy pod's 19530 is: h2c Milvus, TLS Milvus (ALPN h2), or TLS demanding client certificates. */
export type MilvusBackendKind = 'h2c' | 'tls' | 'mtls';

export interface LabBackends {
  /** Milvus over h2c. */
  readonly milvus: HostPort;
  /** Milvus over TLS with ALPN h2 (GCP: tlsMode 1). */
  readonly milvusTls?: HostPort;
  /** /healthz on 9091. */
  readonly healthz: HostPort;
  /** Milvus demanding client certificates, once a stand-in started it for the mtls-backend fault. */
  mtls?: HostPort;
  /** A pod's own /healthz server, for pods whose answer a fault changed. */
  readonly podHealthz: Map<string, HostPort>;
}

export interface LabWorldInput {
  readonly provider: LabProvider;
  readonly namespace?: string;
  readonly release?: string;
  /** The public host of the Ingress rule and certificate. */
  readonly host: string;
  /** What the Ingress status reports (the lab LB's address). */
  readonly ingressAddress: string;
  readonly tls: LabTls;
  readonly faults: readonly string[];
  /** `ip:port` of the lab's data path. */
  readonly backends: { readonly milvus: string; readonly milvusTls?: string; readonly healthz: string };
  readonly now?: Date;
  /** Where the guides start (lab --bare): Milvus behind an L4 LoadBalancer Service, nothing of the guide yet. */
  readonly bare?: boolean;
}

/** A certificate imported into the ACM stand-in (what `aws acm import-certificate` uploads). */
export interface ImportedCertificate {
  readonly arn: string;
  readonly certPem: string;
  readonly chainPem: string;
  /** Kept in memory only; the lab's controller writes it into the lab's 0700 directory for its front. */
  readonly keyPem: string;
  readonly importedAt: Date;
  readonly tags: Map<string, string>;
}

export interface LabWorld {
  readonly provider: LabProvider;
  readonly ids: LabIdentifiers;
  /** The guide's parameters and rendered objects that the Kubernetes objects grew from. */
  readonly cluster: ClusterContext;
  readonly tls: LabTls;
  readonly faults: readonly string[];
  /** What the lab's data path must change for the active faults. */
  readonly dataPath: DataPathFlags;
  readonly backends: LabBackends;
  objects: K8sObject[];
  /** Pod name → the /healthz answer the pod gives instead of the lab's healthz. */
  readonly healthzOverrides: Map<string, HealthzAnswer>;
  milvusBackend: MilvusBackendKind;
  lastResourceVersion: number;
  /** lab --bare: the controllers build the load balancer from what is applied, instead of it being there. */
  readonly bare: boolean;
  /** The ACM stand-in's imported certificates, by ARN. */
  readonly acm: Map<string, ImportedCertificate>;
  /**
   * lab --bare: the certificates the ALB's listener uses while the ALB exists. The controller sets them when
   * it builds the ALB and clears them on its next reconcile after the Ingress is gone (as the real one
   * deletes the ALB then): until that, ACM refuses to delete them.
   */
  albCertificates: ReadonlySet<string>;
  /** Called after every stored change of `objects` (a controller's watch). */
  readonly watchers: Set<() => void>;
}

/** The healthy world of `input.provider`, then the faults applied (validated first: nothing half-broken). */
export function createLabWorld(input: LabWorldInput): LabWorld {
  const ids = labIdentifiers(input.provider, input.namespace, input.release);
  const render: RenderInput = {
    provider: input.provider,
    namespace: ids.namespace,
    release: ids.release,
    host: input.host,
    ingressAddress: input.ingressAddress,
    tls: input.tls,
    ...(input.now ? { now: input.now } : {}),
  };
  const cluster = input.bare ? bareClusterContext(render, ids) : clusterContext(render, ids);
  const world: LabWorld = {
    provider: input.provider,
    ids,
    cluster,
    tls: input.tls,
    faults: [...input.faults],
    dataPath: k8sFaultDataPath(input.faults),
    backends: {
      milvus: parseHostPort(input.backends.milvus, 'backend.milvus'),
      ...(input.backends.milvusTls ? { milvusTls: parseHostPort(input.backends.milvusTls, 'backend.milvusTls') } : {}),
      healthz: parseHostPort(input.backends.healthz, 'backend.healthz'),
      podHealthz: new Map(),
    },
    objects: [],
    healthzOverrides: new Map(),
    // A default install serves plaintext (tlsMode 0) until the GCP guide's values switch it to TLS.
    milvusBackend: input.provider === 'gcp' && !input.bare ? 'tls' : 'h2c',
    lastResourceVersion: 1000,
    bare: input.bare === true,
    acm: new Map(),
    albCertificates: new Set(),
    watchers: new Set(),
  };
  world.objects = stamp(world, input.bare ? bareClusterObjects(cluster) : clusterObjects(cluster));
  applyK8sFaults(world, input.faults);
  if (world.milvusBackend === 'tls' && !world.backends.milvusTls) throw new Error('the gcp lab needs backend.milvusTls (Milvus with tlsMode 1)');
  return world;
}

/** The next resourceVersion: above every stored one, as etcd's revision only grows. */
export function nextResourceVersion(world: LabWorld): string {
  for (const o of world.objects) world.lastResourceVersion = Math.max(world.lastResourceVersion, Number(o.metadata.resourceVersion ?? 0));
  return String(++world.lastResourceVersion);
}

/** The list resourceVersion: the newest object's. */
export function resourceVersionNow(world: LabWorld): string {
  let max = 0;
  for (const o of world.objects) max = Math.max(max, Number(o.metadata.resourceVersion ?? 0));
  return String(max);
}

/** Gives new objects the uid other objects already name them by, and a resourceVersion. */
export function stamp(world: LabWorld, objects: K8sObject[]): K8sObject[] {
  for (const o of objects) {
    o.metadata.uid ??= stableUid(`${o.kind}:${o.metadata.name}`);
    o.metadata.resourceVersion ??= nextResourceVersion(world);
  }
  return objects;
}

export function findObject(world: LabWorld, kind: string, name: string, namespace?: string): K8sObject | undefined {
  return world.objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
}

/** Stores `next` in place of `prev` (or adds it). */
export function putObject(world: LabWorld, next: K8sObject, prev?: K8sObject): void {
  world.objects = [...world.objects.filter((o) => o !== prev), next];
  notifyWatchers(world);
}

export function removeObject(world: LabWorld, o: K8sObject): void {
  world.objects = world.objects.filter((x) => x !== o);
  notifyWatchers(world);
}

/** What a watch on the apiserver gives a controller: word that something changed, after it is stored. */
export function notifyWatchers(world: LabWorld): void {
  for (const w of world.watchers) w();
}

export function containerPorts(pod: K8sObject): { name?: string; containerPort: number }[] {
  const out: { name?: string; containerPort: number }[] = [];
  const spec = isRecord(pod.spec) ? pod.spec : {};
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isRecord(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (isRecord(p) && typeof p.containerPort === 'number') out.push({ containerPort: p.containerPort, ...(typeof p.name === 'string' ? { name: p.name } : {}) });
    }
  }
  return out;
}

export function podIp(pod: K8sObject): string {
  return isRecord(pod.status) && typeof pod.status.podIP === 'string' ? pod.status.podIP : '';
}

/** Where a pod's port lands in the lab: the kubelet's view from inside the pod's network namespace. */
export function podPortTarget(world: LabWorld, podName: string, port: number): PortTarget {
  const pod = findObject(world, 'Pod', podName, world.ids.namespace);
  const uid = pod?.metadata.uid ?? '';
  const refused = `error forwarding port ${port} to pod ${uid}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${uid.slice(0, 8)}": failed to connect to localhost:${port} inside namespace, IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
  if (!pod || !containerPorts(pod).some((p) => p.containerPort === port)) return { error: refused };
  const { backends } = world;
  if (port === 9091) return { target: backends.podHealthz.get(podName) ?? backends.healthz };
  if (port === 19530) {
    if (world.milvusBackend === 'mtls' && backends.mtls) return { target: backends.mtls };
    if (world.milvusBackend === 'tls' && backends.milvusTls) return { target: backends.milvusTls };
    return { target: backends.milvus };
  }
  return { error: refused };
}
