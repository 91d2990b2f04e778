// The fact schemas: a realistic value of every type parses, garbage is rejected with one issue naming the
// field, optional fields may be absent, unknown keys are stripped; and the facts the readers really produce
// (every k8s fixture object through its per-object reader; real certificates through certInfo/analyzeChain)
// pass their schema, which proves schema and reader agree.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import * as schemas from './schemas.js';
import { outcomeSchema } from './schemas.js';
import type {
  CertInfo, ChainAnalysis, DnsFact, GrpcHealthFact, GrpcHttpFact, HealthzFact, LatencyFact, MilvusAuthProbe, MilvusHealthFact,
  MilvusVersionFact, SmokeFact, SmokeStep, TcpFact, TlsFact,
} from './types.js';
import type {
  BackendConfigFact, BackendConfigHealthCheck, BackendProtocolFact, BackendTlsOutcome, ContainerFact, ContainerPortFact, EndpointFact,
  EndpointSliceFact, EventFact, HealthzReading, IngressBackendRef, IngressClassFact, IngressFact, IngressPathFact, IngressRuleFact,
  ManagedCertificateFact, MilvusConfigFact, PodConditionFact, PodFact, SecretCertFact, ServiceFact, ServicePortFact,
  TargetGroupBindingFact, TlsSecretFact, WorkloadFact,
} from '../platform/k8s/types.js';
import type { Area, Outcome, ProbeErrorInfo } from '../model.js';
import { parseManifestText } from '../platform/k8s/manifests.js';
import { parseMilvusConfig } from '../platform/k8s/milvus-config.js';
import {
  WORKLOAD_KINDS, kindOf, nameOf, strMap, toBackendConfig, toEndpointSlice, toEvent, toIngress, toIngressClass, toManagedCertificate, toPod,
  toService, toTargetGroupBinding, toWorkload, type RawObject,
} from '../platform/k8s/objects.js';
import { parseTlsSecret } from '../platform/k8s/tls-secret.js';
import { analyzeChain, certInfo } from '../probes/certs.js';
import { makePki } from '../../test/kits/testkit.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/tests/k8s/', import.meta.url));

type Path = readonly PropertyKey[];
interface Bad {
  readonly why: string;
  readonly value: unknown;
  /** The path of the single issue the rejection must carry. */
  readonly path: Path;
}
interface Row {
  readonly name: string;
  readonly schema: z.ZodType<unknown>;
  readonly valid: unknown;
  /** The valid value without its optional fields, when the type has any. */
  readonly minimal?: unknown;
  readonly bad: readonly Bad[];
}

/** `valid` and `minimal` are typed T: a sample cannot carry a key the interface does not have. */
function row<T extends object>(name: string, schema: z.ZodType<T>, valid: T, bad: (v: T) => readonly Bad[], minimal?: T): Row {
  return { name, schema, valid, bad: bad(valid), ...(minimal ? { minimal } : {}) };
}
const set = <T extends object>(v: T, key: keyof T & string, value: unknown): Bad => ({ why: `${key} = ${JSON.stringify(value)}`, value: { ...v, [key]: value }, path: [key] });
const drop = <T extends object>(v: T, key: keyof T & string): Bad => {
  const { [key]: _gone, ...rest } = v;
  return { why: `${key} missing`, value: rest, path: [key] };
};
/** A defect one level down: `outer.inner = value`, or element 0 of array `outer`. */
const setIn = (v: object, path: readonly [string, ...PropertyKey[]], value: unknown): Bad => {
  const copy = structuredClone(v) as Record<PropertyKey, unknown>;
  let at: Record<PropertyKey, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<PropertyKey, unknown>;
  at[path[path.length - 1]] = value;
  return { why: `${path.join('.')} = ${JSON.stringify(value)}`, value: copy, path };
};

// ----- realistic values -----------------------------------------------------------------------------------

