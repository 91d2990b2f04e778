// A GKE run that needs no Compute check loads no Compute module: @google-cloud/compute and google-gax cost
// seconds to import, so only a run whose selected checks read the Compute API may load them (issue 10), and
// then only in the Compute worker thread, off the probing thread. Proven on real CLI runs by the modules they
// load: the recorder sees the main thread's modules and the worker's entry module (a terminated worker's
// own require cache is not dumped), so the proof is "no worker, and the main thread loads none", with the
// source tree held to "only the worker requires them". The control, a full GKE lab run, must start the worker.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../../src/catalog.js';
import { REPO, parseReport } from './cli.js';
import { recordModules } from '../kits/module-recorder.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('l7doctor-gcp-modules-');

/** The checks that read the Compute API: what --skip leaves out, by their real ids. */
const COMPUTE_CHECKS = CATALOG.filter((c) => c.needs.some((n) => n.startsWith('gcp.'))).map((c) => c.id);

const MARKERS = {
  computeWorker: /dist\/src\/sources\/gcp\/compute-worker\.js$/,
  computeClient: /@google-cloud\/compute\/build\/src\/v1\/[a-z_]+_client\.js$/,
  gax: /google-gax\/build\/src\/index\.js$/,
} as const;

function loaded(modules: readonly string[]): Record<keyof typeof MARKERS, boolean> {
  return Object.fromEntries(Object.entries(MARKERS).map(([k, re]) => [k, modules.some((m) => re.test(m))])) as Record<keyof typeof MARKERS, boolean>;
}

describe('a GKE run loads the Compute client only when a check reads it', () => {
  test('lab --provider gcp with every Compute check skipped: the GKE objects judged, no Compute module loaded', async () => {
    expect(COMPUTE_CHECKS).toContain('gcp.backend-service.protocol');
    const run = await recordModules(dir, ['lab', '--provider', 'gcp', '--skip', COMPUTE_CHECKS.join(','), '--output', 'json'], {}, 150_000);
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run);
    expect(report.target.provider).toBe('gcp');
    // The GKE flavour's Kubernetes side was judged (the Service annotations, the BackendConfig, the Ingress).
    expect(report.checks.filter((c) => c.area === 'gcp' && c.verdict === 'pass').map((c) => c.id)).toEqual(expect.arrayContaining(['gcp.service.app-protocols', 'gcp.backendconfig.health-check']));
    expect(report.checks.filter((c) => COMPUTE_CHECKS.includes(c.id))).toEqual([]);
    expect(loaded(run.modules)).toEqual({ computeWorker: false, computeClient: false, gax: false });
  }, 180_000);

  test('the control: a full GKE lab run starts the Compute worker, and its main thread still loads no Compute module', async () => {
    const run = await recordModules(dir, ['lab', '--provider', 'gcp', '--output', 'json'], {}, 150_000);
    expect(run.code, run.stderr).toBe(0);
    expect(parseReport(run).checks.find((c) => c.id === 'gcp.backend-service.protocol')?.verdict).toBe('pass');
    expect(loaded(run.modules)).toEqual({ computeWorker: true, computeClient: false, gax: false });
  }, 180_000);

  test('only the Compute worker requires the Google client packages', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    // The lab (a Compute stand-in) is never imported by product code (test/layers.test.ts).
    const product = walk(path.join(REPO, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes(`${path.sep}lab${path.sep}`));
    const loads = /(?:require|import)\(\s*['"`](?:@google-cloud\/compute|google-gax|google-auth-library)|from\s+['"](?:@google-cloud\/compute|google-gax|google-auth-library)/;
    expect(product.filter((f) => loads.test(readFileSync(f, 'utf8'))).map((f) => path.relative(REPO, f))).toEqual([path.join('src', 'sources', 'gcp', 'compute-worker.ts')]);
  });
});
