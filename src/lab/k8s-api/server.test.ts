import {
  ApiException, ApisApi, CoreApi, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject, NetworkingV1Api, PatchStrategy,
  PortForward, setHeaderOptions, VersionApi,
} from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { startK8sApi, type K8sApiHandle, type K8sApiOptions } from './server.js';
import { makeTestCerts, startTestBackends, type TestBackends, type TestCerts } from '../../../test/kits/test-backends.js';

const HOST = 'milvus-demo.milvus.io';
const NS = 'milvus';

let certs: TestCerts;
let backends: TestBackends;
let workDir: string;
const labs: K8sApiHandle[] = [];
const localServers: Server[] = [];
const localSockets = new Set<Socket>();

async function lab(provider: 'aws' | 'gcp', extra: Partial<K8sApiOptions> = {}): Promise<K8sApiHandle> {
  const h = await startK8sApi({
    provider,
    faults: [],
    host: HOST,
    ingressAddress: provider === 'aws' ? 'k8s-milvus-milvusde-2f72215c02-778371620.us-east-2.elb.amazonaws.com' : '127.0.0.1',
    backend: { milvus: backends.milvus, milvusTls: backends.milvusTls, healthz: backends.healthz },
    tls: certs,
    dir: mkdtempSync(join(workDir, `${provider}-`)),
    ...extra,
  });
  labs.push(h);
  return h;
}

function kubeConfig(h: K8sApiHandle): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  return kc;
}

/** The Status object of a failed call, as client-node hands it over. */
async function statusOf(call: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiException) {
      const body: unknown = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      return { code: e.code, status: typeof body === 'object' && body !== null ? { ...body } : {} };
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function apiErrorBody(call: Promise<unknown>): Promise<{ code: number; body: string }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiException) return { code: e.code, body: typeof e.body === 'string' ? e.body : JSON.stringify(e.body) };
    throw e;
  }
  throw new Error('expected the call to fail');
}

/**
 * A local port forwarded with client-node's PortForward, as `kubectl port-forward` does: each accepted
 * connection becomes one WebSocket to …/pods/<pod>/portforward. Errors from the error channel are collected.
 */
async function forwardLocally(kc: KubeConfig, pod: string, port: number): Promise<{ port: number; errors: string[] }> {
  const pf = new PortForward(kc);
  const errors: string[] = [];
  const errSink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      // client-node hands over the error channel's port frame as an empty chunk.
      if (chunk.length > 0) errors.push(chunk.toString());
      cb();
    },
  });
  const srv = createServer((sock) => {
    localSockets.add(sock);
    sock.on('close', () => localSockets.delete(sock));
    sock.on('error', () => sock.destroy());
    pf.portForward(NS, pod, [port], sock, errSink, sock).catch((e: unknown) => {
      errors.push(String(e));
      sock.destroy();
    });
  });
  localServers.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const a = srv.address();
  if (a === null || typeof a === 'string') throw new Error('no address');
  return { port: a.port, errors };
}