const cert: CertInfo = {
  subject: 'CN=my-release.milvus.io',
  issuer: 'C=US, O=Let\'s Encrypt, CN=R11',
  commonName: 'my-release.milvus.io',
  subjectAltNames: ['DNS:my-release.milvus.io', 'IP Address:10.0.0.7'],
  notBefore: '2029-10-01T00:00:00.000Z',
  notAfter: '2029-12-30T23:59:59.000Z',
  fingerprint256: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  serialNumber: '04A1B2C3D4E5F6',
  isCA: false,
  selfSigned: false,
  pem: '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n',
};
const { pem: _pem, ...secretCert } = cert;
const analysis: ChainAnalysis = { inOrder: true, brokenAt: null, anchoredBy: 'C=US, O=Internet Security Research Group, CN=ISRG Root X1', anchorSource: 'system', complete: true, verifyError: null };
const tls: TlsFact = { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: 'h2', sni: 'my-release.milvus.io', chain: [cert], analysis, handshakeMs: 42.7, chainSource: 'wire' };
const { chainSource: _cs, ...tlsMinimal } = tls;
const authProbe: MilvusAuthProbe = { grpcCode: 0, message: 'OK', accepted: false, milvusCode: 1800, milvusErrorCode: 'NotReadyServe' };
const smokeStep: SmokeStep = { name: 'search', ok: false, ms: 12.5, error: 'collection not loaded' };
const { error: _e, ...smokeStepMinimal } = smokeStep;
const eventFact: EventFact = {
  involvedKind: 'Ingress', involvedName: 'my-release-milvus', type: 'Warning', reason: 'FailedBuildModel',
  message: 'Failed build model due to ingress: default/my-release-milvus: none certificate found for host: my-release.milvus.io',
  count: 3, lastSeen: '2029-12-01T10:00:00Z', source: 'ingress',
};
const servicePort: ServicePortFact = { name: 'milvus', port: 19530, targetPort: 'milvus', protocol: 'TCP', nodePort: null, appProtocol: 'kubernetes.io/h2c' };
const containerPort: ContainerPortFact = { name: 'milvus', containerPort: 19530, protocol: 'TCP' };
const backendRef: IngressBackendRef = { serviceName: 'my-release-milvus', portNumber: 19530, portName: null };
const ingressPath: IngressPathFact = { ...backendRef, path: '/', pathType: 'Prefix' };
const healthCheck: BackendConfigHealthCheck = { type: 'HTTP', port: 9091, requestPath: '/healthz', checkIntervalSec: 15, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 2 };
const healthzReading: HealthzReading = { target: 'pods/my-release-milvus-proxy-7c9d8-abcde:9091', status: 200, body: 'OK', ready: null, total: null, error: null };
const endpoint: EndpointFact = { addresses: ['10.8.0.12'], ready: true, serving: true, terminating: false, podName: 'my-release-milvus-proxy-7c9d8-abcde' };
const container: ContainerFact = { name: 'proxy', ready: true, restartCount: 0, ports: [containerPort], waitingReason: null, lastTerminationReason: 'OOMKilled' };
const podCondition: PodConditionFact = { type: 'cloud.google.com/load-balancer-neg-ready', status: 'True', reason: null, message: null };
const probeError: ProbeErrorInfo = { code: 'TLS_HANDSHAKE_TIMEOUT', layer: 'tls', message: 'TLS handshake with 10.0.0.7:443 did not finish within 5000 ms', detail: { ms: 5000, address: '10.0.0.7', sni: null, retried: false } };
const { detail: _d, ...probeErrorMinimal } = probeError;

