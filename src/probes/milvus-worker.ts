// The Milvus SDK's side of SdkWorker (sdk-worker.ts), in a worker thread. Loading the SDK and building
// its client is about a second of synchronous CPU; on the main thread that stalls every other probe's
// sockets and timers (and so their timings), in here it runs on another core while they proceed.
import { parentPort } from 'node:worker_threads';
import type { Outcome } from '../model.js';
import { MilvusSession, preloadSdk, probeMilvusHealth, probeMilvusLatency, probeMilvusSmoke, probeMilvusVersion, type MilvusTarget } from './milvus.js';
import { internalError, runProbe } from './outcome.js';
import type { SdkProbeKind, ToWorker } from './sdk-worker.js';

const port = parentPort;
if (!port) throw new Error('milvus-worker runs as a worker thread');

preloadSdk();
let session: MilvusSession | null = null;
const running = new Map<number, AbortController>();

function run(kind: SdkProbeKind, s: MilvusSession, signal: AbortSignal, timeoutMs: number, samples: number): Promise<Outcome<unknown>> {
  const ctx = { signal, timeoutMs };
  const target: MilvusTarget = s.target;
  switch (kind) {
    case 'version':
      return runProbe(() => probeMilvusVersion(target, ctx, s), 'milvus');
    case 'health':
      return runProbe(() => probeMilvusHealth(target, ctx, s), 'milvus');
    case 'latency':
      return runProbe(() => probeMilvusLatency(target, samples, ctx, s), 'milvus');
    case 'smoke':
      return runProbe(() => probeMilvusSmoke(target, ctx, s), 'milvus');
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'open':
      session = new MilvusSession(message.target, message.timeoutMs);
      // Build the client now: the probes that follow find it ready.
      session.get().catch(() => undefined);
      return;
    case 'abort':
      running.get(message.id)?.abort();
      return;
    case 'run': {
      const s = session;
      if (!s) {
        port.postMessage({ id: message.id, outcome: internalError('milvus', 'the SDK worker has no target') });
        return;
      }
      const controller = new AbortController();
      running.set(message.id, controller);
      void run(message.kind, s, controller.signal, message.timeoutMs, message.samples).then((outcome) => {
        running.delete(message.id);
        port.postMessage({ id: message.id, outcome });
      });
      return;
    }
  }
});
