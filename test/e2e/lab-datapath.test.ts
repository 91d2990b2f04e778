// The real CLI against the lab: healthy → exit 0 and everything passes; each data-path fault →
// exit 1 with exactly its own checks failing (test/e2e/faults.ts says what "right" means).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { listFaults } from '../../src/lab/lab.js';
import { FAULT_NAMES } from '../../src/lab/faults.js';
import { parseReport, runCli } from './cli.js';
import { assertFault } from './faults.js';
import { tempDir } from '../tmp.js';

const DATA_PATH_AREAS = ['dns', 'tcp', 'tls', 'alpn', 'http2', 'grpc', 'milvus', 'security', 'healthz'];

describe('lab, healthy', () => {
  test.each(['aws', 'gcp'])('%s flavour: exit 0, nothing but pass and not-applicable skips (smoke included)', async (provider) => {
    const run = await runCli(['lab', '--provider', provider, '--output', 'json', '--smoke']);
    const report = parseReport(run);
    const notPassing = report.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip');
    expect(notPassing, run.stderr).toEqual([]);
    const skipped = report.checks.filter((c) => c.verdict === 'skip');
    expect(skipped.filter((c) => DATA_PATH_AREAS.includes(c.area)).map((c) => c.id)).toEqual([]);
    // Skips are the other provider's checks, or what this flavour has no object for (ACM vs Secret).
    for (const c of skipped) expect(c.reason, c.id).toMatch(/not an? (AWS|GKE) deployment|no TLS Secret|no Google-managed certificate|certificate from ACM/);
    expect(report.summary.pass).toBeGreaterThanOrEqual(45);
    expect(run.code).toBe(0);
  });
});

describe('lab on a machine with only Node (no nginx, no milvus-lite)', () => {
  test.each(['aws', 'gcp'])('%s flavour: the built-in proxy and Milvus stub pass everything, smoke included', async (provider) => {
    const run = await runCli(['lab', '--provider', provider, '--output', 'json', '--smoke'], {
      env: { LAB_NGINX_BIN: '/nonexistent/nginx', MILVUS_LITE_BIN: '/nonexistent/milvus-lite' },
    });
    expect(run.stderr).toMatch(/node proxy ready \(nginx not found\)/);
    const report = parseReport(run);
    expect(report.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip').map((c) => `${c.id}: ${c.observed}`)).toEqual([]);
    expect(report.checks.find((c) => c.id === 'milvus.smoke')?.verdict).toBe('pass');
    expect(run.code).toBe(0);
  });
});

describe('lab, one data-path fault at a time', () => {
  test.each(listFaults().filter((f) => (FAULT_NAMES as readonly string[]).includes(f.name)).map((f) => [f.name, f] as const))('%s', async (_name, fault) => {
    await assertFault(fault);
  });

  test('a tarpit ends the probing within --timeout + 2 s', async () => {
    const dir = tempDir('l7doctor-tarpit-');
    const snapshot = path.join(dir, 'facts.json');
    const run = await runCli(['lab', '--fault', 'tarpit', '--output', 'json', '--timeout', '2s', '--snapshot', snapshot]);
    const report = parseReport(run);
    expect(report.checks.find((c) => c.id === 'tls.handshake')?.verdict).toBe('fail');
    const facts = JSON.parse(readFileSync(snapshot, 'utf8')) as { gatherMs: number };
    expect(facts.gatherMs).toBeLessThan(2000 + 2000);
    expect(report.durationMs).toBeLessThan(2000 + 2000 + 3000);
  });
});
