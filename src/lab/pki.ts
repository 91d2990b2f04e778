// The lab's PKI: a root and an intermediate CA issuing the served leaf, plus the broken leaves the
// TLS faults serve. ECDSA P-256 keeps generation in the low milliseconds; one key per CA and one for
// every leaf (the leaf variants differ in what the certificate says, not in the key).
import { mkdir, writeFile } from 'node:fs/promises';
import { webcrypto } from 'node:crypto';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

type KeyPair = webcrypto.CryptoKeyPair;

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

/** What the served leaf says; each field is one way a real certificate goes wrong. */
export interface LeafSpec {
  /** The name in SAN (and CN). */
  readonly name: string;
  /** Omit the subjectAltName extension: the name is only in the CN. */
  readonly cnOnly?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Issue from the second, untrusted hierarchy. */
  readonly untrusted?: boolean;
  /** IP addresses in the SAN besides the name (the Kubernetes API server is reached by IP). */
  readonly ips?: readonly string[];
}

interface Authority {
  readonly cert: x509.X509Certificate;
  readonly keys: KeyPair;
}

export interface LabPki {
  /** The lab's trust anchor, as the doctor's --ca gets it: the root only. */
  readonly caFile: string;
  /** What the front serves: leaf, then intermediate (leaf only under missing-intermediate). */
  readonly fullchainFile: string;
  readonly keyFile: string;
  /** A correct leaf for the host (fullchain + key): the TLS backend of the GCP flavour serves it. */
  readonly backendFullchainFile: string;
  readonly backendKeyFile: string;
  readonly leaf: x509.X509Certificate;
  /** The Kubernetes API server's serving certificate (localhost, 127.0.0.1) and key, from the lab CA. */
  readonly apiServerFullchainFile: string;
  readonly apiServerKeyFile: string;
  readonly generateMs: number;
}

async function newKeys(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

function pem(cert: x509.X509Certificate): string {
  return cert.toString('pem') + '\n';
}

async function keyPem(keys: KeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n';
}

async function createRoot(cn: string, now: number): Promise<Authority> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${cn}, O=milvus-l7-doctor lab`,
    keys,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function createIntermediate(cn: string, root: Authority, now: number): Promise<Authority> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${cn}, O=milvus-l7-doctor lab`,
    issuer: root.cert.subject,
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 1825 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function createLeaf(spec: LeafSpec, issuer: Authority, keys: KeyPair, now: number): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
  ];
  if (!spec.cnOnly) {
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: spec.name }, ...(spec.ips ?? []).map((ip) => ({ type: 'ip' as const, value: ip }))]));
  }
  return x509.X509CertificateGenerator.create({
    subject: `CN=${spec.name}`,
    issuer: issuer.cert.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    notBefore: spec.notBefore ?? new Date(now - DAY_MS),
    notAfter: spec.notAfter ?? new Date(now + 90 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions,
  });
}

export interface PkiOptions {
  readonly host: string;
  /** What the front serves. */
  readonly leaf: LeafSpec;
  /** Serve the leaf without its intermediate. */
  readonly leafOnly?: boolean;
  readonly now?: number;
}

/** Generates the hierarchy and writes PEM files into `dir`. */
export async function createLabPki(dir: string, options: PkiOptions): Promise<LabPki> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  await mkdir(dir, { recursive: true });
  const root = await createRoot('milvus-l7-doctor lab root', now);
  const intermediate = await createIntermediate('milvus-l7-doctor lab intermediate', root, now);
  const leafKeys = await newKeys();
  const good = await createLeaf({ name: options.host }, intermediate, leafKeys, now);

  let servedIssuer = intermediate;
  if (options.leaf.untrusted) {
    // A complete, valid-looking chain whose root the client was never given.
    const otherRoot = await createRoot('untrusted root', now);
    servedIssuer = await createIntermediate('untrusted intermediate', otherRoot, now);
  }
  const isGoodLeaf = !options.leaf.untrusted && !options.leaf.cnOnly && !options.leaf.notAfter && !options.leaf.notBefore
    && options.leaf.name === options.host;
  const leaf = isGoodLeaf ? good : await createLeaf(options.leaf, servedIssuer, leafKeys, now);

  const apiKeys = await newKeys();
  const apiServer = await createLeaf({ name: 'localhost', ips: ['127.0.0.1'] }, intermediate, apiKeys, now);

  const files = {
    apiServerFullchainFile: join(dir, 'apiserver-fullchain.pem'),
    apiServerKeyFile: join(dir, 'apiserver.key'),
    caFile: join(dir, 'ca.crt'),
    fullchainFile: join(dir, 'fullchain.pem'),
    keyFile: join(dir, 'leaf.key'),
    backendFullchainFile: join(dir, 'backend-fullchain.pem'),
    backendKeyFile: join(dir, 'backend.key'),
  };
  const key = await keyPem(leafKeys);
  const served = options.leafOnly ? pem(leaf) : pem(leaf) + pem(servedIssuer.cert);
  await Promise.all([
    writeFile(files.caFile, pem(root.cert)),
    writeFile(files.fullchainFile, served),
    writeFile(files.keyFile, key, { mode: 0o600 }),
    writeFile(files.backendFullchainFile, pem(good) + pem(intermediate.cert)),
    writeFile(files.backendKeyFile, key, { mode: 0o600 }),
    writeFile(join(dir, 'intermediate.crt'), pem(intermediate.cert)),
    writeFile(files.apiServerFullchainFile, pem(apiServer) + pem(intermediate.cert)),
    keyPem(apiKeys).then((k) => writeFile(files.apiServerKeyFile, k, { mode: 0o600 })),
  ]);
  return { ...files, leaf, generateMs: Math.round(performance.now() - started) };
}
