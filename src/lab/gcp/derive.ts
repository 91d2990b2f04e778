// The Compute resources of the lab's GKE load balancer, derived from the lab world the way ingress-gce and
// the NEG controller derive them from the Kubernetes objects: names from the Ingress annotations, the
// backend service protocol from app-protocols keyed by port name, the health check and timeout from the
// BackendConfig the Service names, NEG endpoints from the ready endpoints, the certificate from the TLS
// Secret or the ManagedCertificate, the firewall from what the controller opens. Derived on every request,
// so an object edited through the lab's Kubernetes API shows in Compute as it would on GKE. The faults that
// are Compute's own (drift the controller has not put back) are read from world.faults.
import { X509Certificate } from 'node:crypto';
import { isRecord, type K8sObject } from '../../render/object.js';
import { clusterUid, shortHash } from '../cluster/ids.js';
import { findObject, type LabWorld } from '../world.js';

export const LB_PROBE_RANGES = ['130.211.0.0/22', '35.191.0.0/16'];
/** firewall-shared-vpc: the host project and network of the Shared VPC the nodes sit on. */
export const SHARED_VPC = { project: 'milvus-l7-host', network: 'shared-vpc' } as const;
const MILVUS_PORT = 19530;
const BASE = 'https://www.googleapis.com/compute/v1';

export interface NegEndpoint {
  readonly ipAddress: string;
  readonly port: number;
  readonly instance: string;
  /** The pod behind it; null for a stale endpoint whose pod is gone. */
  readonly pod: string | null;
}

export interface LabNeg {
  readonly name: string;
  readonly zone: string;
  readonly endpoints: readonly NegEndpoint[];
}

export interface LabHealthCheck {
  readonly name: string;
  readonly type: string;
  readonly port: number | null;
  readonly portSpecification: string;
  readonly requestPath: string;
  readonly checkIntervalSec: number;
  readonly timeoutSec: number;
}

export interface ComputeWorld {
  readonly project: string;
  readonly forwardingRules: Map<string, Record<string, unknown>>;
  readonly targetHttpsProxies: Map<string, Record<string, unknown>>;
  readonly urlMaps: Map<string, Record<string, unknown>>;
  readonly backendServices: Map<string, Record<string, unknown>>;
  readonly healthChecks: Map<string, LabHealthCheck>;
  readonly negs: readonly LabNeg[];
  readonly firewalls: readonly Record<string, unknown>[];
  readonly sslCertificates: Map<string, Record<string, unknown>>;
  /** The node VMs, by zone/name: their network tags and network, which the firewall rules match. */
  readonly instances: Map<string, Record<string, unknown>>;
  /** Which health check each backend service's NEG endpoints are probed with. */
  readonly healthCheckOf: Map<string, string>;
}

const url = (project: string, path: string) => `${BASE}/projects/${project}/${path}`;

function annotationsOf(o: K8sObject | undefined): Record<string, string> {
  return (o?.metadata.annotations as Record<string, string> | undefined) ?? {};
}

function json(raw: string | undefined): Record<string, unknown> | null {
  if (raw === undefined) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

function milvusPortName(svc: K8sObject | undefined): string | null {
  const spec = isRecord(svc?.spec) ? svc.spec : {};
  const port = (Array.isArray(spec.ports) ? spec.ports : []).find((p) => isRecord(p) && p.port === MILVUS_PORT);
  return isRecord(port) && typeof port.name === 'string' && port.name !== '' ? port.name : null;
}

/** ingress-gce: the alpha key wins; keyed by port name; anything else is HTTP. */
function backendProtocol(svc: K8sObject | undefined): string {
  const a = annotationsOf(svc);
  const map = json(a['service.alpha.kubernetes.io/app-protocols']) ?? json(a['cloud.google.com/app-protocols']);
  const name = milvusPortName(svc);
  const v = map && name ? map[name] : undefined;
  return typeof v === 'string' && ['HTTP', 'HTTPS', 'HTTP2'].includes(v.toUpperCase()) ? v.toUpperCase() : 'HTTP';
}

function backendConfigOf(world: LabWorld, svc: K8sObject | undefined): Record<string, unknown> | null {
  const ref = json(annotationsOf(svc)['cloud.google.com/backend-config'] ?? annotationsOf(svc)['beta.cloud.google.com/backend-config']);
  if (!ref) return null;
  const ports = isRecord(ref.ports) ? ref.ports : {};
  const name = ports[milvusPortName(svc) ?? ''] ?? ports[String(MILVUS_PORT)] ?? ref.default;
  if (typeof name !== 'string') return null;
  const bc = findObject(world, 'BackendConfig', name, world.ids.namespace);
  return bc && isRecord(bc.spec) ? bc.spec : null;
}

const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);

