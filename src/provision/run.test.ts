// apply's promises, against a scripted API server: nothing is written while any step is blocked, and a
// Ctrl-C between objects stops before the next one (each object is one request: applied or untouched).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { resolveRunConfig } from '../cli/config.js';
import { tempDir } from '../../test/tmp.js';
import type { K8sObject } from '../render/object.js';
import type { ProvisionConfig } from './config.js';
import type { AcmApi } from './acm.js';
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

describe('provision --remove --apply and the ALB that still uses the certificate', () => {
  const ARN = 'arn:aws:acm:us-east-2:123456789012:certificate/11111111-2222-4333-8444-555555555555';

  /** ACM as provision sees it: the imported certificate, in use for the first `inUse` deletes. */
  function fakeAcm(inUse: number): AcmApi & { deletes: number } {
    let left = inUse;
    let gone = false;
    const acm = {
      region: 'us-east-2',
      deletes: 0,
      describe: async () => null,
      listIssued: async () => [],
      importCertificate: async () => ARN,
      listImported: async () => (gone ? [] : [ARN]),
      delete: async (): Promise<'deleted' | 'in-use'> => {
        acm.deletes++;
        if (left-- > 0) return 'in-use';
        gone = true;
        return 'deleted';
      },
    };
    return acm;
  }
  const removal = (waitMs: number): ProvisionConfig => ({ ...config(), provider: 'aws', remove: true, waitMs });
  const said = (err: ReturnType<typeof stderr>) => err.mock.calls.map((c) => String(c[0])).join('');

  test('ACM refuses while the listener uses it: retried until the controller deleted the ALB, exit 0', async () => {
    const err = stderr();
    stdout();
    const acm = fakeAcm(2);
    expect(await runProvision(removal(30_000), io, new AbortController().signal, noCheck, { kube: fakeKube(), acm })).toBe(0);
    expect(acm.deletes).toBe(3);
    expect(said(err)).toMatch(new RegExp(`ACM certificate ${ARN} is in use by the ALB the controller deletes after the Ingress: retrying every 2 s for up to 30 s`));
    expect(said(err)).toContain(`deleted ACM certificate ${ARN}`);
  });

  test('still in use at the end of --wait: exit 1, the certificate left in the plan, and what to look at', async () => {
    const err = stderr();
    stdout();
    const acm = fakeAcm(Number.POSITIVE_INFINITY);
    expect(await runProvision(removal(1000), io, new AbortController().signal, noCheck, { kube: fakeKube(), acm })).toBe(1);
    expect(said(err)).toMatch(/is still in use by a load balancer after 1 s: the ALB controller has not deleted the ALB of the removed Ingress \(kubectl -n ns describe ingress/);
    expect(said(err)).not.toContain('deleted ACM certificate');
  });

  test('Ctrl-C while waiting: exit 3 at once', async () => {
    stderr();
    stdout();
    const stop = new AbortController();
    const acm = fakeAcm(Number.POSITIVE_INFINITY);
    const started = Date.now();
    const done = runProvision(removal(60_000), io, stop.signal, noCheck, { kube: fakeKube(), acm });
    setTimeout(() => stop.abort(), 100);
    expect(await done).toBe(3);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
