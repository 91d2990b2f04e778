// Discovery: from a namespace and a release (or --service), which Service is Milvus, which Ingress routes to
// it, which provider serves that Ingress, and the public host and address, so the data-path checks can run
// with no more flags. Pure functions over the snapshot: live and offline modes discover the same way.
import type { IngressBackendRef, IngressClassFact, IngressFact, K8sFacts, ServiceFact, ServicePortFact } from './types.js';

/** What discovery reads: the namespace's Services, Ingresses and classes (and, when read, the GKE objects). */
export type DiscoveryInput = Pick<K8sFacts, 'namespace' | 'requested' | 'services' | 'ingresses' | 'ingressClasses'> &
  Partial<Pick<K8sFacts, 'backendConfigs' | 'managedCertificates'>>;

export const MILVUS_PORT = 19530;
export const METRICS_PORT = 9091;
export const ALB_CONTROLLER = 'ingress.k8s.aws/alb';
export const GCE_CONTROLLERS = new Set(['k8s.io/ingress-gce', 'networking.gke.io/ingress-gce']);
export const GCE_CLASSES = new Set(['gce', 'gce-internal']);

export type Provider = 'aws' | 'gcp' | 'unknown';


function ok<T>(o: { status: string; value?: T }): T | null {
  return o.status === 'ok' && o.value !== undefined ? o.value : null;
}

/** The Service port that carries Milvus gRPC: port 19530, else a port named `milvus`. */
export function milvusServicePort(svc: ServiceFact): ServicePortFact | null {
  return svc.ports.find((p) => p.port === MILVUS_PORT) ?? svc.ports.find((p) => p.name === 'milvus') ?? null;
}

function isMilvusLike(svc: ServiceFact): boolean {
  return milvusServicePort(svc) !== null;
}

function helmRank(svc: ServiceFact, release: string | null): number {
  const l = svc.labels;
  let rank = 0;
  if (release !== null) {
    if (svc.name === `${release}-milvus` || svc.name === release) rank += 8;
    if (l['app.kubernetes.io/instance'] === release) rank += 4;
  }
  if (l['app.kubernetes.io/name'] === 'milvus') rank += 2;
  if (l.component === 'proxy' || l.component === 'standalone' || svc.selector.component === 'proxy' || svc.selector.component === 'standalone') rank += 1;
  return rank;
}

/** A Service of this Helm release, by the chart's names or its instance label: never another release's. */
function ofRelease(svc: ServiceFact, release: string): boolean {
  return svc.name === release || svc.name.startsWith(`${release}-`) || svc.labels['app.kubernetes.io/instance'] === release;
}

export function routesTo(ref: IngressBackendRef | null, service: string): boolean {
  return ref !== null && ref.serviceName === service;
}

export function ingressRoutesToService(ing: IngressFact, service: string): boolean {
  return routesTo(ing.defaultBackend, service) || ing.rules.some((r) => r.paths.some((p) => routesTo(p, service)));
}

/** The Helm releases of the Milvus-like Services in the namespace, for "no such release" findings. */
export function releasesIn(services: readonly ServiceFact[]): string[] {
  const names = services.filter(isMilvusLike).map((s) => s.labels['app.kubernetes.io/instance'] ?? s.name.replace(/-milvus$/, ''));
  return [...new Set(names)].sort();
}

/** The Milvus Service: --service by name, else by release names/labels, else the one an Ingress routes to. */
export function selectService(facts: DiscoveryInput, notes: string[] = []): ServiceFact | null {
  const services = ok(facts.services);
  if (!services) return null;
  const { service, release } = facts.requested;
  if (service !== null) {
    const s = services.find((x) => x.name === service) ?? null;
    if (!s) notes.push(`no Service named ${service} in ${facts.namespace}`);
    return s;
  }
  const candidates = services.filter(isMilvusLike);
  if (candidates.length === 0) {
    notes.push(`no Service with port ${MILVUS_PORT} in ${facts.namespace}`);
    return null;
  }
  const ingresses = ok(facts.ingresses) ?? [];
  const routed = (s: ServiceFact): number => (ingresses.some((i) => ingressRoutesToService(i, s.name)) ? 16 : 0);
  // A leftover LoadBalancer Service for the same pods must not be taken for the main one.
  const typeRank = (s: ServiceFact): number => (s.type === 'LoadBalancer' && candidates.length > 1 ? -1 : 0);
  const scored = candidates
    .map((s) => ({ s, score: helmRank(s, release) + routed(s) + typeRank(s) }))
    .filter((x) => release === null || ofRelease(x.s, release))
    .sort((a, b) => b.score - a.score || a.s.name.localeCompare(b.s.name));
  if (scored.length === 0) {
    notes.push(`no Service of release ${release} (labels app.kubernetes.io/instance=${release}, or named ${release}-milvus)`);
    return null;
  }
  if (scored.length > 1 && scored[0].score === scored[1].score) {
    notes.push(`several Milvus Services (${scored.map((x) => x.s.name).join(', ')}); took ${scored[0].s.name} (use --service)`);
  }
  return scored[0].s;
}

