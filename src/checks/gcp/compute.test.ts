// The Compute checks over Compute facts (no YAML: the Compute API is their source): for each, a healthy row
// that passes and a broken one that does not, with what the finding must say; and read errors as verdicts.
import { describe, expect, test } from 'vitest';
import type { Facts } from '../../facts/types.js';
import type { Outcome, Verdict } from '../../model.js';
import type { GcpValues } from '../../sources/gcp/values.js';
import { judgeCheck } from '../define.js';
import { computeBackendChecks } from './compute-backend.js';
import { computeFrontendChecks } from './compute-frontend.js';
import { JUDGE_OPTIONS, factsWith } from '../../../test/kits/k8s-testkit.js';

const ALL = [...computeFrontendChecks, ...computeBackendChecks];
const ok = <T,>(value: T): Outcome<T> => ({ status: 'ok', value, ms: 1 });
const FP = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const BS = 'k8s1-abc-milvus-milvus-19530-def';

type Gcp = { -readonly [K in keyof GcpValues]: Outcome<GcpValues[K]> };

function healthy(): Gcp {
  const endpoints = [{ ipAddress: '10.0.0.1', port: 19530, healthState: 'HEALTHY', instance: 'node-a' }];
  return {
    access: ok({ project: 'p', projectFrom: 'flag', credentials: 'token', endpoint: null }),
    forwardingRules: ok({ from: 'address', https: { name: 'fs', ipAddress: '34.1.2.3', portRange: '443-443', protocol: 'TCP', target: 'ts', targetKind: 'targetHttpsProxies', loadBalancingScheme: 'EXTERNAL' }, http: null }),
    targetHttpsProxy: ok({ name: 'ts', urlMap: 'um', sslCertificates: ['cert'], sslPolicy: null }),
    sslCertificates: ok([{ name: 'cert', type: 'SELF_MANAGED', expireTime: '2031-01-01T00:00:00.000Z', subjectAlternativeNames: ['milvus.example.com'], fingerprint256: FP, managed: null }]),
    sslPolicy: ok({ name: null, minTlsVersion: 'TLS_1_0', profile: 'COMPATIBLE' }),
    urlMap: ok({ name: 'um', defaultService: 'default-backend', hostRules: [{ hosts: ['milvus.example.com'], pathMatcher: 'pm' }], pathMatchers: [{ name: 'pm', defaultService: BS }] }),
    backendService: ok({ name: BS, from: 'host-rule', protocol: 'HTTP2', timeoutSec: 600, portName: 'port19530', healthChecks: [BS], backends: [{ name: BS, zone: 'z', group: `projects/p/zones/z/networkEndpointGroups/${BS}` }], connectionDrainingSec: 0, logEnabled: null }),
    healthCheck: ok({ name: BS, type: 'HTTP', port: 9091, portSpecification: 'USE_FIXED_PORT', requestPath: '/healthz', checkIntervalSec: 15, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 10 }),
    backendHealth: ok([{ neg: BS, zone: 'z', endpoints }]),
    negEndpoints: ok([{ neg: BS, zone: 'z', endpoints }]),
    firewalls: ok([{ name: 'k8s-fw-l7--abc', network: 'default', direction: 'INGRESS', priority: 1000, action: 'allow', disabled: false, sourceRanges: ['130.211.0.0/22', '35.191.0.0/16'], targetTags: [], rules: [{ protocol: 'tcp', ports: ['19530', '9091'] }] }]),
  };
}