/** Connects, sends `text`, and resolves with everything received once it contains `until`. */
function exchange(port: number, text: string, until: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timed out; got ${JSON.stringify(got)}`));
    }, 5000);
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes(until)) {
        clearTimeout(timer);
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'k8s-api-test-'));
  certs = makeTestCerts(HOST);
  backends = await startTestBackends(certs);
});

afterAll(async () => {
  for (const s of localSockets) s.destroy();
  await Promise.all(localServers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await Promise.all(labs.map((h) => h.stop()));
  await backends?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('kubeconfig and authentication', () => {
  test('the written kubeconfig works with client-node and names a plain-http cluster that skips TLS verification', async () => {
    const h = await lab('aws');
    const doc: unknown = parse(readFileSync(h.kubeconfigPath, 'utf8'));
    expect(doc).toMatchObject({
      'current-context': h.context,
      clusters: [{ cluster: { server: h.url, 'insecure-skip-tls-verify': true } }],
      users: [{ user: { token: h.token } }],
      contexts: [{ name: h.context, context: { namespace: NS } }],
    });
    const kc = kubeConfig(h);
    expect(kc.getCurrentContext()).toBe(h.context);
    const v = await kc.makeApiClient(VersionApi).getCode();
    expect(v.gitVersion).toMatch(/-eks-/);
  });

  test('a wrong token is 401 Unauthorized with a Status body', async () => {
    const h = await lab('aws');
    const kc = kubeConfig(h);
    const bad = new KubeConfig();
    bad.loadFromOptions({
      clusters: [{ name: 'c', server: h.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'not-the-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    // client-node drops a 401's body; the code is what a reader gets from it.
    expect((await statusOf(bad.makeApiClient(CoreV1Api).listNamespacedService({ namespace: NS }))).code).toBe(401);
    const raw = await fetch(`${h.url}/api/v1/namespaces/${NS}/services`, { headers: { Authorization: 'Bearer not-the-token' } });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    // A wrong token is refused even where anonymous access is allowed.
    expect((await fetch(`${h.url}/version`, { headers: { Authorization: 'Bearer not-the-token' } })).status).toBe(401);
    // And no token at all is refused too, except for the public /version.
    expect((await fetch(`${h.url}/api/v1/namespaces/${NS}/services`)).status).toBe(401);
    expect((await fetch(`${h.url}/version`)).status).toBe(200);
    expect((await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace: NS })).items).toHaveLength(1);
  });
});

describe('discovery', () => {
  test('core, groups and resource lists, with each provider serving its own controller CRDs only', async () => {
    for (const provider of ['aws', 'gcp'] as const) {
      const kc = kubeConfig(await lab(provider));
      expect((await kc.makeApiClient(CoreApi).getAPIVersions()).versions).toEqual(['v1']);
      const groups = (await kc.makeApiClient(ApisApi).getAPIVersions()).groups.map((g) => g.name);
      expect(groups).toEqual(expect.arrayContaining(['apps', 'networking.k8s.io', 'discovery.k8s.io']));
      const own = provider === 'aws' ? ['elbv2.k8s.aws'] : ['cloud.google.com', 'networking.gke.io'];
      const other = provider === 'aws' ? ['cloud.google.com', 'networking.gke.io'] : ['elbv2.k8s.aws'];
      expect(groups).toEqual(expect.arrayContaining(own));
      for (const g of other) expect(groups).not.toContain(g);

      const core = await kc.makeApiClient(CoreV1Api).getAPIResources();
      const names = core.resources.map((r) => r.name);
      expect(names).toEqual(expect.arrayContaining(['namespaces', 'services', 'services/proxy', 'endpoints', 'pods', 'pods/proxy', 'pods/portforward', 'configmaps', 'secrets', 'events']));
      expect(core.resources.find((r) => r.name === 'services')).toMatchObject({ kind: 'Service', namespaced: true, verbs: expect.arrayContaining(['get', 'list']) });
      const net = await kc.makeApiClient(NetworkingV1Api).getAPIResources();
      expect(net.resources.find((r) => r.name === 'ingressclasses')).toMatchObject({ kind: 'IngressClass', namespaced: false });
      const disc = await kc.makeApiClient(DiscoveryV1Api).getAPIResources();
      expect(disc.resources.map((r) => r.name)).toContain('endpointslices');
    }
  });

  test('a CRD group resource list is served as server-side apply expects it', async () => {
    const h = await lab('gcp');
    const res = await fetch(`${h.url}/apis/cloud.google.com/v1`, { headers: { Authorization: `Bearer ${h.token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'APIResourceList', groupVersion: 'cloud.google.com/v1', resources: [{ name: 'backendconfigs', kind: 'BackendConfig', namespaced: true }] });
    const missing = await fetch(`${h.url}/apis/elbv2.k8s.aws/v1beta1`, { headers: { Authorization: `Bearer ${h.token}` } });
    expect(missing.status).toBe(404);
  });
});

