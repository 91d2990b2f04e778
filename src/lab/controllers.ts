// The controllers of a bare lab (`lab --bare`): what the AWS Load Balancer Controller, ingress-gce with the
// NEG controller, GKE's managed-certificate controller, the service controller and a Milvus rollout do
// when objects are applied, so `provision` meets a cluster that reacts as a real one does. Each watches the
// world (world.watchers, the lab's watch), reconciles after a short delay as a controller's queue does, and
// writes back what the real one writes: finalizer, status address, TargetGroupBinding, NEG status,
// ingress-gce's annotations, Events (FailedBuildModel, FailedDeployModel, Translate, Sync), a
// ManagedCertificate's status. The load balancer's data path follows through `applyFront`: no front until
// the load balancer exists, then the host rule, certificate and backend protocol derived from the objects.
// The cloud APIs (ELBv2/ACM, Compute) already derive per request from the same world.

import { parse as parseYaml } from 'yaml';
import { isRecord, type K8sObject } from '../render/object.js';
import { tlsCertificateChain } from '../render/gcp.js';
import { awsTargetGroupBinding } from './cluster/aws.js';
import { gkeIngressStatusAnnotations, gkeNegStatus } from './cluster/gcp.js';
import { shortHash, stableUid } from './cluster/ids.js';
import { deriveCompute } from './gcp/derive.js';
import { findObject, nextResourceVersion, putObject, removeObject, type LabWorld } from './world.js';

/** How the load balancer meets the pod: h2c (ALB GRPC), HTTP/2 over TLS (GKE HTTP2), or HTTP/1.1. */
export type BackendProtocol = 'h2c' | 'h2-tls' | 'http1';

export interface FrontWanted {
  readonly hostRule: string;
  /** Leaf then intermediates, as the load balancer serves them. */
  readonly certPem: string;
  readonly keyPem: string;
  readonly action: { readonly kind: 'forward'; readonly protocol: BackendProtocol; readonly podTls: boolean } | { readonly kind: 'status'; readonly status: number };
}

export interface ControllerOptions {
  readonly world: LabWorld;
  /** What the load balancer's status reports (the lab front's address). */
  readonly ingressAddress: string;
  /** What the lab's DNS answers for the host: Google validates a managed certificate only when it is the LB's. */
  readonly dnsAnswer: string;
  /** A controller's reconcile after a change (its queue, its cloud calls). */
  readonly reconcileDelayMs: number;
  /** Provisioning → Active of a managed certificate. */
  readonly certificateDelayMs: number;
  /** Makes the lab's front serve `front` (null: no load balancer answers on the address). */
  readonly applyFront: (front: FrontWanted | null) => Promise<void>;
  readonly log: (line: string) => void;
}

export interface Controllers {
  /** Resolves once no reconcile is queued or running (tests). */
  idle(): Promise<void>;
  stop(): void;
}

const ALB = 'alb.ingress.kubernetes.io/';
const AWS_FINALIZER = 'ingress.k8s.aws/resources';
const GKE_FINALIZER = 'networking.gke.io/ingress-finalizer-V2';

function annotations(o: K8sObject | undefined): Record<string, string> {
  return o?.metadata.annotations ?? {};
}

function specOf(o: K8sObject | undefined): Record<string, unknown> {
  return o && isRecord(o.spec) ? o.spec : {};
}

function ruleHosts(ing: K8sObject): string[] {
  const rules = specOf(ing).rules;
  return (Array.isArray(rules) ? rules : []).flatMap((r) => (isRecord(r) && typeof r.host === 'string' ? [r.host] : []));
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Stores `next` when it differs from `prev`: a controller writes only what changed. */
function write(world: LabWorld, next: K8sObject, prev: K8sObject | undefined): void {
  if (prev && JSON.stringify({ ...prev, metadata: { ...prev.metadata, resourceVersion: '' } }) === JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: '' } })) return;
  next.metadata.uid ??= prev?.metadata.uid ?? stableUid(`${next.kind}:${next.metadata.name}`);
  next.metadata.creationTimestamp ??= nowSeconds();
  next.metadata.resourceVersion = nextResourceVersion(world);
  putObject(world, next, prev);
}

