// What the Compute checks share: how a Compute read that failed becomes a verdict (403 and silence are
// `error`, could not run; a 404 of a named resource is the finding itself, since the controller has not
// created it), and the Kubernetes objects the checks trace a Compute state back to.
import type { Facts, JudgeOptions } from '../../facts/types.js';
import type { Outcome } from '../../model.js';
import type { Judgement } from '../define.js';
import { k8sView } from '../k8s/view.js';
import type { IngressFact, ServiceFact } from '../../platform/k8s/types.js';
import type { GcpValues } from '../../sources/gcp/values.js';

export type GotGcp<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly judgement: Judgement };

const NOT_READ = 'the Compute API was not read in this run';

export function gcpOutcome<F extends keyof GcpValues>(facts: Facts, field: F): Outcome<GcpValues[F]> {
  return (facts.gcp?.[field] as Outcome<GcpValues[F]> | undefined) ?? { status: 'skipped', reason: NOT_READ };
}

export function gotGcp<F extends keyof GcpValues>(facts: Facts, field: F, onNotFound?: (message: string) => Judgement): GotGcp<GcpValues[F]> {
  const o = gcpOutcome(facts, field);
  switch (o.status) {
    case 'ok':
      return { ok: true, value: o.value };
    case 'skipped':
      return { ok: false, judgement: o.blockedBy ? { verdict: 'blocked', blockedBy: o.blockedBy, reason: o.reason } : { verdict: 'skip', reason: o.reason } };
    case 'error': {
      const e = o.error;
      if (e.code === 'GCP_NOT_FOUND' && onNotFound) return { ok: false, judgement: onNotFound(e.message) };
      const hint =
        e.code === 'GCP_PERMISSION_DENIED'
          ? 'grant the doctor the custom role in fixtures/gcp/doctor-role.yaml (gcloud iam roles create … --file fixtures/gcp/doctor-role.yaml)'
          : e.code === 'GCP_UNAUTHENTICATED' || e.code === 'GCP_NO_CREDENTIALS'
            ? 'refresh the credentials: GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth print-access-token), or gcloud auth application-default login'
            : e.code === 'GCP_TIMEOUT' || e.code === 'GCP_UNREACHABLE'
              ? 'check the network path to the Compute API (or --gcp-endpoint) and run again; raise --timeout on a slow link'
              : undefined;
      return { ok: false, judgement: { verdict: 'error', observed: `${e.code}: ${e.message}`, ...(hint ? { hint } : {}) } };
    }
  }
}

/**
 * How long ingress-gce may take to build a new Ingress's load balancer: Google documents "a few minutes",
 * and on a busy project it takes up to about ten. A resource still missing after that will not appear.
 */
export const YOUNG_INGRESS_MS = 10 * 60_000;

function age(ms: number): string {
  if (ms < 120_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} days`;
}

/** The selected Ingress's age at judging time, or null when there is no Ingress or no creationTimestamp. */
export function ingressAgeMs(facts: Facts, now: string): number | null {
  const created = clusterSide(facts).ing?.createdAt;
  const t = created ? Date.parse(created) : NaN;
  return Number.isFinite(t) ? Date.parse(now) - t : null;
}

/**
 * A 404 of a resource ingress-gce named, judged by the check that owns the read. While the Ingress is young
 * the controller is still creating it: a warning that settles by itself (the owner is `settles`, so --wait
 * waits it out). On an older Ingress it will not appear by waiting: it was deleted behind the controller's
 * back, or the controller fails, and that fails at once.
 */
export function notCreated(facts: Facts, options: JudgeOptions, what: string, annotation: string | null): (message: string) => Judgement {
  const { ing } = clusterSide(facts);
  const ms = ingressAgeMs(facts, options.now);
  const expected = `${what}${annotation ? ` (named by ${annotation})` : ''}`;
  const describe = ing ? `kubectl -n ${ing.namespace} describe ingress ${ing.name}` : 'kubectl describe ingress <ingress>';
  return (message) => {
    if (ing && ms !== null && ms < YOUNG_INGRESS_MS) {
      return {
        verdict: 'warn',
        expected,
        observed: `${message}; the Ingress ${ing.name} was created ${age(ms)} ago`,
        hint: 'the controller has not created it yet: a new Ingress\'s load balancer takes a few minutes (--wait waits it out)',
        fix: describe,
      };
    }
    return {
      verdict: 'fail',
      expected,
      observed: ing && ms !== null ? `${message}; the Ingress ${ing.name} is ${age(ms)} old` : message,
      hint:
        ing && ms !== null
          ? `ingress-gce should have created it minutes after the Ingress: it was deleted outside Kubernetes, or the controller fails to sync (its Sync/Translate events say why); ingress-gce recreates it on its next successful sync`
          : 'the controller has not created it yet (a new Ingress takes minutes: run with --wait), or it was deleted outside Kubernetes; kubectl describe ingress shows the Sync events',
      fix: describe,
    };
  };
}

/** A 404 met by a check that does not own the read: the owner reports it once; this one is blocked by it. */
export function behind(owner: string): (message: string) => Judgement {
  return (message) => ({ verdict: 'blocked', blockedBy: owner, reason: message });
}

export interface ClusterSide {
  readonly ing: IngressFact | null;
  readonly svc: ServiceFact | null;
  readonly host: string | null;
}

export function clusterSide(facts: Facts): ClusterSide {
  const v = k8sView(facts);
  return { ing: v?.ing ?? null, svc: v?.svc ?? null, host: v?.host ?? facts.target.host };
}

export function gcloud(args: string, project: string | null): string {
  return `gcloud compute ${args}${project ? ` --project ${project}` : ''}`;
}

export function projectOf(facts: Facts): string | null {
  const a = gcpOutcome(facts, 'access');
  return a.status === 'ok' ? a.value.project : null;
}

/** The load balancer's health-check source ranges (Google front ends). */
export const PROBE_RANGES = ['130.211.0.0/22', '35.191.0.0/16'] as const;
