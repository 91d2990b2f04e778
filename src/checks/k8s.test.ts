import { fillKnown, judgeCheck } from './define.js';
// Every Kubernetes, AWS and GCP check, judged over YAML fixtures through the offline loader (the same
// analyzers as live mode). Live-only facts (probes through the API server) are set on the facts directly.
import { describe, expect, test } from 'vitest';
import type { DataPathFacts, TargetInfo } from '../facts/types.js';
import type { Verdict } from '../model.js';
import type { K8sFacts } from '../platform/k8s/types.js';
import { annotationChecks } from './aws/annotations.js';
import type { CheckDef } from './define.js';
import { gcpChecks } from './gcp/index.js';
import { computeFrontendChecks } from './gcp/compute-frontend.js';
import { computeBackendChecks } from './gcp/compute-backend.js';
import { k8sChecks } from './k8s/index.js';
import { JUDGE_OPTIONS, factsWith, k8sFromFixtures, type FixtureSet } from '../../test/kits/k8s-testkit.js';

// The AWS and Compute API checks judge API facts, not YAML: each has a table of its own (Compute's:
// src/checks/gcp/compute.test.ts).
const COMPUTE = new Set([...computeFrontendChecks, ...computeBackendChecks].map((c) => c.id));
const ALL: readonly CheckDef[] = [...k8sChecks, ...annotationChecks, ...gcpChecks.filter((c) => !COMPUTE.has(c.id))];

interface Row {
  readonly check: string;
  readonly name: string;
  readonly set: FixtureSet;
  readonly verdict: Verdict;
  /** Live-only facts (or failed reads) laid over the offline snapshot. */
  readonly k8s?: (k: K8sFacts) => K8sFacts;
  readonly target?: Partial<TargetInfo>;
  readonly dataPath?: Partial<DataPathFacts>;
  /** What the finding must say (observed, hint, reason or fix). */
  readonly says?: RegExp;
  readonly blockedBy?: string;
}

const GCP: FixtureSet = { flavour: 'gcp' };
const AWS: FixtureSet = { flavour: 'aws' };
const gcp = (...faults: string[]): FixtureSet => ({ flavour: 'gcp', with: faults });
const aws = (...faults: string[]): FixtureSet => ({ flavour: 'aws', with: faults });

const forbidden = (verbResource: string) =>
  ({ status: 'error', error: { code: 'K8S_FORBIDDEN', layer: 'k8s', message: `forbidden: ${verbResource}` }, ms: 3 }) as const;
const ok = <T,>(value: T) => ({ status: 'ok', value, ms: 1 }) as const;
const POD = 'my-release-milvus-proxy-7d9f8-abcde';

const SECRET_FP = (k: K8sFacts): string => (k.tlsSecret.status === 'ok' ? (k.tlsSecret.value.chain[0]?.fingerprint256 ?? '') : '');
function servedTls(fingerprint256: string): DataPathFacts['tls'] {
  const cert = {
    subject: 'CN=my-release.milvus.io', issuer: 'CN=my-release.milvus.io', commonName: 'my-release.milvus.io', subjectAltNames: ['DNS:my-release.milvus.io'],
    notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2126-01-01T00:00:00.000Z', fingerprint256, serialNumber: '01', isCA: false, selfSigned: true, pem: '',
  };
  return ok({
    protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: 'h2', sni: 'my-release.milvus.io', chain: [cert], handshakeMs: 5,
    analysis: { inOrder: true, brokenAt: null, anchoredBy: null, anchorSource: null, complete: false, verifyError: null },
  });
}

function backend(tls: 'tls' | 'plaintext' | 'client-cert-required', h2c: boolean): K8sFacts['backendProtocol'] {
  return ok({
    pod: POD,
    port: 19530,
    tls: {
      outcome: tls,
      alpn: tls === 'tls' ? 'h2' : null,
      protocol: tls === 'tls' ? 'TLSv1.3' : null,
      error: tls === 'plaintext' ? 'Client network socket disconnected before secure TLS connection was established' : tls === 'client-cert-required' ? 'tlsv13 alert certificate required' : null,
      leafFingerprint256: null,
    },
    h2c: h2c
      ? { ok: true, status: 200, contentType: 'application/grpc', grpcStatus: 0, grpcMessage: null, error: null }
      : { ok: false, status: null, contentType: null, grpcStatus: null, grpcMessage: null, error: 'Protocol error' },
  });
}