const ROWS: readonly Row[] = [
  // src/model.ts
  row<ProbeErrorInfo>('probeErrorInfoSchema', schemas.probeErrorInfoSchema, probeError, (v) => [
    set(v, 'layer', 'network'), drop(v, 'code'), set(v, 'message', null), setIn(v, ['detail', 'ms'], { nested: 1 }),
  ], probeErrorMinimal),
  // the data path
  row<DnsFact>('dnsFactSchema', schemas.dnsFactSchema, { host: 'my-release.milvus.io', addresses: ['34.120.1.2', '2600:1901:0:1::'], server: null, addressResolved: null }, (v) => [
    set(v, 'addresses', '34.120.1.2'), drop(v, 'host'), setIn(v, ['addresses', 1], 7), drop(v, 'addressResolved'),
  ]),
  row<TcpFact>('tcpFactSchema', schemas.tcpFactSchema, { remoteAddress: '34.120.1.2', remotePort: 443, connectMs: 18.3 }, (v) => [
    set(v, 'remotePort', '443'), set(v, 'remotePort', 70000), drop(v, 'connectMs'), set(v, 'connectMs', -1),
  ]),
  row<CertInfo>('certInfoSchema', schemas.certInfoSchema, cert, (v) => [
    set(v, 'notAfter', 'next year'), set(v, 'isCA', 'false'), drop(v, 'pem'), set(v, 'subjectAltNames', 'DNS:x'),
  ]),
  row<ChainAnalysis>('chainAnalysisSchema', schemas.chainAnalysisSchema, analysis, (v) => [
    set(v, 'anchorSource', 'keychain'), set(v, 'brokenAt', 0.5), drop(v, 'complete'),
  ]),
  row<TlsFact>('tlsFactSchema', schemas.tlsFactSchema, tls, (v) => [
    set(v, 'chainSource', 'disk'), drop(v, 'analysis'), setIn(v, ['chain', 0, 'fingerprint256'], null), setIn(v, ['analysis', 'inOrder'], 'yes'),
  ], tlsMinimal),
  row<GrpcHttpFact>('grpcHttpFactSchema', schemas.grpcHttpFactSchema, {
    authority: 'my-release.milvus.io', status: 502, contentType: 'text/html; charset=UTF-8', grpcStatus: null, grpcMessage: null,
    server: 'Google Frontend', bodyBytes: 1613, bodySnippet: '<!DOCTYPE html><html lang=en><title>Error 502 (Server Error)!!1</title>',
  }, (v) => [set(v, 'status', '502'), drop(v, 'bodyBytes'), set(v, 'grpcStatus', 14.5)]),
  row<GrpcHealthFact>('grpcHealthFactSchema', schemas.grpcHealthFactSchema, { status: 'SERVING' }, (v) => [set(v, 'status', 1), drop(v, 'status')]),
  row<MilvusVersionFact>('milvusVersionFactSchema', schemas.milvusVersionFactSchema, { version: 'v2.5.4', connectMs: 210 }, (v) => [
    set(v, 'version', 2.5), drop(v, 'connectMs'),
  ]),
  row<MilvusHealthFact>('milvusHealthFactSchema', schemas.milvusHealthFactSchema, { isHealthy: false, reasons: ['querynode 12 not ready'] }, (v) => [
    set(v, 'isHealthy', 'false'), drop(v, 'reasons'), setIn(v, ['reasons', 0], null),
  ]),
  row<MilvusAuthProbe>('milvusAuthProbeSchema', schemas.milvusAuthProbeSchema, authProbe, (v) => [
    set(v, 'grpcCode', 'UNAUTHENTICATED'), drop(v, 'message'), set(v, 'accepted', 1), set(v, 'milvusErrorCode', 3),
  ], { grpcCode: 16, message: 'auth check failure, please check username and password are correct' }),
  row<LatencyFact>('latencyFactSchema', schemas.latencyFactSchema, { samples: 20, failed: 1, p50: 31.2, p95: 88.9, max: 140.03 }, (v) => [
    set(v, 'samples', 2.5), drop(v, 'p95'), set(v, 'max', 'slow'),
  ]),
  row<SmokeStep>('smokeStepSchema', schemas.smokeStepSchema, smokeStep, (v) => [
    set(v, 'name', 'upsert'), drop(v, 'ok'), set(v, 'error', false),
  ], smokeStepMinimal),
  row<SmokeFact>('smokeFactSchema', schemas.smokeFactSchema, { collection: 'l7doctor_smoke_1a2b', steps: [{ name: 'create', ok: true, ms: 80 }, smokeStep], dropped: true }, (v) => [
    setIn(v, ['steps', 1, 'name'], 'upsert'), drop(v, 'dropped'), set(v, 'steps', {}),
  ]),
  row<HealthzFact>('healthzFactSchema', schemas.healthzFactSchema, {
    url: 'https://my-release.milvus.io/healthz', status: 500, body: 'Not all components are healthy, 7/8', ready: 7, total: 8, unhealthyComponents: ['querynode'],
  }, (v) => [set(v, 'status', null), drop(v, 'unhealthyComponents'), set(v, 'ready', '7')]),
  // Kubernetes
  row<ServicePortFact>('servicePortFactSchema', schemas.servicePortFactSchema, servicePort, (v) => [
    set(v, 'targetPort', true), drop(v, 'protocol'), set(v, 'port', '19530'),
  ]),
  row<ServiceFact>('serviceFactSchema', schemas.serviceFactSchema, {
    name: 'my-release-milvus', namespace: 'default', type: 'ClusterIP', clusterIP: '10.12.0.20', ports: [servicePort, { ...servicePort, name: 'metrics', port: 9091, targetPort: 9091, appProtocol: null }],
    selector: { 'app.kubernetes.io/instance': 'my-release', component: 'proxy' }, labels: { 'helm.sh/chart': 'milvus-4.2.8' },
    annotations: { 'cloud.google.com/neg': '{"ingress": true}', 'cloud.google.com/backend-config': '{"default": "my-release-milvus"}' },
    loadBalancerAddresses: [],
  }, (v) => [
    setIn(v, ['ports', 1, 'port'], 'metrics'), set(v, 'selector', ['proxy']), setIn(v, ['annotations', 'cloud.google.com/neg'], { ingress: true }), drop(v, 'loadBalancerAddresses'),
  ]),
  row<EndpointFact>('endpointFactSchema', schemas.endpointFactSchema, endpoint, (v) => [set(v, 'ready', 'true'), drop(v, 'podName')]),
  row<EndpointSliceFact>('endpointSliceFactSchema', schemas.endpointSliceFactSchema, {
    name: 'my-release-milvus-x7k2p', service: 'my-release-milvus', addressType: 'IPv4', ports: [{ name: 'milvus', port: 19530, protocol: 'TCP' }], endpoints: [endpoint, { ...endpoint, ready: null, serving: null, terminating: null, podName: null }],
  }, (v) => [setIn(v, ['ports', 0, 'protocol'], null), setIn(v, ['endpoints', 1, 'addresses'], '10.8.0.13'), drop(v, 'addressType')]),
  row<ContainerPortFact>('containerPortFactSchema', schemas.containerPortFactSchema, containerPort, (v) => [set(v, 'containerPort', null), drop(v, 'name')]),
  row<ContainerFact>('containerFactSchema', schemas.containerFactSchema, container, (v) => [set(v, 'restartCount', 'many'), drop(v, 'ready'), setIn(v, ['ports', 0, 'containerPort'], '19530')]),
  row<PodConditionFact>('podConditionFactSchema', schemas.podConditionFactSchema, podCondition, (v) => [set(v, 'status', true), drop(v, 'type')]),
  row<PodFact>('podFactSchema', schemas.podFactSchema, {
    name: 'my-release-milvus-proxy-7c9d8-abcde', phase: 'Running', podIP: '10.8.0.12', ready: true, labels: { component: 'proxy' }, containers: [container],
    conditions: [podCondition, { type: 'Ready', status: 'True', reason: null, message: null }],
  }, (v) => [setIn(v, ['containers', 0, 'waitingReason'], 5), setIn(v, ['labels', 'component'], null), drop(v, 'conditions')]),
  row<WorkloadFact>('workloadFactSchema', schemas.workloadFactSchema, { kind: 'Deployment', name: 'my-release-milvus-proxy', replicas: 2, podLabels: { component: 'proxy' }, containerPorts: [containerPort] }, (v) => [
    set(v, 'replicas', '2'), drop(v, 'kind'),
  ]),
  row<MilvusConfigFact>('milvusConfigFactSchema', schemas.milvusConfigFactSchema, {
    configMap: 'my-release-milvus', files: ['default.yaml', 'user.yaml'], tlsMode: 1, tlsModeFrom: 'user.yaml', authorizationEnabled: true, authorizationFrom: 'user.yaml',
    tlsPaths: { serverPemPath: '/milvus/tls/tls.crt', serverKeyPath: '/milvus/tls/tls.key' }, parseErrors: [],
  }, (v) => [set(v, 'tlsMode', '1'), set(v, 'authorizationEnabled', 'true'), drop(v, 'parseErrors')]),
  row<IngressBackendRef>('ingressBackendRefSchema', schemas.ingressBackendRefSchema, backendRef, (v) => [set(v, 'portNumber', '19530'), drop(v, 'portName')]),
  row<IngressPathFact>('ingressPathFactSchema', schemas.ingressPathFactSchema, ingressPath, (v) => [set(v, 'pathType', 3), drop(v, 'serviceName')]),
  row<IngressRuleFact>('ingressRuleFactSchema', schemas.ingressRuleFactSchema, { host: 'my-release.milvus.io', paths: [ingressPath] }, (v) => [
    setIn(v, ['paths', 0, 'path'], ['/']), drop(v, 'host'),
  ]),
  row<IngressFact>('ingressFactSchema', schemas.ingressFactSchema, {
    name: 'my-release-milvus', namespace: 'default', ingressClassName: null,
    annotations: { 'kubernetes.io/ingress.class': 'gce', 'kubernetes.io/ingress.allow-http': 'false' }, labels: {},
    rules: [{ host: 'my-release.milvus.io', paths: [ingressPath] }], defaultBackend: null,
    tls: [{ hosts: ['my-release.milvus.io'], secretName: 'my-release-milvus-tls' }], addresses: [{ ip: '34.120.1.2', hostname: null }],
    finalizers: ['networking.gke.io/ingress-finalizer-V2'], hasStatus: true,
  }, (v) => [
    setIn(v, ['tls', 0, 'hosts'], 'my-release.milvus.io'), set(v, 'defaultBackend', 'my-release-milvus'), setIn(v, ['addresses', 0, 'ip'], 34), drop(v, 'hasStatus'),
    setIn(v, ['rules', 0, 'paths', 0, 'portNumber'], 'milvus'),
  ]),
  row<IngressClassFact>('ingressClassFactSchema', schemas.ingressClassFactSchema, { name: 'alb', controller: 'ingress.k8s.aws/alb', isDefault: false }, (v) => [
    set(v, 'isDefault', 'false'), drop(v, 'controller'),
  ]),
  row<EventFact>('eventFactSchema', schemas.eventFactSchema, eventFact, (v) => [set(v, 'count', '3'), drop(v, 'message'), set(v, 'lastSeen', 1700000000)]),
  row<BackendConfigHealthCheck>('backendConfigHealthCheckSchema', schemas.backendConfigHealthCheckSchema, healthCheck, (v) => [set(v, 'port', '9091'), drop(v, 'requestPath')]),
  row<BackendConfigFact>('backendConfigFactSchema', schemas.backendConfigFactSchema, { name: 'my-release-milvus', namespace: 'default', apiVersion: 'cloud.google.com/v1', healthCheck, timeoutSec: 30 }, (v) => [
    setIn(v, ['healthCheck', 'type'], 7), set(v, 'healthCheck', 'HTTP'), drop(v, 'apiVersion'),
  ]),
  row<ManagedCertificateFact>('managedCertificateFactSchema', schemas.managedCertificateFactSchema, {
    name: 'my-release-milvus', namespace: 'default', domains: ['my-release.milvus.io'], certificateStatus: 'Provisioning',
    domainStatus: [{ domain: 'my-release.milvus.io', status: 'FailedNotVisible' }], certificateName: 'mcrt-1234', expireTime: null, hasStatus: true,
  }, (v) => [setIn(v, ['domainStatus', 0, 'status'], null), set(v, 'domains', 'my-release.milvus.io'), drop(v, 'hasStatus')]),
  row<SecretCertFact>('secretCertFactSchema', schemas.secretCertFactSchema, secretCert, (v) => [set(v, 'notBefore', '2029-13-01'), drop(v, 'selfSigned')]),
  row<TlsSecretFact>('tlsSecretFactSchema', schemas.tlsSecretFactSchema, {
    name: 'my-release-milvus-tls', namespace: 'default', type: 'kubernetes.io/tls', hasCert: true, hasKey: true, certError: null, keyError: null,
    chain: [secretCert], keyMatchesCert: true, keyType: 'ec',
  }, (v) => [set(v, 'keyMatchesCert', 'yes'), setIn(v, ['chain', 0, 'isCA'], null), drop(v, 'hasKey')]),
  row<TargetGroupBindingFact>('targetGroupBindingFactSchema', schemas.targetGroupBindingFactSchema, {
    name: 'k8s-default-milvusde-0123456789', serviceName: 'milvus-demo', servicePort: 19530,
    targetGroupARN: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-default-milvusde-0123456789/0123456789abcdef',
    targetType: 'ip', observedGeneration: 1, generation: 2, events: [{ ...eventFact, involvedKind: 'TargetGroupBinding', reason: 'FailedNetworkReconcile' }],
  }, (v) => [set(v, 'servicePort', false), setIn(v, ['events', 0, 'count'], null), drop(v, 'events')]),
  row<HealthzReading>('healthzReadingSchema', schemas.healthzReadingSchema, healthzReading, (v) => [set(v, 'status', '200'), drop(v, 'error')]),
  row<BackendProtocolFact>('backendProtocolFactSchema', schemas.backendProtocolFactSchema, {
    pod: 'my-release-milvus-proxy-7c9d8-abcde', port: 19530,
    tls: { outcome: 'plaintext', alpn: null, protocol: null, error: 'the backend answered a TLS ClientHello with plaintext', leafFingerprint256: null },
    h2c: { ok: true, status: 200, contentType: 'application/grpc', grpcStatus: 0, grpcMessage: null, error: null },
  }, (v) => [setIn(v, ['tls', 'outcome'], 'mtls'), setIn(v, ['h2c', 'ok'], 'true'), drop(v, 'h2c'), set(v, 'port', 19530.5)]),
];

