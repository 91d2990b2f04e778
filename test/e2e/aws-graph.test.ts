// The AWS SDK is loaded only by runs whose checks read AWS, proven by the modules a real CLI run loads: a
// lab run without those checks loads none of the three clients; an AWS-only run loads ELBv2 and ACM (the
// control), and EC2 only when a target timed out (the security groups it explains). http2.grpc names the
// ALB's state behind a 464/502/503 only when the AWS checks gathered it: it never makes an AWS call itself.
// The SDK's Node 20 warning never reaches the terminal.
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../../src/catalog.js';
import { parseReport } from './cli.js';
import { recordModules } from '../kits/module-recorder.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('l7doctor-aws-graph-');

const MARKERS = {
  elbv2: /@aws-sdk\/client-elastic-load-balancing-v2\//,
  acm: /@aws-sdk\/client-acm\//,
  ec2: /@aws-sdk\/client-ec2\//,
} as const;

function loaded(modules: readonly string[]): Record<keyof typeof MARKERS, boolean> {
  return Object.fromEntries(Object.entries(MARKERS).map(([k, re]) => [k, modules.some((m) => re.test(m))])) as Record<keyof typeof MARKERS, boolean>;
}

const NODE_WARNING = /NodeVersion|no longer support|AWS SDK for JavaScript/i;

/** The checks that read the AWS APIs, by their real ids: what a run must leave out to load no AWS client. */
const AWS_READING_CHECKS = CATALOG.filter((c) => c.needs.some((n) => n.startsWith('aws.'))).map((c) => c.id);

describe('the AWS SDK is loaded only when an AWS check needs it', () => {
  test('lab without the checks that read AWS: every other check runs; no AWS client is loaded', async () => {
    expect(AWS_READING_CHECKS).toEqual(expect.arrayContaining(['aws.lb.state']));
    expect(AWS_READING_CHECKS).not.toContain('http2.grpc');
    const run = await recordModules(dir, ['lab', '--skip', AWS_READING_CHECKS.join(','), '--output', 'json'], {}, 120_000);
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run);
    expect(report.checks.filter((c) => AWS_READING_CHECKS.includes(c.id))).toEqual([]);
    // The ALB's Kubernetes side is still judged (its annotations), and the data path too.
    expect(report.checks.filter((c) => c.verdict === 'pass').map((c) => c.id)).toEqual(expect.arrayContaining(['aws.ingress.backend-protocol-version', 'http2.authority']));
    expect(loaded(run.modules)).toEqual({ elbv2: false, acm: false, ec2: false });
  });

  test('lab --skip aws keeps http2.grpc, which then reads nothing from AWS: no AWS client is loaded', async () => {
    const run = await recordModules(dir, ['lab', '--skip', 'aws', '--output', 'json'], {}, 120_000);
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run);
    expect(report.checks.some((c) => c.area === 'aws')).toBe(false);
    expect(report.checks.find((c) => c.id === 'http2.grpc')?.verdict).toBe('pass');
    expect(loaded(run.modules)).toEqual({ elbv2: false, acm: false, ec2: false });
    expect(run.stderr).not.toMatch(NODE_WARNING);
  });

  test('the control: lab --only aws loads ELBv2 and ACM (not EC2: no target timed out), silently', async () => {
    const run = await recordModules(dir, ['lab', '--only', 'aws', '--output', 'json'], {}, 120_000);
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run);
    expect(report.checks.map((c) => c.id).sort()).toEqual(CATALOG.filter((c) => c.area === 'aws').map((c) => c.id).sort());
    expect(report.checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.verdict}`)).toEqual([]);
    expect(loaded(run.modules)).toEqual({ elbv2: true, acm: true, ec2: false });
    expect(run.stderr).not.toMatch(NODE_WARNING);
  });

  test('a timed-out target loads EC2 for the security groups that explain it', async () => {
    const run = await recordModules(dir, ['lab', '--only', 'aws.targets.healthy', '--fault', 'target-timeout', '--output', 'json'], {}, 120_000);
    expect(run.code, run.stderr).toBe(1);
    expect(loaded(run.modules).ec2).toBe(true);
    expect(run.stderr).not.toMatch(NODE_WARNING);
  });
});
