// The AWS reads against what moto cannot be: the lab's stand-in (its calls replayed against the generated
// IAM policy), endpoints that answer garbage, 500s, throttling, denials or nothing at all (each an `error`
// naming the AWS operation, within the deadline), and a machine with no AWS credentials (each AWS check
// `error` "no AWS credentials", never a hang on the instance metadata service).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LAB_AWS_CREDENTIALS, serveAwsApi } from '../../src/lab/aws/server.js';
import { annotations, find } from '../../src/lab/k8s-api/fault-edits.js';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import { createLabPki } from '../../src/lab/pki.js';
import { createLabWorld } from '../../src/lab/world.js';
import { readListeners, readLoadBalancer } from '../../src/sources/aws/reads.js';
import { selectionFromFlags } from '../../src/sources/selection.js';
import { tempDir } from '../tmp.js';
import { iamActions } from '../../src/sources/permissions.js';
import { AWS_API_CHECKS, awsOptions, gatherAws, judgeAws } from '../kits/aws.js';
import { parseReport, runCli } from './cli.js';

const KEYS = { accessKeyId: 'AKIATESTTESTTESTTEST', secretAccessKey: 'test' };

type Mode = 'garbage' | '500' | 'silence' | 'denied' | 'throttle';

let server: http.Server;
let base = '';
const hits = new Map<Mode, number>();

