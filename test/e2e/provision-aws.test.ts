// provision --provider aws: the ACM certificate against moto (the real @aws-sdk/client-acm through
// AWS_ENDPOINT_URL) and the Ingress against a real kube-apiserver. Import WITH the chain, reuse an ISSUED
// certificate that covers the host, never one of another region, --remove deletes only what it imported,
// and every ACM call is in the generated IAM policy.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACMClient, GetCertificateCommand, ImportCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLabPki } from '../../src/lab/pki.js';
import { reservePorts } from '../../src/lab/ports.js';
import { acmApi } from '../../src/provision/acm.js';
import { generateSelfSigned } from '../../src/provision/certs.js';
import { provisionIamActions } from '../../src/provision/permissions.js';
import { startMoto, type Moto } from '../kits/aws.js';
import { startRealKube, type RealKube } from '../kits/kube-apiserver.js';
import { tempDir } from '../tmp.js';
import { adminApi, applyAs, freshNamespace, milvusService, parsePlan, provisionCli, states } from './provision-kit.js';

const REGION = 'us-east-2';
const KEYS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const dir = tempDir('l7-provision-aws-');

// Each test runs the CLI several times; on two busy cores one run can take tens of seconds.
const TEST_MS = 600_000;

let kube: RealKube;
let moto: Moto;
let admin: KubernetesObjectApi;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [port] = await reservePorts(1);
  [kube, moto] = await Promise.all([startRealKube(), startMoto(port ?? 0)]);
  admin = adminApi(kube);
  env = { AWS_ENDPOINT_URL: moto.url, AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true' };
}, 240_000);

afterAll(async () => {
  await Promise.all([kube?.stop(), moto?.stop()]);
}, 60_000);

function acm(region: string): ACMClient {
  return new ACMClient({ region, endpoint: moto.url, credentials: KEYS });
}

/** A leaf for the host from an intermediate, as separate files (the leaf, the chain, the key). */
async function certFiles(host: string): Promise<{ cert: string; chain: string; key: string; leafPem: string; chainPem: string }> {
  const pki = await createLabPki(join(dir, host), { host, leaf: { name: host } });
  const [leafPem = '', ...chain] = readFileSync(pki.fullchainFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  const cert = join(dir, `${host}.crt`);
  const chainFile = join(dir, `${host}.chain.crt`);
  writeFileSync(cert, leafPem);
  writeFileSync(chainFile, chain.join(''));
  return { cert, chain: chainFile, key: pki.keyFile, leafPem, chainPem: chain.join('') };
}

async function bareAws(prefix: string): Promise<string> {
  const ns = await freshNamespace(admin, prefix);
  await applyAs(admin, milvusService(ns, 'milvus-demo'), 'installer');
  return ns;
}

const awsArgs = (ns: string, host: string, ...more: string[]) => ['--provider', 'aws', '-n', ns, '--release', 'milvus-demo', '--host', host, '--out-dir', dir, ...more];

async function ingressArn(ns: string): Promise<string | undefined> {
  const ing = await admin.read({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'milvus-demo', namespace: ns } });
  return ing.metadata?.annotations?.['alb.ingress.kubernetes.io/certificate-arn'];
}