describe('the AWS flavour (seeds/000)', () => {
  let kc: KubeConfig;
  let h: K8sApiHandle;
  beforeAll(async () => {
    h = await lab('aws');
    kc = kubeConfig(h);
  });

  test('Service, Endpoints, EndpointSlice and proxy pods are consistent and ready', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const svc = await core.readNamespacedService({ name: 'milvus-demo', namespace: NS });
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports?.map((p) => [p.name, p.port])).toEqual([['milvus', 19530], ['metrics', 9091]]);
    const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: selector });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(pod.spec?.containers[0].ports?.map((p) => p.containerPort)).toEqual([19530, 9091]);
    }
    const slices = await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: NS, labelSelector: 'kubernetes.io/service-name=milvus-demo' });
    expect(slices.items).toHaveLength(1);
    expect(slices.items[0].endpoints.every((e) => e.conditions?.ready === true)).toBe(true);
    expect(slices.items[0].endpoints.map((e) => e.targetRef?.name).sort()).toEqual(pods.items.map((p) => p.metadata?.name).sort());
    const ep = await core.readNamespacedEndpoints({ name: 'milvus-demo', namespace: NS });
    expect(ep.subsets?.[0].addresses?.map((a) => a.ip).sort()).toEqual(pods.items.map((p) => p.status?.podIP).sort());
    expect((await core.listServiceForAllNamespaces()).items.map((s) => s.metadata?.name)).toEqual(['milvus-demo']);
    expect((await core.readNamespace({ name: NS })).status?.phase).toBe('Active');
  });

  test('ConfigMap user.yaml: authorization on, no tlsMode (the ALB speaks h2c to the pods)', async () => {
    const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'milvus-demo-milvus', namespace: NS });
    const user: unknown = parse(cm.data?.['user.yaml'] ?? '');
    expect(user).toEqual({ common: { security: { authorizationEnabled: true } } });
  });

  test('IngressClass alb, the guide\'s Ingress with its controller finalizer and address, a TargetGroupBinding', async () => {
    const net = kc.makeApiClient(NetworkingV1Api);
    expect((await net.readIngressClass({ name: 'alb' })).spec?.controller).toBe('ingress.k8s.aws/alb');
    const ing = await net.readNamespacedIngress({ name: 'milvus-demo', namespace: NS });
    expect(ing.spec?.ingressClassName).toBe('alb');
    expect(ing.metadata?.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
    });
    expect(ing.metadata?.annotations?.['alb.ingress.kubernetes.io/certificate-arn']).toMatch(/^arn:aws:acm:us-east-2:123456789012:certificate\/[0-9a-f-]{36}$/);
    expect(ing.metadata?.finalizers).toEqual(['ingress.k8s.aws/resources']);
    expect(ing.spec?.rules?.[0]).toMatchObject({ host: HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'milvus-demo', port: { number: 19530 } } } }] } });
    expect(ing.status?.loadBalancer?.ingress?.[0].hostname).toBe('k8s-milvus-milvusde-2f72215c02-778371620.us-east-2.elb.amazonaws.com');
    const tgbs: unknown = await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'elbv2.k8s.aws', version: 'v1beta1', namespace: NS, plural: 'targetgroupbindings' });
    expect(tgbs).toMatchObject({ kind: 'TargetGroupBindingList', items: [{ kind: 'TargetGroupBinding', spec: { serviceRef: { name: 'milvus-demo', port: 19530 }, targetType: 'ip', targetGroupARN: h.ids.targetGroupArn } }] });
  });

  test('Ingress events by fieldSelector: no Warning in the healthy lab', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const ev = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=milvus-demo,involvedObject.kind=Ingress' });
    expect(ev.items.length).toBeGreaterThan(0);
    expect(ev.items.filter((e) => e.type === 'Warning')).toEqual([]);
    expect((await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'type=Warning' })).items).toEqual([]);
    expect((await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=nothing' })).items).toEqual([]);
  });

  test('selectors: set-based labels select, an unsupported field is a 400 BadRequest', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    expect((await core.listPodForAllNamespaces({ labelSelector: 'component in (proxy,querynode),app.kubernetes.io/instance=milvus-demo' })).items).toHaveLength(2);
    expect((await core.listNamespacedPod({ namespace: NS, fieldSelector: `metadata.name=${h.ids.pods[1].name}` })).items.map((p) => p.status?.podIP)).toEqual([h.ids.pods[1].ip]);
    expect((await core.listNamespacedPod({ namespace: NS, labelSelector: 'component=querynode' })).items).toEqual([]);
    const bad = await statusOf(core.listNamespacedService({ namespace: NS, fieldSelector: 'spec.type=ClusterIP' }));
    expect(bad.status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.type' });
  });

  test('a GKE CRD is not installed here: 404 from its list', async () => {
    const r = await statusOf(kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'cloud.google.com', version: 'v1', namespace: NS, plural: 'backendconfigs' }));
    expect(r.code).toBe(404);
    expect(r.status).toMatchObject({ reason: 'NotFound', message: 'the server could not find the requested resource' });
  });

  test('port-forward to a proxy pod\'s 19530 carries bytes both ways to Milvus over h2c', async () => {
    const { port, errors } = await forwardLocally(kc, h.ids.pods[0].name, 19530);
    expect(await exchange(port, 'ping-aws', 'ping-aws')).toBe('h2c|ping-aws');
    expect(errors).toEqual([]);
  });
});

