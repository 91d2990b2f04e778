// What a load balancer meets on the Milvus pod's 19530, seen through a port-forward (WebSocket,
// v4.channel.k8s.io, client-node's PortForward): a TLS handshake with ALPN h2 followed by a gRPC GetVersion
// over it (what GKE does with tlsMode 1), and a GetVersion over h2c (what the ALB does with the default
// backend-protocol). A server that wants a client certificate (tlsMode 2) fails the first after the
// handshake, with an alert the client sees on its first read: that is why a request follows the handshake.
import { connect as http2Connect, constants as h2, type ClientHttp2Session } from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import type { BackendProtocolFact, BackendTlsOutcome } from './types.js';

const GET_VERSION = '/milvus.proto.milvus.MilvusService/GetVersion';
/** An empty GetVersionRequest: a gRPC frame with no compression and length 0. */
const EMPTY_FRAME = Buffer.alloc(5);
const CLIENT_CERT_REQUIRED = /certificate required|CERTIFICATE_REQUIRED|alert bad certificate|ALERT_BAD_CERTIFICATE|peer did not return a certificate|alert handshake failure/i;

/** The port-forward itself was refused (the WebSocket upgrade got an HTTP error), so nothing was probed. */
export class PortForwardRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export interface BackendProbeOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly pod: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

interface GrpcAnswer {
  readonly status: number | null;
  readonly contentType: string | null;
  readonly grpcStatus: number | null;
  readonly grpcMessage: string | null;
}

function message(e: unknown): string {
  // The WebSocket handler rejects with a ws ErrorEvent ({ message, error }), not an Error.
  const raw = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string' ? e.message : String(e);
  const text = raw.split('\n')[0];
  // OpenSSL's "…:SSL routines:ssl3_get_record:wrong version number:../deps/…c:350:" → "wrong version number"
  const openssl = /SSL routines:[^:]*:([^:]+):/.exec(text);
  return openssl ? openssl[1] : text;
}

/** One gRPC GetVersion on an HTTP/2 session; resolves with what came back, rejects on a transport error. */
function getVersion(session: ClientHttp2Session, signal: AbortSignal): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    let status: number | null = null;
    let contentType: string | null = null;
    let grpcStatus: number | null = null;
    let grpcMessage: string | null = null;
    const onAbort = (): void => reject(new Error('timeout'));
    signal.addEventListener('abort', onAbort, { once: true });
    session.on('error', reject);
    const req = session.request({
      [h2.HTTP2_HEADER_METHOD]: 'POST',
      [h2.HTTP2_HEADER_PATH]: GET_VERSION,
      [h2.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
    });
    const takeGrpc = (headers: Record<string, unknown>): void => {
      const s = headers['grpc-status'];
      if (typeof s === 'string' && /^\d+$/.test(s)) grpcStatus = Number(s);
      const m = headers['grpc-message'];
      if (typeof m === 'string') grpcMessage = decodeURIComponent(m);
    };
    req.on('response', (headers) => {
      const st = headers[h2.HTTP2_HEADER_STATUS];
      status = typeof st === 'number' ? st : null;
      const ct = headers[h2.HTTP2_HEADER_CONTENT_TYPE];
      contentType = typeof ct === 'string' ? ct : null;
      takeGrpc(headers);
    });
    req.on('trailers', (headers) => takeGrpc(headers));
    req.on('data', () => undefined);
    req.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve({ status, contentType, grpcStatus, grpcMessage });
    });
    req.on('error', reject);
    req.end(EMPTY_FRAME);
  });
}

/** A local listener whose every connection is one port-forward stream to the pod. */
async function forwarder(o: BackendProbeOptions): Promise<{ port: number; errors: () => string; refused: () => string | null; close: () => void }> {
  const pf = new PortForward(o.kc, true);
  const sockets = new Set<Socket>();
  const sockets2ws: { close(): void }[] = [];
  let errText = '';
  let refused: string | null = null;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const errStream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        // The first frame of the error channel carries only the port number: an empty chunk here.
        if (chunk.length > 0) {
          errText += chunk.toString('utf8');
          socket.destroy();
        }
        cb();
      },
    });
    pf.portForward(o.namespace, o.pod, [o.port], socket, errStream, socket)
      .then((ws) => {
        if (typeof ws === 'function') return;
        sockets2ws.push(ws);
        // The pod closing its side must end ours, or the client waits for its deadline.
        if (ws.readyState >= 2) socket.destroy();
        else ws.on('close', () => socket.destroy());
      })
      .catch((e: unknown) => {
        refused ??= message(e);
        socket.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const close = (): void => {
    for (const ws of sockets2ws) ws.close();
    for (const s of sockets) s.destroy();
    server.close();
  };
  o.signal.addEventListener('abort', close, { once: true });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') {
    close();
    throw new Error('the local port-forward listener has no port');
  }
  return { port: addr.port, errors: () => errText.trim(), refused: () => refused, close };
}

