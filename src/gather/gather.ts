// gather(): the facts the selected checks need, and nothing else, from one run of the source graph.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import type { Outcome } from '../model.js';
import type { Facts, TargetInfo } from '../facts/types.js';
import type { K8sFacts, K8sMeta } from '../platform/k8s/types.js';
import type { GatherOptions } from '../sources/options.js';
import { DATA_PATH_SOURCES } from '../sources/registry.js';
import { selectionFromFlags, type SelectionFact } from '../sources/selection.js';
import type { DataPathKey, K8sField, SourceKey } from '../sources/values.js';
import { AWS_SCHEMAS, GCP_SCHEMAS, K8S_SCHEMAS } from '../sources/fact-schemas.js';
import { planSources } from './plan.js';
import { runGraph, type StepListener } from './run-graph.js';

export interface Gathered {
  readonly facts: Facts;
  /** The sources that were started (tests prove what a selection never ran). */
  readonly started: readonly SourceKey[];
}

function credentialKind(o: GatherOptions): TargetInfo['credentials'] {
  if (o.credentials?.token) return 'token';
  if (o.credentials?.username) return 'user-password';
  return 'none';
}

const NOT_GATHERED = 'not gathered: no selected check reads it';

export async function gather(options: GatherOptions, needs: Iterable<SourceKey>, signal: AbortSignal, onStep?: StepListener): Promise<Gathered> {
  if (options.host === null && options.address === null && !options.k8s) {
    throw new UsageError('nothing to check: give --address and --host, or --namespace/--release to discover them from the cluster, or --manifests');
  }
  const started = Date.now();
  const plan = planSources(needs, options);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const run = await runGraph(plan, options, { signal, onStep }).finally(() => lag.disable());
  try {
    const outcome = <T>(key: SourceKey): Outcome<T> => (run.outcomes.get(key) as Outcome<T> | undefined) ?? { status: 'skipped', reason: NOT_GATHERED };
    const selection = outcome<SelectionFact>('selection');
    const chosen = selection.status === 'ok' ? selection.value : selectionFromFlags(options);
    const dataPath = Object.fromEntries((Object.keys(DATA_PATH_SOURCES) as DataPathKey[]).map((k) => [k, outcome(k)])) as Facts['dataPath'];

    const endpoint = outcome<{ host: string | null; address: string | null; serverName: string | null }>('endpoint');
    const host = options.host ?? chosen.host;
    const target: TargetInfo = {
      host,
      address: options.address ?? (endpoint.status === 'ok' ? endpoint.value.address : chosen.address),
      port: options.port,
      serverName: options.serverName ?? host,
      healthzUrl: options.healthzUrl,
      caFile: options.caFile,
      credentials: credentialKind(options),
      provider: options.provider !== 'auto' ? options.provider : chosen.provider,
      dnsServer: options.dnsServer,
    };
    return {
      facts: {
        schema: 2,
        target,
        gatheredAt: new Date(started).toISOString(),
        gatherMs: Date.now() - started,
        loopDelay: { p99Ms: Math.round(lag.percentile(99) / 1e6), maxMs: Math.round(lag.max / 1e6) },
        selection,
        dataPath,
        ...(options.k8s ? { k8s: k8sFacts(options, outcome) } : {}),
        aws: Object.fromEntries(Object.keys(AWS_SCHEMAS).map((f) => [f, outcome(`aws.${f}` as SourceKey)])) as NonNullable<Facts['aws']>,
        gcp: Object.fromEntries(Object.keys(GCP_SCHEMAS).map((f) => [f, outcome(`gcp.${f}` as SourceKey)])) as NonNullable<Facts['gcp']>,
      },
      started: run.started,
    };
  } finally {
    await run.dispose();
  }
}

function k8sFacts(options: GatherOptions, outcome: <T>(key: SourceKey) => Outcome<T>): K8sFacts {
  const cluster = outcome<{ meta: K8sMeta }>('k8s.cluster');
  const k = options.k8s;
  const meta: K8sMeta =
    cluster.status === 'ok'
      ? cluster.value.meta
      : {
          source: k?.mode === 'manifests' ? 'manifests' : 'live',
          namespace: k?.namespace ?? 'default',
          context: k?.context ?? null,
          requested: { release: k?.release ?? null, service: k?.service ?? null, ingress: k?.ingress ?? null },
          files: [],
        };
  const fields = Object.fromEntries((Object.keys(K8S_SCHEMAS) as K8sField[]).map((f) => [f, outcome(`k8s.${f}`)]));
  return { ...meta, ...(fields as Omit<K8sFacts, keyof K8sMeta>) };
}
