// http2.grpc names the cloud state behind a status the load balancer answered: per row, the Kubernetes
// objects (fixtures), the status on the wire, the AWS or Compute facts, and what the finding must (and must
// not) say. The cloud facts are the few the finding reads; the cloud's own checks are judged elsewhere.
import { describe, expect, test } from 'vitest';
import type { Facts } from '../facts/types.js';
import type { Outcome } from '../model.js';
import type { AwsValues, GcpValues } from '../sources/values.js';
import { judgeCheck } from './define.js';
import { grpcChecks } from './grpc.js';
import { JUDGE_OPTIONS, factsWith, k8sFromFixtures } from '../../test/kits/k8s-testkit.js';

const ok = <T>(value: T): Outcome<T> => ({ status: 'ok', value, ms: 1 });
const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/k8s-milvus-milvusde-0123456789/0123456789abcdef';
const TG = 'k8s-milvus-milvusde-0123456789';
const BS = 'k8s1-abc-default-my-release-milvus-19530-def';

type AwsPart = { -readonly [K in 'listeners' | 'targetGroup' | 'targetHealth']?: Outcome<AwsValues[K]> };
type GcpPart = { -readonly [K in 'urlMap' | 'backendService' | 'backendHealth']?: Outcome<GcpValues[K]> };