/** Enum schemas: every member parses, anything else is rejected at the root. */
const ENUMS: readonly { readonly name: string; readonly schema: z.ZodType<string>; readonly members: readonly string[] }[] = [
  { name: 'areaSchema', schema: schemas.areaSchema, members: ['dns', 'tcp', 'tls', 'alpn', 'http2', 'grpc', 'milvus', 'healthz', 'k8s', 'aws', 'gcp', 'security'] satisfies Area[] },
  { name: 'backendTlsOutcomeSchema', schema: schemas.backendTlsOutcomeSchema, members: ['tls', 'plaintext', 'client-cert-required', 'error'] satisfies BackendTlsOutcome[] },
];

function firstIssue(schema: z.ZodType<unknown>, value: unknown): { count: number; path: Path; line: string } | null {
  const r = schema.safeParse(value);
  if (r.success) return null;
  const issue = r.error.issues[0];
  return { count: r.error.issues.length, path: issue.path, line: `${issue.path.join('.') || '(root)'}: ${issue.message}` };
}

describe('fact schemas', () => {
  test('every exported schema has a row in this table', () => {
    const exported = Object.keys(schemas).filter((k) => k.endsWith('Schema') && k !== 'outcomeSchema').sort();
    expect(exported).toEqual([...ROWS.map((r) => r.name), ...ENUMS.map((e) => e.name), 'errorCodeSchema'].sort());
  });

  test('errorCodeSchema takes any UPPER_SNAKE code (a newer doctor\'s too) and nothing else', () => {
    for (const code of ['TLS_HANDSHAKE_TIMEOUT', 'MILVUS_UNAVAILABLE', 'K8S_FORBIDDEN', 'A_NEW_CODE_2']) expect(schemas.errorCodeSchema.safeParse(code).success, code).toBe(true);
    for (const code of ['tls timeout', '', 'TLS_', '_X', 42, null]) expect(schemas.errorCodeSchema.safeParse(code).success, String(code)).toBe(false);
  });

  describe.each(ROWS)('$name', ({ schema, valid, minimal, bad }) => {
    test('a realistic value parses to itself', () => {
      expect(schema.parse(valid)).toEqual(valid);
      // JSON round trip: what a snapshot file holds.
      expect(schema.parse(JSON.parse(JSON.stringify(valid)))).toEqual(valid);
    });

    if (minimal !== undefined) {
      test('optional fields may be absent', () => {
        expect(schema.parse(minimal)).toEqual(minimal);
      });
    }

    test('unknown keys (a newer version\'s snapshot) are stripped, not rejected', () => {
      expect(schema.parse({ ...(valid as object), addedInV9: { anything: true } })).toEqual(valid);
    });

    test.each(bad)('rejects $why with one issue at its path', ({ value, path }) => {
      const issue = firstIssue(schema, value);
      expect(issue, 'accepted').not.toBeNull();
      expect(issue?.path).toEqual(path);
      expect(issue?.count).toBe(1);
      expect(issue?.line).toMatch(new RegExp(`^${path.map(String).join('\\.')}: \\S`));
    });

    test('rejects a value that is not an object at all', () => {
      for (const garbage of [null, 'x', 1, []]) expect(firstIssue(schema, garbage)?.path).toEqual([]);
    });
  });

  describe.each(ENUMS)('$name', ({ schema, members }) => {
    test('every member parses; anything else is rejected at the root', () => {
      for (const m of members) expect(schema.parse(m)).toBe(m);
      expect(firstIssue(schema, 'nope')?.path).toEqual([]);
      expect(firstIssue(schema, members[0].toUpperCase())?.path).toEqual([]);
    });
  });
});

