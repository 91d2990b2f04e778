// --wait over a Compute 404 while the Ingress is new, through the real CLI and the real Compute client: the
// lab's Ingress was created a moment ago and ingress-gce has not made its URL map yet (the stand-in answers
// the first urlMaps.get with 404). That is a warning --wait waits out: the run retries and ends green once
// the map exists. (An old Ingress's 404 fails at once: src/checks/gcp/compute.test.ts.)
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import { parseReport, runCli, verdictsOf } from './cli.js';
import { gkeLabArgs, gkeLabEnv } from '../kits/gke-lab.js';

let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ provider: 'gcp', faults: ['url-map-not-created-yet'] });
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});

describe('a resource ingress-gce has not created yet, on a new Ingress', () => {
  test('--wait retries while the URL map answers 404, then passes once it exists', async () => {
    const g = lab.gcp;
    if (!g) throw new Error('the gcp lab started no Compute stand-in');
    const before = g.calls.filter((c) => c.method === 'urlMaps.get').length;
    const run = await runCli([...gkeLabArgs(lab), '--only', 'gcp', '--wait', '90s', '--output', 'json'], { env: gkeLabEnv(lab), timeoutMs: 150_000 });
    // The first attempt met the 404 and waited on it, naming the check.
    expect(run.stderr).toMatch(/attempt 1: \d+ failing \([^)]*gcp\.url-map\.host-rule[^)]*\); retrying in \d+ s/);
    const report = parseReport(run);
    expect(verdictsOf(report).get('gcp.url-map.host-rule')).toBe('pass');
    expect(report.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error' || c.verdict === 'warn').map((c) => `${c.id}: ${c.observed}`)).toEqual([]);
    expect(run.code).toBe(0);
    // It was read again, not judged from the first answer.
    expect(g.calls.filter((c) => c.method === 'urlMaps.get').length - before).toBeGreaterThanOrEqual(2);
    expect(run.stdout + run.stderr).not.toContain(g.token);
  }, 180_000);
});
