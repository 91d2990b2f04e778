// The certificate provision installs: files the user gives (checked before anything is read or written:
// a key that does not match, a chain that does not complete the leaf, a leaf without the host in its
// SAN are usage errors), or a self-signed CA and leaf generated here. The guide's own openssl commands
// (seeds/002) make a certificate with the host only in its CN, which gRPC clients reject: this one has a SAN.
import { X509Certificate, createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { UsageError } from '../errors.js';
import { hostMatches } from '../platform/k8s/discover.js';
import { issues, parsePemBundle } from '../probes/certs.js';
import type { TlsMaterial } from '../render/params.js';

/** TLS material plus the CA a client must trust (self-signed only). */
export interface Certificate extends TlsMaterial {
  readonly caPem?: string;
}

function readText(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new UsageError(`${option} ${file}: cannot read the file (${code})`, 'PROVISION_CERT_INVALID');
  }
}

function pemOf(c: X509Certificate): string {
  return c.toString().trimEnd();
}

/** The DNS names of the certificate's SAN (none: a CN-only certificate). */
export function sanNames(c: X509Certificate): string[] {
  return (c.subjectAltName ?? '').split(/,\s*/).filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4).toLowerCase());
}

/** Whether any of the names (one-label wildcards) covers the host: the checks' own matching. */
export function coversHost(names: readonly string[], host: string): boolean {
  return names.some((n) => hostMatches(n, host));
}

/** The leaf, then each certificate issuing the one before: what a strict client needs to reach its root. */
function checkChain(leaf: X509Certificate, chain: readonly X509Certificate[], option: string, file: string): void {
  let previous = leaf;
  for (const next of chain) {
    if (!issues(previous, next)) {
      throw new UsageError(
        `${option} ${file}: does not complete the chain: "${previous.subject.replace(/\n/g, ', ')}" is issued by "${previous.issuer.replace(/\n/g, ', ')}", but the next certificate is "${next.subject.replace(/\n/g, ', ')}"`,
        'PROVISION_CERT_INVALID',
      );
    }
    previous = next;
  }
}

export interface CertFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly chainFile?: string;
}

/** --cert-file/--key-file/--chain-file, checked as a load balancer and a gRPC client would. */
export function readCertificateFiles(files: CertFiles, host: string): Certificate {
  const certText = readText('--cert-file', files.certFile);
  const inCertFile = parsePemBundle([certText]);
  const leaf = inCertFile[0];
  if (!leaf) throw new UsageError(`--cert-file ${files.certFile}: no PEM certificate in the file`, 'PROVISION_CERT_INVALID');
  const keyText = readText('--key-file', files.keyFile);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch {
    throw new UsageError(`--key-file ${files.keyFile}: not a PEM private key`, 'PROVISION_CERT_INVALID');
  }
  if (!leaf.checkPrivateKey(key)) throw new UsageError(`--key-file ${files.keyFile}: the key does not match the certificate in --cert-file ${files.certFile}`, 'PROVISION_CERT_INVALID');
  // A fullchain file carries its intermediates after the leaf; --chain-file adds more.
  let chain = inCertFile.slice(1);
  if (files.chainFile !== undefined) {
    const chainText = readText('--chain-file', files.chainFile);
    const fromFile = parsePemBundle([chainText]);
    if (fromFile.length === 0) throw new UsageError(`--chain-file ${files.chainFile}: no PEM certificate in the file`, 'PROVISION_CERT_INVALID');
    chain = [...chain, ...fromFile];
  }
  checkChain(leaf, chain, chain.length > inCertFile.length - 1 && files.chainFile ? '--chain-file' : '--cert-file', files.chainFile ?? files.certFile);
  if (!coversHost(sanNames(leaf), host)) {
    throw new UsageError(
      `--cert-file ${files.certFile}: the certificate does not name ${host} in its subjectAltName (${sanNames(leaf).join(', ') || 'no SAN: the name is only in the CN'}); gRPC clients refuse it`,
      'PROVISION_CERT_INVALID',
    );
  }
  if (Date.parse(leaf.validTo) < Date.now()) throw new UsageError(`--cert-file ${files.certFile}: the certificate expired on ${new Date(leaf.validTo).toISOString()}`, 'PROVISION_CERT_INVALID');
  return {
    certPem: `${pemOf(leaf)}\n`,
    ...(chain.length > 0 ? { chainPem: `${chain.map(pemOf).join('\n')}\n` } : {}),
    keyPem: keyText.endsWith('\n') ? keyText : `${keyText}\n`,
  };
}

const DAY_MS = 86_400_000;
const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/**
 * A CA and a leaf for the host WITH a subjectAltName (what gRPC clients verify), 397 days like a public
 * one. The CA is what `--ca` trusts; its key is thrown away, so nothing else can be issued from it.
 */
export async function generateSelfSigned(host: string, now = Date.now()): Promise<Certificate> {
  x509.cryptoProvider.set(webcrypto);
  const caKeys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const leafKeys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${host} CA, O=milvus-l7-doctor provision`,
    keys: caKeys,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    subject: `CN=${host}`,
    issuer: ca.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 397 * DAY_MS),
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  return { certPem: `${leaf.toString('pem')}\n`, keyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`, caPem: `${ca.toString('pem')}\n` };
}

/** Days a kept self-signed certificate must still be valid; closer to expiry it is issued again. */
const RENEW_DAYS = 30;

/**
 * A self-signed certificate already in the cluster that still does the job (the host in its SAN, its key,
 * its CA, not near expiry): kept as it is, so a second plan is empty and clients keep the CA they trust.
 */
export function reusableSelfSigned(data: Record<string, unknown> | undefined, host: string, now = Date.now()): Certificate | null {
  const decode = (k: string) => (typeof data?.[k] === 'string' ? Buffer.from(data[k], 'base64').toString('utf8') : null);
  const crt = decode('tls.crt');
  const key = decode('tls.key');
  const ca = decode('ca.crt');
  if (!crt || !key || !ca) return null;
  try {
    const [leaf] = parsePemBundle([crt]);
    const [root] = parsePemBundle([ca]);
    if (!leaf || !root || !issues(leaf, root)) return null;
    if (!leaf.checkPrivateKey(createPrivateKey(key))) return null;
    if (!coversHost(sanNames(leaf), host) || Date.parse(leaf.validTo) - now < RENEW_DAYS * DAY_MS) return null;
    return { certPem: crt, keyPem: key, caPem: ca };
  } catch {
    return null;
  }
}
