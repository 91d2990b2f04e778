// The Ingress routing to Milvus (area k8s): it exists, a controller owns its class, a rule carries every
// gRPC path for the host, it terminates TLS and the controller has given it an address.
import type { CheckDef } from '../define.js';
import { K8S_OBJECTS, evidenceOf, got, k8sView, NO_K8S, withIngress, type K8sView } from './view.js';

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
} from '../../platform/k8s/discover.js';
import type { IngressPathFact, ServiceFact } from '../../platform/k8s/types.js';

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
];
