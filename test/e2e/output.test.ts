// What a user meets before and after a run, through the real CLI: input that holds no Kubernetes
// objects, report paths (stdout, missing parents, directories, unwritable), replays, and plain output
// that is quiet and the same from one run to the next.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import type { Report } from '../../src/model.js';
import { REPO, runCli, type CliRun } from './cli.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('l7doctor-output-');
const file = (name: string, content: string | Buffer): string => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
};

function expectOneLine(run: CliRun, mentions: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^milvus-l7-doctor: /);
  expect(lines[0]).toMatch(mentions);
}

// A run that needs no server: nothing listens on port 1, so tcp.connect fails at once (exit 1).
const REFUSED = ['--host', 'milvus.example.com', '--address', '127.0.0.1', '--port', '1', '--only', 'tcp'];

describe('--manifests with no Kubernetes objects in it', () => {
  const randomBytes = file('random.yaml', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 256)));
  const empty = file('empty.yaml', '');
  const noObjects = file('no-objects/a.yaml', '# only a comment\n');
  const template = file('chart/templates/service.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n');
  const templateValue = file('chart/templates/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: milvus\nspec:\n  replicas: {{ .Values.replicas }}\n');
  const cases = [
    { name: 'a package-lock.json', path: path.join(REPO, 'package-lock.json'), mentions: /^milvus-l7-doctor: no Kubernetes objects in .*package-lock\.json$/ },
    { name: 'random bytes', path: randomBytes, mentions: /no Kubernetes objects in .*random\.yaml/ },
    { name: 'an empty file', path: empty, mentions: /no Kubernetes objects in .*empty\.yaml$/ },
    { name: 'a directory of comments', path: path.dirname(noObjects), mentions: /no Kubernetes objects in .*no-objects$/ },
    { name: 'a chart template (a name)', path: template, mentions: /service\.yaml:4: unrendered template text \{\{ \.Values\.name \}\}/ },
    { name: 'a chart template (a value)', path: templateValue, mentions: /deploy\.yaml:6: unrendered template text \{\{ \.Values\.replicas \}\}/ },
  ];
  test.each(cases)('$name → exit 2, one line naming it, no library warning', async ({ path: p, mentions }) => {
    const run = await runCli(['--manifests', p, '--output', 'plain']);
    expectOneLine(run, mentions);
    expect(run.stderr).not.toMatch(/Warning|trace-warnings/);
  });

  test('a rendered ConfigMap that holds template text as data is fine', async () => {
    const cm = file('rendered/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\ndata:\n  rule: |\n    summary: "{{ $labels.instance }}"\n');
    const run = await runCli(['--manifests', cm, '--output', 'json', '--only', 'k8s']);
    expect(run.stderr).not.toMatch(/unrendered|no Kubernetes objects/);
    expect([0, 1]).toContain(run.code);
  });
});

describe('report paths', () => {
  test('--json - puts the JSON report on stdout and the readable output on stderr', async () => {
    const run = await runCli([...REFUSED, '--json', '-']);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.checks.map((c) => c.id)).toEqual(['tcp.connect']);
    expect(run.stderr).toMatch(/^FAIL    tcp\.connect/m);
  });

  test('--junit - puts the JUnit XML on stdout', async () => {
    const run = await runCli([...REFUSED, '--junit', '-']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^<\?xml[^]*<testcase [^>]*name="tcp\.connect"[^]*<\/testsuites>\n$/);
  });

  test('missing parent directories are created', async () => {
    const json = path.join(dir, 'ci', 'reports', 'doctor.json');
    const junit = path.join(dir, 'ci', 'junit', 'deep', 'doctor.xml');
    const run = await runCli([...REFUSED, '--json', json, '--junit', junit, '--output', 'plain']);
    expect(run.code, run.stderr).toBe(1);
    expect((JSON.parse(readFileSync(json, 'utf8')) as Report).summary.fail).toBe(1);
    expect(readFileSync(junit, 'utf8')).toContain('tcp.connect');
  });

  test.each([
    { name: 'a directory as --junit', args: ['--junit', dir], mentions: /--junit .*: is a directory/ },
    { name: 'a directory as --json', args: ['--json', dir], mentions: /--json .*: is a directory/ },
    { name: 'a file as a parent directory', args: ['--junit', path.join(REPO, 'package.json', 'junit.xml')], mentions: /package\.json is not a directory/ },
    { name: 'both reports on stdout', args: ['--json', '-', '--junit', '-'], mentions: /only one report can go to stdout/ },
  ])('$name → exit 2 before the run', async ({ args, mentions }) => {
    const run = await runCli([...REFUSED, ...args]);
    expectOneLine(run, mentions);
  });

  test('the lab checks report paths before it starts', async () => {
    const run = await runCli(['lab', '--junit', dir]);
    expectOneLine(run, /--junit .*: is a directory/);
    expect(run.stderr).not.toMatch(/^lab: /m);
  });
});

