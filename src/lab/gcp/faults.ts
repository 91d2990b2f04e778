// Faults of the lab's Google Cloud load balancer, seen through the Compute API (issue 10). Those with a
// Kubernetes cause edit the objects, and the Compute stand-in derives the rest from them (derive.ts);
// those that are Compute's own state — drift ingress-gce has not put back, a NEG controller behind — are
// read by the derivation from world.faults. Where the wire changes on GKE, a data-path flag says how.
import type { K8sFault } from '../k8s-api/faults.js';
import { annotations, find, rec, warningEvent } from '../k8s-api/fault-edits.js';
import { LB_PROBE_RANGES, SHARED_VPC } from './derive.js';
import { clusterUid } from '../cluster/ids.js';
import type { LabWorld } from '../world.js';
import { stuckManagedCertificate } from '../cluster/gcp.js';
import { stamp } from '../world.js';

/** ingress-gce's summary once health checks fail everywhere. */
function backendsUnhealthy(world: LabWorld): void {
  const a = annotations(find(world, 'Ingress', world.ids.ingress));
  const raw = a['ingress.kubernetes.io/backends'];
  if (!raw) return;
  const v = JSON.parse(raw) as Record<string, string>;
  v[world.ids.negName] = 'UNHEALTHY';
  a['ingress.kubernetes.io/backends'] = JSON.stringify(v);
}

/** Only Compute changes: the derivation reads the fault's name. */
const computeOnly = (world: LabWorld) => {
  find(world, 'Ingress', world.ids.ingress);
};

