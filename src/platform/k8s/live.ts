// Live mode: the snapshot read from the API server with @kubernetes/client-node. Every request carries a
// deadline (AbortSignal), reads run concurrently in three waves (what discovery needs; what the chosen
// Service/Ingress/provider needs; what the pods need), and every failure is kept as a typed Outcome:
// 403 → K8S_FORBIDDEN naming verb and resource, 404 → K8S_NOT_FOUND, no connection → K8S_UNREACHABLE,
// no answer in time → K8S_TIMEOUT.
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
import { detectProvider, ingressHost, selectIngress, selectService, tlsSecretNameFor, METRICS_PORT, type Provider } from './discover.js';
import { loadKubeConfig } from './kubeconfig.js';
import { parseHealthzCounts, parseMilvusConfig } from './milvus-config.js';
import {
  arr,
  isRecord,
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
import type { EventFact, HealthzReading, K8sFacts, K8sSelection, PodFact, ServiceFact } from './types.js';
import type { StepListener } from '../../model.js';

export interface LiveOptions extends K8sSelection {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly onStep?: StepListener;
  /** Skip the port-forward probe (tests of the reader alone). */
  readonly backendProbe?: boolean;
}

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

interface Reader {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly onStep?: LiveOptions['onStep'];
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

async function timed<T>(r: Reader, key: string, access: Access, fn: (apis: Apis, signal: AbortSignal) => Promise<T>, ms: number = r.timeoutMs): Promise<Outcome<T>> {
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
  r.onStep?.(key, outcome.status, outcome.status === 'ok' || outcome.status === 'error' ? outcome.ms : 0);
  return outcome;
}

function skip<T>(r: Reader, key: string, reason: string, blockedBy?: string): Outcome<T> {
  r.onStep?.(key, 'skipped', 0);
  return blockedBy ? { status: 'skipped', reason, blockedBy } : { status: 'skipped', reason };
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
async function healthzVia(r: Reader, key: string, access: Access, target: string, call: (a: Apis) => Promise<string>): Promise<Outcome<HealthzReading>> {
  return timed(r, key, access, async (apis) => {
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

export async function readLive(options: LiveOptions): Promise<K8sFacts> {
  const loaded = loadKubeConfig(options.kubeconfig, options.context);
  const namespace = options.namespace ?? loaded.namespace ?? 'default';
  const r: Reader = {
    kc: loaded.kc,
    server: loaded.server,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    onStep: options.onStep,
  };
  const ns = namespace;

  // Wave 1: what discovery needs.
  const [services, ingresses, ingressClasses, ingressEventsAll] = await Promise.all([
    timed(r, 'k8s.services', { verb: 'list', resource: 'services', namespace: ns }, (a) => a.core.listNamespacedService({ namespace: ns })).then((x) =>
      mapOk(x, (l) => items(l).map((s) => toService(s, ns))),
    ),
    timed(r, 'k8s.ingresses', { verb: 'list', resource: 'ingresses.networking.k8s.io', namespace: ns }, (a) => a.networking.listNamespacedIngress({ namespace: ns })).then((x) =>
      mapOk(x, (l) => items(l).map((i) => toIngress(i, ns))),
    ),
    timed(r, 'k8s.ingressclasses', { verb: 'list', resource: 'ingressclasses.networking.k8s.io', namespace: null }, (a) => a.networking.listIngressClass({})).then((x) =>
      mapOk(x, (l) => items(l).map(toIngressClass)),
    ),
    timed(r, 'k8s.events.ingress', { verb: 'list', resource: 'events', namespace: ns }, (a) =>
      a.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=Ingress' }),
    ).then((x) => mapOk(x, (l) => items(l).map(toEvent))),
  ]);

  const pending: K8sFacts = {
    source: 'live',
    namespace: ns,
    context: loaded.context,
    requested: { release: options.release ?? null, service: options.service ?? null, ingress: options.ingress ?? null },
    files: [],
    services,
    ingresses,
    ingressClasses,
    endpointSlices: { status: 'skipped', reason: 'not read yet' },
    pods: { status: 'skipped', reason: 'not read yet' },
    workloads: { status: 'skipped', reason: 'live: the pods themselves are read' },
    milvusConfig: { status: 'skipped', reason: 'not read yet' },
    ingressEvents: ingressEventsAll,
    backendConfigs: { status: 'skipped', reason: 'not read yet' },
    managedCertificates: { status: 'skipped', reason: 'not read yet' },
    tlsSecret: { status: 'skipped', reason: 'not read yet' },
    targetGroupBindings: { status: 'skipped', reason: 'not read yet' },
    healthzService: { status: 'skipped', reason: 'not read yet' },
    healthzPods: { status: 'skipped', reason: 'not read yet' },
    backendProtocol: { status: 'skipped', reason: 'not read yet' },
  };
  const svc = selectService(pending);
  const ing = selectIngress(pending, svc?.name ?? null);
  const provider: Provider = detectProvider(pending, ing, svc);
  const noService = 'the Milvus Service was not found';

  // Wave 2: what the chosen Service, Ingress and provider need (wave 3, per pod, hangs off the pods).
  const podsP: Promise<Outcome<readonly PodFact[]>> = svc
    ? Object.keys(svc.selector).length === 0
      ? Promise.resolve(skip(r, 'k8s.pods', `Service ${svc.name} has no selector`))
      : timed(r, 'k8s.pods', { verb: 'list', resource: 'pods', namespace: ns }, (a) => a.core.listNamespacedPod({ namespace: ns, labelSelector: selectorString(svc.selector) })).then((x) =>
          mapOk(x, (l) => items(l).map(toPod)),
        )
    : Promise.resolve(skip(r, 'k8s.pods', noService, 'k8s.service.exists'));

  const endpointSlicesP = svc
    ? timed(r, 'k8s.endpointslices', { verb: 'list', resource: 'endpointslices.discovery.k8s.io', namespace: ns }, (a) =>
        a.discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: `kubernetes.io/service-name=${svc.name}` }),
      ).then((x) => mapOk(x, (l) => items(l).map(toEndpointSlice)))
    : Promise.resolve(skip<readonly ReturnType<typeof toEndpointSlice>[]>(r, 'k8s.endpointslices', noService, 'k8s.service.exists'));

  // The chart names the ConfigMap as the Service (its full name); other packagings use <release>-milvus.
  const configNames = svc ? [...new Set([svc.name, ...(options.release ? [`${options.release}-milvus`, options.release] : []), `${svc.labels['app.kubernetes.io/instance'] ?? svc.name}-milvus`])] : [];
  const configP = svc
    ? (async () => {
        // One step for the lookup, whichever candidate it ends on: a name that is not there is not an error.
        const quiet: Reader = { ...r, onStep: undefined };
        const started = performance.now();
        const settle = (o: Outcome<ReturnType<typeof parseMilvusConfig>>) => {
          r.onStep?.('k8s.configmap', o.status, Math.round(performance.now() - started));
          return o;
        };
        let first: Outcome<ReturnType<typeof parseMilvusConfig>> | null = null;
        for (const name of configNames) {
          const o = await timed(quiet, 'k8s.configmap', { verb: 'get', resource: 'configmaps', namespace: ns, name }, (a) => a.core.readNamespacedConfigMap({ name, namespace: ns })).then((x) =>
            mapOk(x, (cm) => parseMilvusConfig(name, strMap(plain(cm).data))),
          );
          if (o.status !== 'error' || o.error.code !== 'K8S_NOT_FOUND') return settle(o);
          first ??= o;
        }
        return first ? settle(first) : skip<ReturnType<typeof parseMilvusConfig>>(r, 'k8s.configmap', noService, 'k8s.service.exists');
      })()
    : Promise.resolve(skip<ReturnType<typeof parseMilvusConfig>>(r, 'k8s.configmap', noService, 'k8s.service.exists'));

  // The ALB never reads a Kubernetes Secret (ACM holds its certificate): do not ask for secrets there.
  const secretName = ing && provider !== 'aws' ? tlsSecretNameFor(ing, ingressHost(ing)) : null;
  const secretP = secretName
    ? timed(r, 'k8s.tls-secret', { verb: 'get', resource: 'secrets', namespace: ns, name: secretName }, (a) => a.core.readNamespacedSecret({ name: secretName, namespace: ns })).then((x) =>
        mapOk(x, (s) => parseTlsSecret(plain(s), ns)),
      )
    : Promise.resolve(
        skip<ReturnType<typeof parseTlsSecret>>(r, 'k8s.tls-secret', !ing ? 'no Ingress routes to the Milvus Service' : provider === 'aws' ? 'the ALB takes its certificate from ACM' : 'the Ingress references no TLS Secret'),
      );

  const custom = (key: string, group: string, version: string, plural: string) =>
    timed(r, key, { verb: 'list', resource: `${plural}.${group}`, namespace: ns }, async (a) => {
      const list: unknown = await a.custom.listNamespacedCustomObject({ group, version, namespace: ns, plural });
      return items(list);
    });
  const wantGcp = provider === 'gcp' || provider === 'unknown';
  const wantAws = provider === 'aws' || provider === 'unknown';
  const backendConfigsP = wantGcp
    ? custom('k8s.backendconfigs', 'cloud.google.com', 'v1', 'backendconfigs').then((x) => mapOk(x, (l) => l.map((o) => toBackendConfig(o, ns))))
    : Promise.resolve(skip<readonly ReturnType<typeof toBackendConfig>[]>(r, 'k8s.backendconfigs', 'not a GKE deployment'));
  const managedCertsP = wantGcp
    ? custom('k8s.managedcertificates', 'networking.gke.io', 'v1', 'managedcertificates').then((x) => mapOk(x, (l) => l.map((o) => toManagedCertificate(o, ns))))
    : Promise.resolve(skip<readonly ReturnType<typeof toManagedCertificate>[]>(r, 'k8s.managedcertificates', 'not a GKE deployment'));
  const tgbP = wantAws
    ? Promise.all([
        custom('k8s.targetgroupbindings', 'elbv2.k8s.aws', 'v1beta1', 'targetgroupbindings'),
        timed(r, 'k8s.events.targetgroupbinding', { verb: 'list', resource: 'events', namespace: ns }, (a) =>
          a.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=TargetGroupBinding' }),
        ).then((x) => mapOk(x, (l) => items(l).map(toEvent))),
      ]).then(([tgbs, events]) => mapOk(tgbs, (l) => l.map((o) => toTargetGroupBinding(o, events.status === 'ok' ? events.value : ([] as EventFact[])))))
    : Promise.resolve(skip<readonly ReturnType<typeof toTargetGroupBinding>[]>(r, 'k8s.targetgroupbindings', 'not an AWS deployment'));

  const healthzServiceP = svc
    ? healthzVia(r, 'k8s.healthz.service', { verb: 'get', resource: 'services/proxy', namespace: ns, name: `${svc.name}:${METRICS_PORT}` }, `services/${svc.name}:${METRICS_PORT}`, (a) =>
        a.core.connectGetNamespacedServiceProxyWithPath({ name: `${svc.name}:${METRICS_PORT}`, namespace: ns, path: 'healthz' }),
      )
    : Promise.resolve(skip<HealthzReading>(r, 'k8s.healthz.service', noService, 'k8s.service.exists'));

  // Wave 3: per pod.
  const healthzPodsP = podsP.then(async (pods): Promise<Outcome<readonly HealthzReading[]>> => {
    if (pods.status !== 'ok') return skip(r, 'k8s.healthz.pods', 'the Milvus pods were not read', 'k8s.pods.ready');
    const started = performance.now();
    const readings = await Promise.all(
      pods.value.slice(0, 20).map(async (p) => {
        const target = `pods/${p.name}:${METRICS_PORT}`;
        const o = await healthzVia(r, `k8s.healthz.pod.${p.name}`, { verb: 'get', resource: 'pods/proxy', namespace: ns, name: `${p.name}:${METRICS_PORT}` }, target, (a) =>
          a.core.connectGetNamespacedPodProxyWithPath({ name: `${p.name}:${METRICS_PORT}`, namespace: ns, path: 'healthz' }),
        );
        return o.status === 'ok' ? o.value : { target, status: null, body: '', ready: null, total: null, error: o.status === 'error' ? `${o.error.code}: ${o.error.message}` : o.reason };
      }),
    );
    // All forbidden (or all unreachable) is the reader's failure, not the pods' state.
    const errors = readings.filter((x) => x.error !== null);
    if (readings.length > 0 && errors.length === readings.length && errors.every((x) => x.error?.startsWith('K8S_FORBIDDEN'))) {
      return { status: 'error', error: { code: 'K8S_FORBIDDEN', layer: 'k8s', message: `forbidden: cannot get pods/proxy in ${ns} (${errors[0].error ?? ''})`, detail: { verb: 'get', resource: 'pods/proxy', namespace: ns } }, ms: Math.round(performance.now() - started) };
    }
    return { status: 'ok', value: readings, ms: Math.round(performance.now() - started) };
  });

  const backendP = podsP.then(async (pods): Promise<Outcome<K8sFacts['backendProtocol'] extends Outcome<infer B> ? B : never>> => {
    if (options.backendProbe === false) return skip(r, 'k8s.backend-protocol', 'backend probe disabled');
    if (!svc) return skip(r, 'k8s.backend-protocol', noService, 'k8s.service.exists');
    if (pods.status !== 'ok') return skip(r, 'k8s.backend-protocol', 'the Milvus pods were not read', 'k8s.pods.ready');
    const pod = pickProbePod(pods.value);
    if (!pod) return skip(r, 'k8s.backend-protocol', 'no Milvus pod to port-forward to', 'k8s.pods.ready');
    const port = podMilvusPort(svc, pod);
    return timed(r, 'k8s.backend-protocol', { verb: 'get', resource: 'pods/portforward', namespace: ns, name: pod.name }, (_o, signal) =>
      probeBackendProtocol({ kc: r.kc, namespace: ns, pod: pod.name, port, timeoutMs: r.timeoutMs, signal }),
      // two probes, each with its own deadline, plus the port-forward set-up
      r.timeoutMs * 2 + 1000,
    );
  });

  const [endpointSlices, pods, milvusConfig, tlsSecret, backendConfigs, managedCertificates, targetGroupBindings, healthzService, healthzPods, backendProtocol] = await Promise.all([
    endpointSlicesP,
    podsP,
    configP,
    secretP,
    backendConfigsP,
    managedCertsP,
    tgbP,
    healthzServiceP,
    healthzPodsP,
    backendP,
  ]);

  return {
    ...pending,
    ingressEvents: ing ? mapOk(ingressEventsAll, (l) => l.filter((e) => e.involvedName === ing.name)) : ingressEventsAll,
    endpointSlices,
    pods,
    milvusConfig,
    tlsSecret,
    backendConfigs,
    managedCertificates,
    targetGroupBindings,
    healthzService,
    healthzPods,
    backendProtocol,
  };
}
