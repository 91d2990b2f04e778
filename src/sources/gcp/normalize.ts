// From the Compute API's objects (plain JSON from the worker) to the doctor's facts. A field the checks
// need that is missing or of the wrong type is a bad answer, reported as one (GCP_BAD_ANSWER naming the
// method), never a crash and never a silent default.
import { X509Certificate } from 'node:crypto';
import type {
  GcpBackendServiceFact, GcpEndpointHealth, GcpFirewallFact, GcpForwardingRule, GcpHealthCheckFact, GcpInstanceFact, GcpNegRef, GcpSslCertificateFact, GcpSslPolicyFact,
  GcpTargetProxyFact, GcpUrlMapFact,
} from './values.js';

export class BadAnswer extends Error {}

type Obj = Record<string, unknown>;

export function obj(v: unknown, what: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadAnswer(`${what} is not an object`);
  return v as Obj;
}
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

function named(v: unknown, what: string): Obj & { name: string } {
  const o = obj(v, what);
  if (typeof o.name !== 'string' || o.name === '') throw new BadAnswer(`${what} has no name`);
  return o as Obj & { name: string };
}

/** The last segment of a resource URL or path (…/backendServices/NAME → NAME). */
export function lastSegment(ref: string | null): string | null {
  if (!ref) return null;
  const parts = ref.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? null;
}

/** The collection and zone a resource URL names (…/zones/ZONE/networkEndpointGroups/NAME). */
function zoneOf(ref: string): string | null {
  const m = /\/zones\/([^/]+)\//.exec(ref);
  return m ? m[1] : null;
}

