// The real CLI against the lab: healthy → exit 0 and everything passes; each fault → exit 1, its own
// checks fail with the right words, and no unrelated check fails.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { FAULTS } from '../../src/lab/faults.js';
import { parseReport, runCli, verdictsOf } from './cli.js';

/** What the failing check must say (observed, hint or fix) for each fault: the diagnosis, not just "failed". */
const SAYS: Record<string, RegExp> = {
  'expired-cert': /expired on/,
  'expiring-cert': /in \d days/,
  'missing-intermediate': /only the leaf was served/,
  'name-mismatch': /SAN|subjectAltName/,
  'cn-only': /only the subject|gRPC clients ignore the CN/,
  'untrusted-ca': /not trusted/,
  'no-h2': /http\/1\.1|HTTP\/1\.1/,
  'host-rule-404': /404.*default 404|no rule matched/,
  'not-grpc-464': /464.*target group protocol version is not GRPC/,
  'backend-down': /502/,
  'healthz-not-ready': /3\/5/,
  'milvus-unhealthy': /isHealthy: false/,
  'auth-required': /UNAUTHENTICATED/,
  'default-password': /root:Milvus is accepted/,
  tarpit: /no TLS handshake came back/,
  refused: /connection refused/,
  'plaintext-front': /plaintext/,
};

describe('lab, healthy', () => {
  test('exit 0 and every data-path check passes (smoke included)', async () => {
    const run = await runCli(['lab', '--output', 'json', '--smoke']);
    const report = parseReport(run);
    const notPassing = report.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip');
    expect(notPassing, run.stderr).toEqual([]);
    const skipped = report.checks.filter((c) => c.verdict === 'skip' && ['dns', 'tcp', 'tls', 'alpn', 'http2', 'grpc', 'milvus', 'security', 'healthz'].includes(c.area));
    expect(skipped).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.summary.pass).toBeGreaterThanOrEqual(23);
  });
});

describe('lab, one fault at a time', () => {
  test.each(FAULTS.map((f) => [f.name, f] as const))('%s', async (name, fault) => {
    const run = await runCli(['lab', '--fault', name, '--output', 'json', '--timeout', '3s']);
    const report = parseReport(run);
    const verdicts = verdictsOf(report);
    for (const id of fault.expectFail) expect(verdicts.get(id), `${id} under ${name}`).toBe('fail');
    const unrelated = report.checks.filter((c) => c.verdict === 'fail' && !fault.expectFail.includes(c.id));
    expect(unrelated.map((c) => `${c.id}: ${c.observed}`), `unrelated failures under ${name}`).toEqual([]);
    const errors = report.checks.filter((c) => c.verdict === 'error');
    expect(errors.map((c) => `${c.id}: ${c.observed}`)).toEqual([]);
    const failing = report.checks.filter((c) => fault.expectFail.includes(c.id));
    const said = failing.map((c) => [c.observed, c.hint, c.fix].join(' | ')).join('\n');
    expect(said).toMatch(SAYS[name] ?? /./);
    for (const c of failing) {
      expect(c.hint, c.id).toBeTruthy();
      expect(c.expected, c.id).toBeTruthy();
      expect(c.docs, c.id).toMatch(/^docs\/checks\.md#/);
    }
    expect(run.code).toBe(1);
  });

  test('a tarpit ends the probing within --timeout + 2 s', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'l7doctor-tarpit-'));
    const snapshot = path.join(dir, 'facts.json');
    const run = await runCli(['lab', '--fault', 'tarpit', '--output', 'json', '--timeout', '2s', '--snapshot', snapshot]);
    const report = parseReport(run);
    expect(report.checks.find((c) => c.id === 'tls.handshake')?.verdict).toBe('fail');
    const facts = JSON.parse(readFileSync(snapshot, 'utf8')) as { gatherMs: number };
    expect(facts.gatherMs).toBeLessThan(2000 + 2000);
    expect(report.durationMs).toBeLessThan(2000 + 2000 + 3000);
  });
});
