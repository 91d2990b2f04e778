// The ACM calls `provision` makes to import a certificate (`aws acm import-certificate` with the chain),
// against the lab's ACM stand-in: ImportCertificate (new, or re-import under an ARN), ListCertificates,
// AddTagsToCertificate, ListTagsForCertificate, and DeleteCertificate for `provision --remove`. The imported material lives in the world (world.acm), so
// the ALB derived from an Ingress naming the ARN serves it (./state.ts, the lab's front). JSON 1.1 protocol:
// blobs arrive base64-encoded, as the SDK sends them.
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { isRecord } from '../../render/object.js';
import type { ImportedCertificate, LabWorld } from '../world.js';
import { LAB_ACCOUNT, LAB_REGION } from './state.js';

export class AcmError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

function blob(body: Record<string, unknown>, field: string, required: boolean): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') {
    if (required) throw new AcmError(400, 'ValidationException', `1 validation error detected: Value null at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
    return '';
  }
  return Buffer.from(v, 'base64').toString('utf8');
}

function tagsOf(body: Record<string, unknown>): [string, string][] {
  const raw = Array.isArray(body.Tags) ? body.Tags : [];
  return raw.flatMap((t) => (isRecord(t) && typeof t.Key === 'string' ? [[t.Key, typeof t.Value === 'string' ? t.Value : ''] as [string, string]] : []));
}

function names(c: ImportedCertificate): { domain: string; sans: string[]; notAfter: Date } {
  const x = new X509Certificate(c.certPem);
  const sans = (x.subjectAltName ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const cn = /CN=([^\n,]+)/.exec(x.subject)?.[1] ?? sans[0] ?? '';
  return { domain: cn, sans: sans.length ? sans : [cn], notAfter: new Date(x.validTo) };
}

function importCertificate(world: LabWorld, body: Record<string, unknown>): { CertificateArn: string } {
  const certPem = blob(body, 'Certificate', true);
  const keyPem = blob(body, 'PrivateKey', true);
  const chainPem = blob(body, 'CertificateChain', false);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certPem);
  } catch {
    throw new AcmError(400, 'ValidationException', 'Could not validate the certificate with the certificate chain.');
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('mismatch');
  } catch {
    throw new AcmError(400, 'ValidationException', 'The private key does not match the public key in the certificate.');
  }
  for (const block of chainPem.match(PEM_CERT) ?? []) {
    try {
      new X509Certificate(block);
    } catch {
      throw new AcmError(400, 'ValidationException', 'Could not validate the certificate with the certificate chain.');
    }
  }
  const reimport = typeof body.CertificateArn === 'string' ? body.CertificateArn : null;
  if (reimport !== null && !world.acm.has(reimport)) throw new AcmError(400, 'ResourceNotFoundException', `Could not find certificate ${reimport}.`);
  const arn = reimport ?? `arn:aws:acm:${LAB_REGION}:${LAB_ACCOUNT}:certificate/${randomUUID()}`;
  const tags = world.acm.get(arn)?.tags ?? new Map<string, string>();
  for (const [k, v] of tagsOf(body)) tags.set(k, v);
  world.acm.set(arn, { arn, certPem: `${certPem.trim()}\n`, chainPem: chainPem.trim() ? `${chainPem.trim()}\n` : '', keyPem, importedAt: new Date(), tags });
  return { CertificateArn: arn };
}

function existing(world: LabWorld, body: Record<string, unknown>): ImportedCertificate {
  const arn = String(body.CertificateArn);
  const c = world.acm.get(arn);
  if (!c) throw new AcmError(400, 'ResourceNotFoundException', `Could not find certificate ${arn}.`);
  return c;
}

/** The answer to an import-side ACM call, or undefined for the calls ./server.ts answers from the ALB. */
export function acmImportCall(world: LabWorld, op: string, body: Record<string, unknown>): unknown {
  switch (op) {
    case 'ImportCertificate':
      return importCertificate(world, body);
    case 'ListCertificates': {
      const wanted = Array.isArray(body.CertificateStatuses) ? body.CertificateStatuses.filter((s): s is string => typeof s === 'string') : [];
      const list = [...world.acm.values()].map((c) => {
        const n = names(c);
        const status = n.notAfter.getTime() < Date.now() ? 'EXPIRED' : 'ISSUED';
        return { CertificateArn: c.arn, DomainName: n.domain, SubjectAlternativeNameSummaries: n.sans, Status: status, Type: 'IMPORTED', NotAfter: n.notAfter.getTime() / 1000, ImportedAt: c.importedAt.getTime() / 1000 };
      });
      return { CertificateSummaryList: list.filter((c) => wanted.length === 0 || wanted.includes(c.Status)) };
    }
    case 'AddTagsToCertificate': {
      const c = existing(world, body);
      for (const [k, v] of tagsOf(body)) c.tags.set(k, v);
      return {};
    }
    case 'DeleteCertificate': {
      const c = existing(world, body);
      // ACM refuses while a listener uses it: the ALB is the Ingress's until the controller deletes it,
      // a reconcile after the Ingress is gone (world.albCertificates).
      const ing = world.objects.find((o) => o.kind === 'Ingress' && (o.metadata.annotations?.['alb.ingress.kubernetes.io/certificate-arn'] ?? '').includes(c.arn));
      if (ing || world.albCertificates.has(c.arn)) throw new AcmError(400, 'ResourceInUseException', `Certificate ${c.arn} is in use.`);
      world.acm.delete(c.arn);
      return {};
    }
    case 'ListTagsForCertificate':
      return { Tags: [...existing(world, body).tags].map(([Key, Value]) => ({ Key, Value })) };
    default:
      return undefined;
  }
}
