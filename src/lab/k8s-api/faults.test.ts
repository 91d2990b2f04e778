import { createPublicKey, createPrivateKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { K8S_FAULTS, k8sFaultDataPath, LabFaultError } from './faults.js';
import { isRecord, type K8sObject } from '../../render/object.js';
import { createLabWorld, type LabWorld } from '../world.js';
import { deriveCompute, firewallAdmits } from '../gcp/derive.js';
import type { LabProvider } from './resources.js';
import { makeTestCerts, type TestCerts } from '../../../test/kits/test-backends.js';

const HOST = 'milvus-demo.milvus.io';
let certs: TestCerts;

beforeAll(() => {
  certs = makeTestCerts(HOST);
});

// The data path is not started here: faults only change the world's objects and flags.
const NO_BACKENDS = { milvus: '127.0.0.1:1', milvusTls: '127.0.0.1:2', healthz: '127.0.0.1:3' };

function world(provider: LabProvider, faults: readonly string[] = []): LabWorld {
  return createLabWorld({ provider, host: HOST, ingressAddress: '127.0.0.1', tls: certs, faults, backends: NO_BACKENDS });
}

function get(w: LabWorld, kind: string, name?: string): K8sObject | undefined {
  return w.objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

function must(w: LabWorld, kind: string, name?: string): K8sObject {
  const o = get(w, kind, name);
  if (!o) throw new Error(`no ${kind} ${name ?? ''}`);
  return o;
}

/** Reads a nested field with no casts: `field(o, 'spec', 'ports')`. */
function field(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isRecord(cur) ? cur[p] : undefined;
  }
  return cur;
}

const compute = (w: LabWorld) => deriveCompute(w, 'p');
const svcAnn = (w: LabWorld) => must(w, 'Service', 'milvus-demo').metadata.annotations ?? {};
const ingAnn = (w: LabWorld) => must(w, 'Ingress', 'milvus-demo').metadata.annotations ?? {};
const userYaml = (w: LabWorld): unknown => parse(String(field(must(w, 'ConfigMap', 'milvus-demo-milvus'), 'data', 'user.yaml')));
const secretData = (w: LabWorld, key: string) => Buffer.from(String(field(must(w, 'Secret', 'milvus-demo-tls'), 'data', key)), 'base64').toString();

/** Per fault: what must differ from the healthy lab (and, implicitly, that the healthy lab differs). */
const OBSERVE: Record<string, (broken: LabWorld, healthy: LabWorld) => void> = {
  // AWS faults (src/lab/aws/faults.ts): an annotation the stand-in derives the ALB from, or, where the cause
  // lives only in AWS, the fault's name in the world the stand-in reads.
  'tg-http1': (w) => expect(ingAnn(w)['alb.ingress.kubernetes.io/backend-protocol-version']).toBeUndefined(),
  'targets-unhealthy': (w) => expect(ingAnn(w)['alb.ingress.kubernetes.io/success-codes']).toBe('0'),
  'acm-wrong-region': (w) => expect(ingAnn(w)['alb.ingress.kubernetes.io/certificate-arn']).toMatch(/:us-west-2:/),
  'ssl-policy-tls10': (w) => expect(ingAnn(w)['alb.ingress.kubernetes.io/ssl-policy']).toBeUndefined(),
  'http2-disabled': (w) => expect(ingAnn(w)['alb.ingress.kubernetes.io/load-balancer-attributes']).toBe('routing.http2.enabled=false'),
  'target-timeout': (w) => expect(w.faults).toContain('target-timeout'),
  'target-not-in-use': (w) => expect(w.faults).toContain('target-not-in-use'),
  'targets-stale': (w) => expect(w.faults).toContain('targets-stale'),
  'lb-provisioning': (w) => expect(w.faults).toContain('lb-provisioning'),
  'acm-expired': (w) => expect(w.faults).toContain('acm-expired'),
  'acm-no-chain': (w) => expect(w.faults).toContain('acm-no-chain'),
  'acm-other-domain': (w) => expect(w.faults).toContain('acm-other-domain'),
  'listener-http-open': (w) => expect(w.faults).toContain('listener-http-open'),
  'lb-internal': (w) => expect(w.faults).toContain('lb-internal'),
  'service-loadbalancer': (w) => {
    expect(field(must(w, 'Service', 'milvus-demo'), 'spec', 'type')).toBe('LoadBalancer');
    expect(field(must(w, 'Service', 'milvus-demo'), 'status', 'loadBalancer', 'ingress', 0)).toBeDefined();
  },
  'port-unnamed': (w) => {
    const ports = field(must(w, 'Service', 'milvus-demo'), 'spec', 'ports');
    expect(field(ports, 0, 'port')).toBe(19530);
    expect(field(ports, 0, 'name')).toBeUndefined();
    expect(field(ports, 1, 'name')).toBe('metrics');
    expect(field(must(w, 'EndpointSlice'), 'ports', 0, 'name')).toBe('');
  },
  'app-protocols-by-number': (w) => expect(JSON.parse(svcAnn(w)['cloud.google.com/app-protocols'])).toEqual({ '19530': 'HTTP2' }),
  'app-protocols-alpha-leftover': (w) => {
    expect(JSON.parse(svcAnn(w)['service.alpha.kubernetes.io/app-protocols'])).toEqual({ milvus: 'HTTPS' });
    expect(JSON.parse(svcAnn(w)['cloud.google.com/app-protocols'])).toEqual({ milvus: 'HTTP2' });
  },
  'neg-missing': (w) => {
    expect(svcAnn(w)['cloud.google.com/neg']).toBeUndefined();
    expect(svcAnn(w)['cloud.google.com/neg-status']).toBeUndefined();
  },
  'backendconfig-wrong-port': (w) => expect(field(must(w, 'BackendConfig'), 'spec', 'healthCheck', 'port')).toBe(19530),
  'backendconfig-on-ingress': (w) => {
    expect(svcAnn(w)['cloud.google.com/backend-config']).toBeUndefined();
    expect(JSON.parse(ingAnn(w)['cloud.google.com/backend-config'])).toEqual({ default: 'milvus-demo-backendconfig' });
  },
  'backendconfig-missing': (w) => {
    expect(get(w, 'BackendConfig')).toBeUndefined();
    expect(JSON.parse(svcAnn(w)['cloud.google.com/backend-config'])).toEqual({ default: 'milvus-demo-backendconfig' });
  },
  'ingressclass-missing': (w) => {
    expect(get(w, 'IngressClass')).toBeUndefined();
    expect(field(must(w, 'Ingress'), 'spec', 'ingressClassName')).toBe('alb');
  },
  'tls-secret-key-mismatch': (w) => {
    const cert = new X509Certificate(secretData(w, 'tls.crt'));
    const key = createPrivateKey(secretData(w, 'tls.key'));
    expect(cert.checkPrivateKey(key)).toBe(false);
    expect(key.asymmetricKeyType).toBe(createPublicKey(certs.keyPem).asymmetricKeyType);
  },
  'tls-secret-expired': (w) => {
    expect(secretData(w, 'tls.crt')).toContain(certs.expiredCertPem.trim());
    expect(secretData(w, 'tls.crt')).not.toContain(certs.certPem.trim());
  },
  'managed-cert-provisioning': (w) => {
    expect(field(must(w, 'Ingress'), 'spec', 'tls')).toBeUndefined();
    expect(ingAnn(w)['networking.gke.io/managed-certificates']).toBe('milvus-demo-tls');
    const mc = must(w, 'ManagedCertificate', 'milvus-demo-tls');
    expect(mc.metadata.namespace).toBe('milvus');
    expect(field(mc, 'status', 'certificateStatus')).toBe('Provisioning');
    expect(field(mc, 'status', 'domainStatus')).toEqual([{ domain: HOST, status: 'FailedNotVisible' }]);
  },
  'plaintext-backend': (w) => {
    expect(field(userYaml(w), 'common', 'security', 'tlsMode')).toBeUndefined();
    expect(w.milvusBackend).toBe('h2c');
  },
  'mtls-backend': (w) => {
    expect(field(userYaml(w), 'common', 'security', 'tlsMode')).toBe(2);
    expect(w.milvusBackend).toBe('mtls');
  },
  'build-model-event': (w, healthy) => {
    const warnings = w.objects.filter((o) => o.kind === 'Event' && o.type === 'Warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: 'FailedBuildModel', involvedObject: { kind: 'Ingress', name: 'milvus-demo', uid: must(healthy, 'Ingress').metadata.uid } });
    expect(String(warnings[0].message)).toMatch(/^Failed build model due to couldn't auto-discover subnets: /);
  },
  'target-type-instance': (w) => expect(ingAnn(w)['alb.ingress.kubernetes.io/target-type']).toBe('instance'),
  'healthz-not-ready-pod': (w) => {
    expect([...w.healthzOverrides]).toEqual([[w.ids.pods[1].name, { status: 500, body: 'Not all components are healthy, 3/5' }]]);
  },
  // The Compute faults: those with a Kubernetes cause edit objects; the others show in what the Compute
  // stand-in derives (src/lab/gcp/derive.ts) from the same world.
  'backend-service-http': (b) => {
    expect(svcAnn(b)['cloud.google.com/app-protocols']).toBeUndefined();
    expect(field(compute(b).backendServices.get(b.ids.negName), 'protocol')).toBe('HTTP');
  },
  'hc-wrong-port': (b) => {
    expect(compute(b).healthChecks.get(b.ids.negName)?.port).toBe(19530);
    expect(ingAnn(b)['ingress.kubernetes.io/backends']).toContain('UNHEALTHY');
  },
  'firewall-missing-9091': (b) => {
    expect(firewallAdmits(compute(b), 9091)).toBe(false);
    expect(firewallAdmits(compute(b), 19530)).toBe(true);
  },
  'neg-endpoint-unhealthy': (b) => expect(b.healthzOverrides.get(b.ids.pods[1].name)?.status).toBe(500),
  'neg-empty': (b) => expect(compute(b).negs.flatMap((n) => n.endpoints)).toEqual([]),
  'neg-stale': (b) => expect(compute(b).negs.flatMap((n) => n.endpoints).filter((e) => e.pod === null).map((e) => e.ipAddress)).toEqual(['10.52.2.33']),
  'backend-timeout-30s': (b) => expect(field(compute(b).backendServices.get(b.ids.negName), 'timeoutSec')).toBe(30),
  'port-80-open': (b) => {
    expect(ingAnn(b)['kubernetes.io/ingress.allow-http']).toBeUndefined();
    expect([...compute(b).forwardingRules.values()].map((r) => r.portRange)).toContain('80-80');
  },
  // The renewed Secret is issued asynchronously when the lab starts (renewedSecret); here the fault is named.
  'ssl-cert-mismatch': (b) => expect(b.faults).toContain('ssl-cert-mismatch'),
  'managed-cert-failed-not-visible': (b) => {
    const cert = [...compute(b).sslCertificates.values()][0];
    expect(field(cert, 'managed', 'domainStatus', HOST)).toBe('FAILED_NOT_VISIBLE');
    expect(field(must(b, 'ManagedCertificate'), 'status')).toBeUndefined();
  },
  'url-map-no-host-rule': (b) => expect(field([...compute(b).urlMaps.values()][0], 'hostRules')).toEqual([]),
  // A fresh Ingress (the Compute stand-in's first urlMaps.get then answers 404: src/lab/gcp/server.ts).
  'firewall-shared-vpc': (b) => {
    const node = b.ids.pods[0].node;
    expect(firewallAdmits(compute(b), 9091)).toBe(true);
    expect(firewallAdmits(compute(b), 9091, node)).toBe(false);
    expect(b.objects.filter((o) => o.kind === 'Event').map((o) => String(o.message))).toEqual(expect.arrayContaining([expect.stringMatching(/^Firewall change required by security admin: `gcloud compute firewall-rules create .* --network shared-vpc /)]));
  },
  'url-map-not-created-yet': (b) => expect(Date.now() - Date.parse(String(must(b, 'Ingress', 'milvus-demo').metadata.creationTimestamp))).toBeLessThan(10 * 60_000),
};

const FAILURE_ROWS = new Set([
  'authority', 'plaintext-client', 'name-mismatch', 'cn-only', 'missing-chain', 'expiry', 'no-h2', '464', '502/503/504', 'auth', 'default-password', 'health-body', 'idle',
  'no-ingressclass', 'controller-down', 'build-model', 'deploy-model', 'tg-binding', 'initial', 'code-mismatch', 'target-timeout', 'failed-checks', 'unused', 'acm', 'listener', 'scheme',
  'ignored', 'translate', 'app-protocols-key', 'app-protocols-value', 'neg-off', 'backendconfig-ref', 'health-check', 'firewall', 'neg-health', 'plaintext-backend', 'mtls-backend', 'managed-cert', 'tls-secret', 'port-80', 'backend-timeout',
]);

describe('the fault registry', () => {
  test('names are unique, each has a test row, a FAILURES.md row and checks to fail', () => {
    const names = K8S_FAULTS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(Object.keys(OBSERVE).sort());
    for (const f of K8S_FAULTS) {
      expect(f.expectFail.length + (f.expectWarn?.length ?? 0), f.name).toBeGreaterThan(0);
      expect(FAILURE_ROWS.has(f.reproduces) || f.reproduces === 'l4-leftover', `${f.name}: ${f.reproduces}`).toBe(true);
      expect(f.description.length).toBeGreaterThan(20);
    }
    expect(JSON.parse(JSON.stringify(K8S_FAULTS.map(({ apply: _a, ...rest }) => rest)))).toHaveLength(K8S_FAULTS.length);
  });

  test('the healthy labs have no Warning events and nothing a fault looks for', () => {
    for (const provider of ['aws', 'gcp'] as const) {
      const w = world(provider);
      expect(w.objects.filter((o) => o.kind === 'Event' && o.type === 'Warning')).toEqual([]);
      expect(w.healthzOverrides.size).toBe(0);
    }
  });

  const cases = K8S_FAULTS.flatMap((f) => (f.provider === 'any' ? (['aws', 'gcp'] as const) : [f.provider]).map((provider) => [f.name, provider] as const));
  test.each(cases)('%s (%s) changes what it should', (name, provider) => {
    const healthy = world(provider);
    const broken = world(provider, [name]);
    OBSERVE[name](broken, healthy);
    expect(() => OBSERVE[name](healthy, healthy)).toThrow();
  });

  test('unknown faults and faults of the other provider are refused before anything changes', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof LabFaultError ? e.code : String(e);
      }
      return 'no error';
    };
    expect(err(() => world('aws', ['no-such-fault']))).toBe('K8S_LAB_UNKNOWN_FAULT');
    expect(err(() => world('aws', ['neg-missing']))).toBe('K8S_LAB_FAULT_PROVIDER');
    expect(err(() => world('gcp', ['ingressclass-missing']))).toBe('K8S_LAB_FAULT_PROVIDER');
  });

  test('data-path flags for the lab\'s data path', () => {
    expect(k8sFaultDataPath(['plaintext-backend'])).toEqual({ backendProtocol: 'plaintext' });
    expect(k8sFaultDataPath(['mtls-backend', 'tls-secret-expired'])).toEqual({ backendProtocol: 'mtls', servedCert: 'expired' });
    expect(k8sFaultDataPath(['neg-missing'])).toEqual({});
  });

  test('faults combine', () => {
    const w = world('gcp', ['app-protocols-by-number', 'backendconfig-wrong-port', 'healthz-not-ready-pod']);
    OBSERVE['app-protocols-by-number'](w, world('gcp'));
    OBSERVE['backendconfig-wrong-port'](w, world('gcp'));
    OBSERVE['healthz-not-ready-pod'](w, world('gcp'));
  });
});
