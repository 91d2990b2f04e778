// TLS: the handshake as a client with SNI = server_name sees it, without trusting anything, so the
// chain, names and ALPN can be judged on their own. The served chain is read off the wire
// (tls-wire.ts) because Node's own view of it is re-ordered and completed from the trust store.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsFact } from '../facts/types.js';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import { analyzeChain, certInfo } from './certs.js';
import { type ProbeContext, errnoOf, hostPort, messageOf, withDeadline } from './deadline.js';
import { connectSocket } from './tcp.js';
import { HandshakeTap, servedCertificates, serverHandshakeSecretFrom } from './tls-wire.js';

export interface TlsTarget {
  readonly address: string;
  readonly port: number;
  /** SNI; null (or an IP) sends none, as clients do when dialling an IP without a server name. */
  readonly serverName: string | null;
  /** PEM certificates to anchor on; null = the system roots. */
  readonly ca: readonly string[] | null;
  readonly alpn?: readonly string[];
}

export function sniFor(serverName: string | null): string | null {
  return serverName && !isIP(serverName) ? serverName : null;
}

export async function probeTls(target: TlsTarget, ctx: ProbeContext): Promise<TlsFact> {
  let phase: 'connect' | 'handshake' = 'connect';
  return withDeadline(ctx, 'tls', () => new ProbeTimeoutError('tls', phase, ctx.timeoutMs), async (signal) => {
    const raw = await connectSocket(target.address, target.port, signal);
    phase = 'handshake';
    const started = performance.now();
    const tap = new HandshakeTap(raw);
    const sni = sniFor(target.serverName);
    let secret: Buffer | null = null;
    const socket = tlsConnect({
      socket: tap,
      ...(sni ? { servername: sni } : {}),
      rejectUnauthorized: false,
      // Names are judged from the chain against --host; authorizationError must be about the chain only.
      checkServerIdentity: () => undefined,
      ALPNProtocols: [...(target.alpn ?? ['h2', 'http/1.1'])],
      ...(target.ca ? { ca: [...target.ca] } : {}),
    });
    socket.on('keylog', (line: Buffer) => {
      secret ??= serverHandshakeSecretFrom(line);
    });
    const onAbort = (): void => {
      socket.destroy();
      tap.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', (err) => reject(classifyTlsError(err, tap.peek(), target)));
        socket.once('close', () => reject(new ProbeError('tls', 'TLS_CONNECTION_RESET', 'the peer closed the connection during the handshake', { address: target.address, port: target.port })));
      });
      const handshakeMs = Math.round(performance.now() - started);
      const protocol = socket.getProtocol();
      const cipher = socket.getCipher();
      const wire = servedCertificates(tap.takeCapture(), protocol, cipher.standardName ?? null, secret);
      const served = wire ? wire.map((der) => new X509Certificate(der)) : nodeChain(socket);
      const authError = socket.authorizationError as (Error & { code?: string }) | string | null | undefined;
      const nodeVerifyError = typeof authError === 'string' ? authError : authError ? (authError.code ?? authError.message) : null;
      return {
        protocol,
        cipher: cipher.standardName ?? cipher.name ?? null,
        alpn: socket.alpnProtocol || null,
        sni,
        chain: served.map(certInfo),
        analysis: analyzeChain(served, target.ca, nodeVerifyError),
        handshakeMs,
        chainSource: wire ? 'wire' : 'node',
      };
    } finally {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      tap.destroy();
    }
  });
}

/**
 * Only when the Certificate message could not be read: Node's view, which is ordered by issuer and
 * may end with an anchor from the local store, so `inOrder` is not meaningful (chainSource 'node').
 */
function nodeChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return out;
}

const PLAINTEXT_REASONS = /wrong version number|packet length too long|http request/i;

export function classifyTlsError(err: unknown, firstBytes: Buffer, target: { address: string; port: number }): ProbeError {
  const errno = errnoOf(err) ?? 'UNKNOWN';
  const reason = reasonOf(err);
  const where = hostPort(target.address, target.port);
  const detail = { address: target.address, port: target.port, errno, reason };
  if (firstBytes.subarray(0, 5).toString('latin1') === 'HTTP/' || PLAINTEXT_REASONS.test(reason)) {
    return new ProbeError('tls', 'TLS_PLAINTEXT_PEER', `${where} answered in plaintext, not TLS`, detail, { cause: err });
  }
  if (errno === 'ECONNRESET' || errno === 'EPIPE') {
    return new ProbeError('tls', 'TLS_CONNECTION_RESET', `${where} reset the connection during the TLS handshake`, detail, { cause: err });
  }
  return new ProbeError('tls', 'TLS_HANDSHAKE_FAILED', `TLS handshake with ${where} failed: ${reason}`, detail, { cause: err });
}

function reasonOf(err: unknown): string {
  if (err && typeof err === 'object' && 'reason' in err && typeof err.reason === 'string') return err.reason;
  return messageOf(err);
}
