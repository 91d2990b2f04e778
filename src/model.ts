// The shared vocabulary of the doctor: areas, verdicts, probe outcomes and the report.
// Everything here is plain JSON so that Facts can cross into vitest workers and into snapshots.

export const AREAS = [
  'dns', 'tcp', 'tls', 'alpn', 'http2', 'grpc', 'milvus', 'healthz', 'k8s', 'aws', 'gcp', 'security',
] as const;
export type Area = (typeof AREAS)[number];

export const VERDICTS = ['pass', 'warn', 'fail', 'skip', 'blocked', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A probe's error, serialisable. `code` is stable and asserted on by tests; `message` is for people. */
export interface ProbeErrorInfo {
  readonly code: string;
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

export interface Report {
  readonly version: string;
  readonly target: Readonly<Record<string, string | number | boolean | null>>;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: Summary;
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