describe('outcomeSchema', () => {
  const dns = outcomeSchema(schemas.dnsFactSchema);
  const value: DnsFact = { host: 'milvus.example.test', addresses: ['10.0.0.7'], server: '10.0.0.2', addressResolved: ['10.0.0.7'] };

  test.each<Outcome<DnsFact>>([
    { status: 'ok', value, ms: 3.2 },
    { status: 'error', error: probeError, ms: 5000 },
    { status: 'error', error: probeErrorMinimal, ms: 0 },
    { status: 'skipped', reason: 'no --healthz-url' },
    { status: 'skipped', reason: 'TLS failed', blockedBy: 'tls.handshake' },
  ])('accepts $status', (o) => {
    expect(dns.parse(o)).toEqual(o);
  });

  test.each<[string, unknown, Path]>([
    ['an unknown status', { status: 'maybe', reason: 'x' }, ['status']],
    ['no status', { value, ms: 1 }, ['status']],
    ['ok with a bad value', { status: 'ok', value: { ...value, addresses: 'x' }, ms: 1 }, ['value', 'addresses']],
    ['ok without ms', { status: 'ok', value }, ['ms']],
    ['ok without value', { status: 'ok', ms: 1 }, ['value']],
    ['error with an unknown layer', { status: 'error', error: { ...probeError, layer: 'network' }, ms: 1 }, ['error', 'layer']],
    ['error with a nested detail', { status: 'error', error: { ...probeError, detail: { a: [1] } }, ms: 1 }, ['error', 'detail', 'a']],
    ['skipped without reason', { status: 'skipped', blockedBy: 'x' }, ['reason']],
  ])('rejects %s with one issue at its path', (_why, o, path) => {
    const issue = firstIssue(dns, o);
    expect(issue?.path).toEqual(path);
    expect(issue?.count).toBe(1);
  });

  test('arrays of facts: z.array of the element schema', () => {
    const services = outcomeSchema(z.array(schemas.serviceFactSchema));
    expect(services.safeParse({ status: 'ok', value: [], ms: 0 }).success).toBe(true);
    expect(firstIssue(services, { status: 'ok', value: [{ name: 'x' }], ms: 0 })?.path).toEqual(['value', 0, 'namespace']);
  });
});

