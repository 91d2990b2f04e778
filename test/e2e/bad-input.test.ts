// Bad input: one clear line on stderr, exit 2, no stack trace, nothing on stdout.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './cli.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('l7doctor-bad-');
const garbage = path.join(dir, 'garbage.pem');
writeFileSync(garbage, 'this is not a certificate\n');
const brokenPem = path.join(dir, 'broken.pem');
writeFileSync(brokenPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
const badSnapshot = path.join(dir, 'snap.json');
writeFileSync(badSnapshot, '{"schema": 2}');

const CASES: { name: string; args: string[]; mentions: RegExp }[] = [
  { name: 'unknown flag', args: ['--hots', 'x.example'], mentions: /unknown option '--hots'/ },
  { name: 'unreadable --ca', args: ['--host', 'x.example', '--address', '127.0.0.1', '--ca', path.join(dir, 'missing.pem')], mentions: /--ca .*missing\.pem: cannot read the file \(ENOENT\)/ },
  { name: 'garbage --ca', args: ['--host', 'x.example', '--address', '127.0.0.1', '--ca', garbage], mentions: /no PEM certificate/ },
  { name: 'unparseable certificate in --ca', args: ['--host', 'x.example', '--address', '127.0.0.1', '--ca', brokenPem], mentions: /certificate #1 does not parse/ },
  { name: 'port out of range', args: ['--host', 'x.example', '--port', '70000'], mentions: /--port 70000: out of range/ },
  { name: 'port not a number', args: ['--host', 'x.example', '--port', 'https'], mentions: /not a port number/ },
  { name: 'URL instead of host', args: ['--host', 'https://x.example'], mentions: /not a URL/ },
  { name: 'bad duration', args: ['--host', 'x.example', '--timeout', 'soon'], mentions: /--timeout "soon": not a duration/ },
  { name: 'unknown --only', args: ['--host', 'x.example', '--only', 'tls.nope'], mentions: /--only "tls.nope": no such check or area/ },
  { name: 'bad --output', args: ['--host', 'x.example', '--output', 'xml'], mentions: /--output "xml": expected one of tui, plain, json/ },
  { name: 'nothing to check', args: [], mentions: /nothing to check/ },
  { name: 'unknown explain id', args: ['explain', 'tls.nope'], mentions: /no check "tls.nope"/ },
  { name: 'snapshot of another kind', args: ['--from-snapshot', badSnapshot], mentions: /not a milvus-l7-doctor snapshot/ },
  { name: 'unknown lab fault', args: ['lab', '--fault', 'no-such-fault'], mentions: /no-such-fault/ },
];

describe('bad input', () => {
  test.each(CASES)('$name → exit 2 and one line', async ({ args, mentions }) => {
    const run = await runCli(args, { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^milvus-l7-doctor: /);
    expect(lines[0]).toMatch(mentions);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a host that does not resolve, with no --address, is a finding: dns.resolves fails, the rest is blocked, exit 1', async () => {
    const run = await runCli(['--host', 'does-not-exist.invalid', '--timeout', '3s', '--output', 'json'], { timeoutMs: 30_000 });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { checks: { id: string; verdict: string; blockedBy?: string }[] };
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('dns.resolves')?.verdict).toBe('fail');
    expect(byId.get('tcp.connect')).toMatchObject({ verdict: 'blocked', blockedBy: 'dns.resolves' });
    expect(report.checks.filter((c) => c.verdict === 'fail').map((c) => c.id)).toEqual(['dns.resolves']);
  });
});

describe('an incomplete install', () => {
  test('checks that never report make the run exit 3, never a silent pass', async () => {
    const { cpSync, rmSync } = await import('node:fs');
    const { REPO } = await import('./cli.js');
    const copy = tempDir('l7doctor-install-');
    for (const part of ['bin', 'dist', 'package.json', 'node_modules']) {
      if (part === 'node_modules') (await import('node:fs')).symlinkSync(path.join(REPO, part), path.join(copy, part));
      else cpSync(path.join(REPO, part), path.join(copy, part), { recursive: true });
    }
    rmSync(path.join(copy, 'dist', 'suites', 'tls.check.js'));
    const snapshot = path.join(dir, 'refused.json');
    writeFileSync(snapshot, JSON.stringify(refusedSnapshot()));
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [path.join(copy, 'bin', 'milvus-l7-doctor.js'), '--from-snapshot', snapshot, '--skip', 'tcp', '--output', 'json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.stderr).toMatch(/never reported: tls\./);
    expect(run.status).toBe(3);
  });
});

/** Facts of a run whose TCP connect was refused: everything after it skipped. */
function refusedSnapshot(): object {
  const blocked = { status: 'skipped', reason: 'connection refused', blockedBy: 'tcp.connect' };
  return {
    schema: 2,
    selection: { status: 'skipped', reason: 'no cluster in this test' },
    target: { host: 'x.example', address: '127.0.0.1', port: 443, serverName: 'x.example', healthzUrl: null, caFile: null, credentials: 'none', provider: 'unknown', dnsServer: null },
    gatheredAt: new Date().toISOString(),
    gatherMs: 5,
    dataPath: {
      dns: { status: 'skipped', reason: 'no --dns-server in this test' },
      tcp: { status: 'error', ms: 1, error: { code: 'TCP_REFUSED', layer: 'tcp', message: 'connect ECONNREFUSED 127.0.0.1:443' } },
      tls: blocked, tlsNoSni: blocked, http2Host: blocked, http2Address: blocked, grpcHealth: blocked, milvusVersion: blocked, milvusHealth: blocked,
      milvusAuth: { status: 'skipped', reason: 'no credentials' }, milvusAnonymous: blocked, milvusDefaultPassword: blocked, latency: blocked,
      smoke: { status: 'skipped', reason: 'not requested' }, healthz: { status: 'skipped', reason: 'no --healthz-url' },
    },
  };
}
