// Turns a probe into an Outcome: timed, with its ProbeError kept as data. Anything that is not a
// ProbeError is our own bug, reported as PROBE_INTERNAL at the layer the caller names.
import type { Area, Outcome, Skipped } from '../model.js';
import { ProbeError } from '../errors.js';

export async function runProbe<T>(fn: () => Promise<T>, layer: Area = 'tcp'): Promise<Outcome<T>> {
  const started = performance.now();
  try {
    const value = await fn();
    return { status: 'ok', value, ms: elapsed(started) };
  } catch (err) {
    if (err instanceof ProbeError) return { status: 'error', error: err.toInfo(), ms: elapsed(started) };
    return internalError(layer, err, elapsed(started));
  }
}

/** Our own bug (not a finding about the target) as an outcome: PROBE_INTERNAL at `layer`. */
export function internalError(layer: Area, err: unknown, ms = 0): Outcome<never> {
  return { status: 'error', error: { code: 'PROBE_INTERNAL', layer, message: err instanceof Error ? err.message : String(err) }, ms };
}

export function skipped(reason: string, blockedBy?: string | null): Skipped {
  return blockedBy ? { status: 'skipped', reason, blockedBy } : { status: 'skipped', reason };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
