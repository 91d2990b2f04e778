// How a run is steered from outside: Ctrl-C finishes the report; --wait retries until the load
// balancer settles (a CI gate right after a deploy).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import type { Report } from '../../src/model.js';
import { BIN, parseReport, runCli, runNode } from './cli.js';
import { tempDir } from '../tmp.js';
import { startDnsServer } from '../kits/testkit.js';

const dir = tempDir('l7doctor-control-');
let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ kubernetes: false });
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

describe('run control', () => {
  /**
   * Runs against a tarpit (the TLS handshake waits) with MILVUS_L7_DOCTOR_DEBUG, sends `signal` once
   * `ready(stderr)` holds and the tarpit has its connection, and returns the report and exit code.
   */
  async function interruptAt(name: string, signal: NodeJS.Signals, ready: (stderr: string) => boolean) {
    const tarpit = net.createServer(() => undefined);
    const port = await listen(tarpit);
    const json = path.join(dir, `${name}.json`);
    try {
      const child = spawn(process.execPath, [BIN, '--host', lab.host, '--address', '127.0.0.1', '--port', String(port), '--dns-server', lab.dnsServer, '--timeout', '60s', '--output', 'plain', '--json', json], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1', MILVUS_L7_DOCTOR_DEBUG: '1' },
      });
      let stderr = '';
      let connected = false;
      let sent = false;
      const maybeSend = () => {
        if (sent || !connected || !ready(stderr)) return;
        sent = true;
        // A moment after the handshake started waiting: the probe is in flight when the signal comes.
        setTimeout(() => child.kill(signal), 300);
      };
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        maybeSend();
      });
      tarpit.once('connection', () => {
        connected = true;
        maybeSend();
      });
      const started = Date.now();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, stderr, ms: Date.now() - started, report: existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Report) : null };
    } finally {
      tarpit.close();
    }
  }

  function expectInterruptedReport(run: Awaited<ReturnType<typeof interruptAt>>): void {
    expect(run.ms).toBeLessThan(30_000);
    expect(run.stderr).toMatch(/interrupted; finishing the report/);
    expect(run.report, run.stderr).not.toBeNull();
    expect(run.report?.checks.find((c) => c.id === 'tls.handshake')?.verdict).toBe('error');
    expect(run.report?.checks.filter((c) => c.verdict === 'fail').map((c) => c.id)).toEqual([]);
    expect(run.code, run.stderr).toBe(3);
  }

  test('Ctrl-C during a slow probe: the report is still written, the cut-short checks are `error`, exit 3', async () => {
    expectInterruptedReport(await interruptAt('interrupted', 'SIGINT', () => true));
  });

  // vitest's logger and vite's server take SIGINT/SIGTERM to exit the process at once: once the judging
  // engine exists, an interrupt must still be the CLI's (a CI runner cancelling a job sends SIGTERM).
  test.each(['SIGINT', 'SIGTERM'] as const)('%s after the judging engine is made: still the CLI\'s interrupt, the report written, exit 3', async (signal) => {
    const run = await interruptAt(`engine-${signal}`, signal, (stderr) => /debug: judging engine made after \d+ ms/.test(stderr));
    expect(run.stderr).toMatch(/judging engine made/);
    expectInterruptedReport(run);
  });

  test('a promise rejected with no handler after the engine is made: one line, the report still printed, exit 3 for a run that passed', async () => {
    // Injected into the CLI's own process: once the engine is made (vitest's logger would then exit 1 on
    // it, silently), a rejection nobody handles.
    const inject = [
      'const write = process.stderr.write.bind(process.stderr);',
      'let done = false;',
      'process.stderr.write = (chunk, ...rest) => {',
      '  if (!done && String(chunk).includes("judging engine made")) { done = true; setTimeout(() => Promise.reject(new Error("injected by the test")), 5); }',
      '  return write(chunk, ...rest);',
      '};',
    ].join('\n');
    const run = await runNode(
      ['--import', `data:text/javascript,${encodeURIComponent(inject)}`, BIN, '--host', lab.host, '--address', '127.0.0.1', '--port', String(lab.port), '--ca', lab.caFile, '--dns-server', lab.dnsServer, '--output', 'json'],
      { env: { MILVUS_TOKEN: lab.credentials?.token ?? '', MILVUS_L7_DOCTOR_DEBUG: '1' } },
    );
    expect(run.stderr).toMatch(/debug: judging engine made/);
    expect(run.stderr).toMatch(/milvus-l7-doctor: internal error \(a bug; please report it\): injected by the test/);
    const report = parseReport(run);
    expect(report.checks.length).toBeGreaterThan(10);
    expect(report.checks.filter((c) => c.verdict === 'fail').map((c) => c.id)).toEqual([]);
    expect(run.code, run.stderr).toBe(3);
  });

  test('--wait retries until the load balancer answers, then reports the run that passed', async () => {
    // Reserve a port, free it: nothing listens there when the doctor starts.
    const probe = net.createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const forward = net.createServer((client) => {
      const upstream = net.connect(lab.port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    // The load balancer "comes up" three seconds into the run.
    const up = setTimeout(() => void listen(forward, port), 3000);
    try {
      const token = lab.credentials?.token ?? '';
      const run = await runCli(
        ['--host', lab.host, '--address', '127.0.0.1', '--port', String(port), '--ca', lab.caFile, '--dns-server', lab.dnsServer, '--wait', '40s', '--output', 'json'],
        { env: { MILVUS_TOKEN: token } },
      );
      expect(run.stderr).toMatch(/attempt 1: .*tcp\.connect.*retrying in/);
      const report = parseReport(run);
      expect(report.checks.find((c) => c.id === 'tcp.connect')?.verdict).toBe('pass');
      expect(report.checks.filter((c) => c.verdict === 'fail')).toEqual([]);
      expect(run.code).toBe(0);
    } finally {
      clearTimeout(up);
      forward.close();
    }
  });

  test('--wait gives up at its deadline and reports the last attempt', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const run = await runCli(['--host', lab.host, '--address', '127.0.0.1', '--port', String(port), '--dns-server', lab.dnsServer, '--wait', '3s', '--output', 'json']);
    expect(parseReport(run).checks.find((c) => c.id === 'tcp.connect')?.verdict).toBe('fail');
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(20_000);
  });

  test('a host with no DNS record and no --address is a finding --wait retries: report and JUnit written, exit 1', async () => {
    const dir = tempDir('l7doctor-wait-dns-');
    const json = path.join(dir, 'report.json');
    const junit = path.join(dir, 'nested', 'junit.xml');
    const run = await runCli(['--host', `not-yet.${lab.host}`, '--dns-server', lab.dnsServer, '--wait', '3s', '--json', json, '--junit', junit, '--output', 'plain']);
    expect(run.stderr).toMatch(/attempt 1: .*dns\.resolves.*retrying in/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { checks: { id: string; verdict: string; blockedBy?: string }[] };
    expect(report.checks.find((c) => c.id === 'dns.resolves')?.verdict).toBe('fail');
    expect(report.checks.find((c) => c.id === 'tcp.connect')).toMatchObject({ verdict: 'blocked', blockedBy: 'dns.resolves' });
    expect(readFileSync(junit, 'utf8')).toMatch(/dns\.resolves/);
    expect(run.code).toBe(1);
  });

  test('the guides\' happy path before DNS: --address with a host that has no record yet passes with a warning, exit 0', async () => {
    const dns = await startDnsServer({});
    try {
      const run = await runCli(
        ['--host', lab.host, '--address', '127.0.0.1', '--port', String(lab.port), '--ca', lab.caFile, '--dns-server', dns.server, '--output', 'json'],
        { env: { MILVUS_TOKEN: lab.credentials?.token ?? '' } },
      );
      const report = parseReport(run);
      expect(report.checks.find((c) => c.id === 'dns.resolves')).toMatchObject({ verdict: 'warn', hint: expect.stringContaining('127.0.0.1') });
      expect(report.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error').map((c) => c.id)).toEqual([]);
      expect(run.code).toBe(0);
    } finally {
      await dns.close();
    }
  });
});
