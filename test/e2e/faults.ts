// What each lab fault must do to a real CLI run: exit 1, its own checks fail with the right words,
// nothing unrelated fails or errors.
import { expect } from 'vitest';
import type { LabFaultInfo } from '../../src/lab/lab.js';
import { parseReport, runCli, verdictsOf } from './cli.js';

/** What the failing check must say (observed, hint or fix) for each fault: the diagnosis, not just "failed". */
export const SAYS: Record<string, RegExp> = {
  'expired-cert': /expired on/,
  'expiring-cert': /in \d days/,
  'missing-intermediate': /only the leaf was served/,
  'name-mismatch': /SAN|subjectAltName/,
  'cn-only': /only the subject|gRPC clients ignore the CN/,
  'untrusted-ca': /not trusted/,
  'no-h2': /http\/1\.1|HTTP\/1\.1/,
  'host-rule-404': /404.*default 404|no rule matched/,
  'not-grpc-464': /464.*target group protocol version is not GRPC/,
  'backend-down': /502/,
  'healthz-not-ready': /3\/5/,
  'milvus-unhealthy': /isHealthy: false/,
  'auth-required': /UNAUTHENTICATED/,
  'default-password': /root:Milvus is accepted/,
  tarpit: /no TLS handshake came back/,
  refused: /connection refused/,
  'plaintext-front': /plaintext/,
  'service-loadbalancer': /LoadBalancer/,
  'port-unnamed': /name/,
  'app-protocols-by-number': /port name|by number|keyed/i,
  'app-protocols-alpha-leftover': /alpha/,
  'neg-missing': /neg/i,
  'backendconfig-wrong-port': /9091/,
  'backendconfig-on-ingress': /Ingress/,
  'backendconfig-missing': /BackendConfig/,
  'ingressclass-missing': /IngressClass|class/,
  'tls-secret-key-mismatch': /key/i,
  'tls-secret-expired': /expired/i,
  'managed-cert-provisioning': /Provisioning|FailedNotVisible/,
  'plaintext-backend': /plaintext|502/i,
  'mtls-backend': /client certificate|tlsMode 2|mTLS/i,
  'build-model-event': /FailedBuildModel/,
  'target-type-instance': /target-type|instance/,
  'healthz-not-ready-pod': /3\/5/,
  'backend-service-http': /HTTP\/1\.1.*502 while the backends are HEALTHY/,
  'hc-wrong-port': /port 19530 \(want 9091\)/,
  'firewall-missing-9091': /130\.211\.0\.0\/22 → tcp:9091/,
  'neg-endpoint-unhealthy': /1 of 2 endpoint\(s\) not HEALTHY/,
  'neg-empty': /every NEG is empty/,
  'neg-stale': /stale/,
  'backend-timeout-30s': /timeoutSec 30 \(the default\)/,
  'port-80-open': /port-80|plain HTTP/,
  'ssl-cert-mismatch': /has not synced the renewed Secret/,
  'managed-cert-failed-not-visible': /FAILED_NOT_VISIBLE/,
  'url-map-no-host-rule': /no host rule matches/,
  'firewall-shared-vpc': /not allowed: 130\.211\.0\.0\/22 → tcp:19530[\s\S]*Shared VPC[\s\S]*--network shared-vpc/,
  'url-map-not-created-yet': /created \d+ (s|min) ago.*has not created it yet.*--wait/,
  // The data-path finding names the target group as the AWS API reports it.
  'tg-http1': /target group k8s-\S+ ProtocolVersion HTTP1 \(AWS API\)/,
  'targets-unhealthy': /Target\.ResponseCodeMismatch.*\[12\]/,
  'target-timeout': /Target\.Timeout[\s\S]*authorize-security-group-ingress .*--port 19530 --source-group sg-/,
  'target-not-in-use': /Target\.NotInUse/,
  'targets-stale': /stale targets 192\.168\.52\.88/,
  'lb-provisioning': /provisioning/,
  'acm-expired': /Status EXPIRED/,
  'acm-wrong-region': /us-west-2/,
  'acm-no-chain': /chain is empty/,
  'acm-other-domain': /other-service\.l7-lab\.test/,
  'listener-http-open': /plaintext listener HTTP:80/,
  'ssl-policy-tls10': /ELBSecurityPolicy-2016-08.*TLSv1\.1/,
  'http2-disabled': /routing\.http2\.enabled=false/,
  'lb-internal': /internal/,
};

