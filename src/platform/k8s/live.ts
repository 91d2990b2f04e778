// Live mode: one function per Kubernetes read, with @kubernetes/client-node. The registry's k8s sources
// (src/sources/k8s/) call them as the graph reaches them. Every request carries a deadline (AbortSignal),
// and every failure is kept as a typed Outcome: 403 → K8S_FORBIDDEN naming verb and resource,
// 404 → K8S_NOT_FOUND, no connection → K8S_UNREACHABLE, no answer in time → K8S_TIMEOUT.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  NetworkingV1Api,
  ServerConfiguration,
  createConfiguration,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { Outcome, ProbeErrorInfo } from '../../model.js';
import { METRICS_PORT } from './discover.js';
import { skipped } from '../../probes/outcome.js';
import { loadKubeConfig } from './kubeconfig.js';
import { parseHealthzCounts, parseMilvusConfig } from './milvus-config.js';
import {
  arr,
  isRecord,
  rec,
  str,
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
  type RawObject,
} from './objects.js';
import { parseTlsSecret } from './tls-secret.js';
import { PortForwardRefusedError, probeBackendProtocol } from './backend-probe.js';
import type {
  BackendConfigFact, BackendProtocolFact, EndpointSliceFact, EventFact, HealthzReading, IngressClassFact, IngressFact, ManagedCertificateFact,
  MilvusConfigFact, PodFact, ServiceFact, TargetGroupBindingFact, TlsSecretFact,
} from './types.js';

/** What a request reads, for error messages and RBAC: `list endpointslices.discovery.k8s.io in milvus`. */
interface Access {
  readonly verb: 'get' | 'list';
  readonly resource: string;
  readonly namespace: string | null;
  readonly name?: string;
}

