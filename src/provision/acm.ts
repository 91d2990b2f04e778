// The AWS guide's certificate in ACM: reuse an ISSUED one that covers the host in the ALB's region, or
// import the given files WITH their chain (an import without it serves the leaf alone, which strict
// clients refuse), tagged so that `provision --remove` finds what it imported. The SDK clients are built
// as the doctor's AWS reads build them (src/sources/aws/client.ts): default credential chain,
// --aws-profile, AWS_ENDPOINT_URL*, a deadline and bounded retries on every call.
import { X509Certificate } from 'node:crypto';
import type { ACMClient } from '@aws-sdk/client-acm';
import type { GatherOptions } from '../sources/options.js';
import { coversHost, type Certificate } from './certs.js';
import { ProvisionError } from './types.js';

/** The tag provision puts on what it imports (ACM tag keys allow `/` and `.`). */
export const ACM_TAG = { key: 'app.kubernetes.io/managed-by', value: 'milvus-l7-doctor' } as const;
export const ACM_HOST_TAG = 'milvus-l7-doctor/host';

/** Every ACM operation provision calls, with its IAM action (src/provision/permissions.ts lists them). */
export const ACM_ACTIONS = {
  ListCertificates: 'acm:ListCertificates',
  DescribeCertificate: 'acm:DescribeCertificate',
  ImportCertificate: 'acm:ImportCertificate',
  // ImportCertificate with Tags is authorised against AddTagsToCertificate as well.
  AddTagsToCertificate: 'acm:AddTagsToCertificate',
  ListTagsForCertificate: 'acm:ListTagsForCertificate',
  DeleteCertificate: 'acm:DeleteCertificate',
} as const;
export type AcmOperation = keyof typeof ACM_ACTIONS;

export interface AcmCertificate {
  readonly arn: string;
  readonly status: string;
  readonly domains: readonly string[];
  /** Hex, upper case, no separators (ACM says `0a:1b:…`). */
  readonly serial: string;
  readonly notAfter: string | null;
}

export interface AcmApi {
  readonly region: string;
  describe(arn: string): Promise<AcmCertificate | null>;
  /** ISSUED certificates of the region (at most 200: a plan reads, it does not crawl an account). */
  listIssued(): Promise<AcmCertificate[]>;
  importCertificate(cert: Certificate, host: string): Promise<string>;
  /** What provision imported for this host, by its tags. */
  listImported(host: string): Promise<string[]>;
  /** 'in-use' while a load balancer's listener still uses it (ACM's ResourceInUseException). */
  delete(arn: string): Promise<'deleted' | 'in-use'>;
}

/** ACM writes the serial as colon-separated hex; moto as a decimal integer. Both → hex, upper case. */
export function normalizeSerial(s: string): string {
  const hex = /^\d+$/.test(s) && s.length > 2 ? BigInt(s).toString(16) : s.replace(/[^0-9a-f]/gi, '');
  return hex.replace(/^0+/, '').toUpperCase();
}

/** The leaf's serial, to find its earlier import again (a second plan is then empty). */
export function serialOf(cert: Certificate): string {
  return normalizeSerial(new X509Certificate(cert.certPem).serialNumber);
}

export function coversAcm(c: AcmCertificate, host: string): boolean {
  return coversHost(c.domains.map((d) => d.toLowerCase()), host);
}

interface SdkErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function acmFailure(op: AcmOperation, e: unknown, deadline: AbortSignal, run: AbortSignal, timeoutMs: number): ProvisionError {
  const err: SdkErrorLike = typeof e === 'object' && e !== null ? e : { message: String(e) };
  const name = err.name ?? 'Error';
  const what = `acm ${op}`;
  if (run.aborted) return new ProvisionError(`${what}: interrupted`, { cause: e });
  if (deadline.aborted || name === 'TimeoutError' || name === 'AbortError') return new ProvisionError(`${what}: no answer within ${timeoutMs} ms`, { cause: e });
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new ProvisionError(`${what}: no AWS credentials (the SDK's chain: env, --aws-profile/AWS_PROFILE, SSO, web identity/IRSA, instance metadata)`, { cause: e });
  }
  if (/AccessDenied|UnrecognizedClient|InvalidClientTokenId/.test(name) || err.$metadata?.httpStatusCode === 403) {
    return new ProvisionError(`${what}: access denied: allow ${ACM_ACTIONS[op]} (fixtures/iam/provision-policy.json)`, { cause: e });
  }
  return new ProvisionError(`${what}: ${name}: ${(err.message ?? '').split('\n')[0]}`, { cause: e });
}

