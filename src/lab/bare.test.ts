// lab --bare: where the guides start, and the lab's controllers reacting to what is applied. No load
// balancer answers before an Ingress exists; the helm stand-in does exactly its one upgrade; a GKE Ingress
// with a ManagedCertificate goes Provisioning → Active (the lab's DNS points at the Ingress IP) and only
// then does the load balancer serve the host, over TLS with ALPN h2, with a certificate the lab CA signs.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyAsKubectl, getAsKubectl } from '../../test/kits/lab-api.js';
import { startLab, type LabHandle } from './lab.js';
import { portAccepts } from './process.js';

const DELAYS = { reconcile: 100, certificate: 500 };
const NS = '/api/v1/namespaces/milvus';

function helm(lab: LabHandle, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = join(lab.bare?.helmDir ?? '', 'helm');
  return new Promise((resolve) => {
    execFile(bin, [...args], { timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

/** Polls until `ok` holds, within a generous deadline for a busy machine. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 60 s: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function handshake(lab: LabHandle): Promise<{ authorized: boolean; alpn: string | false; subjectAltName: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: lab.address, port: lab.port, servername: lab.host, ALPNProtocols: ['h2'], ca: readFileSync(lab.caFile), timeout: 10_000 }, () => {
      resolve({ authorized: s.authorized, alpn: s.alpnProtocol ?? false, subjectAltName: s.getPeerCertificate().subjectaltname ?? '' });
      s.end();
    });
    s.on('timeout', () => s.destroy(new Error('no TLS handshake within 10 s')));
    s.on('error', reject);
  });
}

describe('lab --bare (gcp)', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ provider: 'gcp', bare: true, prefer: { milvusLite: false }, controllerDelaysMs: DELAYS });
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  test('starts where the guides start: an L4 LoadBalancer Service installed by Helm, no Ingress, no load balancer on the address', async () => {
    const kc = lab.kubernetes?.kubeconfigPath ?? '';
    const svc = await getAsKubectl(kc, `${NS}/services/milvus-demo`);
    expect(svc).toMatchObject({ spec: { type: 'LoadBalancer' }, metadata: { labels: { 'app.kubernetes.io/managed-by': 'Helm' } } });
    expect(Object.keys((svc.metadata as { annotations?: object }).annotations ?? {}).filter((k) => k.startsWith('cloud.google.com/'))).toEqual([]);
    expect(await getAsKubectl(kc, '/apis/networking.k8s.io/v1/namespaces/milvus/ingresses')).toMatchObject({ items: [] });
    expect(await getAsKubectl(kc, '/apis/cloud.google.com/v1/namespaces/milvus/backendconfigs')).toMatchObject({ items: [] });
    const cm = await getAsKubectl(kc, `${NS}/configmaps/milvus-demo`);
    expect(JSON.stringify(cm)).not.toContain('tlsMode');
    expect(await portAccepts(lab.port)).toBe(false);
  });

  test.each([
    { args: ['version'], says: /implements only "helm upgrade/ },
    { args: ['upgrade', 'milvus-demo', 'milvus/milvus', '-n', 'milvus', '-f', '/dev/null'], says: /implements only/ },
    { args: ['install', 'x', 'milvus/milvus', '-n', 'milvus', '--reuse-values', '-f', '/dev/null'], says: /implements only/ },
    { args: ['upgrade', 'milvus-demo', 'milvus/milvus', '-n', 'milvus', '--reuse-values', '-f', '/dev/null', '--atomic'], says: /unknown flag --atomic/ },
  ])('helm $args: one line, exit 1', async ({ args, says }) => {
    const r = await helm(lab, args);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(says);
  });

  test('helm upgrade, then a ManagedCertificate Ingress: Provisioning → Active, and only then the load balancer serves the host', { timeout: 120_000 }, async () => {
    const kc = lab.kubernetes?.kubeconfigPath ?? '';
    const values = join(lab.dir, 'values-test.yaml');
    await writeFile(
      values,
      [
        'service:',
        '  type: ClusterIP',
        '  annotations:',
        `    cloud.google.com/app-protocols: '{"milvus":"HTTP2"}'`,
        `    cloud.google.com/backend-config: '{"default":"milvus-demo-backendconfig"}'`,
        `    cloud.google.com/neg: '{"ingress": true}'`,
        'extraConfigFiles:',
        '  user.yaml: |',
        '    common:',
        '      security:',
        '        authorizationEnabled: true',
        '        tlsMode: 1',
        '',
      ].join('\n'),
    );
    const up = await helm(lab, ['upgrade', 'milvus-demo', 'milvus/milvus', '-n', 'milvus', '--reuse-values', '-f', values]);
    expect(up.code, up.stderr).toBe(0);
    const svc = await eventually(() => getAsKubectl(kc, `${NS}/services/milvus-demo`), (s) => JSON.stringify(s.status) === '{"loadBalancer":{}}', 'the L4 load balancer released');
    expect(svc).toMatchObject({ spec: { type: 'ClusterIP' } });
    const managedFields = (svc.metadata as { managedFields?: { manager: string }[] }).managedFields ?? [];
    expect(managedFields.map((m) => m.manager)).toContain('helm');

    const objects: [string, Record<string, unknown>][] = [
      ['/apis/cloud.google.com/v1/namespaces/milvus/backendconfigs/milvus-demo-backendconfig', { apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: { name: 'milvus-demo-backendconfig' }, spec: { healthCheck: { type: 'HTTP', port: 9091, requestPath: '/healthz' } } }],
      ['/apis/networking.gke.io/v1/namespaces/milvus/managedcertificates/milvus-demo-tls', { apiVersion: 'networking.gke.io/v1', kind: 'ManagedCertificate', metadata: { name: 'milvus-demo-tls' }, spec: { domains: [lab.host] } }],
      [
        '/apis/networking.k8s.io/v1/namespaces/milvus/ingresses/milvus-demo',
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'milvus-demo', annotations: { 'kubernetes.io/ingress.class': 'gce', 'networking.gke.io/managed-certificates': 'milvus-demo-tls' } },
          spec: { rules: [{ host: lab.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'milvus-demo', port: { number: 19530 } } } }] } }] },
        },
      ],
    ];
    for (const [path, o] of objects) expect(await applyAsKubectl(kc, path, o)).toBeLessThan(300);

    const mcPath = '/apis/networking.gke.io/v1/namespaces/milvus/managedcertificates/milvus-demo-tls';
    const provisioning = await eventually(() => getAsKubectl(kc, mcPath), (m) => m.status !== undefined, 'a ManagedCertificate status');
    expect(provisioning).toMatchObject({ status: { certificateStatus: 'Provisioning' } });
    // Google serves no certificate before it is Active: the HTTPS load balancer is not there yet.
    expect(await portAccepts(lab.port)).toBe(false);

    const active = await eventually(() => getAsKubectl(kc, mcPath), (m) => JSON.stringify(m.status).includes('"Active"'), 'the ManagedCertificate Active');
    expect(active).toMatchObject({ status: { certificateStatus: 'Active', domainStatus: [{ domain: lab.host, status: 'Active' }] } });
    const ing = await eventually(() => getAsKubectl(kc, '/apis/networking.k8s.io/v1/namespaces/milvus/ingresses/milvus-demo'), (i) => JSON.stringify(i).includes('https-target-proxy'), 'the HTTPS proxy');
    expect(ing).toMatchObject({ status: { loadBalancer: { ingress: [{ ip: lab.address }] } } });
    const backends = JSON.parse((ing.metadata as { annotations: Record<string, string> }).annotations['ingress.kubernetes.io/backends']) as Record<string, string>;
    // The BackendConfig's HTTP /healthz on 9091 is what the lab's pods answer.
    expect(Object.values(backends)).toEqual(['HEALTHY', 'HEALTHY']);
    const svcAfter = await getAsKubectl(kc, `${NS}/services/milvus-demo`);
    expect((svcAfter.metadata as { annotations: Record<string, string> }).annotations['cloud.google.com/neg-status']).toContain('19530');

    await eventually(() => portAccepts(lab.port), (up2) => up2, 'the load balancer on the address');
    const tls = await handshake(lab);
    expect(tls).toMatchObject({ authorized: true, alpn: 'h2' });
    expect(tls.subjectAltName).toContain(`DNS:${lab.host}`);
    // The load balancer's key stays in the lab's 0700 directory, 0600.
    const lb = join(lab.dir, 'lb');
    expect(statSync(lb).mode & 0o777).toBe(0o700);
    const keys = readdirSync(lb).filter((f) => f.startsWith('key-'));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(statSync(join(lb, k)).mode & 0o777).toBe(0o600);
  });
});

describe('lab --bare refuses', () => {
  test.each([
    { options: { bare: true, faults: ['expired-cert'] }, says: /takes no --fault/ },
    { options: { bare: true, kubernetes: false }, says: /needs its Kubernetes API/ },
  ])('$options', async ({ options, says }) => {
    await expect(startLab(options)).rejects.toThrow(says);
  });
});
