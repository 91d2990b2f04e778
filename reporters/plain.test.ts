import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/model.js';
import { detectColor } from './color.js';
import { PlainReporter, type Verbosity } from './plain.js';
import { firstToLookAt, formatDuration, formatLookFirst } from './presentation.js';
import { SAMPLE_CHECKS, SAMPLE_SECRET, playSampleRun, sampleReport } from './sample-run.js';

async function runPlain(options: { color?: boolean; checks?: readonly CheckResult[]; viaOnCheck?: boolean; verbosity?: Verbosity } = {}) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const reporter = new PlainReporter({ out, color: options.color ?? false, secrets: [SAMPLE_SECRET], verbosity: options.verbosity ?? 'verbose' });
  const report = sampleReport(options.checks);
  if (options.viaOnCheck === false) await reporter.onEnd(report);
  else await playSampleRun(reporter, 0, report);
  return Buffer.concat(chunks).toString('utf8');
}

describe('PlainReporter', () => {
  it('-v: one greppable line per check with its time, details under findings, the gather steps', async () => {
    const text = await runPlain();
    const lines = text.split('\n');
    for (const c of SAMPLE_CHECKS) {
      expect(lines.filter((l) => l.includes(` ${c.id}  `) && /^[A-Z]+ +\S/.test(l))).toHaveLength(1);
    }
    expect(lines).toContain('PASS    dns.resolves  the host resolves to the load balancer address  (4 ms)');
    expect(lines).toContain('SKIP    aws.target-group-grpc  the target group speaks gRPC to ip targets  (0 ms)  skipped: provider is gcp');
    expect(text).toMatch(/^FAIL    http2\.authority-routed {2}.*\(112 ms\)\n {8}expected: :status 200 with content-type application\/grpc\n {8}observed: :status 404/m);
    // A multi-line fix keeps its lines, indented under `fix:`.
    expect(text).toContain(
      '        fix:\n          kubectl -n milvus patch ingress milvus --type=json \\\n            -p \'[{"op":"replace"',
    );
    expect(text).toContain('        blocked:  by http2.authority-routed: requests do not reach Milvus');
    expect(text).toContain('        docs:     docs/checks.md#gcp.backend-http2  (or: milvus-l7-doctor explain gcp.backend-http2)');
    expect(text).toContain('gather ok      dns                 resolve milvus.example.com  (4 ms)');
    expect(text).toContain('milvus-l7-doctor: checking host=milvus.example.com address=203.0.113.10 port=443 provider=gcp namespace=milvus (7 checks)');
    const tail = lines.filter(Boolean).slice(-2);
    expect(tail[0]).toBe('summary: 2 pass, 1 warn, 1 fail, 1 skip, 1 blocked, 1 error in 1.2 s');
    expect(tail[1]).toMatch(/^look first: FAIL http2\.authority-routed: the Ingress host rule does not match/);
  });

  it('default: no timings or gather lines, one line per blocked check, identical errors and not-applicable checks folded', async () => {
    const base = SAMPLE_CHECKS.find((c) => c.verdict === 'error');
    const skip = SAMPLE_CHECKS.find((c) => c.verdict === 'skip');
    if (!base || !skip) throw new Error('the sample run has an error and a skip');
    const checks = [
      ...SAMPLE_CHECKS,
      { ...base, id: 'k8s.one', observed: 'K8S_UNREACHABLE: cannot reach the API server', hint: 'check the kubeconfig' },
      { ...base, id: 'k8s.two', observed: 'K8S_UNREACHABLE: cannot reach the API server', hint: 'check the kubeconfig' },
      { ...skip, id: 'aws.other-one', area: 'aws' as const, reason: 'not an AWS deployment' },
      { ...skip, id: 'aws.other-two', area: 'aws' as const, reason: 'not an AWS deployment' },
    ];
    const text = await runPlain({ checks, verbosity: 'normal' });
    expect(text).not.toMatch(/\(\d+ ms\)/);
    expect(text).not.toMatch(/^gather /m);
    expect(text).toMatch(/^BLOCKED \S+ — by http2\.authority-routed$/m);
    expect(text).not.toContain('blocked:');
    expect(text).toMatch(/^ERROR   2 checks could not run: K8S_UNREACHABLE: cannot reach the API server\n {8}hint: {5}check the kubeconfig\n {8}checks: {3}k8s\.one, k8s\.two$/m);
    expect(text).toMatch(/^SKIP    2 checks not applicable \(aws: 2\): not an AWS deployment$/m);
    expect(text).toMatch(/^PASS    dns\.resolves  the host resolves to the load balancer address$/m);
    expect(text).toMatch(/^summary: /m);
  });

  it('-q: failures, warnings and errors with their details, then the summary; nothing else', async () => {
    const text = await runPlain({ verbosity: 'quiet' });
    expect(text).not.toMatch(/^(PASS|SKIP|BLOCKED|gather|milvus-l7-doctor: checking)/m);
    expect(text).toMatch(/^FAIL    http2\.authority-routed/m);
    expect(text).toMatch(/^WARN /m);
    expect(text).toMatch(/^summary: /m);
    expect(text).toMatch(/^look first: /m);
  });

  it('-v: passing checks show what was observed', async () => {
    const pass = SAMPLE_CHECKS.find((c) => c.verdict === 'pass');
    if (!pass) throw new Error('the sample run has a pass');
    const text = await runPlain({ checks: [{ ...pass, observed: 'TLSv1.3 TLS_AES_128_GCM_SHA256' }], verbosity: 'verbose' });
    expect(text).toMatch(/^PASS .*\n {8}observed: TLSv1\.3 TLS_AES_128_GCM_SHA256$/m);
  });

  it('never prints a secret, nor escape codes without colour, nor raw control characters', async () => {
    const text = await runPlain();
    expect(text).not.toContain(SAMPLE_SECRET);
    expect(text).toContain('[REDACTED]');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(text).toContain('\\x07bell');
  });

  it('colours verdict tags only when asked', async () => {
    const text = await runPlain({ color: true });
    expect(text).toContain('\u001b[31mFAIL   \u001b[39m');
    expect(text).not.toContain(SAMPLE_SECRET);
  });

  it('prints checks in catalogue order however the engine finishes them, and one that never came does not hold back the rest', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const reporter = new PlainReporter({ out, secrets: [SAMPLE_SECRET], verbosity: 'verbose' });
    const ids = SAMPLE_CHECKS.map((c) => c.id);
    reporter.onRunStart({ target: sampleReport().target, startedAt: '', checkCount: ids.length + 1, checkIds: [ids[0]!, 'never.reported', ...ids.slice(1)] });
    const checkLines = () => Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => /^[A-Z]+ +\S+  /.test(l)).map((l) => l.split(/\s+/)[1]);
    for (const c of [...SAMPLE_CHECKS].reverse()) reporter.onCheck(c);
    await new Promise((r) => setImmediate(r));
    // The first check is in, the second never came: only the first may be out yet.
    expect(checkLines()).toEqual([ids[0]]);
    await reporter.onEnd(sampleReport());
    expect(checkLines()).toEqual(ids);
  });

  it('prints checks that only arrive with the final report, once', async () => {
    const text = await runPlain({ viaOnCheck: false });
    expect(text.match(/^FAIL +http2\.authority-routed/gm)).toHaveLength(1);
    expect(text).toContain('summary: 2 pass');
  });

  it('says so when nothing needs attention', async () => {
    const text = await runPlain({ checks: SAMPLE_CHECKS.filter((c) => c.verdict === 'pass' || c.verdict === 'skip') });
    expect(text.trimEnd().split('\n').at(-1)).toBe('look first: nothing; every check that ran passed');
  });
});