describe('--from-snapshot', () => {
  const snapshot = path.join(dir, 'facts.json');
  beforeAll(async () => {
    const run = await runCli([...REFUSED, '--snapshot', snapshot, '--output', 'json']);
    expect(run.code, run.stderr).toBe(1);
  });

  test('the header says it is a replay and when the facts were gathered', async () => {
    const run = await runCli(['--from-snapshot', snapshot, '--output', 'plain']);
    expect(run.code, run.stderr).toBe(1);
    const facts = JSON.parse(readFileSync(snapshot, 'utf8')) as { gatheredAt: string };
    expect(run.stdout.split('\n')[0]).toBe(
      `milvus-l7-doctor: replaying ${snapshot} (facts gathered ${facts.gatheredAt}, not now): host=milvus.example.com address=127.0.0.1 port=1 serverName=milvus.example.com provider=unknown credentials=none (89 checks)`,
    );
  });

  test('the JSON report of a replay names the snapshot and when its facts were gathered', async () => {
    const run = await runCli(['--from-snapshot', snapshot, '--output', 'json']);
    const facts = JSON.parse(readFileSync(snapshot, 'utf8')) as { gatheredAt: string };
    expect((JSON.parse(run.stdout) as Report).target).toMatchObject({ replayOf: snapshot, factsGatheredAt: facts.gatheredAt });
  });

  test.each([
    { args: ['--host', 'other.example.com'], mentions: /--host cannot apply/ },
    { args: ['--timeout', '1s', '--smoke'], mentions: /--timeout, --smoke cannot apply/ },
    { args: ['--kubeconfig', '/nonexistent'], mentions: /--kubeconfig cannot apply/ },
  ])('refuses $args in one line', async ({ args, mentions }) => {
    const run = await runCli(['--from-snapshot', snapshot, ...args]);
    expectOneLine(run, mentions);
  });

  test('a gather option from a variable is named with the variable', async () => {
    const run = await runCli(['--from-snapshot', snapshot], { env: { MILVUS_L7_DOCTOR_TIMEOUT: '2s' } });
    expectOneLine(run, /--timeout \(from MILVUS_L7_DOCTOR_TIMEOUT\) cannot apply/);
  });

  test('a garbage snapshot is one line, without its bytes', async () => {
    const garbage = file('garbage.json', Buffer.concat([Buffer.from('\u001b[31mEVIL-PAYLOAD'), Buffer.from([0, 255, 254, 10])]));
    const run = await runCli(['--from-snapshot', garbage]);
    expectOneLine(run, /garbage\.json: not JSON/);
    expect(run.stderr).not.toContain('EVIL');
    expect(run.stderr).not.toContain('\u001b');
  });
});

describe('plain output against one deployment', () => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ kubernetes: false });
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });
  const args = () => ['--host', lab.host, '--address', '127.0.0.1', '--port', String(lab.port), '--ca', lab.caFile, '--dns-server', lab.dnsServer, '--healthz-url', lab.healthzUrl, '--output', 'plain'];
  const env = () => ({ MILVUS_TOKEN: lab.credentials?.token ?? '', AWS_EC2_METADATA_DISABLED: 'true' });
  // Timings are the only thing allowed to differ between two runs.
  const masked = (text: string) => text.replace(/\b\d+(\.\d+)? (ms|s|min)\b/g, 'T');

  test('two healthy runs print the same bytes apart from timings; no gather lines; not-applicable checks folded', async () => {
    const first = await runCli(args(), { env: env() });
    const second = await runCli(args(), { env: env() });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(second.code).toBe(0);
    expect(masked(second.stdout)).toBe(masked(first.stdout));
    expect(first.stdout).not.toMatch(/^gather /m);
    expect(first.stdout).toMatch(/^SKIP    \d+ checks not applicable \(aws: \d+\): not an AWS deployment/m);
    expect(first.stdout).not.toMatch(/^SKIP    gcp\./m);
  });

  test('-v adds the gather steps and what passing checks observed; -q prints only the summary when all is well', async () => {
    const verbose = await runCli([...args(), '-v'], { env: env() });
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toMatch(/^gather ok +tls /m);
    expect(verbose.stdout).toMatch(/^PASS    tls\.protocol .*\n {8}observed: /m);
    // The time beside a check is its facts' (the SDK's connect and call), not the judging (0 ms).
    expect(verbose.stdout).toMatch(/^PASS    grpc\.sdk-version .*\((?!0 ms)[\d.]+ (ms|s)\)$/m);
    const quiet = await runCli([...args(), '-q'], { env: env() });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(/^summary: /), 'look first: nothing; every check that ran passed']);
  });
});

describe('lab --fault a,b', () => {
  test('works like --fault a --fault b', async () => {
    const run = await runCli(['lab', '--fault', 'expired-cert,name-mismatch', '--output', 'json', '--only', 'tls']);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.target.faults).toEqual(['expired-cert', 'name-mismatch']);
  });

  test('an unknown name in the list is named', async () => {
    const run = await runCli(['lab', '--fault', 'expired-cert,nosuch']);
    expectOneLine(run, /unknown fault "nosuch"/);
  });
});