function healthCheckFor(world: LabWorld, name: string, spec: Record<string, unknown> | null, protocol: string): LabHealthCheck {
  const hc = spec && isRecord(spec.healthCheck) ? spec.healthCheck : null;
  // Without a BackendConfig health check ingress-gce checks the serving port with the backend's protocol, path /.
  const base: LabHealthCheck = hc
    ? {
        name,
        type: typeof hc.type === 'string' ? hc.type.toUpperCase() : protocol,
        port: typeof hc.port === 'number' ? hc.port : null,
        portSpecification: typeof hc.port === 'number' ? 'USE_FIXED_PORT' : 'USE_SERVING_PORT',
        requestPath: typeof hc.requestPath === 'string' ? hc.requestPath : '/',
        checkIntervalSec: num(hc.checkIntervalSec, 5),
        timeoutSec: num(hc.timeoutSec, 5),
      }
    : { name, type: protocol, port: null, portSpecification: 'USE_SERVING_PORT', requestPath: '/', checkIntervalSec: 15, timeoutSec: 15 };
  // hc-wrong-port: the health check was edited behind the controller's back (or it has not reconciled yet).
  return world.faults.includes('hc-wrong-port') ? { ...base, port: MILVUS_PORT, portSpecification: 'USE_FIXED_PORT' } : base;
}

function readyEndpoints(world: LabWorld): { ip: string; pod: string | null }[] {
  const slice = world.objects.find((o) => o.kind === 'EndpointSlice' && (o.metadata.labels as Record<string, string> | undefined)?.['kubernetes.io/service-name'] === world.ids.service);
  const eps = slice && Array.isArray((slice as Record<string, unknown>).endpoints) ? ((slice as Record<string, unknown>).endpoints as unknown[]) : [];
  return eps.flatMap((e) => {
    if (!isRecord(e) || !Array.isArray(e.addresses)) return [];
    const ready = !isRecord(e.conditions) || e.conditions.ready !== false;
    const pod = isRecord(e.targetRef) && typeof e.targetRef.name === 'string' ? e.targetRef.name : null;
    return ready ? e.addresses.filter((a): a is string => typeof a === 'string').map((ip) => ({ ip, pod })) : [];
  });
}

function negs(world: LabWorld, svc: K8sObject | undefined): LabNeg[] {
  const status = json(annotationsOf(svc)['cloud.google.com/neg-status']);
  const wants = json(annotationsOf(svc)['cloud.google.com/neg']);
  if (!status || !wants) return [];
  const groups = isRecord(status.network_endpoint_groups) ? status.network_endpoint_groups : {};
  const name = groups[String(MILVUS_PORT)];
  const zones = Array.isArray(status.zones) ? status.zones.filter((z): z is string => typeof z === 'string') : [];
  if (typeof name !== 'string') return [];
  const ready = world.faults.includes('neg-empty') ? [] : readyEndpoints(world);
  return zones.map((zone) => {
    const endpoints: NegEndpoint[] = world.ids.pods
      .filter((p) => p.zone === zone)
      .flatMap((p) => ready.filter((r) => r.ip === p.ip).map((r) => ({ ipAddress: r.ip, port: MILVUS_PORT, instance: p.node, pod: r.pod ?? p.name })));
    // neg-stale: the NEG controller is behind, and still lists a pod that was deleted.
    if (world.faults.includes('neg-stale') && zone === zones[0]) endpoints.push({ ipAddress: '10.52.2.33', port: MILVUS_PORT, instance: world.ids.pods[0].node, pod: null });
    return { name, zone, endpoints };
  });
}

