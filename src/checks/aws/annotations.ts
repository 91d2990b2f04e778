// AWS checks: the ALB annotations the guide sets on the Ingress, and the TargetGroupBinding the AWS Load
// Balancer Controller creates for the Milvus Service. Skipped on other providers.
import { defineChecks, type CheckDef, type Judgement } from '../define.js';
import { K8S_OBJECTS, evidenceOf, got, withIngress, type K8sView } from '../k8s/view.js';

import type { IngressFact, ServiceFact } from '../../platform/k8s/types.js';

const A = 'alb.ingress.kubernetes.io/';
const ARN = /^arn:aws[a-z-]*:acm:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):certificate\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function annotate(ing: IngressFact, key: string, value: string): string {
  return `kubectl -n ${ing.namespace} annotate ingress ${ing.name} ${A}${key}=${value.includes('"') || value.includes('[') ? `'${value}'` : value} --overwrite`;
}

function aws(body: (v: K8sView, ing: IngressFact, svc: ServiceFact | null) => Judgement): CheckDef['judge'] {
  return (facts) =>
    withIngress(facts, body);
}

type ListenPort = Record<string, number>;

function parseListenPorts(raw: string): ListenPort[] | string {
  try {
    const v: unknown = JSON.parse(raw);
    if (!Array.isArray(v)) return 'not a JSON array';
    const out: ListenPort[] = [];
    for (const item of v) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'items must be objects like {"HTTPS":443}';
      const entry: ListenPort = {};
      for (const [k, n] of Object.entries(item)) if (typeof n === 'number') entry[k.toUpperCase()] = n;
      out.push(entry);
    }
    return out;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export const annotationChecks: readonly CheckDef[] = defineChecks([
  {
    id: 'aws.ingress.scheme',
    area: 'aws',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'aws' },
    title: 'the ALB is internet-facing (or internal on purpose)',
    severity: 'minor',
    hint: 'the controller defaults to an internal ALB: set alb.ingress.kubernetes.io/scheme: internet-facing when clients are outside the VPC (the ALB is replaced)',
    fix: 'kubectl -n <namespace> annotate ingress <ingress> alb.ingress.kubernetes.io/scheme=internet-facing --overwrite',
    why: 'An internal ALB has only private addresses; clients outside the VPC time out on connect, which looks like a network problem rather than a setting.',
    judge: aws((_v, ing) => {
      const scheme = ing.annotations[`${A}scheme`];
      if (scheme === 'internet-facing') return { verdict: 'pass', observed: 'internet-facing' };
      return {
        verdict: 'warn',
        expected: 'internet-facing (for clients outside the VPC)',
        observed: scheme ? scheme : 'not set (internal)',
        fix: annotate(ing, 'scheme', 'internet-facing'),
        evidence: { scheme: scheme ?? 'internal (default)' },
      };
    }),
  },
  {
    id: 'aws.ingress.backend-protocol-version',
    area: 'aws',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'aws' },
    title: 'the target group protocol version is GRPC',
    severity: 'critical',
    hint: 'set alb.ingress.kubernetes.io/backend-protocol-version: GRPC',
    fix: 'alb.ingress.kubernetes.io/backend-protocol-version: GRPC',
    why: 'With HTTP1 (the default) or HTTP2 target groups the ALB does not route gRPC as gRPC: clients get 464 (UNKNOWN) or broken trailers.',
    judge: aws((_v, ing) => {
      const value = ing.annotations[`${A}backend-protocol-version`];
      if (value === 'GRPC') return { verdict: 'pass', observed: 'GRPC' };
      return {
        verdict: 'fail',
        expected: 'GRPC',
        observed: value ?? 'not set (HTTP1)',
        hint: 'clients see UNKNOWN "Received HTTP status code 464": the target group is not GRPC',
        fix: annotate(ing, 'backend-protocol-version', 'GRPC'),
      };
    }),
  },
  {
    id: 'aws.ingress.target-type',
    area: 'aws',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'aws' },
    title: 'the targets are pod IPs (target-type ip)',
    severity: 'critical',
    hint: 'set alb.ingress.kubernetes.io/target-type: ip (required with a ClusterIP Service)',
    fix: 'kubectl -n <namespace> annotate ingress <ingress> alb.ingress.kubernetes.io/target-type=ip --overwrite',
    why: 'Instance targets need a NodePort; with the guide\'s ClusterIP Service the controller fails with FailedBuildModel and no target is registered.',
    judge: aws((_v, ing, svc) => {
      const value = ing.annotations[`${A}target-type`];
      if (value === 'ip') return { verdict: 'pass', observed: 'ip' };
      const clusterIp = svc?.type === 'ClusterIP';
      return {
        verdict: clusterIp || svc === null ? 'fail' : 'warn',
        expected: 'ip',
        observed: `${value ?? 'not set (instance)'}${svc ? ` with a ${svc.type} Service` : ''}`,
        hint: clusterIp ? 'instance targets need a NodePort Service: the controller cannot build the model (FailedBuildModel)' : undefined,
        fix: annotate(ing, 'target-type', 'ip'),
      };
    }),
  },
  {
    id: 'aws.ingress.listen-ports',
    area: 'aws',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'aws' },
    title: 'the ALB listens on HTTPS 443 only',
    severity: 'critical',
    hint: `set alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'`,
    fix: 'kubectl -n <namespace> annotate ingress <ingress> alb.ingress.kubernetes.io/listen-ports=\'[{"HTTPS":443}]\' --overwrite',
    why: 'gRPC needs TLS with ALPN h2 on the listener; an HTTP listener with a GRPC target group is rejected (FailedDeployModel).',
    judge: aws((_v, ing) => {
      const raw = ing.annotations[`${A}listen-ports`];
      const hasCert = Boolean(ing.annotations[`${A}certificate-arn`]) || ing.tls.length > 0;
      const fix = annotate(ing, 'listen-ports', '[{"HTTPS":443}]');
      if (raw === undefined) {
        if (hasCert) return { verdict: 'pass', observed: 'not set: HTTPS 443 (the default when a certificate is configured)' };
        return { verdict: 'fail', expected: '[{"HTTPS":443}]', observed: 'not set: HTTP 80 only', fix };
      }
      const ports = parseListenPorts(raw);
      if (typeof ports === 'string') return { verdict: 'fail', expected: 'valid JSON like [{"HTTPS":443}]', observed: `${raw} (${ports})`, fix };
      const https443 = ports.some((p) => p.HTTPS === 443);
      const http = ports.filter((p) => p.HTTP !== undefined);
      if (!https443) return { verdict: 'fail', expected: 'HTTPS 443', observed: raw, fix };
      if (http.length > 0 && ing.annotations[`${A}backend-protocol-version`] === 'GRPC') {
        return {
          verdict: 'fail',
          expected: 'HTTPS listeners only with a GRPC target group',
          observed: raw,
          hint: "the ALB rejects \"Listener protocol 'HTTP' is not supported with a target group with the protocol-version 'GRPC'\"",
          fix,
        };
      }
      return { verdict: 'pass', observed: raw };
    }),
  },
  {
    id: 'aws.ingress.certificate-arn',
    area: 'aws',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'aws' },
    title: 'the certificate ARN is present and well formed',
    severity: 'critical',
    hint: 'import the certificate into ACM in the ALB region and set alb.ingress.kubernetes.io/certificate-arn to its ARN',
    fix: 'kubectl -n <namespace> annotate ingress <ingress> alb.ingress.kubernetes.io/certificate-arn=arn:aws:acm:<region>:<account-id>:certificate/<id> --overwrite',
    why: 'The HTTPS listener needs an ACM certificate; an invalid or placeholder ARN (or one from another region) fails the deploy with FailedDeployModel.',
    judge: aws((_v, ing) => {
      const raw = ing.annotations[`${A}certificate-arn`];
      const fix = annotate(ing, 'certificate-arn', 'arn:aws:acm:<region>:<account-id>:certificate/<certificate-id>');
      if (raw === undefined) {
        if (ing.tls.some((t) => t.hosts.length > 0)) {
          return { verdict: 'warn', expected: 'an explicit certificate-arn', observed: 'not set: the controller looks the certificate up in ACM by the tls hosts', hint: 'discovery fails with "no certificate found for host" when ACM has none for the host in the ALB region', fix };
        }
        return { verdict: 'fail', expected: 'arn:aws:acm:<region>:<account-id>:certificate/<uuid>', observed: 'not set', fix };
      }
      const arns = raw.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = arns.filter((a) => !ARN.test(a));
      if (bad.length > 0 || arns.length === 0) {
        return {
          verdict: 'fail',
          expected: 'arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>',
          observed: bad.join(', ') || '(empty)',
          hint: bad.some((a) => a.includes('region:account-id')) ? 'this is the placeholder from the guide: replace it with the ARN printed by `aws acm import-certificate`' : undefined,
          fix,
        };
      }
      const regions = [...new Set(arns.map((a) => ARN.exec(a)?.[1] ?? ''))];
      return { verdict: 'pass', observed: arns.join(', '), evidence: evidenceOf({ region: regions.join(', '), account: ARN.exec(arns[0])?.[2] }) };
    }),
  },
  {
    id: 'aws.targetgroupbinding',
    area: 'aws',
    needs: [...K8S_OBJECTS, 'k8s.targetGroupBindings'],
    appliesTo: { provider: 'aws' },
    title: 'the controller bound a target group to the Milvus Service without errors',
    severity: 'major',
    hint: 'look at the TargetGroupBinding events: FailedNetworkReconcile (security groups), BackendNotFound (Service/port)',
    fix: 'kubectl -n <namespace> describe targetgroupbindings',
    why: 'The controller registers the pod IPs in the target group through a TargetGroupBinding; its events explain targets that never register or never become healthy.',
    judge: aws((v, ing, svc) => {
      const tgbs = got(v.k8s.targetGroupBindings, (message) => ({
        verdict: 'fail',
        expected: 'the TargetGroupBinding CRD (elbv2.k8s.aws) installed',
        observed: message,
        hint: 'the AWS Load Balancer Controller is not installed (or its CRDs are missing)',
      }));
      if (!tgbs.ok) return tgbs.judgement;
      const mine = tgbs.value.filter((t) => svc === null || t.serviceName === svc.name);
      if (mine.length === 0) {
        return {
          verdict: 'fail',
          expected: `a TargetGroupBinding for Service ${svc?.name ?? '<service>'}`,
          observed: `none (${tgbs.value.length} in ${v.k8s.namespace})`,
          hint: 'the controller has not reconciled the Ingress: see k8s.ingress.events and the controller logs',
          fix: `kubectl -n ${ing.namespace} describe ingress ${ing.name}`,
        };
      }
      const warnings = mine.flatMap((t) => t.events.filter((e) => e.type === 'Warning').map((e) => `${t.name}: ${e.reason ?? 'Warning'}: ${e.message}`));
      const evidence = evidenceOf(Object.fromEntries(mine.map((t) => [t.name, `${t.targetGroupARN ?? '?'} (${t.targetType ?? '?'})`])));
      if (warnings.length > 0) {
        return { verdict: 'fail', expected: 'no Warning events on the TargetGroupBinding', observed: warnings.join('\n'), fix: `kubectl -n ${v.k8s.namespace} describe targetgroupbinding ${mine[0].name}`, evidence };
      }
      const stale = mine.filter((t) => t.generation !== null && t.observedGeneration !== null && t.observedGeneration < t.generation);
      if (stale.length > 0) {
        return { verdict: 'warn', expected: 'status.observedGeneration = metadata.generation', observed: stale.map((t) => `${t.name}: ${t.observedGeneration}/${t.generation}`).join(', '), hint: 'the controller has not caught up with the latest change yet', evidence };
      }
      return { verdict: 'pass', observed: mine.map((t) => t.targetGroupARN ?? t.name).join(', '), evidence };
    }),
  },
]);
