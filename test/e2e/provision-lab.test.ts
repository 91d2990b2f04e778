// The whole provisioning loop, as a user runs it: `lab --provider X --bare --keep` (Milvus behind an L4
// LoadBalancer Service, nothing of the guide), the provision line it prints, the plan (exit 1, the missing
// steps), `provision --apply --wait 3m` (helm through the lab's stand-in, the ACM import, server-side apply,
// the lab's controllers building the load balancer, the full check: exit 0), and the plan again (exit 0,
// nothing pending). Variants: a piece already there (its step done), a piece wrong (fixed by apply), a
// conflict (another field manager owns a field provision sets: blocked, naming both; --force-conflicts
// takes it over). The lab's conflicts follow its managedFields record; the apiserver's own semantics are
// proven against a real kube-apiserver (test/e2e/real-kube.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import type { Report } from '../../src/model.js';
import { BIN, REPO, runCli, runNode, type CliRun } from './cli.js';
import { tempDir } from '../tmp.js';
import { applyAsKubectl } from '../kits/lab-api.js';

const START_MS = 120_000;
const RUN_MS = 240_000;

interface KeptLab {
  readonly child: ChildProcess;
  readonly dir: string;
  /** provision's arguments, as printed. */
  readonly args: readonly string[];
  /** The env file's variables, $PATH expanded. */
  readonly env: NodeJS.ProcessEnv;
  readonly kubeconfig: string;
  stderr(): string;
}

const running = new Set<KeptLab>();

/** Starts `lab --bare --keep` and reads the line it prints: `. ENV && milvus-l7-doctor provision ARGS`. */
async function startBareLab(provider: 'aws' | 'gcp', extra: readonly string[] = []): Promise<KeptLab> {
  const child = spawn(process.execPath, [BIN, 'lab', '--provider', provider, '--bare', '--keep', ...extra], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout?.resume();
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab --bare printed no provision line within ${START_MS} ms:\n${stderr}`)), START_MS);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /^lab: {3}(\. .+ && milvus-l7-doctor provision .+)$/m.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lab --bare exited ${code}:\n${stderr}`));
    });
  });
  const [, envFile, rest] = /^\. (\S+) && milvus-l7-doctor provision (.+)$/.exec(line) ?? [];
  const env: NodeJS.ProcessEnv = {};
  for (const l of readFileSync(envFile, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(l);
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace('$PATH', process.env.PATH ?? '');
  }
  const args = rest.split(' ');
  const lab: KeptLab = { child, dir: envFile.replace(/\/provision\.env$/, ''), args, env, kubeconfig: args[args.indexOf('--kubeconfig') + 1], stderr: () => stderr };
  running.add(lab);
  return lab;
}

function withArgs(lab: KeptLab, certificate: 'files' | 'managed'): KeptLab {
  return { ...lab, args: withCertificate(lab.args, certificate) };
}

/** Ctrl-C by PID, as a user stops it: the lab tears down and removes its directory. */
async function stopLab(lab: KeptLab): Promise<void> {
  running.delete(lab);
  if (lab.child.exitCode === null && lab.child.signalCode === null) {
    const exited = new Promise((r) => lab.child.once('exit', r));
    lab.child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (lab.child.exitCode === null && lab.child.signalCode === null) lab.child.kill('SIGKILL');
  }
}

afterEach(async () => {
  for (const lab of [...running]) await stopLab(lab);
});

function provision(lab: KeptLab, extra: readonly string[], cwd: string): Promise<CliRun> {
  return runCli(['provision', ...lab.args, '--out-dir', cwd, ...extra], { env: lab.env, timeoutMs: RUN_MS });
}

interface PlanJson {
  readonly provider: string;
  readonly steps: readonly { readonly id: string; readonly state: 'done' | 'missing' | 'wrong' | 'blocked' }[];
}

