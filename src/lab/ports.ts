// Ephemeral loopback ports for components that take a port number rather than binding port 0
// themselves (nginx, milvus-lite). Reserved together so they are distinct; the window between
// release and reuse is a race the lab accepts.
import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

function listenEphemeral(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve(server));
  });
}

export async function reservePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listenEphemeral));
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}
