// A listener that accepts TCP connections and never says a word: what a client sees behind a
// black-holing middlebox. Only a handshake deadline gets it out.
import { createServer, type Socket } from 'node:net';
import { LOOPBACK } from './ports.js';

export interface Tarpit {
  close(): Promise<void>;
}

export async function startTarpit(port: number): Promise<Tarpit> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => sockets.delete(socket));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}
