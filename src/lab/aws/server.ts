// The lab's ELBv2 / ACM / EC2 endpoint: one HTTP server speaking the protocols the SDK sends (AWS Query with
// XML answers for ELBv2 and EC2, JSON 1.1 for ACM), serving the ALB derived from the lab world
// (./state.ts) and target health from real health checks of the lab's backend (./health.ts). Moto cannot
// report unhealthy or initial targets, NotInUse or the gRPC health-check defaults; this can. It records each
// call as its IAM action, so a test can replay a run against the generated policy.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { HostPort } from '../address.js';
import { LOOPBACK } from '../ports.js';
import { podPortTarget, type LabWorld } from '../world.js';
import { healthCheck, type HealthResult } from './health.js';
import { ALB_SECURITY_GROUP, LAB_ACCOUNT, LAB_REGION, POD_SECURITY_GROUP, albExists, deriveAlb, type LabAction, type LabAlb } from './state.js';
import { AcmError, acmImportCall } from './acm-import.js';

/** The lab's keys: the SDK signs with them; nothing real accepts them. */
export const LAB_AWS_CREDENTIALS = { accessKeyId: 'AKIALABL7DOCTOR00000', secretAccessKey: 'lab-secret-not-a-real-key' } as const;

/** The lab's health checks must finish well inside a probe deadline; the API still reports 5 s. */
const HEALTH_TIMEOUT_MS = 1200;
const HEALTH_TTL_MS = 5000;