describe('the GCP flavour (seeds/002)', () => {
  let kc: KubeConfig;
  let h: K8sApiHandle;
  beforeAll(async () => {
    h = await lab('gcp');
    kc = kubeConfig(h);
  });

  test('the Service carries the guide\'s three annotations and the NEG status', async () => {
    const svc = await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'milvus-demo', namespace: NS });
    const a = svc.metadata?.annotations ?? {};
    expect(JSON.parse(a['cloud.google.com/app-protocols'])).toEqual({ milvus: 'HTTP2' });
    expect(JSON.parse(a['cloud.google.com/backend-config'])).toEqual({ default: 'milvus-demo-backendconfig' });
    expect(JSON.parse(a['cloud.google.com/neg'])).toEqual({ ingress: true });
    expect(JSON.parse(a['cloud.google.com/neg-status'])).toEqual({ network_endpoint_groups: { '19530': h.ids.negName }, zones: [...h.ids.zones] });
    expect(svc.spec?.type).toBe('ClusterIP');
  });

  test('BackendConfig: HTTP /healthz on 9091, interval and timeouts', async () => {
    const bc: unknown = await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'cloud.google.com', version: 'v1', namespace: NS, plural: 'backendconfigs', name: 'milvus-demo-backendconfig' });
    expect(bc).toMatchObject({ apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', spec: { timeoutSec: expect.any(Number), healthCheck: { type: 'HTTP', port: 9091, requestPath: '/healthz', checkIntervalSec: 15, timeoutSec: 5 } } });
  });

  test('TLS Secret holds the lab leaf + chain and key; user.yaml has tlsMode 1', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const s = await core.readNamespacedSecret({ name: 'milvus-demo-tls', namespace: NS });
    expect(s.type).toBe('kubernetes.io/tls');
    const crt = Buffer.from(s.data?.['tls.crt'] ?? '', 'base64').toString();
    expect(crt).toContain(certs.certPem.trim());
    expect(crt).toContain(certs.chainPem.trim());
    expect(Buffer.from(s.data?.['tls.key'] ?? '', 'base64').toString()).toBe(certs.keyPem);
    const cm = await core.readNamespacedConfigMap({ name: 'milvus-demo-milvus', namespace: NS });
    expect(parse(cm.data?.['user.yaml'] ?? '')).toMatchObject({ common: { security: { tlsMode: 1, authorizationEnabled: true } } });
  });

  test('Ingress: class by annotation only, tls, port 80 closed, backends HEALTHY, status ip', async () => {
    const ing = await kc.makeApiClient(NetworkingV1Api).readNamespacedIngress({ name: 'milvus-demo', namespace: NS });
    expect(ing.spec?.ingressClassName).toBeUndefined();
    const a = ing.metadata?.annotations ?? {};
    expect(a['kubernetes.io/ingress.class']).toBe('gce');
    expect(a['kubernetes.io/ingress.allow-http']).toBe('false');
    const backends: Record<string, string> = JSON.parse(a['ingress.kubernetes.io/backends']);
    expect(Object.values(backends).every((v) => v === 'HEALTHY')).toBe(true);
    expect(backends[h.ids.negName]).toBe('HEALTHY');
    expect(ing.spec?.tls).toEqual([{ hosts: [HOST], secretName: 'milvus-demo-tls' }]);
    expect(ing.status?.loadBalancer?.ingress?.[0].ip).toBe('127.0.0.1');
    expect((await kc.makeApiClient(NetworkingV1Api).listIngressClass()).items).toEqual([]);
  });

  test('service proxy and pod proxy reach /healthz on 9091, without the caller\'s credentials', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    expect(await core.connectGetNamespacedServiceProxyWithPath({ name: 'milvus-demo:9091', namespace: NS, path: 'healthz' })).toBe('OK');
    expect(await core.connectGetNamespacedServiceProxyWithPath({ name: 'milvus-demo:metrics', namespace: NS, path: 'healthz' })).toBe('OK');
    for (const pod of h.ids.pods) {
      expect(await core.connectGetNamespacedPodProxyWithPath({ name: `${pod.name}:9091`, namespace: NS, path: 'healthz' })).toBe('OK');
    }
    expect(backends.lastHealthzHeaders()?.authorization).toBeUndefined();
    const viaFetch = await fetch(`${h.url}/api/v1/namespaces/${NS}/services/milvus-demo:9091/proxy/healthz`, { headers: { Authorization: `Bearer ${kc.getCurrentUser()?.token ?? ''}` } });
    expect([viaFetch.status, await viaFetch.text()]).toEqual([200, 'OK']);
  });

  test('port-forward to 19530 reaches Milvus over TLS with ALPN h2', async () => {
    const { port } = await forwardLocally(kc, h.ids.pods[1].name, 19530);
    const got = await new Promise<{ alpn: string | false; data: string }>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: HOST, ALPNProtocols: ['h2'], ca: certs.chainPem }, () => s.write('ping-gcp'));
      let data = '';
      s.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.includes('ping-gcp')) {
          resolve({ alpn: s.alpnProtocol ?? false, data });
          s.destroy();
        }
      });
      s.on('error', reject);
    });
    expect(got).toEqual({ alpn: 'h2', data: 'tls|ping-gcp' });
  });

  test('port-forward to a port the pod does not listen on reports it on the error channel', async () => {
    const { port, errors } = await forwardLocally(kc, h.ids.pods[0].name, 8080);
    const s = netConnect(port, '127.0.0.1');
    localSockets.add(s);
    s.on('error', () => undefined);
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    s.destroy();
    expect(errors.join('')).toMatch(/error forwarding port 8080 to pod .*connection refused/);
  });
});

