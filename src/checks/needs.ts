// The sources the selected checks read: each check's needs, where the options do not already rule the check
// out (another provider named with --provider, the other mode). Gather plans from these roots.
import { CATALOG } from '../catalog.js';
import type { CheckDef } from './define.js';
import type { GatherOptions } from '../sources/options.js';
import type { SourceKey } from '../sources/values.js';

function ruledOut(def: CheckDef, options: GatherOptions): boolean {
  const provider = def.appliesTo?.provider;
  if (provider && options.provider !== 'auto' && options.provider !== provider) return true;
  const mode = def.appliesTo?.mode;
  if (mode && options.k8s && (options.k8s.mode === 'manifests') !== (mode === 'offline')) return true;
  return false;
}

export function rootNeeds(selected: Iterable<string>, options: GatherOptions): SourceKey[] {
  const ids = new Set(selected);
  return [...new Set(CATALOG.filter((c) => ids.has(c.id) && !ruledOut(c, options)).flatMap((c) => c.needs))];
}
