// The sources the selected checks read: each check's needs, where the options do not already rule the check
// out (another provider named with --provider, the other mode). Gather plans from these roots.
import { CATALOG } from '../catalog.js';
import { outOfScope, type CheckDef } from './define.js';
import type { GatherOptions } from '../sources/options.js';
import type { SourceKey } from '../sources/values.js';

/** Whether the options already rule the check out: --provider names another, or the mode is the other. */
function ruledOut(def: CheckDef, options: GatherOptions): boolean {
  return outOfScope(def, options.provider === 'auto' ? null : options.provider, options.k8s?.mode === 'manifests') !== null;
}

export function rootNeeds(selected: Iterable<string>, options: GatherOptions): SourceKey[] {
  const ids = new Set(selected);
  return [...new Set(CATALOG.filter((c) => ids.has(c.id) && !ruledOut(c, options)).flatMap((c) => c.needs))];
}
