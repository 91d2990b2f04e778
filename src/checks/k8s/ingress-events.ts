// The Warning events on the Ingress (area k8s): the only place the controllers say why they could not build
// or sync the load balancer, so each known reason is translated into what to fix.
import type { CheckDef } from '../define.js';
import { K8S_OBJECTS, got, withIngress } from './view.js';

import type { EventFact } from '../../platform/k8s/types.js';

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

export const ingressEventChecks: CheckDef[] = [
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
];
