// The ALB as the AWS Load Balancer Controller would build it from the lab world: the load balancer from the
// Ingress (scheme, attributes, its status hostname as the DNS name), the listeners from listen-ports,
// certificate-arn and ssl-policy, the rules from the Ingress rules, the target group from
// backend-protocol-version / backend-protocol / target-type / the health-check annotations, the targets
// from the ready endpoints, and the certificate from what the lab's front serves. Faults that exist only in
// AWS are read from world.faults (src/lab/aws/faults.ts).
import { X509Certificate } from 'node:crypto';
import { isRecord } from '../../render/object.js';
import { findObject, type LabWorld } from '../world.js';
import { OTHER_REGION_CERTIFICATE, STALE_TARGET } from './faults.js';

export const LAB_REGION = 'us-east-2';
export const LAB_ACCOUNT = '123456789012';
export const ALB_SECURITY_GROUP = 'sg-0a1b2c3d4e5f60718';
export const POD_SECURITY_GROUP = 'sg-0f9e8d7c6b5a40312';
const A = 'alb.ingress.kubernetes.io/';

export interface LabAction {
  readonly type: 'forward' | 'fixed-response';
  readonly targetGroupArn?: string;
  readonly status?: string;
}

export interface LabListener {
  readonly arn: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly certificateArn: string | null;
  /** The second and later ARNs of certificate-arn: the controller adds them as listener certificates. */
  readonly extraCertificateArns: readonly string[];
  readonly sslPolicy: string | null;
  readonly defaultAction: LabAction;
  readonly rules: readonly { readonly arn: string; readonly priority: string; readonly hosts: readonly string[]; readonly action: LabAction }[];
}

export interface LabTargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly protocolVersion: 'GRPC' | 'HTTP1' | 'HTTP2';
  readonly port: number;
  readonly targetType: 'ip' | 'instance';
  readonly healthCheckPath: string;
  readonly matcher: { readonly grpc?: string; readonly http?: string };
  readonly targets: readonly { readonly ip: string; readonly zone: string; readonly pod: string | null }[];
}

export interface LabCertificate {
  readonly arn: string;
  readonly region: string;
  readonly certPem: string;
  readonly chainPem: string;
  readonly domainName: string;
  readonly sans: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serial: string;
  readonly subject: string;
  readonly issuer: string;
}

export interface LabAlb {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  readonly scheme: string;
  readonly state: 'active' | 'provisioning';
  readonly zones: readonly { readonly zone: string; readonly subnetId: string }[];
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly listeners: readonly LabListener[];
  readonly targetGroup: LabTargetGroup;
  readonly certificates: readonly LabCertificate[];
}

function ingressOf(world: LabWorld) {
  const ing = findObject(world, 'Ingress', world.ids.ingress, world.ids.namespace);
  const annotations = ing && isRecord(ing.metadata.annotations) ? (ing.metadata.annotations as Record<string, string>) : {};
  const spec = ing && isRecord(ing.spec) ? ing.spec : {};
  const hosts = (Array.isArray(spec.rules) ? spec.rules : []).flatMap((r) => (isRecord(r) && typeof r.host === 'string' ? [r.host] : []));
  return { annotations, hosts };
}

/** Ready endpoint addresses of the Milvus Service and the pod each belongs to. */
function readyEndpoints(world: LabWorld): { ip: string; zone: string; pod: string | null }[] {
  const out: { ip: string; zone: string; pod: string | null }[] = [];
  for (const o of world.objects) {
    if (o.kind !== 'EndpointSlice' || o.metadata.namespace !== world.ids.namespace) continue;
    const labels = isRecord(o.metadata.labels) ? o.metadata.labels : {};
    if (labels['kubernetes.io/service-name'] !== world.ids.service) continue;
    const raw: unknown = isRecord(o) ? o.endpoints : undefined;
    const eps: unknown[] = Array.isArray(raw) ? raw : [];
    for (const e of eps) {
      if (!isRecord(e)) continue;
      const cond = isRecord(e.conditions) ? e.conditions : {};
      if (cond.ready === false) continue;
      const pod = isRecord(e.targetRef) && typeof e.targetRef.name === 'string' ? e.targetRef.name : null;
      for (const ip of Array.isArray(e.addresses) ? e.addresses : []) if (typeof ip === 'string') out.push({ ip, zone: typeof e.zone === 'string' ? e.zone : world.ids.zones[0], pod });
    }
  }
  return out;
}