// ----- the readers' real output ------------------------------------------------------------------------------

/** Every manifest file under the test fixtures (but the deliberately invalid one). */
function fixtureFiles(dir: string = FIXTURES): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? fixtureFiles(join(dir, e.name)) : /\.(ya?ml|json)$/.test(e.name) && e.name !== 'invalid.yaml' ? [join(dir, e.name)] : []))
    .sort();
}

/** One fact per object, through the same per-object readers the live and offline paths use. */
function factsOf(o: RawObject, events: readonly EventFact[]): { kind: string; fact: unknown; schema: z.ZodType<unknown> } | null {
  const kind = kindOf(o);
  const ns = 'default';
  const one = <T>(fact: T, schema: z.ZodType<T>) => ({ kind, fact, schema });
  if (kind === 'Service') return one(toService(o, ns), schemas.serviceFactSchema);
  if (kind === 'Ingress') return one(toIngress(o, ns), schemas.ingressFactSchema);
  if (kind === 'IngressClass') return one(toIngressClass(o), schemas.ingressClassFactSchema);
  if (kind === 'EndpointSlice') return one(toEndpointSlice(o), schemas.endpointSliceFactSchema);
  if (kind === 'Pod') return one(toPod(o), schemas.podFactSchema);
  if (WORKLOAD_KINDS.has(kind)) return one(toWorkload(o), schemas.workloadFactSchema);
  if (kind === 'Event') return one(toEvent(o), schemas.eventFactSchema);
  if (kind === 'BackendConfig') return one(toBackendConfig(o, ns), schemas.backendConfigFactSchema);
  if (kind === 'ManagedCertificate') return one(toManagedCertificate(o, ns), schemas.managedCertificateFactSchema);
  if (kind === 'TargetGroupBinding') return one(toTargetGroupBinding(o, events), schemas.targetGroupBindingFactSchema);
  if (kind === 'Secret') return one(parseTlsSecret(o, ns), schemas.tlsSecretFactSchema);
  if (kind === 'ConfigMap') return one(parseMilvusConfig(nameOf(o), strMap(o.data)), schemas.milvusConfigFactSchema);
  return null;
}

