// The first things a new user types: --help, shell completion, and a config file with variables for CI.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Report } from '../../src/model.js';
import { runCli, type CliRun } from './cli.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('l7doctor-help-');

function expectOneLine(run: CliRun, mentions: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(mentions);
}

describe('--help at the top level', () => {
  test('shows the check options, three examples and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Check options/m);
    for (const option of ['--host', '--address', '--namespace', '--manifests', '--only', '--json', '--junit', '--fail-on', '--config', '--verbose', '--quiet']) {
      expect(run.stdout).toContain(option);
    }
    const examples = run.stdout.split(/^Examples:\n/m)[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(examples).toHaveLength(3);
    for (const e of examples) expect(e).toMatch(/^ {2}.*milvus-l7-doctor /);
    expect(run.stdout).toMatch(/^Exit codes: 0 nothing failed.*1 a check failed,\n\s+2 usage or input error, 3 could not complete/m);
  });
});

describe('completion', () => {
  const script = path.join(dir, 'doctor.bash');

  test('bash: a script bash accepts, that completes options, commands and check ids', async () => {
    const run = await runCli(['completion', 'bash']);
    expect(run.code).toBe(0);
    writeFileSync(script, run.stdout);
    const complete = (words: string[]): string[] =>
      execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _milvus_l7_doctor; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    expect(complete(['milvus-l7-doctor', '--ho'])).toEqual(['--host']);
    expect(complete(['milvus-l7-doctor', 'la'])).toEqual(['lab']);
    expect(complete(['milvus-l7-doctor', 'lab', '--fa'])).toEqual(expect.arrayContaining(['--fault', '--fail-on']));
    expect(complete(['milvus-l7-doctor', 'explain', 'tls.ch'])).toEqual(['tls.chain']);
    expect(complete(['milvus-l7-doctor', '--only', 'alp'])).toEqual(['alpn', 'alpn.h2']);
  });

  test('zsh and fish: scripts for each, naming the options', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef milvus-l7-doctor/);
    expect(zsh.stdout).toContain("'--host[");
    const fish = await runCli(['completion', 'fish']);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toMatch(/^complete -c milvus-l7-doctor .* -l host -r -d /m);
  });

  test('another shell: one line', async () => {
    expectOneLine(await runCli(['completion', 'powershell']), /completion "powershell": expected bash, zsh or fish/);
  });
});

describe('--config FILE and MILVUS_L7_DOCTOR_* variables', () => {
  // Nothing listens on port 1: tcp.connect fails at once, a run of a second.
  const config = path.join(dir, 'doctor.yaml');
  writeFileSync(config, ['host: milvus.example.com', 'address: 127.0.0.1', 'port: 1', 'only: [tcp]', 'output: json', 'timeout: banana', ''].join('\n'));

  test('values in the file are validated as flags are', async () => {
    expectOneLine(await runCli(['--config', config]), /--timeout "banana": not a duration/);
  });

  test('a variable wins over the file, and a flag over the variable', async () => {
    const fromEnv = await runCli(['--config', config], { env: { MILVUS_L7_DOCTOR_TIMEOUT: '2s' } });
    expect(fromEnv.code, fromEnv.stderr).toBe(1);
    expect((JSON.parse(fromEnv.stdout) as Report).checks.map((c) => c.id)).toEqual(['tcp.connect']);
    const fromFlag = await runCli(['--config', config, '--timeout', '2s'], { env: { MILVUS_L7_DOCTOR_TIMEOUT: 'nonsense' } });
    expect(fromFlag.code, fromFlag.stderr).toBe(1);
    expectOneLine(await runCli(['--config', config], { env: { MILVUS_L7_DOCTOR_TIMEOUT: 'nonsense' } }), /--timeout "nonsense"/);
  });

  test('every option has a variable, --config too, and lists split on commas', async () => {
    const run = await runCli([], {
      env: { MILVUS_L7_DOCTOR_CONFIG: config, MILVUS_L7_DOCTOR_TIMEOUT: '2s', MILVUS_L7_DOCTOR_ONLY: 'tcp,dns', MILVUS_L7_DOCTOR_DNS_SERVER: '127.0.0.1:1' },
    });
    expect(run.code, run.stderr).toBe(1);
    expect((JSON.parse(run.stdout) as Report).checks.map((c) => c.id)).toEqual(['dns.resolves', 'dns.address-match', 'tcp.connect']);
  });

  test('the lab reads them too, before it starts', async () => {
    const run = await runCli(['lab'], { env: { MILVUS_L7_DOCTOR_OUTPUT: 'yaml' } });
    expectOneLine(run, /--output "yaml"/);
  });

  test.each([
    { name: 'an unknown key', text: 'hots: milvus.example.com\n', mentions: /unknown option 'hots' \(did you mean host\?\)/ },
    { name: 'a list for a single value', text: 'port: [1, 2]\n', mentions: /port: expected one value, not a list/ },
    { name: 'not a mapping', text: '- host\n', mentions: /expected a mapping of option names/ },
    { name: 'not YAML', text: 'host: [x\n', mentions: /not YAML/ },
  ])('$name → one line naming the file', async ({ text, mentions }) => {
    const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    const run = await runCli(['--config', file]);
    expectOneLine(run, mentions);
    expect(run.stderr).toContain(path.basename(file));
  });

  test('a boolean variable that is not one', async () => {
    expectOneLine(await runCli(['--config', config], { env: { MILVUS_L7_DOCTOR_SMOKE: 'maybe' } }), /MILVUS_L7_DOCTOR_SMOKE="maybe": expected true or false/);
  });

  test('a missing file', async () => {
    expectOneLine(await runCli(['--config', path.join(dir, 'nope.yaml')]), /--config .*nope\.yaml: cannot read the file \(ENOENT\)/);
  });
});

describe('docs links', () => {
  test('every check links to the anchor its docs/checks.md heading renders to, with explain beside it', async () => {
    const { readFileSync } = await import('node:fs');
    const { REPO } = await import('./cli.js');
    const { CATALOG } = await import('../../src/catalog.js');
    const { docsAnchor } = await import('../../src/checks/docs-link.js');
    const markdown = readFileSync(path.join(REPO, 'docs', 'checks.md'), 'utf8');
    // GitHub's rule, written out independently: lower case, drop punctuation but - and _, spaces → -.
    const rendered = new Set([...markdown.matchAll(/^#+ (.+)$/gm)].map((m) => (m[1] ?? '').toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-')));
    for (const c of CATALOG) expect(rendered, c.id).toContain(docsAnchor(c.id).split('#')[1]);
    const run = await runCli(['--host', 'milvus.example.com', '--address', '127.0.0.1', '--port', '1', '--only', 'tcp', '--output', 'plain']);
    expect(run.stdout).toContain('        docs:     docs/checks.md#tcpconnect  (or: milvus-l7-doctor explain tcp.connect)');
  });
});
