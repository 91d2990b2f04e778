// What the AWS APIs say of the ALB itself (ELBv2, ACM, EC2): the load balancer, its listeners and rules,
// the target group, target health and the certificate. Where the Ingress says one thing and the API
// another, the finding says the controller has not reconciled, rather than repeating the annotation fix.
import type { Facts, JudgeOptions } from '../../facts/types.js';
import type { Outcome } from '../../model.js';
import { hostMatches } from '../../platform/k8s/discover.js';
import type { IngressFact, PodFact } from '../../platform/k8s/types.js';
import type { AwsListenerFact, AwsLoadBalancerFact, AwsTargetFact, AwsTargetGroupFact, AwsValues } from '../../sources/aws/values.js';
import type { SourceKey } from '../../sources/values.js';
import { defineChecks, type CheckDef, type Judgement } from '../define.js';
import { K8S_OBJECTS, evidenceOf, k8sView } from '../k8s/view.js';
import { ruleFor } from '../../sources/aws/rules.js';

const A = 'alb.ingress.kubernetes.io/';
const DAY_MS = 86_400_000;
const CREDENTIAL_HINT =
  'give the doctor read-only AWS access (fixtures/iam/doctor-policy.json): AWS_PROFILE/--aws-profile, SSO login, env keys or IRSA, and --aws-region';

type Got<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly judgement: Judgement };

function hintFor(code: string): string | undefined {
  switch (code) {
    case 'AWS_NO_CREDENTIALS':
    case 'AWS_NO_REGION':
      return CREDENTIAL_HINT;
    case 'AWS_ACCESS_DENIED':
      return 'attach the read-only policy fixtures/iam/doctor-policy.json to the role or user the doctor runs as';
    case 'AWS_THROTTLED':
      return 'the account is throttling ELBv2/ACM calls: run again later, or with fewer concurrent tools';
    default:
      return undefined;
  }
}

function errorJudgement(error: { code: string; message: string }): Judgement {
  const hint = hintFor(error.code);
  return { verdict: 'error', observed: `${error.code}: ${error.message}`, ...(hint ? { hint } : {}) };
}

/**
 * An AWS fact, or the verdict its absence gives. A read that could not run (no credentials, denied, timed
 * out, a bad answer) makes every check that needs it `error` with the same words, even when the failing
 * read was further up the chain: "blocked by an error" would hide why. Not-found is the owner's finding.
 */
function aws<K extends keyof AwsValues>(f: Facts, key: K): Got<AwsValues[K]> {
  const o = f.aws?.[key] as Outcome<AwsValues[K]> | undefined;
  if (!o) return { ok: false, judgement: { verdict: 'skip', reason: 'not gathered (a snapshot of an older doctor)' } };
  if (o.status === 'ok') return { ok: true, value: o.value };
  if (o.status === 'error') return { ok: false, judgement: errorJudgement(o.error) };
  const root = rootError(f);
  if (root && o.blockedBy) return { ok: false, judgement: errorJudgement(root) };
  return { ok: false, judgement: o.blockedBy ? { verdict: 'blocked', blockedBy: o.blockedBy, reason: o.reason } : { verdict: 'skip', reason: o.reason } };
}

/** The first AWS read that could not run (not-found excepted: that is aws.lb.state's finding). */
function rootError(f: Facts): { code: string; message: string } | null {
  for (const key of ['loadBalancer', 'listeners', 'targetGroup', 'targetHealth', 'certificate'] as const) {
    const o = f.aws?.[key];
    if (o?.status === 'error' && o.error.code !== 'AWS_NOT_FOUND') return o.error;
  }
  return null;
}

function ingressOf(f: Facts): IngressFact | null {
  return k8sView(f)?.ing ?? null;
}

function hostOf(f: Facts): string | null {
  return f.target.host ?? (f.selection.status === 'ok' ? f.selection.value.host : null);
}

function httpsListener(l: readonly AwsListenerFact[]): AwsListenerFact | null {
  return l.find((x) => x.protocol === 'HTTPS' && x.port === 443) ?? l.find((x) => x.protocol === 'HTTPS') ?? null;
}

function lbEvidence(lb: AwsLoadBalancerFact): Record<string, string> {
  return evidenceOf({ loadBalancer: lb.arn, dnsName: lb.dnsName, region: `${lb.region} (from ${lb.regionFrom})`, foundBy: lb.foundBy });
}

function annotate(ing: IngressFact | null, key: string, value: string): string {
  return `kubectl -n ${ing?.namespace ?? '<namespace>'} annotate ingress ${ing?.name ?? '<ingress>'} ${A}${key}=${value.includes('[') || value.includes('"') ? `'${value}'` : value} --overwrite`;
}

const LB: readonly SourceKey[] = ['selection', 'aws.loadBalancer'];
const DESCRIBE_LB = (lb: { arn: string; region: string }) => `aws elbv2 describe-load-balancers --region ${lb.region} --load-balancer-arns ${lb.arn}`;