function planOf(run: CliRun): PlanJson {
  try {
    return JSON.parse(run.stdout) as PlanJson;
  } catch {
    throw new Error(`provision -o json printed no plan (exit ${run.code}):\n${run.stdout.slice(0, 1500)}\n${run.stderr.slice(0, 1500)}`);
  }
}

const states = (p: PlanJson) => Object.fromEntries(p.steps.map((s) => [s.id, s.state]));

/** Server-side apply through the lab's API as another client would (kubectl's field manager). */
function applyAs(lab: KeptLab, path: string, object: Record<string, unknown>): Promise<number> {
  return applyAsKubectl(lab.kubeconfig, path, object);
}

/** The whole check after --wait, from the JSON report provision's --json wrote: nothing failed, blocked or errored. */
function expectGreen(reportFile: string, run: CliRun): void {
  expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  const bad = report.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'blocked' || c.verdict === 'error');
  expect(bad.map((c) => `${c.id}: ${c.verdict} ${c.observed ?? ''}`)).toEqual([]);
  // Nothing warns either: provision's Ingress names a TLS 1.2+ policy, which the guide's does not.
  expect(report.checks.filter((c) => c.verdict === 'warn').map((c) => c.id)).toEqual([]);
  expect(report.summary.pass).toBeGreaterThan(50);
}

/** The printed line as is (the lab PKI's files), or with a Google-managed certificate instead of them. */
function withCertificate(args: readonly string[], certificate: 'files' | 'managed'): string[] {
  if (certificate === 'files') return [...args];
  const files = new Set(['--cert-file', '--key-file', '--chain-file']);
  return [...args.filter((a, i) => !files.has(a) && !files.has(args[i - 1] ?? '')), '--cert', 'managed'];
}

const LOOP: readonly { provider: 'aws' | 'gcp'; certificate: 'files' | 'managed'; pending: readonly string[]; waited: RegExp }[] = [
  { provider: 'aws', certificate: 'files', pending: ['service', 'certificate', 'ingress'], waited: /wait: ready {3}the ACM certificate ISSUED/ },
  { provider: 'gcp', certificate: 'files', pending: ['milvus-tls', 'certificate', 'backendconfig', 'service', 'ingress'], waited: /wait: ready {3}the NEG backends HEALTHY/ },
  // Provisioning → Active while provision waits (the lab's DNS points at the Ingress IP).
  // Milvus's own serving certificate too: the managed one is the load balancer's alone.
  { provider: 'gcp', certificate: 'managed', pending: ['milvus-tls', 'certificate', 'backend-certificate', 'backendconfig', 'service', 'ingress'], waited: /wait: ready {3}the certificate \(a ManagedCertificate Active per domain\): milvus-demo-tls: Active/ },
];

