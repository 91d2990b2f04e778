// Turns a probe into an Outcome: timed, with its ProbeError kept as data. Anything that is not a
// ProbeError is our own bug, reported as PROBE_INTERNAL at the layer the caller names.
import type { Area, Outcome } from '../model.js';
import { ProbeError } from '../errors.js';

export async function runProbe<T>(fn: () => Promise<T>, layer: Area = 'tcp'): Promise<Outcome<T>> {
  const started = performance.now();
  try {
    const value = await fn();
    return { status: 'ok', value, ms: elapsed(started) };
  } catch (err) {
    const error =
      err instanceof ProbeError
        ? err.toInfo()
        : { code: 'PROBE_INTERNAL', layer, message: err instanceof Error ? err.message : String(err) };
    return { status: 'error', error, ms: elapsed(started) };
  }
}

export function skipped<T>(reason: string, blockedBy?: string): Outcome<T> {
  return blockedBy ? { status: 'skipped', reason, blockedBy } : { status: 'skipped', reason };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
