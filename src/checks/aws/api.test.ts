// The AWS API checks over facts: one healthy AWS world (as the guide builds it) and, per row, the one
// thing a fault changes in it. Every check has a passing row and a failing or warning row.
import { describe, expect, test } from 'vitest';
import type { Facts } from '../../facts/types.js';
import type { Outcome, Verdict } from '../../model.js';
import type { AwsValues } from '../../sources/aws/values.js';
import { judgeCheck } from '../define.js';
import { JUDGE_OPTIONS, factsWith, k8sFromFixtures } from '../../../test/kits/k8s-testkit.js';
import { apiChecks } from './api.js';

const REGION = 'us-east-2';
const TG = `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/k8s-milvus-milvusde-0123456789/0123456789abcdef`;
const CERT = `arn:aws:acm:${REGION}:123456789012:certificate/6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f`;
const FP = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const HOST = 'milvus-demo.milvus.io';

function healthy(): AwsValues {
  return {
    loadBalancer: {
      arn: `arn:aws:elasticloadbalancing:${REGION}:123456789012:loadbalancer/app/k8s-milvus-milvusde-2f72215c02/50dc6c495c0c9188`,
      name: 'k8s-milvus-milvusde-2f72215c02',
      dnsName: 'k8s-milvus-milvusde-2f72215c02-778371620.us-east-2.elb.amazonaws.com',
      scheme: 'internet-facing',
      type: 'application',
      state: 'active',
      stateReason: null,
      vpcId: 'vpc-1',
      securityGroups: ['sg-alb'],
      zones: [{ zone: 'us-east-2a', subnetId: 'subnet-a' }],
      http2Enabled: null,
      idleTimeoutSec: null,
      minIdleTimeoutSec: null,
      region: REGION,
      regionFrom: 'alb-hostname',
      foundBy: 'dns-name',
      lookedUp: 'DNS name …',
    },
    listeners: {
      listeners: [
        {
          arn: 'listener/443',
          port: 443,
          protocol: 'HTTPS',
          certificateArns: [CERT],
          sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          sslProtocols: ['TLSv1.2', 'TLSv1.3'],
          defaultActions: [{ type: 'fixed-response', targetGroupArns: [], fixedStatus: '404', redirect: null }],
          rules: [
            { arn: 'rule/1', priority: '1', isDefault: false, hosts: [HOST], paths: ['/*'], actions: [{ type: 'forward', targetGroupArns: [TG], fixedStatus: null, redirect: null }] },
            { arn: 'rule/default', priority: 'default', isDefault: true, hosts: [], paths: [], actions: [{ type: 'fixed-response', targetGroupArns: [], fixedStatus: '404', redirect: null }] },
          ],
        },
      ],
    },
    targetGroup: {
      arn: TG,
      name: 'k8s-milvus-milvusde-0123456789',
      protocol: 'HTTP',
      protocolVersion: 'GRPC',
      port: 19530,
      targetType: 'ip',
      vpcId: 'vpc-1',
      loadBalancerArns: [],
      healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/AWS.ALB/healthcheck', grpcCodes: '12', httpCodes: null, intervalSec: 15, timeoutSec: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
      arnFrom: 'targetgroupbinding',
    },
    targetHealth: {
      targetGroupArn: TG,
      targets: [{ id: '10.0.1.10', port: 19530, zone: 'us-east-2a', state: 'healthy', reason: null, description: null }],
    },
    certificate: {
      arn: CERT,
      region: REGION,
      status: 'ISSUED',
      type: 'IMPORTED',
      domainName: HOST,
      subjectAlternativeNames: [HOST],
      notBefore: '2029-01-01T00:00:00.000Z',
      notAfter: '2031-01-01T00:00:00.000Z',
      inUseBy: [],
      failureReason: null,
      leafFingerprint256: FP,
      leafIssuer: 'CN=Intermediate',
      chainSubjects: ['CN=Intermediate', 'CN=Root'],
      chainHoldsIssuer: true,
      arnFrom: 'listener',
    },
    securityGroups: { loadBalancerGroups: ['sg-alb'], rules: [] },
  };
}

