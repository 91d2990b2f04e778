// The lab's Kubernetes API: an HTTP server on loopback that speaks the apiserver's wire format to the
// real @kubernetes/client-node — discovery, GET/LIST (+ a minimal watch) of the lab's objects with label
// and field selectors, Status objects for 401/403/404, the service and pod proxy subresources (to the
// lab's /healthz) and pod port-forward over WebSocket (to the lab's Milvus). Writes (create, replace,
// the four patch types including server-side apply, delete; dryRun=All) change the lab's objects, so
// `provision --apply` can repair a fault and the doctor can see it repaired.

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as NetServer, Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { parse as parseYaml, stringify } from 'yaml';
import { createClientCertBackend } from '../mtls-backend.js';
import { applyK8sFaults, type DataPathFlags, type LabWorld } from './faults.js';
import { isRecord, type K8sObject } from '../../render/object.js';
import { labIdentifiers, type LabIdentifiers } from '../cluster/ids.js';
import { finishObjects, renderLabObjects } from '../cluster/objects.js';
import { servePortForward, parseHostPort, PORT_FORWARD_PROTOCOL, type HostPort, type PortTarget } from './portforward.js';
import {
  apiGroup, apiGroupList, apiResourceList, findResource, findResourceByKind, groupVersion, qualifiedResource, resourcesFor,
  type ApiResource, type LabProvider,
} from './resources.js';
import { jsonPatch, mergePatch, PATCH_TYPES, PatchError, strategicMerge } from './patch.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';

export interface K8sApiOptions {
  readonly provider: LabProvider;
  readonly faults: readonly string[];
  readonly namespace?: string;
  readonly release?: string;
  /** The public host of the Ingress rule and certificate. */
  readonly host: string;
  /** What the Ingress status reports (the lab LB's address). */
  readonly ingressAddress: string;
  readonly backend: {
    /** Milvus over h2c. */
    readonly milvus: string;
    /** Milvus over TLS with ALPN h2 (GCP: tlsMode 1). */
    readonly milvusTls?: string;
    /** /healthz on 9091. */
    readonly healthz: string;
  };
  readonly tls: { readonly certPem: string; readonly chainPem: string; readonly keyPem: string; readonly expiredCertPem?: string; readonly expiredKeyPem?: string };
  /** Where the kubeconfig is written. */
  readonly dir: string;
  /**
   * Serve HTTPS with this certificate (for 127.0.0.1), and write the CA into the kubeconfig, as a real
   * API server is reached: kubectl (client-go) sends no bearer token over plain http. Without it: http
   * with insecure-skip-tls-verify, which @kubernetes/client-node accepts.
   */
  readonly serving?: { readonly certPem: string; readonly keyPem: string; readonly caPem: string };
  /** RBAC emulation: these (verb, resource) pairs answer 403. resource as in a Role: `services`, `pods/portforward`, `ingresses`. */
  readonly forbidden?: readonly { readonly verb: string; readonly resource: string }[];
}

export interface K8sApiHandle {
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly context: string;
  readonly token: string;
  /** The doctor's identity in 403 messages. */
  readonly user: string;
  readonly ids: LabIdentifiers;
  /** What the lab's data path must change for the chosen faults. */
  readonly dataPath: DataPathFlags;
  stop(): Promise<void>;
}

const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

const VERB_BY_METHOD: Readonly<Record<string, string>> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
const HTTP_REASON: Readonly<Record<number, string>> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

interface Status {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

function statusBody(s: Status): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: s.message, reason: s.reason, ...(s.details ? { details: s.details } : {}), code: s.code };
}

function notFoundObject(res: ApiResource, name: string): StatusError {
  return new StatusError({
    code: 404,
    reason: 'NotFound',
    message: `${qualifiedResource(res)} "${name}" not found`,
    details: { name, ...(res.group ? { group: res.group } : {}), kind: res.resource },
  });
}

const NOT_FOUND_PATH: Status = { code: 404, reason: 'NotFound', message: 'the server could not find the requested resource', details: {} };

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
  });
  res.end(text);
}

function sendStatus(res: ServerResponse, s: Status): void {
  sendJson(res, s.code, statusBody(s));
}

/** A parsed resource URL: /api/v1/… or /apis/<group>/<version>/…, with the namespace, name and subresource. */
interface ResourceRequest {
  readonly res: ApiResource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  /** Path segments after the subresource (the proxied path). */
  readonly rest: readonly string[];
  readonly trailingSlash: boolean;
}

function decodeSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
}

function labelsOf(o: K8sObject): Record<string, string> | undefined {
  return o.metadata.labels;
}

function stripTypeMeta(o: K8sObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

function listKind(res: ApiResource): string {
  return `${res.kind}List`;
}

export async function startK8sApi(options: K8sApiOptions): Promise<K8sApiHandle> {
  const provider = options.provider;
  const namespace = options.namespace ?? 'milvus';
  const release = options.release ?? 'milvus-demo';
  const ids = labIdentifiers(provider, namespace, release);
  const resources = resourcesFor(provider);
  const render = { provider, namespace, release, host: options.host, ingressAddress: options.ingressAddress, tls: options.tls };
  const world: LabWorld = {
    provider,
    ids,
    objects: renderLabObjects(render, ids),
    healthzOverrides: new Map(),
    milvusBackend: provider === 'gcp' ? 'tls' : 'h2c',
  };
  const dataPath = applyK8sFaults(world, options.faults, { render, expiredCertPem: options.tls.expiredCertPem, expiredKeyPem: options.tls.expiredKeyPem });

  const backends = {
    milvus: parseHostPort(options.backend.milvus, 'backend.milvus'),
    milvusTls: options.backend.milvusTls ? parseHostPort(options.backend.milvusTls, 'backend.milvusTls') : undefined,
    healthz: parseHostPort(options.backend.healthz, 'backend.healthz'),
  };
  if (world.milvusBackend === 'tls' && !backends.milvusTls) throw new Error('the gcp lab needs backend.milvusTls (Milvus with tlsMode 1)');

  const token = randomBytes(24).toString('hex');
  const user = `system:serviceaccount:${namespace}:milvus-l7-doctor`;
  const forbidden = options.forbidden ?? [];
  const closers = new Set<() => void>();
  const sockets = new Set<Socket>();
  const extraServers: NetServer[] = [];

  // Servers the API's subresources reach besides the lab's own: Milvus demanding client certificates
  // (mtls-backend), and a pod's failing /healthz for port-forwards to 9091 (healthz-not-ready-pod).
  const listen = (srv: NetServer) =>
    new Promise<HostPort>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        if (addr === null || typeof addr === 'string') return reject(new Error('no address'));
        extraServers.push(srv);
        srv.on('connection', (s: Socket) => {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
        });
        resolve({ host: '127.0.0.1', port: addr.port });
      });
    });

  let mtlsBackend: HostPort | undefined;
  if (world.milvusBackend === 'mtls') {
    const mtls = createClientCertBackend({
      certPem: `${options.tls.certPem.trimEnd()}\n${options.tls.chainPem.trimEnd()}\n`,
      keyPem: options.tls.keyPem,
      caPem: options.tls.chainPem,
      upstream: backends.milvus,
    });
    mtlsBackend = await listen(mtls);
  }

  const healthzOverrideServers = new Map<string, HostPort>();
  for (const [pod, answer] of world.healthzOverrides) {
    const srv = createServer((req, res) => sendHealthzOverride(req, res, answer));
    healthzOverrideServers.set(pod, await listen(srv));
  }

  function isForbidden(verb: string, res: ApiResource, sub?: string): boolean {
    const names = sub ? [`${res.resource}/${sub}`, `${qualifiedResource(res)}/${sub}`] : [res.resource, qualifiedResource(res)];
    return forbidden.some((f) => (f.verb === verb || f.verb === '*') && (names.includes(f.resource) || f.resource === '*'));
  }

  function forbiddenError(verb: string, r: Pick<ResourceRequest, 'res' | 'namespace' | 'name' | 'subresource'>): StatusError {
    const resName = r.subresource ? `${r.res.resource}/${r.subresource}` : r.res.resource;
    const subject = r.name !== undefined ? `${qualifiedResource(r.res)} "${r.name}"` : qualifiedResource(r.res);
    const scope = r.namespace !== undefined ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
    return new StatusError({
      code: 403,
      reason: 'Forbidden',
      message: `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resName}" in API group "${r.res.group}" ${scope}`,
      details: { ...(r.name !== undefined ? { name: r.name } : {}), ...(r.res.group ? { group: r.res.group } : {}), kind: r.res.resource },
    });
  }

  function authorize(verbs: readonly string[], r: ResourceRequest): void {
    for (const verb of verbs) if (isForbidden(verb, r.res, r.subresource)) throw forbiddenError(verb, r);
  }

  function parseResourcePath(segs: readonly string[], trailingSlash: boolean): ResourceRequest | undefined {
    let group: string;
    let version: string;
    let rest: readonly string[];
    if (segs[0] === 'api' && segs[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 3) {
      group = segs[1];
      version = segs[2];
      rest = segs.slice(3);
    } else return undefined;
    if (rest.length === 0) return undefined;
    let ns: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const res = findResource(resources, group, version, rest[0]);
    if (!res) return undefined;
    if (ns !== undefined && !res.namespaced) return undefined;
    if (ns === undefined && res.namespaced && rest.length > 1) return undefined;
    return { res, namespace: ns, name: rest[1], subresource: rest[2], rest: rest.slice(3), trailingSlash };
  }

  function objectsOf(res: ApiResource, ns?: string): K8sObject[] {
    return world.objects.filter((o) => {
      const r = findResourceByKind(resources, o.apiVersion, o.kind);
      return r === res && (ns === undefined || o.metadata.namespace === ns);
    });
  }

  function getObject(res: ApiResource, ns: string | undefined, name: string): K8sObject {
    const o = objectsOf(res, ns).find((x) => x.metadata.name === name);
    if (!o) throw notFoundObject(res, name);
    return o;
  }

  function resourceVersionNow(): string {
    let max = 0;
    for (const o of world.objects) max = Math.max(max, Number(o.metadata.resourceVersion ?? 0));
    return String(max);
  }

  function list(r: ResourceRequest, query: URLSearchParams): K8sObject[] {
    let items = objectsOf(r.res, r.namespace);
    try {
      const ls = query.get('labelSelector');
      if (ls) {
        const m = parseLabelSelector(ls);
        items = items.filter((o) => m(labelsOf(o)));
      }
      const fs = query.get('fieldSelector');
      if (fs) {
        const m = parseFieldSelector(fs, r.res.kind);
        items = items.filter((o) => m(o));
      }
    } catch (e) {
      if (e instanceof SelectorError) throw new StatusError({ code: 400, reason: 'BadRequest', message: e.message });
      throw e;
    }
    return items;
  }

  function podByName(name: string): K8sObject {
    const res = findResource(resources, '', 'v1', 'pods');
    if (!res) throw new Error('pods missing from the resource table');
    return getObject(res, namespace, name);
  }

  function containerPorts(pod: K8sObject): { name?: string; containerPort: number }[] {
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

  function podIp(pod: K8sObject): string {
    return isRecord(pod.status) && typeof pod.status.podIP === 'string' ? pod.status.podIP : '';
  }

  /** Where a pod's port lands in the lab (the kubelet's view: the pod network namespace). */
  function podPortTarget(podName: string, port: number): PortTarget {
    const pod = podByName(podName);
    const refused = `error forwarding port ${port} to pod ${pod.metadata.uid ?? ''}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${(pod.metadata.uid ?? '').slice(0, 8)}": failed to connect to localhost:${port} inside namespace, IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
    if (!containerPorts(pod).some((p) => p.containerPort === port)) return { error: refused };
    if (port === 9091) return { target: healthzOverrideServers.get(podName) ?? backends.healthz };
    if (port === 19530) {
      if (world.milvusBackend === 'mtls' && mtlsBackend) return { target: mtlsBackend };
      if (world.milvusBackend === 'tls' && backends.milvusTls) return { target: backends.milvusTls };
      return { target: backends.milvus };
    }
    return { error: refused };
  }

  function resolvePodPort(pod: K8sObject, port: string | undefined): number {
    if (port === undefined || port === '') return 80;
    if (/^\d+$/.test(port)) return Number(port);
    const named = containerPorts(pod).find((p) => p.name === port);
    if (!named) throw new StatusError({ code: 503, reason: 'ServiceUnavailable', message: `error trying to reach service: no such port "${port}" on pod "${pod.metadata.name}"` });
    return named.containerPort;
  }

  function serviceEndpoint(svc: K8sObject, portSpec: string | undefined): { pod: string; port: number } {
    const name = svc.metadata.name;
    const spec = isRecord(svc.spec) ? svc.spec : {};
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isRecord);
    const svcPort =
      portSpec === undefined || portSpec === ''
        ? ports[0]
        : ports.find((p) => p.name === portSpec || String(p.port) === portSpec);
    const noEndpoints = new StatusError({ code: 503, reason: 'ServiceUnavailable', message: `no endpoints available for service "${portSpec ? `${name}:${portSpec}` : name}"` });
    if (!svcPort) throw noEndpoints;
    const portName = typeof svcPort.name === 'string' ? svcPort.name : '';
    for (const slice of world.objects.filter((o) => o.kind === 'EndpointSlice' && o.metadata.namespace === svc.metadata.namespace && o.metadata.labels?.['kubernetes.io/service-name'] === name)) {
      const slicePort = (Array.isArray(slice.ports) ? slice.ports : []).filter(isRecord).find((p) => (p.name ?? '') === portName);
      if (!slicePort || typeof slicePort.port !== 'number') continue;
      for (const ep of (Array.isArray(slice.endpoints) ? slice.endpoints : []).filter(isRecord)) {
        const ready = isRecord(ep.conditions) ? ep.conditions.ready !== false : true;
        if (ready && isRecord(ep.targetRef) && typeof ep.targetRef.name === 'string') return { pod: ep.targetRef.name, port: slicePort.port };
      }
    }
    throw noEndpoints;
  }

  function proxyToPod(req: IncomingMessage, res: ServerResponse, podName: string, port: number, rest: readonly string[], trailingSlash: boolean, search: string): void {
    const pod = podByName(podName);
    const path = '/' + rest.map(encodeURIComponent).join('/') + (trailingSlash && rest.length > 0 ? '/' : '') + search;
    const override = port === 9091 && rest.join('/') === 'healthz' ? world.healthzOverrides.get(podName) : undefined;
    if (override) return sendHealthzOverride(req, res, override);
    const where = podPortTarget(podName, port);
    const unreachable = (detail: string) =>
      sendStatus(res, { code: 503, reason: 'ServiceUnavailable', message: `error trying to reach service: dial tcp ${podIp(pod)}:${port}: ${detail}` });
    if ('error' in where) return unreachable('connect: connection refused');
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      // The apiserver never hands the caller's credentials to the pod.
      if (v === undefined || k === 'authorization' || k === 'host' || k === 'connection') continue;
      headers[k] = v;
    }
    const upstream = httpRequest({ host: where.target.host, port: where.target.port, method: req.method, path, headers, timeout: 10_000 }, (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding') out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('i/o timeout')));
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      // Worded as the apiserver's Go dialer words it, without the lab's loopback address.
      if (!res.headersSent) unreachable(e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  function handleProxy(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, search: string): void {
    // `name`, `name:port` or `scheme:name:port`, as `kubectl get --raw` and client-node send it.
    const parts = (r.name ?? '').split(':');
    const name = parts.length === 3 ? parts[1] : parts[0];
    const port = parts.length === 3 ? parts[2] : parts[1];
    if (r.res.resource === 'services') {
      const svc = getObject(r.res, r.namespace, name);
      const ep = serviceEndpoint(svc, port);
      return proxyToPod(req, res, ep.pod, ep.port, r.rest, r.trailingSlash, search);
    }
    const pod = getObject(r.res, r.namespace, name);
    return proxyToPod(req, res, name, resolvePodPort(pod, port), r.rest, r.trailingSlash, search);
  }

  const watches = new Set<ServerResponse>();

  function handleResource(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, url: URL): void | Promise<void> {
    const method = req.method ?? 'GET';
    if (r.subresource === 'proxy' && (r.res.resource === 'services' || r.res.resource === 'pods')) {
      const verb = VERB_BY_METHOD[method] ?? 'get';
      authorize([verb], r);
      return handleProxy(req, res, r, url.search);
    }
    if (r.subresource === 'portforward') {
      authorize(['get', 'create'], r);
      getObject(r.res, r.namespace, r.name ?? '');
      return sendStatus(res, { code: 400, reason: 'BadRequest', message: 'Upgrade request required' });
    }
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb =
      method === 'GET' || method === 'HEAD'
        ? r.name === undefined
          ? watch
            ? 'watch'
            : 'list'
          : 'get'
        : method === 'DELETE' && r.name === undefined
          ? 'deletecollection'
          : VERB_BY_METHOD[method] ?? method.toLowerCase();
    authorize([verb], r);
    if (r.subresource !== undefined && r.subresource !== 'status') return sendStatus(res, NOT_FOUND_PATH);
    if (verb !== 'get' && verb !== 'list' && verb !== 'watch') return handleWrite(req, res, r, url, verb);
    if (r.name !== undefined) return sendJson(res, 200, getObject(r.res, r.namespace, r.name));
    const items = list(r, url.searchParams);
    if (watch) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      for (const o of items) res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
      watches.add(res);
      res.on('close', () => watches.delete(res));
      return;
    }
    sendJson(res, 200, {
      kind: listKind(r.res),
      apiVersion: groupVersion(r.res),
      metadata: { resourceVersion: resourceVersionNow() },
      items: r.res.custom ? items : items.map(stripTypeMeta),
    });
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 3 * 1024 * 1024) req.destroy(new Error('request entity too large'));
        else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  function badRequest(message: string): StatusError {
    return new StatusError({ code: 400, reason: 'BadRequest', message });
  }

  function parseBody(text: string, yamlAllowed: boolean): unknown {
    try {
      return yamlAllowed ? parseYaml(text) : JSON.parse(text);
    } catch (e) {
      throw badRequest(`the body of the request was in an unknown format: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The object a write stores: kind and apiVersion of the resource, the URL's namespace and name. */
  function checkedObject(v: unknown, r: ResourceRequest, name: string | undefined): K8sObject {
    if (!isRecord(v) || !isRecord(v.metadata)) throw badRequest('Object \'metadata\' is missing in the request body');
    const kind = v.kind ?? r.res.kind;
    const apiVersion = v.apiVersion ?? groupVersion(r.res);
    if (kind !== r.res.kind || apiVersion !== groupVersion(r.res)) {
      throw badRequest(`the API version in the data (${String(apiVersion)}) and kind (${String(kind)}) do not match the request (${groupVersion(r.res)}, ${r.res.kind})`);
    }
    const meta = { ...v.metadata };
    if (r.namespace !== undefined) {
      if (meta.namespace !== undefined && meta.namespace !== r.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = r.namespace;
    }
    if (name !== undefined) {
      if (meta.name !== undefined && meta.name !== name) throw badRequest('the name of the object (' + String(meta.name) + ') does not match the name on the URL (' + name + ')');
      meta.name = name;
    }
    if (typeof meta.name !== 'string' && typeof meta.generateName === 'string') meta.name = meta.generateName + randomBytes(3).toString('hex').slice(0, 5);
    if (typeof meta.name !== 'string' || meta.name === '') throw new StatusError({ code: 422, reason: 'Invalid', message: `${r.res.kind} "" is invalid: metadata.name: Required value: name or generateName is required` });
    const metadata = { ...meta, name: meta.name };
    return { ...v, apiVersion: groupVersion(r.res), kind: r.res.kind, metadata };
  }

  function store(next: K8sObject, prev: K8sObject | undefined, dryRun: boolean): K8sObject {
    const stored: K8sObject = structuredClone(next);
    stored.metadata.uid = prev?.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp = prev?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    delete stored.metadata.resourceVersion;
    const specChanged = prev !== undefined && JSON.stringify(prev.spec) !== JSON.stringify(stored.spec);
    const generation = typeof prev?.metadata.generation === 'number' ? prev.metadata.generation : 1;
    stored.metadata.generation = specChanged ? generation + 1 : generation;
    finishObjects([stored]);
    stored.metadata.resourceVersion = String(Number(resourceVersionNow()) + 1);
    if (!dryRun) world.objects = [...world.objects.filter((o) => o !== prev), stored];
    return stored;
  }

  function alreadyExists(r: ResourceRequest, name: string): StatusError {
    return new StatusError({
      code: 409,
      reason: 'AlreadyExists',
      message: `${qualifiedResource(r.res)} "${name}" already exists`,
      details: { name, ...(r.res.group ? { group: r.res.group } : {}), kind: r.res.resource },
    });
  }

  async function handleWrite(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, url: URL, verb: string): Promise<void> {
    const dryRun = url.searchParams.getAll('dryRun').includes('All');
    const existing = (name: string) => objectsOf(r.res, r.namespace).find((o) => o.metadata.name === name);
    if (verb === 'deletecollection') return sendStatus(res, { code: 405, reason: 'MethodNotAllowed', message: 'the lab does not delete collections' });
    if (verb === 'delete') {
      const prev = getObject(r.res, r.namespace, r.name ?? '');
      if (!dryRun) world.objects = world.objects.filter((o) => o !== prev);
      return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: prev.metadata.name, ...(r.res.group ? { group: r.res.group } : {}), kind: r.res.resource, uid: prev.metadata.uid } });
    }
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim();
    const text = await readBody(req);
    if (verb === 'create') {
      const obj = checkedObject(parseBody(text, contentType.includes('yaml')), r, undefined);
      if (existing(obj.metadata.name)) throw alreadyExists(r, obj.metadata.name);
      return sendJson(res, 201, store(obj, undefined, dryRun));
    }
    const name = r.name ?? '';
    const prev = existing(name);
    if (verb === 'update') {
      if (!prev) throw notFoundObject(r.res, name);
      const obj = checkedObject(parseBody(text, contentType.includes('yaml')), r, name);
      // The status subresource replaces only status; the main resource keeps status.
      const next = r.subresource === 'status' ? { ...prev, status: obj.status } : { ...obj, status: prev.status };
      return sendJson(res, 200, store(next, prev, dryRun));
    }
    // patch
    let patched: unknown;
    try {
      switch (contentType) {
        case PATCH_TYPES.apply: {
          if (!url.searchParams.get('fieldManager')) throw badRequest('PATCH requests with apply-patch+yaml require a fieldManager');
          const body = checkedObject(parseBody(text, true), r, name);
          patched = prev ? strategicMerge(prev, body, false) : body;
          break;
        }
        case PATCH_TYPES.json:
          if (!prev) throw notFoundObject(r.res, name);
          patched = jsonPatch(prev, parseBody(text, false));
          break;
        case PATCH_TYPES.merge:
          if (!prev) throw notFoundObject(r.res, name);
          patched = mergePatch(prev, parseBody(text, false));
          break;
        case PATCH_TYPES.strategic:
          if (!prev) throw notFoundObject(r.res, name);
          if (r.res.custom) throw new StatusError({ code: 415, reason: 'UnsupportedMediaType', message: `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.apply}` });
          patched = strategicMerge(prev, parseBody(text, false));
          break;
        default:
          throw new StatusError({ code: 415, reason: 'UnsupportedMediaType', message: `the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(', ')}` });
      }
    } catch (e) {
      if (e instanceof PatchError) throw new StatusError({ code: e.httpCode, reason: e.httpCode === 422 ? 'Invalid' : e.httpCode === 415 ? 'UnsupportedMediaType' : 'BadRequest', message: e.message });
      throw e;
    }
    const obj = checkedObject(patched, r, name);
    return sendJson(res, prev ? 200 : 201, store(obj, prev, dryRun));
  }

  function authenticated(req: IncomingMessage): 'ok' | 'anonymous' | 'invalid' {
    const h = req.headers.authorization;
    if (h === undefined) return 'anonymous';
    return h === `Bearer ${token}` ? 'ok' : 'invalid';
  }

  function handle(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const url = new URL(req.url ?? '/', 'http://lab');
    const auth = authenticated(req);
    if (auth !== 'ok' && !(auth === 'anonymous' && PUBLIC_PATHS.has(url.pathname))) {
      return sendStatus(res, { code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
    }
    const segs = decodeSegments(url.pathname);
    const path = '/' + segs.join('/');
    if (path === '/version') return sendJson(res, 200, versionInfo(ids.kubernetesVersion));
    if (PUBLIC_PATHS.has(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('ok');
    }
    if (path === '/api') {
      const address = req.socket.localAddress ?? '127.0.0.1';
      return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${address}:${req.socket.localPort ?? 0}` }] });
    }
    if (path === '/apis') return sendJson(res, 200, apiGroupList(resources));
    if (path === '/api/v1') return sendJson(res, 200, apiResourceList(resources, '', 'v1'));
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = apiGroup(resources, segs[1]);
      return g ? sendJson(res, 200, g) : sendStatus(res, NOT_FOUND_PATH);
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const l = apiResourceList(resources, segs[1], segs[2]);
      return l ? sendJson(res, 200, l) : sendStatus(res, NOT_FOUND_PATH);
    }
    const r = parseResourcePath(segs, url.pathname.endsWith('/'));
    if (!r) return sendStatus(res, NOT_FOUND_PATH);
    return handleResource(req, res, r, url);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const fail = (e: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (e instanceof StatusError) return sendStatus(res, e.status);
      sendStatus(res, { code: 500, reason: 'InternalError', message: `Internal error occurred: ${e instanceof Error ? e.message : String(e)}` });
    };
    try {
      const pending = handle(req, res);
      if (pending) pending.catch(fail);
    } catch (e) {
      fail(e);
    }
  };
  const server = options.serving ? createHttpsServer({ cert: options.serving.certPem, key: options.serving.keyPem }, handler) : createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has(PORT_FORWARD_PROTOCOL) ? PORT_FORWARD_PROTOCOL : false) });

  function rejectUpgrade(socket: Duplex, s: Status): void {
    const body = JSON.stringify(statusBody(s));
    const reason = HTTP_REASON[s.code] ?? 'Error';
    socket.end(`HTTP/1.1 ${s.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const url = new URL(req.url ?? '/', 'http://lab');
      if (authenticated(req) !== 'ok') return rejectUpgrade(socket, { code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
      const r = parseResourcePath(decodeSegments(url.pathname), false);
      if (!r || r.res.resource !== 'pods' || r.subresource !== 'portforward' || r.name === undefined) return rejectUpgrade(socket, NOT_FOUND_PATH);
      authorize(['get', 'create'], r);
      const podName = r.name;
      getObject(r.res, r.namespace, podName);
      const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).map((p) => Number(p.trim()));
      if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
        return rejectUpgrade(socket, { code: 400, reason: 'BadRequest', message: 'invalid port forward request: "ports" must name one or more ports in 1-65535' });
      }
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (!offered.includes(PORT_FORWARD_PROTOCOL)) {
        return rejectUpgrade(socket, { code: 400, reason: 'BadRequest', message: `unable to upgrade: the lab supports only the ${PORT_FORWARD_PROTOCOL} subprotocol` });
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const close = servePortForward(ws, ports, (port) => podPortTarget(podName, port));
        closers.add(close);
        ws.on('close', () => closers.delete(close));
      });
    } catch (e) {
      if (e instanceof StatusError) return rejectUpgrade(socket, e.status);
      rejectUpgrade(socket, { code: 500, reason: 'InternalError', message: e instanceof Error ? e.message : String(e) });
    }
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no address'));
      resolve(addr.port);
    });
  });
  const url = `${options.serving ? 'https' : 'http'}://127.0.0.1:${port}`;
  const context = `milvus-l7-lab-${provider}`;
  mkdirSync(options.dir, { recursive: true });
  const kubeconfigPath = join(options.dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: context,
          cluster: options.serving
            ? { server: url, 'certificate-authority-data': Buffer.from(options.serving.caPem).toString('base64') }
            : { server: url, 'insecure-skip-tls-verify': true },
        },
      ],
      users: [{ name: 'milvus-l7-doctor', user: { token } }],
      contexts: [{ name: context, context: { cluster: context, user: 'milvus-l7-doctor', namespace } }],
      'current-context': context,
      preferences: {},
    }),
    { mode: 0o600 },
  );

  let stopped: Promise<void> | undefined;
  return {
    url,
    kubeconfigPath,
    context,
    token,
    user,
    ids,
    dataPath,
    stop() {
      stopped ??= (async () => {
        for (const close of [...closers]) close();
        for (const w of watches) w.end();
        for (const s of sockets) s.destroy();
        wss.close();
        await Promise.all([server, ...extraServers].map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
      })();
      return stopped;
    },
  };
}

function sendHealthzOverride(req: IncomingMessage, res: ServerResponse, answer: { readonly status: number; readonly body: string }): void {
  // Milvus's /healthz lists components when asked for JSON (internal/http/healthz).
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const detail = [
      { name: 'rootcoord', code: 1 },
      { name: 'datacoord', code: 1 },
      { name: 'querycoord', code: 1 },
      { name: 'querynode', code: 2 },
      { name: 'datanode', code: 2 },
    ];
    const text = JSON.stringify({ state: answer.body, detail });
    res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    return void res.end(text);
  }
  res.writeHead(answer.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

function versionInfo(gitVersion: string): Record<string, string> {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m ? m[1] : '1',
    minor: m ? (gitVersion.includes('-eks-') ? `${m[2]}+` : m[2]) : '30',
    gitVersion,
    gitCommit: '9c3c2a6f4a1b8e0d7c5b3a2f1e0d9c8b7a6f5e4d',
    gitTreeState: 'clean',
    buildDate: '2024-09-11T21:22:08Z',
    goVersion: 'go1.22.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export { type LabProvider } from './resources.js';
export { K8S_FAULTS, k8sFaultDataPath, type DataPathFlags, type K8sFault } from './faults.js';
