// Raw Kubernetes objects (wire JSON, from the API or from YAML) → the plain facts the checks judge.
// Live and offline modes share these converters, so both produce the same shape.
import type {
  BackendConfigFact,
  ContainerPortFact,
  EndpointSliceFact,
  EventFact,
  IngressBackendRef,
  IngressClassFact,
  IngressFact,
  ManagedCertificateFact,
  PodFact,
  ServiceFact,
  TargetGroupBindingFact,
  WorkloadFact,
} from './types.js';

export type RawObject = Readonly<Record<string, unknown>>;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}
export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}
export function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v))) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}
/** Dates arrive as Date objects from the typed client and as strings from YAML. */
export function isoTime(v: unknown): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  return str(v);
}

export function kindOf(o: RawObject): string {
  return str(o.kind) ?? '';
}
export function nameOf(o: RawObject): string {
  return str(rec(o.metadata).name) ?? '';
}
export function namespaceOf(o: RawObject): string | null {
  return str(rec(o.metadata).namespace);
}

function intOrString(v: unknown): number | string | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : v;
  return null;
}

export function toService(o: RawObject, fallbackNamespace: string): ServiceFact {
  const meta = rec(o.metadata);
  const spec = rec(o.spec);
  const lb = arr(rec(rec(o.status).loadBalancer).ingress);
  return {
    name: str(meta.name) ?? '',
    namespace: str(meta.namespace) ?? fallbackNamespace,
    type: str(spec.type) ?? 'ClusterIP',
    clusterIP: str(spec.clusterIP),
    ports: arr(spec.ports).map((p) => {
      const r = rec(p);
      return {
        name: str(r.name) || null,
        port: num(r.port) ?? 0,
        targetPort: intOrString(r.targetPort),
        protocol: str(r.protocol) ?? 'TCP',
        nodePort: num(r.nodePort),
        appProtocol: str(r.appProtocol),
      };
    }),
    selector: strMap(spec.selector),
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
    loadBalancerAddresses: lb.map((i) => str(rec(i).ip) ?? str(rec(i).hostname) ?? '').filter((s) => s !== ''),
  };
}

function backendRef(v: unknown): IngressBackendRef | null {
  const svc = rec(rec(v).service);
  if (!isRecord(rec(v).service)) return null;
  const port = rec(svc.port);
  return { serviceName: str(svc.name), portNumber: num(port.number), portName: str(port.name) };
}

export function toIngress(o: RawObject, fallbackNamespace: string): IngressFact {
  const meta = rec(o.metadata);
  const spec = rec(o.spec);
  const status = o.status;
  return {
    name: str(meta.name) ?? '',
    namespace: str(meta.namespace) ?? fallbackNamespace,
    ingressClassName: str(spec.ingressClassName),
    annotations: strMap(meta.annotations),
    labels: strMap(meta.labels),
    rules: arr(spec.rules).map((r) => {
      const rule = rec(r);
      return {
        host: str(rule.host),
        paths: arr(rec(rule.http).paths).map((p) => {
          const path = rec(p);
          const ref = backendRef(path.backend);
          return {
            path: str(path.path),
            pathType: str(path.pathType),
            serviceName: ref?.serviceName ?? null,
            portNumber: ref?.portNumber ?? null,
            portName: ref?.portName ?? null,
          };
        }),
      };
    }),
    defaultBackend: backendRef(spec.defaultBackend),
    tls: arr(spec.tls).map((t) => ({
      hosts: arr(rec(t).hosts).map(str).filter((h): h is string => h !== null),
      secretName: str(rec(t).secretName),
    })),
    addresses: arr(rec(rec(status).loadBalancer).ingress).map((i) => ({ ip: str(rec(i).ip), hostname: str(rec(i).hostname) })),
    finalizers: arr(meta.finalizers).map(str).filter((f): f is string => f !== null),
    hasStatus: isRecord(status) && Object.keys(status).length > 0,
    createdAt: str(meta.creationTimestamp),
  };
}

export function toIngressClass(o: RawObject): IngressClassFact {
  const meta = rec(o.metadata);
  return {
    name: str(meta.name) ?? '',
    controller: str(rec(o.spec).controller),
    isDefault: strMap(meta.annotations)['ingressclass.kubernetes.io/is-default-class'] === 'true',
  };
}

export function toEndpointSlice(o: RawObject): EndpointSliceFact {
  const meta = rec(o.metadata);
  return {
    name: str(meta.name) ?? '',
    service: strMap(meta.labels)['kubernetes.io/service-name'] ?? null,
    addressType: str(o.addressType) ?? 'IPv4',
    ports: arr(o.ports).map((p) => ({ name: str(rec(p).name) || null, port: num(rec(p).port), protocol: str(rec(p).protocol) ?? 'TCP' })),
    endpoints: arr(o.endpoints).map((e) => {
      const ep = rec(e);
      const cond = rec(ep.conditions);
      const target = rec(ep.targetRef);
      return {
        addresses: arr(ep.addresses).map(str).filter((a): a is string => a !== null),
        ready: bool(cond.ready),
        serving: bool(cond.serving),
        terminating: bool(cond.terminating),
        podName: str(target.kind) === 'Pod' ? str(target.name) : null,
      };
    }),
  };
}