function pemLeaf(pem: string): X509Certificate | null {
  const block = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  try {
    return block ? new X509Certificate(block) : null;
  } catch {
    return null;
  }
}

function secretCertificate(world: LabWorld, ing: K8sObject): string | null {
  const spec = isRecord(ing.spec) ? ing.spec : {};
  const tls = (Array.isArray(spec.tls) ? spec.tls : []).find((t) => isRecord(t) && typeof t.secretName === 'string');
  if (!isRecord(tls) || typeof tls.secretName !== 'string') return null;
  const secret = findObject(world, 'Secret', tls.secretName, world.ids.namespace);
  const data = secret && isRecord((secret as Record<string, unknown>).data) ? ((secret as Record<string, unknown>).data as Record<string, unknown>) : {};
  return typeof data['tls.crt'] === 'string' ? Buffer.from(data['tls.crt'], 'base64').toString('utf8') : null;
}

const MANAGED_STATUS: Record<string, string> = { Active: 'ACTIVE', Provisioning: 'PROVISIONING', ProvisioningFailed: 'PROVISIONING_FAILED', RenewalFailed: 'RENEWAL_FAILED' };
const DOMAIN_STATUS: Record<string, string> = { Active: 'ACTIVE', Provisioning: 'PROVISIONING', FailedNotVisible: 'FAILED_NOT_VISIBLE', FailedCaaChecking: 'FAILED_CAA_CHECKING', FailedCaaForbidden: 'FAILED_CAA_FORBIDDEN', FailedRateLimited: 'FAILED_RATE_LIMITED' };

function certificate(world: LabWorld, project: string, ing: K8sObject, name: string): Record<string, unknown> {
  const a = annotationsOf(ing);
  const mcName = a['networking.gke.io/managed-certificates'];
  if (mcName !== undefined) {
    const mc = findObject(world, 'ManagedCertificate', mcName.split(',')[0].trim(), world.ids.namespace);
    const st = mc && isRecord((mc as Record<string, unknown>).status) ? ((mc as Record<string, unknown>).status as Record<string, unknown>) : null;
    const spec = mc && isRecord(mc.spec) ? mc.spec : {};
    const domains = Array.isArray(spec.domains) ? spec.domains.filter((d): d is string => typeof d === 'string') : [world.cluster.input.host];
    // The lab's domain is not public: Google can never validate it, so without a status of the
    // controller's to mirror, the certificate is what Google would make of it.
    const domainStatus = Object.fromEntries(
      domains.map((d) => {
        const s = Array.isArray(st?.domainStatus) ? st.domainStatus.find((x) => isRecord(x) && x.domain === d) : undefined;
        return [d, isRecord(s) && typeof s.status === 'string' ? (DOMAIN_STATUS[s.status] ?? s.status) : 'FAILED_NOT_VISIBLE'];
      }),
    );
    const status = typeof st?.certificateStatus === 'string' ? (MANAGED_STATUS[st.certificateStatus] ?? st.certificateStatus) : 'PROVISIONING';
    return { kind: 'compute#sslCertificate', name, selfLink: url(project, `global/sslCertificates/${name}`), type: 'MANAGED', managed: { domains, status, domainStatus } };
  }
  // ssl-cert-mismatch: the Secret was renewed but the proxy still holds the certificate uploaded before.
  const pem = world.faults.includes('ssl-cert-mismatch') ? world.tls.certPem + world.tls.chainPem : (secretCertificate(world, ing) ?? '');
  const leaf = pemLeaf(pem);
  return {
    kind: 'compute#sslCertificate',
    name,
    selfLink: url(project, `global/sslCertificates/${name}`),
    type: 'SELF_MANAGED',
    certificate: pem,
    ...(leaf ? { expireTime: new Date(leaf.validTo).toISOString(), subjectAlternativeNames: (leaf.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)) } : {}),
  };
}

