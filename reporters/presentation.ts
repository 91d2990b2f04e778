// What every human-facing reporter says about a verdict, a duration and a run, in one place so that the
// plain log, the live view and the JUnit bodies agree word for word.
import type { CheckResult, Severity, Summary, Verdict } from '../src/model.js';
import { VERDICTS } from '../src/model.js';
import type { Style } from './color.js';

/** Fixed-width, upper-case, greppable: `grep '^FAIL '` finds every failure in a CI log. */
export const VERDICT_TAG: Readonly<Record<Verdict, string>> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'SKIP',
  blocked: 'BLOCKED',
  error: 'ERROR',
};
export const TAG_WIDTH = Math.max(...Object.values(VERDICT_TAG).map((t) => t.length));

export const VERDICT_SYMBOL: Readonly<Record<Verdict, string>> = {
  pass: '✔',
  warn: '▲',
  fail: '✘',
  skip: '-',
  blocked: '⊘',
  error: '!',
};

export const VERDICT_STYLE: Readonly<Record<Verdict, Style>> = {
  pass: 'green',
  warn: 'yellow',
  fail: 'red',
  skip: 'gray',
  blocked: 'gray',
  error: 'magenta',
};

/** Verdicts that carry a finding worth printing in detail. */
export function needsDetail(verdict: Verdict): boolean {
  return verdict !== 'pass' && verdict !== 'skip';
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${s} s`;
}

/** `3 pass, 1 warn, 2 fail, 0 skip, 1 blocked, 0 error`: every verdict always named, for grep and diff. */
export function formatCounts(summary: Summary): string {
  return VERDICTS.map((v) => `${summary[v]} ${v}`).join(', ');
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, major: 1, minor: 2, info: 3 };
// A failure is a finding about the deployment; an error means the doctor could not look; a warning can wait.
const VERDICT_RANK: Partial<Readonly<Record<Verdict, number>>> = { fail: 0, error: 1, warn: 2 };

/**
 * The one check to look at first: the most severe failure, then errors, then warnings; ties go to the
 * earliest, since later checks are often consequences of earlier layers. Blocked checks point at their
 * prerequisite, which is itself in the list, so they are never the answer.
 */
export function firstToLookAt(checks: readonly CheckResult[]): CheckResult | undefined {
  let best: CheckResult | undefined;
  let bestKey: readonly [number, number] | undefined;
  for (const c of checks) {
    const vr = VERDICT_RANK[c.verdict];
    if (vr === undefined) continue;
    const key = [vr, SEVERITY_RANK[c.severity] ?? 9] as const;
    if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
      best = c;
      bestKey = key;
    }
  }
  return best;
}

/** The closing line: what to look at first, or that there is nothing to look at. */
export function formatLookFirst(checks: readonly CheckResult[]): string {
  const c = firstToLookAt(checks);
  if (!c) {
    if (checks.length === 0) return 'look first: no checks ran';
    return 'look first: nothing; every check that ran passed';
  }
  const why = c.hint ?? c.observed ?? c.title;
  return `look first: ${VERDICT_TAG[c.verdict]} ${c.id}: ${why}${c.docs ? ` (${c.docs})` : ''}`;
}

/** `by tls.handshake: handshake failed`, for a `blocked:` label in the human-facing views. */
export function formatBlockedDetail(c: Pick<CheckResult, 'blockedBy' | 'reason'>): string {
  if (c.blockedBy) return `by ${c.blockedBy}${c.reason ? `: ${c.reason}` : ''}`;
  return c.reason ?? 'a prerequisite did not pass';
}

/** `blocked by tls.handshake: handshake failed` for skipped-because-of-a-prerequisite checks. */
export function formatBlocked(c: Pick<CheckResult, 'blockedBy' | 'reason'>): string {
  if (c.blockedBy) return `blocked by ${c.blockedBy}${c.reason ? `: ${c.reason}` : ''}`;
  return c.reason ?? 'blocked';
}

/**
 * Observed values come from the network (HTTP bodies, gRPC messages, certificate fields): a stray escape
 * sequence must not repaint the operator's terminal. Control characters other than newline and tab are
 * shown as `\xHH`.
 */
export function sanitizeForTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The checks to print now: from `cursor` on, while the next id of `order` has arrived (`held`); with
 * `final`, passing over ids that never came. The plain and live views print in one order with it.
 */
export function releaseInOrder(
  order: readonly string[],
  cursor: number,
  held: ReadonlyMap<string, CheckResult>,
  final: boolean,
): { readonly ready: CheckResult[]; readonly cursor: number } {
  const ready: CheckResult[] = [];
  let at = cursor;
  for (; at < order.length; at++) {
    const next = held.get(order[at]!);
    if (next) ready.push(next);
    else if (!final) break;
  }
  return { ready, cursor: at };
}
