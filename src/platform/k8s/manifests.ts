// Offline mode (--manifests PATH|-): Kubernetes objects from YAML/JSON files, a directory (recursively) or
// stdin, including `helm template` output (`# Source:` comments, `---` separators) and `kind: List` dumps
// from `kubectl get -o yaml`. The same K8sFacts shape as live mode; what only a live cluster can tell is
// `skipped` with OFFLINE_REASON, unless the files carry it (a kubectl dump can hold pods and events).
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../errors.js';
import type { Outcome } from '../../model.js';
import { selectIngress, selectService, tlsSecretNameFor, ingressHost } from './discover.js';
import { parseMilvusConfig } from './milvus-config.js';
import {
  WORKLOAD_KINDS,
  arr,
  isRecord,
  kindOf,
  nameOf,
  namespaceOf,
  selectorMatches,
  strMap,
  toBackendConfig,
  toEndpointSlice,
  toEvent,
  toIngress,
  toIngressClass,
  toManagedCertificate,
  toPod,
  toService,
  toTargetGroupBinding,
  toWorkload,
  type RawObject,
} from './objects.js';
import { parseTlsSecret } from './tls-secret.js';
import { OFFLINE_REASON, type K8sFacts, type ServiceFact } from './types.js';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export interface ManifestObject {
  readonly object: RawObject;
  readonly file: string;
}

/** Parses one YAML/JSON text; invalid YAML is a UsageError naming the file and line. */
export function parseManifestText(text: string, file: string): RawObject[] {
  const docs = parseAllDocuments(text);
  // An empty stream (no documents at all) is not an array.
  if (!Array.isArray(docs)) return [];
  const out: RawObject[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
      const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new UsageError(`${where}: invalid YAML: ${what}`, 'MANIFEST_INVALID_YAML');
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    flatten(value, out);
  }
  return out;
}

function flatten(value: unknown, out: RawObject[]): void {
  if (!isRecord(value)) return;
  const kind = typeof value.kind === 'string' ? value.kind : '';
  if (kind.endsWith('List') && Array.isArray(value.items)) {
    const itemKind = kind === 'List' ? null : kind.slice(0, -'List'.length);
    for (const item of arr(value.items)) {
      if (isRecord(item) && itemKind !== null && typeof item.kind !== 'string') flatten({ ...item, kind: itemKind }, out);
      else flatten(item, out);
    }
    return;
  }
  if (kind !== '') out.push(value);
}