beforeAll(async () => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  server = http.createServer((req, res) => {
    const mode = (req.url ?? '/').split('/')[1] as Mode;
    hits.set(mode, (hits.get(mode) ?? 0) + 1);
    req.resume();
    if (mode === 'silence') return;
    if (mode === 'garbage') return void res.writeHead(200, { 'content-type': 'text/xml' }).end('<<<this is not an AWS answer');
    if (mode === '500') return void res.writeHead(500, { 'content-type': 'text/html' }).end('<html>oops</html>');
    const code = mode === 'denied' ? 'AccessDenied' : 'Throttling';
    res.writeHead(mode === 'denied' ? 403 : 400, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('bad answers: error naming the operation, within the deadline', () => {
  const CASES: [Mode, RegExp][] = [
    ['garbage', /AWS_BAD_ANSWER/],
    ['500', /AWS_API_ERROR: elbv2 DescribeLoadBalancers: HTTP 500/],
    ['silence', /AWS_TIMEOUT: elbv2 DescribeLoadBalancers: no answer within 1500 ms/],
    ['denied', /AWS_ACCESS_DENIED: .*allow elasticloadbalancing:DescribeLoadBalancers/],
    ['throttle', /AWS_THROTTLED: elbv2 DescribeLoadBalancers: throttled after 3 attempts/],
  ];
  test.each(CASES)('%s', async (mode, says) => {
    // Throttling backs off for longer (the SDK's throttling base delay): room for its three attempts.
    const timeoutMs = mode === 'throttle' ? 8000 : 1500;
    const options = awsOptions({ host: 'milvus-demo.milvus.io', address: 'k8s-milvus-x-1.us-east-2.elb.amazonaws.com', timeoutMs, aws: { region: 'us-east-2', profile: null, minIdleTimeoutSec: null, endpoint: `${base}/${mode}`, staticCredentials: KEYS } });
    const { facts, ms } = await gatherAws(options);
    const lb = facts.aws?.loadBalancer;
    expect(lb?.status).toBe('error');
    expect(lb?.status === 'error' && lb.error.message).toMatch(/DescribeLoadBalancers/);
    // Retries included, the run's deadline holds (generous for a busy machine: never a hang).
    expect(ms).toBeLessThan(timeoutMs * 3 + 3000);
    for (const [id, j] of judgeAws(facts)) {
      expect(j.verdict, id).toBe('error');
      expect(j.verdict === 'error' && j.observed, id).toMatch(says);
    }
    if (mode === 'throttle') expect(hits.get('throttle')).toBe(3);
  });
});

describe('no AWS credentials', () => {
  test('each AWS check is error "no AWS credentials (…)" within --timeout, the metadata service never asked', async () => {
    const env: NodeJS.ProcessEnv = {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: `${base}/silence`,
    };
    const run = await runCli(['--address', 'k8s-milvus-x-1.us-east-2.elb.amazonaws.com', '--host', 'milvus-demo.milvus.io', '--only', AWS_API_CHECKS.map((c) => c.id).join(','), '--output', 'json', '--timeout', '2s'], { env });
    const report = parseReport(run);
    for (const c of report.checks) {
      expect(c.verdict, c.id).toBe('error');
      expect(c.observed, c.id).toMatch(/AWS_NO_CREDENTIALS: .*no AWS credentials/);
      expect(c.hint, c.id).toMatch(/doctor-policy\.json/);
    }
    expect(report.checks.length).toBe(AWS_API_CHECKS.length);
    expect(run.code).toBe(3);
    expect(run.stderr).not.toMatch(/NodeVersion|no longer support/i);
  });
});

describe('--wait', () => {
  test('waits out an ALB that is still provisioning (a warning that settles), through AWS_ENDPOINT_URL', async () => {
    const lab = await startLab({ provider: 'aws', faults: ['lb-provisioning'], prefer: { milvusLite: false } });
    try {
      const aws = lab.aws;
      if (!aws) throw new Error('the aws lab has no stand-in');
      const env = { AWS_ENDPOINT_URL: aws.endpoint, AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey, AWS_REGION: aws.region, AWS_EC2_METADATA_DISABLED: 'true' };
      const run = await runCli(['--address', lab.address, '--host', lab.host, '--provider', 'aws', '--only', 'aws.lb.state', '--wait', '3s', '--output', 'json'], { env, timeoutMs: 60_000 });
      expect(run.stderr).toMatch(/attempt 1: 1 failing \(aws\.lb\.state\); retrying/);
      expect(parseReport(run).checks.map((c) => c.verdict)).toEqual(['warn']);
      expect(run.code).toBe(0);
    } finally {
      await lab.stop();
    }
  });
});

describe('the lab\'s ELBv2/ACM/EC2 stand-in', () => {
  let lab: LabHandle | null = null;
  afterAll(async () => {
    await lab?.stop();
  });

  test('IAM replay: every AWS call a run makes (EC2 included) is in the generated policy', async () => {
    lab = await startLab({ provider: 'aws', faults: ['target-timeout'], prefer: { milvusLite: false } });
    const aws = lab.aws;
    const kube = lab.kubernetes;
    if (!aws || !kube) throw new Error('the aws lab has no stand-in');
    const options = {
      ...awsOptions({ host: lab.host, address: lab.address, port: lab.port, ca: lab.caFile, aws: { region: aws.region, profile: null, minIdleTimeoutSec: null, endpoint: aws.endpoint, staticCredentials: aws.credentials } }),
      k8s: { mode: 'live' as const, kubeconfig: kube.kubeconfigPath, context: kube.context, namespace: kube.namespace, release: kube.release },
      backendProbe: false,
    };
    const { facts } = await gatherAws(options);
    const verdicts = judgeAws(facts);
    expect(verdicts.get('aws.targets.healthy')).toMatchObject({ verdict: 'fail', observed: expect.stringMatching(/Target\.Timeout/) });
    expect(facts.aws?.targetGroup?.status === 'ok' && facts.aws.targetGroup.value.arnFrom).toBe('targetgroupbinding');
    const allowed = new Set(iamActions());
    const made = [...new Set(aws.calls)];
    expect(made.filter((c) => !allowed.has(c))).toEqual([]);
    expect(made).toEqual(expect.arrayContaining(['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListenerCertificates', 'acm:GetCertificate', 'ec2:DescribeSecurityGroups']));
    // The stand-in answers DescribeListenerCertificates with the listener's default: the one certificate-arn names.
    const https = facts.aws?.listeners?.status === 'ok' ? facts.aws.listeners.value.listeners.find((l) => l.protocol === 'HTTPS') : undefined;
    expect(https?.certificateArns).toHaveLength(1);
    expect(verdicts.get('aws.listener.https')?.verdict).toBe('pass');
  });
});

describe('listener certificates beyond the default', () => {
  test('an Ingress naming two certificate ARNs: the stand-in serves the second through DescribeListenerCertificates, and the read lists both, the default first', async () => {
    const host = 'milvus-demo.milvus.io';
    const pki = await createLabPki(path.join(tempDir('l7doctor-listener-certs-'), 'pki'), { host, leaf: { name: host } });
    const [leaf, ...chain] = readFileSync(pki.fullchainFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
    const address = 'k8s-milvus-milvusde-2f72215c02-778371620.us-east-2.elb.amazonaws.com';
    const world = createLabWorld({
      provider: 'aws', host, ingressAddress: address, tls: { certPem: leaf ?? '', chainPem: chain.join(''), keyPem: readFileSync(pki.keyFile, 'utf8') }, faults: [],
      // Nothing listens there: the stand-in's health checks fail fast, which this test does not read.
      backends: { milvus: '127.0.0.1:9', healthz: '127.0.0.1:9' },
    });
    const second = 'arn:aws:acm:us-east-2:123456789012:certificate/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
    annotations(find(world, 'Ingress', world.ids.ingress))['alb.ingress.kubernetes.io/certificate-arn'] = `${world.ids.certificateArn}, ${second}`;
    const api = await serveAwsApi(world);
    try {
      const ctx = {
        options: awsOptions({ host, address, aws: { region: api.region, profile: null, minIdleTimeoutSec: null, endpoint: api.url, staticCredentials: LAB_AWS_CREDENTIALS } }),
        signal: new AbortController().signal,
        timeoutMs: 5000,
      };
      const lb = await readLoadBalancer(ctx, { ...selectionFromFlags({ host, address, provider: 'aws', k8s: null }), address, addressFrom: 'flag' }, null);
      const { listeners } = await readListeners(ctx, lb);
      expect(listeners.find((l) => l.protocol === 'HTTPS')?.certificateArns).toEqual([world.ids.certificateArn, second]);
      expect(api.calls).toContain('elasticloadbalancing:DescribeListenerCertificates');
    } finally {
      await api.stop();
    }
  }, 60_000);
});