describe('detectColor', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { NO_COLOR: '1', FORCE_COLOR: '1' }, true],
    [true, { TERM: 'dumb' }, false],
  ])('isTTY=%s env=%j → %s', (isTTY, env, expected) => {
    expect(detectColor({ isTTY }, env)).toBe(expected);
  });
});

describe('presentation', () => {
  it.each([
    [0, '0 ms'],
    [999.4, '999 ms'],
    [1234, '1.2 s'],
    [125_000, '2 min 5 s'],
    [-1, '0 ms'],
  ])('formatDuration(%s) = %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('looks first at the most severe failure, then errors, then warnings', () => {
    const base = { area: 'tls', title: 't', durationMs: 0 } as const;
    const checks: CheckResult[] = [
      { ...base, id: 'w', verdict: 'warn', severity: 'critical' },
      { ...base, id: 'e', verdict: 'error', severity: 'critical' },
      { ...base, id: 'f-minor', verdict: 'fail', severity: 'minor' },
      { ...base, id: 'f-major', verdict: 'fail', severity: 'major' },
      { ...base, id: 'f-major-later', verdict: 'fail', severity: 'major' },
    ];
    expect(firstToLookAt(checks)?.id).toBe('f-major');
    expect(firstToLookAt(checks.slice(0, 2))?.id).toBe('e');
    expect(firstToLookAt(checks.slice(0, 1))?.id).toBe('w');
    expect(formatLookFirst([])).toBe('look first: no checks ran');
  });
});
