// provision's command line without a cluster: every bad input is one line on stderr and exit 2, before
// anything is read or written (flags, certificate files, names), never a stack trace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { createLabPki } from '../../src/lab/pki.js';
import { generateSelfSigned } from '../../src/provision/certs.js';
import { tempDir } from '../tmp.js';
import { runCli } from './cli.js';

const HOST = 'my-release.milvus.io';
const dir = tempDir('l7-provision-cli-');
const file = (name: string) => join(dir, name);
/** Where the lab PKI wrote its certificates (known once beforeAll ran). */
const lab = { cnCrt: '', cnKey: '', otherCrt: '', otherKey: '' };

beforeAll(async () => {
  const [a, b] = await Promise.all([generateSelfSigned(HOST), generateSelfSigned(HOST)]);
  writeFileSync(file('a.crt'), a.certPem);
  writeFileSync(file('a.key'), a.keyPem);
  writeFileSync(file('b.key'), b.keyPem);
  writeFileSync(file('b-ca.crt'), b.caPem ?? '');
  writeFileSync(file('garbage.key'), 'not a key\n');
  const cnOnly = await createLabPki(join(dir, 'cn'), { host: HOST, leaf: { name: HOST, cnOnly: true } });
  const other = await createLabPki(join(dir, 'other'), { host: 'other.milvus.io', leaf: { name: 'other.milvus.io' } });
  lab.cnCrt = cnOnly.fullchainFile;
  lab.cnKey = cnOnly.keyFile;
  lab.otherCrt = other.fullchainFile;
  lab.otherKey = other.keyFile;
  writeFileSync(file('kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t}}]\n');
}, 60_000);

const gcp = ['provision', '--provider', 'gcp', '-n', 'default', '--release', 'my-release', '--host', HOST];
const files = (cert: string, key: string) => ['--cert-file', file(cert), '--key-file', file(key)];

describe('provision: bad input is one line and exit 2', () => {
  const CASES: [string, () => string[], RegExp][] = [
    ['no provider', () => ['provision', '--release', 'r', '--host', HOST], /--provider aws\|gcp is required/],
    ['an unknown provider', () => ['provision', '--provider', 'azure', '--release', 'r', '--host', HOST], /--provider "azure": expected one of aws, gcp/],
    ['GCP without a certificate', () => gcp, /--provider gcp needs a certificate/],
    ['a certificate file that is not there', () => [...gcp, ...files('nope.crt', 'a.key')], /--cert-file .*nope\.crt: cannot read the file \(ENOENT\)/],
    ['a key that does not match the certificate', () => [...gcp, ...files('a.crt', 'b.key')], /--key-file .*b\.key: the key does not match the certificate/],
    ['a key file that is not a key', () => [...gcp, ...files('a.crt', 'garbage.key')], /--key-file .*garbage\.key: not a PEM private key/],
    ['a chain that does not complete the leaf', () => [...gcp, ...files('a.crt', 'a.key'), '--chain-file', file('b-ca.crt')], /--chain-file .*b-ca\.crt: does not complete the chain/],
    ['a certificate without the host in its SAN (the guide\'s openssl CN-only kind)', () => [...gcp, '--cert-file', lab.cnCrt, '--key-file', lab.cnKey], /does not name my-release\.milvus\.io in its subjectAltName \(no SAN: the name is only in the CN\); gRPC clients refuse it/],
    ['a certificate for another host', () => [...gcp, '--cert-file', lab.otherCrt, '--key-file', lab.otherKey], /does not name my-release\.milvus\.io in its subjectAltName \(other\.milvus\.io\)/],
    ['--cert and --cert-file together', () => [...gcp, '--cert', 'self-signed', ...files('a.crt', 'a.key')], /exclude each other/],
    ['an unknown output', () => [...gcp, '--cert', 'self-signed', '-o', 'xml'], /-o\/--output "xml": expected one of text, json, yaml/],
    ['--include-secrets outside -o yaml', () => [...gcp, '--cert', 'self-signed', '--include-secrets'], /--include-secrets is only for -o yaml/],
    ['--wait without --apply', () => [...gcp, '--cert', 'self-signed', '--wait', '5m'], /--wait follows an apply: add --apply/],
    ['a bad duration', () => [...gcp, '--cert', 'self-signed', '--timeout', 'banana'], /--timeout "banana": not a duration/],
    ['an address for the host', () => ['provision', '--provider', 'gcp', '--release', 'r', '--host', '34.111.144.65', '--cert', 'self-signed'], /--host 34\.111\.144\.65: an Ingress rule takes a DNS name/],
    ['a release Helm would refuse', () => ['provision', '--provider', 'gcp', '--release', 'My_Release', '--host', HOST, '--cert', 'self-signed'], /--release "My_Release" is not a Helm release name/],
    ['a ManagedCertificate on AWS', () => ['provision', '--provider', 'aws', '--release', 'r', '--host', HOST, '--cert', 'managed', '--aws-region', 'us-east-2'], /--cert managed is for --provider gcp, not aws/],
    ['--scheme on GCP', () => [...gcp, '--cert', 'self-signed', '--scheme', 'internal'], /--scheme is for --provider aws, not gcp/],
    ['a certificate id for an ARN', () => ['provision', '--provider', 'aws', '--release', 'r', '--host', HOST, '--certificate-arn', '6f1e2d3c'], /--certificate-arn "6f1e2d3c": not an ACM certificate ARN/],
    ['AWS without a region', () => ['provision', '--provider', 'aws', '--release', 'r', '--host', HOST], /needs the ALB's region for ACM/],
    ['a kubeconfig that is not there', () => [...gcp, '--cert', 'self-signed', '--kubeconfig', file('missing-kubeconfig')], /--kubeconfig .*missing-kubeconfig: no such file/],
  ];
  // Each case is its own CLI process with no network to wait on; vitest runs a few at a time (maxConcurrency).
  test.concurrent.each(CASES)('%s', async (_what, args, message) => {
    const run = await runCli(args(), { env: { AWS_REGION: '', AWS_DEFAULT_REGION: '', KUBECONFIG: file('kubeconfig') }, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^milvus-l7-doctor: [^\n]+\n$/);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe('provision: a cluster or AWS that cannot be read is exit 3, one line naming the call', () => {
  test.each<[string, () => string[], NodeJS.ProcessEnv, RegExp]>([
    ['the API server refuses connections', () => [...gcp, '--cert', 'managed', '--kubeconfig', file('kubeconfig'), '--timeout', '5s'], {}, /^milvus-l7-doctor: get \w+\/default\/\S+: cannot reach the API server https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\) \(PROVISION_FAILED\)\n$/],
  ])('%s', async (_what, args, env, line) => {
    const run = await runCli(args(), { env: { KUBECONFIG: '', ...env }, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(line);
  }, 120_000);
});
