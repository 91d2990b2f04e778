// A kubernetes.io/tls Secret reduced to facts: what its certificates say and whether its key matches.
// The key is parsed in memory to compare it with the leaf and then dropped; nothing of it is returned.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { certInfo } from '../../probes/certs.js';
import { rec, str, type RawObject } from './objects.js';
import type { SecretCertFact, TlsSecretFact } from './types.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The data path's certificate vocabulary (same fingerprint format), without the PEM. */
export function describeCert(pem: string): SecretCertFact {
  const { pem: _pem, ...info } = certInfo(new X509Certificate(pem));
  return info;
}

/** Secret data values are base64 (`data`) or plain (`stringData`, in manifests before apply). */
function secretValue(o: RawObject, key: string): string | null {
  const plain = str(rec(o.stringData)[key]);
  if (plain !== null) return plain;
  const b64 = str(rec(o.data)[key]);
  return b64 === null ? null : Buffer.from(b64, 'base64').toString('utf8');
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export function parseTlsSecret(o: RawObject, fallbackNamespace: string): TlsSecretFact {
  const meta = rec(o.metadata);
  const crt = secretValue(o, 'tls.crt');
  const keyPem = secretValue(o, 'tls.key');
  const base = {
    name: str(meta.name) ?? '',
    namespace: str(meta.namespace) ?? fallbackNamespace,
    type: str(o.type),
    hasCert: crt !== null && crt.trim() !== '',
    hasKey: keyPem !== null && keyPem.trim() !== '',
  };

  let chain: SecretCertFact[] = [];
  let certError: string | null = null;
  let leaf: X509Certificate | null = null;
  if (base.hasCert && crt !== null) {
    const blocks: string[] = [...crt.matchAll(PEM_CERT)].map((m) => m[0]);
    if (blocks.length === 0) certError = 'tls.crt holds no PEM CERTIFICATE block';
    else {
      try {
        chain = blocks.map(describeCert);
        leaf = new X509Certificate(blocks[0]);
      } catch (e) {
        certError = `tls.crt does not parse: ${firstLine(e)}`;
        chain = [];
      }
    }
  } else certError = 'tls.crt is missing or empty';

  let key: KeyObject | null = null;
  let keyError: string | null = null;
  if (base.hasKey && keyPem !== null) {
    try {
      key = createPrivateKey(keyPem);
    } catch (e) {
      keyError = `tls.key does not parse: ${firstLine(e)}`;
    }
  } else keyError = 'tls.key is missing or empty';

  let keyMatchesCert: boolean | null = null;
  if (leaf && key) {
    try {
      keyMatchesCert = leaf.checkPrivateKey(key);
    } catch {
      keyMatchesCert = false;
    }
  }
  return { ...base, certError, keyError, chain, keyMatchesCert, keyType: key?.asymmetricKeyType ?? null };
}