/** Each target health reason: what it means and what to do (FAILURES.md, the ALB's documentation). */
export const TARGET_REASONS: Readonly<Record<string, { readonly cause: string; readonly fix: string }>> = {
  'Elb.RegistrationInProgress': { cause: 'the target is being registered', fix: 'wait (--wait waits it out)' },
  'Elb.InitialHealthChecking': { cause: 'the first health checks are still running', fix: 'wait (--wait waits it out)' },
  'Target.ResponseCodeMismatch': {
    cause: 'the health check got a gRPC code outside the matcher',
    fix: 'make the health-check path and codes agree: alb.ingress.kubernetes.io/healthcheck-path /AWS.ALB/healthcheck with success-codes 12 (or /grpc.health.v1.Health/Check with 0)',
  },
  'Target.Timeout': {
    cause: 'the health check got no answer in time: usually the pods\' security group does not admit the ALB on 19530',
    fix: 'allow the ALB\'s (backend) security group to reach the pods on 19530 (alb.ingress.kubernetes.io/manage-backend-security-group-rules: "true")',
  },
  'Target.FailedHealthChecks': { cause: 'the health checks fail (often HTTP vs HTTPS to the target against Milvus tlsMode)', fix: 'match backend-protocol to Milvus tlsMode' },
  'Target.NotRegistered': { cause: 'the target is not registered in the target group', fix: 'look at the TargetGroupBinding events (FailedNetworkReconcile)' },
  'Target.NotInUse': {
    cause: 'no listener uses the target group, or the target\'s zone is not enabled on the ALB',
    fix: 'add a subnet in the target\'s zone to the ALB (alb.ingress.kubernetes.io/subnets), or check the listener rules',
  },
  'Target.DeregistrationInProgress': { cause: 'the target is draining (deregistration delay, default 300 s)', fix: 'wait; a stale target should go once the delay passes' },
  'Target.InvalidState': { cause: 'the target is stopped or terminated', fix: 'look at the pod; the controller deregisters it' },
  'Target.IpUnusable': { cause: 'the IP address is in use by the load balancer itself or unusable', fix: 'check the pod subnets' },
  'Target.HealthCheckDisabled': { cause: 'health checks are disabled', fix: 'enable the target group health check' },
  'Elb.InternalError': { cause: 'the ALB failed internally', fix: 'retry; open an AWS support case if it persists' },
};

function describeTarget(t: AwsTargetFact): string {
  return `${t.id}:${t.port ?? '?'} ${t.state}${t.reason ? ` (${t.reason}${t.description ? `: ${t.description}` : ''})` : ''}`;
}

function readyPodIps(f: Facts): string[] | null {
  const slices = f.k8s?.endpointSlices;
  if (!slices || slices.status !== 'ok') return null;
  return slices.value.flatMap((s) => s.endpoints.filter((e) => e.ready !== false).flatMap((e) => e.addresses));
}

/** Target health as the controller copies it into each pod's readiness gate: health without AWS. */
function gateHealth(f: Facts): { pods: { pod: PodFact; status: string; reason: string | null; message: string | null }[] } | null {
  const pods = f.k8s?.pods;
  if (!pods || pods.status !== 'ok') return null;
  const gated = pods.value.flatMap((pod) => {
    const c = pod.conditions.find((x) => x.type.startsWith('target-health.elbv2.k8s.aws/'));
    return c ? [{ pod, status: c.status, reason: c.reason, message: c.message }] : [];
  });
  return gated.length ? { pods: gated } : null;
}

function sgFix(f: Facts, lb: AwsLoadBalancerFact | null): { fix?: string; evidence: Record<string, string> } {
  const sg = f.aws?.securityGroups;
  if (!sg || sg.status !== 'ok') return { evidence: {} };
  const missing = sg.value.rules.filter((r) => !r.admitted);
  const evidence = Object.fromEntries(sg.value.rules.map((r) => [`sg/${r.target}:${r.port}`, r.admitted ? `admitted by ${r.by}` : `not admitted by ${r.groups.join(', ') || 'no group'}`]));
  if (missing.length === 0) return { evidence };
  const from = sg.value.loadBalancerGroups[0] ?? '<alb-security-group>';
  const region = lb ? ` --region ${lb.region}` : '';
  const fix = [...new Set(missing.map((r) => `aws ec2 authorize-security-group-ingress${region} --group-id ${r.groups[0] ?? '<pod-security-group>'} --protocol tcp --port ${r.port} --source-group ${from}`))].join('\n');
  return { fix, evidence };
}

function matcherCodes(spec: string | null): number[] | null {
  if (spec === null) return null;
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!range) return null;
    const lo = Number(range[1]);
    const hi = range[2] !== undefined ? Number(range[2]) : lo;
    for (let c = lo; c <= hi && c - lo < 1000; c++) out.push(c);
  }
  return out;
}

function tlsModeOf(f: Facts): number | null {
  const cfg = f.k8s?.milvusConfig;
  return cfg && cfg.status === 'ok' ? (cfg.value.tlsMode ?? 0) : null;
}


