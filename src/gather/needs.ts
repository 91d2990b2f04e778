// From the selected checks to the sources a run gathers: each check's needs, where the check applies.
import { CATALOG } from '../catalog.js';
import type { CheckDef } from '../checks/define.js';
import type { GatherOptions } from '../sources/options.js';
import type { SourceKey } from '../sources/values.js';
import { planSources } from './plan.js';

/** Whether the options already rule the check out (another provider named with --provider). */
function ruledOut(def: CheckDef, options: GatherOptions): boolean {
  const provider = def.appliesTo?.provider;
  if (provider && options.provider !== 'auto' && options.provider !== provider) return true;
  const mode = def.appliesTo?.mode;
  if (mode && options.k8s && (options.k8s.mode === 'manifests') !== (mode === 'offline')) return true;
  return false;
}

/** The planned sources (needs, transitively) of these checks under these options. */
export function neededSources(selected: Iterable<string>, options: GatherOptions): Set<SourceKey> {
  const ids = new Set(selected);
  const roots = CATALOG.filter((c) => ids.has(c.id) && !ruledOut(c, options)).flatMap((c) => c.needs);
  return planSources(roots, options);
}
