// What every Kubernetes, AWS and GCP check starts from: the snapshot, the discovered Service and Ingress,
// the provider and the host, computed once per Facts object. And how a read that failed becomes a verdict:
// permission denied or an unreachable API is `error` (could not run), never pass or fail.
import type { Facts } from '../../facts/types.js';
import type { Outcome } from '../../model.js';
import type { Judgement } from '../define.js';
import type { Provider } from '../../platform/k8s/discover.js';
import type { IngressFact, K8sFacts, ServiceFact } from '../../platform/k8s/types.js';
import type { SourceKey } from '../../sources/values.js';

/** What every check over the Kubernetes objects reads: the selection and the objects it names. */
export const K8S_OBJECTS: readonly SourceKey[] = ['selection', 'k8s.services', 'k8s.ingresses'];

export interface K8sView {
  readonly k8s: K8sFacts;
  readonly provider: Provider;
  readonly svc: ServiceFact | null;
  readonly ing: IngressFact | null;
  readonly host: string | null;
  readonly notes: readonly string[];
}

export const NO_K8S = 'no cluster or manifests to read (--kubeconfig/--context or --manifests)';

const views = new WeakMap<Facts, K8sView>();

export function k8sView(facts: Facts): K8sView | null {
  const k8s = facts.k8s;
  if (!k8s) return null;
  const cached = views.get(facts);
  if (cached) return cached;
  // The selection decided once in gather: the objects judged are the ones that were read for.
  const sel = facts.selection.status === 'ok' ? facts.selection.value : null;
  const svc = (k8s.services.status === 'ok' && sel ? k8s.services.value.find((s) => s.name === sel.service) : undefined) ?? null;
  const ing = (k8s.ingresses.status === 'ok' && sel ? k8s.ingresses.value.find((i) => i.name === sel.ingress) : undefined) ?? null;
  const provider = facts.target.provider;
  const host = facts.target.host ?? sel?.host ?? null;
  const view = { k8s, provider, svc, ing, host, notes: sel?.notes ?? [] };
  views.set(facts, view);
  return view;
}

export type Got<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly judgement: Judgement };

/**
 * Unwraps a Kubernetes read. An error (403 naming verb and resource, API unreachable, timeout) makes the
 * check `error`: it could not run. `onNotFound` turns a 404 into the check's own finding when the
 * absence is the finding (a missing Secret), otherwise a 404 is also `error`.
 */
export function got<T>(outcome: Outcome<T>, onNotFound?: (message: string) => Judgement): Got<T> {
  switch (outcome.status) {
    case 'ok':
      return { ok: true, value: outcome.value };
    case 'skipped':
      return outcome.blockedBy
        ? { ok: false, judgement: { verdict: 'blocked', blockedBy: outcome.blockedBy, reason: outcome.reason } }
        : { ok: false, judgement: { verdict: 'skip', reason: outcome.reason } };
    case 'error': {
      const e = outcome.error;
      if (e.code === 'K8S_NOT_FOUND' && onNotFound) return { ok: false, judgement: onNotFound(e.message) };
      const hint =
        e.code === 'K8S_FORBIDDEN'
          ? 'grant the doctor read access (fixtures/rbac/doctor-role.yaml) or run with a context that has it'
          : e.code === 'K8S_UNREACHABLE' || e.code === 'K8S_TIMEOUT'
            ? 'check the kubeconfig server, VPN/bastion and --context; `kubectl get --raw /version` should answer'
            : undefined;
      return { ok: false, judgement: { verdict: 'error', observed: `${e.code}: ${e.message}`, ...(hint ? { hint } : {}) } };
    }
  }
}

/** Views that need the Milvus Service: blocked by k8s.service.exists when there is none. */
export function withService(facts: Facts, body: (v: K8sView, svc: ServiceFact) => Judgement): Judgement {
  const v = k8sView(facts);
  if (!v) return { verdict: 'skip', reason: NO_K8S };
  const services = got(v.k8s.services);
  if (!services.ok) return services.judgement;
  if (!v.svc) return { verdict: 'blocked', blockedBy: 'k8s.service.exists', reason: 'the Milvus Service was not found' };
  return body(v, v.svc);
}

/** Views that need the Ingress routing to Milvus: blocked by k8s.ingress.exists. */
export function withIngress(facts: Facts, body: (v: K8sView, ing: IngressFact, svc: ServiceFact | null) => Judgement): Judgement {
  const v = k8sView(facts);
  if (!v) return { verdict: 'skip', reason: NO_K8S };
  const ingresses = got(v.k8s.ingresses);
  if (!ingresses.ok) return ingresses.judgement;
  if (!v.ing) return { verdict: 'blocked', blockedBy: 'k8s.ingress.exists', reason: 'no Ingress routes to the Milvus Service' };
  return body(v, v.ing, v.svc);
}

export function evidenceOf(entries: Record<string, string | number | boolean | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(entries)) if (val !== null && val !== undefined && val !== '') out[k] = String(val);
  return out;
}

/** Parses an annotation that must hold JSON; null when absent. */
export function annotationJson(annotations: Readonly<Record<string, string>>, key: string): { present: false } | { present: true; value: unknown; error: string | null; raw: string } {
  const raw = annotations[key];
  if (raw === undefined) return { present: false };
  try {
    return { present: true, value: JSON.parse(raw), error: null, raw };
  } catch (e) {
    return { present: true, value: null, error: e instanceof Error ? e.message : String(e), raw };
  }
}

export function isOffline(v: K8sView): boolean {
  return v.k8s.source === 'manifests';
}

/** The Helm release the fix commands name: the one asked for, else the Service's instance label. */
export function release(v: K8sView, svc: ServiceFact): string {
  return v.k8s.requested.release ?? svc.labels['app.kubernetes.io/instance'] ?? '<release>';
}
