// The SDK's thread as the gather uses it: a probe cut short comes back at once, a thread that goes
// away answers every probe still waiting, and a healthy path is probed end to end from the thread.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SdkWorker } from './sdk-worker.js';
import { HOST, makePki, startMilvusFront, type MilvusFront } from '../../test/kits/testkit.js';

let tarpit: Server;
const held = new Set<Socket>();
let tarpitPort = 0;
beforeAll(async () => {
  tarpit = createServer((s) => held.add(s));
  tarpitPort = await new Promise<number>((resolve) => tarpit.listen(0, '127.0.0.1', () => resolve((tarpit.address() as { port: number }).port)));
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((r) => tarpit.close(() => r()));
});

const tarpitTarget = () => ({ address: '127.0.0.1', port: tarpitPort, serverName: HOST, authority: HOST, ca: null, credentials: null });

describe('SdkWorker', () => {
  test('a probe cut short on a tarpit is PROBE_ABORTED at once, not at its timeout', async () => {
    const worker = new SdkWorker();
    try {
      worker.open(tarpitTarget(), 30_000);
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 300);
      const outcome = await worker.run('version', { signal: controller.signal, timeoutMs: 30_000 });
      expect(outcome).toMatchObject({ status: 'error', error: { code: 'PROBE_ABORTED', layer: 'milvus' } });
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await worker.close();
    }
  });

  test('closing the thread answers every probe still waiting, and later ones too', async () => {
    const worker = new SdkWorker();
    worker.open(tarpitTarget(), 30_000);
    const pending = worker.run('health', { signal: new AbortController().signal, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 200));
    await worker.close();
    expect(await pending).toMatchObject({ status: 'error', error: { code: 'PROBE_INTERNAL' } });
    expect(await worker.run('version', { signal: new AbortController().signal, timeoutMs: 1_000 })).toMatchObject({ status: 'error', error: { code: 'PROBE_INTERNAL' } });
  });

  describe('through nginx to milvus-lite', () => {
    let front: MilvusFront;
    let ca: string;
    beforeAll(async () => {
      const pki = await makePki();
      ca = pki.root.certPem;
      front = await startMilvusFront(pki);
    });
    afterAll(async () => {
      await front?.stop();
    });

    test('version, health and latency come back as facts from the thread', async () => {
      const worker = new SdkWorker();
      try {
        worker.open({ address: '127.0.0.1', port: front.port, serverName: HOST, authority: HOST, ca: [ca], credentials: null }, 10_000);
        const ctx = { signal: new AbortController().signal, timeoutMs: 10_000 };
        const [version, health, latency] = await Promise.all([worker.run('version', ctx), worker.run('health', ctx), worker.run('latency', ctx, 3)]);
        expect(version.status === 'ok' && version.value.version).toMatch(/^milvus_lite/);
        expect(health).toMatchObject({ status: 'ok', value: { isHealthy: true } });
        expect(latency).toMatchObject({ status: 'ok', value: { samples: 3, failed: 0 } });
      } finally {
        await worker.close();
      }
    });
  });
});
