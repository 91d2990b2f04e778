// The lab's L7 front and pod router in Node, for machines without nginx. Same behaviour as the
// nginx configuration (src/lab/nginx.ts): TLS + ALPN h2 with a host rule on :authority and a
// default 404, gRPC forwarded over h2c with its trailers, and the pod's routing by method path
// and credential.
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import * as http2 from 'node:http2';
import { readFile } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import { LOOPBACK } from './ports.js';
import { authorityHost, podTarget, type FrontPlan, type PodPlan } from './routing.js';

const { NGHTTP2_FLAG_END_STREAM } = http2.constants;

function copyHeaders(headers: Readonly<Record<string, unknown>>): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' || typeof value === 'number' || Array.isArray(value)) out[name] = value;
  }
  return out;
}

class H2Forwarder {
  private readonly sessions = new Map<number, http2.ClientHttp2Session>();

  private session(port: number, tls: boolean): http2.ClientHttp2Session {
    const existing = this.sessions.get(port);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    // A load balancer does not verify its backends' certificates (GKE HTTP2 backends neither).
    const session = tls
      ? http2.connect(`https://${LOOPBACK}:${port}`, { rejectUnauthorized: false })
      : http2.connect(`http://${LOOPBACK}:${port}`);
    session.on('error', () => this.sessions.delete(port));
    session.on('close', () => this.sessions.delete(port));
    this.sessions.set(port, session);
    return session;
  }

  forward(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, port: number, tls = false): void {
    const outgoing = copyHeaders(headers);
    let upstream: http2.ClientHttp2Stream;
    try {
      upstream = this.session(port, tls).request(outgoing);
    } catch {
      badGateway(stream);
      return;
    }
    let trailers: http2.OutgoingHttpHeaders = {};
    upstream.on('response', (responseHeaders, flags) => {
      if (stream.destroyed) return;
      const out = copyHeaders(responseHeaders);
      if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
        // Trailers-only response (an error status): grpc-status is in the headers.
        stream.respond(out, { endStream: true });
        return;
      }
      stream.respond(out, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers));
      upstream.pipe(stream);
    });
    upstream.on('trailers', (received) => {
      trailers = copyHeaders(received);
    });
    upstream.on('error', () => badGateway(stream));
    stream.on('error', () => upstream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('close', () => {
      if (!upstream.closed) upstream.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.pipe(upstream);
  }

  close(): void {
    for (const session of this.sessions.values()) session.destroy();
    this.sessions.clear();
  }
}

/**
 * An HTTP/1.1 request to a target that speaks only HTTP/2 (a gRPC port): it hangs up or answers garbage,
 * and the load balancer answers 502 — what GKE does with a backend service on HTTP/1.1.
 */
function forwardHttp1(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, port: number): void {
  const req = httpRequest({ host: LOOPBACK, port, method: String(headers[':method'] ?? 'POST'), path: String(headers[':path'] ?? '/'), headers: { 'content-type': String(headers['content-type'] ?? '') } });
  req.setTimeout(5000, () => req.destroy());
  req.on('response', (res) => {
    res.resume();
    badGateway(stream);
  });
  req.on('error', () => badGateway(stream));
  stream.on('error', () => req.destroy());
  stream.resume();
  req.end();
}

function badGateway(stream: http2.ServerHttp2Stream): void {
  if (stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.respond({ ':status': 502, 'content-type': 'text/html', server: 'lab-node-proxy' });
  stream.end('<html><body><h1>502 Bad Gateway</h1></body></html>\n');
}

function respondStatus(stream: http2.ServerHttp2Stream, status: number, body = ''): void {
  stream.respond({ ':status': status, 'content-type': 'text/html', server: 'lab-node-proxy' });
  stream.end(body);
}

export interface NodeProxy {
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<void> {
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  // Handled here, awaited later (after the certificates are read): never an unhandled rejection.
  listening.catch(() => {});
  return listening;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startNodeProxy(options: { readonly front: FrontPlan | null; readonly pod: PodPlan }): Promise<NodeProxy> {
  const forwarder = new H2Forwarder();
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (server: Server) => {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    servers.push(server);
    return server;
  };
  const { pod, front } = options;

  const onPodStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
    forwarder.forward(stream, headers, podTarget(pod, String(headers[':path'] ?? '/'), authorization));
  };
  const podServer = track(http2.createServer());
  podServer.on('stream', onPodStream);
  const listening: Promise<void>[] = [listen(podServer, pod.port)];
  if (pod.tlsPort !== null) {
    const [cert, key] = await Promise.all([readFile(pod.certFile), readFile(pod.keyFile)]);
    const tlsPod = track(http2.createSecureServer({ cert, key }));
    tlsPod.on('stream', onPodStream);
    listening.push(listen(tlsPod, pod.tlsPort));
  }

  if (front) {
    const hostRule = front.hostRule.toLowerCase();
    if (!front.tls) {
      // An HTTP listener where HTTPS was meant: a TLS ClientHello gets HTTP/1.1 400.
      const plain = track(createHttpServer((_, res) => res.writeHead(400, { 'content-type': 'text/html' }).end('400 Bad Request\n')));
      listening.push(listen(plain, front.port));
    } else {
      const [cert, key] = await Promise.all([readFile(front.certFile), readFile(front.keyFile)]);
      if (!front.h2) {
        const https = track(createHttpsServer({ cert, key, ALPNProtocols: ['http/1.1'] }, (req, res) => {
          const forHost = authorityHost(req.headers.host) === hostRule;
          res.writeHead(forHost ? 505 : 404, { 'content-type': 'text/html' }).end();
        }));
        listening.push(listen(https, front.port));
      } else {
        const tlsFront = track(http2.createSecureServer({ cert, key }));
        tlsFront.on('stream', (stream, headers) => {
          if (authorityHost(headers[':authority']) !== hostRule) return respondStatus(stream, 404, '<html><body><h1>404 Not Found</h1></body></html>\n');
          if (front.action.kind === 'status') return respondStatus(stream, front.action.status);
          if (front.action.http1) return forwardHttp1(stream, headers, front.action.port);
          forwarder.forward(stream, headers, front.action.port, front.action.tls);
        });
        listening.push(listen(tlsFront, front.port));
      }
    }
  }
  // Settled, not raced: a listen that fails while certificates are still being read must not become an
  // unhandled rejection, and every listener that did bind is closed before the failure is reported.
  const settled = await Promise.allSettled(listening);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw failed.reason;
  }
  return {
    close: async () => {
      forwarder.close();
      const closed = Promise.all(servers.map(closeServer));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