describe('Status objects like the real apiserver', () => {
  test('404 NotFound names the resource and object', async () => {
    const kc = kubeConfig(await lab('gcp'));
    const r = await statusOf(kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'nope', namespace: NS }));
    expect(r).toEqual({ code: 404, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'services "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'services' }, code: 404 } });
    const ing = await statusOf(kc.makeApiClient(NetworkingV1Api).readNamespacedIngress({ name: 'nope', namespace: NS }));
    expect(ing.status).toMatchObject({ message: 'ingresses.networking.k8s.io "nope" not found', details: { group: 'networking.k8s.io', kind: 'ingresses' } });
  });

  test('403 Forbidden for emulated missing RBAC: list, get at cluster scope, and the proxy and portforward subresources', async () => {
    const h = await lab('aws', {
      forbidden: [
        { verb: 'list', resource: 'services' },
        { verb: 'get', resource: 'ingressclasses' },
        { verb: 'get', resource: 'services/proxy' },
        { verb: 'create', resource: 'pods/portforward' },
      ],
    });
    const kc = kubeConfig(h);
    const core = kc.makeApiClient(CoreV1Api);
    const list = await statusOf(core.listNamespacedService({ namespace: NS }));
    expect(list).toEqual({
      code: 403,
      status: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
        message: `services is forbidden: User "system:serviceaccount:milvus:milvus-l7-doctor" cannot list resource "services" in API group "" in the namespace "milvus"`,
        details: { kind: 'services' },
      },
    });
    // get is still allowed: only the listed pairs are denied.
    expect((await core.readNamespacedService({ name: 'milvus-demo', namespace: NS })).metadata?.name).toBe('milvus-demo');
    const ic = await statusOf(kc.makeApiClient(NetworkingV1Api).readIngressClass({ name: 'alb' }));
    expect(ic.status.message).toBe(`ingressclasses.networking.k8s.io "alb" is forbidden: User "${h.user}" cannot get resource "ingressclasses" in API group "networking.k8s.io" at the cluster scope`);
    const proxy = await apiErrorBody(core.connectGetNamespacedServiceProxyWithPath({ name: 'milvus-demo:9091', namespace: NS, path: 'healthz' }));
    expect(proxy.code).toBe(403);
    expect(proxy.body).toContain('cannot get resource \\"services/proxy\\" in API group \\"\\" in the namespace \\"milvus\\"');
    const pf = new PortForward(kc);
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await expect(pf.portForward(NS, h.ids.pods[0].name, [19530], sink, sink, new PassThrough())).rejects.toThrow(/403/);
    const raw = await fetch(`${h.url}/api/v1/namespaces/${NS}/pods/${h.ids.pods[0].name}/portforward?ports=19530`, { headers: { Authorization: `Bearer ${h.token}` } });
    expect(await raw.json()).toMatchObject({
      code: 403,
      message: `pods "${h.ids.pods[0].name}" is forbidden: User "${h.user}" cannot create resource "pods/portforward" in API group "" in the namespace "milvus"`,
    });
  });
});