/** Milvus's tlsMode from the release's user.yaml (the ConfigMap Helm renders): 0 when unset. */
export function milvusTlsMode(world: LabWorld): number {
  const cm = findObject(world, 'ConfigMap', world.ids.configMap, world.ids.namespace) ?? findObject(world, 'ConfigMap', world.cluster.guide.configMap.metadata.name, world.ids.namespace);
  const data = cm && isRecord(cm.data) ? cm.data : {};
  const text = data['user.yaml'];
  if (typeof text !== 'string') return 0;
  try {
    const y: unknown = parseYaml(text);
    const sec = isRecord(y) && isRecord(y.common) && isRecord(y.common.security) ? y.common.security : {};
    return typeof sec.tlsMode === 'number' ? sec.tlsMode : 0;
  } catch {
    return 0;
  }
}

interface Outcome {
  readonly front: FrontWanted | null;
  /** A Warning the controller reports, or null when it reconciled. */
  readonly warning: { readonly reason: string; readonly message: string; readonly component: string } | null;
}

export function startControllers(o: ControllerOptions): Controllers {
  const { world } = o;
  const { ids } = world;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let dirty = false;
  let stopped = false;
  let lastFront = '';
  let lastEvent = '';
  const certTimers = new Map<string, NodeJS.Timeout>();

  const event = (type: 'Normal' | 'Warning', reason: string, message: string, component: string): void => {
    const key = `${type}/${reason}/${message}`;
    if (key === lastEvent) return;
    lastEvent = key;
    const at = nowSeconds();
    const name = `${ids.ingress}.${shortHash(`${key}-${Date.now()}`, 16)}`;
    write(
      world,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ids.namespace, creationTimestamp: at },
        involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: ids.ingress, namespace: ids.namespace },
        reason,
        message,
        source: { component },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        type,
        reportingComponent: component,
        reportingInstance: '',
      },
      undefined,
    );
  };

  /**
   * A reconcile that succeeded drops the controller's earlier Warning events on the Ingress: the lab
   * compresses the apiserver's one-hour event TTL, so a fixed Ingress is not judged on a warning it no
   * longer earns. (On a real cluster they linger up to an hour; `provision --wait` reads only new ones.)
   */
  const dropOldWarnings = (component: string): void => {
    for (const e of world.objects.filter((x) => x.kind === 'Event' && x.type === 'Warning' && isRecord(x.source) && x.source.component === component)) removeObject(world, e);
  };

  const serviceController = (): void => {
    const svc = findObject(world, 'Service', ids.service, ids.namespace);
    if (!svc || specOf(svc).type !== 'ClusterIP') return;
    const st = isRecord(svc.status) && isRecord(svc.status.loadBalancer) ? svc.status.loadBalancer : {};
    const ports = specOf(svc).ports;
    const withNodePorts = Array.isArray(ports) && ports.some((p) => isRecord(p) && p.nodePort !== undefined);
    if (!Array.isArray(st.ingress) && !withNodePorts) return;
    // The service controller releases the L4 load balancer, and a ClusterIP Service has no node ports.
    const cleaned = (Array.isArray(ports) ? ports : []).map((p) => {
      if (!isRecord(p)) return p;
      const { nodePort: _dropped, ...rest } = p;
      return rest;
    });
    const { externalTrafficPolicy: _e, allocateLoadBalancerNodePorts: _a, ...spec } = specOf(svc);
    write(world, { ...structuredClone(svc), spec: { ...spec, ports: cleaned }, status: { loadBalancer: {} } }, svc);
  };

  /** Helm's rollout: the proxy pods restart with the new user.yaml, serving TLS from tlsMode 1. */
  const milvusRollout = (): void => {
    const mode = milvusTlsMode(world);
    const wanted = mode >= 1 && world.backends.milvusTls ? 'tls' : 'h2c';
    if (world.milvusBackend !== wanted && world.milvusBackend !== 'mtls') {
      world.milvusBackend = wanted;
      o.log(`lab: Milvus restarted with tlsMode ${mode}: its 19530 serves ${wanted === 'tls' ? 'TLS (ALPN h2)' : 'plaintext h2c'}`);
    }
  };

  const reconcileAws = (ing: K8sObject): Outcome => {
    const a = annotations(ing);
    const cls = specOf(ing).ingressClassName ?? a['kubernetes.io/ingress.class'];
    if (cls !== 'alb') return { front: null, warning: null };
    const component = 'ingress';
    const where = `${ids.namespace}/${ids.ingress}`;
    const host = ruleHosts(ing)[0] ?? '';
    const certArns = (a[`${ALB}certificate-arn`] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const rawPorts = a[`${ALB}listen-ports`];
    const https = rawPorts === undefined ? certArns.length > 0 : /"HTTPS"/.test(rawPorts);
    const grpc = a[`${ALB}backend-protocol-version`] === 'GRPC';
    const svc = findObject(world, 'Service', ids.service, ids.namespace);
    const fail = (reason: string, message: string): Outcome => ({ front: null, warning: { reason, message, component } });
    if (rawPorts !== undefined && !https && !/"HTTP"/.test(rawPorts)) return fail('FailedBuildModel', `Failed build model due to failed to parse listen-ports configuration: ${rawPorts}`);
    if (https && certArns.length === 0) return fail('FailedBuildModel', `Failed build model due to ingress: ${where}: no certificate found for host: ${host}`);
    if (a[`${ALB}target-type`] === 'instance' && specOf(svc).type === 'ClusterIP') {
      return fail('FailedBuildModel', `Failed build model due to ingress: ${where}: service "${ids.service}" must be of type NodePort or LoadBalancer, was ClusterIP (type: ClusterIP)`);
    }
    if (grpc && !https) return fail('FailedDeployModel', "Failed deploy model due to ValidationError: Listener protocol 'HTTP' is not supported with a target group with the protocol-version 'GRPC'");
    const missing = certArns.find((arn) => !world.acm.has(arn));
    if (missing !== undefined) return fail('FailedDeployModel', `Failed deploy model due to CertificateNotFound: Certificate '${missing}' not found\n\tstatus code: 400`);
    world.albCertificates = new Set(certArns);
    const next = structuredClone(ing);
    const finalizers = Array.isArray(next.metadata.finalizers) ? next.metadata.finalizers : [];
    next.metadata.finalizers = [...new Set([...finalizers, AWS_FINALIZER])];
    next.status = { loadBalancer: { ingress: [{ hostname: o.ingressAddress }] } };
    write(world, next, ing);
    const tgb = awsTargetGroupBinding(world.cluster);
    write(world, tgb, findObject(world, 'TargetGroupBinding', tgb.metadata.name, ids.namespace) ?? undefined);
    dropOldWarnings(component);
    event('Normal', 'SuccessfullyReconciled', 'Successfully reconciled', component);
    const cert = certArns[0] ? world.acm.get(certArns[0]) : undefined;
    if (!cert) return { front: null, warning: null };
    const tlsToTarget = a[`${ALB}backend-protocol`] === 'HTTPS';
    return {
      front: {
        hostRule: host,
        certPem: tlsCertificateChain(cert),
        keyPem: cert.keyPem,
        // A target group that is not GRPC answers gRPC with 464 (FAILURES.md: 464).
        action: grpc ? { kind: 'forward', protocol: tlsToTarget ? 'h2-tls' : 'h2c', podTls: world.milvusBackend === 'tls' } : { kind: 'status', status: 464 },
      },
      warning: null,
    };
  };

  const scheduleManagedCertificate = (mc: K8sObject): void => {
    const key = `${mc.metadata.namespace}/${mc.metadata.name}`;
    if (certTimers.has(key)) return;
    certTimers.set(
      key,
      setTimeout(() => {
        certTimers.delete(key);
        const cur = findObject(world, 'ManagedCertificate', mc.metadata.name, mc.metadata.namespace);
        if (!cur || stopped) return;
        const domains = Array.isArray(specOf(cur).domains) ? (specOf(cur).domains as unknown[]).filter((d): d is string => typeof d === 'string') : [];
        // Google fetches the domain through its DNS: only an answer of the Ingress IP validates it.
        const visible = o.dnsAnswer === o.ingressAddress;
        const status = visible
          ? { certificateName: `mcrt-${stableUid(key)}`, certificateStatus: 'Active', domainStatus: domains.map((d) => ({ domain: d, status: 'Active' })), expireTime: new Date(Date.now() + 90 * 86_400_000).toISOString() }
          : { certificateName: `mcrt-${stableUid(key)}`, certificateStatus: 'Provisioning', domainStatus: domains.map((d) => ({ domain: d, status: 'FailedNotVisible' })) };
        write(world, { ...structuredClone(cur), status }, cur);
      }, o.certificateDelayMs),
    );
  };

  const reconcileGcp = (ing: K8sObject): Outcome => {
    const a = annotations(ing);
    const component = 'loadbalancer-controller';
    // ingress-gce takes class gce (or none), and never an Ingress whose spec.ingressClassName is set.
    if (specOf(ing).ingressClassName !== undefined && specOf(ing).ingressClassName !== null) return { front: null, warning: null };
    if ((a['kubernetes.io/ingress.class'] ?? 'gce') !== 'gce') return { front: null, warning: null };
    const fail = (reason: string, message: string): Outcome => ({ front: null, warning: { reason, message, component } });
    const svc = findObject(world, 'Service', ids.service, ids.namespace);
    if (!svc) return fail('Translate', `Translation failed: invalid ingress spec: could not find service "${ids.namespace}/${ids.service}"`);
    const sa = annotations(svc);
    const neg = /"ingress"\s*:\s*true/.test(sa['cloud.google.com/neg'] ?? '');
    if (!neg && specOf(svc).type === 'ClusterIP') {
      return fail('Translate', `Translation failed: invalid ingress spec: service "${ids.namespace}/${ids.service}" is type "ClusterIP", expected "NodePort" or "LoadBalancer"`);
    }
    if (neg && sa['cloud.google.com/neg-status'] === undefined) {
      write(world, { ...structuredClone(svc), metadata: { ...structuredClone(svc.metadata), annotations: { ...sa, ...gkeNegStatus(world.cluster) } } }, svc);
    }
    const host = ruleHosts(ing)[0] ?? '';
    const spec = specOf(ing);
    const tls = (Array.isArray(spec.tls) ? spec.tls : []).find((t) => isRecord(t) && typeof t.secretName === 'string');
    const mcName = a['networking.gke.io/managed-certificates']?.split(',')[0]?.trim();
    let served: { certPem: string; keyPem: string } | null = null;
    if (isRecord(tls) && typeof tls.secretName === 'string') {
      const secret = findObject(world, 'Secret', tls.secretName, ids.namespace);
      const data = secret && isRecord(secret.data) ? secret.data : {};
      if (typeof data['tls.crt'] !== 'string' || typeof data['tls.key'] !== 'string') {
        return fail('Sync', `Error syncing to GCP: error running load balancer syncing routine: error initializing translator env: secrets "${tls.secretName}" not found`);
      }
      served = { certPem: Buffer.from(data['tls.crt'], 'base64').toString('utf8'), keyPem: Buffer.from(data['tls.key'], 'base64').toString('utf8') };
    } else if (mcName) {
      const mc = findObject(world, 'ManagedCertificate', mcName, ids.namespace);
      if (!mc) return fail('Sync', `Error syncing to GCP: error running load balancer syncing routine: managed certificate "${ids.namespace}/${mcName}" not found`);
      if (!isRecord(mc.status)) {
        const domains = Array.isArray(specOf(mc).domains) ? specOf(mc).domains : [];
        write(world, { ...structuredClone(mc), status: { certificateStatus: 'Provisioning', domainStatus: (domains as unknown[]).map((d) => ({ domain: d, status: 'Provisioning' })) } }, mc);
        scheduleManagedCertificate(mc);
      } else if (mc.status.certificateStatus === 'Active') {
        // Google's certificate for the domain; in the lab, the lab PKI (whose CA --ca trusts) plays Google's CA.
        served = { certPem: tlsCertificateChain(world.tls), keyPem: world.tls.keyPem };
      }
    }
    const cw = deriveCompute(world, 'lab');
    const bs = cw.backendServices.get(ids.negName);
    const hc = cw.healthChecks.get(ids.negName);
    // The lab's /healthz answers on 9091; GKE's default check (the serving port, path /) meets gRPC and fails.
    const healthy = hc !== undefined && hc.type === 'HTTP' && hc.port === 9091 && hc.requestPath === '/healthz';
    const next = structuredClone(ing);
    const finalizers = Array.isArray(next.metadata.finalizers) ? next.metadata.finalizers : [];
    next.metadata.finalizers = [...new Set([...finalizers, GKE_FINALIZER])];
    next.metadata.annotations = { ...a, ...gkeIngressStatusAnnotations(world.cluster, healthy ? 'HEALTHY' : 'UNHEALTHY', served?.certPem ?? '') };
    if (!served) {
      delete next.metadata.annotations['ingress.kubernetes.io/https-forwarding-rule'];
      delete next.metadata.annotations['ingress.kubernetes.io/https-target-proxy'];
      delete next.metadata.annotations['ingress.kubernetes.io/ssl-cert'];
    }
    next.status = { loadBalancer: { ingress: [{ ip: o.ingressAddress }] } };
    write(world, next, ing);
    dropOldWarnings(component);
    event('Normal', 'Sync', 'Scheduled for sync', component);
    if (!served) return { front: null, warning: null };
    const protocol = typeof bs?.protocol === 'string' ? bs.protocol : 'HTTP';
    return {
      front: {
        hostRule: host,
        certPem: served.certPem,
        keyPem: served.keyPem,
        action: { kind: 'forward', protocol: protocol === 'HTTP2' ? 'h2-tls' : 'http1', podTls: world.milvusBackend === 'tls' },
      },
      warning: null,
    };
  };

  const reconcile = async (): Promise<void> => {
    serviceController();
    milvusRollout();
    const ing = findObject(world, 'Ingress', ids.ingress, ids.namespace);
    // The Ingress is gone: the controller deletes its ALB, and the listener lets go of its certificates.
    if (!ing) world.albCertificates = new Set();
    const outcome: Outcome = !ing ? { front: null, warning: null } : world.provider === 'aws' ? reconcileAws(ing) : reconcileGcp(ing);
    if (outcome.warning) event('Warning', outcome.warning.reason, outcome.warning.message, outcome.warning.component);
    const key = JSON.stringify(outcome.front);
    if (key !== lastFront) {
      lastFront = key;
      o.log(outcome.front ? `lab: the load balancer serves ${outcome.front.hostRule} (${outcome.front.action.kind === 'forward' ? outcome.front.action.protocol : outcome.front.action.status})` : 'lab: no load balancer serves the address');
      await o.applyFront(outcome.front);
    }
  };

  const run = (): void => {
    timer = null;
    if (stopped) return;
    if (running) {
      dirty = true;
      return;
    }
    running = reconcile()
      .catch((e: unknown) => o.log(`lab: controller: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        running = null;
        if (dirty && !stopped) {
          dirty = false;
          schedule();
        }
      });
  };
  const schedule = (): void => {
    if (timer === null && !stopped) timer = setTimeout(run, o.reconcileDelayMs);
  };
  world.watchers.add(schedule);
  schedule();
  return {
    async idle() {
      while (timer !== null || running !== null) {
        await (running ?? new Promise((r) => setTimeout(r, o.reconcileDelayMs)));
      }
    },
    stop() {
      stopped = true;
      world.watchers.delete(schedule);
      if (timer) clearTimeout(timer);
      for (const t of certTimers.values()) clearTimeout(t);
    },
  };
}
