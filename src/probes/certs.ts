// Certificates as the checks compare them, and the chain analysis a strict client would make.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { CertInfo, ChainAnalysis } from '../facts/types.js';

export function certInfo(cert: X509Certificate): CertInfo {
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    commonName: commonNameOf(cert.subject),
    subjectAltNames: cert.subjectAltName === undefined ? null : splitAltNames(cert.subjectAltName),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    isCA: cert.ca,
    selfSigned: issues(cert, cert),
    pem: cert.toString(),
  };
}

/** Whether `issuer` issued and signed `cert`. */
export function issues(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Splits PEM bundles (one file may hold several certificates) and parses each. */
export function parsePemBundle(pems: readonly string[]): X509Certificate[] {
  const blocks = pems.flatMap((p) => p.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
  const out: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // a damaged block in a bundle is not a reason to drop the others
    }
  }
  return out;
}

let systemAnchors: X509Certificate[] | undefined;
/** What Node itself trusts without --ca: its bundled roots plus NODE_EXTRA_CA_CERTS. */
function systemRoots(): X509Certificate[] {
  if (!systemAnchors) {
    const extraFile = process.env.NODE_EXTRA_CA_CERTS;
    let extra: string[] = [];
    try {
      if (extraFile) extra = [readFileSync(extraFile, 'utf8')];
    } catch {
      // Node itself only warns about an unreadable file
    }
    systemAnchors = parsePemBundle([...rootCertificates, ...extra]);
  }
  return systemAnchors;
}

// Expiry is judged elsewhere against the run's clock; the chain verdict must not depend on it.
const TIME_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CRL_HAS_EXPIRED', 'CRL_NOT_YET_VALID']);

export function analyzeChain(served: readonly X509Certificate[], ca: readonly string[] | null, nodeVerifyError: string | null): ChainAnalysis {
  const anchors = ca ? parsePemBundle(ca) : systemRoots();
  const anchorSource = ca ? 'ca-file' : 'system';
  let brokenAt: number | null = null;
  for (let i = 0; i + 1 < served.length; i++) {
    if (!issues(served[i], served[i + 1])) {
      brokenAt = i;
      break;
    }
  }
  const last = served.at(-1);
  let anchoredBy: string | null = null;
  if (last) {
    const anchor = anchors.find((a) => a.fingerprint256 === last.fingerprint256) ?? anchors.find((a) => issues(last, a));
    anchoredBy = anchor ? oneLine(anchor.subject) : null;
  }
  const inOrder = served.length > 0 && brokenAt === null;
  const complete = inOrder && anchoredBy !== null;
  const verifyError = nodeVerifyError && !TIME_ERRORS.has(nodeVerifyError) ? nodeVerifyError : null;
  return { inOrder, brokenAt, anchoredBy, anchorSource: anchoredBy ? anchorSource : null, complete, verifyError };
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function commonNameOf(dn: string): string | null {
  const line = dn.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : null;
}

// Node renders `DNS:a, DNS:b, IP Address:1.2.3.4`, quoting values that contain a comma.
function splitAltNames(san: string): string[] {
  return san.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g)?.map((s) => s.trim()).filter(Boolean) ?? [];
}