type Edit = (v: AwsValues) => Partial<{ [K in keyof AwsValues]: Outcome<AwsValues[K]> }> | void;

interface Row {
  readonly check: string;
  readonly name: string;
  readonly edit?: Edit;
  readonly verdict: Verdict;
  readonly says?: RegExp;
}

const ok = <T>(value: T): Outcome<T> => ({ status: 'ok', value, ms: 1 });

function facts(edit?: Edit, k8s?: Parameters<typeof factsWith>[0]): Facts {
  const v = healthy();
  const replaced = edit?.(v) ?? {};
  const aws = Object.fromEntries(Object.entries(v).map(([k, val]) => [k, ok(val)])) as { [K in keyof AwsValues]: Outcome<AwsValues[K]> };
  const served = { subject: `CN=${HOST}`, fingerprint256: FP } as const;
  const tls = ok({ chain: [served] }) as unknown as Facts['dataPath']['tls'];
  const base = factsWith(k8s, { host: HOST, provider: 'aws' }, { tls });
  return { ...base, aws: { ...aws, ...replaced } };
}

const err = (code: string, message: string) => ({ status: 'error', error: { code, layer: 'aws', message }, ms: 1 }) as Outcome<never>;

const ROWS: Row[] = [
  { check: 'aws.lb.state', name: 'active', verdict: 'pass' },
  { check: 'aws.lb.state', name: 'provisioning', edit: (v) => void ((v.loadBalancer as { state: string }).state = 'provisioning'), verdict: 'warn', says: /--wait/ },
  { check: 'aws.lb.state', name: 'failed', edit: (v) => void ((v.loadBalancer as { state: string }).state = 'failed'), verdict: 'fail' },
  { check: 'aws.lb.state', name: 'not found names the lookup', edit: () => ({ loadBalancer: err('AWS_NOT_FOUND', 'no load balancer matches DNS name x.elb.amazonaws.com') }), verdict: 'fail', says: /DNS name/ },
  {
    check: 'aws.lb.state',
    name: 'several ALBs carry the stack tag: name the one with --address',
    edit: () => ({ loadBalancer: { status: 'error', error: { code: 'AWS_NOT_FOUND', layer: 'aws', message: 'elbv2 DescribeTags: 2 load balancers carry ingress.k8s.aws/stack=milvus/milvus-demo', detail: { operation: 'DescribeTags' } }, ms: 1 } }),
    verdict: 'fail',
    says: /2 load balancers carry.*--address/,
  },
  { check: 'aws.lb.state', name: 'no credentials', edit: () => ({ loadBalancer: err('AWS_NO_CREDENTIALS', 'elbv2 DescribeLoadBalancers: no AWS credentials (…)') }), verdict: 'error', says: /no AWS credentials/ },
  {
    check: 'aws.listener.https',
    name: 'no credentials further up: error with the same words, not blocked',
    edit: () => ({ loadBalancer: err('AWS_NO_CREDENTIALS', 'no AWS credentials'), listeners: { status: 'skipped', reason: 'x failed', blockedBy: 'aws.lb.state' } }),
    verdict: 'error',
    says: /no AWS credentials/,
  },
  { check: 'aws.lb.scheme', name: 'internet-facing', verdict: 'pass' },
  { check: 'aws.lb.scheme', name: 'internal without a cluster to say it is on purpose', edit: (v) => void ((v.loadBalancer as { scheme: string }).scheme = 'internal'), verdict: 'warn' },
  { check: 'aws.lb.http2', name: 'absent = default true', verdict: 'pass', says: /default/ },
  { check: 'aws.lb.http2', name: 'disabled', edit: (v) => void ((v.loadBalancer as { http2Enabled: boolean }).http2Enabled = false), verdict: 'fail', says: /routing\.http2\.enabled=false/ },
  { check: 'aws.lb.idle-timeout', name: 'default 60 s', verdict: 'pass', says: /60 s/ },
  { check: 'aws.lb.idle-timeout', name: 'below --min-idle-timeout', edit: (v) => void ((v.loadBalancer as { minIdleTimeoutSec: number }).minIdleTimeoutSec = 300), verdict: 'warn', says: /300/ },
  { check: 'aws.listener.https', name: 'HTTPS 443 with the certificate', verdict: 'pass' },
  { check: 'aws.listener.https', name: 'no HTTPS listener', edit: (v) => ({ listeners: ok({ listeners: v.listeners.listeners.map((l) => ({ ...l, protocol: 'HTTP', port: 80 })) }) }), verdict: 'fail' },
  { check: 'aws.listener.http-closed', name: 'no HTTP listener', verdict: 'pass' },
  {
    check: 'aws.listener.http-closed',
    name: 'HTTP 80 forwards',
    edit: (v) => ({ listeners: ok({ listeners: [...v.listeners.listeners, { ...v.listeners.listeners[0], arn: 'l/80', port: 80, protocol: 'HTTP', sslPolicy: null, sslProtocols: null }] }) }),
    verdict: 'warn',
    says: /plaintext/,
  },
  { check: 'aws.listener.tls-policy', name: 'TLS 1.2+', verdict: 'pass' },
  {
    check: 'aws.listener.tls-policy',
    name: 'ELBSecurityPolicy-2016-08',
    edit: (v) => ({ listeners: ok({ listeners: [{ ...v.listeners.listeners[0], sslPolicy: 'ELBSecurityPolicy-2016-08', sslProtocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'] }] }) }),
    verdict: 'warn',
    says: /TLSv1\.1/,
  },
  { check: 'aws.listener.rule', name: 'host rule forwards', verdict: 'pass' },
  { check: 'aws.listener.rule', name: 'rule for another host: the default 404', edit: (v) => Object.assign(v.listeners.listeners[0].rules[0], { hosts: ['other.example'] }) && undefined, verdict: 'fail', says: /default action \(fixed-response 404\)/ },
  { check: 'aws.targetgroup.protocol-version', name: 'GRPC', verdict: 'pass' },
  { check: 'aws.targetgroup.protocol-version', name: 'HTTP1', edit: (v) => void ((v.targetGroup as { protocolVersion: string }).protocolVersion = 'HTTP1'), verdict: 'fail', says: /464/ },
  { check: 'aws.targetgroup.targets', name: 'ip, HTTP:19530', verdict: 'pass' },
  { check: 'aws.targetgroup.targets', name: 'instance targets', edit: (v) => void ((v.targetGroup as { targetType: string }).targetType = 'instance'), verdict: 'fail', says: /instance/ },
  { check: 'aws.targetgroup.health-check', name: 'the default, with its note', verdict: 'pass', says: /not that Milvus is ready/ },
  { check: 'aws.targetgroup.health-check', name: 'HTTP code 200', edit: (v) => void ((v.targetGroup.healthCheck as { grpcCodes: string }).grpcCodes = '200'), verdict: 'fail', says: /0–99/ },
  { check: 'aws.targets.healthy', name: 'healthy', verdict: 'pass' },
  {
    check: 'aws.targets.healthy',
    name: 'Target.Timeout with the rule to add',
    edit: (v) => ({
      targetHealth: ok({ ...v.targetHealth, targets: [{ ...v.targetHealth.targets[0], state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' }] }),
      securityGroups: ok({ loadBalancerGroups: ['sg-alb'], rules: [{ target: '10.0.1.10', port: 19530, groups: ['sg-pods'], admitted: false, by: null }] }),
    }),
    verdict: 'fail',
    says: /authorize-security-group-ingress.*--group-id sg-pods --protocol tcp --port 19530 --source-group sg-alb/,
  },
  {
    check: 'aws.targets.healthy',
    name: 'initial',
    edit: (v) => ({ targetHealth: ok({ ...v.targetHealth, targets: [{ ...v.targetHealth.targets[0], state: 'initial', reason: 'Elb.InitialHealthChecking', description: null }] }) }),
    verdict: 'warn',
    says: /--wait/,
  },
  { check: 'aws.targets.healthy', name: 'no targets', edit: (v) => ({ targetHealth: ok({ ...v.targetHealth, targets: [] }) }), verdict: 'fail', says: /503/ },
  { check: 'aws.acm.status', name: 'ISSUED', verdict: 'pass' },
  { check: 'aws.acm.status', name: 'PENDING_VALIDATION', edit: (v) => void ((v.certificate as { status: string }).status = 'PENDING_VALIDATION'), verdict: 'fail', says: /validation/ },
  { check: 'aws.acm.status', name: 'expired', edit: (v) => void ((v.certificate as { notAfter: string }).notAfter = '2029-12-01T00:00:00.000Z'), verdict: 'fail', says: /expired/ },
  { check: 'aws.acm.status', name: 'expires in 20 days', edit: (v) => void ((v.certificate as { notAfter: string }).notAfter = '2030-01-21T00:00:00.000Z'), verdict: 'warn' },
  { check: 'aws.acm.domains', name: 'covers the host', verdict: 'pass' },
  { check: 'aws.acm.domains', name: 'wildcard covers', edit: (v) => Object.assign(v.certificate, { subjectAlternativeNames: ['*.milvus.io'] }) && undefined, verdict: 'pass' },
  {
    check: 'aws.acm.domains',
    name: 'another domain',
    edit: (v) => Object.assign(v.certificate, { domainName: 'other.example', subjectAlternativeNames: ['other.example'] }) && undefined,
    verdict: 'fail',
  },
  { check: 'aws.acm.region', name: 'same region', verdict: 'pass' },
  { check: 'aws.acm.region', name: 'another region', edit: (v) => void ((v.certificate as { region: string }).region = 'us-west-2'), verdict: 'fail', says: /us-west-2/ },
  { check: 'aws.acm.chain', name: 'holds the issuer', verdict: 'pass' },
  { check: 'aws.acm.chain', name: 'imported without a chain', edit: (v) => Object.assign(v.certificate, { chainSubjects: [], chainHoldsIssuer: false }) && undefined, verdict: 'fail', says: /empty/ },
  { check: 'aws.acm.served', name: 'same leaf', verdict: 'pass' },
  { check: 'aws.acm.served', name: 'another leaf', edit: (v) => void ((v.certificate as { leafFingerprint256: string }).leafFingerprint256 = '00:11'), verdict: 'fail' },
];

describe('AWS API checks over facts', () => {
  test.each(ROWS.map((r) => [`${r.check} — ${r.name} → ${r.verdict}`, r] as const))('%s', (_l, row) => {
    const def = apiChecks.find((c) => c.id === row.check);
    if (!def) throw new Error(`no check ${row.check}`);
    const j = judgeCheck(def, facts(row.edit), JUDGE_OPTIONS);
    expect(j.verdict, JSON.stringify(j)).toBe(row.verdict);
    if (row.says) expect(JSON.stringify(j).replace(/\\"/g, '"').replace(/\\n/g, '\n')).toMatch(row.says);
    if (j.verdict === 'fail' || j.verdict === 'warn') {
      expect(j.expected.length).toBeGreaterThan(0);
      expect(typeof (j.fix ?? def.fix ?? j.hint ?? def.hint)).toBe('string');
    }
  });

  test('every API check has a passing row and a failing (or warning) row', () => {
    for (const def of apiChecks) {
      const verdicts = new Set(ROWS.filter((r) => r.check === def.id).map((r) => r.verdict));
      expect(verdicts.has('pass'), `${def.id} has no pass row`).toBe(true);
      expect(verdicts.has('fail') || verdicts.has('warn'), `${def.id} has no fail/warn row`).toBe(true);
    }
  });

  test.each([
    ['True', null, 'pass'],
    ['False', 'Target.Timeout', 'fail'],
  ] as const)('without AWS credentials, target health comes from the pods\' readiness gates (%s), and says so', (status, reason, verdict) => {
    const base = k8sFromFixtures({ flavour: 'aws' });
    const gate = { type: 'target-health.elbv2.k8s.aws/k8s-milvus-milvusde-0123456789', status, reason, message: reason ? 'Request timed out' : null };
    const pod = { name: 'milvus-demo-proxy-0', phase: 'Running', podIP: '10.0.1.10', ready: status === 'True', labels: {}, containers: [], conditions: [gate] };
    const k8s = { ...base, pods: ok([pod]) };
    const blocked = { status: 'skipped', reason: 'x', blockedBy: 'aws.lb.state' } as const;
    const f: Facts = {
      ...factsWith(k8s, { host: HOST, provider: 'aws' }),
      aws: { loadBalancer: err('AWS_NO_CREDENTIALS', 'no AWS credentials'), listeners: blocked, targetGroup: blocked, targetHealth: blocked, certificate: blocked, securityGroups: blocked },
    };
    const def = apiChecks.find((c) => c.id === 'aws.targets.healthy');
    if (!def) throw new Error('no aws.targets.healthy');
    const j = judgeCheck(def, f, JUDGE_OPTIONS);
    expect(j.verdict).toBe(verdict);
    expect(JSON.stringify(j)).toMatch(/the AWS read was not possible \(AWS_NO_CREDENTIALS\)/);
    if (verdict === 'fail') expect(JSON.stringify(j)).toMatch(/Target\.Timeout.*security group/);
    // Without the gates there is nothing to judge from: the AWS error stands.
    const bare = judgeCheck(def, { ...f, k8s: { ...k8s, pods: ok([]) } }, JUDGE_OPTIONS);
    expect(bare.verdict).toBe('error');
  });

  // certificate-arn may name several: the controller makes the first the listener's default and the others
  // listener certificates (DescribeListenerCertificates), which the ALB serves by SNI.
  const NAMED = 'arn:aws:acm:us-east-2:123456789012:certificate/1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
  const SECOND = 'arn:aws:acm:us-east-2:123456789012:certificate/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
  test.each([
    ['both named, the second as a listener certificate', `${NAMED}, ${SECOND}`, [NAMED, SECOND], 'pass', /with .*1b2c3d4e.* \(default\) and 1 more: .*9a8b7c6d/],
    ['the second named is not on the listener', `${NAMED},${SECOND}`, [NAMED], 'fail', /missing arn:aws:acm:us-east-2:123456789012:certificate\/9a8b7c6d/],
    ['the named one only as a non-default certificate still serves the host by SNI', NAMED, [CERT, NAMED], 'pass', /1 more/],
    ['the named one on no listener certificate', NAMED, [CERT], 'fail', /missing arn:aws:acm:us-east-2:123456789012:certificate\/1b2c3d4e/],
  ] as const)('aws.listener.https: %s', (_name, annotation, onListener, verdict, says) => {
    const base = k8sFromFixtures({ flavour: 'aws' });
    const ings = base.ingresses.status === 'ok' ? base.ingresses.value.map((i) => ({ ...i, annotations: { ...i.annotations, 'alb.ingress.kubernetes.io/certificate-arn': annotation } })) : [];
    const k8s = { ...base, ingresses: ok(ings) };
    const def = apiChecks.find((c) => c.id === 'aws.listener.https');
    if (!def) throw new Error('no aws.listener.https');
    const j = judgeCheck(def, facts((v) => ({ listeners: ok({ listeners: [{ ...v.listeners.listeners[0], certificateArns: [...onListener] }] }) }), k8s), JUDGE_OPTIONS);
    expect(j.verdict).toBe(verdict);
    expect(JSON.stringify(j)).toMatch(says);
  });
});