describe('provision --provider aws: ACM (moto) and the Ingress (real API server)', () => {
  test('imports the given certificate WITH its chain, names it in the Ingress; the second plan finds the import and is empty', async () => {
    const host = 'import.milvus.io';
    const files = await certFiles(host);
    const ns = await bareAws('import');
    const args = awsArgs(ns, host, '--cert-file', files.cert, '--key-file', files.key, '--chain-file', files.chain);
    const plan = await provisionCli(kube, [...args, '-o', 'json'], env);
    expect(plan.code, plan.stderr).toBe(1);
    const p = parsePlan(plan);
    expect(states(p)).toEqual({ service: 'done', certificate: 'missing', ingress: 'missing' });
    expect(p.steps.find((s) => s.id === 'certificate')?.changes[0]).toMatchObject({ action: 'acm-import', diff: expect.arrayContaining(['+ certificateChain: 1 certificate', '+ privateKey: <redacted>']) });

    const applied = await provisionCli(kube, [...args, '--apply'], env);
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
    const arn = /imported the certificate for \S+ into ACM: (\S+)/.exec(applied.stderr)?.[1] ?? '';
    expect(arn).toMatch(new RegExp(`^arn:aws:acm:${REGION}:`));
    expect(await ingressArn(ns)).toBe(arn);
    const got = await acm(REGION).send(new GetCertificateCommand({ CertificateArn: arn }));
    expect(got.Certificate?.trim()).toBe(files.leafPem.trim());
    // The intermediate went with it (moto appends a root of its own after it).
    expect(got.CertificateChain).toContain(files.chainPem.trim().split('\n')[1]);

    const again = await provisionCli(kube, [...args, '-o', 'json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(parsePlan(again).steps.find((s) => s.id === 'certificate')?.observed).toContain(arn);
  }, TEST_MS);

  test('reuses an ISSUED certificate that covers the host; one in another region is not reused, and --certificate-arn of it is refused naming both regions', async () => {
    const host = 'reuse.milvus.io';
    const files = await certFiles(host);
    const importIn = async (region: string) =>
      (await acm(region).send(new ImportCertificateCommand({ Certificate: Buffer.from(files.leafPem), CertificateChain: Buffer.from(files.chainPem), PrivateKey: readFileSync(files.key) }))).CertificateArn ?? '';
    const west = await importIn('us-west-2');
    const ns = await bareAws('reuse');

    const elsewhere = await provisionCli(kube, [...awsArgs(ns, host), '-o', 'json'], env);
    expect(elsewhere.code).toBe(1);
    expect(parsePlan(elsewhere).steps.find((s) => s.id === 'certificate')).toMatchObject({ state: 'blocked', observed: `no ISSUED certificate covering ${host} in ${REGION}` });
    const named = await provisionCli(kube, [...awsArgs(ns, host, '--certificate-arn', west), '-o', 'json'], env);
    expect(parsePlan(named).steps.find((s) => s.id === 'certificate')).toMatchObject({ state: 'blocked', observed: `${west} is in us-west-2`, fix: expect.stringContaining(REGION) });

    const east = await importIn(REGION);
    const plan = await provisionCli(kube, [...awsArgs(ns, host), '-o', 'json'], env);
    expect(parsePlan(plan).steps.find((s) => s.id === 'certificate')).toMatchObject({ state: 'done', observed: expect.stringContaining(`reusing ${east}`) });
    const applied = await provisionCli(kube, [...awsArgs(ns, host), '--apply'], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).not.toMatch(/imported/);
    expect(await ingressArn(ns)).toBe(east);
  }, TEST_MS);

  test('--remove deletes the certificate provision imported (by its tags), not one the user imported', async () => {
    const host = 'remove.milvus.io';
    const ns = await bareAws('remove');
    const users = await certFiles(host);
    const theirs = (await acm(REGION).send(new ImportCertificateCommand({ Certificate: Buffer.from(users.leafPem), PrivateKey: readFileSync(users.key) }))).CertificateArn ?? '';
    const ours = await certFiles(`ours.${host}`);
    // The user's certificate does not cover ours.remove…: provision imports its own.
    const args = ['--provider', 'aws', '-n', ns, '--release', 'milvus-demo', '--host', `ours.${host}`, '--out-dir', dir];
    expect((await provisionCli(kube, [...args, '--cert-file', ours.cert, '--key-file', ours.key, '--chain-file', ours.chain, '--apply'], env)).code).toBe(0);
    const listed = parsePlan(await provisionCli(kube, [...args, '--remove', '-o', 'json'], env));
    const targets = listed.steps.flatMap((s) => s.changes.map((c) => `${c.action} ${c.target}`));
    expect(targets).toEqual([`delete Ingress/${ns}/milvus-demo`, expect.stringMatching(/^acm-delete arn:aws:acm:/)]);
    const removed = await provisionCli(kube, [...args, '--remove', '--apply'], env);
    expect(removed.code, removed.stderr).toBe(0);
    const left = (await acm(REGION).send(new ListCertificatesCommand({}))).CertificateSummaryList?.map((c) => c.CertificateArn) ?? [];
    expect(left).toContain(theirs);
    expect(left).not.toContain(targets[1]?.replace('acm-delete ', ''));
  }, TEST_MS);

  test('no AWS credentials: exit 3 within the deadline, one line naming the ACM call, never a wait on instance metadata', async () => {
    const ns = await bareAws('nocreds');
    const none = join(dir, 'no-such-aws-file');
    const run = await provisionCli(kube, awsArgs(ns, 'nocreds.milvus.io'), {
      ...env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_SHARED_CREDENTIALS_FILE: none, AWS_CONFIG_FILE: none, AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^milvus-l7-doctor: acm ListCertificates: no AWS credentials \(the SDK's chain: [^\n]+\) \(PROVISION_FAILED\)\n$/);
  }, TEST_MS);

  test('IAM replay: every ACM call provision makes (plan, import, remove) is in fixtures/iam/provision-policy.json', async () => {
    const made: string[] = [];
    const api = await acmApi({
      region: REGION,
      gather: { host: null, address: null, port: 443, serverName: null, caFile: null, ca: null, credentials: null, healthzUrl: null, dnsServer: null, provider: 'aws', timeoutMs: 10_000, latencySamples: 0, smoke: false, k8s: null, aws: { region: REGION, profile: null, minIdleTimeoutSec: null, endpoint: moto.url, staticCredentials: KEYS } },
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      onCall: (a) => made.push(a),
    });
    const host = 'replay.milvus.io';
    const arn = await api.importCertificate(await generateSelfSigned(host), host);
    expect((await api.listIssued()).map((c) => c.arn)).toContain(arn);
    expect(await api.describe(arn)).toMatchObject({ status: 'ISSUED', domains: [host] });
    expect(await api.listImported(host)).toEqual([arn]);
    await api.delete(arn);
    expect(await api.listImported(host)).toEqual([]);
    const allowed = new Set(provisionIamActions());
    expect([...new Set(made)].filter((a) => !allowed.has(a))).toEqual([]);
    expect(new Set(made)).toEqual(allowed);
  }, TEST_MS);
});