describe.each(LOOP)('provision against lab --provider $provider --bare, certificate: $certificate', ({ provider, certificate, pending, waited }) => {
  test('plan (exit 1, the missing steps) → --apply --wait 3m (exit 0, the check green) → plan (exit 0, nothing pending); Ctrl-C leaves nothing', { timeout: 600_000 }, async () => {
    const lab = withArgs(await startBareLab(provider), certificate);
    const cwd = tempDir('provision-lab-');
    const plan = await provision(lab, ['-o', 'json'], cwd);
    expect(plan.code, plan.stderr).toBe(1);
    const first = states(planOf(plan));
    expect(Object.keys(first).sort()).toEqual([...pending].sort());
    expect(Object.values(first).every((s) => s === 'missing' || s === 'wrong')).toBe(true);
    // No secret in the plan: the lab's key never shows.
    expect(plan.stdout).not.toContain('PRIVATE KEY');

    const report = `${cwd}/report.json`;
    const applied = await provision(lab, ['--apply', '--wait', '3m', '--json', report], cwd);
    expectGreen(report, applied);
    expect(applied.stderr).toMatch(/wait: ready {3}the Ingress address/);
    expect(applied.stderr).toMatch(waited);
    expect(applied.stderr).toContain('helm upgrade');

    const again = await provision(lab, ['-o', 'json'], cwd);
    expect(again.code, again.stderr).toBe(0);
    expect(Object.values(states(planOf(again))).every((s) => s === 'done')).toBe(true);
    // The token and the cloud credentials are in the env file only, 0600.
    expect(statSync(`${lab.dir}/provision.env`).mode & 0o777).toBe(0o600);

    // --remove deletes what provision created, the ACM import too: ACM refuses it while the ALB's listener
    // uses it, until the lab's controller deletes the ALB a reconcile after the Ingress is gone.
    const remove = (extra: readonly string[]) => runCli(['provision', ...lab.args.filter((a) => a !== '--helm'), '--out-dir', cwd, '--remove', ...extra], { env: lab.env, timeoutMs: RUN_MS });
    const listed = planOf(await remove(['-o', 'json']));
    expect(listed.steps.map((st) => st.id).join(' ')).toMatch(/remove Ingress\/milvus-demo/);
    if (provider === 'aws') expect(listed.steps.map((st) => st.id).join(' ')).toMatch(/remove acm arn:aws:acm:/);
    const removed = await remove(['--apply', '--wait', '1m']);
    expect(removed.code, removed.stderr).toBe(0);
    const left = planOf(await remove(['-o', 'json']));
    expect(left.steps.map((st) => `${st.id} ${st.state}`)).toEqual(['remove done']);

    await stopLab(lab);
    expect(existsSync(lab.dir)).toBe(false);
    expect(lab.stderr()).not.toContain(lab.env.MILVUS_TOKEN ?? 'no token');
  });
});