describe('faults through the API', () => {
  test('healthz-not-ready-pod: one pod\'s /healthz is 500 with the component count, by pod proxy and by port-forward', async () => {
    const h = await lab('aws', { faults: ['healthz-not-ready-pod'] });
    const kc = kubeConfig(h);
    const core = kc.makeApiClient(CoreV1Api);
    const [good, bad] = h.ids.pods;
    expect(await core.connectGetNamespacedPodProxyWithPath({ name: `${good.name}:9091`, namespace: NS, path: 'healthz' })).toBe('OK');
    expect(await apiErrorBody(core.connectGetNamespacedPodProxyWithPath({ name: `${bad.name}:9091`, namespace: NS, path: 'healthz' }))).toEqual({ code: 500, body: 'Not all components are healthy, 3/5' });
    const json = await fetch(`${h.url}/api/v1/namespaces/${NS}/pods/${bad.name}:9091/proxy/healthz`, { headers: { Authorization: `Bearer ${h.token}`, 'Content-Type': 'application/json' } });
    expect(json.status).toBe(500);
    expect(await json.json()).toMatchObject({ state: 'Not all components are healthy, 3/5', detail: expect.arrayContaining([{ name: 'querynode', code: 2 }]) });
    const { port } = await forwardLocally(kc, bad.name, 9091);
    expect(await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', '3/5')).toMatch(/^HTTP\/1\.1 500 /);
  });

  test('plaintext-backend: port-forward to 19530 meets h2c Milvus; the data path is told', async () => {
    const h = await lab('gcp', { faults: ['plaintext-backend'] });
    expect(h.dataPath).toEqual({ backendProtocol: 'plaintext' });
    const { port } = await forwardLocally(kubeConfig(h), h.ids.pods[0].name, 19530);
    expect(await exchange(port, 'hello', 'hello')).toBe('h2c|hello');
  });

  test('mtls-backend: port-forward to 19530 meets TLS that demands a client certificate', async () => {
    const h = await lab('gcp', { faults: ['mtls-backend'] });
    expect(h.dataPath).toEqual({ backendProtocol: 'mtls' });
    const { port } = await forwardLocally(kubeConfig(h), h.ids.pods[0].name, 19530);
    const outcome = await new Promise<string>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: HOST, ALPNProtocols: ['h2'], ca: certs.chainPem }, () => s.write('x'));
      localSockets.add(s);
      s.on('data', () => resolve('data'));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.on('close', () => resolve('closed'));
    });
    expect(outcome).toMatch(/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/);
  });

  test('tls-secret-expired: the Secret holds the expired certificate and the data path serves it', async () => {
    const h = await lab('gcp', { faults: ['tls-secret-expired'] });
    expect(h.dataPath).toEqual({ servedCert: 'expired' });
    const s = await kubeConfig(h).makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'milvus-demo-tls', namespace: NS });
    expect(Buffer.from(s.data?.['tls.crt'] ?? '', 'base64').toString()).toContain(certs.expiredCertPem.trim());
  });

  test('build-model-event: the Warning is listed by the Ingress fieldSelector', async () => {
    const h = await lab('aws', { faults: ['build-model-event'] });
    const ev = await kubeConfig(h).makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=milvus-demo,type=Warning' });
    expect(ev.items.map((e) => [e.reason, e.involvedObject.kind, e.source?.component])).toEqual([['FailedBuildModel', 'Ingress', 'ingress']]);
  });

  test('managed-cert-provisioning: the ManagedCertificate is served by its CRD', async () => {
    const h = await lab('gcp', { faults: ['managed-cert-provisioning'] });
    const mc: unknown = await kubeConfig(h).makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'networking.gke.io', version: 'v1', namespace: NS, plural: 'managedcertificates', name: 'milvus-demo-tls' });
    expect(mc).toMatchObject({ status: { certificateStatus: 'Provisioning', domainStatus: [{ domain: HOST, status: 'FailedNotVisible' }] } });
  });

  test('ingressclass-missing: reading the class is a NotFound', async () => {
    const h = await lab('aws', { faults: ['ingressclass-missing'] });
    const r = await statusOf(kubeConfig(h).makeApiClient(NetworkingV1Api).readIngressClass({ name: 'alb' }));
    expect(r.status).toMatchObject({ code: 404, message: 'ingressclasses.networking.k8s.io "alb" not found' });
  });

  test('a fault of the wrong provider is refused at start', async () => {
    await expect(lab('aws', { faults: ['neg-missing'] })).rejects.toMatchObject({ code: 'K8S_LAB_FAULT_PROVIDER' });
  });
});