export const apiChecks: readonly CheckDef[] = defineChecks([
  {
    id: 'aws.lb.state',
    area: 'aws',
    needs: LB,
    appliesTo: { provider: 'aws' },
    title: 'the ALB exists and is active',
    settles: true,
    severity: 'critical',
    hint: 'the ALB the address names does not exist or is not active: see the Ingress events and the controller logs',
    fix: 'kubectl -n <namespace> describe ingress <ingress>; aws elbv2 describe-load-balancers --region <region>',
    why: 'Everything else on AWS hangs off the ALB: an address that no ALB answers to, one still provisioning or one that failed explains every later symptom.',
    judge(f): Judgement {
      const o = f.aws?.loadBalancer;
      if (o?.status === 'error' && o.error.code === 'AWS_NOT_FOUND') {
        const address = f.selection.status === 'ok' ? f.selection.value.address : f.target.address;
        const hint =
          o.error.detail?.operation === 'DescribeTags'
            ? 'several ALBs carry the Ingress\'s stack tag (one per cluster, or a leftover): name the one clients reach with --address'
            : address === null
              ? 'the Ingress has no status hostname yet and no ALB carries its tags: the controller has not created the ALB (see the Ingress events and the controller logs), or the region is wrong (--aws-region)'
              : 'the Ingress status points at an ALB that is gone, or the region is wrong (--aws-region)';
        return { verdict: 'fail', expected: 'an ALB with the address as its DNS name, or tagged for the Ingress', observed: o.error.message, hint };
      }
      const got = aws(f, 'loadBalancer');
      if (!got.ok) return got.judgement;
      const lb = got.value;
      const observed = `${lb.name} is ${lb.state}${lb.stateReason ? ` (${lb.stateReason})` : ''}`;
      const evidence = lbEvidence(lb);
      if (lb.state === 'active') return { verdict: 'pass', observed, evidence };
      if (lb.state === 'provisioning') return { verdict: 'warn', expected: 'active', observed, hint: 'the ALB is still being provisioned: --wait waits it out', fix: DESCRIBE_LB(lb), evidence };
      if (lb.state === 'active_impaired') return { verdict: 'warn', expected: 'active', observed, hint: 'the ALB cannot scale (active_impaired): look at its subnets and quotas', fix: DESCRIBE_LB(lb), evidence };
      return { verdict: 'fail', expected: 'active', observed, hint: 'the ALB failed: the reason names what AWS refused', fix: DESCRIBE_LB(lb), evidence };
    },
  },
  {
    id: 'aws.lb.scheme',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB],
    appliesTo: { provider: 'aws' },
    title: 'the ALB\'s scheme is the one the Ingress asks for',
    severity: 'major',
    hint: 'the ALB\'s scheme differs from the Ingress annotation: the controller has not replaced it (changing the scheme replaces the ALB)',
    fix: 'kubectl -n <namespace> describe ingress <ingress>  # FailedDeployModel events; the controller logs',
    why: 'An internal ALB has only private addresses: clients outside the VPC time out on connect, which looks like a network fault rather than a setting.',
    judge(f): Judgement {
      const got = aws(f, 'loadBalancer');
      if (!got.ok) return got.judgement;
      const lb = got.value;
      const ing = ingressOf(f);
      const asked = ing ? (ing.annotations[`${A}scheme`] ?? 'internal') : null;
      const evidence = evidenceOf({ ...lbEvidence(lb), annotation: asked });
      if (asked !== null && asked !== lb.scheme) {
        return {
          verdict: 'fail',
          expected: `${asked} (the Ingress annotation)`,
          observed: `the ALB is ${lb.scheme}`,
          fix: `kubectl -n ${ing?.namespace} describe ingress ${ing?.name}  # the controller must replace the ALB; see its FailedDeployModel events and logs`,
          evidence,
        };
      }
      if (asked === null && lb.scheme === 'internal') {
        return { verdict: 'warn', expected: 'internet-facing (for clients outside the VPC)', observed: 'internal', hint: 'an internal ALB answers only inside the VPC: fine on purpose, a timeout for anyone else', evidence };
      }
      return { verdict: 'pass', observed: `${lb.scheme}${asked === 'internal' ? ' (internal on purpose: the Ingress asks for it)' : ''}`, evidence };
    },
  },
  {
    id: 'aws.lb.http2',
    area: 'aws',
    needs: LB,
    appliesTo: { provider: 'aws' },
    title: 'HTTP/2 is enabled on the ALB (routing.http2.enabled)',
    severity: 'critical',
    hint: 'gRPC needs HTTP/2 from the client to the ALB: set routing.http2.enabled=true',
    fix: 'alb.ingress.kubernetes.io/load-balancer-attributes: routing.http2.enabled=true',
    why: 'With HTTP/2 off the ALB speaks HTTP/1.1 to clients: ALPN does not offer h2 and no gRPC call can be made.',
    judge(f): Judgement {
      const got = aws(f, 'loadBalancer');
      if (!got.ok) return got.judgement;
      const lb = got.value;
      const evidence = evidenceOf({ ...lbEvidence(lb), 'idle_timeout.timeout_seconds': lb.idleTimeoutSec ?? '60 (default)' });
      if (lb.http2Enabled === false) {
        return { verdict: 'fail', expected: 'routing.http2.enabled=true', observed: 'routing.http2.enabled=false', fix: annotate(ingressOf(f), 'load-balancer-attributes', 'routing.http2.enabled=true'), evidence };
      }
      return { verdict: 'pass', observed: lb.http2Enabled === null ? 'routing.http2.enabled not set (the default, true)' : 'routing.http2.enabled=true', evidence };
    },
  },
  {
    id: 'aws.lb.idle-timeout',
    area: 'aws',
    needs: LB,
    appliesTo: { provider: 'aws' },
    title: 'the ALB idle timeout suits long calls',
    severity: 'minor',
    hint: 'raise idle_timeout.timeout_seconds above the longest call (1–4000 s)',
    fix: 'alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=<seconds>',
    why: 'The ALB cuts a connection idle for longer than its timeout (60 s by default): long searches and streams end with UNAVAILABLE.',
    judge(f): Judgement {
      const got = aws(f, 'loadBalancer');
      if (!got.ok) return got.judgement;
      const lb = got.value;
      const seconds = lb.idleTimeoutSec ?? 60;
      const observed = `${seconds} s${lb.idleTimeoutSec === null ? ' (the default)' : ''}`;
      const wanted = lb.minIdleTimeoutSec ?? null;
      if (wanted !== null && seconds < wanted) {
        return { verdict: 'warn', expected: `at least ${wanted} s (--min-idle-timeout)`, observed, fix: annotate(ingressOf(f), 'load-balancer-attributes', `idle_timeout.timeout_seconds=${wanted}`) };
      }
      return { verdict: 'pass', observed, evidence: evidenceOf({ 'idle_timeout.timeout_seconds': seconds }) };
    },
  },
  {
    id: 'aws.listener.https',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB, 'aws.listeners'],
    appliesTo: { provider: 'aws' },
    title: 'an HTTPS 443 listener serves the certificate the Ingress names',
    severity: 'critical',
    hint: 'the ALB has no HTTPS 443 listener with the Ingress\'s certificate: the controller has not applied listen-ports/certificate-arn',
    fix: `alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]' and alb.ingress.kubernetes.io/certificate-arn: <arn>`,
    why: 'gRPC clients connect with TLS to 443; without that listener (or with another certificate) the handshake fails or names the wrong host.',
    judge(f): Judgement {
      const got = aws(f, 'listeners');
      if (!got.ok) return got.judgement;
      const all = got.value.listeners;
      const ls = httpsListener(all);
      const seen = all.map((l) => `${l.protocol}:${l.port}`).join(', ') || 'none';
      if (!ls || ls.port !== 443) {
        return { verdict: 'fail', expected: 'an HTTPS listener on 443', observed: `listeners: ${seen}`, fix: annotate(ingressOf(f), 'listen-ports', '[{"HTTPS":443}]') };
      }
      const ing = ingressOf(f);
      const named = ing?.annotations[`${A}certificate-arn`]?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
      const [byDefault, ...others] = ls.certificateArns;
      const evidence = evidenceOf({ listener: ls.arn, certificate: byDefault, otherCertificates: others.join(', ') || null, sslPolicy: ls.sslPolicy });
      if (ls.certificateArns.length === 0) return { verdict: 'fail', expected: 'a certificate on the HTTPS listener', observed: 'none', fix: annotate(ing, 'certificate-arn', '<arn>'), evidence };
      // The controller makes the first ARN the default and adds the others as listener certificates (SNI).
      const missing = named.filter((arn) => !ls.certificateArns.includes(arn));
      const serves = `the listener has ${byDefault} (default)${others.length ? ` and ${others.join(', ')}` : ''}`;
      if (missing.length > 0) {
        return {
          verdict: 'fail',
          expected: `the certificate${named.length > 1 ? 's' : ''} the Ingress names (${named.join(', ')})`,
          observed: `${serves}; missing ${missing.join(', ')}`,
          hint: 'the Ingress and the ALB disagree: the controller has not reconciled the certificate-arn change (see the Ingress events)',
          fix: `kubectl -n ${ing?.namespace} describe ingress ${ing?.name}`,
          evidence,
        };
      }
      return { verdict: 'pass', observed: `HTTPS:443 with ${byDefault}${others.length ? ` (default) and ${others.length} more: ${others.join(', ')}` : ''}`, evidence };
    },
  },
  {
    id: 'aws.listener.http-closed',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB, 'aws.listeners'],
    appliesTo: { provider: 'aws' },
    title: 'no plaintext HTTP listener is open (or it only redirects to HTTPS)',
    severity: 'minor',
    hint: 'an HTTP listener leaves a plaintext port open: remove it from listen-ports, or make it redirect to HTTPS',
    fix: `alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'`,
    why: 'Clients that forget TLS reach a plaintext port (and with it a 400, or worse credentials in clear); gRPC never needs it.',
    judge(f): Judgement {
      const got = aws(f, 'listeners');
      if (!got.ok) return got.judgement;
      const http = got.value.listeners.filter((l) => l.protocol === 'HTTP');
      const open = http.filter((l) => !l.defaultActions.every((a) => a.type === 'redirect'));
      if (open.length === 0) return { verdict: 'pass', observed: http.length ? `HTTP:${http.map((l) => l.port).join(',')} redirects only` : 'no HTTP listener' };
      return {
        verdict: 'warn',
        expected: 'HTTPS listeners only',
        observed: `plaintext listener ${open.map((l) => `HTTP:${l.port} (${l.defaultActions.map((a) => a.type).join(', ')})`).join(', ')}`,
        fix: annotate(ingressOf(f), 'listen-ports', '[{"HTTPS":443}]'),
        evidence: evidenceOf(Object.fromEntries(open.map((l) => [`HTTP:${l.port}`, l.arn]))),
      };
    },
  },
  {
    id: 'aws.listener.tls-policy',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB, 'aws.listeners'],
    appliesTo: { provider: 'aws' },
    title: 'the HTTPS listener\'s SSL policy allows TLS 1.2 and newer only',
    severity: 'minor',
    hint: 'the SSL policy allows TLS 1.0/1.1 (the controller\'s default ELBSecurityPolicy-2016-08 does): pick a TLS 1.2+ policy',
    fix: 'alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06',
    why: 'TLS 1.0 and 1.1 are deprecated and fail compliance scans; gRPC clients use TLS 1.2 or 1.3 anyway.',
    judge(f): Judgement {
      const got = aws(f, 'listeners');
      if (!got.ok) return got.judgement;
      const ls = httpsListener(got.value.listeners);
      if (!ls) return { verdict: 'blocked', blockedBy: 'aws.listener.https', reason: 'no HTTPS listener' };
      if (ls.sslProtocols === null) return { verdict: 'pass', observed: `${ls.sslPolicy ?? 'no policy'} (its protocols could not be read)` };
      const old = ls.sslProtocols.filter((p) => p === 'TLSv1' || p === 'TLSv1.1' || p.startsWith('SSL'));
      const observed = `${ls.sslPolicy}: ${ls.sslProtocols.join(', ')}`;
      if (old.length) return { verdict: 'warn', expected: 'TLSv1.2 and newer only', observed, fix: annotate(ingressOf(f), 'ssl-policy', 'ELBSecurityPolicy-TLS13-1-2-2021-06') };
      return { verdict: 'pass', observed };
    },
  },
  {
    id: 'aws.listener.rule',
    area: 'aws',
    needs: [...LB, 'aws.listeners', 'aws.targetGroup'],
    appliesTo: { provider: 'aws' },
    title: 'a listener rule for the host forwards to the Milvus target group',
    severity: 'critical',
    hint: 'requests for the host do not reach the Milvus target group: the Ingress rule\'s host, or the controller\'s rules, differ',
    fix: 'kubectl -n <namespace> get ingress <ingress> -o jsonpath="{.spec.rules[*].host}"',
    why: 'The ALB routes on :authority; a request whose host matches no rule meets the default action (the controller\'s fixed 404), which the Node SDK turns into an empty success.',
    judge(f): Judgement {
      const got = aws(f, 'listeners');
      if (!got.ok) return got.judgement;
      const tg = aws(f, 'targetGroup');
      if (!tg.ok) return tg.judgement;
      const ls = httpsListener(got.value.listeners);
      if (!ls) return { verdict: 'blocked', blockedBy: 'aws.listener.https', reason: 'no HTTPS listener' };
      const host = hostOf(f);
      const rule = ruleFor(ls, host);
      const def = ls.defaultActions.map((a) => (a.fixedStatus ? `fixed-response ${a.fixedStatus}` : a.type)).join(', ');
      const evidence = evidenceOf({ defaultAction: def, rule: rule ? `priority ${rule.priority}: hosts ${rule.hosts.join(',') || '*'} → ${rule.actions.map((a) => a.type).join(', ')}` : null });
      const forwards = rule?.actions.some((a) => a.targetGroupArns.includes(tg.value.arn)) ?? false;
      if (forwards && rule && !rule.isDefault) return { verdict: 'pass', observed: `${host ?? '*'} → ${tg.value.name} (rule ${rule.priority})`, evidence };
      if (forwards) return { verdict: 'pass', observed: `the default action forwards to ${tg.value.name}`, evidence };
      return {
        verdict: 'fail',
        expected: `a rule for ${host ?? 'the host'} forwarding to ${tg.value.name}`,
        observed: rule ? `${host ?? 'the host'} meets ${rule.isDefault ? `the default action (${def})` : `rule ${rule.priority} → ${rule.actions.map((a) => a.fixedStatus ?? a.type).join(', ')}`}` : 'no rule matches',
        hint: 'clients sending this :authority get the default action, usually the fixed 404: check the Ingress host and --host',
        evidence,
      };
    },
  },
  {
    id: 'aws.targetgroup.protocol-version',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB, 'aws.targetGroup'],
    appliesTo: { provider: 'aws' },
    title: 'the target group\'s protocol version is GRPC',
    severity: 'critical',
    hint: 'the target group is not GRPC: clients get 464 (UNKNOWN); a target group\'s protocol version cannot change, the controller must create a new one',
    fix: 'alb.ingress.kubernetes.io/backend-protocol-version: GRPC',
    why: 'An HTTP1 or HTTP2 target group does not forward gRPC as gRPC: the ALB answers 464, which grpc-js reports as UNKNOWN.',
    judge(f): Judgement {
      const got = aws(f, 'targetGroup');
      if (!got.ok) return got.judgement;
      const tg = got.value;
      const evidence = evidenceOf({ targetGroup: tg.arn, from: tg.arnFrom });
      if (tg.protocolVersion === 'GRPC') return { verdict: 'pass', observed: `${tg.name}: GRPC`, evidence };
      const ing = ingressOf(f);
      const annotated = ing?.annotations[`${A}backend-protocol-version`];
      return {
        verdict: 'fail',
        expected: 'ProtocolVersion GRPC',
        observed: `${tg.name}: ${tg.protocolVersion ?? 'unknown'}${annotated ? ` while the Ingress asks ${annotated}` : ''}`,
        hint:
          annotated === 'GRPC'
            ? 'clients get 464: the Ingress asks GRPC but the target group was not recreated (the controller has not reconciled, or failed: see the Ingress events)'
            : 'clients get 464 (UNKNOWN "Received HTTP status code 464"): the target group protocol version is not GRPC',
        fix: annotated === 'GRPC' ? `kubectl -n ${ing?.namespace} describe ingress ${ing?.name}` : annotate(ing, 'backend-protocol-version', 'GRPC'),
        evidence,
      };
    },
  },
  {
    id: 'aws.targetgroup.targets',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB, 'aws.targetGroup', 'k8s.milvusConfig'],
    appliesTo: { provider: 'aws' },
    title: 'the target group sends to pod IPs on 19530 with the protocol Milvus speaks',
    severity: 'critical',
    hint: 'the target group\'s target type, port or protocol does not match the Milvus proxy pods',
    fix: 'alb.ingress.kubernetes.io/target-type: ip; alb.ingress.kubernetes.io/backend-protocol: HTTP (Milvus tlsMode 0) or HTTPS (tlsMode 1)',
    why: 'ip targets reach the pods directly on 19530; HTTP to a TLS Milvus (or HTTPS to a plaintext one) fails every call with 502.',
    judge(f): Judgement {
      const got = aws(f, 'targetGroup');
      if (!got.ok) return got.judgement;
      const tg = got.value;
      const tlsMode = tlsModeOf(f);
      const wantProtocol = tlsMode === null ? null : tlsMode > 0 ? 'HTTPS' : 'HTTP';
      const problems: string[] = [];
      if (tg.targetType !== 'ip') problems.push(`target type ${tg.targetType ?? '?'} (want ip)`);
      if (tg.port !== 19530) problems.push(`port ${tg.port ?? '?'} (want 19530)`);
      if (wantProtocol && tg.protocol !== wantProtocol) problems.push(`protocol ${tg.protocol ?? '?'} while Milvus tlsMode is ${tlsMode} (want ${wantProtocol})`);
      const observed = `${tg.targetType ?? '?'} targets, ${tg.protocol ?? '?'}:${tg.port ?? '?'}`;
      const evidence = evidenceOf({ targetGroup: tg.arn, tlsMode });
      if (problems.length === 0) return { verdict: 'pass', observed, evidence };
      return { verdict: 'fail', expected: `ip targets, ${wantProtocol ?? 'HTTP'}:19530`, observed: problems.join('; '), evidence };
    },
  },
  {
    id: 'aws.targetgroup.health-check',
    area: 'aws',
    needs: [...LB, 'aws.targetGroup'],
    appliesTo: { provider: 'aws' },
    title: 'the target group\'s gRPC health check is valid',
    severity: 'major',
    hint: 'a GRPC target group\'s health check matcher takes gRPC codes 0–99, not HTTP codes',
    fix: 'alb.ingress.kubernetes.io/healthcheck-path: /AWS.ALB/healthcheck; alb.ingress.kubernetes.io/success-codes: "12"',
    why: 'A health check that cannot succeed marks every target unhealthy (503); one that succeeds too easily hides a Milvus that is not ready.',
    judge(f): Judgement {
      const got = aws(f, 'targetGroup');
      if (!got.ok) return got.judgement;
      const hc = got.value.healthCheck;
      const evidence = evidenceOf({ path: hc.path, grpcCodes: hc.grpcCodes, httpCodes: hc.httpCodes, protocol: hc.protocol, port: hc.port, interval: hc.intervalSec, timeout: hc.timeoutSec });
      if (!hc.enabled) return { verdict: 'warn', expected: 'health checks enabled', observed: 'disabled', evidence };
      if (got.value.protocolVersion !== 'GRPC') return { verdict: 'blocked', blockedBy: 'aws.targetgroup.protocol-version', reason: 'not a GRPC target group' };
      const codes = matcherCodes(hc.grpcCodes);
      if (codes === null || codes.length === 0 || codes.some((c) => c > 99)) {
        return { verdict: 'fail', expected: 'matcher gRPC codes within 0–99', observed: `GrpcCode ${hc.grpcCodes ?? 'none'}${hc.httpCodes ? `, HttpCode ${hc.httpCodes}` : ''}`, evidence };
      }
      if (hc.path === '/AWS.ALB/healthcheck' && codes.includes(12)) {
        return {
          verdict: 'pass',
          observed: `${hc.path} with ${hc.grpcCodes}: note, this proves a gRPC server answers (UNIMPLEMENTED), not that Milvus is ready; /grpc.health.v1.Health/Check with 0 says more, but with authorization on Milvus may answer it 16`,
          evidence,
        };
      }
      return { verdict: 'pass', observed: `${hc.path ?? '?'} with ${hc.grpcCodes}`, evidence };
    },
  },
  {
    id: 'aws.targets.healthy',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB, 'aws.targetGroup', 'aws.targetHealth', 'aws.securityGroups', 'k8s.endpointSlices', 'k8s.pods'],
    appliesTo: { provider: 'aws' },
    title: 'every target is healthy and the targets are the ready pods',
    settles: true,
    severity: 'critical',
    hint: 'the ALB does not consider the Milvus pods healthy: each reason names its cause',
    fix: 'aws elbv2 describe-target-health --target-group-arn <arn>',
    why: 'With no healthy target the ALB answers 503; stale or missing targets send traffic to dead pods or leave live ones idle.',
    judge(f): Judgement {
      const th = f.aws?.targetHealth;
      const root = rootError(f);
      const denied = root && (root.code === 'AWS_NO_CREDENTIALS' || root.code === 'AWS_ACCESS_DENIED' || root.code === 'AWS_NO_REGION');
      if ((th?.status !== 'ok') && denied) {
        // The controller copies target health into the pods' readiness gates: health without AWS access.
        const gates = gateHealth(f);
        if (gates) {
          const bad = gates.pods.filter((p) => p.status !== 'True');
          const observed = gates.pods.map((p) => `${p.pod.name}: ${p.status === 'True' ? 'healthy' : `${p.reason ?? 'not healthy'}${p.message ? ` (${p.message})` : ''}`}`).join('; ');
          const note = `the AWS read was not possible (${root.code}); from the pods' readiness gates target-health.elbv2.k8s.aws/*`;
          if (bad.length === 0) return { verdict: 'pass', observed: `${observed} — ${note}` };
          const reason = bad[0].reason ?? '';
          return { verdict: 'fail', expected: 'every target healthy', observed: `${observed} — ${note}`, hint: TARGET_REASONS[reason]?.cause ?? 'the target is not healthy', ...(TARGET_REASONS[reason] ? { fix: TARGET_REASONS[reason].fix } : {}) };
        }
      }
      const got = aws(f, 'targetHealth');
      if (!got.ok) return got.judgement;
      const targets = got.value.targets;
      const lb = f.aws?.loadBalancer?.status === 'ok' ? f.aws.loadBalancer.value : null;
      const tgName = f.aws?.targetGroup?.status === 'ok' ? f.aws.targetGroup.value.name : got.value.targetGroupArn;
      const ready = readyPodIps(f);
      const ids = targets.map((t) => t.id);
      const stale = ready ? targets.filter((t) => !ready.includes(t.id) && t.state !== 'draining') : [];
      const missing = ready ? ready.filter((ip) => !ids.includes(ip)) : [];
      const evidence = evidenceOf(Object.fromEntries(targets.map((t) => [`target/${t.id}`, describeTarget(t)])));
      if (targets.length === 0) {
        return { verdict: 'fail', expected: 'the ready pods registered as targets', observed: `no target in ${tgName}${ready ? ` (ready pods: ${ready.join(', ') || 'none'})` : ''}`, hint: 'clients get 503: no target is registered (see the TargetGroupBinding events)', fix: 'kubectl -n <namespace> describe targetgroupbinding' };
      }
      const unhealthy = targets.filter((t) => t.state !== 'healthy' && t.state !== 'initial' && !(t.state === 'draining' && stale.includes(t)));
      if (unhealthy.length > 0) {
        const reason = unhealthy[0].reason ?? '';
        const known = TARGET_REASONS[reason];
        const sg = reason === 'Target.Timeout' ? sgFix(f, lb) : { evidence: {} };
        return {
          verdict: 'fail',
          expected: 'every target healthy',
          observed: unhealthy.map(describeTarget).join('; '),
          hint: known ? `${reason}: ${known.cause}` : 'the targets are not healthy',
          fix: sg.fix ?? known?.fix ?? `aws elbv2 describe-target-health --target-group-arn ${got.value.targetGroupArn}`,
          evidence: { ...evidence, ...sg.evidence },
        };
      }
      if (stale.length > 0 || missing.length > 0) {
        return {
          verdict: 'fail',
          expected: `the targets are the ready pod IPs (${ready?.join(', ')})`,
          observed: [stale.length ? `stale targets ${stale.map((t) => t.id).join(', ')} (no ready pod has the IP)` : '', missing.length ? `ready pods not registered: ${missing.join(', ')}` : ''].filter(Boolean).join('; '),
          hint: 'the controller has not synced the targets with the endpoints: look at the TargetGroupBinding events and the controller logs',
          fix: 'kubectl -n <namespace> describe targetgroupbinding; kubectl -n kube-system logs deploy/aws-load-balancer-controller',
          evidence,
        };
      }
      const initial = targets.filter((t) => t.state === 'initial');
      if (initial.length > 0) {
        return { verdict: 'warn', expected: 'every target healthy', observed: initial.map(describeTarget).join('; '), hint: 'registration or the first health checks are still running: --wait waits it out', evidence };
      }
      return { verdict: 'pass', observed: `${targets.length}/${targets.length} healthy${ready ? ', the ready pods exactly' : ''}`, evidence };
    },
  },
  {
    id: 'aws.acm.status',
    area: 'aws',
    needs: [...K8S_OBJECTS, ...LB, 'aws.listeners', 'aws.certificate'],
    appliesTo: { provider: 'aws' },
    title: 'the ACM certificate is issued and not close to expiry',
    // As tls.expiry: an expired one already fails tls.validity on the wire, which is where to look first.
    severity: 'major',
    hint: 'the listener\'s ACM certificate is not usable: reissue or reimport it',
    fix: 'aws acm import-certificate --certificate-arn <arn> --certificate fileb://Certificate.pem --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem',
    why: 'An expired, revoked or never-issued certificate breaks every TLS handshake; imported certificates never renew by themselves.',
    judge(f, o: JudgeOptions): Judgement {
      const got = aws(f, 'certificate');
      if (!got.ok) return got.judgement;
      const c = got.value;
      const evidence = evidenceOf({ certificate: c.arn, type: c.type, domain: c.domainName, notAfter: c.notAfter });
      const reimport = `aws acm import-certificate --region ${c.region} --certificate-arn ${c.arn} --certificate fileb://Certificate.pem --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem`;
      const now = Date.parse(o.now);
      const days = c.notAfter ? Math.floor((Date.parse(c.notAfter) - now) / DAY_MS) : null;
      if (c.status !== 'ISSUED' || (days !== null && days < 0)) {
        const when = c.notAfter && days !== null && days < 0 ? `; expired on ${c.notAfter}` : '';
        return {
          verdict: 'fail',
          expected: 'Status ISSUED',
          observed: `Status ${c.status}${c.failureReason ? ` (${c.failureReason})` : ''}${when}`,
          hint: c.status === 'PENDING_VALIDATION' ? 'ACM is waiting for domain validation (the DNS record it asked for)' : c.status === 'EXPIRED' || when ? 'the certificate expired: reimport a renewed one under the same ARN' : `the certificate is ${c.status}`,
          fix: reimport,
          evidence,
        };
      }
      if (days !== null) {
        const observed = `ISSUED, expires on ${c.notAfter} (in ${days} days)`;
        if (days < o.failDays) return { verdict: 'fail', expected: `more than ${o.failDays} days of validity left`, observed, fix: reimport, evidence };
        if (days < o.warnDays) return { verdict: 'warn', expected: `more than ${o.warnDays} days of validity left`, observed, fix: reimport, evidence };
        return { verdict: 'pass', observed, evidence };
      }
      return { verdict: 'pass', observed: 'ISSUED', evidence };
    },
  },
  {
    id: 'aws.acm.domains',
    area: 'aws',
    needs: [...LB, 'aws.listeners', 'aws.certificate'],
    appliesTo: { provider: 'aws' },
    title: 'the ACM certificate covers the host',
    severity: 'critical',
    hint: 'the listener\'s certificate is for other names: import one whose SAN holds the host',
    why: 'Clients verify the host against the certificate\'s names: a certificate for another domain fails every handshake with a name mismatch.',
    judge(f): Judgement {
      const got = aws(f, 'certificate');
      if (!got.ok) return got.judgement;
      const host = hostOf(f);
      if (!host) return { verdict: 'skip', reason: 'no host to compare (--host)' };
      const names = [...new Set([...(got.value.domainName ? [got.value.domainName] : []), ...got.value.subjectAlternativeNames])];
      if (names.some((n) => hostMatches(n, host))) return { verdict: 'pass', observed: `${host} in ${names.join(', ')}` };
      return { verdict: 'fail', expected: `a name covering ${host}`, observed: `${got.value.arn} names ${names.join(', ') || 'nothing'}`, fix: `aws acm import-certificate --region ${got.value.region} --certificate fileb://<cert for ${host}> --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem` };
    },
  },
  {
    id: 'aws.acm.region',
    area: 'aws',
    needs: [...LB, 'aws.listeners', 'aws.certificate'],
    appliesTo: { provider: 'aws' },
    title: 'the ACM certificate is in the ALB\'s region',
    severity: 'critical',
    hint: 'an ALB can use only certificates from its own region: import the certificate there and use that ARN',
    why: 'A certificate ARN from another region fails the controller\'s deploy (FailedDeployModel: invalid certificate) and leaves the listener without it.',
    judge(f): Judgement {
      const got = aws(f, 'certificate');
      if (!got.ok) return got.judgement;
      const lb = aws(f, 'loadBalancer');
      if (!lb.ok) return lb.judgement;
      if (got.value.region === lb.value.region) return { verdict: 'pass', observed: got.value.region };
      return {
        verdict: 'fail',
        expected: `a certificate in ${lb.value.region}`,
        observed: `${got.value.arn} is in ${got.value.region}`,
        fix: `aws acm import-certificate --region ${lb.value.region} --certificate fileb://Certificate.pem --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem  # then set certificate-arn to the new ARN`,
      };
    },
  },
  {
    id: 'aws.acm.chain',
    area: 'aws',
    needs: [...LB, 'aws.listeners', 'aws.certificate'],
    appliesTo: { provider: 'aws' },
    title: 'the ACM certificate chain holds the leaf\'s issuer',
    severity: 'major',
    hint: 'the certificate was imported without --certificate-chain: the ALB serves the leaf alone and clients cannot build the path',
    fix: 'aws acm import-certificate --certificate-arn <arn> --certificate fileb://Certificate.pem --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem',
    why: 'The ALB serves the chain ACM holds; without the intermediate, clients fail with "unable to get issuer certificate".',
    judge(f): Judgement {
      const got = aws(f, 'certificate');
      if (!got.ok) return got.judgement;
      const c = got.value;
      if (c.leafFingerprint256 === null) return { verdict: 'skip', reason: `the certificate is ${c.status}: ACM returns no chain` };
      if (c.type === 'AMAZON_ISSUED') return { verdict: 'pass', observed: 'issued by ACM (AWS serves its chain)' };
      if (c.chainHoldsIssuer) return { verdict: 'pass', observed: `${c.chainSubjects.length} certificates, the leaf's issuer among them` };
      return {
        verdict: 'fail',
        expected: `the chain holds the leaf's issuer (${c.leafIssuer ?? '?'})`,
        observed: c.chainSubjects.length ? `the chain holds ${c.chainSubjects.join('; ')}` : 'the chain is empty',
        fix: `aws acm import-certificate --region ${c.region} --certificate-arn ${c.arn} --certificate fileb://Certificate.pem --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem`,
      };
    },
  },
  {
    id: 'aws.acm.served',
    area: 'aws',
    needs: [...LB, 'aws.listeners', 'aws.certificate', 'tls'],
    appliesTo: { provider: 'aws' },
    title: 'the load balancer serves this very ACM certificate',
    severity: 'major',
    hint: 'the address serves another certificate than the listener\'s: the address is not this ALB, or a proxy sits in front',
    why: 'Proves that the ALB judged here is the one clients reach: a different leaf on the wire means every AWS finding is about the wrong load balancer.',
    judge(f): Judgement {
      const got = aws(f, 'certificate');
      if (!got.ok) return got.judgement;
      const tls = f.dataPath.tls;
      if (tls.status !== 'ok') return { verdict: 'blocked', blockedBy: 'tls.handshake', reason: 'no TLS handshake to compare with' };
      const leaf = tls.value.chain[0];
      if (!leaf) return { verdict: 'blocked', blockedBy: 'tls.handshake', reason: 'no certificate was served' };
      if (got.value.leafFingerprint256 === null) return { verdict: 'skip', reason: `the certificate is ${got.value.status}: ACM returns no body to compare` };
      if (leaf.fingerprint256 === got.value.leafFingerprint256) return { verdict: 'pass', observed: `SHA-256 ${leaf.fingerprint256.slice(0, 23)}…` };
      return { verdict: 'fail', expected: `the leaf of ${got.value.arn} (SHA-256 ${got.value.leafFingerprint256.slice(0, 23)}…)`, observed: `the address serves ${leaf.subject} (SHA-256 ${leaf.fingerprint256.slice(0, 23)}…)` };
    },
  },
]);

export type { AwsTargetGroupFact };