const PIECES: readonly {
  name: string;
  provider: 'aws' | 'gcp';
  path: string;
  object: Record<string, unknown>;
  step: string;
  before: 'done' | 'wrong';
}[] = [
  {
    name: 'a piece already there: the BackendConfig created before is done',
    provider: 'gcp',
    path: '/apis/cloud.google.com/v1/namespaces/milvus/backendconfigs/milvus-demo-backendconfig',
    object: { apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: { name: 'milvus-demo-backendconfig', namespace: 'milvus' }, spec: { timeoutSec: 600, healthCheck: { type: 'HTTP', port: 9091, requestPath: '/healthz', checkIntervalSec: 15, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 2 } } },
    step: 'backendconfig',
    before: 'done',
  },
  {
    name: 'a piece wrong: an Ingress without the GRPC annotation is wrong, and apply fixes it',
    provider: 'aws',
    path: '/apis/networking.k8s.io/v1/namespaces/milvus/ingresses/milvus-demo',
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'milvus-demo', namespace: 'milvus', annotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing', 'alb.ingress.kubernetes.io/target-type': 'ip' } },
      spec: { ingressClassName: 'alb', rules: [{ host: 'milvus.l7-lab.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'milvus-demo', port: { number: 19530 } } } }] } }] },
    },
    step: 'ingress',
    before: 'wrong',
  },
];

describe.each(PIECES)('provision against lab --bare: $name', ({ provider, path, object, step, before }) => {
  test('the plan names its state, --apply --wait ends green, the plan is then empty', { timeout: 600_000 }, async () => {
    const lab = await startBareLab(provider);
    const cwd = tempDir('provision-lab-');
    expect(await applyAs(lab, path, object)).toBeLessThan(300);
    const plan = await provision(lab, ['-o', 'json'], cwd);
    expect(plan.code, plan.stderr).toBe(1);
    expect(states(planOf(plan))[step]).toBe(before);

    const report = `${cwd}/report.json`;
    expectGreen(report, await provision(lab, ['--apply', '--wait', '3m', '--json', report], cwd));
    const again = await provision(lab, ['-o', 'json'], cwd);
    expect(again.code, again.stderr).toBe(0);
    expect(states(planOf(again))[step]).toBe('done');
  });
});

/** provision's printed flags as the check's options (what provision hands the wait). */
function checkOptions(lab: KeptLab): Record<string, string> {
  const keys: Record<string, string> = {
    '--kubeconfig': 'kubeconfig', '-n': 'namespace', '--release': 'release', '--host': 'host', '--ca': 'ca', '--dns-server': 'dnsServer',
    '--healthz-url': 'healthzUrl', '--port': 'port', '--aws-region': 'awsRegion', '--gcp-endpoint': 'gcpEndpoint', '--gcp-project': 'gcpProject',
  };
  const out: Record<string, string> = {};
  lab.args.forEach((a, i) => {
    if (keys[a]) out[keys[a]] = lab.args[i + 1];
  });
  return out;
}

/** The wait phase alone, in a process of its own with real stdout/stderr, as provision calls it after an apply. */
function runWait(lab: KeptLab, provider: 'aws' | 'gcp'): Promise<CliRun> {
  const dist = (f: string) => JSON.stringify(pathToFileURL(`${REPO}/dist/src/${f}`).href);
  const script = `
    const [{ waitAndCheck }, { resolveRunConfig }, { runCheck }] = await Promise.all([import(${dist('provision/wait.js')}), import(${dist('cli/config.js')}), import(${dist('cli/run-check.js')})]);
    const o = JSON.parse(process.env.WAIT_OPTIONS);
    const config = resolveRunConfig({ ...o, output: 'plain' }, process.env, false);
    const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
    process.exitCode = await waitAndCheck({ provider: ${JSON.stringify(provider)}, namespace: o.namespace, ingress: 'milvus-demo', host: o.host, deadlineMs: 150000, config, runCheck }, io, new AbortController().signal);`;
  return runNode(['--input-type=module', '-e', script], { env: { ...lab.env, WAIT_OPTIONS: JSON.stringify(checkOptions(lab)) }, timeoutMs: RUN_MS });
}

const INGRESS_PATH = '/apis/networking.k8s.io/v1/namespaces/milvus/ingresses/milvus-demo';
const rule = { host: 'milvus.l7-lab.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'milvus-demo', port: { number: 19530 } } } }] } };

const FAIL_FAST: readonly {
  name: string;
  provider: 'aws' | 'gcp';
  objects: readonly (readonly [string, Record<string, unknown>])[];
  stops: RegExp;
}[] = [
  {
    name: 'FailedDeployModel: the Ingress names a certificate ARN ACM does not have',
    provider: 'aws',
    objects: [
      [
        INGRESS_PATH,
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: 'milvus-demo',
            namespace: 'milvus',
            annotations: {
              'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC',
              'alb.ingress.kubernetes.io/target-type': 'ip',
              'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
              'alb.ingress.kubernetes.io/certificate-arn': 'arn:aws:acm:us-east-2:123456789012:certificate/00000000-0000-4000-8000-000000000000',
            },
          },
          spec: { ingressClassName: 'alb', rules: [rule] },
        },
      ],
    ],
    stops: /stopped waiting: Ingress event FailedDeployModel: .*CertificateNotFound/,
  },
  {
    name: 'Translate: a ClusterIP Service without NEG behind a GKE Ingress',
    provider: 'gcp',
    objects: [
      ['/api/v1/namespaces/milvus/services/milvus-demo', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'milvus-demo', namespace: 'milvus' }, spec: { type: 'ClusterIP' } }],
      [INGRESS_PATH, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'milvus-demo', namespace: 'milvus', annotations: { 'kubernetes.io/ingress.class': 'gce' } }, spec: { rules: [rule] } }],
    ],
    stops: /stopped waiting: Ingress event Translate: .*ClusterIP/,
  },
];