describe('writes, as provision uses them', () => {
  test('server-side apply through KubernetesObjectApi (discovery first) creates a missing BackendConfig, then merges', async () => {
    const h = await lab('gcp', { faults: ['backendconfig-missing'] });
    const kc = kubeConfig(h);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec: KubernetesObject & { spec: Record<string, unknown> } = {
      apiVersion: 'cloud.google.com/v1',
      kind: 'BackendConfig',
      metadata: { name: 'milvus-demo-backendconfig', namespace: NS },
      spec: { healthCheck: { type: 'HTTP', port: 9091, requestPath: '/healthz' } },
    };
    // dryRun=All answers but stores nothing.
    await objects.patch(spec, undefined, 'All', 'milvus-l7-doctor', true, PatchStrategy.ServerSideApply);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const read = () => custom.getNamespacedCustomObject({ group: 'cloud.google.com', version: 'v1', namespace: NS, plural: 'backendconfigs', name: 'milvus-demo-backendconfig' });
    expect((await statusOf(read())).code).toBe(404);
    const created = await objects.patch(spec, undefined, undefined, 'milvus-l7-doctor', true, PatchStrategy.ServerSideApply);
    expect(created.metadata?.uid).toBeDefined();
    await objects.patch({ ...spec, spec: { timeoutSec: 600 } }, undefined, undefined, 'milvus-l7-doctor', true, PatchStrategy.ServerSideApply);
    expect(await read()).toMatchObject({ spec: { timeoutSec: 600, healthCheck: { type: 'HTTP', port: 9091, requestPath: '/healthz' } }, metadata: { uid: created.metadata?.uid, generation: 2 } });
  });

  test.each([
    { name: 'the same value as another manager: shared, no conflict', spec: { timeoutSec: 30 }, dryRun: undefined, force: false, conflict: null },
    { name: 'a field no other manager owns', spec: { healthCheck: { requestPath: '/healthz' } }, dryRun: undefined, force: false, conflict: null },
    { name: 'another value for a field kubectl owns', spec: { timeoutSec: 600 }, dryRun: undefined, force: false, conflict: '.spec.timeoutSec' },
    { name: 'the dry run refuses it as well', spec: { timeoutSec: 600 }, dryRun: 'All', force: false, conflict: '.spec.timeoutSec' },
    { name: 'force takes it over', spec: { timeoutSec: 600 }, dryRun: undefined, force: true, conflict: null },
  ])('server-side apply conflicts: $name', async ({ spec, dryRun, force, conflict }) => {
    const h = await lab('gcp', { faults: ['backendconfig-missing'] });
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig(h));
    const meta = { name: 'milvus-demo-backendconfig', namespace: NS };
    await objects.patch({ apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: meta, spec: { timeoutSec: 30 } }, undefined, undefined, 'kubectl', false, PatchStrategy.ServerSideApply);
    const apply = () => objects.patch({ apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: meta, spec }, undefined, dryRun, 'milvus-l7-doctor', force, PatchStrategy.ServerSideApply);
    if (conflict === null) {
      const stored = await apply();
      const managers = ((stored.metadata as { managedFields?: { manager: string; operation: string }[] }).managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
      expect(managers).toEqual(['kubectl/Apply', 'milvus-l7-doctor/Apply']);
      if (force) {
        // Taken over: kubectl's old value is now the conflict, the other way round.
        const back = await statusOf(objects.patch({ apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: meta, spec: { timeoutSec: 30 } }, undefined, undefined, 'kubectl', false, PatchStrategy.ServerSideApply));
        expect(back.status).toMatchObject({ code: 409, details: { causes: [{ field: '.spec.timeoutSec', message: 'conflict with "milvus-l7-doctor" using cloud.google.com/v1' }] } });
      }
      return;
    }
    const refused = await statusOf(apply());
    expect(refused.status).toMatchObject({ code: 409, reason: 'Conflict', details: { causes: [{ type: 'FieldManagerConflict', field: conflict, message: 'conflict with "kubectl" using cloud.google.com/v1' }] } });
    expect(String(refused.status.message)).toBe(`Apply failed with 1 conflict: conflict with "kubectl" using cloud.google.com/v1: ${conflict}`);
  });

  test('merge patch and JSON patch on the Service annotations; create, conflict and delete a ConfigMap', async () => {
    const h = await lab('gcp', { faults: ['app-protocols-by-number'] });
    const core = kubeConfig(h).makeApiClient(CoreV1Api);
    await core.patchNamespacedService(
      { name: 'milvus-demo', namespace: NS, body: { metadata: { annotations: { 'cloud.google.com/app-protocols': '{"milvus":"HTTP2"}' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.patchNamespacedService({ name: 'milvus-demo', namespace: NS, body: [{ op: 'add', path: '/metadata/labels/fixed-by', value: 'doctor' }] });
    const svc = await core.readNamespacedService({ name: 'milvus-demo', namespace: NS });
    expect(svc.metadata?.annotations?.['cloud.google.com/app-protocols']).toBe('{"milvus":"HTTP2"}');
    expect(svc.metadata?.annotations?.['cloud.google.com/neg']).toBe('{"ingress": true}');
    expect(svc.metadata?.labels?.['fixed-by']).toBe('doctor');
    const cm = { metadata: { name: 'scratch' }, data: { a: '1' } };
    expect((await core.createNamespacedConfigMap({ namespace: NS, body: cm })).metadata?.namespace).toBe(NS);
    expect((await statusOf(core.createNamespacedConfigMap({ namespace: NS, body: cm }))).status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "scratch" already exists' });
    await core.deleteNamespacedConfigMap({ name: 'scratch', namespace: NS });
    expect((await statusOf(core.readNamespacedConfigMap({ name: 'scratch', namespace: NS }))).code).toBe(404);
  });

  test('a write the RBAC emulation denies is a 403 naming the verb', async () => {
    const h = await lab('aws', { forbidden: [{ verb: 'patch', resource: 'ingresses' }] });
    const net = kubeConfig(h).makeApiClient(NetworkingV1Api);
    const r = await statusOf(net.patchNamespacedIngress({ name: 'milvus-demo', namespace: NS, body: [{ op: 'remove', path: '/metadata/finalizers' }] }));
    expect(r.status.message).toBe(`ingresses.networking.k8s.io "milvus-demo" is forbidden: User "${h.user}" cannot patch resource "ingresses" in API group "networking.k8s.io" in the namespace "milvus"`);
  });
});
