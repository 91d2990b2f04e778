// The Compute reads with the real @google-cloud/compute client against the lab's Compute stand-in: the
// healthy lab passes every check it feeds, every call a run makes is in the generated custom role, and
// bad answers (garbage, 500s, silence, 403, no credentials) are `error`s that name the Compute method,
// within the deadline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import { createLabWorld } from '../../src/lab/world.js';
import { serveComputeApi, type ComputeMisbehaviour } from '../../src/lab/gcp/server.js';
import { gather } from '../../src/gather/gather.js';
import type { GatherOptions } from '../../src/sources/options.js';
import type { SourceKey } from '../../src/sources/values.js';
import { CATALOG } from '../../src/catalog.js';
import { REPO, parseReport, runCli, verdictsOf } from './cli.js';
import { gkeLabArgs, gkeLabEnv } from '../kits/gke-lab.js';
import { tempDir } from '../tmp.js';

const COMPUTE_CHECKS = CATALOG.filter((c) => c.area === 'gcp' && c.needs.some((n) => n.startsWith('gcp.'))).map((c) => c.id);

let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ provider: 'gcp' });
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});

describe('the Compute API through the real client', () => {
  test('healthy lab: every Compute check passes, and every call it made is in fixtures/gcp/doctor-role.yaml', async () => {
    const g = lab.gcp;
    if (!g) throw new Error('the gcp lab started no Compute stand-in');
    const before = g.calls.length;
    const run = await runCli([...gkeLabArgs(lab), '--only', 'gcp', '--output', 'json'], { env: gkeLabEnv(lab), timeoutMs: 60_000 });
    const report = parseReport(run);
    const v = verdictsOf(report);
    for (const id of COMPUTE_CHECKS) expect(v.get(id), id).toBe('pass');
    expect(run.stdout + run.stderr).not.toContain(g.token);
    const calls = g.calls.slice(before);
    expect(new Set(calls.map((c) => c.method))).toEqual(new Set([
      'globalForwardingRules.get', 'targetHttpsProxies.get', 'sslCertificates.get', 'urlMaps.get', 'backendServices.get',
      'backendServices.getHealth', 'healthChecks.get', 'networkEndpointGroups.listNetworkEndpoints', 'firewalls.list', 'instances.get',
    ]));
    const role = parse(readFileSync(path.join(REPO, 'fixtures', 'gcp', 'doctor-role.yaml'), 'utf8')) as { includedPermissions: string[] };
    for (const c of calls) expect(role.includedPermissions, `${c.method} needs ${c.permission}`).toContain(c.permission);
  }, 90_000);
});

describe('the cut protos (src/sources/gcp/protos.ts)', () => {
  // The clients on the cut must send what they send on the whole protos.json and decode the answers to the
  // same facts: one run of each against the same lab, their requests and their Compute checks compared.
  test('the same requests and the same Compute checks as with the whole protos.json; each run says which it used', async () => {
    const g = lab.gcp;
    if (!g) throw new Error('the gcp lab started no Compute stand-in');
    const runWith = async (protos: 'cut' | 'full') => {
      const before = g.calls.length;
      const env = { ...gkeLabEnv(lab), MILVUS_L7_DOCTOR_DEBUG: '1', ...(protos === 'full' ? { MILVUS_L7_DOCTOR_COMPUTE_PROTOS: 'full' } : {}) };
      const run = await runCli([...gkeLabArgs(lab), '--only', 'gcp', '--output', 'json'], { env, timeoutMs: 60_000 });
      const report = parseReport(run);
      const calls = g.calls.slice(before).map((c) => JSON.stringify([c.method, c.path, c.query, c.body])).sort();
      const checks = report.checks.filter((c) => COMPUTE_CHECKS.includes(c.id)).map(({ durationMs: _ms, ...c }) => c);
      return { run, calls, checks };
    };
    const cut = await runWith('cut');
    const full = await runWith('full');
    expect(cut.run.stderr).toMatch(/debug: Compute protos: the cut for the doctor's methods/);
    expect(full.run.stderr).toMatch(/debug: Compute protos: the whole file \(MILVUS_L7_DOCTOR_COMPUTE_PROTOS=full\)/);
    expect(cut.calls.length).toBeGreaterThanOrEqual(10);
    expect(cut.calls).toEqual(full.calls);
    expect(cut.checks.map((c) => c.verdict)).toEqual(COMPUTE_CHECKS.map(() => 'pass'));
    expect(cut.checks).toEqual(full.checks);
  }, 120_000);
});

describe('the client\'s generated keys', () => {
  test('no `_field` key of the generated objects reaches the snapshot or the report', async () => {
    const dir = tempDir('l7doctor-gcp-snapshot-');
    const snapshot = path.join(dir, 'facts.json');
    const run = await runCli([...gkeLabArgs(lab), '--only', 'gcp', '--output', 'json', '--snapshot', snapshot], { env: gkeLabEnv(lab), timeoutMs: 60_000 });
    expect(parseReport(run).checks.length).toBeGreaterThan(5);
    const underscored = (v: unknown, at: string): string[] =>
      Array.isArray(v) ? v.flatMap((x, i) => underscored(x, `${at}[${i}]`))
        : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [...(k.startsWith('_') ? [`${at}.${k}`] : []), ...underscored(x, `${at}.${k}`)])
          : [];
    const facts = JSON.parse(readFileSync(snapshot, 'utf8')) as { facts?: { gcp?: unknown }; gcp?: unknown };
    const gcp = facts.facts?.gcp ?? facts.gcp;
    expect(JSON.stringify(gcp ?? null)).toMatch(/backendService/);
    expect(underscored(gcp, 'gcp')).toEqual([]);
    expect(underscored(JSON.parse(run.stdout), 'report')).toEqual([]);
  }, 90_000);
});

