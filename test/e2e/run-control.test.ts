// How a run is steered from outside: Ctrl-C finishes the report; --wait retries until the load
// balancer settles (a CI gate right after a deploy).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import type { Report } from '../../src/model.js';
import { BIN, parseReport, runCli } from './cli.js';
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
  test('Ctrl-C during a slow probe: the report is still written, the cut-short checks are `error`, exit 3', async () => {
    const tarpit = net.createServer(() => undefined);
    const port = await listen(tarpit);
    const json = path.join(dir, 'interrupted.json');
    try {
      const child = spawn(process.execPath, [BIN, '--host', lab.host, '--address', '127.0.0.1', '--port', String(port), '--dns-server', lab.dnsServer, '--timeout', '60s', '--output', 'plain', '--json', json], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const started = Date.now();
      // Interrupt once the TCP connection to the tarpit is open: the TLS handshake is then waiting.
      tarpit.once('connection', () => setTimeout(() => child.kill('SIGINT'), 300));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(stderr).toMatch(/interrupted; finishing the report/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      const tls = report.checks.find((c) => c.id === 'tls.handshake');
      expect(tls?.verdict).toBe('error');
      expect(report.checks.filter((c) => c.verdict === 'fail').map((c) => c.id)).toEqual([]);
      expect(code).toBe(3);
    } finally {
      tarpit.close();
    }
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
