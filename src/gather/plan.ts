// Which sources a run gathers: what the selected checks need, transitively through inputs, `after` and
// gates, leaving out what does not apply with these options (and then its needs too).
import { resolve, type SourceDef } from '../sources/define.js';
import type { GatherOptions } from '../sources/options.js';
import { SOURCES } from '../sources/registry.js';
import type { SourceKey } from '../sources/values.js';

/** Every source a source may wait for with these options. */
export function dependenciesOf(key: SourceKey, options: GatherOptions): SourceKey[] {
  const def = SOURCES[key] as SourceDef;
  if (def.applies?.(options)) return [];
  return [...resolve(def.inputs, options, []), ...resolve(def.after, options, []), ...resolve(def.gates, options, []).map((g) => g.on)];
}

export function planSources(needs: Iterable<SourceKey>, options: GatherOptions): Set<SourceKey> {
  const plan = new Set<SourceKey>();
  const visit = (key: SourceKey, path: readonly SourceKey[]): void => {
    if (path.includes(key)) throw new Error(`source graph cycle: ${[...path, key].join(' → ')}`);
    if (plan.has(key)) return;
    for (const d of dependenciesOf(key, options)) visit(d, [...path, key]);
    plan.add(key);
  };
  for (const k of needs) visit(k, []);
  return plan;
}

/**
 * Starts what planned sources prepare ahead (the SDK's thread) before anything else loads; returns how to
 * release what no read took, once the run is over.
 */
export function prepareSources(plan: ReadonlySet<SourceKey>, options: GatherOptions): () => Promise<void> {
  const releases: (() => Promise<void>)[] = [];
  for (const k of plan) {
    const def = SOURCES[k] as SourceDef;
    const release = def.applies?.(options) ? undefined : def.prepare?.(options);
    if (release) releases.push(release);
  }
  return async () => {
    await Promise.all(releases.map((r) => r().catch(() => undefined)));
  };
}