function describeAccess(a: Access): string {
  return `${a.verb} ${a.resource}${a.name ? ` ${a.name}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}`;
}

/** The API server's own Status message from an error body, when there is one. */
function statusOf(body: unknown): { message: string | null; isStatus: boolean } {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { message: null, isStatus: false };
    }
  }
  if (isRecord(value) && value.kind === 'Status') return { message: str(value.message), isStatus: true };
  return { message: null, isStatus: false };
}

function errorCode(e: unknown): string | null {
  if (isRecord(e) && typeof e.code === 'string') return e.code;
  return null;
}

export class K8sReadError extends Error {
  constructor(readonly info: ProbeErrorInfo) {
    super(info.message);
  }
}

/** Maps whatever the client threw to the snapshot's error vocabulary. */
export function classifyError(e: unknown, access: Access, server: string, timedOut: boolean, cancelled: boolean): ProbeErrorInfo {
  const what = describeAccess(access);
  const detail = { verb: access.verb, resource: access.resource, namespace: access.namespace, ...(access.name ? { name: access.name } : {}) };
  if (e instanceof K8sReadError) return e.info;
  if (cancelled) return { code: 'K8S_CANCELLED', layer: 'k8s', message: `${what}: the run was cancelled`, detail };
  if (timedOut) return { code: 'K8S_TIMEOUT', layer: 'k8s', message: `${what}: no answer from ${server} within the deadline`, detail };
  if (e instanceof PortForwardRefusedError) {
    const withStatus = { ...detail, status: e.status };
    if (e.status === 403) return { code: 'K8S_FORBIDDEN', layer: 'k8s', message: `forbidden: cannot ${what} (${e.message})`, detail: withStatus };
    if (e.status === 404) return { code: 'K8S_NOT_FOUND', layer: 'k8s', message: `${what}: not found (${e.message})`, detail: withStatus };
    if (e.status === 401) return { code: 'K8S_UNAUTHORIZED', layer: 'k8s', message: `unauthorized: ${what} (${e.message})`, detail: withStatus };
    return { code: 'K8S_PORTFORWARD_FAILED', layer: 'k8s', message: `${what}: ${e.message}`, detail: withStatus };
  }
  if (e instanceof ApiException) {
    const status = statusOf(e.body);
    const said = status.message ? ` (${status.message})` : '';
    const withStatus = { ...detail, status: e.code };
    if (e.code === 403) return { code: 'K8S_FORBIDDEN', layer: 'k8s', message: `forbidden: cannot ${what}${said}`, detail: withStatus };
    if (e.code === 401) return { code: 'K8S_UNAUTHORIZED', layer: 'k8s', message: `unauthorized: the API server rejected the credentials for ${what}`, detail: withStatus };
    if (e.code === 404) {
      const message = access.name ? `${access.resource} "${access.name}" not found${access.namespace ? ` in ${access.namespace}` : ''}` : `${access.resource} is not served by this cluster (CRD not installed?)`;
      return { code: 'K8S_NOT_FOUND', layer: 'k8s', message, detail: withStatus };
    }
    return { code: 'K8S_API_ERROR', layer: 'k8s', message: `${what}: HTTP ${e.code}${said}`, detail: withStatus };
  }
  const code = errorCode(e);
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  if (isRecord(e) && (e.type === 'system' || code !== null || e.name === 'FetchError')) {
    return { code: 'K8S_UNREACHABLE', layer: 'k8s', message: `cannot reach the API server ${server} (${code ?? message})`, detail: { ...detail, cause: code ?? message } };
  }
  return { code: 'K8S_CLIENT_ERROR', layer: 'k8s', message: `${what}: ${message}`, detail };
}

interface Apis {
  readonly core: CoreV1Api;
  readonly networking: NetworkingV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly custom: CustomObjectsApi;
}

/** One live cluster: the loaded kubeconfig, for every read of a run. */
export interface LiveCluster {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly context: string;
  readonly namespace: string;
}

/** A cluster plus the deadline and cancellation of one read. */
export interface Reader extends LiveCluster {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/**
 * API clients for one request, configured as KubeConfig.makeApiClient does plus a middleware that puts
 * the deadline's signal on the request (per-call options are typed for observable middleware but wrapped
 * as promise middleware at run time, so a configuration of our own is the typed way in).
 */
function apisFor(r: Reader, signal: AbortSignal): Apis {
  const config = createConfiguration({
    baseServer: new ServerConfiguration(r.server, {}),
    authMethods: { default: r.kc },
    promiseMiddleware: [
      {
        pre: async (ctx: RequestContext) => {
          ctx.setSignal(signal);
          return ctx;
        },
        // The client refuses to parse a body without Content-Type; a pod's /healthz through the proxy may
        // come without one, and its text is what the checks need.
        post: async (ctx: ResponseContext) => {
          if (!Object.keys(ctx.headers).some((h) => h.toLowerCase() === 'content-type')) ctx.headers['content-type'] = 'text/plain';
          return ctx;
        },
      },
    ],
  });
  return { core: new CoreV1Api(config), networking: new NetworkingV1Api(config), discovery: new DiscoveryV1Api(config), custom: new CustomObjectsApi(config) };
}

async function timed<T>(r: Reader, access: Access, fn: (apis: Apis, signal: AbortSignal) => Promise<T>, ms: number = r.timeoutMs): Promise<Outcome<T>> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(ms);
  const signal = AbortSignal.any([r.signal, deadline]);
  let outcome: Outcome<T>;
  try {
    // The race guards against a client path that ignores the signal: the deadline holds regardless.
    const value = await Promise.race([
      fn(apisFor(r, signal), signal),
      new Promise<never>((_, reject) => {
        const fail = (): void => reject(new Error('aborted'));
        if (signal.aborted) fail();
        else signal.addEventListener('abort', fail, { once: true });
      }),
    ]);
    outcome = { status: 'ok', value, ms: Math.round(performance.now() - started) };
  } catch (e) {
    const error = classifyError(e, access, r.server, deadline.aborted, r.signal.aborted);
    outcome = { status: 'error', error, ms: Math.round(performance.now() - started) };
  }
  return outcome;
}

/** Typed client objects back to wire JSON (dates to ISO strings), so both modes share the converters. */
function plain(v: unknown): RawObject {
  const j: unknown = JSON.parse(JSON.stringify(v ?? {}));
  return isRecord(j) ? j : {};
}
function items(list: unknown): RawObject[] {
  return arr(isRecord(list) ? list.items : []).map(plain);
}

function mapOk<T, U>(o: Outcome<T>, f: (v: T) => U): Outcome<U> {
  return o.status === 'ok' ? { status: 'ok', value: f(o.value), ms: o.ms } : o;
}

function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
}

/** A /healthz GET through the API server proxy: Milvus's own answer (even a 500) is a reading, not an error. */
async function healthzVia(r: Reader, access: Access, target: string, call: (a: Apis) => Promise<string>): Promise<Outcome<HealthzReading>> {
  return timed(r, access, async (apis) => {
    try {
      const body = await call(apis);
      return { target, status: 200, body: String(body), ...parseHealthzCounts(String(body)), error: null };
    } catch (e) {
      if (!(e instanceof ApiException)) throw e;
      const s = statusOf(e.body);
      if (s.isStatus && (e.code === 401 || e.code === 403 || e.code === 404)) throw new K8sReadError(classifyError(e, access, r.server, false, false));
      const body = s.isStatus ? (s.message ?? '') : typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
      return { target, status: e.code, body: body.slice(0, 2000), ...parseHealthzCounts(body), error: null };
    }
  });
}

function pickProbePod(pods: readonly PodFact[]): PodFact | null {
  return pods.find((p) => p.ready) ?? pods.find((p) => p.phase === 'Running') ?? pods[0] ?? null;
}

/** The pod port the Service's 19530 targets (a number, or a container port name resolved on the pod). */
function podMilvusPort(svc: ServiceFact, pod: PodFact): number {
  const port = svc.ports.find((p) => p.port === 19530) ?? svc.ports.find((p) => p.name === 'milvus');
  const target = port?.targetPort ?? port?.port ?? 19530;
  if (typeof target === 'number') return target;
  const named = pod.containers.flatMap((c) => c.ports).find((p) => p.name === target);
  return named?.containerPort ?? 19530;
}

/** Loads the kubeconfig (a UsageError when it is wrong) and fixes the namespace: -n, else the context's. */
export function openCluster(kubeconfig: string | undefined, context: string | undefined, namespace: string | undefined): LiveCluster {
  const loaded = loadKubeConfig(kubeconfig, context);
  return { kc: loaded.kc, server: loaded.server, context: loaded.context, namespace: namespace ?? loaded.namespace ?? 'default' };
}

export function listServices(r: Reader): Promise<Outcome<readonly ServiceFact[]>> {
  const ns = r.namespace;
  return timed(r, { verb: 'list', resource: 'services', namespace: ns }, (a) => a.core.listNamespacedService({ namespace: ns })).then((x) =>
    mapOk(x, (l) => items(l).map((s) => toService(s, ns))),
  );
}

export function listIngresses(r: Reader): Promise<Outcome<readonly IngressFact[]>> {
  const ns = r.namespace;
  return timed(r, { verb: 'list', resource: 'ingresses.networking.k8s.io', namespace: ns }, (a) => a.networking.listNamespacedIngress({ namespace: ns })).then((x) =>
    mapOk(x, (l) => items(l).map((i) => toIngress(i, ns))),
  );
}

export function listIngressClasses(r: Reader): Promise<Outcome<readonly IngressClassFact[]>> {
  return timed(r, { verb: 'list', resource: 'ingressclasses.networking.k8s.io', namespace: null }, (a) => a.networking.listIngressClass({})).then((x) =>
    mapOk(x, (l) => items(l).map(toIngressClass)),
  );
}

/** The Nodes' names and spec.providerID (GKE: gce://project/zone/instance): where the cluster runs. */
export function listNodes(r: Reader): Promise<Outcome<readonly { readonly name: string; readonly providerID: string | null }[]>> {
  return timed(r, { verb: 'list', resource: 'nodes', namespace: null }, (a) => a.core.listNode({})).then((x) =>
    mapOk(x, (l) => items(l).map((n) => ({ name: str(rec(n.metadata).name) ?? '', providerID: str(rec(n.spec).providerID) }))),
  );
}

/** Events of one kind of object in the namespace (Ingress, TargetGroupBinding). */
export function listEvents(r: Reader, involvedKind: string): Promise<Outcome<readonly EventFact[]>> {
  const ns = r.namespace;
  return timed(r, { verb: 'list', resource: 'events', namespace: ns }, (a) =>
    a.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.kind=${involvedKind}` }),
  ).then((x) => mapOk(x, (l) => items(l).map(toEvent)));
}

