// Bad input: one clear line on stderr, exit 2, no stack trace, nothing on stdout.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'l7doctor-bad-'));
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

  test('a host that does not resolve, with no --address → exit 2 naming the host', async () => {
    const run = await runCli(['--host', 'does-not-exist.invalid', '--timeout', '3s'], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--host does-not-exist\.invalid does not resolve/);
  });
});
