// provision --wait: after the apply, wait for what the controllers build — the Ingress address, the
// certificate (ACM ISSUED / ManagedCertificate Active per domain), target or NEG health — then run the full
// check. The waiting is the doctor's own gather and judging: each thing waited on is the check that judges
// it (k8s.ingress.address, aws.acm.status, gcp.managed-certificate, aws.targets.healthy,
// gcp.ingress.backends), gathered with only what those checks need, as `check --wait` retries. States that
// will not settle end the wait at once with their fix: the controllers' FailedBuildModel /
// FailedDeployModel (AWS) and Translate / Sync (GCP) Warning events, an ACM certificate FAILED (or expired,
// revoked), a ManagedCertificate FailedNotVisible while the host does not resolve to the Ingress IP.
// Progress goes to stderr (stdout is the check's report): one line per change, or the live ink view on a TTY.
import { setTimeout as sleep } from 'node:timers/promises';
import { findCheck } from '../catalog.js';
import { judgeCheck, type Judgement } from '../checks/define.js';
import { EVENT_MEANINGS } from '../checks/k8s/ingress-events.js';
import { rootNeeds } from '../checks/needs.js';
import type { RunConfig } from '../cli/config.js';
import type { Io } from '../cli/run-check.js';
import type { Facts, JudgeOptions } from '../facts/types.js';
import { gather } from '../gather/gather.js';
import { planSources, prepareSources } from '../gather/plan.js';
import { EXIT } from '../model.js';
import type { EventFact } from '../platform/k8s/types.js';

export interface WaitRequest {
  readonly provider: 'aws' | 'gcp';
  readonly namespace: string;
  /** The Ingress name provision applied. */
  readonly ingress: string;
  readonly host: string;
  /** From --wait: the whole wait, the check that follows included. */
  readonly deadlineMs: number;
  /** The resolved check config for the check that follows. */
  readonly config: RunConfig;
  /** The check that follows: the CLI hands its own runCheck down, so provision never imports the CLI's code. */
  readonly runCheck: CheckRunner;
}

export type CheckRunner = (config: RunConfig, io: Io, signal: AbortSignal) => Promise<number>;

/** One thing waited on, and the check whose verdict says it is there. */
export interface WaitItem {
  readonly id: 'address' | 'certificate' | 'health';
  readonly label: string;
  readonly check: string;
}

export function waitItems(provider: 'aws' | 'gcp'): readonly WaitItem[] {
  return provider === 'aws'
    ? [
        { id: 'address', label: 'the Ingress address (the ALB)', check: 'k8s.ingress.address' },
        { id: 'certificate', label: 'the ACM certificate ISSUED', check: 'aws.acm.status' },
        { id: 'health', label: 'the targets healthy', check: 'aws.targets.healthy' },
      ]
    : [
        { id: 'address', label: 'the Ingress address (the GCLB IP)', check: 'k8s.ingress.address' },
        { id: 'certificate', label: 'the certificate (a ManagedCertificate Active per domain)', check: 'gcp.managed-certificate' },
        { id: 'health', label: 'the NEG backends HEALTHY', check: 'gcp.ingress.backends' },
      ];
}

/** The event check: read for the controllers' terminal Warning events. */
const EVENTS_CHECK = 'k8s.ingress.events';

/** The controllers' Warning reasons that a retry of the same objects will not clear. */
const TERMINAL_REASONS: Readonly<Record<'aws' | 'gcp', readonly string[]>> = {
  aws: ['FailedBuildModel', 'FailedDeployModel'],
  gcp: ['Translate', 'Sync'],
};

/** ACM states a certificate never leaves by itself. */
const ACM_TERMINAL = /^Status (FAILED|EXPIRED|REVOKED|VALIDATION_TIMED_OUT|INACTIVE)\b/;

/**
 * A Warning event counts when it was (re)emitted after this moment: older ones may be from the objects as
 * they were before the apply (events live an hour), while a controller that still fails re-emits.
 */
const EVENT_WINDOW_MS = 30_000;

export type ItemState = { readonly item: WaitItem; readonly state: 'ready' | 'waiting'; readonly detail: string };

export interface Terminal {
  /** What was seen, verbatim. */
  readonly observed: string;
  /** What it means and what to do. */
  readonly fix: string;
}

export interface WaitAssessment {
  readonly items: readonly ItemState[];
  readonly terminal: Terminal | null;
}

function detailOf(j: Judgement): string {
  switch (j.verdict) {
    case 'pass':
      return j.observed ?? 'ok';
    case 'skip':
      return `not applicable: ${j.reason}`;
    case 'blocked':
      return `waiting on ${j.blockedBy}: ${j.reason}`;
    case 'error':
      return j.observed;
    default:
      return j.observed;
  }
}

/**
 * Where the wait stands, from the verdicts of the checks waited on and the Ingress events: each item ready
 * (pass, or not applicable: a Secret instead of a managed certificate) or waiting, and a terminal state if
 * one was seen.
 */
