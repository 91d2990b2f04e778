// The real SDK clients against moto's AWS, seeded as the guide builds it (VPC, subnets, security groups,
// an ACM import of the lab's certificate with its chain, the ALB, an HTTPS 443 listener with the
// certificate and a TLS 1.2+ policy, the host rule, a GRPC target group with the controller's health check,
// the pod IPs as targets): every AWS check passes. The served certificate is compared with a real TLS
// handshake against a server holding the same leaf.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { EC2Client, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import {
  AddListenerCertificatesCommand, AddTagsCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createLabPki } from '../../src/lab/pki.js';
import { reservePorts } from '../../src/lab/ports.js';
import { ProbeError } from '../../src/errors.js';
import type { IngressFact } from '../../src/platform/k8s/types.js';
import { readLoadBalancer } from '../../src/sources/aws/reads.js';
import { selectionFromFlags } from '../../src/sources/selection.js';
import { awsOptions, gatherAws, judgeAws, startMoto, type Moto } from '../kits/aws.js';
import { tempDir } from '../tmp.js';

const HOST = 'milvus-demo.milvus.io';
const REGION = 'us-east-2';
const KEYS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const dir = tempDir('l7doctor-moto-');

let moto: Moto;
let dnsName = '';
let firstCertArn = '';
let secondCertArn = '';
/** The ALB created last (another Ingress's): found only by reading every page. */
let lastDnsName = '';
let tls: Server;
let tlsPort = 0;
let caFile = '';

beforeAll(async () => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [port] = await reservePorts(1);
  moto = await startMoto(port);
  const cfg = { region: REGION, endpoint: moto.url, credentials: KEYS };
  const ec2 = new EC2Client(cfg);
  const elb = new ElasticLoadBalancingV2Client(cfg);
  const acm = new ACMClient(cfg);
  const pki = await createLabPki(path.join(dir, 'pki'), { host: HOST, leaf: { name: HOST } });
  caFile = pki.caFile;
  const [leaf, ...chain] = readFileSync(pki.fullchainFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  const key = readFileSync(pki.keyFile, 'utf8');

  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '192.168.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnets = await Promise.all(
    [['192.168.32.0/19', `${REGION}a`], ['192.168.64.0/19', `${REGION}b`]].map(async ([cidr, az]) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: az }))).Subnet?.SubnetId ?? ''),
  );
  const albSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'k8s-milvus-alb', Description: 'ALB', VpcId: vpc }))).GroupId ?? '';
  const podSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'eks-cluster-sg', Description: 'pods', VpcId: vpc }))).GroupId ?? '';
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: podSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 19530, ToPort: 19530, UserIdGroupPairs: [{ GroupId: albSg }] }] }));
  // aws acm import-certificate --certificate … --certificate-chain … --private-key …
  const certArn = (await acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(leaf ?? ''), CertificateChain: Buffer.from(chain.join('')), PrivateKey: Buffer.from(key) }))).CertificateArn ?? '';
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'k8s-milvus-milvusde-2f72215c02', Subnets: subnets, SecurityGroups: [albSg], Scheme: 'internet-facing', Type: 'application' }))).LoadBalancers?.[0];
  dnsName = lb?.DNSName ?? '';
  // The controller's tags: the Ingress's stack and the cluster (what finds the ALB before the Ingress has a status).
  const stackTags = (cluster: string) => [{ Key: 'ingress.k8s.aws/stack', Value: 'milvus/milvus-demo' }, { Key: 'elbv2.k8s.aws/cluster', Value: cluster }, { Key: 'ingress.k8s.aws/resource', Value: 'LoadBalancer' }];
  await elb.send(new AddTagsCommand({ ResourceArns: [lb?.LoadBalancerArn ?? ''], Tags: stackTags('milvus-prod') }));
  // The same Ingress in a staging cluster of the same account and region, and another Ingress's ALB.
  const staging = (await elb.send(new CreateLoadBalancerCommand({ Name: 'k8s-milvus-milvusde-5e0d9a1b7c', Subnets: subnets, SecurityGroups: [albSg], Scheme: 'internet-facing', Type: 'application' }))).LoadBalancers?.[0];
  await elb.send(new AddTagsCommand({ ResourceArns: [staging?.LoadBalancerArn ?? ''], Tags: stackTags('milvus-staging') }));
  lastDnsName = (await elb.send(new CreateLoadBalancerCommand({ Name: 'k8s-web-frontend-9c8b7a6d5e', Subnets: subnets, SecurityGroups: [albSg], Scheme: 'internet-facing', Type: 'application' }))).LoadBalancers?.[0]?.DNSName ?? '';
  // What the controller makes of backend-protocol-version GRPC and target-type ip.
  const tg = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: 'k8s-milvus-milvusde-0123456789', Protocol: 'HTTP', ProtocolVersion: 'GRPC', Port: 19530, VpcId: vpc, TargetType: 'ip',
        HealthCheckPath: '/AWS.ALB/healthcheck', Matcher: { GrpcCode: '12' }, HealthCheckIntervalSeconds: 15, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups?.[0]?.TargetGroupArn ?? '';
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: certArn }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }],
      }),
    )
  ).Listeners?.[0]?.ListenerArn ?? '';
  // certificate-arn with a second ARN: the controller adds it as a listener certificate beside the default.
  secondCertArn = (await acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(leaf ?? ''), CertificateChain: Buffer.from(chain.join('')), PrivateKey: Buffer.from(key) }))).CertificateArn ?? '';
  await elb.send(new AddListenerCertificatesCommand({ ListenerArn: listener, Certificates: [{ CertificateArn: secondCertArn }] }));
  firstCertArn = certArn;
  await elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 1, Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [HOST] } }], Actions: [{ Type: 'forward', TargetGroupArn: tg }] }));
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '192.168.45.17', Port: 19530 }, { Id: '192.168.71.203', Port: 19530 }] }));
  for (const c of [ec2, elb, acm]) c.destroy();

  tls = createServer({ cert: readFileSync(pki.fullchainFile), key, ALPNProtocols: ['h2'] }, (s) => s.end());
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  const a = tls.address();
  tlsPort = typeof a === 'object' && a ? a.port : 0;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => (tls ? tls.close(() => r()) : r()));
  await moto?.stop();
});