const healthz = (status: number, body: string, target = 'services/my-release-milvus:9091') => ({
  target, status, body, ready: /(\d+)\/(\d+)/.exec(body) ? Number(/(\d+)\/(\d+)/.exec(body)?.[1]) : null, total: /(\d+)\/(\d+)/.exec(body) ? Number(/(\d+)\/(\d+)/.exec(body)?.[2]) : null, error: null,
});

const ROWS: Row[] = [
  // --- Service -----------------------------------------------------------------------------------
  { check: 'k8s.service.exists', name: 'the chart Service', set: GCP, verdict: 'pass', says: /default\/my-release-milvus/ },
  { check: 'k8s.service.exists', name: '--service names a missing Service', set: { flavour: 'gcp', options: { service: 'milvus-nope' } }, verdict: 'fail', says: /milvus-nope/ },
  // Never silently another release: the one asked for, the ones that exist, and the command for them.
  { check: 'k8s.service.exists', name: '--release names no release here', set: { flavour: 'gcp', options: { release: 'nope' } }, verdict: 'fail', says: /release nope.*releases there: my-release.*--release my-release/ },
  { check: 'k8s.service.exists', name: 'list services forbidden', set: GCP, k8s: (k) => ({ ...k, services: forbidden('list services in default') }), verdict: 'error', says: /list services in default/ },
  { check: 'k8s.service.clusterip', name: 'ClusterIP', set: GCP, verdict: 'pass' },
  { check: 'k8s.service.clusterip', name: 'fault service-loadbalancer', set: gcp('service-loadbalancer.yaml'), verdict: 'fail', says: /service\.type=ClusterIP/ },
  { check: 'k8s.service.clusterip', name: 'a leftover LoadBalancer Service selects the pods', set: gcp('lb-leftover.yaml'), verdict: 'fail', says: /my-release-milvus-l4/ },
  { check: 'k8s.service.port-named', name: 'named milvus', set: GCP, verdict: 'pass' },
  { check: 'k8s.service.port-named', name: 'fault port-unnamed', set: gcp('port-unnamed.yaml'), verdict: 'fail', says: /\/spec\/ports\/0\/name/ },
  { check: 'k8s.service.metrics-port', name: '9091 exposed', set: GCP, verdict: 'pass' },
  { check: 'k8s.service.metrics-port', name: 'metrics disabled', set: gcp('metrics-port-missing.yaml'), verdict: 'fail', says: /metrics\.enabled=true/ },
  { check: 'k8s.endpoints.ready', name: 'offline', set: GCP, verdict: 'skip', says: /offline \(--manifests\): needs a live cluster/ },
  { check: 'k8s.endpoints.ready', name: 'a ready endpoint', set: gcp('live-state.yaml'), verdict: 'pass' },
  { check: 'k8s.endpoints.ready', name: 'no ready endpoint', set: gcp('live-unhealthy.yaml'), verdict: 'fail', says: /none ready/ },
  { check: 'k8s.endpoints.ready', name: 'list endpointslices forbidden', set: GCP, k8s: (k) => ({ ...k, endpointSlices: forbidden('list endpointslices.discovery.k8s.io in default') }), verdict: 'error', says: /list endpointslices\.discovery\.k8s\.io in default/ },
  { check: 'k8s.pods.ready', name: 'ready, restarts as evidence', set: gcp('live-state.yaml'), verdict: 'pass' },
  { check: 'k8s.pods.ready', name: 'crash-looping proxy', set: gcp('live-unhealthy.yaml'), verdict: 'fail', says: /CrashLoopBackOff/ },
  // --- Milvus config -----------------------------------------------------------------------------
  { check: 'k8s.config.tls-mode', name: 'GKE with tlsMode 1', set: GCP, verdict: 'pass' },
  { check: 'k8s.config.tls-mode', name: 'fault plaintext-backend (GKE)', set: gcp('plaintext-backend.yaml'), verdict: 'fail', says: /ignored by the chart/ },
  { check: 'k8s.config.tls-mode', name: 'fault mtls-backend', set: gcp('mtls-backend.yaml'), verdict: 'fail', says: /client certificates/ },
  { check: 'k8s.config.tls-mode', name: 'ALB with plaintext Milvus', set: AWS, verdict: 'pass' },
  { check: 'k8s.config.tls-mode', name: 'ALB default backend-protocol with tlsMode 1', set: aws('tls-mode-1.yaml'), verdict: 'fail', says: /backend-protocol=HTTPS/ },
  { check: 'k8s.config.tls-mode', name: 'ALB backend-protocol HTTPS with tlsMode 1', set: aws('tls-mode-1.yaml', 'backend-protocol-https.yaml'), verdict: 'pass' },
  { check: 'k8s.config.tls-mode', name: 'ALB backend-protocol HTTPS with plaintext Milvus', set: aws('backend-protocol-https.yaml'), verdict: 'fail' },
  { check: 'k8s.config.tls-mode', name: 'ConfigMap not in the manifests', set: { flavour: 'gcp', without: ['configmap.yaml'] }, verdict: 'skip' },
  { check: 'k8s.config.tls-mode', name: 'ConfigMap missing live', set: GCP, k8s: (k) => ({ ...k, milvusConfig: { status: 'error', error: { code: 'K8S_NOT_FOUND', layer: 'k8s', message: 'configmaps "my-release-milvus" not found in default' }, ms: 1 } }), verdict: 'fail' },
  { check: 'k8s.config.authorization', name: 'enabled', set: GCP, verdict: 'pass' },
  { check: 'k8s.config.authorization', name: 'off', set: gcp('authorization-off.yaml'), verdict: 'warn' },
  // --- Ingress -----------------------------------------------------------------------------------
  { check: 'k8s.ingress.exists', name: 'routes to the Service', set: GCP, verdict: 'pass' },
  { check: 'k8s.ingress.exists', name: 'no Ingress', set: { flavour: 'gcp', without: ['ingress.yaml'] }, verdict: 'fail', says: /kind: Ingress/ },
  { check: 'k8s.ingress.class', name: 'GKE annotation gce', set: GCP, verdict: 'pass' },
  { check: 'k8s.ingress.class', name: 'GKE with spec.ingressClassName', set: gcp('ingress-classname-set.yaml'), verdict: 'fail', says: /ingressClassName/ },
  { check: 'k8s.ingress.class', name: 'GKE with class nginx', set: gcp('ingress-class-other.yaml'), verdict: 'fail' },
  { check: 'k8s.ingress.class', name: 'alb served by ingress.k8s.aws/alb', set: AWS, verdict: 'pass' },
  { check: 'k8s.ingress.class', name: 'fault ingressclass-missing', set: { flavour: 'aws', without: ['ingressclass.yaml'], with: ['ingressclass-other.yaml'] }, verdict: 'fail', says: /no IngressClass alb/ },
  { check: 'k8s.ingress.class', name: 'no IngressClass in the manifests', set: { flavour: 'aws', without: ['ingressclass.yaml'] }, verdict: 'skip' },
  { check: 'k8s.ingress.rule', name: 'host / Prefix → 19530', set: GCP, verdict: 'pass' },
  { check: 'k8s.ingress.rule', name: 'routes to the metrics port', set: gcp('ingress-rule-wrong-port.yaml'), verdict: 'fail', says: /another Service or port/ },
  { check: 'k8s.ingress.rule', name: 'a narrow path', set: gcp('ingress-rule-narrow-path.yaml'), verdict: 'fail', says: /MilvusService/ },
  { check: 'k8s.ingress.rule', name: 'no rule for --host', set: GCP, target: { host: 'other.milvus.io' }, verdict: 'fail', says: /default backend/ },
  { check: 'k8s.ingress.tls', name: 'GKE Secret for the host', set: GCP, verdict: 'pass' },
  { check: 'k8s.ingress.tls', name: 'GKE managed certificate', set: gcp('ingress-managed-cert.yaml'), verdict: 'pass' },
  { check: 'k8s.ingress.tls', name: 'GKE without TLS', set: gcp('ingress-no-tls.yaml'), verdict: 'fail' },
  { check: 'k8s.ingress.tls', name: 'ALB certificate-arn', set: AWS, verdict: 'pass' },
  { check: 'k8s.ingress.address', name: 'offline without status', set: AWS, verdict: 'skip' },
  { check: 'k8s.ingress.address', name: 'ALB hostname', set: aws('live-address.yaml'), verdict: 'pass', says: /elb\.amazonaws\.com/ },
  { check: 'k8s.ingress.address', name: 'never picked up', set: aws('live-no-address.yaml'), verdict: 'fail', says: /no finalizer/ },
  { check: 'k8s.ingress.events', name: 'offline', set: GCP, verdict: 'skip' },
  { check: 'k8s.ingress.events', name: 'only Normal events', set: gcp('live-state.yaml'), verdict: 'pass' },
  { check: 'k8s.ingress.events', name: 'Translate warning (GKE)', set: gcp('live-unhealthy.yaml'), verdict: 'fail', says: /Translation failed.*ingress-gce could not translate/s },
  { check: 'k8s.ingress.events', name: 'fault build-model-event (ALB)', set: aws('build-model-event.yaml'), verdict: 'fail', says: /kubernetes\.io\/role\/elb=1/ },
  { check: 'k8s.ingress.events', name: 'list events forbidden', set: GCP, k8s: (k) => ({ ...k, ingressEvents: forbidden('list events in default') }), verdict: 'error', says: /list events in default/ },
  // --- TLS Secret --------------------------------------------------------------------------------
  { check: 'k8s.tls-secret', name: 'matching key, SAN, valid', set: GCP, verdict: 'pass' },
  { check: 'k8s.tls-secret', name: 'fault tls-secret-key-mismatch', set: gcp('tls-secret-key-mismatch.yaml'), verdict: 'fail', says: /does not match/ },
  { check: 'k8s.tls-secret', name: 'fault tls-secret-expired', set: gcp('tls-secret-expired.yaml'), verdict: 'fail', says: /expired/ },
  { check: 'k8s.tls-secret', name: 'CN only (the guide\'s openssl commands)', set: gcp('tls-secret-cn-only.yaml'), verdict: 'fail', says: /CN-only/ },
  { check: 'k8s.tls-secret', name: 'Secret missing live', set: GCP, k8s: (k) => ({ ...k, tlsSecret: { status: 'error', error: { code: 'K8S_NOT_FOUND', layer: 'k8s', message: 'secrets "my-release-milvus-tls" not found in default' }, ms: 1 } }), verdict: 'fail', says: /create secret tls/ },
  { check: 'k8s.tls-secret', name: 'get secrets forbidden', set: GCP, k8s: (k) => ({ ...k, tlsSecret: forbidden('get secrets in default') }), verdict: 'error', says: /get secrets in default/ },
  { check: 'k8s.tls-secret', name: 'ALB uses ACM', set: AWS, verdict: 'skip' },
  { check: 'k8s.tls-secret', name: 'ALB ignores a spec.tls Secret', set: GCP, target: { provider: 'aws' }, verdict: 'skip', says: /ACM/ },
  { check: 'k8s.tls-secret.served', name: 'tls probe not run (offline)', set: GCP, verdict: 'skip' },
  { check: 'k8s.tls-secret.served', name: 'tls probe blocked upstream', set: GCP, dataPath: { tls: { status: 'skipped', reason: 'connection refused', blockedBy: 'tcp.connect' } }, verdict: 'blocked', blockedBy: 'tcp.connect' },
  { check: 'k8s.tls-secret.served', name: 'tls handshake failed', set: GCP, dataPath: { tls: { status: 'error', ms: 1, error: { code: 'TLS_HANDSHAKE_TIMEOUT', layer: 'tls', message: 'no handshake' } } }, verdict: 'blocked', blockedBy: 'tls.handshake' },
  { check: 'k8s.tls-secret.served', name: 'served = Secret', set: GCP, verdict: 'pass', dataPath: {} },
  { check: 'k8s.tls-secret.served', name: 'the LB serves another certificate', set: GCP, dataPath: { tls: servedTls('AA:BB:CC') }, verdict: 'fail', says: /AA:BB:CC/ },
  // --- healthz / backend protocol (live only) ----------------------------------------------------
  { check: 'healthz.service-proxy', name: 'offline', set: GCP, verdict: 'skip', says: /offline/ },
  { check: 'healthz.service-proxy', name: '200 OK', set: GCP, k8s: (k) => ({ ...k, healthzService: ok(healthz(200, 'OK')) }), verdict: 'pass' },
  { check: 'healthz.service-proxy', name: '500 x/y', set: GCP, k8s: (k) => ({ ...k, healthzService: ok(healthz(500, 'Not all components are healthy, 3/5')) }), verdict: 'fail', says: /3\/5 components/ },
  { check: 'healthz.service-proxy', name: 'services/proxy forbidden', set: GCP, k8s: (k) => ({ ...k, healthzService: forbidden('get services/proxy in default') }), verdict: 'error', says: /get services\/proxy in default/ },
  { check: 'healthz.pods', name: 'every pod 200', set: GCP, k8s: (k) => ({ ...k, healthzPods: ok([healthz(200, 'OK', `pods/${POD}:9091`)]) }), verdict: 'pass' },
  { check: 'healthz.pods', name: 'fault healthz-not-ready-pod', set: GCP, k8s: (k) => ({ ...k, healthzPods: ok([healthz(200, 'OK', 'pods/a:9091'), healthz(500, 'Not all components are registered, 2/4', `pods/${POD}:9091`)]) }), verdict: 'fail', says: /2\/4 components/ },
  { check: 'http2.backend-protocol', name: 'GKE: TLS + h2', set: GCP, k8s: (k) => ({ ...k, backendProtocol: backend('tls', false) }), verdict: 'pass' },
  { check: 'http2.backend-protocol', name: 'fault plaintext-backend (GKE)', set: GCP, k8s: (k) => ({ ...k, backendProtocol: backend('plaintext', true) }), verdict: 'fail', says: /HEALTHY/ },
  { check: 'http2.backend-protocol', name: 'fault mtls-backend', set: GCP, k8s: (k) => ({ ...k, backendProtocol: backend('client-cert-required', false) }), verdict: 'fail', says: /tlsMode 2/ },
  { check: 'http2.backend-protocol', name: 'ALB: h2c gRPC', set: AWS, k8s: (k) => ({ ...k, backendProtocol: backend('plaintext', true) }), verdict: 'pass' },
  { check: 'http2.backend-protocol', name: 'ALB against a TLS-only pod', set: AWS, k8s: (k) => ({ ...k, backendProtocol: backend('tls', false) }), verdict: 'fail', says: /TLS only/ },
  { check: 'http2.backend-protocol', name: 'offline', set: AWS, verdict: 'skip' },
  // --- AWS ---------------------------------------------------------------------------------------
  { check: 'aws.ingress.scheme', name: 'internet-facing', set: AWS, verdict: 'pass' },
  { check: 'aws.ingress.scheme', name: 'default internal', set: aws('scheme-internal.yaml'), verdict: 'warn', says: /internal/ },
  { check: 'aws.ingress.scheme', name: 'on GKE', set: GCP, verdict: 'skip', says: /not an AWS deployment/ },
  { check: 'aws.ingress.backend-protocol-version', name: 'GRPC', set: AWS, verdict: 'pass' },
  { check: 'aws.ingress.backend-protocol-version', name: 'not set', set: aws('backend-protocol-version-missing.yaml'), verdict: 'fail', says: /464/ },
  { check: 'aws.ingress.target-type', name: 'ip', set: AWS, verdict: 'pass' },
  { check: 'aws.ingress.target-type', name: 'fault target-type-instance', set: aws('target-type-instance.yaml'), verdict: 'fail', says: /FailedBuildModel/ },
  { check: 'aws.ingress.listen-ports', name: 'HTTPS 443', set: AWS, verdict: 'pass' },
  { check: 'aws.ingress.listen-ports', name: 'HTTP beside HTTPS with GRPC', set: aws('listen-ports-http.yaml'), verdict: 'fail', says: /not supported/ },
  { check: 'aws.ingress.certificate-arn', name: 'well formed, region as evidence', set: AWS, verdict: 'pass' },
  { check: 'aws.ingress.certificate-arn', name: 'the guide placeholder', set: aws('certificate-arn-placeholder.yaml'), verdict: 'fail', says: /placeholder/ },
  { check: 'aws.targetgroupbinding', name: 'offline', set: AWS, verdict: 'skip' },
  { check: 'aws.targetgroupbinding', name: 'bound', set: aws('live-tgb.yaml'), verdict: 'pass', says: /targetgroup/ },
  { check: 'aws.targetgroupbinding', name: 'FailedNetworkReconcile', set: aws('live-tgb-failed.yaml'), verdict: 'fail', says: /FailedNetworkReconcile/ },
  { check: 'aws.targetgroupbinding', name: 'forbidden', set: AWS, k8s: (k) => ({ ...k, targetGroupBindings: forbidden('list targetgroupbindings.elbv2.k8s.aws in milvus') }), verdict: 'error', says: /list targetgroupbindings\.elbv2\.k8s\.aws in milvus/ },
  // --- GCP ---------------------------------------------------------------------------------------
  { check: 'gcp.service.annotations-json', name: 'all JSON', set: GCP, verdict: 'pass' },
  { check: 'gcp.service.annotations-json', name: 'quoting lost', set: gcp('annotations-not-json.yaml'), verdict: 'fail', says: /app-protocols/ },
  { check: 'gcp.service.annotations-json', name: 'on AWS', set: AWS, verdict: 'skip', says: /not a GKE deployment/ },
  { check: 'gcp.service.app-protocols', name: 'keyed by name, HTTP2', set: GCP, verdict: 'pass' },
  { check: 'gcp.service.app-protocols', name: 'fault app-protocols-by-number', set: gcp('app-protocols-by-number.yaml'), verdict: 'fail', says: /port number/ },
  { check: 'gcp.service.app-protocols', name: 'fault app-protocols-alpha-leftover', set: gcp('app-protocols-alpha-leftover.yaml'), verdict: 'fail', says: /service\.alpha\.kubernetes\.io\/app-protocols-/ },
  { check: 'gcp.service.app-protocols', name: 'fault port-unnamed', set: gcp('port-unnamed.yaml'), verdict: 'blocked', blockedBy: 'k8s.service.port-named' },
  { check: 'gcp.service.backend-config', name: 'exists beside the Service', set: GCP, verdict: 'pass' },
  { check: 'gcp.service.backend-config', name: 'fault backendconfig-missing', set: { flavour: 'gcp', without: ['backendconfig.yaml'], with: ['backendconfig-missing.yaml'] }, verdict: 'fail', says: /milvus-hc/ },
  { check: 'gcp.service.backend-config', name: 'fault backendconfig-on-ingress', set: gcp('backendconfig-on-ingress-service.yaml', 'backendconfig-on-ingress.yaml'), verdict: 'fail', says: /on the Ingress/ },
  { check: 'gcp.service.backend-config', name: 'list backendconfigs forbidden', set: GCP, k8s: (k) => ({ ...k, backendConfigs: forbidden('list backendconfigs.cloud.google.com in default') }), verdict: 'error', says: /list backendconfigs\.cloud\.google\.com/ },
  { check: 'gcp.service.neg', name: '{"ingress": true}', set: GCP, verdict: 'pass' },
  { check: 'gcp.service.neg', name: 'fault neg-missing', set: gcp('neg-missing.yaml'), verdict: 'fail', says: /Translate/ },
  { check: 'gcp.service.neg-status', name: 'offline', set: GCP, verdict: 'skip' },
  { check: 'gcp.service.neg-status', name: 'NEG for 19530', set: gcp('live-service-neg-status.yaml'), verdict: 'pass', says: /us-central1-a/ },
  { check: 'gcp.service.neg-status', name: 'neg missing', set: gcp('neg-missing.yaml'), verdict: 'blocked', blockedBy: 'gcp.service.neg' },
  { check: 'gcp.service.neg-status', name: 'live, never created', set: GCP, k8s: (k) => ({ ...k, source: 'live' }), verdict: 'fail' },
  { check: 'gcp.backendconfig.health-check', name: 'HTTP 9091 /healthz', set: GCP, verdict: 'pass' },
  { check: 'gcp.backendconfig.health-check', name: 'fault backendconfig-wrong-port', set: gcp('backendconfig-wrong-port.yaml'), verdict: 'fail', says: /port 19530/ },
  { check: 'gcp.backendconfig.health-check', name: 'not a container port; timeout > interval', set: gcp('backendconfig-bad-port-timeout.yaml'), verdict: 'fail', says: /not a container port.*timeoutSec 10 > checkIntervalSec 5|timeoutSec 10 > checkIntervalSec 5.*not a container port/ },
  { check: 'gcp.backendconfig.health-check', name: 'no BackendConfig', set: { flavour: 'gcp', without: ['backendconfig.yaml'] }, verdict: 'blocked', blockedBy: 'gcp.service.backend-config' },
  { check: 'gcp.backendconfig.timeout', name: '600 s', set: GCP, verdict: 'pass' },
  { check: 'gcp.backendconfig.timeout', name: 'default 30 s', set: gcp('backendconfig-default-timeout.yaml'), verdict: 'warn', says: /30 s/ },
  { check: 'gcp.ingress.allow-http', name: 'allow-http false', set: GCP, verdict: 'pass' },
  { check: 'gcp.ingress.allow-http', name: 'port 80 open', set: gcp('allow-http-open.yaml'), verdict: 'warn' },
  { check: 'gcp.ingress.backends', name: 'offline', set: GCP, verdict: 'skip' },
  { check: 'gcp.ingress.backends', name: 'HEALTHY', set: gcp('live-state.yaml'), verdict: 'pass' },
  { check: 'gcp.ingress.backends', name: 'UNHEALTHY, NEG timeout', set: gcp('live-unhealthy.yaml'), verdict: 'fail', says: /LoadBalancerNegTimeout/ },
  { check: 'gcp.managed-certificate', name: 'self-managed Secret', set: GCP, verdict: 'skip' },
  { check: 'gcp.managed-certificate', name: 'Active', set: gcp('ingress-managed-cert.yaml', 'managed-cert-active.yaml'), verdict: 'pass' },
  {
    check: 'gcp.managed-certificate',
    name: 'fault managed-cert-provisioning: DNS elsewhere',
    set: gcp('live-state.yaml', 'ingress-managed-cert.yaml', 'managed-cert-provisioning.yaml'),
    dataPath: { dns: ok({ host: 'my-release.milvus.io', addresses: ['203.0.113.7', '2001:db8::1'], server: null, addressResolved: null }) },
    verdict: 'fail',
    says: /203\.0\.113\.7/,
  },
  { check: 'gcp.managed-certificate', name: 'not in the Ingress namespace', set: gcp('ingress-managed-cert.yaml'), verdict: 'fail', says: /ManagedCertificate my-release-milvus-tls/ },
];

