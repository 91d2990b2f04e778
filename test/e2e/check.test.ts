// The `check` command as a user runs it against a deployment (the lab, started here): explicit
// flags, credentials from the environment, every output at once, snapshots, discovery, permissions.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import { AREAS } from '../../src/model.js';
import { REPO, parseReport, runCli, verdictsOf } from './cli.js';
import { tempDir } from '../tmp.js';

let lab: LabHandle;
let forbiddenLab: LabHandle;
const dir = tempDir('l7doctor-check-');

beforeAll(async () => {
  [lab, forbiddenLab] = await Promise.all([
    startLab({ provider: 'gcp' }),
    startLab({ provider: 'aws', forbidden: [{ verb: 'list', resource: 'endpointslices' }] }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([lab?.stop(), forbiddenLab?.stop()]);
});

function endpointArgs(l: LabHandle): string[] {
  return ['--host', l.host, '--address', l.address, '--port', String(l.port), '--ca', l.caFile, '--dns-server', l.dnsServer, '--healthz-url', l.healthzUrl];
}

function clusterArgs(l: LabHandle): string[] {
  const k = l.kubernetes;
  if (!k) throw new Error('the lab started no Kubernetes API');
  // The GKE flavour's Compute stand-in, as `lab` itself points the run at it.
  const gcp = l.gcp ? ['--gcp-endpoint', l.gcp.endpoint, '--gcp-project', l.gcp.project] : [];
  return ['--kubeconfig', k.kubeconfigPath, '-n', k.namespace, '--release', k.release, ...gcp];
}

/** The Milvus token, and the lab's Google token when it serves the Compute API. */
function labEnv(l: LabHandle): NodeJS.ProcessEnv {
  return { MILVUS_TOKEN: token(l), ...(l.gcp ? { GOOGLE_OAUTH_ACCESS_TOKEN: l.gcp.token } : {}) };
}

function token(l: LabHandle): string {
  if (!l.credentials) throw new Error('the lab has no credentials');
  return l.credentials.token;
}

describe('check against a deployment', () => {
  const json = path.join(dir, 'report.json');
  const junit = path.join(dir, 'junit.xml');
  const snapshot = path.join(dir, 'facts.json');
  let stdout = '';
  let stderr = '';

  test('every output at once, token from the environment: exit 0, and the secret is nowhere', async () => {
    // -v: one line per check (the default folds not-applicable checks and groups identical errors).
    const run = await runCli([...endpointArgs(lab), ...clusterArgs(lab), '--output', 'plain', '-v', '--json', json, '--junit', junit, '--snapshot', snapshot], {
      env: labEnv(lab),
    });
    stdout = run.stdout;
    stderr = run.stderr;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^summary: \d+ pass, 0 warn, 0 fail/m);
    const password = token(lab).split(':')[1];
    for (const [name, text] of [['stdout', stdout], ['stderr', stderr], ['json', readFileSync(json, 'utf8')], ['junit', readFileSync(junit, 'utf8')], ['snapshot', readFileSync(snapshot, 'utf8')]]) {
      expect(text, name).not.toContain(password);
      expect(text, name).not.toContain(Buffer.from(token(lab)).toString('base64'));
    }
  });

  test('the JSON report validates against its schema', () => {
    const schema: unknown = JSON.parse(readFileSync(path.join(REPO, 'schema', 'report.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema as object);
    const report: unknown = JSON.parse(readFileSync(json, 'utf8'));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  test('the plain lines come in one order along the request path, the order of the JSON report, once each', () => {
    const report = JSON.parse(readFileSync(json, 'utf8')) as { checks: { id: string; area: string }[] };
    const printed = stdout.split('\n').filter((l) => /^(PASS|WARN|FAIL|SKIP|BLOCKED|ERROR) +\S+  /.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(printed).toEqual(report.checks.map((c) => c.id));
    // Each area is one block, in the order DNS → TCP → TLS → … → the cloud and security areas.
    const blocks = report.checks.map((c) => c.area).filter((a, i, all) => a !== all[i - 1]);
    expect(blocks).toEqual([...new Set(blocks)]);
    expect(blocks.slice(0, 5)).toEqual(['dns', 'tcp', 'tls', 'alpn', 'http2']);
  });

  test('the JUnit XML reads back with junitparser: one testcase per check, classname = area', () => {
    const python = path.join(REPO, '.venv', 'bin', 'python');
    expect(existsSync(python), 'the venv of .ci/run (junitparser)').toBe(true);
    const script = [
      'import json, sys',
      'from junitparser import JUnitXml, Failure, Error, Skipped',
      'xml = JUnitXml.fromfile(sys.argv[1])',
      'cases = [c for s in xml for c in s]',
      'out = [{"name": c.name, "classname": c.classname, "time": c.time, "result": [type(r).__name__ for r in c.result], "props": {p.name: p.value for s in [c] for p in (c.properties() if hasattr(c, "properties") else [])}} for c in cases]',
      'print(json.dumps({"tests": xml.tests, "failures": xml.failures, "errors": xml.errors, "skipped": xml.skipped, "cases": out}))',
    ].join('\n');
    const parsed = JSON.parse(execFileSync(python, ['-c', script, junit], { encoding: 'utf8' })) as {
      tests: number; failures: number; errors: number; skipped: number; cases: { name: string; classname: string; time: number; result: string[] }[];
    };
    const report = JSON.parse(readFileSync(json, 'utf8')) as { checks: { id: string; area: string; verdict: string }[] };
    expect(parsed.tests).toBe(report.checks.length);
    expect(parsed.failures).toBe(0);
    expect(parsed.errors).toBe(0);
    expect(parsed.skipped).toBe(report.checks.filter((c) => c.verdict === 'skip' || c.verdict === 'blocked').length);
    expect(new Set(parsed.cases.map((c) => c.name))).toEqual(new Set(report.checks.map((c) => c.id)));
    for (const c of parsed.cases) expect(AREAS).toContain(c.classname);
  });

  test('--from-snapshot judges the saved facts the same way, without touching the network', async () => {
    const run = await runCli(['--from-snapshot', snapshot, '--output', 'json']);
    expect(run.code).toBe(0);
    const again = verdictsOf(parseReport(run));
    const first = verdictsOf(JSON.parse(readFileSync(json, 'utf8')) as Parameters<typeof verdictsOf>[0]);
    expect(again).toEqual(first);
  });

  test('a wrong token fails milvus.credentials, and the wrong token is not printed either', async () => {
    const wrong = 'root:not-the-password-7f3a';
    const run = await runCli([...endpointArgs(lab), '--token', wrong, '--output', 'plain', '--only', 'milvus,security']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+milvus\.credentials/);
    expect(run.stdout + run.stderr).not.toContain('not-the-password-7f3a');
  });

  test('--fail-on: a warning (expiry within --warn-days) exits 1 with warn, 0 with fail', async () => {
    const base = [...endpointArgs(lab), '--only', 'tls.expiry', '--warn-days', '3650', '--output', 'json'];
    const warnRun = await runCli([...base, '--fail-on', 'warn'], { env: { MILVUS_TOKEN: token(lab) } });
    expect(parseReport(warnRun).checks.map((c) => c.verdict)).toEqual(['warn']);
    expect(warnRun.code).toBe(1);
    const failRun = await runCli(base, { env: { MILVUS_TOKEN: token(lab) } });
    expect(failRun.code).toBe(0);
  });

  test('--only and --skip select by area, id and prefix', async () => {
    const run = await runCli([...endpointArgs(lab), '--only', 'tls.*,alpn', '--skip', 'tls.expiry', '--output', 'json'], { env: { MILVUS_TOKEN: token(lab) } });
    const ids = parseReport(run).checks.map((c) => c.id);
    expect(ids.every((id) => id.startsWith('tls.') || id === 'alpn.h2')).toBe(true);
    expect(ids).toContain('alpn.h2');
    expect(ids).not.toContain('tls.expiry');
  });

  test('discovery: from the cluster alone it finds the host, address and provider', async () => {
    const run = await runCli([...clusterArgs(lab), '--port', String(lab.port), '--ca', lab.caFile, '--dns-server', lab.dnsServer, '--output', 'json'], {
      env: labEnv(lab),
    });
    const report = parseReport(run);
    expect(report.target).toMatchObject({ host: lab.host, address: lab.address, provider: 'gcp' });
    expect(verdictsOf(report).get('http2.grpc')).toBe('pass');
    expect(run.code).toBe(0);
  });
});

describe('the Kubernetes API as users meet it', () => {
  test('a 403 makes the checks that need it `error`, naming verb and resource; exit 3', async () => {
    const run = await runCli([...endpointArgs(forbiddenLab), ...clusterArgs(forbiddenLab), '--output', 'json'], { env: { MILVUS_TOKEN: token(forbiddenLab) } });
    const report = parseReport(run);
    const errors = report.checks.filter((c) => c.verdict === 'error');
    expect(errors.map((c) => c.id)).toContain('k8s.endpoints.ready');
    expect(errors.find((c) => c.id === 'k8s.endpoints.ready')?.observed).toMatch(/list endpointslices/);
    expect(report.checks.filter((c) => c.verdict === 'fail')).toEqual([]);
    expect(run.code).toBe(3);
  });

  test('an unreachable API server is `error` within the deadline, never a hang', async () => {
    const k = forbiddenLab.kubernetes;
    if (!k) throw new Error('no Kubernetes API');
    const config = readFileSync(k.kubeconfigPath, 'utf8').replace(k.url, 'https://127.0.0.1:9');
    const file = path.join(dir, 'unreachable.kubeconfig');
    writeFileSync(file, config);
    const run = await runCli([...endpointArgs(forbiddenLab), '--kubeconfig', file, '-n', 'milvus', '--release', 'milvus-demo', '--timeout', '2s', '--output', 'json'], {
      env: { MILVUS_TOKEN: token(forbiddenLab) },
    });
    const report = parseReport(run);
    expect(report.checks.find((c) => c.id === 'k8s.service.exists')?.verdict).toBe('error');
    expect(run.code).toBe(3);
    expect(run.ms).toBeLessThan(30_000);
  });

  test.each([
    ['a kubeconfig that is not one', () => { const f = path.join(dir, 'bad.kubeconfig'); writeFileSync(f, ': : not yaml ['); return ['--kubeconfig', f, '-n', 'milvus']; }],
    ['a missing kubeconfig', () => ['--kubeconfig', path.join(dir, 'nope.kubeconfig'), '-n', 'milvus']],
    ['an unknown context', () => ['--kubeconfig', forbiddenLab.kubernetes?.kubeconfigPath ?? '', '--context', 'no-such-context', '-n', 'milvus']],
    ['invalid YAML offline', () => ['--manifests', path.join(REPO, 'fixtures', 'tests', 'k8s', 'invalid.yaml')]],
  ])('%s → exit 2 and one line', async (_name, args) => {
    const run = await runCli(args());
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('offline: helm template output judged without a cluster, live-only checks skipped with the reason', async () => {
    const manifests = readFileSync(path.join(REPO, 'fixtures', 'tests', 'k8s', 'helm-template-gcp.yaml'), 'utf8');
    const run = await runCli(['--manifests', '-', '--output', 'json'], { input: manifests });
    const report = parseReport(run);
    const v = verdictsOf(report);
    expect(v.get('gcp.service.app-protocols')).toBe('pass');
    expect(v.get('gcp.backendconfig.health-check')).toBe('pass');
    expect(report.checks.find((c) => c.id === 'k8s.endpoints.ready')?.reason).toMatch(/offline/);
    expect(report.checks.find((c) => c.id === 'tcp.connect')?.verdict).toBe('skip');
    expect(run.code).toBe(0);
  });
});
