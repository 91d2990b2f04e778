// Faults of the lab's Kubernetes side: each one a mutation of the healthy objects that reproduces one real
// failure (FAILURES.md row `reproduces`), plus, where the real world's data path would change as well, a
// flag the lab's data path reads (`dataPath`). `expectFail` names the checks that must fail under it; the
// check ids are a contract with src/checks.

import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { isRecord, type K8sObject } from '../../render/object.js';
import type { RenderInput } from '../cluster/context.js';
import type { LabIdentifiers } from '../cluster/ids.js';
import { finishObjects, renderManagedCertificateObject } from '../cluster/objects.js';
import type { LabProvider } from './resources.js';

export interface DataPathFlags {
  /** What the LB meets on 19530: Milvus without TLS, or Milvus demanding client certificates. */
  readonly backendProtocol?: 'plaintext' | 'mtls';
  /** The LB serves the expired certificate from the Secret. */
  readonly servedCert?: 'expired';
}

/** The lab's Kubernetes state: the objects served, plus what the API server's own subresources answer. */
export interface LabWorld {
  readonly provider: LabProvider;
  readonly ids: LabIdentifiers;
  objects: K8sObject[];
  /** Pod name → the /healthz answer the pod proxy gives instead of forwarding to the lab's healthz. */
  readonly healthzOverrides: Map<string, { readonly status: number; readonly body: string }>;
  /** What a port-forward to a proxy pod's 19530 reaches: h2c Milvus, TLS Milvus (ALPN h2), or TLS demanding client certs. */
  milvusBackend: 'h2c' | 'tls' | 'mtls';
}

export interface FaultContext {
  readonly render: RenderInput;
  readonly expiredCertPem?: string;
  readonly expiredKeyPem?: string;
}

export interface K8sFault {
  readonly name: string;
  readonly provider: LabProvider | 'any';
  readonly description: string;
  /**
   * The FAILURES.md row id. One exception, `l4-leftover`: the guides' own first step (`--set
   * service.type=ClusterIP`) left undone, which no tracker row covers.
   */
  readonly reproduces: string;
  readonly expectFail: readonly string[];
  readonly dataPath?: DataPathFlags;
  readonly apply: (world: LabWorld, ctx: FaultContext) => void;
}

export class LabFaultError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'LabFaultError';
  }
}

function find(world: LabWorld, kind: string, name?: string): K8sObject {
  const o = world.objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `the lab has no ${kind}${name ? ` ${name}` : ''} to break`);
  return o;
}

function findAll(world: LabWorld, kind: string): K8sObject[] {
  return world.objects.filter((x) => x.kind === kind);
}

function remove(world: LabWorld, kind: string, name: string): void {
  world.objects = world.objects.filter((x) => !(x.kind === kind && x.metadata.name === name));
}

function rec(v: unknown, what: string): Record<string, unknown> {
  if (!isRecord(v)) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `${what} is not an object`);
  return v;
}

function records(v: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `${what} is not a list`);
  return v.map((x, i) => rec(x, `${what}[${i}]`));
}

function annotations(o: K8sObject): Record<string, string> {
  o.metadata.annotations ??= {};
  return o.metadata.annotations;
}

function service(world: LabWorld): K8sObject {
  return find(world, 'Service', world.ids.service);
}

function servicePort(world: LabWorld, port: number): Record<string, unknown> {
  const p = records(rec(service(world).spec, 'Service spec').ports, 'Service ports').find((x) => x.port === port);
  if (!p) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `the Service has no port ${port}`);
  return p;
}

function setUserYaml(world: LabWorld, text: string): void {
  const cm = find(world, 'ConfigMap', world.ids.configMap);
  rec(cm.data, 'ConfigMap data')['user.yaml'] = text;
}

