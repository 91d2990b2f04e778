// Runs the planned part of the source graph: each source as soon as its inputs are in, speculatively
// ahead of its gates, at most `concurrency` reads at a time, every read bounded in time. Every planned
// source ends with an Outcome; one that is not planned is never started.
import type { Outcome } from '../model.js';
import { UsageError } from '../errors.js';
import { internalError } from '../probes/outcome.js';
import { resolve, type Gate, type ReadContext, type Skip, type SourceDef } from '../sources/define.js';
import type { GatherOptions } from '../sources/options.js';
import { SOURCES } from '../sources/registry.js';
import type { SourceKey, ValueOf } from '../sources/values.js';

export type StepStatus = Outcome<unknown>['status'];
export type StepListener = (key: string, status: StepStatus, ms: number) => void;

export interface GraphRun {
  readonly outcomes: ReadonlyMap<SourceKey, Outcome<unknown>>;
  /** Every source that was started, in the order it started (tests assert what never ran). */
  readonly started: readonly SourceKey[];
  /** Releases what internal sources hold (the SDK thread). */
  dispose(): Promise<void>;
}

export interface RunGraphOptions {
  readonly signal: AbortSignal;
  readonly onStep?: StepListener;
  readonly concurrency?: number;
  /** The registry to run (tests run small graphs of their own). */
  readonly sources?: Registry;
}

type Registry = { readonly [K in SourceKey]?: SourceDef<K> };

const DEFAULT_CONCURRENCY = 24;

/** Inputs that did not pass: the first one's skip is inherited, an error blocks on its owner. */
function inherit(sources: Registry, key: SourceKey, outcome: Outcome<unknown>): Skip {
  if (outcome.status === 'skipped') return outcome;
  const def = sources[key] as SourceDef;
  return { status: 'skipped', reason: `${def.label} failed`, ...(def.owner ? { blockedBy: def.owner } : {}) };
}

function gateResult(sources: Registry, gate: Gate, outcome: Outcome<unknown>, options: GatherOptions): Skip | null {
  if (gate.open) return gate.open(outcome, options);
  return outcome.status === 'ok' ? null : inherit(sources, gate.on, outcome);
}

/** A counting semaphore: reads beyond the bound wait for a slot. */
function limiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** Races a read against its budget, so that no source can hold a run past its deadlines. */
function withBudget<T>(read: Promise<Outcome<T>>, ms: number, def: SourceDef, cancel: AbortController): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<Outcome<T>>((r) => {
    timer = setTimeout(() => {
      cancel.abort();
      r({ status: 'error', error: { code: 'SOURCE_TIMEOUT', layer: def.layer, message: `${def.label}: no result within ${ms} ms` }, ms });
    }, ms);
    timer.unref?.();
  });
  return Promise.race([read, budget]).finally(() => clearTimeout(timer));
}

export function runGraph(plan: ReadonlySet<SourceKey>, options: GatherOptions, run: RunGraphOptions): Promise<GraphRun> {
  const sources: Registry = run.sources ?? SOURCES;
  const results = new Map<SourceKey, Promise<Outcome<unknown>>>();
  const started: SourceKey[] = [];
  const slot = limiter(run.concurrency ?? DEFAULT_CONCURRENCY);
  let fatal: unknown = null;

  const get = (key: SourceKey): Promise<Outcome<unknown>> => {
    let p = results.get(key);
    if (!p) {
      if (!plan.has(key)) return Promise.resolve({ status: 'skipped', reason: `${sources[key]?.label ?? key}: not gathered in this run` });
      p = start(key);
      results.set(key, p);
    }
    return p;
  };

  const settle = (def: SourceDef, outcome: Outcome<unknown>): Outcome<unknown> => {
    if (def.schema !== null) run.onStep?.(def.key, outcome.status, outcome.status === 'skipped' ? 0 : outcome.ms);
    return outcome;
  };

  const start = async (key: SourceKey): Promise<Outcome<unknown>> => {
    const def = sources[key] as SourceDef;
    const notApplicable = def.applies?.(options) ?? null;
    if (notApplicable !== null) return settle(def, { status: 'skipped', reason: notApplicable });

    const inputs = resolve(def.inputs, options, []);
    const after = new Set(resolve(def.after, options, []));
    const gates = resolve(def.gates, options, []);
    const gatesClosed = Promise.all(gates.map(async (g) => gateResult(sources, g, await get(g.on), options))).then((r) => r.find((x) => x !== null) ?? null);
    const inputOutcomes = await Promise.all(inputs.map(get));
    const failed = inputOutcomes.findIndex((o) => o.status !== 'ok');

    let read: Promise<Outcome<unknown>> | null = null;
    const cancel = new AbortController();
    if (failed < 0) {
      const values = new Map(inputs.map((k, i) => [k, inputOutcomes[i]]));
      const ctx: ReadContext = {
        options,
        timeoutMs: options.timeoutMs,
        signal: AbortSignal.any([run.signal, cancel.signal]),
        value<J extends SourceKey>(k: J): ValueOf<J> {
          const o = values.get(k);
          if (!o || o.status !== 'ok') throw new Error(`source ${key} read ${k}, which is not one of its inputs`);
          return o.value as ValueOf<J>;
        },
        outcome<J extends SourceKey>(k: J): Promise<Outcome<ValueOf<J>>> {
          if (!after.has(k) && !values.has(k)) return Promise.reject(new Error(`source ${key} awaited ${k}, which it does not declare`));
          return get(k) as Promise<Outcome<ValueOf<J>>>;
        },
      };
      started.push(key);
      // A safety net, not a deadline: the reads time their own network waits; this one must not measure module
      // loading on a busy machine (the SDK thread takes seconds there), so by default it never goes below 30 s.
      const budget = def.budgetMs?.(options) ?? Math.max(options.timeoutMs * 3 + 1000, 30_000);
      read = slot(() =>
        withBudget(
          def.read(ctx).catch((err: unknown): Outcome<unknown> => {
            // The user's own input (a kubeconfig, a manifest) ends the run with exit 2, not a finding.
            if (err instanceof UsageError) fatal ??= err;
            return internalError(def.layer, err);
          }),
          budget,
          def,
          cancel,
        ),
      );
      // Awaited below, after the gates: never an unhandled rejection meanwhile.
      read.catch(() => undefined);
    }
    const closed = await gatesClosed;
    if (closed) {
      cancel.abort();
      if (read) await read.catch(() => undefined);
      return settle(def, closed);
    }
    if (!read) return settle(def, inherit(sources, inputs[failed], inputOutcomes[failed]));
    return settle(def, await read);
  };

  return (async () => {
    await Promise.all([...plan].map(get));
    if (fatal) {
      await disposeAll(sources, results);
      throw fatal;
    }
    return { outcomes: await collect(results), started, dispose: () => disposeAll(sources, results) };
  })();
}

async function collect(results: Map<SourceKey, Promise<Outcome<unknown>>>): Promise<Map<SourceKey, Outcome<unknown>>> {
  const out = new Map<SourceKey, Outcome<unknown>>();
  for (const [k, p] of results) out.set(k, await p);
  return out;
}

async function disposeAll(sources: Registry, results: Map<SourceKey, Promise<Outcome<unknown>>>): Promise<void> {
  await Promise.all(
    [...results].map(async ([k, p]) => {
      const def = sources[k] as SourceDef;
      const o = await p;
      if (def?.dispose && o.status === 'ok') await def.dispose(o.value as never).catch(() => undefined);
    }),
  );
}
