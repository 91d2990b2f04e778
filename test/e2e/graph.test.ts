// A run does only what its checks need, proven on a real run of the CLI by the modules it loads: `--only
// tls` opens no Milvus session (no SDK, no raw gRPC probes) and reads no cluster (no client-node), a run
// without a cluster never loads client-node, and a full lab run — the control — loads all of them.
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../../src/catalog.js';
import { parseReport } from './cli.js';
import { recordModules } from '../kits/module-recorder.js';
import { refusedPort } from '../kits/testkit.js';
import { tempDir } from '../tmp.js';

const dir = tempDir('l7doctor-graph-');

/** The modules that betray a Milvus session, a cluster read, or the SDK's thread. */
const MARKERS = {
  sdk: /@zilliz\/milvus2-sdk-node\/dist\/milvus\/index\.js$/,
  sdkThread: /dist\/src\/probes\/milvus-worker\.js$/,
  grpcProbes: /dist\/src\/probes\/milvus\.js$/,
  k8sReader: /dist\/src\/platform\/k8s\/live\.js$/,
  k8sClient: /@kubernetes\/client-node\/dist\/index\.js$/,
} as const;

function loaded(modules: readonly string[]): Record<keyof typeof MARKERS, boolean> {
  return Object.fromEntries(Object.entries(MARKERS).map(([k, re]) => [k, modules.some((m) => re.test(m))])) as Record<keyof typeof MARKERS, boolean>;
}

describe('a run loads only what its checks need', () => {
  test('lab --only tls: every TLS check judged; no SDK, no Milvus call, no Kubernetes client', async () => {
    const run = await recordModules(dir, ['lab', '--only', 'tls', '--output', 'json'], {}, 120_000);
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run);
    expect(report.checks.map((c) => c.id).sort()).toEqual(CATALOG.filter((c) => c.area === 'tls').map((c) => c.id).sort());
    expect(report.checks.every((c) => c.verdict === 'pass')).toBe(true);
    expect(loaded(run.modules)).toEqual({ sdk: false, sdkThread: false, grpcProbes: false, k8sReader: false, k8sClient: false });
  });

  test('the control: a full lab run loads each of them, so the recorder sees what it must not find above', async () => {
    const run = await recordModules(dir, ['lab', '--output', 'json'], {}, 120_000);
    expect(run.code, run.stderr).toBe(0);
    expect(loaded(run.modules)).toEqual({ sdk: true, sdkThread: true, grpcProbes: true, k8sReader: true, k8sClient: true });
  });

  test('a run without a cluster never loads the Kubernetes client', async () => {
    const port = await refusedPort();
    const run = await recordModules(dir, ['--host', 'milvus.example.test', '--address', '127.0.0.1', '--port', String(port), '--output', 'json']);
    expect(run.code, run.stderr).toBe(1);
    expect(parseReport(run).checks.find((c) => c.id === 'tcp.connect')?.verdict).toBe('fail');
    const l = loaded(run.modules);
    expect([l.k8sReader, l.k8sClient]).toEqual([false, false]);
  });
});