async function probeTls(port: number, timeoutMs: number, signal: AbortSignal): Promise<BackendProtocolFact['tls'] & { answered: boolean }> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  let socket: TLSSocket | undefined;
  let session: ClientHttp2Session | undefined;
  let handshake: { alpn: string | null; protocol: string | null; fp: string | null } | null = null;
  try {
    socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], rejectUnauthorized: false });
      const onAbort = (): void => {
        s.destroy();
        reject(new Error('no TLS handshake within the deadline'));
      };
      deadline.addEventListener('abort', onAbort, { once: true });
      s.once('secureConnect', () => {
        deadline.removeEventListener('abort', onAbort);
        resolve(s);
      });
      s.once('error', (e) => {
        deadline.removeEventListener('abort', onAbort);
        reject(e);
      });
    });
    const cert = socket.getPeerCertificate();
    handshake = { alpn: socket.alpnProtocol || null, protocol: socket.getProtocol(), fp: cert && 'fingerprint256' in cert ? cert.fingerprint256 : null };
    const tlsSocket = socket;
    session = http2Connect('https://127.0.0.1', { createConnection: () => tlsSocket });
    await getVersion(session, deadline);
    return { outcome: 'tls', alpn: handshake.alpn, protocol: handshake.protocol, error: null, leafFingerprint256: handshake.fp, answered: true };
  } catch (e) {
    const text = message(e);
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    const outcome: BackendTlsOutcome = CLIENT_CERT_REQUIRED.test(`${text} ${code}`) ? 'client-cert-required' : handshake ? 'tls' : 'error';
    return { outcome, alpn: handshake?.alpn ?? null, protocol: handshake?.protocol ?? null, error: `${code ? `${code}: ` : ''}${text}`, leafFingerprint256: handshake?.fp ?? null, answered: false };
  } finally {
    session?.destroy();
    socket?.destroy();
  }
}

async function probeH2c(port: number, timeoutMs: number, signal: AbortSignal): Promise<BackendProtocolFact['h2c']> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  const session = http2Connect(`http://127.0.0.1:${port}`);
  try {
    const a = await getVersion(session, deadline);
    const ok = a.status === 200 && (a.contentType ?? '').startsWith('application/grpc');
    return { ok, ...a, error: ok ? null : `HTTP ${a.status ?? '?'} ${a.contentType ?? ''}`.trim() };
  } catch (e) {
    return { ok: false, status: null, contentType: null, grpcStatus: null, grpcMessage: null, error: message(e) };
  } finally {
    session.destroy();
  }
}

export async function probeBackendProtocol(o: BackendProbeOptions): Promise<BackendProtocolFact> {
  const fwd = await forwarder(o);
  try {
    // Sequential on purpose: two port-forward streams at once double the load on a busy kubelet for no gain.
    const tls = await probeTls(fwd.port, o.timeoutMs, o.signal);
    const h2c = await probeH2c(fwd.port, o.timeoutMs, o.signal);
    const refused = fwd.refused();
    if (refused !== null && !h2c.ok && tls.outcome === 'error') {
      const status = /\b(4\d\d|5\d\d)\b/.exec(refused);
      throw new PortForwardRefusedError(refused, status ? Number(status[1]) : null);
    }
    const forwardError = fwd.errors();
    const outcome: BackendTlsOutcome = tls.outcome === 'error' && h2c.ok ? 'plaintext' : tls.outcome;
    return {
      pod: o.pod,
      port: o.port,
      tls: { outcome, alpn: tls.alpn, protocol: tls.protocol, error: tls.error && forwardError ? `${tls.error} (port-forward: ${forwardError})` : tls.error, leafFingerprint256: tls.leafFingerprint256 },
      h2c: h2c.ok || !forwardError ? h2c : { ...h2c, error: `${h2c.error ?? ''} (port-forward: ${forwardError})` },
    };
  } finally {
    fwd.close();
  }
}
