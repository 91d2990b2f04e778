// Renders the lab's Kubernetes objects from the templates in fixtures/lab/<provider>/: the objects the
// two guides create (seeds/000 AWS, seeds/002 GCP), as their controllers leave them once the LB is up.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { LabProvider } from './resources.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface LabPod {
  readonly name: string;
  readonly ip: string;
  readonly node: string;
  readonly nodeIp: string;
  readonly zone: string;
}

/** Every name and identifier the lab's objects use, so other stand-ins (ELBv2, Compute) can agree with them. */
export interface LabIdentifiers {
  readonly provider: LabProvider;
  readonly namespace: string;
  readonly release: string;
  readonly service: string;
  readonly ingress: string;
  readonly configMap: string;
  readonly deployment: string;
  readonly pods: readonly LabPod[];
  /** GCP: the TLS Secret / ManagedCertificate name (seeds/002: `<service>-tls`). */
  readonly tlsName: string;
  readonly backendConfig: string;
  /** GCP: the NEG the controller made for port 19530. */
  readonly negName: string;
  readonly zones: readonly string[];
  /** AWS: the ACM certificate in the Ingress annotation. */
  readonly certificateArn: string;
  readonly targetGroupArn: string;
  readonly targetGroupBinding: string;
  readonly kubernetesVersion: string;
}

export interface RenderInput {
  readonly provider: LabProvider;
  readonly namespace: string;
  readonly release: string;
  readonly host: string;
  readonly ingressAddress: string;
  readonly tls: { readonly certPem: string; readonly chainPem: string; readonly keyPem: string };
  readonly now?: Date;
}

function shortHash(s: string, len: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, len);
}

