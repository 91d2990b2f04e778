// The shared vocabulary of the doctor: areas, verdicts, probe outcomes and the report.
// Everything here is plain JSON so that Facts can cross into vitest workers and into snapshots.

export const AREAS = [
  'dns', 'tcp', 'tls', 'alpn', 'http2', 'grpc', 'milvus', 'healthz', 'k8s', 'aws', 'gcp', 'security',
] as const;
export type Area = (typeof AREAS)[number];

export const VERDICTS = ['pass', 'warn', 'fail', 'skip', 'blocked', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** gRPC status names, as grpc-js numbers them (0-16). */
export const GRPC_STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;
export type GrpcStatusName = (typeof GRPC_STATUS_NAMES)[number];

/**
 * Every error code the doctor reports: stable, asserted on by tests, never free text. A probe's deadline
 * names its layer and phase (TLS_HANDSHAKE_TIMEOUT); a gRPC failure its layer and the status (MILVUS_UNAVAILABLE).
 */
export type ErrorCode =
  | 'DNS_BAD_SERVER' | 'DNS_NOT_FOUND' | 'DNS_SERVER_FAILED'
  | 'TCP_CONNECT_FAILED' | 'TCP_DNS' | 'TCP_REFUSED' | 'TCP_UNREACHABLE'
  | 'TLS_CONNECTION_RESET' | 'TLS_HANDSHAKE_FAILED' | 'TLS_PLAINTEXT_PEER'
  | 'HTTP2_GOAWAY' | 'HTTP2_NOT_NEGOTIATED' | 'HTTP2_PROTOCOL_ERROR' | 'HTTP2_REFUSED_STREAM'
  | 'GRPC_HEALTH_UNIMPLEMENTED'
  | 'MILVUS_CLIENT_ERROR' | 'MILVUS_EMPTY_VERSION' | 'MILVUS_LATENCY_NO_SAMPLES' | 'MILVUS_STATUS_ERROR'
  | 'HEALTHZ_BAD_URL' | 'HEALTHZ_FAILED' | 'HEALTHZ_REFUSED'
  | 'K8S_API_ERROR' | 'K8S_CANCELLED' | 'K8S_CLIENT_ERROR' | 'K8S_FORBIDDEN' | 'K8S_NOT_FOUND' | 'K8S_PORTFORWARD_FAILED' | 'K8S_TIMEOUT'
  | 'K8S_UNAUTHORIZED' | 'K8S_UNREACHABLE'
  | 'GCP_API_ERROR' | 'GCP_BAD_ANSWER' | 'GCP_CLIENT_ERROR' | 'GCP_NO_CREDENTIALS' | 'GCP_NO_PROJECT' | 'GCP_NOT_FOUND' | 'GCP_PERMISSION_DENIED'
  | 'GCP_UNAUTHENTICATED' | 'GCP_UNREACHABLE'
  | 'K8S_LAB_BAD_SELECTOR' | 'K8S_LAB_FAULT_INPUT' | 'K8S_LAB_FAULT_PROVIDER' | 'K8S_LAB_FAULT_TARGET' | 'K8S_LAB_UNKNOWN_FAULT'
  | 'KUBECONFIG_CONTEXT' | 'KUBECONFIG_INVALID' | 'KUBECONFIG_MISSING'
  | 'LAB_FAULT_CONFLICT' | 'LAB_START_FAILED' | 'LAB_UNKNOWN_FAULT'
  | 'MANIFEST_INVALID_YAML' | 'MANIFEST_NOT_FOUND' | 'RENDER_INVALID' | 'REPORT_WRITE_FAILED' | 'DOCTOR_USAGE'
  | 'PROVISION_FAILED' | 'PROVISION_CERT_INVALID'
  | 'PROBE_ABORTED' | 'PROBE_INTERNAL' | 'SOURCE_TIMEOUT'
  | 'AWS_NO_CREDENTIALS' | 'AWS_NO_REGION' | 'AWS_ACCESS_DENIED' | 'AWS_THROTTLED' | 'AWS_BAD_ANSWER' | 'AWS_API_ERROR' | 'AWS_NOT_FOUND'
  | 'AWS_UNREACHABLE'
  | `${Uppercase<Area>}_${string}_TIMEOUT`
  | `${Uppercase<Area>}_TIMEOUT`
  | `${'GRPC' | 'MILVUS'}_${GrpcStatusName | `CODE_${number}`}`;

/** A probe's error, serialisable. `code` is stable and asserted on by tests; `message` is for people. */
export interface ProbeErrorInfo {
  readonly code: ErrorCode;
  readonly layer: Area;
  readonly message: string;
  readonly detail?: Record<string, string | number | boolean | null>;
}

/**
 * What one probe or reader produced. `skipped` means it was not attempted because it does not apply
 * (no --healthz-url) or because a prerequisite probe failed (`blockedBy` names that probe's fact key).
 */
export type Outcome<T> =
  | { readonly status: 'ok'; readonly value: T; readonly ms: number }
  | { readonly status: 'error'; readonly error: ProbeErrorInfo; readonly ms: number }
  | { readonly status: 'skipped'; readonly reason: string; readonly blockedBy?: string };

/** The skip of an Outcome: not attempted, and why (blockedBy names the check to look at instead). */
export type Skipped = Extract<Outcome<never>, { readonly status: 'skipped' }>;

/** Progress of one probe or read in gather, for the live view. */
export type StepListener = (key: string, status: Outcome<unknown>['status'], ms: number) => void;

/** One judged check, as every reporter sees it. The JSON report's `checks[]` items. */
export interface CheckResult {
  readonly id: string;
  readonly area: Area;
  readonly title: string;
  readonly severity: Severity;
  readonly verdict: Verdict;
  readonly durationMs: number;
  readonly expected?: string;
  readonly observed?: string;
  readonly hint?: string;
  readonly fix?: string;
  readonly docs?: string;
  readonly blockedBy?: string;
  readonly reason?: string;
  readonly evidence?: Readonly<Record<string, string>>;
}

/** How bad a failure of this check is for the deployment: `critical` breaks every call. */
export type Severity = 'critical' | 'major' | 'minor' | 'info';

export type Summary = Record<Verdict, number>;

export type TargetValue = string | number | boolean | null | readonly string[];

export interface Report {
  readonly version: string;
  readonly target: Readonly<Record<string, TargetValue>>;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: Summary;
  /** The root cause to look at first (the check and its one-line hint), so CI can print it; absent when nothing failed or warned. */
  readonly lookFirst?: { readonly id: string; readonly hint: string };
  readonly checks: readonly CheckResult[];
}

export function emptySummary(): Summary {
  return { pass: 0, warn: 0, fail: 0, skip: 0, blocked: 0, error: 0 };
}

export function summarize(checks: readonly CheckResult[]): Summary {
  const s = emptySummary();
  for (const c of checks) s[c.verdict]++;
  return s;
}

export type FailOn = 'fail' | 'warn' | 'never';

/** The exit-code contract (DESIGN.md §4): the same in every output format. */
export const EXIT = { ok: 0, failed: 1, usage: 2, incomplete: 3 } as const;

export function exitCodeFor(summary: Summary, failOn: FailOn): number {
  if (failOn !== 'never') {
    if (summary.fail > 0) return EXIT.failed;
    if (failOn === 'warn' && summary.warn > 0) return EXIT.failed;
  }
  if (summary.error > 0) return EXIT.incomplete;
  return EXIT.ok;
}