function targetGroup(protocolVersion: string): Outcome<AwsValues['targetGroup']> {
  const healthCheck = { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/AWS.ALB/healthcheck', grpcCodes: '12', httpCodes: null, intervalSec: 15, timeoutSec: 5, healthyThreshold: 2, unhealthyThreshold: 2 };
  return ok({ arn: TG_ARN, name: TG, protocol: 'HTTP', protocolVersion, port: 19530, targetType: 'ip', vpcId: null, loadBalancerArns: [], healthCheck, arnFrom: 'targetgroupbinding' });
}

function targets(...states: [string, string | null][]): Outcome<AwsValues['targetHealth']> {
  return ok({ targetGroupArn: TG_ARN, targets: states.map(([state, reason], i) => ({ id: `10.0.1.${10 + i}`, port: 19530, zone: 'us-east-2a', state, reason, description: null })) });
}

/** The HTTPS listener with a rule for these hosts forwarding to the target group, and the controller's fixed 404 by default. */
function listeners(hosts: string[]): Outcome<AwsValues['listeners']> {
  const notFound = { type: 'fixed-response', targetGroupArns: [], fixedStatus: '404', redirect: null };
  const rules = [
    ...(hosts.length ? [{ arn: 'rule/1', priority: '1', isDefault: false, hosts, paths: [], actions: [{ type: 'forward', targetGroupArns: [TG_ARN], fixedStatus: null, redirect: null }] }] : []),
    { arn: 'rule/default', priority: 'default', isDefault: true, hosts: [], paths: [], actions: [notFound] },
  ];
  return ok({ listeners: [{ arn: 'listener/443', port: 443, protocol: 'HTTPS', certificateArns: [], sslPolicy: null, sslProtocols: null, defaultActions: [notFound], rules }] });
}

function backendService(protocol: string): Outcome<GcpValues['backendService']> {
  return ok({ name: BS, from: 'host-rule', protocol, timeoutSec: 600, portName: 'milvus', healthChecks: [BS], backends: [{ name: 'neg-a', zone: 'z-a', group: 'g' }], connectionDrainingSec: 0, logEnabled: null });
}

function negHealth(...states: string[]): Outcome<GcpValues['backendHealth']> {
  return ok([{ neg: 'neg-a', zone: 'z-a', endpoints: states.map((healthState, i) => ({ ipAddress: `10.8.0.${i + 1}`, port: 19530, healthState, instance: null })) }]);
}

function urlMap(hosts: string[]): Outcome<GcpValues['urlMap']> {
  return ok({ name: 'k8s2-um-default-my-release', defaultService: 'k8s1-default-http-backend', hostRules: hosts.length ? [{ hosts, pathMatcher: 'pm' }] : [], pathMatchers: [{ name: 'pm', defaultService: BS }] });
}

const AWS_HOST = 'milvus-demo.milvus.io';
const GCP_HOST = 'my-release.milvus.io';

interface Row {
  readonly name: string;
  readonly flavour: 'aws' | 'gcp';
  readonly fixtures?: string[];
  readonly status: number;
  readonly aws?: AwsPart;
  readonly gcp?: GcpPart;
  readonly says: RegExp;
  readonly fix?: RegExp;
  readonly notSays?: RegExp;
}

const ROWS: Row[] = [
  {
    name: '464, the Ingress asks GRPC, the target group is HTTP1: not recreated',
    flavour: 'aws',
    status: 464,
    aws: { targetGroup: targetGroup('HTTP1') },
    says: /the target group was not recreated \(target group k8s-milvus-milvusde-0123456789 ProtocolVersion HTTP1; the controller cannot change it in place\)/,
    fix: /delete targetgroupbinding/,
  },
  {
    name: '464, no GRPC annotation: HTTP1 from the Ingress',
    flavour: 'aws',
    fixtures: ['backend-protocol-version-missing.yaml'],
    status: 464,
    aws: { targetGroup: targetGroup('HTTP1') },
    says: /ProtocolVersion HTTP1 \(AWS API\): the Ingress milvus\/milvus-demo has no backend-protocol-version/,
    fix: /backend-protocol-version=GRPC/,
  },
  {
    name: '464 while the API says GRPC: another load balancer or rule',
    flavour: 'aws',
    status: 464,
    aws: { targetGroup: targetGroup('GRPC') },
    says: /ProtocolVersion GRPC \(AWS API\), so this 464 does not come from it/,
    notSays: /not reconciled/,
  },
  {
    name: '464, the AWS read failed: the objects\' word stands',
    flavour: 'aws',
    status: 464,
    aws: { targetGroup: { status: 'error', error: { code: 'AWS_NO_CREDENTIALS', layer: 'aws', message: 'no AWS credentials' }, ms: 1 } },
    says: /already asks for a GRPC target group/,
  },
  {
    name: '464, the AWS checks not selected (nothing gathered): the objects\' word stands',
    flavour: 'aws',
    status: 464,
    aws: { targetGroup: { status: 'skipped', reason: 'not gathered' }, targetHealth: { status: 'skipped', reason: 'not gathered' } },
    says: /already asks for a GRPC target group/,
    notSays: /ProtocolVersion/,
  },
  {
    name: '503, no target registered',
    flavour: 'aws',
    status: 503,
    aws: { targetGroup: targetGroup('GRPC'), targetHealth: targets() },
    says: /no target is registered in k8s-milvus-milvusde-0123456789/,
  },
  {
    name: '502, targets unhealthy with their reason and cause',
    flavour: 'aws',
    status: 502,
    aws: { targetGroup: targetGroup('GRPC'), targetHealth: targets(['unhealthy', 'Target.ResponseCodeMismatch'], ['healthy', null]) },
    says: /10\.0\.1\.10:19530 unhealthy \(Target\.ResponseCodeMismatch\); 1 healthy — Target\.ResponseCodeMismatch: the health check got a gRPC code outside the matcher/,
    fix: /success-codes/,
    notSays: /unreachable or not ready/,
  },
  {
    name: '503, targets in initial',
    flavour: 'aws',
    status: 503,
    aws: { targetGroup: targetGroup('GRPC'), targetHealth: targets(['initial', 'Elb.InitialHealthChecking']) },
    says: /initial \(Elb\.InitialHealthChecking\)/,
  },
  {
    name: '502 with every target healthy: the calls, not the health check, fail',
    flavour: 'aws',
    status: 502,
    aws: { targetGroup: targetGroup('GRPC'), targetHealth: targets(['healthy', null], ['healthy', null]) },
    says: /every target in k8s-milvus-milvusde-0123456789 healthy \(2\/2, AWS API\)/,
    notSays: /unreachable or not ready/,
  },
  {
    name: '404 and the ALB has no rule for the host: the default action named',
    flavour: 'aws',
    status: 404,
    aws: { listeners: listeners(['other.milvus.io']), targetGroup: targetGroup('GRPC') },
    says: /the ALB's HTTPS:443 listener has no rule for milvus-demo\.milvus\.io \(AWS API\): requests for it meet the default action \(fixed-response 404\)/,
  },
  {
    name: '404 though the ALB has the rule: not this ALB, or not this :authority',
    flavour: 'aws',
    status: 404,
    aws: { listeners: listeners(['milvus-demo.milvus.io']), targetGroup: targetGroup('GRPC') },
    says: /has a rule for milvus-demo\.milvus\.io \(priority 1\) forwarding to k8s-milvus-milvusde-0123456789 \(AWS API\), so this 404 is not that rule's/,
  },
  {
    name: 'GKE 502, backend service HTTP: the protocol, and the annotation it came from',
    flavour: 'gcp',
    fixtures: ['app-protocols-by-number.yaml'],
    status: 502,
    gcp: { backendService: backendService('HTTP'), backendHealth: negHealth('HEALTHY') },
    says: /backend service k8s1-abc-default-my-release-milvus-19530-def protocol HTTP \(Compute API\), not HTTP2.*port by its name/,
    fix: /app-protocols='\{"milvus":"HTTP2"\}'/,
  },
  {
    name: 'GKE 502, endpoints UNHEALTHY per NEG',
    flavour: 'gcp',
    status: 502,
    gcp: { backendService: backendService('HTTP2'), backendHealth: negHealth('UNHEALTHY', 'HEALTHY') },
    says: /endpoints not HEALTHY per NEG of k8s1-abc-default-my-release-milvus-19530-def \(Compute API\): neg-a \(z-a\): 10\.8\.0\.1:19530 UNHEALTHY/,
    fix: /get-health/,
  },
  {
    name: 'GKE 502, every NEG empty',
    flavour: 'gcp',
    status: 502,
    gcp: { backendService: backendService('HTTP2'), backendHealth: negHealth() },
    says: /every NEG of .* is empty \(Compute API: neg-a in z-a\)/,
  },
  {
    name: 'GKE 502, HTTP2 and HEALTHY: Milvus serves no TLS on 19530',
    flavour: 'gcp',
    fixtures: ['plaintext-backend.yaml'],
    status: 502,
    gcp: { backendService: backendService('HTTP2'), backendHealth: negHealth('HEALTHY') },
    says: /speaks HTTP2 and every endpoint is HEALTHY \(1\/1, Compute API\).*tlsMode 1 \(it is 0\)/,
  },
  {
    name: 'GKE 502, mutual TLS: the objects\' cause beside the NEG health',
    flavour: 'gcp',
    fixtures: ['mtls-backend.yaml'],
    status: 502,
    gcp: { backendService: backendService('HTTP2'), backendHealth: negHealth('UNHEALTHY') },
    says: /UNHEALTHY.*tlsMode 2/,
    fix: /tlsMode: 1/,
  },
  {
    name: 'GKE 404, the URL map has no host rule: the default service named',
    flavour: 'gcp',
    status: 404,
    gcp: { urlMap: urlMap(['other.milvus.io']) },
    says: /the URL map k8s2-um-default-my-release has no host rule for my-release\.milvus\.io \(Compute API\): every request for it goes to the default service k8s1-default-http-backend, which answers 404; the Ingress default\/my-release-milvus has a rule for my-release\.milvus\.io, so ingress-gce has not synced it/,
    notSays: /yet this load balancer answers 404/,
  },
  {
    name: 'GKE 404 with the host rule in the URL map: the objects\' word alone',
    flavour: 'gcp',
    status: 404,
    gcp: { urlMap: urlMap(['my-release.milvus.io']) },
    says: /has a rule for my-release\.milvus\.io/,
    notSays: /Compute API/,
  },
];

function factsFor(row: Pick<Row, 'flavour' | 'fixtures' | 'status' | 'aws' | 'gcp'>): Facts {
  const k8s = k8sFromFixtures({ flavour: row.flavour, ...(row.fixtures ? { with: row.fixtures } : {}) });
  const host = row.flavour === 'aws' ? AWS_HOST : GCP_HOST;
  const grpc = row.status === 200;
  const http2Host = ok({ authority: host, status: row.status, contentType: grpc ? 'application/grpc' : 'text/html', grpcStatus: grpc ? 0 : null, grpcMessage: null, server: 'lb', bodyBytes: 0, bodySnippet: null });
  const base = factsWith(k8s, { host, provider: row.flavour }, { http2Host });
  return { ...base, ...(row.aws ? { aws: row.aws as Facts['aws'] } : {}), ...(row.gcp ? { gcp: row.gcp as Facts['gcp'] } : {}) };
}

const HTTP2_GRPC = grpcChecks.find((c) => c.id === 'http2.grpc');

describe('http2.grpc names the cloud state behind the status', () => {
  test.each(ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    if (!HTTP2_GRPC) throw new Error('no http2.grpc');
    const j = judgeCheck(HTTP2_GRPC, factsFor(row), JUDGE_OPTIONS);
    if (j.verdict !== 'fail') throw new Error(`expected fail, got ${JSON.stringify(j)}`);
    expect(j.observed).toContain(`HTTP ${row.status}`);
    expect(j.hint).toMatch(row.says);
    if (row.fix) expect(j.fix).toMatch(row.fix);
    if (row.notSays) expect(j.hint).not.toMatch(row.notSays);
  });

  test('a gRPC answer passes, whatever the cloud state says', () => {
    if (!HTTP2_GRPC) throw new Error('no http2.grpc');
    const j = judgeCheck(HTTP2_GRPC, factsFor({ flavour: 'aws', status: 200, aws: { targetGroup: targetGroup('HTTP1'), targetHealth: targets() } }), JUDGE_OPTIONS);
    expect(j.verdict).toBe('pass');
  });

  test('it uses the cloud facts when another check gathered them, and never gathers them itself', () => {
    // Used, not needed: the cloud is read for it only when a cloud check is selected too.
    expect(HTTP2_GRPC?.uses).toEqual(expect.arrayContaining(['aws.listeners', 'aws.targetGroup', 'aws.targetHealth', 'gcp.urlMap', 'gcp.backendService', 'gcp.backendHealth']));
    expect(HTTP2_GRPC?.needs.some((n) => n.startsWith('aws.') || n.startsWith('gcp.'))).toBe(false);
  });
});
