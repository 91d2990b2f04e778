// Ports for the lab: drawn outside the ephemeral range, and a lost bind recognised in what each real
// component says (Node, nginx, milvus-lite), since that is what makes startLab start again.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findMilvusLite, startMilvusLite } from './milvus-lite.js';
import { findNginx, startNginx } from './nginx.js';
import { ephemeralRange, isAddressInUse, LOOPBACK, reservePorts } from './ports.js';

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, LOOPBACK, () => {
      held.push(s);
      resolve(s);
    });
  });
}

describe('reservePorts', () => {
  test('gives distinct ports below the kernel ephemeral range, free to bind, never the same twice in a process', async () => {
    const [low] = ephemeralRange();
    const first = await reservePorts(5);
    const second = await reservePorts(5);
    const all = [...first, ...second];
    expect(new Set(all).size).toBe(10);
    for (const port of all) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(low);
    }
    for (const port of first) await occupy(port);
  });
});

describe('isAddressInUse', () => {
  test("recognises Node's EADDRINUSE, through a cause chain", async () => {
    const [port] = await reservePorts(1);
    await occupy(port!);
    const error = await new Promise<Error>((resolve) => {
      const s = createServer();
      s.once('error', resolve);
      s.listen(port, LOOPBACK);
    });
    expect(isAddressInUse(error)).toBe(true);
    expect(isAddressInUse(new Error('lab failed', { cause: error }))).toBe(true);
    expect(isAddressInUse(new Error('nginx: [emerg] cannot load certificate'))).toBe(false);
    expect(isAddressInUse('EADDRINUSE')).toBe(false);
  });

  const nginx = findNginx();
  test('recognises real nginx losing its port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ports-nginx-'));
    try {
      const [frontPort, podPort] = await reservePorts(2);
      await occupy(podPort!);
      const error = await startNginx({
        bin: nginx ?? 'nginx',
        dir,
        front: null,
        pod: { port: podPort!, tlsPort: null, backendPort: 1, stubPort: 1, authorized: null, checkHealthToStub: false, certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') },
      }).catch((e: unknown) => e);
      expect(frontPort).not.toBe(podPort);
      expect(isAddressInUse(error)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const lite = findMilvusLite();
  test('recognises real milvus-lite losing its port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ports-lite-'));
    try {
      const [port] = await reservePorts(1);
      await occupy(port!);
      const error = await startMilvusLite({ bin: lite ?? 'milvus-lite', dataDir: dir, port: port! }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(isAddressInUse(error)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