describe('the project and the firewall, from the cluster', () => {
  test('without --gcp-project the project is the nodes\' providerID\'s, and the evidence names the node', async () => {
    const g = lab.gcp;
    if (!g) throw new Error('the gcp lab started no Compute stand-in');
    // Nothing else names a project: gkeLabEnv clears the environment's (ADC's, which come after the nodes).
    const run = await runCli([...gkeLabArgs(lab, { project: false }), '--only', 'gcp.compute.access,gcp.firewall.health-check,gcp.backend-service.protocol', '--output', 'json'], { env: gkeLabEnv(lab), timeoutMs: 60_000 });
    const report = parseReport(run);
    const access = report.checks.find((c) => c.id === 'gcp.compute.access');
    expect(access?.verdict, run.stderr).toBe('pass');
    expect(access?.observed).toMatch(new RegExp(`project ${g.project} \\(from the nodes' providerID\\)`));
    expect(JSON.stringify(report)).toMatch(new RegExp(`providerID gce://${g.project}/us-central1-[ab]/gke-milvus-default-pool-`));
    // Read with that project, the firewall rule is found on the nodes' network and tags (instances.get).
    const fw = report.checks.find((c) => c.id === 'gcp.firewall.health-check');
    expect(fw?.verdict).toBe('pass');
    expect(JSON.stringify(fw)).toMatch(/"nodeTags":"gke-milvus-[0-9a-f]+-node"/);
    expect(verdictsOf(report).get('gcp.backend-service.protocol')).toBe('pass');
  }, 90_000);
});

describe('bad answers from the Compute endpoint', () => {
  const world = () =>
    createLabWorld({ provider: 'gcp', host: 'milvus.l7-lab.test', ingressAddress: '127.0.0.1', tls: { certPem: '', chainPem: '', keyPem: '' }, faults: [], backends: { milvus: '127.0.0.1:1', milvusTls: '127.0.0.1:2', healthz: '127.0.0.1:3' } });

  function options(endpoint: string, token: string | null, project: string): GatherOptions {
    return {
      host: 'milvus.l7-lab.test', address: '127.0.0.1', port: 443, serverName: null, caFile: null, ca: null, credentials: null, healthzUrl: null, dnsServer: null,
      provider: 'gcp', timeoutMs: 1500, latencySamples: 0, smoke: false, k8s: null, gcp: { project, endpoint, accessToken: token },
    };
  }
  const NEEDS: SourceKey[] = ['gcp.access', 'gcp.forwardingRules'];

  test.each([
    ['garbage', 'GCP_BAD_ANSWER'],
    ['error500', 'GCP_API_ERROR'],
    ['silent', 'GCP_TIMEOUT'],
  ] as const)('%s: error %s naming globalForwardingRules.list, within the deadline', async (misbehave: ComputeMisbehaviour, code) => {
    const api = await serveComputeApi(world(), { misbehave });
    try {
      const started = Date.now();
      const { facts } = await gather(options(api.url, api.token, api.project), NEEDS, new AbortController().signal);
      const fr = facts.gcp?.forwardingRules;
      expect(fr?.status).toBe('error');
      if (fr?.status !== 'error') return;
      expect(fr.error.code).toBe(code);
      expect(fr.error.message).toContain('globalForwardingRules.list');
      // The client loads in its thread first (bounded by twice the deadline), then the call's own deadline.
      expect(Date.now() - started).toBeLessThan(1500 * 3 + 10_000);
    } finally {
      await api.stop();
    }
  }, 60_000);

  test('403: error naming the permission; a wrong token: GCP_UNAUTHENTICATED', async () => {
    const api = await serveComputeApi(world(), { forbidden: ['compute.globalForwardingRules.list'] });
    try {
      const denied = await gather(options(api.url, api.token, api.project), NEEDS, new AbortController().signal);
      const fr = denied.facts.gcp?.forwardingRules;
      expect(fr?.status === 'error' && fr.error.code).toBe('GCP_PERMISSION_DENIED');
      expect(fr?.status === 'error' && fr.error.message).toContain('compute.globalForwardingRules.list');
      const wrong = await gather(options(api.url, 'ya29.not-the-token', api.project), NEEDS, new AbortController().signal);
      const w = wrong.facts.gcp?.forwardingRules;
      expect(w?.status === 'error' && w.error.code).toBe('GCP_UNAUTHENTICATED');
      expect(JSON.stringify(wrong.facts)).not.toContain('ya29.not-the-token');
    } finally {
      await api.stop();
    }
  }, 60_000);

  test('no credentials: GCP_NO_CREDENTIALS at once, without asking the metadata server', async () => {
    const saved = { ...process.env };
    process.env.METADATA_SERVER_DETECTION = 'none';
    process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(REPO, 'no-such-credentials.json');
    process.env.CLOUDSDK_CONFIG = path.join(REPO, 'no-such-gcloud-dir');
    try {
      const started = Date.now();
      const { facts } = await gather(options('http://127.0.0.1:9', null, 'p'), NEEDS, new AbortController().signal);
      const a = facts.gcp?.access;
      expect(a?.status === 'error' && a.error.code).toBe('GCP_NO_CREDENTIALS');
      expect(a?.status === 'error' && a.error.message).toMatch(/^no Google credentials/);
      expect(facts.gcp?.forwardingRules.status).toBe('skipped');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      process.env = saved;
    }
  });
});