describe('moto, seeded as the guide builds it', () => {
  test('the real SDK reads the ALB, listener, rule, target group, targets and certificate: every AWS check passes', async () => {
    const aws = { region: null, profile: null, minIdleTimeoutSec: null, endpoint: moto.url, staticCredentials: KEYS };
    const run = await gatherAws(awsOptions({ host: HOST, address: dnsName, aws: { ...aws, region: REGION } }));
    // The TLS handshake of the served-certificate check, against a server with the imported leaf.
    const served = await gatherAws(awsOptions({ host: HOST, address: '127.0.0.1', port: tlsPort, ca: caFile, aws: { ...aws, region: REGION } }), ['tls.handshake']);
    const merged = { ...run.facts, dataPath: { ...run.facts.dataPath, tls: served.facts.dataPath.tls } };
    const verdicts = judgeAws(merged);
    const notPassing = [...verdicts].filter(([, j]) => j.verdict !== 'pass').map(([id, j]) => `${id}: ${JSON.stringify(j)}`);
    expect(notPassing).toEqual([]);
    const lb = merged.aws?.loadBalancer;
    expect(lb?.status === 'ok' && lb.value.foundBy).toBe('dns-name');
    // moto answers absent attributes as absent: read as the defaults a real ALB reports.
    expect(lb?.status === 'ok' && [lb.value.http2Enabled, lb.value.idleTimeoutSec]).toEqual([null, null]);
    const cert = merged.aws?.certificate;
    expect(cert?.status === 'ok' && cert.value.chainHoldsIssuer).toBe(true);
    // DescribeListeners names the default certificate only; DescribeListenerCertificates the second.
    const listeners = merged.aws?.listeners;
    expect(listeners?.status === 'ok' && listeners.value.listeners.find((l) => l.port === 443)?.certificateArns).toEqual([firstCertArn, secondCertArn]);
  });

  test('the region from the ALB hostname when no flag or environment names one, and said so', async () => {
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const aws = { region: null, profile: null, minIdleTimeoutSec: null, endpoint: moto.url, staticCredentials: KEYS };
      const { facts } = await gatherAws(awsOptions({ host: HOST, address: dnsName, aws }), ['aws.lb.state']);
      const lb = facts.aws?.loadBalancer;
      expect(lb?.status === 'ok' && [lb.value.region, lb.value.regionFrom]).toEqual([REGION, 'alb-hostname']);
    } finally {
      if (saved !== undefined) process.env.AWS_REGION = saved;
    }
  });

  test('an address no ALB has: aws.lb.state fails naming how it looked', async () => {
    const aws = { region: REGION, profile: null, minIdleTimeoutSec: null, endpoint: moto.url, staticCredentials: KEYS };
    const { facts } = await gatherAws(awsOptions({ host: HOST, address: 'k8s-gone-0000000000.us-east-2.elb.amazonaws.com', aws }), ['aws.lb.state', 'aws.acm.status']);
    const v = judgeAws(facts, ['aws.lb.state', 'aws.acm.status']);
    expect(v.get('aws.lb.state')).toMatchObject({ verdict: 'fail', observed: expect.stringMatching(/DNS name k8s-gone.*us-east-2 \(region from flag\)/) });
    expect(v.get('aws.acm.status')?.verdict).toBe('blocked');
  });
});