function ingressEvent(world: LabWorld, reason: string, message: string, count: number, component: string): K8sObject {
  const ingress = find(world, 'Ingress', world.ids.ingress);
  const now = new Date();
  const first = new Date(now.getTime() - 35 * 60_000).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${world.ids.ingress}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}`, namespace: world.ids.namespace, creationTimestamp: first },
    involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: world.ids.ingress, namespace: world.ids.namespace, uid: ingress.metadata.uid, resourceVersion: ingress.metadata.resourceVersion },
    reason,
    message,
    source: { component },
    firstTimestamp: first,
    lastTimestamp: new Date(now.getTime() - 60_000).toISOString(),
    count,
    type: 'Warning',
    reportingComponent: '',
    reportingInstance: '',
  };
}

/** A fresh private key of the same type (and curve or size) as `keyPem`, so only "key ≠ certificate" is wrong. */
function otherKeyLike(keyPem: string): string {
  const key = createPrivateKey(keyPem);
  const details = key.asymmetricKeyDetails ?? {};
  const enc = { format: 'pem', type: 'pkcs8' } as const;
  if (key.asymmetricKeyType === 'ec') return generateKeyPairSync('ec', { namedCurve: details.namedCurve ?? 'prime256v1', privateKeyEncoding: enc, publicKeyEncoding: { format: 'pem', type: 'spki' } }).privateKey;
  if (key.asymmetricKeyType === 'ed25519') return generateKeyPairSync('ed25519', { privateKeyEncoding: enc, publicKeyEncoding: { format: 'pem', type: 'spki' } }).privateKey;
  return generateKeyPairSync('rsa', { modulusLength: details.modulusLength ?? 2048, privateKeyEncoding: enc, publicKeyEncoding: { format: 'pem', type: 'spki' } }).privateKey;
}

function tlsSecretData(world: LabWorld): Record<string, unknown> {
  return rec(find(world, 'Secret', world.ids.tlsName).data, 'Secret data');
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

const USER_YAML_NO_TLS = `common:
  security:
    authorizationEnabled: true
`;

// Milvus 2.4 with tlsMode 2 verifies clients against tls.caPemPath; no Google or AWS LB presents a client certificate.
const USER_YAML_MTLS = `common:
  security:
    authorizationEnabled: true
    tlsMode: 2
tls:
  serverPemPath: /milvus/tls/tls.crt
  serverKeyPath: /milvus/tls/tls.key
  caPemPath: /milvus/tls/ca.crt
