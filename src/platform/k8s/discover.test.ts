// Discovery, table-driven over small object sets: which Service, which Ingress, which provider, host, address.
import { describe, expect, test } from 'vitest';
import { hostMatches } from './discover.js';
import { parseManifestText, type ManifestOptions } from './manifests.js';
import { factsFromObjects } from './offline.js';
import { discovered } from '../../../test/kits/k8s-testkit.js';

const SVC = (name: string, extra = '') => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: milvus
  labels: {app.kubernetes.io/name: milvus, app.kubernetes.io/instance: demo, component: proxy}
${extra}
spec:
  type: ClusterIP
  ports: [{name: milvus, port: 19530}]
  selector: {app.kubernetes.io/instance: demo, component: proxy}
`;
const LB = `
apiVersion: v1
kind: Service
metadata: {name: demo-milvus-lb, namespace: milvus, labels: {app.kubernetes.io/name: milvus, app.kubernetes.io/instance: demo}}
spec:
  type: LoadBalancer
  ports: [{name: milvus, port: 19530}]
  selector: {app.kubernetes.io/instance: demo, component: proxy}
`;
const ING = (annotations: string, spec: string, status = '') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: demo
  namespace: milvus
  annotations: {${annotations}}
spec:
${spec}
  rules:
  - host: milvus.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: demo-milvus, port: {number: 19530}}}}
${status}
`;

interface Row {
  readonly name: string;
  readonly docs: readonly string[];
  readonly options?: ManifestOptions;
  readonly want: Partial<ReturnType<typeof discovered>>;
  readonly note?: RegExp;
}

const ROWS: Row[] = [
  {
    name: 'ALB: class alb, hostname address',
    docs: [SVC('demo-milvus'), ING('', '  ingressClassName: alb', 'status: {loadBalancer: {ingress: [{hostname: k8s-x.us-east-2.elb.amazonaws.com}]}}')],
    options: { release: 'demo' },
    want: { provider: 'aws', service: 'demo-milvus', ingress: 'demo', host: 'milvus.example.com', address: 'k8s-x.us-east-2.elb.amazonaws.com' },
  },
  {
    name: 'GKE: annotation class gce, IP address',
    docs: [SVC('demo-milvus'), ING('kubernetes.io/ingress.class: gce', '', 'status: {loadBalancer: {ingress: [{ip: 34.1.2.3}]}}')],
    want: { provider: 'gcp', address: '34.1.2.3' },
  },
  {
    name: 'GKE without any class: the Service NEG annotation tells',
    docs: [SVC('demo-milvus', `  annotations: {cloud.google.com/neg: '{"ingress": true}'}`), ING('', '')],
    want: { provider: 'gcp' },
  },
  {
    name: 'no class and no provider signal: unknown, with a note',
    docs: [SVC('demo-milvus'), ING('', '')],
    want: { provider: 'unknown', ingress: 'demo' },
    note: /use --provider/,
  },
  {
    name: 'a leftover LoadBalancer Service is not taken for the Milvus Service',
    docs: [LB, SVC('demo-milvus')],
    options: { release: 'demo' },
    want: { service: 'demo-milvus', ingress: null },
    note: /no Ingress routes to demo-milvus/,
  },
  {
    name: '--service picks by name',
    docs: [SVC('demo-milvus'), SVC('other')],
    options: { service: 'other' },
    want: { service: 'other' },
  },
  {
    name: '--service that does not exist',
    docs: [SVC('demo-milvus')],
    options: { service: 'nope' },
    want: { service: null },
    note: /no Service named nope/,
  },
  {
    name: 'a release with no Service',
    docs: [SVC('demo-milvus')],
    options: { release: 'prod' },
    want: { service: null },
    note: /no Service of release prod/,
  },
];

describe('discovery: the selection from the objects alone', () => {
  test.each(ROWS.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    const objects = row.docs.flatMap((d, i) => parseManifestText(d, `doc${i}.yaml`));
    const found = discovered(factsFromObjects(objects, row.options ?? {}));
    expect(found).toMatchObject(row.want);
    if (row.note) expect(found.notes.join('; ')).toMatch(row.note);
  });

  test.each([
    ['*.milvus.io', 'a.milvus.io', true],
    ['*.milvus.io', 'a.b.milvus.io', false],
    ['*.milvus.io', 'milvus.io', false],
    ['Milvus.IO', 'milvus.io', true],
    ['a.milvus.io', 'b.milvus.io', false],
  ] as const)('hostMatches(%s, %s) = %s', (pattern, host, want) => {
    expect(hostMatches(pattern, host)).toBe(want);
  });
});
