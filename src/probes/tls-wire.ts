// The certificate chain exactly as the peer sent it. Node cannot give this: getPeerCertificate(true)
// re-orders the served certificates by issuer, drops the ones off the leaf's path and appends
// issuers from the local trust store. So the probe records the handshake bytes it receives and reads
// the Certificate message itself: in clear for TLS 1.2, decrypted with the connection's own
// handshake secret (the `keylog` event) for TLS 1.3. No library in reach parses TLS records.
import { createDecipheriv, createHmac } from 'node:crypto';
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

const RECORD_HANDSHAKE = 22;
const RECORD_APPLICATION_DATA = 23;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const MAX_CAPTURE = 512 * 1024;

/** Passes bytes between a connected socket and node:tls, keeping what the peer sent during the handshake. */
export class HandshakeTap extends Duplex {
  private readonly received: Buffer[] = [];
  private receivedBytes = 0;
  private recording = true;

  constructor(private readonly inner: Socket) {
    super();
    inner.on('data', (chunk: Buffer) => {
      if (this.recording && this.receivedBytes < MAX_CAPTURE) {
        this.received.push(chunk);
        this.receivedBytes += chunk.length;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  /** The bytes received so far; stops recording. */
  takeCapture(): Buffer {
    this.recording = false;
    return Buffer.concat(this.received);
  }

  /** The first bytes the peer sent (for telling a plaintext answer apart). */
  peek(): Buffer {
    return Buffer.concat(this.received).subarray(0, 16);
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.inner.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.inner.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.inner.destroy();
    cb(err);
  }
}

interface TlsRecord {
  readonly type: number;
  readonly header: Buffer;
  readonly body: Buffer;
}

function records(bytes: Buffer): TlsRecord[] {
  const out: TlsRecord[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    const len = bytes.readUInt16BE(at + 3);
    if (at + 5 + len > bytes.length) break;
    out.push({ type: bytes[at], header: bytes.subarray(at, at + 5), body: bytes.subarray(at + 5, at + 5 + len) });
    at += 5 + len;
  }
  return out;
}

/** Splits a handshake byte stream into messages; returns what is complete. */
function handshakeMessages(stream: Buffer): { type: number; body: Buffer }[] {
  const out: { type: number; body: Buffer }[] = [];
  let at = 0;
  while (at + 4 <= stream.length) {
    const len = stream.readUIntBE(at + 1, 3);
    if (at + 4 + len > stream.length) break;
    out.push({ type: stream[at], body: stream.subarray(at + 4, at + 4 + len) });
    at += 4 + len;
  }
  return out;
}

function certificateList(body: Buffer, tls13: boolean): Buffer[] {
  let at = 0;
  if (tls13) at += 1 + body[0]; // certificate_request_context
  const end = at + 3 + body.readUIntBE(at, 3);
  at += 3;
  const certs: Buffer[] = [];
  while (at + 3 <= end) {
    const len = body.readUIntBE(at, 3);
    certs.push(Buffer.from(body.subarray(at + 3, at + 3 + len)));
    at += 3 + len;
    if (tls13) at += 2 + body.readUInt16BE(at); // per-certificate extensions
  }
  return certs;
}

interface Aead {
  readonly algorithm: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  readonly keyLength: number;
  readonly hash: 'sha256' | 'sha384';
}

const TLS13_SUITES: Readonly<Partial<Record<string, Aead>>> = {
  TLS_AES_128_GCM_SHA256: { algorithm: 'aes-128-gcm', keyLength: 16, hash: 'sha256' },
  TLS_AES_256_GCM_SHA384: { algorithm: 'aes-256-gcm', keyLength: 32, hash: 'sha384' },
  TLS_CHACHA20_POLY1305_SHA256: { algorithm: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' },
};

/** HKDF-Expand-Label (RFC 8446 §7.1) for outputs no longer than one hash block. */
function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0]), Buffer.from([1])]);
  return createHmac(hash, secret).update(info).digest().subarray(0, length);
}

function decryptRecords(encrypted: TlsRecord[], secret: Buffer, aead: Aead): Buffer {
  const key = expandLabel(aead.hash, secret, 'key', aead.keyLength);
  const iv = expandLabel(aead.hash, secret, 'iv', 12);
  const plain: Buffer[] = [];
  let seq = 0n;
  for (const record of encrypted) {
    const nonce = Buffer.from(iv);
    const seqBytes = Buffer.alloc(8);
    seqBytes.writeBigUInt64BE(seq++);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= seqBytes[i];
    const tag = record.body.subarray(record.body.length - 16);
    const decipher =
      aead.algorithm === 'chacha20-poly1305'
        ? createDecipheriv(aead.algorithm, key, nonce, { authTagLength: 16 })
        : createDecipheriv(aead.algorithm, key, nonce, { authTagLength: 16 });
    decipher.setAAD(record.header, { plaintextLength: record.body.length - 16 });
    decipher.setAuthTag(tag);
    const inner = Buffer.concat([decipher.update(record.body.subarray(0, record.body.length - 16)), decipher.final()]);
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) continue;
    if (inner[end] === RECORD_HANDSHAKE) plain.push(inner.subarray(0, end));
    const messages = handshakeMessages(Buffer.concat(plain));
    if (messages.some((m) => m.type === HS_CERTIFICATE)) break; // later records use other keys
  }
  return Buffer.concat(plain);
}

/**
 * The DER certificates the server sent, in its order, or null when they cannot be read (a cipher
 * suite this code does not know, a missing secret, a capture cut short).
 */
export function servedCertificates(
  bytes: Buffer,
  protocol: string | null,
  standardCipherName: string | null,
  serverHandshakeSecret: Buffer | null,
): Buffer[] | null {
  try {
    const all = records(bytes);
    if (protocol !== 'TLSv1.3') {
      const stream = Buffer.concat(all.filter((r) => r.type === RECORD_HANDSHAKE).map((r) => r.body));
      const cert = handshakeMessages(stream).find((m) => m.type === HS_CERTIFICATE);
      return cert ? certificateList(cert.body, false) : null;
    }
    const aead = standardCipherName ? TLS13_SUITES[standardCipherName] : undefined;
    if (!aead || !serverHandshakeSecret) return null;
    // Encrypted handshake records follow the (last) ServerHello; an HRR restarts the count.
    let start = -1;
    for (let i = 0; i < all.length; i++) {
      if (all[i].type === RECORD_HANDSHAKE && all[i].body[0] === HS_SERVER_HELLO) start = i;
    }
    const encrypted = all.slice(start + 1).filter((r) => r.type === RECORD_APPLICATION_DATA);
    const cert = handshakeMessages(decryptRecords(encrypted, serverHandshakeSecret, aead)).find((m) => m.type === HS_CERTIFICATE);
    return cert ? certificateList(cert.body, true) : null;
  } catch {
    return null;
  }
}

/** Reads SERVER_HANDSHAKE_TRAFFIC_SECRET from one NSS key-log line. */
export function serverHandshakeSecretFrom(line: Buffer): Buffer | null {
  const match = /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]+ ([0-9a-f]+)/i.exec(line.toString('latin1'));
  return match ? Buffer.from(match[1], 'hex') : null;
}
