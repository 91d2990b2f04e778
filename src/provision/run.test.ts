// apply's promises, against a scripted API server: nothing is written while any step is blocked, and a
// Ctrl-C between objects stops before the next one (each object is one request: applied or untouched).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { resolveRunConfig } from '../cli/config.js';
import { tempDir } from '../../test/tmp.js';
import type { K8sObject } from '../render/object.js';
import type { ProvisionConfig } from './config.js';
import type { ApplyAnswer, KubeClient } from './kube.js';
import { runProvision } from './run.js';

/** These runs never get to the check (no --wait): reaching it is a failure. */
const noCheck = (): Promise<number> => Promise.reject(new Error('the check ran without --wait'));

const service: K8sObject = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'my-release-milvus', namespace: 'ns' },
  spec: { type: 'ClusterIP', ports: [{ name: 'milvus', port: 19530 }, { name: 'metrics', port: 9091 }] },
};

function config(): ProvisionConfig {
  return {
    provider: 'gcp', namespace: 'ns', release: 'my-release', host: 'my-release.milvus.io', names: {}, cert: { mode: 'managed' }, scheme: 'internet-facing', allowHttp: false,
    apply: true, remove: false, forceConflicts: false, helm: false, includeSecrets: false, output: 'json', waitMs: null, timeoutMs: 5000, region: null,
    outDir: tempDir('l7-provision-run-'), check: resolveRunConfig({}, {}, false),
  };
}

/** An API server that has only the Service; `refuse` answers 409 for one kind; each real write is recorded. */
function fakeKube(o: { refuse?: string; onWrite?: (written: number) => void } = {}): KubeClient & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    get: async (ref) => (ref.kind === 'Service' ? service : null),
    list: async () => [],
    delete: async () => undefined,
    apply: async (object, opts): Promise<ApplyAnswer> => {
      if (object.kind === o.refuse) return { ok: false, code: 409, message: 'conflict', causes: [{ field: '.spec.rules', message: 'conflict with "other"', managers: ['other'] }] };
      if (!opts.dryRun) {
        written.push(object.kind);
        o.onWrite?.(written.length);
      }
      return { ok: true, object: { ...object, metadata: { ...object.metadata, uid: 'u', resourceVersion: String(written.length) } } };
    },
  };
}

const stderr = () => vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
const stdout = () => vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
const io = { stdout: process.stdout, stderr: process.stderr, env: {} };
afterEach(() => {
  vi.restoreAllMocks();
});

describe('provision --apply', () => {
  test('a blocked step: exit 1 and not one write, though the other steps could be applied', async () => {
    const err = stderr();
    stdout();
    const kube = fakeKube({ refuse: 'Ingress' });
    expect(await runProvision(config(), io, new AbortController().signal, noCheck, { kube, acm: null })).toBe(1);
    expect(kube.written).toEqual([]);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/nothing applied: ingress cannot be done/);
  });

  test('Ctrl-C between objects: the first is applied, the rest untouched, exit 3 saying so', async () => {
    const err = stderr();
    stdout();
    const stop = new AbortController();
    const kube = fakeKube({ onWrite: (n) => n === 1 && stop.abort() });
    expect(await runProvision(config(), io, stop.signal, noCheck, { kube, acm: null })).toBe(3);
    expect(kube.written).toEqual(['ConfigMap']);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/interrupted between objects: each object is applied or untouched/);
  });

  test('uninterrupted: every object in the renderer\'s order', async () => {
    stderr();
    stdout();
    const kube = fakeKube();
    await runProvision(config(), io, new AbortController().signal, noCheck, { kube, acm: null });
    // The Secret after the ManagedCertificate: Milvus's own serving certificate, which Google's does not replace.
    expect(kube.written).toEqual(['ConfigMap', 'ManagedCertificate', 'Secret', 'BackendConfig', 'Service', 'Ingress']);
  });
});