export interface AwsStandIn {
  readonly url: string;
  readonly region: string;
  /** Every call received, as its IAM action (elasticloadbalancing:DescribeListeners, …). */
  readonly calls: readonly string[];
  stop(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const el = (tag: string, v: string | number | boolean | null | undefined) => (v === null || v === undefined ? '' : `<${tag}>${typeof v === 'string' ? esc(v) : String(v)}</${tag}>`);
const members = (tag: string, items: readonly string[], item = 'member') => `<${tag}>${items.map((i) => `<${item}>${i}</${item}>`).join('')}</${tag}>`;

function actionXml(a: LabAction, order = 1): string {
  if (a.type === 'forward') return `${el('Type', 'forward')}${el('TargetGroupArn', a.targetGroupArn)}${el('Order', order)}`;
  return `${el('Type', 'fixed-response')}<FixedResponseConfig>${el('StatusCode', a.status)}${el('ContentType', 'text/plain')}</FixedResponseConfig>${el('Order', order)}`;
}

/** `Names.member.1=a&Names.member.2=b` → [a, b]. */
function list(params: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`) ?? '');
  return out;
}

const SSL_POLICIES: Record<string, string[]> = {
  'ELBSecurityPolicy-2016-08': ['TLSv1', 'TLSv1.1', 'TLSv1.2'],
  'ELBSecurityPolicy-TLS13-1-2-2021-06': ['TLSv1.2', 'TLSv1.3'],
  'ELBSecurityPolicy-TLS-1-2-2017-01': ['TLSv1.2'],
};

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export async function serveAwsApi(world: LabWorld): Promise<AwsStandIn> {
  const calls: string[] = [];
  // target-timeout: the pods' security group drops the ALB's packets, so the check meets silence.
  const held = new Set<net.Socket>();
  const blackhole = net.createServer((socket) => {
    held.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => held.delete(socket));
  });
  await new Promise<void>((r) => blackhole.listen(0, LOOPBACK, r));
  const silent: HostPort = { host: LOOPBACK, port: (blackhole.address() as AddressInfo).port };
  const timeouts = world.faults.includes('target-timeout');

  let health: { at: number; results: Map<string, HealthResult> } | null = null;
  const checkTargets = async (alb: LabAlb): Promise<Map<string, HealthResult>> => {
    if (health && Date.now() - health.at < HEALTH_TTL_MS) return health.results;
    const tg = alb.targetGroup;
    const entries = await Promise.all(
      tg.targets.map(async (t): Promise<[string, HealthResult]> => {
        const where = timeouts ? { target: silent } : t.pod ? podPortTarget(world, t.pod, tg.port) : { target: world.backends.milvus };
        if (!('target' in where) || !where.target) return [t.ip, { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }];
        return [t.ip, await healthCheck(where.target, { ...tg.matcher, path: tg.healthCheckPath }, HEALTH_TIMEOUT_MS)];
      }),
    );
    health = { at: Date.now(), results: new Map(entries) };
    return health.results;
  };
  // The ALB health-checks from the start: the first round is in before anyone asks.
  await checkTargets(deriveAlb(world));

  const elbv2 = async (action: string, p: URLSearchParams): Promise<string> => {
    // A bare lab before its Ingress is reconciled: the account has no ALB yet.
    if (!albExists(world)) {
      const filtered = list(p, 'LoadBalancerArns.member').length + list(p, 'Names.member').length > 0;
      if (action === 'DescribeLoadBalancers' && !filtered) return '<LoadBalancers/>';
      if (action !== 'DescribeSSLPolicies') throw new ApiError(400, 'LoadBalancerNotFound', 'One or more load balancers not found');
    }
    const alb = deriveAlb(world);
    switch (action) {
      case 'DescribeLoadBalancers': {
        const arns = list(p, 'LoadBalancerArns.member');
        const names = list(p, 'Names.member');
        if ((arns.length && !arns.includes(alb.arn)) || (names.length && !names.includes(alb.name))) throw new ApiError(400, 'LoadBalancerNotFound', 'One or more load balancers not found');
        const zones = alb.zones.map((z) => `${el('ZoneName', z.zone)}${el('SubnetId', z.subnetId)}`);
        return `<LoadBalancers><member>${el('LoadBalancerArn', alb.arn)}${el('DNSName', alb.dnsName)}${el('CanonicalHostedZoneId', 'Z3AADJGX6KTTL2')}${el('CreatedTime', world.cluster.created)}${el('LoadBalancerName', alb.name)}${el('Scheme', alb.scheme)}${el('VpcId', 'vpc-0123456789abcdef0')}<State>${el('Code', alb.state)}</State>${el('Type', 'application')}${members('AvailabilityZones', zones)}${members('SecurityGroups', [ALB_SECURITY_GROUP])}${el('IpAddressType', 'ipv4')}</member></LoadBalancers>`;
      }
      case 'DescribeTags': {
        const descs = list(p, 'ResourceArns.member').map((a) => `${el('ResourceArn', a)}${members('Tags', a === alb.arn ? alb.tags.map((t) => `${el('Key', t.key)}${el('Value', t.value)}`) : [])}`);
        return members('TagDescriptions', descs);
      }
      case 'DescribeLoadBalancerAttributes':
        if (p.get('LoadBalancerArn') !== alb.arn) throw new ApiError(400, 'LoadBalancerNotFound', 'One or more load balancers not found');
        return members('Attributes', alb.attributes.map((a) => `${el('Key', a.key)}${el('Value', a.value)}`));
      case 'DescribeListeners': {
        if (p.get('LoadBalancerArn') !== alb.arn) throw new ApiError(400, 'LoadBalancerNotFound', 'One or more load balancers not found');
        return members(
          'Listeners',
          alb.listeners.map(
            (l) =>
              `${el('ListenerArn', l.arn)}${el('LoadBalancerArn', alb.arn)}${el('Port', l.port)}${el('Protocol', l.protocol)}${l.certificateArn ? members('Certificates', [el('CertificateArn', l.certificateArn)]) : ''}${el('SslPolicy', l.sslPolicy)}${members('DefaultActions', [actionXml(l.defaultAction)])}${l.protocol === 'HTTPS' ? members('AlpnPolicy', ['HTTP2Preferred']) : ''}`,
          ),
        );
      }
      case 'DescribeListenerCertificates': {
        const l = alb.listeners.find((x) => x.arn === p.get('ListenerArn'));
        if (!l) throw new ApiError(400, 'ListenerNotFound', 'One or more listeners not found');
        const certs = [...(l.certificateArn ? [{ arn: l.certificateArn, isDefault: true }] : []), ...l.extraCertificateArns.map((arn) => ({ arn, isDefault: false }))];
        return members('Certificates', certs.map((c) => `${el('CertificateArn', c.arn)}${el('IsDefault', c.isDefault)}`));
      }
      case 'DescribeRules': {
        const l = alb.listeners.find((x) => x.arn === p.get('ListenerArn'));
        if (!l) throw new ApiError(400, 'ListenerNotFound', 'One or more listeners not found');
        const hostCond = (hosts: readonly string[]) => members('Conditions', [`${el('Field', 'host-header')}${members('Values', hosts.map(esc))}<HostHeaderConfig>${members('Values', hosts.map(esc))}</HostHeaderConfig>`]);
        const rules = l.rules.map((r) => `${el('RuleArn', r.arn)}${el('Priority', r.priority)}${el('IsDefault', false)}${hostCond(r.hosts)}${members('Actions', [actionXml(r.action)])}`);
        rules.push(`${el('RuleArn', `${l.arn.replace(':listener/', ':listener-rule/')}/default`)}${el('Priority', 'default')}${el('IsDefault', true)}<Conditions/>${members('Actions', [actionXml(l.defaultAction)])}`);
        return members('Rules', rules);
      }
      case 'DescribeSSLPolicies': {
        const names = list(p, 'Names.member');
        const unknown = names.find((n) => !SSL_POLICIES[n]);
        if (unknown) throw new ApiError(400, 'SSLPolicyNotFound', `SSL policy '${unknown}' not found`);
        return members('SslPolicies', (names.length ? names : Object.keys(SSL_POLICIES)).map((n) => `${el('Name', n)}${members('SslProtocols', SSL_POLICIES[n])}`));
      }
      case 'DescribeTargetGroups': {
        const tg = alb.targetGroup;
        const arns = list(p, 'TargetGroupArns.member');
        if (arns.length && !arns.includes(tg.arn)) throw new ApiError(400, 'TargetGroupNotFound', 'One or more target groups not found');
        const matcher = tg.matcher.grpc !== undefined ? el('GrpcCode', tg.matcher.grpc) : el('HttpCode', tg.matcher.http);
        return members('TargetGroups', [
          `${el('TargetGroupArn', tg.arn)}${el('TargetGroupName', tg.name)}${el('Protocol', tg.protocol)}${el('ProtocolVersion', tg.protocolVersion)}${el('Port', tg.port)}${el('VpcId', 'vpc-0123456789abcdef0')}${el('HealthCheckProtocol', tg.protocol)}${el('HealthCheckPort', 'traffic-port')}${el('HealthCheckEnabled', true)}${el('HealthCheckIntervalSeconds', 15)}${el('HealthCheckTimeoutSeconds', 5)}${el('HealthyThresholdCount', 2)}${el('UnhealthyThresholdCount', 2)}${el('HealthCheckPath', tg.healthCheckPath)}<Matcher>${matcher}</Matcher>${members('LoadBalancerArns', [alb.arn])}${el('TargetType', tg.targetType)}${el('IpAddressType', 'ipv4')}`,
        ]);
      }
      case 'DescribeTargetHealth': {
        const tg = alb.targetGroup;
        if (p.get('TargetGroupArn') !== tg.arn) throw new ApiError(400, 'TargetGroupNotFound', 'One or more target groups not found');
        const results = await checkTargets(alb);
        const enabled = new Set(alb.zones.map((z) => z.zone));
        return members(
          'TargetHealthDescriptions',
          tg.targets.map((t) => {
            const h: HealthResult = !enabled.has(t.zone)
              ? { state: 'unhealthy', reason: 'Target.NotInUse', description: 'Target is in an Availability Zone that is not enabled for the load balancer' }
              : (results.get(t.ip) ?? { state: 'healthy', reason: null, description: null });
            const state = h.reason === 'Target.NotInUse' ? 'unused' : h.state;
            return `<Target>${el('Id', t.ip)}${el('Port', tg.port)}${el('AvailabilityZone', t.zone)}</Target>${el('HealthCheckPort', String(tg.port))}<TargetHealth>${el('State', state)}${el('Reason', h.reason)}${el('Description', h.description)}</TargetHealth>`;
          }),
        );
      }
      default:
        throw new ApiError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  };

  const ec2 = (action: string, p: URLSearchParams): string => {
    const alb = deriveAlb(world);
    switch (action) {
      case 'DescribeNetworkInterfaces': {
        const wanted = new Set<string>();
        for (let i = 1; p.has(`Filter.${i}.Name`); i++) if (p.get(`Filter.${i}.Name`) === 'addresses.private-ip-address') list(p, `Filter.${i}.Value`).forEach((v) => wanted.add(v));
        const items = alb.targetGroup.targets
          .filter((t) => wanted.size === 0 || wanted.has(t.ip))
          .map((t, i) => `${el('networkInterfaceId', `eni-0${i}1a2b3c4d5e6f708`)}${el('privateIpAddress', t.ip)}<privateIpAddressesSet><item>${el('privateIpAddress', t.ip)}${el('primary', true)}</item></privateIpAddressesSet><groupSet><item>${el('groupId', POD_SECURITY_GROUP)}${el('groupName', 'eks-cluster-sg-milvus-lab')}</item></groupSet>`);
        return members('networkInterfaceSet', items, 'item');
      }
      case 'DescribeSecurityGroups': {
        // Healthy: the controller's backend rule admits 19530 from the ALB's group; target-timeout lacks it.
        const perms = timeouts
          ? [`${el('ipProtocol', 'tcp')}${el('fromPort', 443)}${el('toPort', 443)}<groups><item>${el('groupId', POD_SECURITY_GROUP)}${el('userId', LAB_ACCOUNT)}</item></groups><ipRanges/>`]
          : [`${el('ipProtocol', 'tcp')}${el('fromPort', 19530)}${el('toPort', 19530)}<groups><item>${el('groupId', ALB_SECURITY_GROUP)}${el('userId', LAB_ACCOUNT)}</item></groups><ipRanges/>`];
        return members('securityGroupInfo', [`${el('ownerId', LAB_ACCOUNT)}${el('groupId', POD_SECURITY_GROUP)}${el('groupName', 'eks-cluster-sg-milvus-lab')}${el('vpcId', 'vpc-0123456789abcdef0')}${members('ipPermissions', perms, 'item')}`], 'item');
      }
      default:
        throw new ApiError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  };

  const acm = (op: string, body: Record<string, unknown>): unknown => {
    const imported = acmImportCall(world, op, body);
    if (imported !== undefined) return imported;
    const alb = deriveAlb(world);
    const cert = alb.certificates.find((c) => c.arn === body.CertificateArn);
    if (!cert) throw new ApiError(400, 'ResourceNotFoundException', `Could not find certificate ${String(body.CertificateArn)}.`);
    const expired = cert.notAfter.getTime() < Date.now();
    switch (op) {
      case 'DescribeCertificate':
        return {
          Certificate: {
            CertificateArn: cert.arn,
            DomainName: cert.domainName,
            SubjectAlternativeNames: cert.sans,
            Status: expired ? 'EXPIRED' : 'ISSUED',
            Type: 'IMPORTED',
            Serial: cert.serial,
            Subject: cert.subject,
            Issuer: cert.issuer,
            NotBefore: cert.notBefore.getTime() / 1000,
            NotAfter: cert.notAfter.getTime() / 1000,
            ImportedAt: Date.parse(world.cluster.created) / 1000,
            InUseBy: alb.listeners.some((l) => l.certificateArn === cert.arn || l.extraCertificateArns.includes(cert.arn)) ? [alb.arn] : [],
            KeyAlgorithm: 'EC_prime256v1',
          },
        };
      case 'GetCertificate':
        return { Certificate: cert.certPem.trim(), ...(cert.chainPem.trim() ? { CertificateChain: cert.chainPem.trim() } : {}) };
      default:
        throw new ApiError(400, 'InvalidAction', `${op} is not served by the lab`);
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const requestId = randomUUID();
        const target = req.headers['x-amz-target'];
        const signed = String(req.headers.authorization ?? '').includes(`Credential=${LAB_AWS_CREDENTIALS.accessKeyId}/`);
        if (typeof target === 'string' && target.startsWith('CertificateManager.')) {
          const op = target.slice('CertificateManager.'.length);
          calls.push(`acm:${op}`);
          try {
            if (!signed) throw new ApiError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
            const out = acm(op, JSON.parse(body || '{}') as Record<string, unknown>);
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId }).end(JSON.stringify(out));
          } catch (e) {
            const err = e instanceof ApiError ? e : e instanceof AcmError ? new ApiError(e.status, e.code, e.message) : new ApiError(500, 'InternalFailure', String(e));
            res.writeHead(err.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId }).end(JSON.stringify({ __type: err.code, message: err.message }));
          }
          return;
        }
        const params = new URLSearchParams(body);
        const action = params.get('Action') ?? '';
        const isEc2 = params.get('Version') === '2016-11-15';
        calls.push(`${isEc2 ? 'ec2' : 'elasticloadbalancing'}:${action}`);
        try {
          if (!signed) throw new ApiError(403, isEc2 ? 'AuthFailure' : 'InvalidClientTokenId', 'The security token included in the request is invalid.');
          if (isEc2) {
            const inner = ec2(action, params);
            res.writeHead(200, { 'content-type': 'text/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">${el('requestId', requestId)}${inner}</${action}Response>`);
          } else {
            const inner = await elbv2(action, params);
            res
              .writeHead(200, { 'content-type': 'text/xml' })
              .end(`<${action}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><${action}Result>${inner}</${action}Result><ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>`);
          }
        } catch (e) {
          const err = e instanceof ApiError ? e : new ApiError(500, 'InternalFailure', String(e));
          const xml = isEc2
            ? `<Response><Errors><Error>${el('Code', err.code)}${el('Message', err.message)}</Error></Errors>${el('RequestID', requestId)}</Response>`
            : `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error>${el('Type', 'Sender')}${el('Code', err.code)}${el('Message', err.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`;
          res.writeHead(err.status, { 'content-type': 'text/xml' }).end(xml);
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOOPBACK}:${port}`,
    region: LAB_REGION,
    calls,
    async stop() {
      server.closeAllConnections();
      for (const socket of held) socket.destroy();
      await Promise.all([new Promise<void>((r) => server.close(() => r())), new Promise<void>((r) => blackhole.close(() => r()))]);
    },
  };
}