`;

export const K8S_FAULTS: readonly K8sFault[] = [
  {
    name: 'service-loadbalancer',
    provider: 'any',
    description: 'The Milvus Service is still type LoadBalancer: the guides\' `--set service.type=ClusterIP` was not applied, so an L4 load balancer still exposes 19530 beside the L7 one.',
    reproduces: 'l4-leftover',
    expectFail: ['k8s.service.clusterip'],
    apply(world) {
      const svc = service(world);
      const spec = rec(svc.spec, 'Service spec');
      spec.type = 'LoadBalancer';
      spec.externalTrafficPolicy = 'Cluster';
      spec.allocateLoadBalancerNodePorts = true;
      records(spec.ports, 'Service ports').forEach((p, i) => {
        p.nodePort = [31530, 30991][i] ?? 32000 + i;
      });
      const lb = world.provider === 'aws' ? { hostname: 'a3f9c1e27b4d54e0f8a1b2c3d4e5f607-1843920751.us-east-2.elb.amazonaws.com' } : { ip: '34.122.87.201', ipMode: 'VIP' };
      svc.status = { loadBalancer: { ingress: [lb] } };
    },
  },
  {
    name: 'port-unnamed',
    provider: 'any',
    description: 'The Service port 19530 has no name, so nothing can refer to it by name (GKE app-protocols is keyed by port name: the backend silently falls back to HTTP/1.1).',
    reproduces: 'app-protocols-key',
    expectFail: ['k8s.service.port-named'],
    apply(world) {
      delete servicePort(world, 19530).name;
      const unname = (ports: Record<string, unknown>[]) => ports.filter((p) => p.port === 19530).forEach((p) => (p.name = ''));
      unname(records(find(world, 'EndpointSlice').ports, 'EndpointSlice ports'));
      for (const subset of records(find(world, 'Endpoints', world.ids.service).subsets, 'Endpoints subsets')) unname(records(subset.ports, 'Endpoints ports'));
    },
  },
  {
    name: 'app-protocols-by-number',
    provider: 'gcp',
    description: 'cloud.google.com/app-protocols is keyed by the port number ({"19530":"HTTP2"}) instead of its name: GKE ignores it, the backend service speaks HTTP/1.1, backends stay HEALTHY and clients get 502.',
    reproduces: 'app-protocols-key',
    expectFail: ['gcp.service.app-protocols'],
    apply(world) {
      annotations(service(world))['cloud.google.com/app-protocols'] = '{"19530":"HTTP2"}';
    },
  },
  {
    name: 'app-protocols-alpha-leftover',
    provider: 'gcp',
    description: 'A leftover service.alpha.kubernetes.io/app-protocols ({"milvus":"HTTPS"}) sits beside the cloud.google.com/ key and wins over it: the backend service speaks HTTPS (HTTP/1.1), not HTTP2.',
    reproduces: 'app-protocols-value',
    expectFail: ['gcp.service.app-protocols'],
    apply(world) {
      annotations(service(world))['service.alpha.kubernetes.io/app-protocols'] = '{"milvus":"HTTPS"}';
    },
  },
  {
    name: 'neg-missing',
    provider: 'gcp',
    description: 'The Service lacks cloud.google.com/neg {"ingress": true}, so no NEG exists (no cloud.google.com/neg-status) and a ClusterIP Service cannot back a GKE Ingress.',
    reproduces: 'neg-off',
    expectFail: ['gcp.service.neg'],
    apply(world) {
      const a = annotations(service(world));
      delete a['cloud.google.com/neg'];
      delete a['cloud.google.com/neg-status'];
      // Without a NEG, GKE injects no NEG readiness gate into the pods.
      for (const pod of findAll(world, 'Pod')) {
        const spec = rec(pod.spec, 'Pod spec');
        delete spec.readinessGates;
        const status = rec(pod.status, 'Pod status');
        status.conditions = records(status.conditions, 'Pod conditions').filter((c) => c.type !== 'cloud.google.com/load-balancer-neg-ready');
      }
    },
  },
  {
    name: 'backendconfig-wrong-port',
    provider: 'gcp',
    description: 'The BackendConfig health check probes port 19530 (TLS/gRPC) with plain HTTP instead of 9091 /healthz.',
    reproduces: 'health-check',
    expectFail: ['gcp.backendconfig.health-check'],
    apply(world) {
      const bc = find(world, 'BackendConfig', world.ids.backendConfig);
      rec(rec(bc.spec, 'BackendConfig spec').healthCheck, 'healthCheck').port = 19530;
    },
  },
  {
    name: 'backendconfig-on-ingress',
    provider: 'gcp',
    description: 'cloud.google.com/backend-config is on the Ingress instead of the Service: GKE ignores it there and uses the default health check (HTTP2 on the serving port, path /).',
    reproduces: 'backendconfig-ref',
    expectFail: ['gcp.service.backend-config'],
    apply(world) {
      const svcAnn = annotations(service(world));
      const value = svcAnn['cloud.google.com/backend-config'];
      delete svcAnn['cloud.google.com/backend-config'];
      annotations(find(world, 'Ingress', world.ids.ingress))['cloud.google.com/backend-config'] = value;
    },
  },
  {
    name: 'backendconfig-missing',
    provider: 'gcp',
    description: 'The Service names a BackendConfig that does not exist in its namespace (never applied, or applied to another namespace as the guide\'s `namespace: default` does).',
    reproduces: 'backendconfig-ref',
    expectFail: ['gcp.service.backend-config'],
    apply(world) {
      find(world, 'BackendConfig', world.ids.backendConfig);
      remove(world, 'BackendConfig', world.ids.backendConfig);
    },
  },
  {
    name: 'ingressclass-missing',
    provider: 'aws',
    description: 'IngressClass alb does not exist (controller reinstalled without it, or removed): no controller reconciles the Ingress any more, though the ALB it once made still answers.',
    reproduces: 'no-ingressclass',
    expectFail: ['k8s.ingress.class'],
    apply(world) {
      find(world, 'IngressClass', 'alb');
      remove(world, 'IngressClass', 'alb');
      remove(world, 'IngressClassParams', 'alb');
    },
  },
  {
    name: 'tls-secret-key-mismatch',
    provider: 'gcp',
    description: 'The TLS Secret\'s tls.key does not belong to its tls.crt (regenerated one without the other).',
    reproduces: 'tls-secret',
    expectFail: ['k8s.tls-secret'],
    apply(world, ctx) {
      tlsSecretData(world)['tls.key'] = b64(otherKeyLike(ctx.render.tls.keyPem));
    },
  },
  {
    name: 'tls-secret-expired',
    provider: 'gcp',
    description: 'The TLS Secret holds an expired certificate, and the load balancer serves it.',
    reproduces: 'tls-secret',
    expectFail: ['k8s.tls-secret', 'tls.validity'],
    dataPath: { servedCert: 'expired' },
    apply(world, ctx) {
      if (!ctx.expiredCertPem) throw new LabFaultError('K8S_LAB_FAULT_INPUT', 'fault tls-secret-expired needs tls.expiredCertPem');
      const data = tlsSecretData(world);
      data['tls.crt'] = b64(`${ctx.expiredCertPem.trimEnd()}\n${ctx.render.tls.chainPem.trimEnd()}\n`);
      data['tls.key'] = b64(ctx.expiredKeyPem ?? ctx.render.tls.keyPem);
    },
  },
  {
    name: 'managed-cert-provisioning',
    provider: 'gcp',
    description: 'The Ingress uses a Google-managed certificate (networking.gke.io/managed-certificates) that is stuck Provisioning: the domain is FailedNotVisible because its DNS does not point at the Ingress IP.',
    reproduces: 'managed-cert',
    expectFail: ['gcp.managed-certificate'],
    apply(world, ctx) {
      const ingress = find(world, 'Ingress', world.ids.ingress);
      delete rec(ingress.spec, 'Ingress spec').tls;
      const a = annotations(ingress);
      a['networking.gke.io/managed-certificates'] = world.ids.tlsName;
      a['ingress.kubernetes.io/ssl-cert'] = 'mcrt-34446a53-d639-4764-8438-346d7871a76e';
      // The Secret stays: Milvus itself still serves TLS (tlsMode 1) with it.
      world.objects.push(renderManagedCertificateObject(ctx.render, world.ids));
    },
  },
  {
    name: 'plaintext-backend',
    provider: 'gcp',
    description: 'Milvus runs without TLS (tlsMode missing from user.yaml; the chart ignores `--set common.security.tlsMode`): the LB speaks TLS to a plaintext port and clients get 502 while backends are HEALTHY.',
    reproduces: 'plaintext-backend',
    expectFail: ['http2.backend-protocol', 'k8s.config.tls-mode', 'http2.grpc'],
    dataPath: { backendProtocol: 'plaintext' },
    apply(world) {
      setUserYaml(world, USER_YAML_NO_TLS);
      world.milvusBackend = 'h2c';
    },
  },
  {
    name: 'mtls-backend',
    provider: 'gcp',
    description: 'Milvus runs with tlsMode 2 (mutual TLS): it demands a client certificate the LB cannot present, so clients get 502.',
    reproduces: 'mtls-backend',
    expectFail: ['http2.backend-protocol', 'k8s.config.tls-mode', 'http2.grpc'],
    dataPath: { backendProtocol: 'mtls' },
    apply(world) {
      setUserYaml(world, USER_YAML_MTLS);
      world.milvusBackend = 'mtls';
    },
  },
  {
    name: 'build-model-event',
    provider: 'aws',
    description: 'The AWS Load Balancer Controller cannot build the model: Warning FailedBuildModel, subnets lack the kubernetes.io/role/elb tag.',
    reproduces: 'build-model',
    expectFail: ['k8s.ingress.events'],
    apply(world) {
      world.objects.push(
        ...finishObjects([
          ingressEvent(
            world,
            'FailedBuildModel',
            "Failed build model due to couldn't auto-discover subnets: unable to resolve at least one subnet (0 match VPC and tags: [kubernetes.io/role/elb])",
            12,
            'ingress',
          ),
        ]),
      );
    },
  },
  {
    name: 'target-type-instance',
    provider: 'aws',
    description: 'alb.ingress.kubernetes.io/target-type is instance: the ALB would target node ports, which a ClusterIP Service does not have.',
    reproduces: 'build-model',
    expectFail: ['aws.ingress.target-type'],
    apply(world) {
      annotations(find(world, 'Ingress', world.ids.ingress))['alb.ingress.kubernetes.io/target-type'] = 'instance';
    },
  },
  {
    name: 'healthz-not-ready-pod',
    provider: 'any',
    description: 'One Milvus proxy pod\'s /healthz on 9091 answers 500 "Not all components are healthy, 3/5" (its readiness probe has not caught up yet).',
    reproduces: 'health-body',
    expectFail: ['healthz.pods'],
    apply(world) {
      world.healthzOverrides.set(world.ids.pods[1].name, { status: 500, body: 'Not all components are healthy, 3/5' });
    },
  },
];

export function k8sFault(name: string): K8sFault | undefined {
  return K8S_FAULTS.find((f) => f.name === name);
}

/** Validates first (unknown names, wrong provider), then applies in the order given. */
export function applyK8sFaults(world: LabWorld, names: readonly string[], ctx: FaultContext): DataPathFlags {
  const faults = names.map((name) => {
    const f = k8sFault(name);
    if (!f) throw new LabFaultError('K8S_LAB_UNKNOWN_FAULT', `unknown fault "${name}" (known: ${K8S_FAULTS.map((x) => x.name).join(', ')})`);
    if (f.provider !== 'any' && f.provider !== world.provider) throw new LabFaultError('K8S_LAB_FAULT_PROVIDER', `fault "${name}" applies to the ${f.provider} lab, not ${world.provider}`);
    return f;
  });
  let flags: DataPathFlags = {};
  for (const f of faults) {
    f.apply(world, ctx);
    flags = { ...flags, ...f.dataPath };
  }
  return flags;
}

/** The data-path flags of a set of faults, without building a world: for the lab's data path to read. */
export function k8sFaultDataPath(names: readonly string[]): DataPathFlags {
  let flags: DataPathFlags = {};
  for (const name of names) flags = { ...flags, ...k8sFault(name)?.dataPath };
  return flags;
}