export interface AcmOptions {
  readonly region: string;
  readonly gather: GatherOptions;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Each IAM action as it is called (the permission replay test records them). */
  readonly onCall?: (action: string) => void;
}

const MAX_LISTED = 200;

export async function acmApi(o: AcmOptions): Promise<AcmApi> {
  const { acmClient } = await import('../sources/aws/client.js');
  const ctx = { options: o.gather, signal: o.signal, timeoutMs: o.timeoutMs };
  const { m, client } = await acmClient(ctx, o.region);
  const call = async <T>(op: AcmOperation, send: (c: ACMClient, abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
    o.onCall?.(ACM_ACTIONS[op]);
    const deadline = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]);
    try {
      return await send(client, deadline);
    } catch (e) {
      throw acmFailure(op, e, deadline, o.signal, o.timeoutMs);
    }
  };
  const describe = async (arn: string): Promise<AcmCertificate | null> => {
    try {
      const d = (await call('DescribeCertificate', (c, abortSignal) => c.send(new m.DescribeCertificateCommand({ CertificateArn: arn }), { abortSignal }))).Certificate;
      if (!d) return null;
      return {
        arn,
        status: d.Status ?? 'UNKNOWN',
        domains: [...new Set([d.DomainName ?? '', ...(d.SubjectAlternativeNames ?? [])].filter(Boolean))],
        serial: normalizeSerial(d.Serial ?? ''),
        notAfter: d.NotAfter ? d.NotAfter.toISOString() : null,
      };
    } catch (e) {
      if (e instanceof ProvisionError && /ResourceNotFound/.test(e.message)) return null;
      throw e;
    }
  };
  const listArns = async (statuses?: ('ISSUED')[]): Promise<string[]> => {
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await call('ListCertificates', (c, abortSignal) => c.send(new m.ListCertificatesCommand({ ...(statuses ? { CertificateStatuses: statuses } : {}), NextToken: token }), { abortSignal }));
      arns.push(...(page.CertificateSummaryList ?? []).map((s) => s.CertificateArn ?? '').filter(Boolean));
      token = page.NextToken;
    } while (token && arns.length < MAX_LISTED);
    return arns.slice(0, MAX_LISTED);
  };
  return {
    region: o.region,
    describe,
    async listIssued() {
      const out: AcmCertificate[] = [];
      for (const arn of await listArns(['ISSUED'])) {
        const d = await describe(arn);
        if (d?.status === 'ISSUED') out.push(d);
      }
      return out;
    },
    async importCertificate(cert, host) {
      o.onCall?.(ACM_ACTIONS.AddTagsToCertificate);
      const answer = await call('ImportCertificate', (c, abortSignal) =>
        c.send(
          new m.ImportCertificateCommand({
            Certificate: Buffer.from(cert.certPem),
            PrivateKey: Buffer.from(cert.keyPem),
            ...(cert.chainPem || cert.caPem ? { CertificateChain: Buffer.from(cert.chainPem ?? cert.caPem ?? '') } : {}),
            Tags: [{ Key: ACM_TAG.key, Value: ACM_TAG.value }, { Key: ACM_HOST_TAG, Value: host }],
          }),
          { abortSignal },
        ),
      );
      if (!answer.CertificateArn) throw new ProvisionError('acm ImportCertificate: the answer has no CertificateArn');
      return answer.CertificateArn;
    },
    async listImported(host) {
      const mine: string[] = [];
      for (const arn of await listArns()) {
        const tags = (await call('ListTagsForCertificate', (c, abortSignal) => c.send(new m.ListTagsForCertificateCommand({ CertificateArn: arn }), { abortSignal }))).Tags ?? [];
        const has = (k: string, v: string) => tags.some((t) => t.Key === k && t.Value === v);
        if (has(ACM_TAG.key, ACM_TAG.value) && has(ACM_HOST_TAG, host)) mine.push(arn);
      }
      return mine;
    },
    async delete(arn) {
      try {
        await call('DeleteCertificate', (c, abortSignal) => c.send(new m.DeleteCertificateCommand({ CertificateArn: arn }), { abortSignal }));
        return 'deleted';
      } catch (e) {
        if (e instanceof ProvisionError && /ResourceInUseException/.test(e.message)) return 'in-use';
        throw e;
      }
    },
  };
}
