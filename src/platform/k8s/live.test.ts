import { judgeCheck } from '../../checks/define.js';
// The live reader against a small in-test HTTP server speaking the Kubernetes API's JSON, through the real
// @kubernetes/client-node: objects, a 403 Status, Milvus's own 500 through the proxy, an API server that is
// not there, one that never answers, and kubeconfigs that are wrong in each way.
import { writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../errors.js';
import { k8sChecks } from '../../checks/k8s/index.js';
import { JUDGE_OPTIONS, FIXTURES, factsWith } from '../../../test/kits/k8s-testkit.js';
import { parseManifestText } from './manifests.js';
import { kindOf, nameOf, type RawObject } from './objects.js';
import { readK8s as readLive } from '../../../test/kits/gather-k8s.js';
import { rbacAllows } from '../../sources/permissions.js';
import { tempDir } from '../../../test/tmp.js';

const dir = tempDir('k8s-live-');

function awsObjects(): RawObject[] {
  const base = join(FIXTURES, 'aws', 'base');
  const objs = readdirSync(base).flatMap((f) => parseManifestText(readFileSync(join(base, f), 'utf8'), f));
  const extra = ['live-address.yaml', 'build-model-event.yaml'].flatMap((f) => parseManifestText(readFileSync(join(FIXTURES, 'aws', 'faults', f), 'utf8'), f));
  const byKey = new Map<string, RawObject>();
  for (const o of [...objs, ...extra]) byKey.set(`${kindOf(o)}/${nameOf(o)}`, o);
  return [...byKey.values()];
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** A minimal API server: lists by kind, one 403, one 404 CRD, and /healthz through the service proxy. */
function apiHandler(objects: RawObject[], requests: string[]) {
  const ofKind = (kind: string) => objects.filter((o) => kindOf(o) === kind);
  const list = (kind: string, apiVersion: string, items: RawObject[]) => ({ kind: `${kind}List`, apiVersion, metadata: { resourceVersion: '1' }, items });
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${decodeURIComponent(url.pathname)}${url.search}`);
    const send = (code: number, body: unknown, type = 'application/json') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const p = decodeURIComponent(url.pathname);
    const ns = '/api/v1/namespaces/milvus';
    if (p === `${ns}/services`) return send(200, list('Service', 'v1', ofKind('Service')));
    if (p === '/apis/networking.k8s.io/v1/namespaces/milvus/ingresses') return send(200, list('Ingress', 'networking.k8s.io/v1', ofKind('Ingress')));
    if (p === '/apis/networking.k8s.io/v1/ingressclasses') return send(200, list('IngressClass', 'networking.k8s.io/v1', ofKind('IngressClass')));
    if (p === `${ns}/events`) {
      const kind = /involvedObject\.kind=(\w+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
      return send(200, list('Event', 'v1', ofKind('Event').filter((e) => !kind || (e.involvedObject as { kind?: string } | undefined)?.kind === kind)));
    }
    if (p === '/apis/discovery.k8s.io/v1/namespaces/milvus/endpointslices') {
      return send(403, status(403, 'Forbidden', 'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:milvus:doctor" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "milvus"'));
    }
    if (p === `${ns}/pods`) {
      return send(200, list('Pod', 'v1', [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'milvus-demo-proxy-1', namespace: 'milvus', labels: { 'app.kubernetes.io/name': 'milvus', 'app.kubernetes.io/instance': 'milvus-demo', component: 'proxy' } }, spec: { containers: [{ name: 'proxy', ports: [{ name: 'milvus', containerPort: 19530 }, { name: 'metrics', containerPort: 9091 }] }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'proxy', ready: true, restartCount: 1 }] } }]));
    }
    // Served under the other packaging's name (<release>-milvus), so the reader's first candidate is a 404.
    if (p === `${ns}/configmaps/milvus-demo-milvus`) return send(200, ofKind('ConfigMap')[0]);
    if (p === '/apis/elbv2.k8s.aws/v1beta1/namespaces/milvus/targetgroupbindings') return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (p === `${ns}/services/milvus-demo:9091/proxy/healthz`) return send(500, 'Not all components are healthy, 3/5', 'text/plain; charset=utf-8');
    if (p === `${ns}/pods/milvus-demo-proxy-1:9091/proxy/healthz`) return send(200, 'OK', 'text/plain; charset=utf-8');
    return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
  };
}

function kubeconfig(name: string, server: string, extra = ''): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: test',
      '  cluster:',
      `    server: ${server}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: doctor',
      '  user:',
      '    token: not-a-real-token',
      'contexts:',
      '- name: test',
      '  context: {cluster: test, user: doctor, namespace: milvus}',
      'current-context: test',
      extra,
    ].join('\n'),
  );
  return file;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('live reader', () => {
  const requests: string[] = [];
  let api: Server;
  let hang: Server;
  const hanging = new Set<Socket>();
  let apiConfig = '';
  let hangConfig = '';
  let deadConfig = '';

  beforeAll(async () => {
    api = createServer(apiHandler(awsObjects(), requests));
    apiConfig = kubeconfig('api.yaml', `http://127.0.0.1:${await listen(api)}`);
    hang = createServer(() => undefined);
    hang.on('connection', (s) => hanging.add(s));
    hangConfig = kubeconfig('hang.yaml', `http://127.0.0.1:${await listen(hang)}`);
    const gone = createServer();
    const port = await listen(gone);
    await new Promise((r) => gone.close(r));
    deadConfig = kubeconfig('dead.yaml', `http://127.0.0.1:${port}`);
  });
  afterAll(async () => {
    for (const s of hanging) s.destroy();
    await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => hang.close(r))]);
  });

  test('reads the objects, keeps a 403 naming verb and resource, and Milvus\'s 500 as a reading', async () => {
    const steps: string[] = [];
    const k8s = await readLive({ kubeconfig: apiConfig, release: 'milvus-demo', timeoutMs: 2000, signal: new AbortController().signal, backendProbe: false, onStep: (k, s) => steps.push(`${k}:${s}`) });
    expect(k8s.source).toBe('live');
    expect(k8s.namespace).toBe('milvus');
    expect(k8s.services.status).toBe('ok');
    expect(k8s.ingresses.status === 'ok' && k8s.ingresses.value[0].addresses[0].hostname).toMatch(/elb\.amazonaws\.com$/);
    expect(k8s.endpointSlices.status === 'error' && k8s.endpointSlices.error.code).toBe('K8S_FORBIDDEN');
    expect(k8s.endpointSlices.status === 'error' && k8s.endpointSlices.error.message).toContain('list endpointslices.discovery.k8s.io in milvus');
    expect(k8s.targetGroupBindings.status === 'error' && k8s.targetGroupBindings.error.code).toBe('K8S_NOT_FOUND');
    expect(k8s.healthzService).toMatchObject({ status: 'ok', value: { status: 500, ready: 3, total: 5 } });
    expect(k8s.healthzPods).toMatchObject({ status: 'ok', value: [{ status: 200, body: 'OK' }] });
    expect(k8s.milvusConfig).toMatchObject({ status: 'ok', value: { tlsMode: null, authorizationEnabled: true } });
    expect(k8s.ingressEvents.status === 'ok' && k8s.ingressEvents.value.map((e) => e.reason)).toEqual(['FailedBuildModel']);
    expect(k8s.backendConfigs.status).toBe('skipped');
    expect(steps).toContain('k8s.endpointSlices:error');
    // The ConfigMap is found under its second candidate name after a 404 on the first: one step, and ok.
    expect(requests.filter((r) => r.includes('/configmaps/')).length).toBeGreaterThan(1);
    expect(steps.filter((s) => s.startsWith('k8s.milvusConfig'))).toEqual(['k8s.milvusConfig:ok']);
    // Requests carry the selectors the RBAC role and the API expect.
    expect(requests).toContain('GET /api/v1/namespaces/milvus/events?fieldSelector=involvedObject.kind%3DIngress');
    expect(requests.some((r) => r.startsWith('GET /api/v1/namespaces/milvus/pods?labelSelector='))).toBe(true);

    const facts = factsWith(k8s);
    const verdict = (id: string) => {
      const def = k8sChecks.find((c) => c.id === id);
      return def ? judgeCheck(def, facts, JUDGE_OPTIONS) : undefined;
    };
    expect(verdict('k8s.endpoints.ready')).toMatchObject({ verdict: 'error', observed: expect.stringContaining('list endpointslices.discovery.k8s.io in milvus') });
    expect(verdict('healthz.service-proxy')).toMatchObject({ verdict: 'fail', observed: expect.stringContaining('3/5 components') });
    expect(verdict('k8s.service.exists')?.verdict).toBe('pass');
    expect(verdict('k8s.ingress.events')?.verdict).toBe('fail');
  });

  test('every request the reader made is allowed by the permissions the sources declare (fixtures/rbac)', () => {
    expect(requests.length).toBeGreaterThan(5);
    for (const line of requests) {
      const path = line.split(' ')[1].split('?')[0];
      const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/[^/]+)?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?/.exec(path);
      expect(m, path).not.toBeNull();
      const [, group = '', resource, name, sub] = m ?? [];
      const verb = name ? 'get' : 'list';
      expect(rbacAllows(group, sub ? `${resource}/${sub}` : resource, verb), `${verb} ${resource}${sub ? `/${sub}` : ''} (${group || 'core'})`).toBe(true);
    }
  });

  test('an API server that is not there: K8S_UNREACHABLE, well within the deadline', async () => {
    const started = Date.now();
    const k8s = await readLive({ kubeconfig: deadConfig, timeoutMs: 3000, signal: new AbortController().signal });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(k8s.services.status === 'error' && k8s.services.error.code).toBe('K8S_UNREACHABLE');
    expect(k8s.ingresses.status === 'error' && k8s.ingresses.error.code).toBe('K8S_UNREACHABLE');
    const exists = k8sChecks.find((c) => c.id === 'k8s.service.exists');
    expect(exists && judgeCheck(exists, factsWith(k8s), JUDGE_OPTIONS).verdict).toBe('error');
  });

  test('an API server that never answers: K8S_TIMEOUT at the deadline, not a hang', async () => {
    const started = Date.now();
    const k8s = await readLive({ kubeconfig: hangConfig, timeoutMs: 300, signal: new AbortController().signal });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(k8s.services.status === 'error' && k8s.services.error.code).toBe('K8S_TIMEOUT');
    expect(k8s.ingressClasses.status === 'error' && k8s.ingressClasses.error.code).toBe('K8S_TIMEOUT');
  });

  test.each([
    ['a missing file', () => join(dir, 'nope.yaml'), undefined, 'KUBECONFIG_INVALID', /no such file/],
    ['a file that is not a kubeconfig', () => { const f = join(dir, 'bad.yaml'); writeFileSync(f, 'clusters: [ {name: x\n'); return f; }, undefined, 'KUBECONFIG_INVALID', /not a valid kubeconfig/],
    ['an unknown context', () => kubeconfig('ctx.yaml', 'http://127.0.0.1:1'), 'prod', 'KUBECONFIG_CONTEXT', /--context prod: no such context .*contexts: test/],
    ['plain http without insecure-skip-tls-verify', () => { const f = join(dir, 'plain.yaml'); writeFileSync(f, readFileSync(kubeconfig('p.yaml', 'http://127.0.0.1:1'), 'utf8').replace('    insecure-skip-tls-verify: true\n', '')); return f; }, undefined, 'KUBECONFIG_INVALID', /insecure-skip-tls-verify/],
    ['no current context', () => { const f = join(dir, 'nocur.yaml'); writeFileSync(f, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n'); return f; }, undefined, 'KUBECONFIG_CONTEXT', /no current context/],
  ])('%s is a one-line UsageError', async (_name, file, context, code, text) => {
    const err = await readLive({ kubeconfig: file(), context, timeoutMs: 500, signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err instanceof UsageError && err.code).toBe(code);
    expect(err instanceof UsageError && err.message).toMatch(text);
    expect(err instanceof UsageError && err.message.includes('\n')).toBe(false);
  });

  test('no kubeconfig anywhere is a UsageError, not a fall back to localhost:8080', async () => {
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    process.env.HOME = tempDir('home-');
    delete process.env.KUBECONFIG;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      const err = await readLive({ timeoutMs: 500, signal: new AbortController().signal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(err instanceof UsageError && err.code).toBe('KUBECONFIG_MISSING');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('the graph reads live and offline into the same shape', async () => {
    const live = await readLive({ mode: 'live', kubeconfig: deadConfig, timeoutMs: 1000, signal: new AbortController().signal });
    const offline = await readLive({ mode: 'manifests', manifests: join(FIXTURES, 'aws', 'base'), timeoutMs: 1000, signal: new AbortController().signal });
    expect(Object.keys(live).sort()).toEqual(Object.keys(offline).sort());
    expect(offline.source).toBe('manifests');
    await expect(readLive({ mode: 'manifests', timeoutMs: 1000, signal: new AbortController().signal })).rejects.toBeInstanceOf(UsageError);
  });
});
