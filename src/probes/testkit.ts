// Test support for the probe tests (not used at run time): a throwaway PKI made with @peculiar/x509
// and small loopback servers. Kept beside the probes so each test file stays about its probe.
import { webcrypto } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

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
