// The runner's contract over small graphs of its own: inputs, gates cut speculative reads short, skips
// carry blockedBy from the owner, the concurrency bound holds, a read over its budget is an error, and
// what is not planned never starts.
import { describe, expect, test } from 'vitest';
import type { Outcome } from '../model.js';
import { UsageError } from '../errors.js';
import type { ReadContext, SourceDef } from '../sources/define.js';
import type { GatherOptions } from '../sources/options.js';
import type { SourceKey } from '../sources/values.js';
import { runGraph } from './run-graph.js';

const OPTIONS: GatherOptions = {
  host: 'h', address: '127.0.0.1', port: 443, serverName: null, caFile: null, ca: null, credentials: null, healthzUrl: null, dnsServer: null,
  provider: 'auto', timeoutMs: 200, latencySamples: 0, smoke: false, k8s: null,
};

// Real keys, fake records: the runner only sees records.
interface Fake extends Pick<SourceDef, 'applies' | 'inputs' | 'after' | 'gates' | 'budgetMs'> {
  readonly owner?: string | null;
  readonly read: (ctx: ReadContext) => Promise<Outcome<unknown>>;
  readonly dispose?: (value: unknown) => Promise<void>;
}
type Registry = NonNullable<Parameters<typeof runGraph>[2]['sources']>;
function registry(defs: Partial<Record<SourceKey, Fake>>): Registry {
  const records = Object.entries(defs).map(([key, d]) => [key, { key, label: key, layer: 'tcp', schema: null, ...d, owner: d.owner ?? null }]);
  // Fake values of any type: the runner never looks inside a value.
  return Object.fromEntries(records) as unknown as Registry;
}
const ok = <T>(value: T, ms = 1): Outcome<T> => ({ status: 'ok', value, ms });
const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

const run = (plan: SourceKey[], sources: ReturnType<typeof registry>, options: GatherOptions = OPTIONS, concurrency?: number) =>
  runGraph(new Set(plan), options, { signal: new AbortController().signal, sources, ...(concurrency ? { concurrency } : {}) });

describe('runGraph', () => {
  test('an input that failed skips its dependants, blocked by the input\'s owner check', async () => {
    const g = registry({
      tcp: { owner: 'tcp.connect', read: async () => ({ status: 'error', error: { code: 'TCP_REFUSED', layer: 'tcp', message: 'refused' }, ms: 1 }) },
      tls: { inputs: ['tcp'], read: async () => ok('never') },
      http2Host: { inputs: ['tls'], read: async () => ok('never') },
    });
    const r = await run(['tcp', 'tls', 'http2Host'], g);
    expect(r.outcomes.get('tls')).toEqual({ status: 'skipped', reason: 'tcp failed', blockedBy: 'tcp.connect' });
    // A skip is inherited as it is, down the chain.
    expect(r.outcomes.get('http2Host')).toEqual({ status: 'skipped', reason: 'tcp failed', blockedBy: 'tcp.connect' });
    expect(r.started).toEqual(['tcp']);
  });

  test('a read starts before its gate settles and is cut short when the gate closes', async () => {
    let aborted = false;
    const g = registry({
      tcp: { read: async () => (await delay(80), { status: 'error', error: { code: 'TCP_REFUSED', layer: 'tcp', message: 'x' }, ms: 80 }) },
      tls: {
        gates: [{ on: 'tcp', open: (o) => (o.status === 'ok' ? null : { status: 'skipped', reason: 'TCP connect failed', blockedBy: 'tcp.connect' }) }],
        read: async (ctx) => {
          try {
            await delay(5_000, ctx.signal);
          } catch {
            aborted = true;
          }
          return ok('late');
        },
      },
    });
    const started = Date.now();
    const r = await run(['tcp', 'tls'], g);
    expect(r.outcomes.get('tls')).toEqual({ status: 'skipped', reason: 'TCP connect failed', blockedBy: 'tcp.connect' });
    expect(aborted).toBe(true);
    expect(r.started).toEqual(['tcp', 'tls']);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  test('not applicable: skipped with the reason, its inputs never asked for', async () => {
    const g = registry({
      tcp: { read: async () => ok(1) },
      smoke: { applies: () => 'not requested (--smoke)', inputs: ['tcp'], read: async () => ok('never') },
    });
    const r = await run(['smoke'], g);
    expect(r.outcomes.get('smoke')).toEqual({ status: 'skipped', reason: 'not requested (--smoke)' });
    expect(r.started).toEqual([]);
  });

  test('a source outside the plan is never started, even when a planned one asks for its outcome', async () => {
    const g = registry({
      dns: { read: async () => ok(['10.0.0.1']) },
      dial: { after: ['dns'], read: async (ctx) => ok((await ctx.outcome('dns')).status) },
    });
    const r = await run(['dial'], g);
    expect(r.outcomes.get('dial')).toMatchObject({ status: 'ok', value: 'skipped' });
    expect(r.started).toEqual(['dial']);
  });

  test('at most `concurrency` reads at a time', async () => {
    let active = 0;
    let peak = 0;
    const read = async (): Promise<Outcome<number>> => {
      active++;
      peak = Math.max(peak, active);
      await delay(30);
      active--;
      return ok(1);
    };
    const keys: SourceKey[] = ['dns', 'tcp', 'tls', 'tlsNoSni', 'http2Host', 'http2Address', 'grpcHealth'];
    await run(keys, registry(Object.fromEntries(keys.map((k) => [k, { read }]))), OPTIONS, 2);
    expect(peak).toBe(2);
  });

  test('a read past its budget is an error naming the source, and is cut short', async () => {
    const g = registry({ tcp: { read: async (ctx) => (await delay(10_000, ctx.signal), ok(1)), budgetMs: () => 100 } });
    const started = Date.now();
    const r = await run(['tcp'], g);
    expect(r.outcomes.get('tcp')).toMatchObject({ status: 'error', error: { code: 'SOURCE_TIMEOUT' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('the user\'s own bad input (a UsageError) ends the run; any other throw is that source\'s internal error', async () => {
    const bad = registry({ 'k8s.cluster': { read: async () => Promise.reject(new UsageError('--kubeconfig x: no such file')) } });
    await expect(run(['k8s.cluster'], bad)).rejects.toBeInstanceOf(UsageError);
    const bug = registry({ tcp: { read: async () => Promise.reject(new Error('boom')) } });
    expect((await run(['tcp'], bug)).outcomes.get('tcp')).toMatchObject({ status: 'error', error: { code: 'PROBE_INTERNAL', message: 'boom' } });
  });

  test('dispose releases what an internal source holds, once the run is over', async () => {
    const released: string[] = [];
    const g = registry({ sdkSession: { read: async () => ok('session'), dispose: async (v) => void released.push(String(v)) } });
    const r = await run(['sdkSession'], g);
    expect(released).toEqual([]);
    await r.dispose();
    expect(released).toEqual(['session']);
  });
});
