// A realistic run with every verdict, for the reporters' tests and for looking at the live view by hand
// (`node dist/reporters/demo.js`). Values are modelled on the failures DESIGN.md §2 describes.
import type { CheckResult, Report } from '../src/model.js';
import { summarize } from '../src/model.js';
import type { DoctorReporter, GatherStep } from './types.js';

export const SAMPLE_SECRET = 's3cr3t-t0ken-value';

export const SAMPLE_TARGET: Report['target'] = {
  host: 'milvus.example.com',
  address: '203.0.113.10',
  port: 443,
  provider: 'gcp',
  namespace: 'milvus',
};

export const SAMPLE_STEPS: readonly GatherStep[] = [
  { key: 'dns', label: 'resolve milvus.example.com' },
  { key: 'tls', label: 'TLS handshake with SNI milvus.example.com' },
  { key: 'http2Host', label: 'HTTP/2 POST with :authority milvus.example.com' },
  { key: 'k8s.ingress', label: 'read Ingress milvus/milvus' },
  { key: 'gcp.backendService', label: 'read backend service' },
];

export const SAMPLE_STEP_RESULTS: readonly { key: string; status: 'ok' | 'error' | 'skipped'; ms: number }[] = [
  { key: 'dns', status: 'ok', ms: 4 },
  { key: 'tls', status: 'ok', ms: 38 },
  { key: 'k8s.ingress', status: 'ok', ms: 61 },
  { key: 'http2Host', status: 'error', ms: 112 },
  { key: 'gcp.backendService', status: 'error', ms: 240 },
];

export const SAMPLE_CHECKS: readonly CheckResult[] = [
  {
    id: 'dns.resolves',
    area: 'dns',
    title: 'the host resolves to the load balancer address',
    severity: 'critical',
    verdict: 'pass',
    durationMs: 4,
    observed: '203.0.113.10',
    docs: 'docs/checks.md#dns.resolves',
  },
  {
    id: 'tls.expiry',
    area: 'tls',
    title: 'the certificate is valid for at least 14 more days',
    severity: 'minor',
    verdict: 'warn',
    durationMs: 1,
    expected: 'notAfter ≥ 14 days from now',
    observed: 'expires in 9 days (2025-12-01T00:00:00Z)',
    hint: 'renew the certificate or check that cert-manager/ManagedCertificate renewal works',
    docs: 'docs/checks.md#tls.expiry',
    evidence: { notAfter: '2025-12-01T00:00:00Z', issuer: 'CN=Example Intermediate' },
  },
  {
    id: 'http2.authority-routed',
    area: 'http2',
    title: 'a request with :authority = host reaches Milvus, not the default backend',
    severity: 'critical',
    verdict: 'fail',
    durationMs: 112,
    expected: ':status 200 with content-type application/grpc',
    observed: ':status 404 text/html from the default backend <h1>Not Found</h1> & "quotes" \'apos\'\u0007bell',
    hint: 'the Ingress host rule does not match the name clients use; set spec.rules[].host to milvus.example.com',
    fix: 'kubectl -n milvus patch ingress milvus --type=json \\\n  -p \'[{"op":"replace","path":"/spec/rules/0/host","value":"milvus.example.com"}]\'',
    docs: 'docs/checks.md#http2.authority-routed',
    evidence: { status: '404', 'content-type': 'text/html', authorization: `Bearer ${SAMPLE_SECRET}` },
  },
  {
    id: 'grpc.get-version',
    area: 'grpc',
    title: 'GetVersion through the load balancer returns a version',
    severity: 'critical',
    verdict: 'blocked',
    durationMs: 0,
    blockedBy: 'http2.authority-routed',
    reason: 'requests do not reach Milvus',
  },
  {
    id: 'aws.target-group-grpc',
    area: 'aws',
    title: 'the target group speaks gRPC to ip targets',
    severity: 'critical',
    verdict: 'skip',
    durationMs: 0,
    reason: 'provider is gcp',
  },
  {
    id: 'gcp.backend-http2',
    area: 'gcp',
    title: 'the backend service uses protocol HTTP2',
    severity: 'major',
    verdict: 'error',
    durationMs: 240,
    observed: `403 PERMISSION_DENIED: compute.backendServices.get (token ${SAMPLE_SECRET})`,
    hint: 'grant roles/compute.viewer to the identity running the doctor',
    docs: 'docs/checks.md#gcp.backend-http2',
  },
  {
    id: 'k8s.ingress-class',
    area: 'k8s',
    title: 'the Ingress names the gce ingress class',
    severity: 'major',
    verdict: 'pass',
    durationMs: 0,
  },
];

export function sampleReport(checks: readonly CheckResult[] = SAMPLE_CHECKS): Report {
  return {
    version: '0.1.0',
    target: SAMPLE_TARGET,
    startedAt: '2025-11-22T00:00:00.000Z',
    durationMs: 1234,
    summary: summarize(checks),
    checks,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Drives a reporter through a whole run, in the order the engine calls the hooks. */
export async function playSampleRun(reporter: DoctorReporter, delayMs = 0, report: Report = sampleReport()): Promise<void> {
  reporter.onRunStart?.({ target: report.target, startedAt: report.startedAt, checkCount: report.checks.length });
  reporter.onGatherStart?.(SAMPLE_STEPS);
  for (const s of SAMPLE_STEP_RESULTS) {
    if (delayMs) await sleep(delayMs);
    reporter.onGatherStep?.(s.key, s.status, s.ms);
  }
  for (const c of report.checks) {
    if (delayMs) await sleep(delayMs);
    reporter.onCheck?.(c);
  }
  await reporter.onEnd(report);
}
