// Ingress checks (area k8s): the Ingress routing to Milvus, its class, rule, TLS, address and Warning
// events, and the TLS Secret it serves (parsed, matched, and compared with what the LB really serves).
import { need, type CheckDef, type Judgement } from './define.js';
import { K8S_OBJECTS, evidenceOf, got, k8sView, NO_K8S, withIngress, type K8sView } from './k8s-common.js';

import {
  ALB_CONTROLLER,
  GCE_CLASSES,
  GCE_CONTROLLERS,
  MILVUS_PORT,
  hostMatches,
  ingressAddress,
  ingressClassOf,
  milvusServicePort,
  tlsSecretNameFor,
} from '../platform/k8s/discover.js';
import type { EventFact, IngressFact, IngressPathFact, ServiceFact } from '../platform/k8s/types.js';
import type { JudgeOptions } from '../facts/types.js';

const DAY_MS = 86_400_000;

function ingressManifest(v: K8sView, svc: ServiceFact): string {
  const host = v.host ?? 'milvus.example.com';
  const aws = v.provider === 'aws';
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    `  name: ${svc.name}`,
    `  namespace: ${svc.namespace}`,
    '  annotations:',
    ...(aws
      ? [
          '    alb.ingress.kubernetes.io/scheme: internet-facing',
          '    alb.ingress.kubernetes.io/backend-protocol-version: GRPC',
          '    alb.ingress.kubernetes.io/target-type: ip',
          `    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'`,
          '    alb.ingress.kubernetes.io/certificate-arn: "arn:aws:acm:<region>:<account>:certificate/<id>"',
        ]
      : ['    kubernetes.io/ingress.class: gce', '    kubernetes.io/ingress.allow-http: "false"']),
    'spec:',
    ...(aws ? ['  ingressClassName: alb'] : ['  tls:', `  - hosts: [${host}]`, `    secretName: ${svc.name}-tls`]),
    '  rules:',
    `  - host: ${host}`,
    '    http:',
    '      paths:',
    '      - path: /',
    '        pathType: Prefix',
    '        backend:',
    '          service:',
    `            name: ${svc.name}`,
    '            port:',
    `              number: ${MILVUS_PORT}`,
  ].join('\n');
}

/** Whether a path's backend is the Milvus port of the Service (by number, or by the port's name). */
function toMilvusPort(p: { serviceName: string | null; portNumber: number | null; portName: string | null }, svc: ServiceFact | null): boolean {
  if (!svc || p.serviceName !== svc.name) return false;
  const port = milvusServicePort(svc);
  if (!port) return p.portNumber === MILVUS_PORT;
  return p.portNumber === port.port || (p.portName !== null && p.portName === port.name);
}

/** gRPC calls are POST /milvus.proto.milvus.MilvusService/<Method>: only a catch-all path carries them all. */
function catchAll(p: IngressPathFact): boolean {
  const path = p.path ?? '/';
  if (p.pathType === 'Exact') return false;
  return path === '/' || path === '/*' || (p.pathType === 'ImplementationSpecific' && path === '');
}

export const EVENT_MEANINGS: Readonly<Record<string, string>> = {
  FailedBuildModel:
    'the AWS Load Balancer Controller could not build the ALB model from the Ingress (subnet discovery, no certificate found for the host, instance targets on a ClusterIP Service, an unknown Service port)',
  FailedDeployModel:
    'the controller built the model but AWS rejected it (an invalid certificate ARN, often from another region; an HTTP listener with GRPC; GRPC success codes outside 0-99)',
  Translate: 'ingress-gce could not translate the Ingress into GCP resources (a port not found, a ClusterIP Service without NEG, bad app-protocols)',
  Sync: 'ingress-gce failed to sync the load balancer with GCP (see the error it quotes)',
  XPN: 'Shared VPC: the firewall rule for the health checkers must be created in the host project; the event carries the gcloud command',
  MissingCertificate: 'a certificate the Ingress names (TLS Secret or pre-shared/managed certificate) does not exist',
};