export function deriveCompute(world: LabWorld, project: string): ComputeWorld {
  const ing = findObject(world, 'Ingress', world.ids.ingress, world.ids.namespace);
  const svc = findObject(world, 'Service', world.ids.service, world.ids.namespace);
  const out: ComputeWorld = {
    project,
    forwardingRules: new Map(),
    targetHttpsProxies: new Map(),
    urlMaps: new Map(),
    backendServices: new Map(),
    healthChecks: new Map(),
    negs: negs(world, svc),
    firewalls: [],
    sslCertificates: new Map(),
    instances: new Map(),
    healthCheckOf: new Map(),
  };
  for (const p of world.ids.pods) {
    out.instances.set(`${p.zone}/${p.node}`, {
      kind: 'compute#instance',
      name: p.node,
      zone: url(project, `zones/${p.zone}`),
      status: 'RUNNING',
      tags: { items: [world.ids.nodeTag] },
      // firewall-shared-vpc: the nodes are on the host project's network, which the project's own rules do not reach.
      networkInterfaces: [{ name: 'nic0', network: world.faults.includes('firewall-shared-vpc') ? url(SHARED_VPC.project, `global/networks/${SHARED_VPC.network}`) : url(project, 'global/networks/default'), networkIP: p.nodeIp }],
    });
  }
  const uid = clusterUid(world.provider);
  const bcSpec = backendConfigOf(world, svc);
  const protocol = backendProtocol(svc);
  const hc = healthCheckFor(world, world.ids.negName, bcSpec, protocol);
  const fwPorts = ['30000-32767', String(MILVUS_PORT), ...(hc.port !== null && hc.port !== MILVUS_PORT && !world.faults.includes('firewall-missing-9091') ? [String(hc.port)] : [])];
  const firewalls: Record<string, unknown>[] = [
    {
      kind: 'compute#firewall',
      name: `k8s-fw-l7--${uid}`,
      network: url(project, 'global/networks/default'),
      direction: 'INGRESS',
      priority: 1000,
      sourceRanges: LB_PROBE_RANGES,
      targetTags: [world.ids.nodeTag],
      allowed: [{ IPProtocol: 'tcp', ports: fwPorts }],
      disabled: false,
    },
    { kind: 'compute#firewall', name: 'default-allow-internal', network: url(project, 'global/networks/default'), direction: 'INGRESS', priority: 65534, sourceRanges: ['10.128.0.0/9'], allowed: [{ IPProtocol: 'tcp', ports: ['0-65535'] }], disabled: false },
  ];
  (out as { firewalls: readonly Record<string, unknown>[] }).firewalls = firewalls;
  if (!ing) return out;
  const a = annotationsOf(ing);
  const ip = (() => {
    const st = isRecord((ing as Record<string, unknown>).status) ? ((ing as Record<string, unknown>).status as Record<string, unknown>) : {};
    const lb = isRecord(st.loadBalancer) && Array.isArray(st.loadBalancer.ingress) ? st.loadBalancer.ingress[0] : undefined;
    return isRecord(lb) && typeof lb.ip === 'string' ? lb.ip : null;
  })();
  const backends = json(a['ingress.kubernetes.io/backends']) ?? {};
  const defaultBackend = Object.keys(backends).find((k) => k.includes('default-http-backend')) ?? `k8s1-${uid}-kube-system-default-http-backend-80-${shortHash('default-http-backend', 8)}`;

  const bsName = world.ids.negName;
  out.backendServices.set(bsName, {
    kind: 'compute#backendService',
    name: bsName,
    selfLink: url(project, `global/backendServices/${bsName}`),
    protocol,
    portName: 'port19530',
    timeoutSec: num(bcSpec?.timeoutSec, 30),
    healthChecks: [url(project, `global/healthChecks/${hc.name}`)],
    backends: out.negs.map((n) => ({ group: url(project, `zones/${n.zone}/networkEndpointGroups/${n.name}`), balancingMode: 'RATE', maxRatePerEndpoint: 1 })),
    connectionDraining: { drainingTimeoutSec: isRecord(bcSpec?.connectionDraining) ? num(bcSpec.connectionDraining.drainingTimeoutSec, 0) : 0 },
    loadBalancingScheme: 'EXTERNAL',
  });
  out.healthChecks.set(hc.name, hc);
  out.healthCheckOf.set(bsName, hc.name);
  out.backendServices.set(defaultBackend, { kind: 'compute#backendService', name: defaultBackend, protocol: 'HTTP', timeoutSec: 30, healthChecks: [], backends: [], loadBalancingScheme: 'EXTERNAL' });

  const umName = a['ingress.kubernetes.io/url-map'];
  if (umName) {
    const spec = isRecord(ing.spec) ? ing.spec : {};
    const hosts = (Array.isArray(spec.rules) ? spec.rules : []).flatMap((r) => (isRecord(r) && typeof r.host === 'string' ? [r.host] : []));
    const rules = world.faults.includes('url-map-no-host-rule') ? [] : hosts;
    out.urlMaps.set(umName, {
      kind: 'compute#urlMap',
      name: umName,
      selfLink: url(project, `global/urlMaps/${umName}`),
      defaultService: url(project, `global/backendServices/${defaultBackend}`),
      hostRules: rules.map((h) => ({ hosts: [h], pathMatcher: `host${shortHash(h, 32)}` })),
      pathMatchers: rules.map((h) => ({ name: `host${shortHash(h, 32)}`, defaultService: url(project, `global/backendServices/${bsName}`) })),
    });
  }
  const certName = a['ingress.kubernetes.io/ssl-cert'];
  if (certName) out.sslCertificates.set(certName, certificate(world, project, ing, certName));
  const proxyName = a['ingress.kubernetes.io/https-target-proxy'];
  if (proxyName) {
    out.targetHttpsProxies.set(proxyName, {
      kind: 'compute#targetHttpsProxy',
      name: proxyName,
      selfLink: url(project, `global/targetHttpsProxies/${proxyName}`),
      ...(umName ? { urlMap: url(project, `global/urlMaps/${umName}`) } : {}),
      sslCertificates: certName ? [url(project, `global/sslCertificates/${certName}`)] : [],
      quicOverride: 'NONE',
    });
  }
  const rule = (name: string, port: number, target: string) => ({
    kind: 'compute#forwardingRule',
    name,
    selfLink: url(project, `global/forwardingRules/${name}`),
    IPAddress: ip ?? '',
    IPProtocol: 'TCP',
    portRange: `${port}-${port}`,
    target,
    loadBalancingScheme: 'EXTERNAL',
    networkTier: 'PREMIUM',
  });
  const httpsRule = a['ingress.kubernetes.io/https-forwarding-rule'];
  if (httpsRule && proxyName) out.forwardingRules.set(httpsRule, rule(httpsRule, 443, url(project, `global/targetHttpsProxies/${proxyName}`)));
  const httpRule = a['ingress.kubernetes.io/forwarding-rule'];
  if (httpRule) out.forwardingRules.set(httpRule, rule(httpRule, 80, url(project, `global/targetHttpProxies/${a['ingress.kubernetes.io/target-proxy'] ?? httpRule.replace('-fr-', '-tp-')}`)));
  return out;
}