function facts(edit: (g: Gcp) => void = () => {}): Facts {
  const g = healthy();
  edit(g);
  const base = factsWith(undefined, { provider: 'gcp', host: 'milvus.example.com', address: '34.1.2.3' });
  const tls = ok({ protocol: 'TLSv1.3', cipher: 'x', alpn: 'h2', sni: 'milvus.example.com', chain: [{ subject: 'CN=milvus.example.com', issuer: 'CN=ca', commonName: 'milvus.example.com', subjectAltNames: ['DNS:milvus.example.com'], notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2031-01-01T00:00:00.000Z', fingerprint256: FP, serialNumber: '01', isCA: false, selfSigned: false, pem: '' }], handshakeMs: 1, analysis: { inOrder: true, brokenAt: null, anchoredBy: null, anchorSource: null, complete: true, verifyError: null } });
  return { ...base, dataPath: { ...base.dataPath, tls: tls as Facts['dataPath']['tls'] }, gcp: g as Facts['gcp'] };
}

const set = <K extends keyof GcpValues>(g: Gcp, k: K, f: (v: GcpValues[K]) => GcpValues[K]) => {
  const o = g[k];
  if (o.status === 'ok') (g as Record<string, Outcome<unknown>>)[k] = ok(f(o.value as GcpValues[K]));
};

const ROWS: readonly [string, (g: Gcp) => void, Verdict, RegExp?][] = [
  ['gcp.compute.access', (g) => (g.access = { status: 'error', error: { code: 'GCP_NO_CREDENTIALS', layer: 'gcp', message: 'no Google credentials (…)' }, ms: 0 }), 'error', /no Google credentials/],
  ['gcp.forwarding-rule.https', (g) => set(g, 'forwardingRules', (v) => ({ ...v, https: null })), 'fail', /no global forwarding rule/],
  ['gcp.forwarding-rule.http', (g) => set(g, 'forwardingRules', (v) => ({ ...v, http: { name: 'fr', ipAddress: '34.1.2.3', portRange: '80-80', protocol: 'TCP', target: 'tp', targetKind: 'targetHttpProxies', loadBalancingScheme: 'EXTERNAL' } })), 'warn', /plain HTTP/],
  ['gcp.target-proxy.certificates', (g) => set(g, 'sslCertificates', () => [{ name: 'mcrt', type: 'MANAGED', expireTime: null, subjectAlternativeNames: [], fingerprint256: null, managed: { status: 'PROVISIONING', domains: ['milvus.example.com'], domainStatus: { 'milvus.example.com': 'FAILED_CAA_FORBIDDEN' } } }]), 'fail', /CAA/],
  ['gcp.ssl-certificate.expiry', (g) => set(g, 'sslCertificates', (v) => v.map((c) => ({ ...c, expireTime: '2029-12-31T00:00:00.000Z' }))), 'fail', /expired/],
  ['gcp.target-proxy.served-certificate', (g) => set(g, 'sslCertificates', (v) => v.map((c) => ({ ...c, fingerprint256: 'FF:FF' }))), 'fail', /served/],
  ['gcp.target-proxy.ssl-policy', (g) => set(g, 'sslPolicy', () => ({ name: 'old', minTlsVersion: 'TLS_1_1', profile: 'COMPATIBLE' })), 'warn', /TLS_1_1/],
  ['gcp.url-map.host-rule', (g) => set(g, 'urlMap', (v) => ({ ...v, hostRules: [] })), 'fail', /no host rule matches/],
  ['gcp.backend-service.protocol', (g) => set(g, 'backendService', (v) => ({ ...v, protocol: 'HTTP' })), 'fail', /502 while the backends are HEALTHY/],
  ['gcp.backend-service.timeout', (g) => set(g, 'backendService', (v) => ({ ...v, timeoutSec: 30 })), 'fail', /the default/],
  ['gcp.health-check.config', (g) => set(g, 'healthCheck', (v) => ({ ...v, requestPath: '/' })), 'fail', /want \/healthz/],
  ['gcp.neg.health', (g) => set(g, 'backendHealth', (v) => v.map((x) => ({ ...x, endpoints: x.endpoints.map((e) => ({ ...e, healthState: 'UNHEALTHY' })) }))), 'fail', /not HEALTHY/],
  ['gcp.neg.endpoints', (g) => set(g, 'negEndpoints', (v) => v.map((x) => ({ ...x, endpoints: [] }))), 'fail', /every NEG is empty/],
  ['gcp.firewall.health-check', (g) => set(g, 'firewalls', (v) => v.map((f) => ({ ...f, rules: [{ protocol: 'tcp', ports: ['19530'] }] }))), 'fail', /tcp:9091/],
];

describe('Compute checks', () => {
  test.each(ALL.map((c) => c.id))('%s passes on a healthy load balancer', (id) => {
    const def = ALL.find((c) => c.id === id);
    if (!def) throw new Error(id);
    const j = judgeCheck(def, facts(), JUDGE_OPTIONS);
    expect(j.verdict, JSON.stringify(j)).toBe('pass');
  });

  test.each(ROWS.map((r) => [r[0], r] as const))('%s does not pass when broken', (_id, [id, edit, verdict, says]) => {
    const def = ALL.find((c) => c.id === id);
    if (!def) throw new Error(id);
    const j = judgeCheck(def, facts(edit), JUDGE_OPTIONS);
    expect(j.verdict).toBe(verdict);
    if (says) expect(JSON.stringify(j)).toMatch(says);
  });

  test('every Compute check has a broken row', () => {
    expect(new Set(ROWS.map((r) => r[0]))).toEqual(new Set(ALL.map((c) => c.id)));
  });

  test('a denied read is error naming the permission; a 404 of a named resource is the finding', () => {
    const def = ALL.find((c) => c.id === 'gcp.backend-service.protocol');
    if (!def) throw new Error('missing');
    const denied = judgeCheck(def, facts((g) => (g.backendService = { status: 'error', error: { code: 'GCP_PERMISSION_DENIED', layer: 'gcp', message: 'backendServices.get: permission compute.backendServices.get denied' }, ms: 1 })), JUDGE_OPTIONS);
    expect(denied.verdict).toBe('error');
    expect(JSON.stringify(denied)).toMatch(/compute\.backendServices\.get.*doctor-role\.yaml/);
    const missing = judgeCheck(def, facts((g) => (g.backendService = { status: 'error', error: { code: 'GCP_NOT_FOUND', layer: 'gcp', message: 'backendServices.get: not found' }, ms: 1 })), JUDGE_OPTIONS);
    expect(missing.verdict).toBe('fail');
    expect(JSON.stringify(missing)).toMatch(/not created it yet/);
  });
});