describe.each(FAIL_FAST)('provision --wait stops at once on a terminal state: $name', ({ provider, objects, stops }) => {
  test('exit 1 with the event and its fix, not the clock run out', { timeout: 600_000 }, async () => {
    const lab = await startBareLab(provider);
    for (const [path, object] of objects) expect(await applyAs(lab, path, object)).toBeLessThan(300);
    const run = await runWait(lab, provider);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(stops);
    expect(run.stderr).toMatch(/wait: {3}fix: .*describe ingress milvus-demo/);
    expect(run.stderr).not.toContain('--wait ran out');
    // It stopped before the check: no report was printed.
    expect(run.stdout).toBe('');
  });
});

describe('provision --cert managed while the host\'s DNS is not on the load balancer yet', () => {
  test('--wait stops at once on FailedNotVisible with the DNS fix, not the clock run out; the plan then has nothing left to apply', { timeout: 600_000 }, async () => {
    // The lab's DNS answers 127.0.0.2 for the host; the Ingress IP is 127.0.0.1: Google cannot validate it.
    const lab = withArgs(await startBareLab('gcp', ['--dns-answer', '127.0.0.2']), 'managed');
    const cwd = tempDir('provision-lab-');
    const started = Date.now();
    const applied = await provision(lab, ['--apply', '--wait', '3m'], cwd);
    expect(applied.code, applied.stderr).toBe(1);
    expect(applied.stderr).toMatch(/stopped waiting: ManagedCertificate .*FailedNotVisible/);
    expect(applied.stderr).toMatch(/wait: {3}fix: .*resolves to 127\.0\.0\.2, not to the Ingress IP 127\.0\.0\.1\b.*point the A record of milvus\.l7-lab\.test at 127\.0\.0\.1\b.*it will not turn Active until DNS does/);
    expect(applied.stderr).not.toContain('--wait ran out');
    // Well inside --wait 3m: the lab's certificate would have turned Active after 5 s with DNS right.
    expect(Date.now() - started).toBeLessThan(150_000);
    // What provision owns was applied; what is left is Google's (DNS), not a step of the plan.
    const again = await provision(lab, ['-o', 'json'], cwd);
    expect(Object.values(states(planOf(again))).every((st) => st === 'done'), again.stdout).toBe(true);
  });
});

describe('provision against lab --bare: a conflict', () => {
  test('kubectl owns the Ingress scheme: the plan is blocked naming the field and the manager, --force-conflicts takes it over and ends green', { timeout: 600_000 }, async () => {
    const lab = await startBareLab('aws');
    const cwd = tempDir('provision-lab-');
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'milvus-demo', namespace: 'milvus', annotations: { 'alb.ingress.kubernetes.io/scheme': 'internal' } },
      spec: { ingressClassName: 'alb', rules: [rule] },
    };
    expect(await applyAs(lab, INGRESS_PATH, ingress)).toBeLessThan(300);
    const plan = await provision(lab, ['-o', 'json'], cwd);
    expect(plan.code, plan.stderr).toBe(1);
    expect(states(planOf(plan)).ingress).toBe('blocked');
    expect(plan.stdout).toContain('kubectl');
    expect(plan.stdout).toContain('alb.ingress.kubernetes.io/scheme');

    const refused = await provision(lab, ['--apply', '--wait', '3m'], cwd);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).not.toContain('wait: ready');

    const report = `${cwd}/report.json`;
    expectGreen(report, await provision(lab, ['--apply', '--force-conflicts', '--wait', '3m', '--json', report], cwd));
    const again = await provision(lab, ['-o', 'json'], cwd);
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('lab --bare usage', () => {
  test.each([
    { args: ['lab', '--bare', '--fault', 'expired-cert'], says: 'lab --bare starts where the guides start and takes no --fault' },
    { args: ['lab', '--bare', '--provider', 'azure'], says: '--provider "azure": the lab serves aws or gcp' },
    { args: ['lab', '--bare', '--dns-answer', 'lb.example.com'], says: '--dns-answer "lb.example.com": not an IP address' },
  ])('$args: one line, exit 2', async ({ args, says }) => {
    const run = await runCli(args, { timeoutMs: 60_000 });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`milvus-l7-doctor: ${says}`);
  });
});