/** Whether a rule reaches a VM: on its network (the same URL), targeting its tags or none. */
function ruleReaches(f: Record<string, unknown>, vm: Record<string, unknown>): boolean {
  const nic0 = Array.isArray(vm.networkInterfaces) ? vm.networkInterfaces[0] : undefined;
  const tags = isRecord(vm.tags) && Array.isArray(vm.tags.items) ? vm.tags.items : [];
  const targets = Array.isArray(f.targetTags) ? f.targetTags : [];
  return isRecord(nic0) && nic0.network === f.network && (targets.length === 0 || targets.some((t) => tags.includes(t)));
}

/** Whether the lab's firewall lets the load balancer's probes reach `port` (ingress rules), on the VM `instance` when named. */
export function firewallAdmits(cw: ComputeWorld, port: number, instance?: string): boolean {
  const vm = instance === undefined ? undefined : [...cw.instances.values()].find((i) => i.name === instance);
  return cw.firewalls.some((f) => {
    if (vm && !ruleReaches(f, vm)) return false;
    const ranges = Array.isArray(f.sourceRanges) ? f.sourceRanges : [];
    if (!LB_PROBE_RANGES.every((r) => ranges.includes(r))) return false;
    const allowed = Array.isArray(f.allowed) ? f.allowed : [];
    return allowed.some((x) => isRecord(x) && Array.isArray(x.ports) && x.ports.some((p) => {
      const [lo, hi] = String(p).split('-').map(Number);
      return lo <= port && port <= (Number.isFinite(hi) ? hi : lo);
    }));
  });
}
