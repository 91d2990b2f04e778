// startLab starts afresh when a component loses its port to another process between reservation and
// bind (the race CI hit with test files side by side). The first reservation is made to collide.
import { createServer, type Server } from 'node:net';
import { afterAll, expect, test, vi } from 'vitest';

const blockers: Server[] = [];
let collided = 0;

vi.mock('./ports.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./ports.js')>();
  return {
    ...real,
    reservePorts: async (count: number) => {
      const ports = await real.reservePorts(count);
      if (collided === 0) {
        collided++;
        // Another process binds the front and pod ports after they were reserved.
        for (const port of ports.slice(0, 2)) {
          const s = createServer();
          await new Promise<void>((resolve) => s.listen(port, real.LOOPBACK, () => resolve()));
          blockers.push(s);
        }
      }
      return ports;
    },
  };
});

const { startLab } = await import('./lab.js');

afterAll(async () => {
  await Promise.all(blockers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

test.each([
  ['nginx', {}],
  ['the Node proxy', { nginx: false, milvusLite: false }],
] as const)('a port taken while starting makes the lab start again (%s)', async (_name, prefer) => {
  collided = 0;
  const lines: string[] = [];
  const lab = await startLab({ kubernetes: false, prefer, logger: (l) => lines.push(l) });
  try {
    expect(collided).toBe(1);
    expect(lines.join('\n')).toMatch(/a port was taken while starting .*starting again/);
    const blocked = blockers.map((s) => (s.address() as { port: number }).port);
    expect(blocked).not.toContain(lab.port);
  } finally {
    await lab.stop();
  }
}, 60_000);
