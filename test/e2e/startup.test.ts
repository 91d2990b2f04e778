// What the CLI loads and says when it has nothing to probe: --help, explain, usage errors and bad
// kubeconfigs answer in one line (exit 2) without loading vitest, the Kubernetes client or the Milvus
// SDK. How fast that is, is measured in bench/startup.mjs, not asserted here.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../../src/catalog.js';
import { AREAS } from '../../src/model.js';
import type { CliRun } from './cli.js';
import { recordModules } from '../kits/module-recorder.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('l7doctor-startup-');

const runRecorded = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => recordModules(dir, args, env);

const HEAVY = ['/node_modules/vitest/', '/node_modules/@kubernetes/client-node/', '/node_modules/@zilliz/milvus2-sdk-node/'];

function heavyIn(modules: readonly string[]): string[] {
  return modules.filter((m) => HEAVY.some((h) => m.includes(h)));
}

function expectOneLine(run: CliRun, mentions: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^milvus-l7-doctor: /);
  expect(lines[0]).toMatch(mentions);
  expect(run.stderr).not.toMatch(/\n\s+at |TypeError|Cannot read properties/);
}

// Kubeconfigs, each wrong in one way.
const kube = (name: string, text: string): string => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};
const goodKubeconfig = kube('good.yaml', [
  'apiVersion: v1',
  'kind: Config',
  'current-context: lab',
  'clusters:',
  '- name: lab',
  '  cluster: {server: "https://127.0.0.1:1"}',
  'contexts:',
  '- name: lab',
  '  context: {cluster: lab, user: admin, namespace: milvus}',
  'users:',
  '- name: admin',
  '  user: {token: t}',
  '',
].join('\n'));
const missing = path.join(dir, 'missing.yaml');
const notYaml = kube('not-yaml.yaml', 'clusters: [ {name: x\n');
const empty = kube('empty.yaml', '');
const noClusters = kube('no-clusters.yaml', 'apiVersion: v1\nkind: Config\ncurrent-context: lab\ncontexts:\n- name: lab\n  context: {cluster: lab}\n');
const notKubeconfig = kube('deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: milvus}\n');
const emptyHome = tempDir('l7doctor-home-');

const KUBECONFIG_CASES: { name: string; args: string[]; env?: NodeJS.ProcessEnv; mentions: RegExp }[] = [
  { name: 'a missing file', args: ['--kubeconfig', missing, '-n', 'milvus'], mentions: /--kubeconfig .*missing\.yaml: no such file/ },
  { name: 'a file that is not YAML', args: ['--kubeconfig', notYaml, '-n', 'milvus'], mentions: /--kubeconfig .*not-yaml\.yaml: not a valid kubeconfig: not YAML/ },
  { name: 'an empty file', args: ['--kubeconfig', empty, '-n', 'milvus'], mentions: /--kubeconfig .*empty\.yaml: not a valid kubeconfig: the file is empty/ },
  { name: 'a file with no clusters', args: ['--kubeconfig', noClusters, '--release', 'milvus'], mentions: /no-clusters\.yaml: no clusters/ },
  { name: 'a manifest, not a kubeconfig', args: ['--kubeconfig', notKubeconfig, '-n', 'milvus'], mentions: /deployment\.yaml: not a kubeconfig \(kind: Deployment\)/ },
  { name: 'a context that does not exist', args: ['--kubeconfig', goodKubeconfig, '--context', 'prod', '-n', 'milvus'], mentions: /--context prod: no such context in .*good\.yaml \(contexts: lab\)/ },
  { name: 'a bad file listed in $KUBECONFIG', args: ['--service', 'milvus'], env: { KUBECONFIG: `${goodKubeconfig}${path.delimiter}${empty}` }, mentions: /\$KUBECONFIG .*empty\.yaml: not a valid kubeconfig: the file is empty/ },
  { name: 'a context missing from ~/.kube/config', args: ['--context', 'prod', '-n', 'milvus'], env: { KUBECONFIG: '', HOME: path.dirname(path.dirname(kube('home/.kube/config', readFileSync(goodKubeconfig, 'utf8')))) }, mentions: /--context prod: no such context in .*\.kube\/config/ },
  { name: 'no kubeconfig anywhere', args: ['-n', 'milvus'], env: { KUBECONFIG: '', HOME: emptyHome, KUBERNETES_SERVICE_HOST: '' }, mentions: /no kubeconfig: pass --kubeconfig, set KUBECONFIG or create ~\/\.kube\/config/ },
];