export const COMPUTE_FAULTS: readonly K8sFault[] = [
  {
    name: 'backend-service-http',
    provider: 'gcp',
    description: 'The Service has no cloud.google.com/app-protocols, so ingress-gce makes the backend service HTTP: the load balancer speaks HTTP/1.1 to Milvus\'s TLS port, the 9091 health check stays HEALTHY, and clients get 502.',
    reproduces: 'app-protocols-key',
    expectFail: ['gcp.backend-service.protocol', 'gcp.service.app-protocols', 'http2.grpc'],
    dataPath: { frontToBackend: 'http1' },
    apply(world) {
      const a = annotations(find(world, 'Service', world.ids.service));
      delete a['cloud.google.com/app-protocols'];
    },
  },
  {
    name: 'hc-wrong-port',
    provider: 'gcp',
    description: 'The health check probes 19530 instead of the BackendConfig\'s 9091 (edited outside Kubernetes, not reconciled yet): plain HTTP to Milvus\'s TLS port fails, every endpoint is UNHEALTHY, clients get 502.',
    reproduces: 'health-check',
    expectFail: ['gcp.health-check.config', 'gcp.neg.health', 'gcp.ingress.backends', 'http2.grpc'],
    dataPath: { frontStatus: 502 },
    apply: backendsUnhealthy,
  },
  {
    name: 'firewall-missing-9091',
    provider: 'gcp',
    description: 'The k8s-fw-l7 firewall rule admits 130.211.0.0/22 and 35.191.0.0/16 to 19530 but not to the health-check port 9091: every health check times out, every endpoint is UNHEALTHY, clients get 502.',
    reproduces: 'firewall',
    expectFail: ['gcp.firewall.health-check', 'gcp.neg.health', 'gcp.ingress.backends', 'http2.grpc'],
    dataPath: { frontStatus: 502 },
    apply: backendsUnhealthy,
  },
  {
    name: 'firewall-shared-vpc',
    provider: 'gcp',
    description: 'The nodes sit on a Shared VPC (the host project\'s network), where ingress-gce may not write the firewall: the project\'s own k8s-fw-l7 rule is on its default network and reaches no node, ingress-gce asks for the host-project rule in a Sync event (XPN), health checks time out, clients get 502.',
    reproduces: 'firewall',
    expectFail: ['gcp.firewall.health-check', 'gcp.neg.health', 'gcp.ingress.backends', 'http2.grpc'],
    dataPath: { frontStatus: 502 },
    apply(world) {
      backendsUnhealthy(world);
      // As ingress-gce reports it: a Normal Sync event carrying the command for the host project's admin.
      const command = `gcloud compute firewall-rules create k8s-fw-l7--${clusterUid(world.provider)} --network ${SHARED_VPC.network} --description "GCE L7 firewall rule" --allow tcp:30000-32767,tcp:19530,tcp:9091 --source-ranges ${LB_PROBE_RANGES.join(',')} --target-tags ${world.ids.nodeTag} --project ${SHARED_VPC.project}`;
      world.objects.push(...stamp(world, [{ ...warningEvent(world, 'Sync', `Firewall change required by security admin: \`${command}\``, 12, 'loadbalancer-controller'), type: 'Normal' }]));
    },
  },
  {
    name: 'neg-endpoint-unhealthy',
    provider: 'gcp',
    description: 'One Milvus pod\'s /healthz on 9091 answers 500: its NEG endpoint is UNHEALTHY while ingress-gce still says HEALTHY (one endpoint is enough for that).',
    reproduces: 'neg-health',
    expectFail: ['gcp.neg.health', 'healthz.pods'],
    apply(world) {
      world.healthzOverrides.set(world.ids.pods[1].name, { status: 500, body: 'Not all components are healthy, 4/5' });
    },
  },
  {
    name: 'neg-empty',
    provider: 'gcp',
    description: 'The NEGs hold no endpoint although the pods are ready (the NEG controller failed to attach them): the load balancer has nowhere to send calls and answers 502.',
    reproduces: 'neg-health',
    expectFail: ['gcp.neg.endpoints', 'http2.grpc'],
    dataPath: { frontStatus: 502 },
    apply: computeOnly,
  },
  {
    name: 'neg-stale',
    provider: 'gcp',
    description: 'The NEG still lists the endpoint of a pod that was deleted (10.52.2.33:19530): the NEG controller is behind, and that endpoint is UNHEALTHY.',
    reproduces: 'neg-health',
    expectFail: ['gcp.neg.endpoints', 'gcp.neg.health'],
    apply: computeOnly,
  },
  {
    name: 'backend-timeout-30s',
    provider: 'gcp',
    description: 'The BackendConfig sets no timeoutSec, so the backend service keeps the 30 s default and cuts longer searches and streams with 502.',
    reproduces: 'backend-timeout',
    expectFail: ['gcp.backend-service.timeout'],
    apply(world) {
      delete rec(find(world, 'BackendConfig', world.ids.backendConfig).spec, 'BackendConfig spec').timeoutSec;
    },
  },
  {
    name: 'port-80-open',
    provider: 'gcp',
    description: 'The Ingress lacks kubernetes.io/ingress.allow-http: "false", so ingress-gce keeps a port-80 forwarding rule (plain HTTP) beside the HTTPS one.',
    reproduces: 'port-80',
    expectFail: [],
    expectWarn: ['gcp.forwarding-rule.http', 'gcp.ingress.allow-http'],
    apply(world) {
      const ing = find(world, 'Ingress', world.ids.ingress);
      const a = annotations(ing);
      delete a['kubernetes.io/ingress.allow-http'];
      const https = a['ingress.kubernetes.io/https-forwarding-rule'] ?? '';
      a['ingress.kubernetes.io/forwarding-rule'] = https.replace('-fs-', '-fr-');
      a['ingress.kubernetes.io/target-proxy'] = https.replace('-fs-', '-tp-');
    },
  },
  {
    name: 'ssl-cert-mismatch',
    provider: 'gcp',
    description: 'The TLS Secret was renewed but the target HTTPS proxy still holds (and the load balancer still serves) the certificate uploaded before: ingress-gce has not synced the Secret.',
    reproduces: 'tls-secret',
    expectFail: ['gcp.target-proxy.certificates', 'k8s.tls-secret.served'],
    // The renewed certificate is issued when the lab starts (renewedSecret below): issuing is asynchronous.
    apply(world) {
      find(world, 'Secret', world.ids.tlsName);
    },
  },
  {
    name: 'managed-cert-failed-not-visible',
    provider: 'gcp',
    description: 'The Ingress uses a Google-managed certificate whose ManagedCertificate shows no status yet, while Compute already says PROVISIONING with the domain FAILED_NOT_VISIBLE: only the Compute API tells why.',
    reproduces: 'managed-cert',
    expectFail: ['gcp.target-proxy.certificates'],
    apply(world) {
      const ingress = find(world, 'Ingress', world.ids.ingress);
      delete rec(ingress.spec, 'Ingress spec').tls;
      const a = annotations(ingress);
      a['networking.gke.io/managed-certificates'] = world.ids.tlsName;
      a['ingress.kubernetes.io/ssl-cert'] = 'mcrt-7d1f0c52-93b4-4a8e-b6c1-5e2f7a9d3c10';
      const mc = stuckManagedCertificate(world.cluster);
      delete (mc as Record<string, unknown>).status;
      world.objects.push(...stamp(world, [mc]));
    },
  },
  {
    name: 'url-map-not-created-yet',
    provider: 'gcp',
    description: 'The Ingress was created a moment ago and ingress-gce has not created its URL map yet: urlMaps.get answers 404 (once; the map exists from the next read on, as if the controller finished). A warning that --wait waits out.',
    // FAILURES.md has no GKE row for it; `initial` is the same state on the ALB: a new load balancer's parts
    // not there yet, which waiting settles.
    reproduces: 'initial',
    expectFail: [],
    expectWarn: ['gcp.url-map.host-rule'],
    apply(world) {
      rec(find(world, 'Ingress', world.ids.ingress).metadata, 'Ingress metadata').creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    },
  },
  {
    name: 'url-map-no-host-rule',
    provider: 'gcp',
    description: 'The URL map has no host rule for the host (ingress-gce has not synced the Ingress rule, or the map was edited): every call for the host falls to the default backend\'s 404.',
    reproduces: 'authority',
    expectFail: ['gcp.url-map.host-rule', 'http2.grpc'],
    dataPath: { hostRule: 'other' },
    apply: computeOnly,
  },
];

/** ssl-cert-mismatch's renewed Secret: a new key and certificate for the same host, which the proxy does not hold. */
export async function renewedSecret(world: LabWorld): Promise<void> {
  if (!world.faults.includes('ssl-cert-mismatch')) return;
  const { webcrypto } = await import('node:crypto');
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = Date.now();
  const host = world.cluster.input.host;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${host}`,
    keys,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 90 * 86_400_000),
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]), new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`;
  const data = rec((find(world, 'Secret', world.ids.tlsName) as Record<string, unknown>).data, 'Secret data');
  data['tls.crt'] = Buffer.from(`${cert.toString('pem')}\n`).toString('base64');
  data['tls.key'] = Buffer.from(keyPem).toString('base64');
}
