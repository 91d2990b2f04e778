// The Milvus SDK probes (version, health, latency, smoke) run in a worker thread with one SDK client:
// see milvus-worker.ts for why. This is the main thread's handle on it. Outcomes come back as the
// same plain data runProbe makes; a probe cut short here is cut short there; close() terminates the
// thread, which also drops a call still waiting on a tarpit without waiting for its timeout.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Outcome } from '../model.js';
import type { LatencyFact, MilvusHealthFact, MilvusVersionFact, SmokeFact } from '../facts/types.js';
import { abortedError, type ProbeContext } from './deadline.js';
import { internalError } from './outcome.js';
import type { MilvusTarget } from './milvus.js';

export type SdkProbeKind = 'version' | 'health' | 'latency' | 'smoke';

interface SdkFacts {
  readonly version: MilvusVersionFact;
  readonly health: MilvusHealthFact;
  readonly latency: LatencyFact;
  readonly smoke: SmokeFact;
}

export type ToWorker =
  | { readonly type: 'open'; readonly target: MilvusTarget; readonly timeoutMs: number }
  | { readonly type: 'run'; readonly id: number; readonly kind: SdkProbeKind; readonly timeoutMs: number; readonly samples: number }
  | { readonly type: 'abort'; readonly id: number };

interface FromWorker {
  readonly id: number;
  readonly outcome: Outcome<unknown>;
}

/** The compiled worker: beside this file when built; from the build when this runs as TypeScript (tests). */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith('.ts') ? fileURLToPath(new URL('../../dist/src/probes/milvus-worker.js', import.meta.url)) : here.replace(/sdk-worker\.js$/, 'milvus-worker.js');
  if (!existsSync(built)) throw new Error(`the SDK worker is not built (${built}): run npm run build`);
  return built;
}

export class SdkWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (outcome: Outcome<unknown>) => void>();
  private nextId = 1;
  private gone: string | null = null;

  private static warm: Worker | null = null;

  /**
   * Starts a thread for the next SdkWorker to take, so that loading the SDK overlaps the CLI's own
   * start-up (loading the judging engine) as well as the first probes.
   */
  static prewarm(): void {
    if (SdkWorker.warm) return;
    try {
      SdkWorker.warm = new Worker(workerFile());
      SdkWorker.warm.unref();
    } catch {
      // Reported by the constructor, where the probes can say so.
    }
  }

  static async discardWarm(): Promise<void> {
    const warm = SdkWorker.warm;
    SdkWorker.warm = null;
    if (warm) await warm.terminate();
  }

  /** Takes the prewarmed thread, else starts one; it starts loading the SDK at once. */
  constructor() {
    const warm = SdkWorker.warm;
    SdkWorker.warm = null;
    this.worker = warm ?? new Worker(workerFile());
    this.worker.ref();
    this.worker.on('message', (m: FromWorker) => this.pending.get(m.id)?.(m.outcome));
    const fail = (why: string) => {
      this.gone ??= why;
      for (const settle of [...this.pending.values()]) settle(internalError('milvus', why));
    };
    this.worker.on('error', (err) => fail(`the SDK worker failed: ${err.message}`));
    this.worker.on('exit', (code) => fail(`the SDK worker exited (${code})`));
  }

  /** Builds the client for this target (credentials included: they stay in this process). */
  open(target: MilvusTarget, timeoutMs: number): void {
    this.post({ type: 'open', target, timeoutMs });
  }

  run<K extends SdkProbeKind>(kind: K, ctx: ProbeContext, samples = 0): Promise<Outcome<SdkFacts[K]>> {
    if (this.gone) return Promise.resolve(internalError('milvus', this.gone));
    const id = this.nextId++;
    const started = performance.now();
    return new Promise<Outcome<SdkFacts[K]>>((resolve) => {
      const settle = (outcome: Outcome<unknown>) => {
        ctx.signal.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        resolve(outcome as Outcome<SdkFacts[K]>);
      };
      // Cut short here at once (the thread may be busy loading the SDK); the thread is told as well.
      const onAbort = () => {
        this.post({ type: 'abort', id });
        settle({ status: 'error', error: abortedError('milvus').toInfo(), ms: Math.round(performance.now() - started) });
      };
      this.pending.set(id, settle);
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      this.post({ type: 'run', id, kind, timeoutMs: ctx.timeoutMs, samples });
    });
  }

  async close(): Promise<void> {
    this.gone ??= 'the SDK worker was closed';
    await this.worker.terminate();
  }

  private post(message: ToWorker): void {
    if (!this.gone) this.worker.postMessage(message);
  }
}