describe('a bad kubeconfig', () => {
  test.each(KUBECONFIG_CASES)('$name → one line naming it, exit 2, before the client or any probe loads', async ({ args, env, mentions }) => {
    const run = await runRecorded(args, env);
    expectOneLine(run, mentions);
    expect(heavyIn(run.modules)).toEqual([]);
  });
});

const USAGE_CASES: { name: string; args: string[]; mentions: RegExp }[] = [
  { name: '--output yaml', args: ['--output', 'yaml'], mentions: /--output "yaml": expected one of tui, plain, json/ },
  { name: '--fail-on maybe', args: ['--fail-on', 'maybe'], mentions: /--fail-on "maybe": expected one of fail, warn, never/ },
  { name: '--timeout banana', args: ['--timeout', 'banana'], mentions: /--timeout "banana": not a duration/ },
  { name: '--only nosuch.check', args: ['--only', 'nosuch.check'], mentions: /--only "nosuch.check": no such check or area/ },
];

describe('usage errors', () => {
  test.each(USAGE_CASES)('check $name → one line, exit 2, nothing heavy loaded', async ({ args, mentions }) => {
    const run = await runRecorded(['--host', 'x.example', '--address', '127.0.0.1', ...args]);
    expectOneLine(run, mentions);
    expect(heavyIn(run.modules)).toEqual([]);
  });

  // The lab takes seconds to start: a bad option must be refused before it does.
  test.each(USAGE_CASES)('lab $name → one line, exit 2, before the lab starts', async ({ args, mentions }) => {
    const run = await runRecorded(['lab', ...args]);
    expectOneLine(run, mentions);
    expect(run.modules.filter((m) => m.includes('/dist/src/lab/lab.js'))).toEqual([]);
    expect(heavyIn(run.modules)).toEqual([]);
  });

  test('lab with an unknown fault → one line, before the lab starts', async () => {
    const run = await runRecorded(['lab', '--fault', 'no-such-fault']);
    expectOneLine(run, /unknown fault "no-such-fault"; valid faults: /);
    expect(run.modules.filter((m) => m.includes('/dist/src/lab/lab.js'))).toEqual([]);
  });

  test('a mistyped command → "did you mean", one line, exit 2', async () => {
    const run = await runRecorded(['exlpain', 'tls.chain']);
    expectOneLine(run, /^milvus-l7-doctor: unknown command 'exlpain' \(did you mean explain\?\)$/);
    expect(heavyIn(run.modules)).toEqual([]);
  });

  test('a word nothing resembles → the commands there are', async () => {
    const run = await runRecorded(['frobnicate']);
    expectOneLine(run, /unknown command 'frobnicate' \(commands: check, lab, provision, explain, completion, help\)/);
  });

  test('a mistyped check id in explain → the close one', async () => {
    const run = await runRecorded(['explain', 'tls.chian']);
    expectOneLine(run, /no check "tls.chian" \(did you mean tls\.chain\?\)/);
  });
});

describe('help and explain load only commander and the catalogue', () => {
  test('--help', async () => {
    const run = await runRecorded(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: milvus-l7-doctor /);
    // The recorder sees packages at all: commander is one.
    expect(run.modules.some((m) => m.includes('/node_modules/commander/'))).toBe(true);
    expect(heavyIn(run.modules)).toEqual([]);
    // Not even the catalogue: help text is all commander's.
    expect(run.modules.filter((m) => m.includes('/dist/src/catalog.js'))).toEqual([]);
  });

  test('explain tls.chain', async () => {
    const run = await runRecorded(['explain', 'tls.chain']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tls\.chain {2}\[tls, /);
    expect(run.stdout).toMatch(/docs: docs\/checks\.md#tlschain/);
    expect(heavyIn(run.modules)).toEqual([]);
  });

  test('explain --list: every check, in report order', async () => {
    const run = await runRecorded(['explain', '--list']);
    expect(run.code).toBe(0);
    const ids = run.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)[0]);
    const rank = (id: string) => {
      const i = CATALOG.findIndex((c) => c.id === id);
      return AREAS.indexOf(CATALOG[i].area) * CATALOG.length + i;
    };
    expect(ids).toEqual(CATALOG.map((c) => c.id).sort((a, b) => rank(a) - rank(b)));
    expect(heavyIn(run.modules)).toEqual([]);
  });

  test('explain <area> lists that area\'s checks in report order', async () => {
    for (const area of ['tls', 'http2', 'k8s'] as const) {
      const run = await runRecorded(['explain', area]);
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(CATALOG.filter((c) => c.area === area).map((c) => c.id));
      for (const line of lines) expect(line.split(/\s+/)[1]).toBe(area);
      expect(heavyIn(run.modules)).toEqual([]);
    }
  });
});