export function listPods(r: Reader, svc: ServiceFact): Promise<Outcome<readonly PodFact[]>> {
  const ns = r.namespace;
  if (Object.keys(svc.selector).length === 0) return Promise.resolve(skipped(`Service ${svc.name} has no selector`));
  return timed(r, { verb: 'list', resource: 'pods', namespace: ns }, (a) => a.core.listNamespacedPod({ namespace: ns, labelSelector: selectorString(svc.selector) })).then((x) =>
    mapOk(x, (l) => items(l).map(toPod)),
  );
}

export function listEndpointSlices(r: Reader, svc: ServiceFact): Promise<Outcome<readonly EndpointSliceFact[]>> {
  const ns = r.namespace;
  return timed(r, { verb: 'list', resource: 'endpointslices.discovery.k8s.io', namespace: ns }, (a) =>
    a.discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: `kubernetes.io/service-name=${svc.name}` }),
  ).then((x) => mapOk(x, (l) => items(l).map(toEndpointSlice)));
}

/** The Milvus ConfigMap: the chart names it as the Service (its full name); other packagings <release>-milvus. */
export async function readMilvusConfig(r: Reader, svc: ServiceFact, release: string | null): Promise<Outcome<MilvusConfigFact>> {
  const ns = r.namespace;
  const names = [...new Set([svc.name, ...(release ? [`${release}-milvus`, release] : []), `${svc.labels['app.kubernetes.io/instance'] ?? svc.name}-milvus`])];
  const started = performance.now();
  // One outcome for the lookup, whichever candidate it ends on: a name that is not there is not an error.
  let first: Outcome<MilvusConfigFact> | null = null;
  for (const name of names) {
    const o = await timed(r, { verb: 'get', resource: 'configmaps', namespace: ns, name }, (a) => a.core.readNamespacedConfigMap({ name, namespace: ns })).then((x) =>
      mapOk(x, (cm) => parseMilvusConfig(name, strMap(plain(cm).data))),
    );
    if (o.status !== 'error' || o.error.code !== 'K8S_NOT_FOUND') return withMs(o, started);
    first ??= o;
  }
  return withMs(first ?? skipped('no ConfigMap name to look up'), started);
}