/** A uid derived from `Kind:name`: templates refer to other objects' uids with `{{uid:Kind:name}}`. */
export function stableUid(key: string): string {
  const h = shortHash(key, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function alnum(s: string, len: number): string {
  return s.replace(/[^a-z0-9]/g, '').slice(0, len);
}

const POD_TEMPLATE_HASH = '6d5c8b7f9';

export function labIdentifiers(provider: LabProvider, namespace = 'milvus', release = 'milvus-demo'): LabIdentifiers {
  // milvus-helm's fullname: the release name when it already contains the chart name, else `<release>-milvus`.
  const service = release.includes('milvus') ? release : `${release}-milvus`;
  const podSuffixes = ['x2k4q', 'p7m3n'];
  const aws = provider === 'aws';
  const zones = aws ? ['us-east-2a', 'us-east-2b'] : ['us-central1-a', 'us-central1-b'];
  const pods = podSuffixes.map((suffix, i) => ({
    name: `${release}-proxy-${POD_TEMPLATE_HASH}-${suffix}`,
    ip: aws ? ['192.168.45.17', '192.168.71.203'][i] : ['10.52.0.14', '10.52.1.9'][i],
    node: aws ? [`ip-192-168-40-11.us-east-2.compute.internal`, `ip-192-168-66-52.us-east-2.compute.internal`][i] : [`gke-milvus-default-pool-3f1c2a9e-7kqd`, `gke-milvus-default-pool-8b4e0d21-m2xp`][i],
    nodeIp: aws ? ['192.168.40.11', '192.168.66.52'][i] : ['10.128.0.5', '10.128.0.6'][i],
    zone: zones[i],
  }));
  const tgName = `k8s-${alnum(namespace, 8)}-${alnum(service, 8)}-${shortHash(`${namespace}/${service}:19530`, 10)}`;
  const clusterUid = shortHash(`lab-cluster-${provider}`, 8);
  return {
    provider,
    namespace,
    release,
    service,
    ingress: service,
    configMap: `${release}-milvus`,
    deployment: `${release}-proxy`,
    pods,
    tlsName: `${service}-tls`,
    backendConfig: `${release}-backendconfig`,
    negName: `k8s1-${clusterUid}-${namespace}-${service}-19530-${shortHash(`${namespace}/${service}/neg`, 8)}`,
    zones,
    certificateArn: 'arn:aws:acm:us-east-2:123456789012:certificate/6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/${tgName}/${shortHash(tgName, 16)}`,
    targetGroupBinding: tgName,
    kubernetesVersion: aws ? 'v1.30.4-eks-a737599' : 'v1.30.5-gke.1014001',
  };
}

/** fixtures/lab, found by walking up from this module (src/… under vitest, dist/src/… when built). */
export function labFixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'fixtures', 'lab');
    if (existsSync(join(candidate, 'aws'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fixtures/lab not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

// Values go into YAML unquoted or single-quoted: refuse anything that could change the document's shape.
const SAFE_VALUE = /^[A-Za-z0-9._:/+=@\-[\]]*$/;

export function renderTemplate(text: string, vars: Readonly<Record<string, string>>, source: string): K8sObject[] {
  const filled = text
    .replace(/\{\{([A-Za-z0-9]+)\}\}/g, (_m, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`${source}: unknown placeholder {{${name}}}`);
      if (!SAFE_VALUE.test(v)) throw new Error(`${source}: value of {{${name}}} is not a plain YAML scalar: ${JSON.stringify(v)}`);
      return v;
    })
    .replace(/\{\{uid:([^{}]+)\}\}/g, (_m, key: string) => stableUid(key));
  const leftover = /\{\{[^}]*\}\}/.exec(filled);
  if (leftover) throw new Error(`${source}: unresolved placeholder ${leftover[0]}`);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(filled)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isK8sObject(value)) throw new Error(`${source}: a document is not a Kubernetes object`);
    objects.push(value);
  }
  return objects;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isK8sObject(v: unknown): v is K8sObject {
  return isRecord(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string' && isRecord(v.metadata) && typeof v.metadata.name === 'string';
}

function templateVars(input: RenderInput, ids: LabIdentifiers): Record<string, string> {
  const now = input.now ?? new Date();
  const iso = (msAgo: number) => new Date(Math.floor((now.getTime() - msAgo) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const gkeUid = shortHash(`gke-${ids.namespace}`, 8);
  const tlsCrt = `${input.tls.certPem.trimEnd()}\n${input.tls.chainPem.trimEnd()}\n`;
  return {
    namespace: ids.namespace,
    release: ids.release,
    service: ids.service,
    ingress: ids.ingress,
    host: input.host,
    ingressAddress: input.ingressAddress,
    created: iso(3 * 24 * 3600_000),
    started: iso(3 * 24 * 3600_000 - 120_000),
    clusterIp: input.provider === 'aws' ? '172.20.118.42' : '34.118.231.77',
    podIp0: ids.pods[0].ip,
    podIp1: ids.pods[1].ip,
    pod0: ids.pods[0].name,
    pod1: ids.pods[1].name,
    node0: ids.pods[0].node,
    node1: ids.pods[1].node,
    zone0: ids.zones[0],
    zone1: ids.zones[1],
    sliceSuffix: shortHash(`${ids.service}-slice`, 5).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]),
    eventSuffix: shortHash(`${ids.ingress}-event`, 16),
    podTemplateHash: POD_TEMPLATE_HASH,
    backendConfig: ids.backendConfig,
    tlsName: ids.tlsName,
    negName: ids.negName,
    defaultBackendNeg: `k8s1-${shortHash(`lab-cluster-${input.provider}`, 8)}-kube-system-default-http-backend-80-${shortHash('default-http-backend', 8)}`,
    gkeUid,
    gkeHash: shortHash(`${ids.namespace}/${ids.ingress}`, 8),
    gkeCertHash: shortHash(tlsCrt, 16),
    certificateArn: ids.certificateArn,
    targetGroupArn: ids.targetGroupArn,
    targetGroupBinding: ids.targetGroupBinding,
    tlsCrtBase64: Buffer.from(tlsCrt).toString('base64'),
    tlsKeyBase64: Buffer.from(input.tls.keyPem).toString('base64'),
  };
}

function podVars(pod: LabPod): Record<string, string> {
  return { podName: pod.name, podIp: pod.ip, node: pod.node, nodeIp: pod.nodeIp, containerId: shortHash(`container-${pod.name}`, 64) };
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

let resourceVersionCounter = 1000;

/** Gives every object a uid (the one `{{uid:Kind:name}}` resolves to), a resourceVersion and a creation time. */
export function finishObjects(objects: K8sObject[]): K8sObject[] {
  for (const o of objects) {
    o.metadata.uid ??= stableUid(`${o.kind}:${o.metadata.name}`);
    o.metadata.resourceVersion ??= String(++resourceVersionCounter);
  }
  return objects;
}

/** The healthy lab: every object the guide of `input.provider` creates, consistent with the lab's data path. */
export function renderLabObjects(input: RenderInput, ids = labIdentifiers(input.provider, input.namespace, input.release)): K8sObject[] {
  const root = join(labFixturesDir(), input.provider);
  const vars = templateVars(input, ids);
  const objects: K8sObject[] = [];
  for (const file of yamlFiles(root)) objects.push(...renderTemplate(readFileSync(file, 'utf8'), vars, file));
  for (const file of yamlFiles(join(root, 'per-pod'))) {
    const text = readFileSync(file, 'utf8');
    for (const pod of ids.pods) objects.push(...renderTemplate(text, { ...vars, ...podVars(pod) }, file));
  }
  return finishObjects(objects);
}

/** A template from fixtures/lab/<provider>/optional/ (objects only some faults add). */
export function renderOptionalObjects(name: string, input: RenderInput, ids = labIdentifiers(input.provider, input.namespace, input.release)): K8sObject[] {
  const file = join(labFixturesDir(), input.provider, 'optional', `${name}.yaml`);
  return finishObjects(renderTemplate(readFileSync(file, 'utf8'), templateVars(input, ids), file));
}