describe('the readers agree with the schemas', () => {
  test('every object of every k8s test fixture, read into its fact, passes that fact\'s schema (JSON round trip included)', () => {
    const objects = fixtureFiles().flatMap((f) => parseManifestText(readFileSync(f, 'utf8'), f).map((o) => ({ o, f })));
    const events = objects.filter(({ o }) => kindOf(o) === 'Event').map(({ o }) => toEvent(o));
    const kinds = new Set<string>();
    const problems: string[] = [];
    for (const { o, f } of objects) {
      const read = factsOf(o, events);
      if (!read) continue;
      kinds.add(WORKLOAD_KINDS.has(read.kind) ? 'workload' : read.kind);
      const issue = firstIssue(read.schema, JSON.parse(JSON.stringify(read.fact)));
      if (issue) problems.push(`${f} ${read.kind}/${nameOf(o)}: ${issue.line}`);
      else expect(read.schema.parse(read.fact)).toEqual(read.fact);
    }
    expect(problems).toEqual([]);
    // The fixtures really exercised every reader.
    expect([...kinds].sort()).toEqual(
      ['BackendConfig', 'ConfigMap', 'EndpointSlice', 'Event', 'Ingress', 'IngressClass', 'ManagedCertificate', 'Pod', 'Secret', 'Service', 'TargetGroupBinding', 'workload'],
    );
  });

  test('certificates as the TLS probe and the Secret reader describe them', async () => {
    const pki = await makePki();
    const served = [pki.leaf, pki.intermediate].map((i) => new X509Certificate(i.certPem));
    const tlsFact: TlsFact = {
      protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'h2', sni: 'milvus.example.test',
      chain: served.map(certInfo), analysis: analyzeChain(served, [pki.root.certPem], null), handshakeMs: 4, chainSource: 'wire',
    };
    expect(tlsFact.analysis.complete).toBe(true);
    expect(schemas.tlsFactSchema.parse(JSON.parse(JSON.stringify(tlsFact)))).toEqual(tlsFact);
    const broken = analyzeChain([served[1], served[0]], null, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(schemas.chainAnalysisSchema.parse(broken)).toEqual(broken);
    const { pem: _p, ...leafAsSecret } = certInfo(served[0]);
    expect(schemas.secretCertFactSchema.parse(leafAsSecret)).toEqual(leafAsSecret);
  });
});