function withMs<T>(o: Outcome<T>, started: number): Outcome<T> {
  return o.status === 'skipped' ? o : { ...o, ms: Math.round(performance.now() - started) };
}

export function readTlsSecret(r: Reader, name: string): Promise<Outcome<TlsSecretFact>> {
  const ns = r.namespace;
  return timed(r, { verb: 'get', resource: 'secrets', namespace: ns, name }, (a) => a.core.readNamespacedSecret({ name, namespace: ns })).then((x) =>
    mapOk(x, (s) => parseTlsSecret(plain(s), ns)),
  );
}

function listCustom(r: Reader, group: string, version: string, plural: string): Promise<Outcome<RawObject[]>> {
  const ns = r.namespace;
  return timed(r, { verb: 'list', resource: `${plural}.${group}`, namespace: ns }, async (a) => {
    const list: unknown = await a.custom.listNamespacedCustomObject({ group, version, namespace: ns, plural });
    return items(list);
  });
}

export function listBackendConfigs(r: Reader): Promise<Outcome<readonly BackendConfigFact[]>> {
  return listCustom(r, 'cloud.google.com', 'v1', 'backendconfigs').then((x) => mapOk(x, (l) => l.map((o) => toBackendConfig(o, r.namespace))));
}

export function listManagedCertificates(r: Reader): Promise<Outcome<readonly ManagedCertificateFact[]>> {
  return listCustom(r, 'networking.gke.io', 'v1', 'managedcertificates').then((x) => mapOk(x, (l) => l.map((o) => toManagedCertificate(o, r.namespace))));
}

