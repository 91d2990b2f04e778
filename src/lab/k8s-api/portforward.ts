// Pod port-forward over WebSocket, as the kubelet's streaming server speaks it behind the apiserver:
// subprotocol v4.channel.k8s.io; for the i-th requested port a data channel 2i and an error channel
// 2i+1; each channel's first frame is the 2-byte little-endian port; every frame starts with its
// channel byte. Client → server frames on a data channel go to the backend TCP connection.

import { connect, type Socket } from 'node:net';
import type { WebSocket, RawData } from 'ws';
import type { PortTarget } from '../address.js';

export const PORT_FORWARD_PROTOCOL = 'v4.channel.k8s.io';

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function frame(channel: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), payload]);
}

function portFrame(channel: number, port: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUInt8(channel, 0);
  b.writeUInt16LE(port, 1);
  return b;
}

/** Runs one port-forward session on an accepted WebSocket; the returned function tears it down. */
export function servePortForward(ws: WebSocket, ports: readonly number[], resolve: (port: number) => PortTarget): () => void {
  const sockets: (Socket | undefined)[] = [];
  let closed = false;
  const closeAll = () => {
    if (closed) return;
    closed = true;
    for (const s of sockets) s?.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
  };

  ports.forEach((port, i) => {
    const data = 2 * i;
    const err = 2 * i + 1;
    ws.send(portFrame(data, port));
    ws.send(portFrame(err, port));
    const where = resolve(port);
    if ('error' in where) {
      ws.send(frame(err, Buffer.from(where.error)));
      closeAll();
      return;
    }
    const sock = connect(where.target.port, where.target.host);
    sockets[i] = sock;
    sock.on('data', (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(data, chunk));
    });
    sock.on('error', (e) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(err, Buffer.from(`error forwarding port ${port}: ${e.message}`)));
      closeAll();
    });
    // The backend hung up: kubelet ends the stream, and client-node sees the socket close.
    sock.on('close', closeAll);
  });

  ws.on('message', (raw: RawData) => {
    const buf = rawToBuffer(raw);
    if (buf.length === 0) return;
    const channel = buf[0];
    // Frames on error channels, or past the requested ports, carry nothing for the backend.
    if (channel % 2 !== 0) return;
    sockets[channel / 2]?.write(buf.subarray(1));
  });
  ws.on('close', () => {
    for (const s of sockets) s?.end();
    closed = true;
  });
  ws.on('error', closeAll);
  return () => {
    closeAll();
    ws.terminate();
  };
}