export function assessWait(provider: 'aws' | 'gcp', verdicts: ReadonlyMap<string, Judgement>, events: readonly EventFact[], since: number, ns: string, ingress: string): WaitAssessment {
  const items = waitItems(provider).map((item): ItemState => {
    const j = verdicts.get(item.check);
    if (!j) return { item, state: 'waiting', detail: 'not judged yet' };
    return { item, state: j.verdict === 'pass' || j.verdict === 'skip' ? 'ready' : 'waiting', detail: detailOf(j) };
  });
  const failing = events.filter((e) => e.type === 'Warning' && e.reason !== null && TERMINAL_REASONS[provider].includes(e.reason) && (e.lastSeen === null || Date.parse(e.lastSeen) >= since));
  if (failing.length > 0) {
    const e = failing[failing.length - 1];
    const meaning = e.reason && EVENT_MEANINGS[e.reason] ? EVENT_MEANINGS[e.reason] : 'the controller could not build the load balancer';
    return { items, terminal: { observed: `Ingress event ${e.reason}: ${e.message}`, fix: `${meaning}; fix what it names, apply again, and see kubectl -n ${ns} describe ingress ${ingress}` } };
  }
  const acm = verdicts.get('aws.acm.status');
  if (provider === 'aws' && acm?.verdict === 'fail' && ACM_TERMINAL.test(acm.observed)) {
    return { items, terminal: { observed: `ACM certificate ${acm.observed}`, fix: acm.fix ?? acm.hint ?? 'reimport or reissue the certificate' } };
  }
  const mc = verdicts.get('gcp.managed-certificate');
  if (provider === 'gcp' && mc?.verdict === 'fail' && /FailedNotVisible/.test(mc.observed) && !/DNS is right/.test(mc.hint ?? '')) {
    return { items, terminal: { observed: `ManagedCertificate ${mc.observed}`, fix: `${mc.hint ?? 'point the host\'s DNS at the Ingress IP'}: Google validates the domain only through the Ingress IP, so it will not turn Active until DNS does` } };
  }
  return { items, terminal: null };
}

/** How the progress is shown: plain lines on change, or the live view (./wait-view.tsx) on a terminal. */
interface Progress {
  update(a: WaitAssessment, elapsedMs: number): void;
  note(line: string): void;
  end(): void;
}

function plainProgress(out: NodeJS.WriteStream): Progress {
  const last = new Map<string, string>();
  return {
    update(a, elapsedMs) {
      for (const s of a.items) {
        const line = `${s.state === 'ready' ? 'ready  ' : 'waiting'} ${s.item.label}: ${s.detail}`;
        if (last.get(s.item.id) === line) continue;
        last.set(s.item.id, line);
        out.write(`wait: ${line} (${Math.round(elapsedMs / 1000)} s)\n`);
      }
    },
    note: (line) => out.write(`wait: ${line}\n`),
    end() {},
  };
}

/** On a terminal, the live view (ink, loaded only then); plain lines if it cannot load. */
async function terminalProgress(out: NodeJS.WriteStream): Promise<Progress> {
  try {
    return (await import('./wait-view.js')).inkWaitProgress(out);
  } catch (e) {
    out.write(`wait: live view unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); plain lines instead\n`);
    return plainProgress(out);
  }
}

function judgeOptions(config: RunConfig): JudgeOptions {
  return { warnDays: config.warnDays, failDays: config.failDays, maxLatencyMs: config.maxLatencyMs, smoke: config.gather.smoke, now: new Date().toISOString() };
}

function eventsOf(facts: Facts): readonly EventFact[] {
  const e = facts.k8s?.ingressEvents;
  return e && e.status === 'ok' ? e.value : [];
}

/** Pause between rounds: controllers reconcile in seconds; the deadline and Ctrl-C cut it short. */
const ROUND_MS = 3000;

export async function waitAndCheck(req: WaitRequest, io: Io, signal: AbortSignal): Promise<number> {
  const started = Date.now();
  const deadline = started + req.deadlineMs;
  const since = started - EVENT_WINDOW_MS;
  const progress = io.stderr.isTTY === true ? await terminalProgress(io.stderr) : plainProgress(io.stderr);
  const ids = [...waitItems(req.provider).map((i) => i.check), EVENTS_CHECK];
  const gatherOptions = req.config.gather;
  const plan = planSources(rootNeeds(ids, gatherOptions), gatherOptions);
  const release = prepareSources(plan, gatherOptions);
  progress.note(`waiting up to ${Math.round(req.deadlineMs / 1000)} s for the load balancer of ingress ${req.namespace}/${req.ingress} (${req.host}), then the full check`);
  let assessment: WaitAssessment | null = null;
  try {
    while (!signal.aborted) {
      const facts = (await gather(gatherOptions, plan, signal)).facts;
      const options = judgeOptions(req.config);
      const verdicts = new Map<string, Judgement>();
      for (const id of ids) {
        const def = findCheck(id);
        if (def) verdicts.set(id, judgeCheck(def, facts, options));
      }
      assessment = assessWait(req.provider, verdicts, eventsOf(facts), since, req.namespace, req.ingress);
      progress.update(assessment, Date.now() - started);
      if (assessment.terminal) break;
      if (assessment.items.every((s) => s.state === 'ready')) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        await sleep(Math.min(ROUND_MS, left), undefined, { signal });
      } catch {
        break;
      }
    }
  } finally {
    progress.end();
    await release();
  }
  if (signal.aborted) return EXIT.incomplete;
  if (assessment?.terminal) {
    progress.note(`stopped waiting: ${assessment.terminal.observed}`);
    progress.note(`  fix: ${assessment.terminal.fix}`);
    return EXIT.failed;
  }
  const pending = assessment?.items.filter((s) => s.state === 'waiting') ?? [];
  if (pending.length > 0) progress.note(`--wait ran out with ${pending.map((s) => s.item.label).join(', ')} still pending; the check shows where things stand`);
  const left = deadline - Date.now();
  // The check's own --wait takes what is left: warnings that settle (targets initial) are waited out there.
  const config: RunConfig = { ...req.config, waitMs: pending.length === 0 && left > 0 ? left : null };
  return req.runCheck(config, io, signal);
}
