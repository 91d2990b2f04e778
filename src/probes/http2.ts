// Raw HTTP/2: one gRPC GetVersion with a chosen :authority, to see what the L7 front really answers
// (a 404 page, a 464, grpc-status) before grpc-js turns it into a status code and the SDK into
// an empty success. Certificates are not verified here: TLS is judged by its own probe.
import { connect as http2Connect, constants, type ClientHttp2Session, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import type { GrpcHttpFact } from '../facts/types.js';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import { type ProbeContext, errnoOf, hostPort, messageOf, withDeadline } from './deadline.js';
import { classifyConnectError } from './tcp.js';
import { classifyTlsError, sniFor } from './tls.js';

export const GET_VERSION_PATH = '/milvus.proto.milvus.MilvusService/GetVersion';

export interface GrpcHttpTarget {
  readonly address: string;
  readonly port: number;
  readonly serverName: string | null;
  readonly authority: string;
  readonly ca: readonly string[] | null;
  readonly path?: string;
}

/** One empty gRPC message: not compressed, length 0 (an empty GetVersionRequest). */
const EMPTY_GRPC_MESSAGE = Buffer.alloc(5);
const SNIPPET_CHARS = 200;

export async function probeGrpcOverHttp2(target: GrpcHttpTarget, ctx: ProbeContext): Promise<GrpcHttpFact> {
  let phase: 'connect' | 'response' = 'connect';
  return withDeadline(ctx, 'http2', () => new ProbeTimeoutError('http2', phase, ctx.timeoutMs), async (signal) => {
    const sni = sniFor(target.serverName);
    let tcpConnected = false;
    const session = http2Connect(`https://${hostPort(target.address, target.port)}`, {
      createConnection: () => {
        const socket = tlsConnect({
          host: target.address,
          port: target.port,
          ...(sni ? { servername: sni } : {}),
          ALPNProtocols: ['h2'],
          rejectUnauthorized: false,
        });
        socket.once('connect', () => {
          tcpConnected = true;
        });
        return socket;
      },
    });
    const onAbort = (): void => {
      session.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await connected(session, target, () => tcpConnected);
      phase = 'response';
      return await exchange(session, target);
    } finally {
      signal.removeEventListener('abort', onAbort);
      session.destroy();
    }
  });
}

function connected(session: ClientHttp2Session, target: GrpcHttpTarget, tcpConnected: () => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    session.once('connect', () => {
      const alpn = session.alpnProtocol;
      if (alpn !== 'h2') {
        reject(new ProbeError('http2', 'HTTP2_NOT_NEGOTIATED', `ALPN selected ${alpn || 'nothing'}, not h2`, { alpn: alpn || null }));
      } else resolve();
    });
    session.once('error', (err) => reject(classifySessionError(err, target, tcpConnected())));
    session.once('close', () => reject(new ProbeError('http2', 'HTTP2_PROTOCOL_ERROR', 'the connection closed before the HTTP/2 preface')));
  });
}

function exchange(session: ClientHttp2Session, target: GrpcHttpTarget): Promise<GrpcHttpFact> {
  return new Promise<GrpcHttpFact>((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': target.path ?? GET_VERSION_PATH,
      ':authority': target.authority,
      ':scheme': 'https',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let headers: (IncomingHttpHeaders & IncomingHttpStatusHeader) | null = null;
    let trailers: IncomingHttpHeaders | null = null;
    let bodyBytes = 0;
    const snippet: Buffer[] = [];
    let snippetBytes = 0;
    stream.on('response', (h) => {
      headers = h;
    });
    stream.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (snippetBytes < SNIPPET_CHARS * 4) {
        snippet.push(chunk);
        snippetBytes += chunk.length;
      }
    });
    session.once('goaway', (errorCode: number, lastStreamID: number) => {
      if (errorCode !== constants.NGHTTP2_NO_ERROR) {
        reject(new ProbeError('http2', 'HTTP2_GOAWAY', `the server sent GOAWAY (error ${errorCode})`, { errorCode, lastStreamID }));
      }
    });
    stream.on('error', (err) => reject(classifyStreamError(err, stream.rstCode)));
    stream.on('close', () => {
      if (headers === null) {
        reject(classifyStreamError(new Error('the stream closed without a response'), stream.rstCode));
        return;
      }
      resolve(factFrom(target.authority, headers, trailers, bodyBytes, Buffer.concat(snippet)));
    });
    stream.end(EMPTY_GRPC_MESSAGE);
  });
}

function factFrom(authority: string, headers: IncomingHttpHeaders & IncomingHttpStatusHeader, trailers: IncomingHttpHeaders | null, bodyBytes: number, body: Buffer): GrpcHttpFact {
  const pick = (name: string): string | null => {
    const v = trailers?.[name] ?? headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
  };
  const contentType = pick('content-type');
  const grpcStatusText = pick('grpc-status');
  const grpcStatus = grpcStatusText !== null && /^\d+$/.test(grpcStatusText) ? Number(grpcStatusText) : null;
  const grpcMessage = pick('grpc-message');
  const isGrpc = contentType?.startsWith('application/grpc') ?? false;
  const text = isGrpc || body.length === 0 ? null : body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
  return {
    authority,
    status: headers[':status'] ?? null,
    contentType,
    grpcStatus,
    grpcMessage: grpcMessage === null ? null : safeDecode(grpcMessage),
    server: pick('server'),
    bodyBytes,
    bodySnippet: text ? text : null,
  };
}

// grpc-message is percent-encoded (gRPC over HTTP/2 spec).
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function classifySessionError(err: unknown, target: GrpcHttpTarget, tcpConnected: boolean): ProbeError {
  const errno = errnoOf(err) ?? '';
  if (!tcpConnected && /^(ECONN|EHOST|ENET|ENOTFOUND|EAI_|ETIMEDOUT)/.test(errno)) return classifyConnectError(err, target.address, target.port);
  if (errno.startsWith('ERR_HTTP2')) return new ProbeError('http2', 'HTTP2_PROTOCOL_ERROR', `HTTP/2 session failed: ${messageOf(err)}`, { errno }, { cause: err });
  return classifyTlsError(err, Buffer.alloc(0), target);
}

function classifyStreamError(err: unknown, rstCode: number | undefined): ProbeError {
  const detail = { errno: errnoOf(err) ?? null, rstCode: rstCode ?? null };
  if (rstCode === constants.NGHTTP2_REFUSED_STREAM) {
    return new ProbeError('http2', 'HTTP2_REFUSED_STREAM', 'the server refused the stream', detail, { cause: err });
  }
  return new ProbeError('http2', 'HTTP2_PROTOCOL_ERROR', `the HTTP/2 stream failed: ${messageOf(err)}`, detail, { cause: err });
}
