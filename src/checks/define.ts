// A check is a small declarative record (after linkerd's healthcheck): the healthy state as its title,
// a hint, a fix, why it matters, and one pure function from Facts to a Judgement.
import type { Area, Outcome, ProbeErrorInfo, Severity } from '../model.js';
import type { Facts, JudgeOptions } from '../facts/types.js';
import type { SourceKey } from '../sources/values.js';

export type Judgement =
  | { readonly verdict: 'pass'; readonly observed?: string; readonly evidence?: Record<string, string> }
  | {
      readonly verdict: 'warn' | 'fail';
      readonly expected: string;
      readonly observed: string;
      /** Overrides the catalogue hint when the facts say something more precise. */
      readonly hint?: string;
      readonly fix?: string;
      readonly evidence?: Record<string, string>;
    }
  | { readonly verdict: 'skip'; readonly reason: string }
  | { readonly verdict: 'blocked'; readonly blockedBy: string; readonly reason: string }
  | { readonly verdict: 'error'; readonly observed: string; readonly hint?: string; readonly evidence?: Record<string, string> };

export interface CheckDef {
  readonly id: string;
  readonly area: Area;
  /** The healthy state, e.g. "the served chain is complete and in order". */
  readonly title: string;
  readonly severity: Severity;
  /** One line: what to do when it fails. */
  readonly hint: string;
  /** A ready command or manifest fragment, where one exists. */
  readonly fix?: string;
  /** Why it matters, for `explain` and docs/checks.md. */
  readonly why: string;
  /** The sources whose facts the judge reads: gather runs these (and what they need), and nothing else. */
  readonly needs: readonly SourceKey[];
  /**
   * Sources the judge reads only to say more, when another selected check gathered them: never gathered for
   * this check alone. http2.grpc names the ALB's or the URL map's state behind a status when the cloud checks
   * run, but a run with them skipped (no cloud credentials, or `--skip aws`) makes no cloud call for it.
   */
  readonly uses?: readonly SourceKey[];
  /** Where the check applies; elsewhere it is skipped without judging, and its needs are not gathered. */
  readonly appliesTo?: { readonly provider?: 'aws' | 'gcp'; readonly mode?: 'live' | 'offline' };
  /** Its warning is a state that settles by itself (an ALB provisioning, targets in `initial`): --wait waits it out. */
  readonly settles?: true;
  readonly judge: (facts: Facts, options: JudgeOptions) => Judgement;
}

export function defineChecks(checks: readonly CheckDef[]): readonly CheckDef[] {
  return checks;
}

/** Used when a fact this check needs is missing: the check is blocked by the check that owns the fact. */
export type Needed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly judgement: Judgement };

/**
 * Unwraps an outcome. `owner` is the id of the check that judges this outcome itself: when the
 * outcome errored, this check is blocked by the owner; when it was skipped because something
 * upstream failed, it is blocked by that; when it was skipped as not applicable, it is skipped.
 */
export function need<T>(outcome: Outcome<T>, owner: string): Needed<T> {
  switch (outcome.status) {
    case 'ok':
      return { ok: true, value: outcome.value };
    case 'error':
      return { ok: false, judgement: { verdict: 'blocked', blockedBy: owner, reason: `${owner}: ${outcome.error.message}` } };
    case 'skipped':
      return { ok: false, judgement: skippedJudgement(outcome) };
  }
}

/** A fact that was not gathered: blocked when something upstream failed, else not applicable. */
export function skippedJudgement(outcome: { readonly reason: string; readonly blockedBy?: string }): Judgement {
  return outcome.blockedBy
    ? { verdict: 'blocked', blockedBy: outcome.blockedBy, reason: outcome.reason }
    : { verdict: 'skip', reason: outcome.reason };
}

/** A probe cut short by Ctrl-C says nothing about the deployment: its check could not run. */
export function interrupted(outcome: Outcome<unknown>): Judgement | null {
  return outcome.status === 'error' && outcome.error.code === 'PROBE_ABORTED'
    ? { verdict: 'error', observed: 'the run was interrupted before this probe finished', hint: 'run the doctor again' }
    : null;
}

