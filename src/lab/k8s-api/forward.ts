// The pods/portforward subresource: the HTTP upgrade to a WebSocket (v4.channel.k8s.io), checked as the
// apiserver checks it, then the session from portforward.ts to where each pod port lands in the lab.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { podPortTarget } from '../world.js';
import { authenticated, authorize } from './access.js';
import type { ApiContext } from './context.js';
import { servePortForward, PORT_FORWARD_PROTOCOL } from './portforward.js';
import { decodeSegments, parseResourcePath } from './request.js';
import { getObject } from './store.js';
import { HTTP_REASON, internalError, NOT_FOUND_PATH, statusBody, StatusError, UNAUTHORIZED, type Status } from './status.js';

function rejectUpgrade(socket: Duplex, s: Status): void {
  const body = JSON.stringify(statusBody(s));
  const reason = HTTP_REASON[s.code] ?? 'Error';
  socket.end(`HTTP/1.1 ${s.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The WebSocket server port-forward upgrades go to; it picks the only subprotocol the lab speaks. */
export function createForwardSockets(): WebSocketServer {
  return new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has(PORT_FORWARD_PROTOCOL) ? PORT_FORWARD_PROTOCOL : false) });
}

export function serveUpgrade(ctx: ApiContext, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  try {
    const url = new URL(req.url ?? '/', 'http://lab');
    if (authenticated(req, ctx.token) !== 'ok') return rejectUpgrade(socket, UNAUTHORIZED);
    const r = parseResourcePath(ctx.resources, decodeSegments(url.pathname), false);
    if (!r || r.res.resource !== 'pods' || r.subresource !== 'portforward' || r.name === undefined) return rejectUpgrade(socket, NOT_FOUND_PATH);
    authorize(ctx, ['get', 'create'], r);
    const podName = r.name;
    getObject(ctx, r.res, r.namespace, podName);
    const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).map((p) => Number(p.trim()));
    if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
      return rejectUpgrade(socket, { code: 400, reason: 'BadRequest', message: 'invalid port forward request: "ports" must name one or more ports in 1-65535' });
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(PORT_FORWARD_PROTOCOL)) {
      return rejectUpgrade(socket, { code: 400, reason: 'BadRequest', message: `unable to upgrade: the lab supports only the ${PORT_FORWARD_PROTOCOL} subprotocol` });
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const close = servePortForward(ws, ports, (port) => podPortTarget(ctx.world, podName, port));
      ctx.sessions.add(close);
      ws.on('close', () => ctx.sessions.delete(close));
    });
  } catch (e) {
    if (e instanceof StatusError) return rejectUpgrade(socket, e.status);
    rejectUpgrade(socket, { ...internalError(e), message: e instanceof Error ? e.message : String(e) });
  }
}