async function listFiles(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new UsageError(`--manifests ${path}: no such file or directory`, 'MANIFEST_NOT_FOUND');
  }
  if (st.isFile()) return [path];
  if (!st.isDirectory()) throw new UsageError(`--manifests ${path}: not a file or directory`, 'MANIFEST_NOT_FOUND');
  const out: string[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile() && MANIFEST_EXT.test(e.name)) out.push(p);
  }
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readManifests(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<{ objects: ManifestObject[]; files: string[] }> {
  if (path === '-') {
    const text = await readAll(stdin);
    return { objects: parseManifestText(text, '<stdin>').map((object) => ({ object, file: '<stdin>' })), files: ['<stdin>'] };
  }
  const files = await listFiles(path);
  if (files.length === 0) throw new UsageError(`--manifests ${path}: no .yaml, .yml or .json files`, 'MANIFEST_NOT_FOUND');
  const objects: ManifestObject[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    const shown = f === path ? f : join(path, relative(path, f));
    for (const object of parseManifestText(text, shown)) objects.push({ object, file: shown });
  }
  return { objects, files };
}

export interface ManifestOptions {
  readonly namespace?: string;
  readonly release?: string;
  readonly service?: string;
  readonly ingress?: string;
}

function okv<T>(value: T): Outcome<T> {
  return { status: 'ok', value, ms: 0 };
}
function skipped<T>(reason: string): Outcome<T> {
  return { status: 'skipped', reason };
}

function chooseNamespace(objects: readonly RawObject[], wanted: string | undefined): string {
  if (wanted) return wanted;
  const svcNs = objects
    .filter((o) => kindOf(o) === 'Service' && arr(isRecord(o.spec) ? o.spec.ports : []).some((p) => isRecord(p) && p.port === 19530))
    .map(namespaceOf)
    .find((n): n is string => n !== null);
  if (svcNs) return svcNs;
  return objects.filter((o) => kindOf(o) === 'Ingress').map(namespaceOf).find((n): n is string => n !== null) ?? 'default';
}

/** Builds K8sFacts from objects already read: the offline twin of the live reader. */
export function factsFromObjects(all: readonly RawObject[], options: ManifestOptions, files: readonly string[] = []): K8sFacts {
  const namespace = chooseNamespace(all, options.namespace);
  // Objects without a namespace land in whatever namespace they are applied to: the chosen one.
  const objects = all.filter((o) => kindOf(o) === 'IngressClass' || (namespaceOf(o) ?? namespace) === namespace);
  const ofKind = (kind: string): RawObject[] => objects.filter((o) => kindOf(o) === kind);
  const present = (kind: string): boolean => ofKind(kind).length > 0;

  const events = ofKind('Event').map(toEvent);
  const base: K8sFacts = {
    source: 'manifests',
    namespace,
    context: null,
    requested: { release: options.release ?? null, service: options.service ?? null, ingress: options.ingress ?? null },
    files,
    services: okv(ofKind('Service').map((o) => toService(o, namespace))),
    ingresses: okv(ofKind('Ingress').map((o) => toIngress(o, namespace))),
    ingressClasses: present('IngressClass') ? okv(ofKind('IngressClass').map(toIngressClass)) : skipped(OFFLINE_REASON),
    endpointSlices: skipped(OFFLINE_REASON),
    pods: skipped(OFFLINE_REASON),
    workloads: okv([]),
    milvusConfig: skipped(OFFLINE_REASON),
    ingressEvents: present('Event') ? okv(events.filter((e) => e.involvedKind === 'Ingress')) : skipped(OFFLINE_REASON),
    backendConfigs: okv(ofKind('BackendConfig').map((o) => toBackendConfig(o, namespace))),
    managedCertificates: okv(ofKind('ManagedCertificate').map((o) => toManagedCertificate(o, namespace))),
    tlsSecret: skipped(OFFLINE_REASON),
    targetGroupBindings: present('TargetGroupBinding') ? okv(ofKind('TargetGroupBinding').map((o) => toTargetGroupBinding(o, events))) : skipped(OFFLINE_REASON),
    healthzService: skipped(OFFLINE_REASON),
    healthzPods: skipped(OFFLINE_REASON),
    backendProtocol: skipped(OFFLINE_REASON),
  };

  const svc = selectService(base);
  const ing = selectIngress(base, svc?.name ?? null);
  return {
    ...base,
    ingressEvents: base.ingressEvents.status === 'ok' && ing ? okv(base.ingressEvents.value.filter((e) => e.involvedName === ing.name)) : base.ingressEvents,
    endpointSlices: present('EndpointSlice') && svc ? okv(ofKind('EndpointSlice').map(toEndpointSlice).filter((e) => e.service === svc.name)) : skipped(OFFLINE_REASON),
    pods: present('Pod') && svc ? okv(ofKind('Pod').map(toPod).filter((p) => selectorMatches(svc.selector, p.labels))) : skipped(OFFLINE_REASON),
    workloads: svc ? okv(objects.filter((o) => WORKLOAD_KINDS.has(kindOf(o))).map(toWorkload).filter((w) => selectorMatches(svc.selector, w.podLabels))) : okv([]),
    milvusConfig: milvusConfigFrom(ofKind('ConfigMap'), svc),
    tlsSecret: tlsSecretFrom(ofKind('Secret'), ing ? tlsSecretNameFor(ing, ingressHost(ing)) : null, namespace),
  };
}

function milvusConfigFrom(configMaps: readonly RawObject[], svc: ServiceFact | null): K8sFacts['milvusConfig'] {
  const hasMilvusFile = (o: RawObject): boolean => {
    const data = isRecord(o.data) ? o.data : {};
    return ['user.yaml', 'milvus.yaml', 'default.yaml'].some((k) => k in data);
  };
  const cm = (svc ? configMaps.find((o) => nameOf(o) === svc.name && hasMilvusFile(o)) : undefined) ?? configMaps.find(hasMilvusFile);
  if (!cm) return skipped(`${OFFLINE_REASON} (no Milvus ConfigMap with user.yaml/default.yaml in the manifests)`);
  return okv(parseMilvusConfig(nameOf(cm), strMap(cm.data)));
}

function tlsSecretFrom(secrets: readonly RawObject[], name: string | null, namespace: string): K8sFacts['tlsSecret'] {
  if (name === null) return skipped('the Ingress references no TLS Secret');
  const s = secrets.find((o) => nameOf(o) === name);
  if (!s) return skipped(`${OFFLINE_REASON} (Secret ${name} is not in the manifests)`);
  return okv(parseTlsSecret(s, namespace));
}

export async function loadManifests(path: string, options: ManifestOptions, stdin?: NodeJS.ReadableStream): Promise<K8sFacts> {
  const { objects, files } = await readManifests(path, stdin);
  return factsFromObjects(
    objects.map((o) => o.object),
    options,
    files,
  );
}