/** The Ingress as the cluster shows it before the controller has written its status hostname. */
const INGRESS_WITHOUT_STATUS: IngressFact = {
  name: 'milvus-demo', namespace: 'milvus', ingressClassName: 'alb', annotations: { 'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC' }, labels: {},
  rules: [], defaultBackend: null, tls: [], addresses: [], finalizers: [], hasStatus: false,
};

describe('finding the ALB without its DNS name: the controller\'s tags, and every page', () => {
  const ctxFor = (context?: string) => ({
    options: { ...awsOptions({ host: HOST, address: '', aws: { region: REGION, profile: null, minIdleTimeoutSec: null, endpoint: moto.url, staticCredentials: KEYS } }), k8s: { mode: 'live' as const, ...(context ? { context } : {}) } },
    signal: new AbortController().signal,
    timeoutMs: 5000,
  });
  const noAddress = { ...selectionFromFlags({ host: HOST, address: null, provider: 'aws', k8s: null }), address: null };

  test('an Ingress with no status hostname yet: found by ingress.k8s.aws/stack, narrowed by elbv2.k8s.aws/cluster from the EKS context', async () => {
    const lb = await readLoadBalancer(ctxFor('arn:aws:eks:us-east-2:123456789012:cluster/milvus-prod'), noAddress, INGRESS_WITHOUT_STATUS);
    expect([lb.dnsName, lb.foundBy]).toEqual([dnsName, 'tags']);
    expect(lb.lookedUp).toMatch(/^tag ingress\.k8s\.aws\/stack=milvus\/milvus-demo and elbv2\.k8s\.aws\/cluster=milvus-prod in us-east-2/);
    // eksctl's context names the same cluster.
    const viaEksctl = await readLoadBalancer(ctxFor('admin@milvus-prod.us-east-2.eksctl.io'), noAddress, INGRESS_WITHOUT_STATUS);
    expect(viaEksctl.dnsName).toBe(dnsName);
  });

  test('two clusters\' ALBs carry the stack tag and the context names neither: no guess, the candidates named', async () => {
    const e = await readLoadBalancer(ctxFor(), noAddress, INGRESS_WITHOUT_STATUS).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ProbeError);
    expect(e instanceof ProbeError && [e.code, e.detail?.operation]).toEqual(['AWS_NOT_FOUND', 'DescribeTags']);
    expect(e instanceof ProbeError && e.message).toMatch(/2 load balancers carry ingress\.k8s\.aws\/stack=milvus\/milvus-demo \(elbv2\.k8s\.aws\/cluster: milvus-prod, milvus-staging\).*--address/);
  });

  test('DescribeLoadBalancers is read page by page (moto honours PageSize and Marker)', async () => {
    const elb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: moto.url, credentials: KEYS });
    try {
      // The control: one per page means the ALB created last is on a later page.
      const first = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 1 }));
      expect(first.LoadBalancers?.length).toBe(1);
      expect(first.NextMarker).toEqual(expect.stringMatching(/.+/));
      expect(first.LoadBalancers?.[0]?.DNSName).not.toBe(lastDnsName);
    } finally {
      elb.destroy();
    }
    const lb = await readLoadBalancer(ctxFor(), { ...noAddress, address: lastDnsName, addressFrom: 'flag' }, null, 1);
    expect([lb.dnsName, lb.foundBy, lb.name]).toEqual([lastDnsName, 'dns-name', 'k8s-web-frontend-9c8b7a6d5e']);
  });
});