/** Ingresses that route to the Service; --ingress names one. The host, when known, breaks ties. */
export function selectIngress(facts: DiscoveryInput, service: string | null, host: string | null = null, notes: string[] = []): IngressFact | null {
  const ingresses = ok(facts.ingresses);
  if (!ingresses) return null;
  if (facts.requested.ingress !== null) {
    const i = ingresses.find((x) => x.name === facts.requested.ingress) ?? null;
    if (!i) notes.push(`no Ingress named ${facts.requested.ingress} in ${facts.namespace}`);
    return i;
  }
  if (service === null) return null;
  const routing = ingresses.filter((i) => ingressRoutesToService(i, service));
  if (routing.length === 0) return null;
  if (host !== null) {
    const byHost = routing.find((i) => i.rules.some((r) => r.host === host));
    if (byHost) return byHost;
  }
  if (routing.length > 1) notes.push(`several Ingresses route to ${service} (${routing.map((i) => i.name).join(', ')}); took ${routing[0].name} (use --ingress)`);
  return routing[0];
}

/** The class an Ingress asks for and where it came from. */
export function ingressClassOf(ing: IngressFact): { name: string | null; from: 'spec.ingressClassName' | 'annotation' | 'none' } {
  if (ing.ingressClassName !== null) return { name: ing.ingressClassName, from: 'spec.ingressClassName' };
  const a = ing.annotations['kubernetes.io/ingress.class'];
  if (a !== undefined) return { name: a, from: 'annotation' };
  return { name: null, from: 'none' };
}

function hasKeyPrefix(map: Readonly<Record<string, string>>, prefixes: readonly string[]): boolean {
  return Object.keys(map).some((k) => prefixes.some((p) => k.startsWith(p)));
}

export function detectProvider(facts: DiscoveryInput, ing: IngressFact | null, svc: ServiceFact | null, notes: string[] = []): Provider {
  const classes: readonly IngressClassFact[] = ok(facts.ingressClasses) ?? [];
  if (ing) {
    const cls = ingressClassOf(ing);
    if (cls.from === 'spec.ingressClassName') {
      const found = classes.find((c) => c.name === cls.name);
      if (found?.controller === ALB_CONTROLLER) return 'aws';
      if (found?.controller && GCE_CONTROLLERS.has(found.controller)) return 'gcp';
      if (!found && cls.name === 'alb') {
        notes.push('IngressClass alb was not found; assuming the AWS Load Balancer Controller');
        return 'aws';
      }
    }
    if (cls.from === 'annotation') {
      if (cls.name === 'alb') return 'aws';
      if (cls.name !== null && GCE_CLASSES.has(cls.name)) return 'gcp';
    }
    if (hasKeyPrefix(ing.annotations, ['alb.ingress.kubernetes.io/'])) return 'aws';
    if (hasKeyPrefix(ing.annotations, ['ingress.kubernetes.io/', 'networking.gke.io/', 'ingress.gcp.kubernetes.io/', 'kubernetes.io/ingress.global-static-ip-name'])) return 'gcp';
    if (ing.addresses.some((a) => a.hostname?.endsWith('.elb.amazonaws.com'))) return 'aws';
  }
  if (svc && hasKeyPrefix(svc.annotations, ['cloud.google.com/', 'service.alpha.kubernetes.io/app-protocols'])) return 'gcp';
  if ((facts.backendConfigs ? ok(facts.backendConfigs) ?? [] : []).length > 0) return 'gcp';
  if (ing && ingressClassOf(ing).from === 'none') {
    const dflt = classes.find((c) => c.isDefault);
    if (dflt?.controller === ALB_CONTROLLER) return 'aws';
    notes.push('the Ingress names no class and nothing marks it as ALB or GKE; use --provider');
  }
  return 'unknown';
}

/** The public host: the first non-wildcard rule host, else a tls host. */
export function ingressHost(ing: IngressFact): string | null {
  const ruleHost = ing.rules.map((r) => r.host).find((h): h is string => h !== null && !h.startsWith('*'));
  if (ruleHost) return ruleHost;
  return ing.tls.flatMap((t) => t.hosts).find((h) => !h.startsWith('*')) ?? null;
}

export function ingressAddress(ing: IngressFact): string | null {
  const a = ing.addresses[0];
  return a ? a.hostname ?? a.ip : null;
}


/** Whether a certificate/TLS host pattern covers the host (one-label wildcards, case-insensitive). */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (p.startsWith('*.')) {
    const rest = p.slice(1);
    return h.endsWith(rest) && !h.slice(0, -rest.length).includes('.') && h.length > rest.length;
  }
  return false;
}

/** The Secret the Ingress serves for the host: the tls entry listing it, else the first with a secret. */
export function tlsSecretNameFor(ing: IngressFact, host: string | null): string | null {
  const withSecret = ing.tls.filter((t) => t.secretName !== null);
  const forHost = host === null ? undefined : withSecret.find((t) => t.hosts.some((h) => hostMatches(h, host)));
  return (forHost ?? withSecret[0])?.secretName ?? null;
}