/** The project in a resource URL or path (…/projects/PROJECT/…). */
function projectOf(ref: string | null): string | null {
  return ref ? (/(?:^|\/)projects\/([^/]+)\//.exec(ref)?.[1] ?? null) : null;
}

export function forwardingRule(v: unknown): GcpForwardingRule {
  const o = named(v, 'the forwarding rule');
  const target = str(o.target);
  const kind = target === null ? null : target.includes('/targetHttpsProxies/') ? 'targetHttpsProxies' : target.includes('/targetHttpProxies/') ? 'targetHttpProxies' : 'other';
  return {
    name: o.name,
    ipAddress: str(o.IPAddress),
    portRange: str(o.portRange),
    protocol: str(o.IPProtocol),
    target: lastSegment(target),
    targetKind: kind,
    loadBalancingScheme: str(o.loadBalancingScheme),
  };
}

export function targetProxy(v: unknown): GcpTargetProxyFact {
  const o = named(v, 'the target HTTPS proxy');
  return {
    name: o.name,
    urlMap: lastSegment(str(o.urlMap)),
    sslCertificates: strings(o.sslCertificates).map((c) => lastSegment(c) ?? c),
    sslPolicy: lastSegment(str(o.sslPolicy)),
  };
}

export function urlMap(v: unknown): GcpUrlMapFact {
  const o = named(v, 'the URL map');
  return {
    name: o.name,
    defaultService: lastSegment(str(o.defaultService)),
    hostRules: list(o.hostRules).map((r) => {
      const h = obj(r, 'a host rule');
      return { hosts: strings(h.hosts), pathMatcher: str(h.pathMatcher) ?? '' };
    }),
    pathMatchers: list(o.pathMatchers).map((p) => {
      const m = obj(p, 'a path matcher');
      return { name: str(m.name) ?? '', defaultService: lastSegment(str(m.defaultService)) };
    }),
  };
}

export function backendService(v: unknown, from: GcpBackendServiceFact['from']): GcpBackendServiceFact {
  const o = named(v, 'the backend service');
  const backends: GcpNegRef[] = list(o.backends).flatMap((b) => {
    const group = str(obj(b, 'a backend').group);
    if (!group) return [];
    // getHealth wants the group as a path under projects/…; the API gives a full URL.
    const path = group.replace(/^https?:\/\/[^/]+\/compute\/v1\//, '');
    return [{ name: lastSegment(group) ?? group, zone: zoneOf(group), group: path }];
  });
  const draining = o.connectionDraining && typeof o.connectionDraining === 'object' ? num((o.connectionDraining as Obj).drainingTimeoutSec) : null;
  const log = o.logConfig && typeof o.logConfig === 'object' ? bool((o.logConfig as Obj).enable) : null;
  return {
    name: o.name,
    from,
    protocol: str(o.protocol),
    timeoutSec: num(o.timeoutSec),
    portName: str(o.portName),
    healthChecks: strings(o.healthChecks).map((h) => lastSegment(h) ?? h),
    backends,
    connectionDrainingSec: draining,
    logEnabled: log,
  };
}

export function healthCheck(v: unknown): GcpHealthCheckFact {
  const o = named(v, 'the health check');
  const type = str(o.type);
  const key = type ? `${type.toLowerCase()}HealthCheck` : null;
  const spec = key && o[key] && typeof o[key] === 'object' ? (o[key] as Obj) : {};
  return {
    name: o.name,
    type,
    port: num(spec.port),
    portSpecification: str(spec.portSpecification),
    requestPath: str(spec.requestPath),
    checkIntervalSec: num(o.checkIntervalSec),
    timeoutSec: num(o.timeoutSec),
    healthyThreshold: num(o.healthyThreshold),
    unhealthyThreshold: num(o.unhealthyThreshold),
  };
}

export function groupHealth(v: unknown): GcpEndpointHealth[] {
  const o = obj(v, 'the backend health');
  return list(o.healthStatus).map((h) => {
    const e = obj(h, 'a health status');
    return { ipAddress: str(e.ipAddress), port: num(e.port), healthState: str(e.healthState), instance: lastSegment(str(e.instance)) };
  });
}

export function networkEndpoints(v: unknown): GcpEndpointHealth[] {
  return list(v).map((x) => {
    const o = obj(x, 'a network endpoint');
    const ep = obj(o.networkEndpoint, 'the network endpoint');
    const healths = list(o.healths).map((h) => str(obj(h, 'an endpoint health').healthState));
    const state = healths.find((s) => s !== null) ?? null;
    return { ipAddress: str(ep.ipAddress), port: num(ep.port), healthState: state, instance: str(ep.instance) };
  });
}

export function firewall(v: unknown): GcpFirewallFact {
  const o = named(v, 'a firewall rule');
  const deny = list(o.denied).length > 0;
  const rules = list(deny ? o.denied : o.allowed).map((r) => {
    const x = obj(r, 'a firewall entry');
    return { protocol: str(x.IPProtocol) ?? 'all', ports: strings(x.ports) };
  });
  return {
    name: o.name,
    network: lastSegment(str(o.network)),
    networkProject: projectOf(str(o.network)),
    direction: str(o.direction),
    priority: num(o.priority),
    action: deny ? 'deny' : 'allow',
    disabled: o.disabled === true,
    sourceRanges: strings(o.sourceRanges),
    targetTags: strings(o.targetTags),
    rules,
  };
}

export function instance(v: unknown): GcpInstanceFact {
  const o = named(v, 'the instance');
  const tags = o.tags && typeof o.tags === 'object' ? strings((o.tags as Obj).items) : [];
  const nic0 = list(o.networkInterfaces)[0];
  const network = nic0 === undefined ? null : str(obj(nic0, 'a network interface').network);
  return { name: o.name, zone: lastSegment(str(o.zone)), tags, network: lastSegment(network), networkProject: projectOf(network) };
}

function leafFingerprint(pem: string | null): string | null {
  const block = pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  if (!block) return null;
  try {
    return new X509Certificate(block).fingerprint256;
  } catch {
    return null;
  }
}

export function sslCertificate(v: unknown): GcpSslCertificateFact {
  const o = named(v, 'the SSL certificate');
  const managed = o.managed && typeof o.managed === 'object' ? (o.managed as Obj) : null;
  const domainStatus = managed?.domainStatus && typeof managed.domainStatus === 'object' ? (managed.domainStatus as Obj) : {};
  return {
    name: o.name,
    type: str(o.type),
    expireTime: str(o.expireTime),
    subjectAlternativeNames: strings(o.subjectAlternativeNames),
    fingerprint256: leafFingerprint(str(o.certificate)),
    managed: managed
      ? {
          status: str(managed.status),
          domains: strings(managed.domains),
          domainStatus: Object.fromEntries(Object.entries(domainStatus).filter((e): e is [string, string] => typeof e[1] === 'string')),
        }
      : null,
  };
}

export function sslPolicy(v: unknown): GcpSslPolicyFact {
  const o = named(v, 'the SSL policy');
  return { name: o.name, minTlsVersion: str(o.minTlsVersion), profile: str(o.profile) };
}
