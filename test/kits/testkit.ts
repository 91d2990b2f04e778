// Test support for the probe tests (not used at run time): a throwaway PKI made with @peculiar/x509
// and small loopback servers. Kept beside the probes so each test file stays about its probe.
import { type ChildProcess, spawn } from 'node:child_process';
import { ProbeError } from '../../src/errors.js';
import { findMilvusLite } from '../../src/lab/milvus-lite.js';
import { findNginx } from '../../src/lab/nginx.js';
import { webcrypto } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import dnsPacket from 'dns-packet';

x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

export interface IssueOptions {
  readonly subject: string;
  readonly issuer?: Issued;
  readonly ca?: boolean;
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const DAY = 86_400_000;

export async function issue(options: IssueOptions): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
    new x509.KeyUsagesExtension(
      options.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const names = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  if (!options.ca) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY);
  const serialNumber = Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1');
  const cert = options.issuer
    ? await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: options.subject,
        issuer: options.issuer.cert.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: options.issuer.keys.privateKey,
        signingAlgorithm: ALG,
        extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(options.issuer.keys.publicKey)],
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ serialNumber, name: options.subject, notBefore, notAfter, keys, signingAlgorithm: ALG, extensions });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: `${cert.toString('pem').trim()}\n`, keyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY').trim()}\n`, cert, keys };
}

export const HOST = 'milvus.example.test';

export interface Pki {
  readonly root: Issued;
  readonly intermediate: Issued;
  readonly leaf: Issued;
  readonly cnOnly: Issued;
  readonly expired: Issued;
}

/** root → intermediate → leaf (SAN: HOST, 127.0.0.1), plus a CN-only and an expired leaf. */
export async function makePki(): Promise<Pki> {
  const root = await issue({ subject: 'CN=l7doctor test root', ca: true, notAfter: new Date(Date.now() + 365 * DAY) });
  const intermediate = await issue({ subject: 'CN=l7doctor test intermediate', ca: true, issuer: root });
  const leaf = await issue({ subject: `CN=${HOST}`, issuer: intermediate, dnsNames: [HOST], ips: ['127.0.0.1'] });
  const cnOnly = await issue({ subject: `CN=${HOST}`, issuer: intermediate });
  const expired = await issue({
    subject: `CN=${HOST}`,
    issuer: intermediate,
    dnsNames: [HOST],
    notBefore: new Date(Date.now() - 10 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  return { root, intermediate, leaf, cnOnly, expired };
}

export function portOf(server: { address(): AddressInfo | string | null }): number {
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('server is not listening on TCP');
  return a.port;
}

export async function listen<S extends { listen(port: number, host: string, cb: () => void): unknown; address(): AddressInfo | string | null }>(
  server: S,
): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return portOf(server);
}

/** Accepts connections and never says a word (a tarpit); close() destroys the held sockets. */
export async function startTarpit(): Promise<{ port: number; close: () => Promise<void> }> {
  const held = new Set<Socket>();
  const server: Server = createNetServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
    s.on('close', () => held.delete(s));
  });
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port that refuses: bound once, then closed. */
export async function refusedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function closeServer(server: { close(cb?: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

// ---------------------------------------------------------------- Milvus behind nginx (tests only)

export interface MilvusFront {
  /** nginx TLS + HTTP/2: a host rule for HOST → grpc_pass to milvus-lite, everything else 404. */
  readonly port: number;
  readonly milvusPort: number;
  stop(): Promise<void>;
}

/** The real peers, found the way the lab finds them (the repo's .venv, PATH); tests need both. */
function required(what: string, found: string | null): string {
  if (found === null) throw new Error(`${what} is not installed: run bash .ci/run (it installs nginx and milvus-lite)`);
  return found;
}
const milvusLiteBin = () => required('milvus-lite', findMilvusLite());
const nginxBin = () => required('nginx', findNginx());

export const probeCtx = (timeoutMs: number) => ({ signal: new AbortController().signal, timeoutMs });

/** The `code` of the ProbeError a probe rejects with (tests assert on codes, never on messages). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProbeError) return err.code;
    throw err;
  }
  throw new Error('expected the probe to fail');
}

async function freePort(): Promise<number> {
  return refusedPort();
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms: ${seen}`)), ms);
    const onData = (b: Buffer): void => {
      seen += b.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${seen}`));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`port ${port} never opened`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMilvusFront(pki: Pki): Promise<MilvusFront> {
  const dir = await mkdtemp(join(tmpdir(), 'l7doctor-probes-'));
  const [milvusPort, port] = [await freePort(), await freePort()];
  const milvus = spawn(milvusLiteBin(), ['server', '--data-dir', join(dir, 'data'), '--host', '127.0.0.1', '--port', String(milvusPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const children: ChildProcess[] = [milvus];
  try {
    await writeFile(join(dir, 'cert.pem'), pki.leaf.certPem + pki.intermediate.certPem);
    await writeFile(join(dir, 'key.pem'), pki.leaf.keyPem);
    const tls = `ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;`;
    await writeFile(
      join(dir, 'nginx.conf'),
      `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port} ssl http2 default_server; ${tls} return 404; }
  server { listen 127.0.0.1:${port} ssl http2; server_name ${HOST}; ${tls}
    location / { grpc_pass grpc://127.0.0.1:${milvusPort}; } }
}
`,
    );
    const nginx = spawn(nginxBin(), ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(nginx);
    await Promise.all([waitForOutput(milvus, /listening/, 20_000), waitForPort(port, 5_000)]);
  } catch (err) {
    await Promise.all(children.map(stopChild));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    milvusPort,
    stop: async () => {
      await Promise.all(children.map(stopChild));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- a tiny authoritative DNS server

export interface DnsZone {
  readonly [name: string]: { readonly A?: readonly string[]; readonly AAAA?: readonly string[]; readonly servfail?: boolean; readonly silent?: boolean };
}

/** UDP DNS on 127.0.0.1 answering from `zone`; NXDOMAIN for anything else. */
export async function startDnsServer(zone: DnsZone): Promise<{ server: string; close: () => Promise<void> }> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    const question = query.questions?.[0];
    if (!question) return;
    const entry = zone[question.name.toLowerCase()];
    if (entry?.silent) return;
    const type = question.type === 'A' || question.type === 'AAAA' ? question.type : null;
    const data = entry && type ? (entry[type] ?? []) : [];
    const rcode = entry?.servfail ? 2 : entry ? 0 : 3; // SERVFAIL, NOERROR, NXDOMAIN (low 4 bits of the flags)
    const answers = type ? data.map((d) => ({ type, name: question.name, ttl: 60, class: 'IN' as const, data: d })) : [];
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: [question],
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
