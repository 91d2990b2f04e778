// What the Compute checks share: how a Compute read that failed becomes a verdict (403 and silence are
// `error`, could not run; a 404 of a named resource is the finding itself, since the controller has not
// created it), and the Kubernetes objects the checks trace a Compute state back to.
import type { Facts } from '../../facts/types.js';
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

/** A 404 of a resource ingress-gce named: it has not created it yet, or it was deleted behind its back. */
export function notCreated(what: string, annotation: string | null): (message: string) => Judgement {
  return (message) => ({
    verdict: 'fail',
    expected: `${what}${annotation ? ` (named by ${annotation})` : ''}`,
    observed: message,
    hint: 'the controller has not created it yet (a new Ingress takes minutes: run with --wait), or it was deleted outside Kubernetes; kubectl describe ingress shows the Sync events',
  });
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
