// The Compute checks over Compute facts (no YAML: the Compute API is their source): for each, a healthy row
// that passes and a broken one that does not, with what the finding must say; and read errors as verdicts.
import { describe, expect, test } from 'vitest';
import type { Facts } from '../../facts/types.js';
import type { Outcome, Verdict } from '../../model.js';
import type { GcpValues } from '../../sources/gcp/values.js';
import { judgeCheck } from '../define.js';
import { computeBackendChecks } from './compute-backend.js';
import { computeFrontendChecks } from './compute-frontend.js';
import { managedCertificateChecks } from './managed-certificate.js';
import { JUDGE_OPTIONS, factsWith, k8sFromFixtures } from '../../../test/kits/k8s-testkit.js';
import type { K8sFacts } from '../../platform/k8s/types.js';
import type { CheckDef } from '../define.js';
import { gceProviderId } from '../../sources/gcp/index.js';

const ALL = [...computeFrontendChecks, ...computeBackendChecks];
const ok = <T,>(value: T): Outcome<T> => ({ status: 'ok', value, ms: 1 });
const FP = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const BS = 'k8s1-abc-milvus-milvus-19530-def';
/** The host of the GKE fixture's Ingress (fixtures/tests/k8s/gcp/base/ingress.yaml). */
const HOST = 'my-release.milvus.io';

type Gcp = { -readonly [K in keyof GcpValues]: Outcome<GcpValues[K]> };

function healthy(): Gcp {
  const endpoints = [{ ipAddress: '10.0.0.1', port: 19530, healthState: 'HEALTHY', instance: 'node-a' }];
  return {
    access: ok({ project: 'p', projectFrom: 'flag', projectNote: null, credentials: 'token', endpoint: null }),
    forwardingRules: ok({ from: 'address', https: { name: 'fs', ipAddress: '34.1.2.3', portRange: '443-443', protocol: 'TCP', target: 'ts', targetKind: 'targetHttpsProxies', loadBalancingScheme: 'EXTERNAL' }, http: null }),
    targetHttpsProxy: ok({ name: 'ts', urlMap: 'um', sslCertificates: ['cert'], sslPolicy: null }),
    sslCertificates: ok([{ name: 'cert', type: 'SELF_MANAGED', expireTime: '2031-01-01T00:00:00.000Z', subjectAlternativeNames: ['milvus.example.com'], fingerprint256: FP, managed: null }]),
    sslPolicy: ok({ name: null, minTlsVersion: 'TLS_1_0', profile: 'COMPATIBLE' }),
    urlMap: ok({ name: 'um', defaultService: 'default-backend', hostRules: [{ hosts: ['milvus.example.com'], pathMatcher: 'pm' }], pathMatchers: [{ name: 'pm', defaultService: BS }] }),
    backendService: ok({ name: BS, from: 'host-rule', protocol: 'HTTP2', timeoutSec: 600, portName: 'port19530', healthChecks: [BS], backends: [{ name: BS, zone: 'z', group: `projects/p/zones/z/networkEndpointGroups/${BS}` }], connectionDrainingSec: 0, logEnabled: null }),
    healthCheck: ok({ name: BS, type: 'HTTP', port: 9091, portSpecification: 'USE_FIXED_PORT', requestPath: '/healthz', checkIntervalSec: 15, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 10 }),
    backendHealth: ok([{ neg: BS, zone: 'z', endpoints }]),
    negEndpoints: ok([{ neg: BS, zone: 'z', endpoints }]),
    firewalls: ok([{ name: 'k8s-fw-l7--abc', network: 'default', networkProject: 'p', direction: 'INGRESS', priority: 1000, action: 'allow', disabled: false, sourceRanges: ['130.211.0.0/22', '35.191.0.0/16'], targetTags: [], rules: [{ protocol: 'tcp', ports: ['19530', '9091'] }] }]),
    nodes: ok([{ name: 'node-a', providerID: 'gce://p/z/node-a' }]),
    instances: ok([{ name: 'node-a', zone: 'z', tags: ['gke-c-node'], network: 'default', networkProject: 'p' }]),
  };
}