/**
 * Why `appliesTo` rules a check out for this provider and mode, or null. A provider of null is not known
 * yet (before gather: it may still be discovered), so it rules nothing out; 'unknown' after gather does.
 */
export function outOfScope(def: CheckDef, provider: Facts['target']['provider'] | null, offline: boolean): string | null {
  const wanted = def.appliesTo?.provider;
  if (wanted && provider !== null && provider !== wanted) {
    return `not ${wanted === 'aws' ? 'an AWS' : 'a GKE'} deployment (provider ${provider}${provider === 'unknown' ? '; use --provider' : ''})`;
  }
  const mode = def.appliesTo?.mode;
  if (mode && offline !== (mode === 'offline')) return mode === 'live' ? 'offline (--manifests): needs a live cluster' : 'live: judged offline only';
  return null;
}

/** Why a check does not apply to these facts (another provider, offline), or null. Without a cluster, the judge says. */
export function notApplicable(def: CheckDef, facts: Facts): string | null {
  return facts.k8s ? outOfScope(def, facts.target.provider, facts.k8s.source === 'manifests') : null;
}

/** The verdict of a check: not applicable here, or what its judge says. */
export function judgeCheck(def: CheckDef, facts: Facts, options: JudgeOptions): Judgement {
  const na = notApplicable(def, facts);
  return na !== null ? { verdict: 'skip', reason: na } : def.judge(facts, options);
}

/** A deadline that passed: the probe's own (<LAYER>_<PHASE>_TIMEOUT), gRPC's DEADLINE_EXCEEDED, or the runner's. */
export function isTimeout(error: ProbeErrorInfo): boolean {
  return /(_TIMEOUT|_DEADLINE_EXCEEDED)$/.test(error.code);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A probe that failed, judged: a timeout says it timed out (and how long was allowed), never another
 * cause's hint; anything else shows its code and message.
 */
export function probeFailed(error: ProbeErrorInfo, expected: string, hint?: string, facts?: Facts): Judgement {
  if (isTimeout(error)) {
    const ms = typeof error.detail?.ms === 'number' ? error.detail.ms : null;
    const late = facts?.loopDelay?.maxMs ?? 0;
    // Timers that fired late mean the doctor's own machine was busy: say so rather than blame the network.
    const busy = late >= 250 ? `; the doctor's own timers fired up to ${late} ms late: this machine was busy, so run again or raise --timeout` : '';
    return {
      verdict: 'fail',
      expected,
      observed: `no answer within ${ms !== null ? seconds(ms) : 'the deadline'} (${error.code}${error.message ? `: ${error.message}` : ''})`,
      hint: `the call timed out: the load balancer or Milvus did not answer in time (a tarpit, a dropped connection, an overloaded backend); if the path is just slow, raise --timeout${busy}`,
      ...(late > 0 ? { evidence: { eventLoopLateMs: String(late) } } : {}),
    };
  }
  return { verdict: 'fail', expected, observed: `${error.code}: ${error.message}`, ...(hint ? { hint } : {}) };
}

/**
 * Fixes and hints are written with placeholders (<namespace>, <host>…); the ones the run knows are filled
 * in, so the command is ready to paste. What stays is truly unknown here, and the text says where to find it.
 */
export function fillKnown(text: string, facts: Facts): string {
  const sel = facts.selection.status === 'ok' ? facts.selection.value : null;
  const services = facts.k8s?.services.status === 'ok' ? facts.k8s.services.value : [];
  const svc = services.find((s) => s.name === sel?.service);
  const release = facts.k8s?.requested.release ?? svc?.labels['app.kubernetes.io/instance'] ?? null;
  const known: Record<string, string | null | undefined> = {
    namespace: sel?.namespace ?? facts.k8s?.namespace,
    ns: sel?.namespace ?? facts.k8s?.namespace,
    host: facts.target.host,
    address: facts.target.address,
    ingress: sel?.ingress,
    service: sel?.service,
    release,
  };
  return text.replace(/<(namespace|ns|host|address|ingress|service|release)>/g, (m, key: string) => known[key] ?? m);
}
