// The main thread's handle on the Compute client's thread (compute-worker.ts). Every call is bounded here,
// whatever the thread is doing: the generated client does not time out a server that accepts and stays
// silent (measured: it waits forever), so the deadline is ours, and a call cut short is an `error` naming
// the Compute method. Terminating the thread at the end of the run drops whatever is still in flight.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorCode, Outcome } from '../../model.js';
import { COMPUTE_METHODS, type ComputeConnection, type ComputeFailure, type ComputeMethod, type FromComputeWorker } from './methods.js';

function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith('.ts') ? fileURLToPath(new URL('../../../dist/src/sources/gcp/compute-worker.js', import.meta.url)) : here.replace(/compute\.js$/, 'compute-worker.js');
  if (!existsSync(built)) throw new Error(`the Compute worker is not built (${built}): run npm run build`);
  return built;
}

export interface CallContext {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export interface ComputeError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly status: number | null;
}

export type CallResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ComputeError };

/** The message of a Compute error body ({"error":{"message":…}}), or the text itself. */
function bodyMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON: the text is the message
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function computeError(method: ComputeMethod, failure: ComputeFailure): ComputeError {
  const permission = COMPUTE_METHODS[method].permission;
  switch (failure.kind) {
    case 'http': {
      const why = bodyMessage(failure.message);
      if (failure.status === 403) return { code: 'GCP_PERMISSION_DENIED', status: 403, message: `${method}: permission ${permission} denied (${why})` };
      if (failure.status === 401) return { code: 'GCP_UNAUTHENTICATED', status: 401, message: `${method}: the credentials were refused (${why})` };
      if (failure.status === 404) return { code: 'GCP_NOT_FOUND', status: 404, message: `${method}: not found (${why})` };
      return { code: 'GCP_API_ERROR', status: failure.status, message: `${method}: HTTP ${failure.status} (${why})` };
    }
    case 'bad-answer':
      return { code: 'GCP_BAD_ANSWER', status: null, message: `${method}: the answer is not a Compute resource (${failure.message})` };
    case 'network':
      return { code: 'GCP_UNREACHABLE', status: null, message: `${method}: the Compute API did not answer (${failure.code ?? failure.message})` };
    case 'credentials':
      return { code: 'GCP_NO_CREDENTIALS', status: null, message: `${method}: no usable Google credentials (${failure.message})` };
    case 'internal':
      return { code: 'GCP_CLIENT_ERROR', status: null, message: `${method}: ${failure.message}` };
  }
}

export class ComputeApi {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (m: FromComputeWorker | { type: 'gone'; why: string }) => void>();
  private nextId = 1;
  private gone: string | null = null;
  /** Every method called, in order: what the role replay test holds against the generated role. */
  readonly called: ComputeMethod[] = [];

  private static warm: Worker | null = null;

  /** Starts the thread (loading the clients' code) before the run knows what it will ask. */
  static prewarm(): void {
    if (ComputeApi.warm) return;
    try {
      ComputeApi.warm = new Worker(workerFile());
      ComputeApi.warm.unref();
    } catch {
      // Reported by the constructor, where the reads can say so.
    }
  }

  static async discardWarm(): Promise<void> {
    const warm = ComputeApi.warm;
    ComputeApi.warm = null;
    if (warm) await warm.terminate();
  }

  constructor(
    readonly project: string,
    connection: ComputeConnection,
    /** How long the clients may take to load before a call counts as not answered. */
    private readonly loadMs: number,
  ) {
    const warm = ComputeApi.warm;
    ComputeApi.warm = null;
    this.worker = warm ?? new Worker(workerFile());
    this.worker.ref();
    this.worker.on('message', (m: FromComputeWorker) => this.pending.get(m.id)?.(m));
    const fail = (why: string) => {
      this.gone ??= why;
      for (const settle of [...this.pending.values()]) settle({ type: 'gone', why });
    };
    this.worker.on('error', (err) => fail(`the Compute worker failed: ${err.message}`));
    this.worker.on('exit', (code) => fail(`the Compute worker exited (${code})`));
    this.worker.postMessage({ type: 'connect', connection });
  }

  /** One Compute call: `ok` with the plain object, or the error that names the method; never later than the deadline. */
  call(method: ComputeMethod, request: Record<string, unknown>, ctx: CallContext): Promise<CallResult> {
    this.called.push(method);
    if (this.gone) return Promise.resolve({ ok: false, error: { code: 'GCP_CLIENT_ERROR', status: null, message: `${method}: ${this.gone}` } });
    const id = this.nextId++;
    return new Promise<CallResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number, message: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => settle({ ok: false, error: { code: 'GCP_TIMEOUT', status: null, message } }), ms);
      };
      const settle = (r: CallResult) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        resolve(r);
      };
      const onAbort = () => settle({ ok: false, error: { code: 'PROBE_ABORTED', status: null, message: `${method}: cut short` } });
      this.pending.set(id, (m) => {
        if (m.type === 'sent') arm(ctx.timeoutMs, `${method}: no answer within ${ctx.timeoutMs} ms`);
        else if (m.type === 'ok') settle({ ok: true, value: m.value });
        else if (m.type === 'failed') settle({ ok: false, error: computeError(method, m.failure) });
        else settle({ ok: false, error: { code: 'GCP_CLIENT_ERROR', status: null, message: `${method}: ${m.why}` } });
      });
      arm(this.loadMs + ctx.timeoutMs, `${method}: the Compute client did not load and answer within ${this.loadMs + ctx.timeoutMs} ms`);
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      this.worker.postMessage({ type: 'call', id, method, request, timeoutMs: ctx.timeoutMs });
    });
  }

  async close(): Promise<void> {
    this.gone ??= 'the Compute worker was closed';
    await this.worker.terminate();
  }
}

export function errorOutcome(e: ComputeError, ms: number): Outcome<never> {
  return { status: 'error', error: { code: e.code, layer: 'gcp', message: e.message, ...(e.status !== null ? { detail: { status: e.status } } : {}) }, ms };
}