function containerPorts(containers: unknown): ContainerPortFact[] {
  const out: ContainerPortFact[] = [];
  for (const c of arr(containers)) {
    for (const p of arr(rec(c).ports)) {
      const port = num(rec(p).containerPort);
      if (port !== null) out.push({ name: str(rec(p).name), containerPort: port, protocol: str(rec(p).protocol) ?? 'TCP' });
    }
  }
  return out;
}

export function toPod(o: RawObject): PodFact {
  const meta = rec(o.metadata);
  const spec = rec(o.spec);
  const status = rec(o.status);
  const statuses = new Map<string, Record<string, unknown>>();
  for (const s of arr(status.containerStatuses)) statuses.set(str(rec(s).name) ?? '', rec(s));
  const conditions = arr(status.conditions).map((c) => ({
    type: str(rec(c).type) ?? '',
    status: str(rec(c).status) ?? 'Unknown',
    reason: str(rec(c).reason),
    message: str(rec(c).message),
  }));
  return {
    name: str(meta.name) ?? '',
    phase: str(status.phase),
    podIP: str(status.podIP),
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    labels: strMap(meta.labels),
    containers: arr(spec.containers).map((c) => {
      const name = str(rec(c).name) ?? '';
      const s = statuses.get(name) ?? {};
      return {
        name,
        ready: bool(s.ready) ?? false,
        restartCount: num(s.restartCount) ?? 0,
        ports: containerPorts([c]),
        waitingReason: str(rec(rec(s.state).waiting).reason),
        lastTerminationReason: str(rec(rec(s.lastState).terminated).reason),
      };
    }),
    conditions,
  };
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

export function toWorkload(o: RawObject): WorkloadFact {
  const spec = rec(o.spec);
  const template = rec(spec.template);
  return {
    kind: kindOf(o),
    name: nameOf(o),
    replicas: num(spec.replicas),
    podLabels: strMap(rec(template.metadata).labels),
    containerPorts: containerPorts(rec(template.spec).containers),
  };
}

export function toEvent(o: RawObject): EventFact {
  const involved = rec(o.involvedObject);
  const regarding = rec(o.regarding);
  const source = rec(o.source);
  return {
    involvedKind: str(involved.kind) ?? str(regarding.kind),
    involvedName: str(involved.name) ?? str(regarding.name),
    type: str(o.type),
    reason: str(o.reason),
    message: str(o.message) ?? str(o.note) ?? '',
    count: num(o.count) ?? num(rec(o.series).count) ?? 1,
    lastSeen: isoTime(o.lastTimestamp) ?? isoTime(o.eventTime) ?? isoTime(rec(o.metadata).creationTimestamp),
    source: str(source.component) ?? str(o.reportingController) ?? str(o.reportingComponent),
  };
}

export function toBackendConfig(o: RawObject, fallbackNamespace: string): BackendConfigFact {
  const spec = rec(o.spec);
  const hc = spec.healthCheck;
  const h = rec(hc);
  return {
    name: nameOf(o),
    namespace: namespaceOf(o) ?? fallbackNamespace,
    apiVersion: str(o.apiVersion) ?? '',
    healthCheck: isRecord(hc)
      ? {
          type: str(h.type),
          port: num(h.port),
          requestPath: str(h.requestPath),
          checkIntervalSec: num(h.checkIntervalSec),
          timeoutSec: num(h.timeoutSec),
          healthyThreshold: num(h.healthyThreshold),
          unhealthyThreshold: num(h.unhealthyThreshold),
        }
      : null,
    timeoutSec: num(spec.timeoutSec),
  };
}

export function toManagedCertificate(o: RawObject, fallbackNamespace: string): ManagedCertificateFact {
  const status = o.status;
  const s = rec(status);
  return {
    name: nameOf(o),
    namespace: namespaceOf(o) ?? fallbackNamespace,
    domains: arr(rec(o.spec).domains).map(str).filter((d): d is string => d !== null),
    certificateStatus: str(s.certificateStatus),
    domainStatus: arr(s.domainStatus).map((d) => ({ domain: str(rec(d).domain) ?? '', status: str(rec(d).status) ?? '' })),
    certificateName: str(s.certificateName),
    expireTime: isoTime(s.expireTime),
    hasStatus: isRecord(status) && Object.keys(status).length > 0,
  };
}

export function toTargetGroupBinding(o: RawObject, events: readonly EventFact[]): TargetGroupBindingFact {
  const spec = rec(o.spec);
  const ref = rec(spec.serviceRef);
  const name = nameOf(o);
  return {
    name,
    serviceName: str(ref.name),
    servicePort: intOrString(ref.port),
    targetGroupARN: str(spec.targetGroupARN),
    targetType: str(spec.targetType),
    observedGeneration: num(rec(o.status).observedGeneration),
    generation: num(rec(o.metadata).generation),
    events: events.filter((e) => e.involvedKind === 'TargetGroupBinding' && e.involvedName === name),
  };
}

/** A label selector map matches a label set (every key=value present). An empty selector matches nothing here. */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}