// The managed-certificate row with DNS elsewhere needs the Ingress IP, which live-state carries; the
// managed-cert Ingress overlay replaces that Ingress, so lay the IP back on.
function withIngressIp(k: K8sFacts): K8sFacts {
  if (k.ingresses.status !== 'ok') return k;
  return { ...k, ingresses: { ...k.ingresses, value: k.ingresses.value.map((i) => ({ ...i, addresses: [{ ip: '34.111.144.65', hostname: null }], hasStatus: true })) } };
}

function judge(row: Row) {
  const def = ALL.find((c) => c.id === row.check);
  if (!def) throw new Error(`no check ${row.check}`);
  let k8s = k8sFromFixtures(row.set);
  if (row.name.startsWith('fault managed-cert-provisioning')) k8s = withIngressIp(k8s);
  if (row.k8s) k8s = row.k8s(k8s);
  const dataPath = row.name === 'served = Secret' ? { tls: servedTls(SECRET_FP(k8s)) } : row.dataPath;
  return judgeCheck(def, factsWith(k8s, row.target, dataPath), JUDGE_OPTIONS);
}

describe('kubernetes checks over YAML fixtures', () => {
  test.each(ROWS.map((r) => [`${r.check} — ${r.name} → ${r.verdict}`, r] as const))('%s', (_label, row) => {
    const j = judge(row);
    expect(j.verdict, JSON.stringify(j)).toBe(row.verdict);
    if (row.says) expect(JSON.stringify(j).replace(/\\"/g, '"').replace(/\\n/g, '\n')).toMatch(row.says);
    if (row.blockedBy) expect(j.verdict === 'blocked' ? j.blockedBy : null).toBe(row.blockedBy);
    if (j.verdict === 'fail' || j.verdict === 'warn') {
      expect(j.expected.length).toBeGreaterThan(0);
      expect(j.observed.length).toBeGreaterThan(0);
      // Every finding carries a ready command or manifest fragment, its own or the catalogue's.
      expect(typeof (j.fix ?? ALL.find((c) => c.id === row.check)?.fix)).toBe('string');
    }
  });

  test('every check has a passing row and a failing (or warning) row', () => {
    for (const def of ALL) {
      const verdicts = new Set(ROWS.filter((r) => r.check === def.id).map((r) => r.verdict));
      expect(verdicts.has('pass'), `${def.id} has no pass row`).toBe(true);
      expect(verdicts.has('fail') || verdicts.has('warn'), `${def.id} has no fail/warn row`).toBe(true);
    }
  });

  test('the ids the lab fault table is written against exist', () => {
    const ids = new Set(ALL.map((c) => c.id));
    for (const id of [
      'k8s.service.exists', 'k8s.service.clusterip', 'k8s.service.port-named', 'k8s.service.metrics-port', 'k8s.endpoints.ready', 'k8s.pods.ready',
      'k8s.config.tls-mode', 'k8s.config.authorization', 'k8s.ingress.exists', 'k8s.ingress.class', 'k8s.ingress.rule', 'k8s.ingress.tls',
      'k8s.ingress.address', 'k8s.ingress.events', 'k8s.tls-secret', 'k8s.tls-secret.served', 'aws.ingress.scheme',
      'aws.ingress.backend-protocol-version', 'aws.ingress.target-type', 'aws.ingress.listen-ports', 'aws.ingress.certificate-arn',
      'aws.targetgroupbinding', 'gcp.service.annotations-json', 'gcp.service.app-protocols', 'gcp.service.backend-config', 'gcp.service.neg',
      'gcp.service.neg-status', 'gcp.backendconfig.health-check', 'gcp.backendconfig.timeout', 'gcp.ingress.allow-http', 'gcp.ingress.backends',
      'gcp.managed-certificate', 'healthz.service-proxy', 'healthz.pods', 'http2.backend-protocol',
    ]) expect(ids.has(id), id).toBe(true);
    expect(ids.size).toBe(ALL.length);
  });

  test('without Kubernetes facts every check skips', () => {
    for (const def of ALL) expect(judgeCheck(def, factsWith(undefined), JUDGE_OPTIONS).verdict, def.id).toBe('skip');
  });

  test('a full healthy GKE snapshot fails nothing', () => {
    const k8s = k8sFromFixtures(gcp('live-state.yaml', 'live-service-neg-status.yaml'));
    const facts = factsWith({ ...k8s, source: 'live' }, {}, { tls: servedTls(SECRET_FP(k8s)) });
    const bad = ALL.map((d) => ({ id: d.id, j: judgeCheck(d, facts, JUDGE_OPTIONS) })).filter(({ j }) => j.verdict === 'fail' || j.verdict === 'error');
    expect(bad).toEqual([]);
  });
});

describe('fixes name the real objects', () => {
  test('namespace, Service, Ingress and release come from the selection', () => {
    const f = factsWith(k8sFromFixtures({ flavour: 'gcp' }));
    expect(fillKnown('kubectl -n <namespace> annotate service <service>; helm upgrade <release>; kubectl describe ingress <ingress>', f)).toBe(
      'kubectl -n default annotate service my-release-milvus; helm upgrade my-release; kubectl describe ingress my-release-milvus',
    );
  });
});