function facts(edit: (g: Gcp) => void = () => {}, k8s?: K8sFacts, dns?: Facts['dataPath']['dns']): Facts {
  const g = healthy();
  edit(g);
  const base = factsWith(k8s, { provider: 'gcp', host: k8s ? HOST : 'milvus.example.com', address: '34.1.2.3' }, dns ? { dns } : {});
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

const byId = (id: string, among: readonly CheckDef[] = ALL): CheckDef => {
  const def = among.find((c) => c.id === id);
  if (!def) throw new Error(`no check ${id}`);
  return def;
};
const notFound = (method: string): Outcome<never> => ({ status: 'error', error: { code: 'GCP_NOT_FOUND', layer: 'gcp', message: `${method}: not found (The resource was not found)` }, ms: 1 });
const MINUTE = 60_000;

/** The GKE fixture's cluster, its Ingress created `agoMs` before the judging clock (undefined: no creationTimestamp), with these Ingress events. */
function cluster(agoMs: number | undefined, events: K8sFacts['ingressEvents'] = { status: 'ok', value: [], ms: 0 }): K8sFacts {
  const k = k8sFromFixtures({ flavour: 'gcp' });
  const createdAt = agoMs === undefined ? null : new Date(Date.parse(JUDGE_OPTIONS.now) - agoMs).toISOString();
  if (k.ingresses.status !== 'ok') throw new Error('the GKE fixture has no Ingress');
  return { ...k, ingresses: { ...k.ingresses, value: k.ingresses.value.map((i) => ({ ...i, createdAt })) }, ingressEvents: events };
}

describe('a 404 of a resource ingress-gce names', () => {
  // The owner of each read judges its 404; --wait waits a warning out only on checks marked `settles`.
  const OWNERS: readonly [string, keyof GcpValues, string][] = [
    ['gcp.forwarding-rule.https', 'forwardingRules', 'globalForwardingRules.get'],
    ['gcp.target-proxy.certificates', 'targetHttpsProxy', 'targetHttpsProxies.get'],
    ['gcp.target-proxy.certificates', 'sslCertificates', 'sslCertificates.get'],
    ['gcp.url-map.host-rule', 'urlMap', 'urlMaps.get'],
    ['gcp.backend-service.protocol', 'backendService', 'backendServices.get'],
    ['gcp.health-check.config', 'healthCheck', 'healthChecks.get'],
    ['gcp.neg.health', 'backendHealth', 'backendServices.getHealth'],
    ['gcp.neg.endpoints', 'negEndpoints', 'networkEndpointGroups.listNetworkEndpoints'],
  ];
  const AGES: readonly [string, number | undefined, Verdict, RegExp, RegExp | null][] = [
    ['an Ingress created 2 minutes ago: a warning --wait waits out', 2 * MINUTE, 'warn', /created 2 min ago/, /--wait waits it out/],
    ['an Ingress 9 minutes old: still young', 9 * MINUTE, 'warn', /created 9 min ago/, /--wait waits it out/],
    ['an Ingress 3 days old: fails at once, no waiting', 3 * 24 * 60 * MINUTE, 'fail', /is 3 days old/, null],
    ['an Ingress 30 minutes old: fails at once', 30 * MINUTE, 'fail', /is 30 min old/, null],
    ['no creationTimestamp: a failure that says both causes', undefined, 'fail', /not found/, /--wait/],
  ];
  test.each(OWNERS.flatMap(([id, field, method]) => AGES.map((a) => [`${id} (${field}) with ${a[0]}`, id, field, method, a] as const)))('%s', (_name, id, field, method, [, ago, verdict, observed, waitHint]) => {
    const def = byId(id);
    expect(def.settles, `${id} is waited out by --wait`).toBe(true);
    const j = judgeCheck(def, facts((g) => ((g as Record<string, Outcome<unknown>>)[field] = notFound(method)), cluster(ago)), JUDGE_OPTIONS);
    expect(j.verdict, JSON.stringify(j)).toBe(verdict);
    if (j.verdict !== 'warn' && j.verdict !== 'fail') return;
    expect(j.observed).toContain(method);
    expect(j.observed).toMatch(observed);
    expect(j.fix).toMatch(/kubectl -n default describe ingress my-release-milvus/);
    if (waitHint) expect(j.hint).toMatch(waitHint);
    else expect(j.hint).toMatch(/deleted outside Kubernetes|fails to sync/);
    if (ago !== undefined && verdict === 'fail') expect(j.hint).not.toMatch(/--wait/);
  });

  const BEHIND: readonly [string, keyof GcpValues, string][] = [
    ['gcp.forwarding-rule.http', 'forwardingRules', 'gcp.forwarding-rule.https'],
    ['gcp.ssl-certificate.expiry', 'sslCertificates', 'gcp.target-proxy.certificates'],
    ['gcp.target-proxy.served-certificate', 'sslCertificates', 'gcp.target-proxy.certificates'],
    ['gcp.backend-service.timeout', 'backendService', 'gcp.backend-service.protocol'],
    ['gcp.neg.endpoints', 'backendService', 'gcp.backend-service.protocol'],
  ];
  test.each(BEHIND)('%s reading a 404 of %s is blocked by %s, which reports it once', (id, field, owner) => {
    const j = judgeCheck(byId(id), facts((g) => ((g as Record<string, Outcome<unknown>>)[field] = notFound(`${field}.get`)), cluster(2 * MINUTE)), JUDGE_OPTIONS);
    expect(j).toMatchObject({ verdict: 'blocked', blockedBy: owner });
  });

  test('the SSL policy is the user\'s, not the controller\'s: its 404 fails whatever the Ingress age', () => {
    const j = judgeCheck(byId('gcp.target-proxy.ssl-policy'), facts((g) => (g.sslPolicy = notFound('sslPolicies.get')), cluster(MINUTE)), JUDGE_OPTIONS);
    expect(j.verdict).toBe('fail');
    expect(JSON.stringify(j)).toMatch(/FrontendConfig/);
  });
});

describe('the firewall counts only the rules on the nodes\' network and tags', () => {
  const PROBES = ['130.211.0.0/22', '35.191.0.0/16'];
  type Rule = GcpValues['firewalls'][number];
  const rule = (name: string, edit: Partial<Rule> = {}): Rule => ({ name, network: 'default', networkProject: 'p', direction: 'INGRESS', priority: 1000, action: 'allow', disabled: false, sourceRanges: PROBES, targetTags: [], rules: [{ protocol: 'tcp', ports: ['19530', '9091'] }], ...edit });
  const vm = (name: string, tags: string[], network = 'default', networkProject = 'p'): GcpValues['instances'][number] => ({ name, zone: 'z', tags, network, networkProject });
  const NODE = vm('node-a', ['gke-c-node']);
  type Row = { name: string; rules: Rule[]; vms?: GcpValues['instances']; instances?: Outcome<GcpValues['instances']>; verdict: Verdict; says?: RegExp; evidence?: RegExp };
  const ROWS: readonly Row[] = [
    { name: 'a rule without target tags on the nodes\' network', rules: [rule('k8s-fw-l7--abc')], verdict: 'pass' },
    { name: 'a rule targeting the nodes\' tag', rules: [rule('k8s-fw-l7--abc', { targetTags: ['gke-c-node'] })], verdict: 'pass' },
    { name: 'the only rule is on another network', rules: [rule('k8s-fw-l7--abc', { network: 'other-vpc' })], verdict: 'fail', says: /not allowed: 130\.211\.0\.0\/22 → tcp:19530/, evidence: /k8s-fw-l7--abc \(network other-vpc/ },
    { name: 'the only rule targets another node pool', rules: [rule('k8s-fw-l7--abc', { targetTags: ['gke-other-pool'] })], verdict: 'fail', says: /on the nodes' network \(default\) and tags \(gke-c-node\)/, evidence: /targetTags gke-other-pool/ },
    { name: 'a higher-priority deny of 9091 from one range', rules: [rule('k8s-fw-l7--abc'), rule('deny-hc', { action: 'deny', priority: 900, sourceRanges: ['130.211.0.0/16'], rules: [{ protocol: 'tcp', ports: ['9091'] }] })], verdict: 'fail', says: /denied: 130\.211\.0\.0\/22 → tcp:9091 \(deny deny-hc priority 900/ },
    { name: 'a deny at the same priority wins', rules: [rule('k8s-fw-l7--abc'), rule('deny-all', { action: 'deny', rules: [{ protocol: 'all', ports: [] }] })], verdict: 'fail', says: /denied: .*deny deny-all priority 1000 ≤ allow k8s-fw-l7--abc 1000/ },
    { name: 'a higher-priority deny on another network does not count', rules: [rule('k8s-fw-l7--abc'), rule('deny-elsewhere', { action: 'deny', priority: 100, network: 'other-vpc' })], verdict: 'pass' },
    { name: 'a lower-priority deny does not count', rules: [rule('k8s-fw-l7--abc'), rule('deny-late', { action: 'deny', priority: 2000 })], verdict: 'pass' },
    { name: 'one of two VMs lacks the rule\'s tag: named', rules: [rule('k8s-fw-l7--abc', { targetTags: ['gke-c-node'] })], vms: [NODE, vm('node-b', ['gke-other-pool'])], verdict: 'fail', says: /tcp:9091 on node-b/ },
    {
      name: 'Shared VPC: the nodes on the host project\'s network, the project\'s rule on its own network of the same name',
      rules: [rule('k8s-fw-l7--abc')],
      vms: [vm('node-a', ['gke-c-node'], 'default', 'host-project')],
      verdict: 'fail',
      says: /on the nodes' network \(default \(project host-project\)\)/,
      evidence: /k8s-fw-l7--abc \(network default, targetTags all\)/,
    },
    { name: 'Shared VPC: a rule in the host project\'s network counts', rules: [rule('k8s-fw-l7--abc', { network: 'shared', networkProject: 'host-project' })], vms: [vm('node-a', ['gke-c-node'], 'shared', 'host-project')], verdict: 'pass' },
    { name: 'a disabled rule does not count', rules: [rule('k8s-fw-l7--abc', { disabled: true })], verdict: 'fail', says: /not allowed/ },
    {
      name: 'the VMs could not be read: every rule counted, and said',
      rules: [rule('k8s-fw-l7--abc', { network: 'other-vpc' })],
      instances: { status: 'error', error: { code: 'GCP_PERMISSION_DENIED', layer: 'gcp', message: 'instances.get: permission compute.instances.get denied' }, ms: 1 },
      verdict: 'pass',
      evidence: /compute\.instances\.get denied.*every rule of the project was counted/,
    },
  ];
  test.each(ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const j = judgeCheck(byId('gcp.firewall.health-check'), facts((g) => {
      g.firewalls = ok(row.rules);
      g.instances = row.instances ?? ok(row.vms ?? [NODE]);
    }), JUDGE_OPTIONS);
    expect(j.verdict, JSON.stringify(j)).toBe(row.verdict);
    if (row.says) expect(JSON.stringify(j)).toMatch(row.says);
    if (row.evidence) expect(j.verdict === 'pass' || j.verdict === 'fail' ? JSON.stringify(j.evidence) : '').toMatch(row.evidence);
  });

  // ingress-gce says it may not write the firewall as reason XPN, or (current versions) as a Normal Sync
  // event, once LoadBalancerManualChange, whose message carries the gcloud command.
  test.each(['XPN', 'Sync', 'LoadBalancerManualChange'])('a Shared VPC event (%s) is surfaced: as evidence, and as the fix when the rule is missing', (reason) => {
    const xpn = 'Firewall change required by security admin: `gcloud compute firewall-rules create k8s-fw-l7--abc --network host-vpc …`';
    const events: K8sFacts['ingressEvents'] = { status: 'ok', value: [
      { involvedKind: 'Ingress', involvedName: 'my-release-milvus', type: 'Normal', reason: 'Sync', message: 'Scheduled for sync', count: 1, lastSeen: null, source: 'loadbalancer-controller' },
      { involvedKind: 'Ingress', involvedName: 'my-release-milvus', type: 'Normal', reason, message: xpn, count: 1, lastSeen: null, source: 'loadbalancer-controller' },
    ], ms: 0 };
    const passing = judgeCheck(byId('gcp.firewall.health-check'), facts(() => {}, cluster(undefined, events)), JUDGE_OPTIONS);
    expect(passing.verdict).toBe('pass');
    expect(passing.verdict === 'pass' && passing.evidence?.xpn).toBe(xpn);
    const failing = judgeCheck(byId('gcp.firewall.health-check'), facts((g) => (g.firewalls = ok([])), cluster(undefined, events)), JUDGE_OPTIONS);
    expect(failing.verdict === 'fail' && failing.hint).toMatch(/Shared VPC.*firewall-rules create k8s-fw-l7--abc --network host-vpc/);
  });
});

describe('a managed certificate\'s domain status, explained against the host\'s DNS', () => {
  const LB = '34.1.2.3';
  const dns = (addresses: string[], host = 'milvus.example.com'): Facts['dataPath']['dns'] => ok({ host, addresses, server: null, addressResolved: null });
  const ROWS: readonly [string, string, Facts['dataPath']['dns'], RegExp][] = [
    ['FAILED_NOT_VISIBLE, DNS elsewhere: both values', 'FAILED_NOT_VISIBLE', dns(['203.0.113.7']), /resolves to 203\.0\.113\.7, not the load balancer's 34\.1\.2\.3.*point an A record \(and no AAAA\) at 34\.1\.2\.3/],
    ['FAILED_NOT_VISIBLE, DNS at the load balancer: Google retries', 'FAILED_NOT_VISIBLE', dns([LB]), /although milvus\.example\.com resolves to 34\.1\.2\.3, the load balancer's IP.*Google retries/],
    ['FAILED_NOT_VISIBLE, a stray AAAA', 'FAILED_NOT_VISIBLE', dns([LB, '2001:db8::1']), /AAAA 2001:db8::1, which is not the load balancer.*remove it/],
    ['FAILED_NOT_VISIBLE, no A record', 'FAILED_NOT_VISIBLE', dns([]), /has no A record; expected 34\.1\.2\.3/],
    ['FAILED_NOT_VISIBLE, DNS did not answer', 'FAILED_NOT_VISIBLE', { status: 'error', error: { code: 'DNS_NOT_FOUND', layer: 'dns', message: 'queryA ENOTFOUND milvus.example.com' }, ms: 1 }, /was not resolved here \(queryA ENOTFOUND/],
    ['FAILED_NOT_VISIBLE for another domain than the host', 'FAILED_NOT_VISIBLE', dns([LB], 'other.example.com'), /was not resolved here \(the doctor resolves other\.example\.com, not milvus\.example\.com\)/],
    ['FAILED_CAA_FORBIDDEN: check CAA for pki.goog', 'FAILED_CAA_FORBIDDEN', dns([LB]), /check CAA records \(dig CAA milvus\.example\.com\).*pki\.goog/],
    ['FAILED_CAA_CHECKING: the CAA lookup failed', 'FAILED_CAA_CHECKING', dns([LB]), /could not read the CAA records.*check CAA records.*pki\.goog/],
    ['PROVISIONING: the wait after DNS', 'PROVISIONING', dns(['203.0.113.7']), /not the load balancer's 34\.1\.2\.3.*up to 60 minutes/],
  ];
  test.each(ROWS)('%s', (_name, status, answer, says) => {
    const managed = { name: 'mcrt', type: 'MANAGED', expireTime: null, subjectAlternativeNames: [], fingerprint256: null, managed: { status: 'PROVISIONING', domains: ['milvus.example.com'], domainStatus: { 'milvus.example.com': status } } };
    const j = judgeCheck(byId('gcp.target-proxy.certificates'), facts((g) => (g.sslCertificates = ok([managed])), undefined, answer), JUDGE_OPTIONS);
    expect(j.verdict).toBe('fail');
    if (j.verdict !== 'fail') return;
    expect(j.hint).toMatch(says);
    if (status.startsWith('FAILED_CAA')) expect(j.fix).toMatch(/dig \+short CAA milvus\.example\.com/);
  });
});

describe('the ManagedCertificate\'s domain status, explained by the same reading of DNS', () => {
  // The GKE fixture with a managed certificate, the Ingress at 34.111.144.65 (what the lab's live state carries).
  const IP = '34.111.144.65';
  function managedCluster(status: string): K8sFacts {
    const k = k8sFromFixtures({ flavour: 'gcp', with: ['ingress-managed-cert.yaml', 'managed-cert-active.yaml'] });
    if (k.ingresses.status !== 'ok' || k.managedCertificates.status !== 'ok') throw new Error('the managed-certificate fixture is incomplete');
    return {
      ...k,
      ingresses: { ...k.ingresses, value: k.ingresses.value.map((i) => ({ ...i, addresses: [{ ip: IP, hostname: null }], hasStatus: true })) },
      managedCertificates: { ...k.managedCertificates, value: k.managedCertificates.value.map((m) => ({ ...m, certificateStatus: 'Provisioning', domainStatus: m.domains.map((domain) => ({ domain, status })) })) },
    };
  }
  const dns = (addresses: string[]): Facts['dataPath']['dns'] => ok({ host: HOST, addresses, server: null, addressResolved: null });
  const ROWS: readonly [string, string, string[], RegExp][] = [
    ['FailedNotVisible, DNS elsewhere: both values', 'FailedNotVisible', ['203.0.113.7'], /resolves to 203\.0\.113\.7, not to the Ingress IP 34\.111\.144\.65/],
    ['FailedNotVisible, a second A record elsewhere', 'FailedNotVisible', [IP, '203.0.113.7'], /resolves to 34\.111\.144\.65, 203\.0\.113\.7, not to the Ingress IP/],
    ['FailedNotVisible, a stray AAAA', 'FailedNotVisible', [IP, '2001:db8::1'], /also has AAAA 2001:db8::1: a stray AAAA record/],
    ['FailedCaaForbidden: check CAA for pki.goog', 'FailedCaaForbidden', [IP], /FAILED_CAA_FORBIDDEN.*check CAA records \(dig CAA my-release\.milvus\.io\).*pki\.goog/],
    ['FailedCaaChecking: the CAA lookup failed', 'FailedCaaChecking', [IP], /FAILED_CAA_CHECKING.*check CAA records.*pki\.goog/],
  ];
  test.each(ROWS)('%s', (_name, status, addresses, says) => {
    const j = judgeCheck(byId('gcp.managed-certificate', managedCertificateChecks), facts(() => {}, managedCluster(status), dns(addresses)), JUDGE_OPTIONS);
    expect(j.verdict, JSON.stringify(j)).toBe('fail');
    if (j.verdict === 'fail') expect(j.hint).toMatch(says);
  });
});

describe('the project, from the nodes\' providerID', () => {
  test.each([
    ['gce://milvus-prod/us-central1-a/gke-milvus-default-pool-3f1c2a9e-7kqd', { project: 'milvus-prod', zone: 'us-central1-a', instance: 'gke-milvus-default-pool-3f1c2a9e-7kqd' }],
    ['aws:///us-east-2a/i-0abc', null],
    ['gce://only-a-project', null],
    ['kind://docker/kind/kind-control-plane', null],
    [null, null],
  ] as const)('%s', (id, want) => {
    expect(gceProviderId(id)).toEqual(want);
  });

  test('gcp.compute.access says which node gave the project', () => {
    const j = judgeCheck(byId('gcp.compute.access'), facts((g) => (g.access = ok({ project: 'milvus-prod', projectFrom: 'providerID', projectNote: 'node gke-a: providerID gce://milvus-prod/us-central1-a/gke-a', credentials: 'adc', endpoint: null }))), JUDGE_OPTIONS);
    expect(j).toMatchObject({ verdict: 'pass', observed: expect.stringMatching(/project milvus-prod \(from the nodes' providerID\)/), evidence: { project: expect.stringMatching(/gce:\/\/milvus-prod\//) } });
  });
});