/**
 * What "look first" must name under each fault: the root cause's check, and a word of its hint that
 * says the cause (never a consequence, never advice a passing check contradicts).
 */
export const LOOK_FIRST: Record<string, readonly [string, RegExp]> = {
  'expired-cert': ['tls.validity', /renew/],
  'expiring-cert': ['tls.expiry', /renew/],
  'missing-intermediate': ['tls.chain', /intermediate/],
  'name-mismatch': ['tls.san', /SAN/],
  'cn-only': ['tls.san-present', /subjectAltName/],
  'untrusted-ca': ['tls.trusted', /CA/],
  'no-h2': ['alpn.h2', /HTTP\/2/],
  // The ALB's own listener has the rule (AWS API): the 404 comes from elsewhere (here, the lab's front).
  'host-rule-404': ['http2.grpc', /listener has a rule for \S+ \(priority \d+\) forwarding to \S+ \(AWS API\), so this 404 is not that rule's/],
  // The stand-in's target group is GRPC (the Ingress asks it): the 464 is not from this ALB's target group.
  'not-grpc-464': ['http2.grpc', /ProtocolVersion GRPC \(AWS API\), so this 464 does not come from it/],
  'backend-down': ['http2.grpc', /every target in \S+ healthy \(2\/2, AWS API\) while calls get 502/],
  'healthz-not-ready': ['healthz.ready', /not ready/],
  'milvus-unhealthy': ['milvus.health', /not healthy/],
  'auth-required': ['milvus.credentials', /token/],
  'default-password': ['security.default-password', /root password/],
  tarpit: ['tls.handshake', /not a TLS server/],
  refused: ['tcp.connect', /nothing listens/],
  'plaintext-front': ['tls.handshake', /does not terminate TLS/],
  'service-loadbalancer': ['k8s.service.clusterip', /ClusterIP/],
  'port-unnamed': ['k8s.service.port-named', /name the 19530 port/],
  'app-protocols-by-number': ['http2.grpc', /backend service \S+ protocol HTTP \(Compute API\), not HTTP2.*app-protocols .*port by its name.*HTTP\/1\.1/],
  'app-protocols-alpha-leftover': ['gcp.service.app-protocols', /HTTP2/],
  'neg-missing': ['gcp.service.neg', /NEG/],
  'backendconfig-wrong-port': ['gcp.backendconfig.health-check', /9091/],
  'backendconfig-on-ingress': ['gcp.service.backend-config', /from the Service, not the Ingress/],
  'backendconfig-missing': ['gcp.service.backend-config', /missing BackendConfig/],
  'ingressclass-missing': ['k8s.ingress.class', /IngressClass/],
  'tls-secret-key-mismatch': ['k8s.tls-secret', /not the key of tls\.crt/],
  'tls-secret-expired': ['tls.validity', /renew/],
  'managed-cert-provisioning': ['gcp.managed-certificate', /not to the Ingress IP/],
  'plaintext-backend': ['http2.grpc', /speaks HTTP2 and every endpoint is HEALTHY \(2\/2, Compute API\).*tlsMode 1 \(it is 0\)/],
  'mtls-backend': ['http2.grpc', /every endpoint is HEALTHY .*Compute API.*tlsMode 2/],
  'build-model-event': ['k8s.ingress.events', /subnets/],
  'target-type-instance': ['aws.ingress.target-type', /NodePort/],
  'healthz-not-ready-pod': ['healthz.pods', /components/],
  'backend-service-http': ['http2.grpc', /backend service \S+ protocol HTTP \(Compute API\), not HTTP2.*app-protocols .*port by its name.*HTTP\/1\.1/],
  // The 502 findings below name the NEG health the Compute API reports, and the checks that explain it.
  'hc-wrong-port': ['http2.grpc', /endpoints not HEALTHY per NEG of \S+ \(Compute API\): .*19530 UNHEALTHY.*gcp\.health-check\.config/],
  'firewall-missing-9091': ['http2.grpc', /endpoints not HEALTHY per NEG of \S+ \(Compute API\): .*19530 UNHEALTHY.*gcp\.firewall\.health-check/],
  'neg-endpoint-unhealthy': ['gcp.neg.health', /healthz/],
  'neg-empty': ['http2.grpc', /every NEG of \S+ is empty \(Compute API/],
  'neg-stale': ['gcp.neg.health', /healthz/],
  'backend-timeout-30s': ['gcp.backend-service.timeout', /timeoutSec/],
  'port-80-open': ['gcp.ingress.allow-http', /allow-http/],
  'ssl-cert-mismatch': ['gcp.target-proxy.certificates', /renewed Secret/],
  'managed-cert-failed-not-visible': ['gcp.target-proxy.certificates', /FAILED_NOT_VISIBLE/],
  'url-map-no-host-rule': ['http2.grpc', /the URL map \S+ has no host rule for \S+ \(Compute API\).*default service \S+.*ingress-gce has not synced it/],
  'url-map-not-created-yet': ['gcp.url-map.host-rule', /--wait/],
  'firewall-shared-vpc': ['http2.grpc', /endpoints not HEALTHY per NEG of \S+ \(Compute API\): .*19530 UNHEALTHY.*gcp\.firewall\.health-check/],
  'tg-http1': ['http2.grpc', /ProtocolVersion HTTP1 \(AWS API\): the Ingress \S+ has no backend-protocol-version/],
  'targets-unhealthy': ['aws.targets.healthy', /ResponseCodeMismatch/],
  'target-timeout': ['aws.targets.healthy', /security group/],
  'target-not-in-use': ['aws.targets.healthy', /zone is not enabled/],
  'targets-stale': ['aws.targets.healthy', /not synced the targets/],
  'lb-provisioning': ['aws.lb.state', /--wait/],
  'acm-expired': ['tls.validity', /renew/],
  'acm-wrong-region': ['aws.acm.region', /its own region/],
  'acm-no-chain': ['tls.chain', /intermediate/],
  'acm-other-domain': ['tls.san', /SAN/],
  'listener-http-open': ['aws.listener.http-closed', /plaintext port/],
  'ssl-policy-tls10': ['aws.listener.tls-policy', /TLS 1\.0\/1\.1/],
  'http2-disabled': ['alpn.h2', /HTTP\/2/],
  'lb-internal': ['aws.lb.scheme', /not replaced/],
};

export async function assertFault(fault: LabFaultInfo): Promise<void> {
  const name = fault.name;
  const run = await runCli(['lab', '--fault', name, '--output', 'json']);
  const report = parseReport(run);
  const verdicts = verdictsOf(report);
  for (const id of fault.expectFail) expect(verdicts.get(id), `${id} under ${name}`).toBe('fail');
  const unrelated = report.checks.filter((c) => c.verdict === 'fail' && !fault.expectFail.includes(c.id));
  expect(unrelated.map((c) => `${c.id}: ${c.observed}`), `unrelated failures under ${name}`).toEqual([]);
  const errors = report.checks.filter((c) => c.verdict === 'error');
  expect(errors.map((c) => `${c.id}: ${c.observed}`)).toEqual([]);
  for (const id of fault.expectWarn ?? []) expect(verdicts.get(id), `${id} under ${name}`).toBe('warn');
  // A fault whose findings are warnings (port-80-open) is diagnosed by them, and exits 0.
  const diagnosedBy = fault.expectFail.length > 0 ? fault.expectFail : (fault.expectWarn ?? []);
  const failing = report.checks.filter((c) => diagnosedBy.includes(c.id));
  const said = failing.map((c) => [c.observed, c.hint, c.fix].join(' | ')).join('\n');
  expect(SAYS[name], `a diagnosis pattern for ${name}`).toBeDefined();
  expect(said).toMatch(SAYS[name]);
  if (fault.provider !== 'any') expect(report.target.provider).toBe(fault.provider);
  for (const c of failing) {
    expect(c.hint, c.id).toBeTruthy();
    expect(c.expected, c.id).toBeTruthy();
    expect(c.docs, c.id).toMatch(/^docs\/checks\.md#/);
  }
  const [lookId, lookSays] = LOOK_FIRST[name] ?? [];
  expect(lookId, `a look-first expectation for ${name}`).toBeDefined();
  expect(report.lookFirst?.id, `look first under ${name}`).toBe(lookId);
  expect(report.lookFirst?.hint).toMatch(lookSays ?? /./);
  // "Look first" never contradicts a passing check: its check itself did not pass.
  expect(report.checks.find((c) => c.id === lookId)?.verdict).not.toBe('pass');
  expect(run.code).toBe(fault.expectFail.length > 0 ? 1 : 0);
}
