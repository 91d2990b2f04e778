// A probe's deadline measures the network, not a busy machine: with two CPU-bound loops beside it on two
// cores, the healthy lab still passes every check, and a tarpit still ends within its bound.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseReport, runCli } from './cli.js';

const spinners: ChildProcess[] = [];
beforeAll(() => {
  for (let i = 0; i < 2; i++) spinners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
});
afterAll(() => {
  for (const s of spinners) s.kill('SIGKILL');
});

describe('under two CPU-bound busy loops', () => {
  test('the healthy lab passes every check', async () => {
    const run = await runCli(['lab', '--output', 'json'], { timeoutMs: 180_000 });
    const report = parseReport(run);
    expect(report.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip').map((c) => `${c.id}: ${c.verdict} ${c.observed ?? c.reason ?? ''}`)).toEqual([]);
    expect(run.code).toBe(0);
  }, 200_000);

  test('a tarpit is still cut at its deadline: tls.handshake fails as a timeout', async () => {
    const run = await runCli(['lab', '--fault', 'tarpit', '--timeout', '2s', '--output', 'json'], { timeoutMs: 180_000 });
    const report = parseReport(run);
    expect(report.checks.find((c) => c.id === 'tls.handshake')).toMatchObject({ verdict: 'fail', observed: expect.stringMatching(/no TLS handshake came back/) });
    // The bound: the lab's start-up plus one deadline and the judging, far from a hang.
    expect(run.ms).toBeLessThan(90_000);
    expect(run.code).toBe(1);
  }, 200_000);
});