function listenPorts(raw: string | undefined, hasCert: boolean): { protocol: 'HTTP' | 'HTTPS'; port: number }[] {
  if (raw === undefined) return hasCert ? [{ protocol: 'HTTPS', port: 443 }] : [{ protocol: 'HTTP', port: 80 }];
  try {
    const parsed: unknown = JSON.parse(raw);
    return (Array.isArray(parsed) ? parsed : []).flatMap((p) =>
      isRecord(p) ? Object.entries(p).flatMap(([k, v]) => (typeof v === 'number' && (k === 'HTTP' || k === 'HTTPS') ? [{ protocol: k, port: v }] : [])) : [],
    );
  } catch {
    return [];
  }
}

function certificateOf(world: LabWorld, arn: string, lbArn: string): LabCertificate {
  void lbArn;
  // What `provision` imported (lab --bare) is served as imported; the lab's own ARN serves the lab's PKI.
  const pems = world.acm.get(arn) ?? world.tls;
  const x = new X509Certificate(pems.certPem);
  const sans = (x.subjectAltName ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const cn = /CN=([^\n,]+)/.exec(x.subject)?.[1] ?? sans[0] ?? '';
  return {
    arn,
    region: /^arn:aws:acm:([^:]+):/.exec(arn)?.[1] ?? LAB_REGION,
    certPem: pems.certPem,
    // ACM keeps what was imported with --certificate-chain; acm-no-chain's front serves the leaf alone.
    chainPem: pems.chainPem,
    domainName: cn,
    sans: sans.length ? sans : [cn],
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    serial: x.serialNumber,
    subject: x.subject.replace(/\n/g, ','),
    issuer: x.issuer.replace(/\n/g, ','),
  };
}

/**
 * Whether the controller has built an ALB: always in the full lab; in a bare one, once it reconciled an
 * Ingress (its status carries the ALB's name).
 */
export function albExists(world: LabWorld): boolean {
  if (!world.bare) return true;
  const ing = findObject(world, 'Ingress', world.ids.ingress, world.ids.namespace);
  const st = ing && isRecord(ing.status) && isRecord(ing.status.loadBalancer) ? ing.status.loadBalancer : {};
  return Array.isArray(st.ingress) && st.ingress.length > 0;
}

export function deriveAlb(world: LabWorld): LabAlb {
  const { ids } = world;
  const has = (f: string) => world.faults.includes(f);
  const { annotations, hosts } = ingressOf(world);
  const svc = findObject(world, 'Service', ids.service, ids.namespace);
  const clusterIp = svc && isRecord(svc.spec) && (svc.spec.type ?? 'ClusterIP') === 'ClusterIP';
  const name = `k8s-${ids.namespace.slice(0, 8)}-${ids.ingress.replace(/-/g, '').slice(0, 8)}-2f72215c02`;
  const arn = `arn:aws:elasticloadbalancing:${LAB_REGION}:${LAB_ACCOUNT}:loadbalancer/app/${name}/50dc6c495c0c9188`;
  const attrs = new Map([
    ['routing.http2.enabled', 'true'],
    ['idle_timeout.timeout_seconds', '60'],
    ['deletion_protection.enabled', 'false'],
  ]);
  for (const kv of (annotations[`${A}load-balancer-attributes`] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = kv.split('=');
    if (k && v !== undefined) attrs.set(k, v);
  }
  // An instance target type with a ClusterIP Service fails the controller's model build: the ALB keeps
  // what it had, the guide's ip target group.
  const targetType = annotations[`${A}target-type`] === 'instance' && !clusterIp ? 'instance' : 'ip';
  const protocolVersion = (annotations[`${A}backend-protocol-version`] ?? 'HTTP1') as LabTargetGroup['protocolVersion'];
  const grpc = protocolVersion === 'GRPC';
  const tgArn = ids.targetGroupArn;
  const zones = has('target-not-in-use') ? [ids.zones[0]] : ids.zones;
  const targets = readyEndpoints(world).map((t) => ({ ...t }));
  if (has('targets-stale')) targets.push({ ip: STALE_TARGET, zone: ids.zones[0], pod: null });
  const targetGroup: LabTargetGroup = {
    arn: tgArn,
    name: ids.targetGroupBinding,
    protocol: annotations[`${A}backend-protocol`] === 'HTTPS' ? 'HTTPS' : 'HTTP',
    protocolVersion,
    port: 19530,
    targetType,
    healthCheckPath: annotations[`${A}healthcheck-path`] ?? (grpc ? '/AWS.ALB/healthcheck' : '/'),
    matcher: grpc ? { grpc: annotations[`${A}success-codes`] ?? '12' } : { http: annotations[`${A}success-codes`] ?? '200' },
    targets,
  };
  const certArns = (annotations[`${A}certificate-arn`] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const ports = listenPorts(annotations[`${A}listen-ports`], certArns.length > 0);
  const forward: LabAction = { type: 'forward', targetGroupArn: tgArn };
  const notFound: LabAction = { type: 'fixed-response', status: '404' };
  const listeners: LabListener[] = ports.map((p) => {
    const larn = `${arn.replace(':loadbalancer/', ':listener/')}/${p.port === 443 ? '7c1e3e5d2f9a4b60' : `0000${p.port}`}`;
    return {
      arn: larn,
      port: p.port,
      protocol: p.protocol,
      certificateArn: p.protocol === 'HTTPS' ? (certArns[0] ?? null) : null,
      extraCertificateArns: p.protocol === 'HTTPS' ? certArns.slice(1) : [],
      // The controller's default policy when the Ingress names none.
      sslPolicy: p.protocol === 'HTTPS' ? (annotations[`${A}ssl-policy`] ?? 'ELBSecurityPolicy-2016-08') : null,
      defaultAction: notFound,
      rules: hosts.map((h, i) => ({ arn: `${larn.replace(':listener/', ':listener-rule/')}/${i + 1}a2b3c4d5e6f7081`, priority: String(i + 1), hosts: [h], action: forward })),
    };
  });
  if (has('listener-http-open') && !listeners.some((l) => l.protocol === 'HTTP')) {
    listeners.push({ arn: `${arn.replace(':loadbalancer/', ':listener/')}/000080`, port: 80, protocol: 'HTTP', certificateArn: null, extraCertificateArns: [], sslPolicy: null, defaultAction: notFound, rules: [] });
  }
  // A bare lab's ACM holds only what was imported into it: an annotation naming anything else names nothing.
  const known = world.bare ? [...world.acm.keys()] : [ids.certificateArn, OTHER_REGION_CERTIFICATE, ...certArns, ...world.acm.keys()];
  const certificates = [...new Set(known)].map((c) => certificateOf(world, c, arn));
  return {
    arn,
    name,
    dnsName: world.cluster.input.ingressAddress,
    scheme: has('lb-internal') ? 'internal' : (annotations[`${A}scheme`] ?? 'internal'),
    state: has('lb-provisioning') ? 'provisioning' : 'active',
    zones: zones.map((z, i) => ({ zone: z, subnetId: `subnet-0${i + 1}a2b3c4d5e6f7${i}` })),
    attributes: [...attrs].map(([key, value]) => ({ key, value })),
    tags: [
      { key: 'elbv2.k8s.aws/cluster', value: 'milvus-lab' },
      { key: 'ingress.k8s.aws/stack', value: `${ids.namespace}/${ids.ingress}` },
      { key: 'ingress.k8s.aws/resource', value: 'LoadBalancer' },
    ],
    listeners,
    targetGroup,
    certificates,
  };
}