export async function listTargetGroupBindings(r: Reader): Promise<Outcome<readonly TargetGroupBindingFact[]>> {
  const [tgbs, events] = await Promise.all([listCustom(r, 'elbv2.k8s.aws', 'v1beta1', 'targetgroupbindings'), listEvents(r, 'TargetGroupBinding')]);
  return mapOk(tgbs, (l) => l.map((o) => toTargetGroupBinding(o, events.status === 'ok' ? events.value : [])));
}

/** /healthz on 9091 through the API server's service proxy. */
export function readServiceHealthz(r: Reader, svc: ServiceFact): Promise<Outcome<HealthzReading>> {
  const ns = r.namespace;
  const name = `${svc.name}:${METRICS_PORT}`;
  return healthzVia(r, { verb: 'get', resource: 'services/proxy', namespace: ns, name }, `services/${name}`, (a) =>
    a.core.connectGetNamespacedServiceProxyWithPath({ name, namespace: ns, path: 'healthz' }),
  );
}

/** /healthz on 9091 of each pod (at most 20) through the pod proxy. */
export async function readPodsHealthz(r: Reader, pods: readonly PodFact[]): Promise<Outcome<readonly HealthzReading[]>> {
  const ns = r.namespace;
  const started = performance.now();
  const readings = await Promise.all(
    pods.slice(0, 20).map(async (p) => {
      const name = `${p.name}:${METRICS_PORT}`;
      const target = `pods/${name}`;
      const o = await healthzVia(r, { verb: 'get', resource: 'pods/proxy', namespace: ns, name }, target, (a) =>
        a.core.connectGetNamespacedPodProxyWithPath({ name, namespace: ns, path: 'healthz' }),
      );
      return o.status === 'ok' ? o.value : { target, status: null, body: '', ready: null, total: null, error: o.status === 'error' ? `${o.error.code}: ${o.error.message}` : o.reason };
    }),
  );
  // All forbidden is the reader's failure, not the pods' state.
  const errors = readings.filter((x) => x.error !== null);
  if (readings.length > 0 && errors.length === readings.length && errors.every((x) => x.error?.startsWith('K8S_FORBIDDEN'))) {
    return { status: 'error', error: { code: 'K8S_FORBIDDEN', layer: 'k8s', message: `forbidden: cannot get pods/proxy in ${ns} (${errors[0].error ?? ''})`, detail: { verb: 'get', resource: 'pods/proxy', namespace: ns } }, ms: Math.round(performance.now() - started) };
  }
  return { status: 'ok', value: readings, ms: Math.round(performance.now() - started) };
}

/** What a load balancer meets on one Milvus pod's gRPC port, through a port-forward. */
export function readBackendProtocol(r: Reader, svc: ServiceFact, pods: readonly PodFact[]): Promise<Outcome<BackendProtocolFact>> {
  const pod = pickProbePod(pods);
  if (!pod) return Promise.resolve(skipped('no Milvus pod to port-forward to', 'k8s.pods.ready'));
  const port = podMilvusPort(svc, pod);
  return timed(r, { verb: 'get', resource: 'pods/portforward', namespace: r.namespace, name: pod.name }, (_o, signal) =>
    probeBackendProtocol({ kc: r.kc, namespace: r.namespace, pod: pod.name, port, timeoutMs: r.timeoutMs, signal }),
    // two probes, each with its own deadline, plus the port-forward set-up
    r.timeoutMs * 2 + 1000,
  );
}
