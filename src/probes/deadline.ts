// Every network wait in a probe is bounded: the work gets a signal that fires on timeout or on the
// caller's abort, so it can destroy its sockets; the caller gets the probe's own timeout error.
import type { Area } from '../model.js';
import { ProbeError } from '../errors.js';

export interface ProbeContext {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export function abortedError(layer: Area): ProbeError {
  return new ProbeError(layer, 'PROBE_ABORTED', 'the run was cancelled');
}

/**
 * Runs `work` with a deadline of `ms` (default ctx.timeoutMs). `onTimeout` is called when it passes,
 * so a probe with phases can name the phase it was in. The signal given to `work` is aborted when
 * the deadline passes, the run is cancelled, or `work` settles: cleanup hangs off that signal.
 */
export async function withDeadline<T>(
  ctx: ProbeContext,
  layer: Area,
  onTimeout: () => ProbeError,
  work: (signal: AbortSignal) => Promise<T>,
  ms: number = ctx.timeoutMs,
): Promise<T> {
  const done = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    const fail = (err: ProbeError): void => {
      reject(err);
      done.abort(err);
    };
    if (ctx.signal.aborted) {
      fail(abortedError(layer));
      return;
    }
    timer = setTimeout(() => fail(onTimeout()), ms);
    onAbort = () => fail(abortedError(layer));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    if (done.signal.aborted) return await stop;
    return await Promise.race([work(done.signal), stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    if (!done.signal.aborted) done.abort();
  }
}

/** `promise`, or PROBE_ABORTED as soon as the run is cancelled (for set-up work with no network wait). */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, layer: Area): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(layer));
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError(layer));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort!));
}

/** `host:port`, bracketing IPv6 literals. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function errnoOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