const MESSAGE_HINTS: readonly [RegExp, string][] = [
  [/couldn't auto-discover subnets|subnet/i, 'tag the public subnets kubernetes.io/role/elb=1 (internal: kubernetes.io/role/internal-elb=1)'],
  [/no certificate found for host/i, 'set alb.ingress.kubernetes.io/certificate-arn to an ACM certificate for the host in the ALB region'],
  [/CertificateNotFound|certificate.*(not found|invalid)|invalid.*arn/i, 'the certificate ARN must exist in ACM in the same region as the ALB'],
  [/Listener protocol 'HTTP' is not supported/i, `listen only on HTTPS: alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'`],
  [/GRPC code .* must be within/i, "set alb.ingress.kubernetes.io/success-codes: '0-99' (gRPC codes, not HTTP codes)"],
  [/instance.*ClusterIP|ClusterIP.*instance|NodePort or LoadBalancer/i, 'use alb.ingress.kubernetes.io/target-type: ip with a ClusterIP Service'],
  [/app-protocols/i, 'fix cloud.google.com/app-protocols: keyed by the Service port name, value HTTP2'],
  [/without NEG|neg/i, `annotate the Service cloud.google.com/neg='{"ingress": true}'`],
  [/secret.*(does not exist|not found)|could not find.*secret/i, 'create the TLS Secret the Ingress names, in the Ingress namespace'],
  [/firewall/i, 'allow 130.211.0.0/22 and 35.191.0.0/16 to the pods on 19530 and 9091'],
];

function eventHint(events: readonly EventFact[]): string | undefined {
  const hints = new Set<string>();
  for (const e of events) for (const [re, hint] of MESSAGE_HINTS) if (re.test(e.message)) hints.add(hint);
  return hints.size ? [...hints].join('; ') : undefined;
}

function describeEvent(e: EventFact): string {
  const meaning = e.reason && EVENT_MEANINGS[e.reason] ? ` — ${EVENT_MEANINGS[e.reason]}` : '';
  return `${e.reason ?? 'Warning'}${e.count > 1 ? ` (x${e.count})` : ''}: ${e.message}${meaning}`;
}

function sanCovers(sans: readonly string[] | null, host: string): boolean {
  if (!sans) return false;
  return sans.some((s) => {
    if (s.startsWith('DNS:')) return hostMatches(s.slice(4), host);
    if (s.startsWith('IP Address:')) return s.slice('IP Address:'.length) === host;
    return false;
  });
}

function normFp(fp: string): string {
  return fp.replace(/:/g, '').toUpperCase();
}

function tlsSecretJudgement(v: K8sView, ing: IngressFact, options: JudgeOptions): Judgement {
  if (v.provider === 'aws') return { verdict: 'skip', reason: 'the ALB takes its certificate from ACM (certificate-arn or discovery by tls hosts); spec.tls secretName is not used' };
  const name = tlsSecretNameFor(ing, v.host);
  if (name === null) {
    return { verdict: 'skip', reason: 'the Ingress references no TLS Secret (certificate from ACM or a managed certificate)' };
  }
  const s = got(v.k8s.tlsSecret, (message) => ({
    verdict: 'fail',
    expected: `Secret ${name} in ${ing.namespace}`,
    observed: message,
    hint: 'the Ingress names a Secret that does not exist: create it in the Ingress namespace',
    fix: `kubectl -n ${ing.namespace} create secret tls ${name} --cert=tls.crt --key=tls.key`,
  }));
  if (!s.ok) return s.judgement;
  const secret = s.value;
  const recreate = `kubectl -n ${secret.namespace} create secret tls ${secret.name} --cert=tls.crt --key=tls.key --dry-run=client -o yaml | kubectl apply -f -`;
  const leaf = secret.chain[0];
  if (secret.certError || !leaf) return { verdict: 'fail', expected: 'tls.crt holds a PEM certificate', observed: secret.certError ?? 'no certificate', fix: recreate };
  if (secret.keyError) return { verdict: 'fail', expected: 'tls.key holds a PEM private key', observed: secret.keyError, fix: recreate };
  const evidence = evidenceOf({
    subject: leaf.subject,
    issuer: leaf.issuer,
    san: leaf.subjectAltNames?.join(', ') ?? '(none)',
    notAfter: leaf.notAfter,
    fingerprint256: leaf.fingerprint256,
    chain: String(secret.chain.length),
    type: secret.type,
  });
  if (secret.keyMatchesCert === false) {
    return { verdict: 'fail', expected: 'tls.key is the private key of the tls.crt leaf', observed: `the key (${secret.keyType ?? 'unknown type'}) does not match the certificate ${leaf.subject}`, fix: recreate, evidence };
  }
  if (v.host !== null && !sanCovers(leaf.subjectAltNames, v.host)) {
    return {
      verdict: 'fail',
      expected: `a subjectAltName covering ${v.host}`,
      observed: leaf.subjectAltNames ? `SAN ${leaf.subjectAltNames.join(', ')}` : `no SAN (CN=${leaf.commonName ?? ''}): gRPC clients reject CN-only certificates`,
      hint: 'reissue the certificate with the host in subjectAltName (openssl req ... -addext "subjectAltName=DNS:<host>")',
      evidence,
    };
  }
  const now = Date.parse(options.now);
  if (Date.parse(leaf.notBefore) > now) return { verdict: 'fail', expected: 'a certificate already valid', observed: `not valid before ${leaf.notBefore}`, evidence };
  const daysLeft = Math.floor((Date.parse(leaf.notAfter) - now) / DAY_MS);
  if (daysLeft < 0) return { verdict: 'fail', expected: 'a certificate within its validity', observed: `expired ${leaf.notAfter}`, hint: 'renew the certificate and replace the Secret', fix: recreate, evidence };
  if (daysLeft < options.failDays) return { verdict: 'fail', expected: `more than ${options.failDays} days of validity`, observed: `expires ${leaf.notAfter} (${daysLeft} days)`, fix: recreate, evidence };
  if (daysLeft < options.warnDays) return { verdict: 'warn', expected: `more than ${options.warnDays} days of validity`, observed: `expires ${leaf.notAfter} (${daysLeft} days)`, fix: recreate, evidence };
  if (!leaf.selfSigned && secret.chain.length < 2) {
    return {
      verdict: 'warn',
      expected: 'the leaf followed by its intermediate certificate(s) in tls.crt',
      observed: `only the leaf (issued by ${leaf.issuer})`,
      hint: 'append the intermediate to tls.crt: clients without it fail with "unable to get issuer certificate"',
      evidence,
    };
  }
  return { verdict: 'pass', observed: `${secret.name}: ${leaf.subjectAltNames?.join(', ') ?? leaf.subject}, ${daysLeft} days left`, evidence };
}

export const ingressChecks: CheckDef[] = [
  {
    id: 'k8s.ingress.exists',
    area: 'k8s',
    needs: K8S_OBJECTS,
    title: 'an Ingress routes to the Milvus Service',
    severity: 'critical',
    hint: 'create the Ingress from the guide (AWS: class alb with the ALB annotations; GKE: class gce)',
    fix: 'kubectl -n <namespace> apply -f ingress.yaml   # the Ingress from the AWS or GCP guide',
    why: 'The Ingress is what makes the controller build the Layer-7 load balancer; without one routing to Milvus there is no public gRPC endpoint.',
    judge(facts) {
      const v = k8sView(facts);
      if (!v) return { verdict: 'skip', reason: NO_K8S };
      const ingresses = got(v.k8s.ingresses);
      if (!ingresses.ok) return ingresses.judgement;
      if (v.ing) return { verdict: 'pass', observed: `${v.ing.namespace}/${v.ing.name}`, evidence: evidenceOf({ notes: v.notes.join('; ') }) };
      if (!v.svc && v.k8s.requested.ingress === null) return { verdict: 'blocked', blockedBy: 'k8s.service.exists', reason: 'the Milvus Service was not found' };
      return {
        verdict: 'fail',
        expected: v.k8s.requested.ingress !== null ? `Ingress ${v.k8s.requested.ingress}` : `an Ingress with a backend ${v.svc?.name}:${MILVUS_PORT}`,
        observed: `Ingresses in ${v.k8s.namespace}: ${ingresses.value.map((i) => i.name).join(', ') || '(none)'}`,
        fix: v.svc ? ingressManifest(v, v.svc) : undefined,
      };
    },
  },
  {
    id: 'k8s.ingress.class',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.ingressClasses'],
    title: 'the Ingress class is served by the provider controller',
    severity: 'critical',
    hint: 'AWS: ingressClassName alb with an IngressClass whose controller is ingress.k8s.aws/alb; GKE: no ingressClassName and annotation kubernetes.io/ingress.class: gce',
    fix: 'kubectl -n <namespace> patch ingress <ingress> -p \'{"spec":{"ingressClassName":"alb"}}\'   # GKE: annotate kubernetes.io/ingress.class=gce instead',
    why: 'An Ingress whose class no controller owns is ignored: no load balancer, no events, no address. GKE only takes an empty class or gce, and only when spec.ingressClassName is null.',
    judge(facts) {
      return withIngress(facts, (v, ing) => {
        const cls = ingressClassOf(ing);
        const classes = v.k8s.ingressClasses;
        if (v.provider === 'gcp') {
          if (cls.from === 'spec.ingressClassName') {
            const known = classes.status === 'ok' ? classes.value.find((c) => c.name === cls.name) : undefined;
            if (known?.controller && GCE_CONTROLLERS.has(known.controller)) return { verdict: 'pass', observed: `ingressClassName ${cls.name} (${known.controller})` };
            return {
              verdict: 'fail',
              expected: 'no spec.ingressClassName and kubernetes.io/ingress.class: gce',
              observed: `spec.ingressClassName: ${cls.name}`,
              hint: 'the GKE Ingress controller ignores Ingresses with spec.ingressClassName set',
              fix: `kubectl -n ${ing.namespace} patch ingress ${ing.name} --type=json -p '[{"op":"remove","path":"/spec/ingressClassName"}]'\nkubectl -n ${ing.namespace} annotate ingress ${ing.name} kubernetes.io/ingress.class=gce --overwrite`,
            };
          }
          if (cls.name === null || GCE_CLASSES.has(cls.name)) return { verdict: 'pass', observed: cls.name === null ? 'no class (GKE default: gce)' : `kubernetes.io/ingress.class: ${cls.name}` };
          return {
            verdict: 'fail',
            expected: 'kubernetes.io/ingress.class: gce (or none)',
            observed: `kubernetes.io/ingress.class: ${cls.name}`,
            fix: `kubectl -n ${ing.namespace} annotate ingress ${ing.name} kubernetes.io/ingress.class=gce --overwrite`,
          };
        }
        if (cls.name === null) {
          const c = got(classes);
          if (!c.ok) return c.judgement;
          const dflt = c.value.find((x) => x.isDefault);
          if (dflt) return { verdict: v.provider === 'aws' && dflt.controller !== ALB_CONTROLLER ? 'warn' : 'pass', expected: `the default class served by ${ALB_CONTROLLER}`, observed: `no class; default IngressClass ${dflt.name} (${dflt.controller ?? 'no controller'})` };
          return {
            verdict: 'fail',
            expected: v.provider === 'aws' ? 'ingressClassName: alb' : 'an Ingress class',
            observed: 'no class and no default IngressClass',
            fix: `kubectl -n ${ing.namespace} patch ingress ${ing.name} -p '{"spec":{"ingressClassName":"alb"}}'`,
          };
        }
        if (cls.from === 'annotation') {
          if (cls.name === 'alb') return { verdict: 'pass', observed: 'kubernetes.io/ingress.class: alb (deprecated annotation; prefer ingressClassName)' };
        }
        const c = got(classes);
        if (!c.ok) return c.judgement;
        const found = c.value.find((x) => x.name === cls.name);
        if (!found) {
          return {
            verdict: 'fail',
            expected: `IngressClass ${cls.name} served by ${v.provider === 'aws' || cls.name === 'alb' ? ALB_CONTROLLER : 'a controller'}`,
            observed: `no IngressClass ${cls.name} (classes: ${c.value.map((x) => `${x.name}→${x.controller ?? '?'}`).join(', ') || 'none'})`,
            hint: 'install the AWS Load Balancer Controller (its Helm chart creates the alb IngressClass); until then the Ingress is ignored: no events, no address',
            fix: ['apiVersion: networking.k8s.io/v1', 'kind: IngressClass', 'metadata:', `  name: ${cls.name}`, 'spec:', `  controller: ${ALB_CONTROLLER}`].join('\n'),
          };
        }
        if (v.provider === 'aws' && found.controller !== ALB_CONTROLLER) {
          return { verdict: 'fail', expected: `IngressClass ${found.name} with controller ${ALB_CONTROLLER}`, observed: `controller ${found.controller ?? '(none)'}` };
        }
        if (found.controller !== ALB_CONTROLLER && !(found.controller && GCE_CONTROLLERS.has(found.controller))) {
          return { verdict: 'warn', expected: `an ALB (${ALB_CONTROLLER}) or GKE class`, observed: `IngressClass ${found.name} → ${found.controller ?? '(none)'}`, hint: 'this doctor knows the ALB and GKE controllers; other controllers are checked only generically' };
        }
        return { verdict: 'pass', observed: `IngressClass ${found.name} → ${found.controller}` };
      });
    },
  },
  {
    id: 'k8s.ingress.rule',
    area: 'k8s',
    needs: K8S_OBJECTS,
    title: `a rule for the host routes every path to the Service port ${MILVUS_PORT}`,
    severity: 'critical',
    hint: `route host <host>, path / (Prefix) to the Milvus Service port ${MILVUS_PORT}`,
    fix: 'spec.rules: [{host: <host>, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: <service>, port: {number: 19530}}}}]}}]',
    why: 'gRPC calls are POST /milvus.proto.milvus.MilvusService/<Method> with :authority = the host; a rule for another host or a narrower path sends them to the default backend (404 → UNIMPLEMENTED, which the Node SDK turns into an empty success).',
    judge(facts) {
      return withIngress(facts, (v, ing, svc) => {
        const paths = ing.rules.flatMap((r) => r.paths.map((p) => ({ host: r.host, p })));
        const forHost = paths.filter(({ host }) => host === null || v.host === null || hostMatches(host, v.host));
        const good = forHost.find(({ p }) => toMilvusPort(p, svc) && catchAll(p));
        const fix = svc ? ingressManifest(v, svc) : undefined;
        if (good) {
          return { verdict: 'pass', observed: `${good.host ?? '*'} ${good.p.path ?? '/'} (${good.p.pathType ?? ''}) → ${good.p.serviceName}:${good.p.portNumber ?? good.p.portName}` };
        }
        if (forHost.length === 0 && ing.defaultBackend && toMilvusPort(ing.defaultBackend, svc)) {
          return { verdict: 'pass', observed: `defaultBackend → ${ing.defaultBackend.serviceName}:${ing.defaultBackend.portNumber ?? ing.defaultBackend.portName}` };
        }
        const observed = paths.length
          ? paths.map(({ host, p }) => `${host ?? '*'} ${p.path ?? '/'} → ${p.serviceName ?? '?'}:${p.portNumber ?? p.portName ?? '?'}`).join('; ')
          : 'no rules';
        const toMilvus = forHost.find(({ p }) => toMilvusPort(p, svc));
        return {
          verdict: 'fail',
          expected: `${v.host ?? '<host>'} / (Prefix) → ${svc?.name ?? '<service>'}:${MILVUS_PORT}`,
          observed,
          hint: forHost.length === 0
            ? `no rule for host ${v.host}: requests with :authority ${v.host} reach the load balancer's default backend (404)`
            : toMilvus
              ? `the path ${toMilvus.p.path} does not carry /milvus.proto.milvus.MilvusService/*: use / with pathType Prefix`
              : `the rule for the host routes to another Service or port, not ${svc?.name ?? 'Milvus'}:${MILVUS_PORT}`,
          fix,
        };
      });
    },
  },
  {
    id: 'k8s.ingress.tls',
    area: 'k8s',
    needs: K8S_OBJECTS,
    title: 'the Ingress terminates TLS for the host',
    severity: 'critical',
    hint: 'AWS: alb.ingress.kubernetes.io/certificate-arn; GKE: spec.tls with a Secret, or networking.gke.io/managed-certificates',
    fix: 'kubectl -n <namespace> annotate ingress <ingress> alb.ingress.kubernetes.io/certificate-arn=<arn>   # GKE: spec.tls secretName or networking.gke.io/managed-certificates',
    why: 'gRPC through a public load balancer needs TLS on 443 (with ALPN h2); without a certificate for the host the listener cannot be created or serves a certificate clients reject.',
    judge(facts) {
      return withIngress(facts, (v, ing) => {
        const host = v.host;
        const tlsHosts = ing.tls.flatMap((t) => t.hosts);
        const coversHost = host === null ? tlsHosts.length > 0 : tlsHosts.some((h) => hostMatches(h, host));
        const arn = ing.annotations['alb.ingress.kubernetes.io/certificate-arn'];
        const managed = ing.annotations['networking.gke.io/managed-certificates'];
        const preShared = ing.annotations['ingress.gcp.kubernetes.io/pre-shared-cert'];
        const secrets = ing.tls.map((t) => t.secretName).filter((s): s is string => s !== null);
        const evidence = evidenceOf({ 'tls hosts': tlsHosts.join(', '), secrets: secrets.join(', '), 'certificate-arn': arn, 'managed-certificates': managed, 'pre-shared-cert': preShared });
        if (v.provider === 'aws') {
          if (arn) return { verdict: 'pass', observed: 'certificate-arn set', evidence };
          if (coversHost) return { verdict: 'pass', observed: `spec.tls hosts ${tlsHosts.join(', ')} (the controller discovers the ACM certificate by host)`, evidence };
          return {
            verdict: 'fail',
            expected: 'alb.ingress.kubernetes.io/certificate-arn (or spec.tls hosts for ACM discovery)',
            observed: 'neither',
            fix: `kubectl -n ${ing.namespace} annotate ingress ${ing.name} alb.ingress.kubernetes.io/certificate-arn=arn:aws:acm:<region>:<account>:certificate/<id> --overwrite`,
          };
        }
        if (managed || preShared) return { verdict: 'pass', observed: managed ? `managed certificate(s) ${managed}` : `pre-shared certificate ${preShared}`, evidence };
        if (secrets.length > 0 && coversHost) return { verdict: 'pass', observed: `Secret ${tlsSecretNameFor(ing, host)} for ${tlsHosts.join(', ')}`, evidence };
        if (secrets.length > 0) {
          return {
            verdict: 'fail',
            expected: `spec.tls hosts including ${host}`,
            observed: `spec.tls hosts ${tlsHosts.join(', ') || '(none)'}`,
            fix: `kubectl -n ${ing.namespace} patch ingress ${ing.name} --type=json -p '[{"op":"add","path":"/spec/tls/0/hosts/-","value":"${host}"}]'`,
            evidence,
          };
        }
        return {
          verdict: 'fail',
          expected: 'spec.tls with a Secret for the host, or networking.gke.io/managed-certificates',
          observed: 'no TLS on the Ingress: only port 80 is served',
          fix: ['spec:', '  tls:', `  - hosts: [${host ?? '<host>'}]`, `    secretName: ${ing.name}-tls`].join('\n'),
        };
      });
    },
  },
  {
    id: 'k8s.ingress.address',
    area: 'k8s',
    needs: K8S_OBJECTS,
    title: 'the Ingress has an address',
    severity: 'critical',
    hint: 'the controller has not provisioned the load balancer: look at the Ingress events (k8s.ingress.events) and the class (k8s.ingress.class)',
    fix: 'kubectl -n <namespace> describe ingress <ingress>',
    why: 'The address in the Ingress status is where clients (and the doctor) connect; it appears only once the controller has built the load balancer.',
    judge(facts) {
      return withIngress(facts, (v, ing) => {
        const address = ingressAddress(ing);
        if (address) return { verdict: 'pass', observed: address, evidence: evidenceOf({ finalizers: ing.finalizers.join(', ') }) };
        if (v.k8s.source === 'manifests' && !ing.hasStatus) return { verdict: 'skip', reason: 'offline (--manifests): needs a live cluster' };
        const noController = ing.finalizers.length === 0;
        return {
          verdict: 'fail',
          expected: 'status.loadBalancer.ingress[0] hostname or ip',
          observed: `no address${noController ? ' and no finalizer: no controller has picked the Ingress up' : ''}`,
          fix: `kubectl -n ${ing.namespace} describe ingress ${ing.name}`,
        };
      });
    },
  },
  {
    id: 'k8s.ingress.events',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.ingressEvents'],
    title: 'the Ingress has no Warning events',
    severity: 'major',
    hint: 'fix what the event names',
    fix: 'kubectl -n <namespace> get events --field-selector involvedObject.kind=Ingress,involvedObject.name=<ingress>',
    why: 'The controllers report why they could not build or sync the load balancer only as Events on the Ingress (FailedBuildModel, FailedDeployModel, Translate, Sync, XPN, MissingCertificate).',
    judge(facts) {
      return withIngress(facts, (v, ing) => {
        const events = got(v.k8s.ingressEvents);
        if (!events.ok) return events.judgement;
        const warnings = events.value.filter((e) => e.type === 'Warning' && (e.involvedName === null || e.involvedName === ing.name));
        if (warnings.length === 0) return { verdict: 'pass', observed: `no Warning events (${events.value.length} events)` };
        const known = warnings.filter((e) => e.reason !== null && e.reason in EVENT_MEANINGS);
        const evidence = Object.fromEntries(warnings.map((e, i) => [`event/${i + 1}`, `${e.lastSeen ?? ''} ${e.source ?? ''} ${e.reason ?? ''}: ${e.message}`.trim()]));
        return {
          verdict: known.length > 0 ? 'fail' : 'warn',
          expected: 'no Warning events',
          observed: warnings.map(describeEvent).join('\n'),
          hint: eventHint(warnings),
          fix: `kubectl -n ${ing.namespace} describe ingress ${ing.name}`,
          evidence,
        };
      });
    },
  },
  {
    id: 'k8s.tls-secret',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.tlsSecret'],
    title: 'the TLS Secret parses, its key matches, its SAN covers the host and it is valid',
    severity: 'critical',
    hint: 'regenerate the certificate with the host in subjectAltName and recreate the Secret with the matching key',
    fix: 'kubectl -n <namespace> create secret tls <secret> --cert=tls.crt --key=tls.key --dry-run=client -o yaml | kubectl apply -f -',
    why: 'The load balancer serves this certificate: a key that does not match breaks the listener, a missing SAN or an expired certificate makes every client reject the connection.',
    judge(facts, options) {
      return withIngress(facts, (v, ing) => tlsSecretJudgement(v, ing, options));
    },
  },
  {
    id: 'k8s.tls-secret.served',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.tlsSecret', 'tls'],
    title: 'the load balancer serves the certificate of the TLS Secret',
    severity: 'major',
    hint: 'the load balancer still serves another certificate: wait for the controller to sync, or look at its events',
    fix: 'kubectl -n <namespace> describe ingress <ingress>   # then wait for the controller to sync the new certificate',
    why: 'After a Secret is replaced, the controller must upload it to the load balancer; until it does, clients see the old (perhaps expired) certificate.',
    judge(facts, options) {
      return withIngress(facts, (v, ing) => {
        const own = tlsSecretJudgement(v, ing, options);
        if (own.verdict === 'skip' || own.verdict === 'error' || own.verdict === 'blocked') return own;
        if (v.k8s.tlsSecret.status !== 'ok' || v.k8s.tlsSecret.value.chain.length === 0) {
          return { verdict: 'blocked', blockedBy: 'k8s.tls-secret', reason: 'the TLS Secret did not yield a certificate' };
        }
        const tls = need(facts.dataPath.tls, 'tls.handshake');
        if (!tls.ok) return tls.judgement;
        const servedLeaf = tls.value.chain[0];
        const secretLeaf = v.k8s.tlsSecret.value.chain[0];
        if (!servedLeaf) return { verdict: 'blocked', blockedBy: 'tls.handshake', reason: 'the TLS probe saw no certificate' };
        if (normFp(servedLeaf.fingerprint256) === normFp(secretLeaf.fingerprint256)) {
          return { verdict: 'pass', observed: `fingerprint ${secretLeaf.fingerprint256}` };
        }
        return {
          verdict: 'fail',
          expected: `served leaf ${secretLeaf.fingerprint256} (${secretLeaf.subject}, until ${secretLeaf.notAfter})`,
          observed: `served leaf ${servedLeaf.fingerprint256} (${servedLeaf.subject}, until ${servedLeaf.notAfter})`,
          fix: `kubectl -n ${ing.namespace} describe ingress ${ing.name}`,
        };
      });
    },
  },
];
