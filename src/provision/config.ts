// What one provision run was asked to do, validated (src/cli/provision.ts builds it from the flags).
import type { RunConfig } from '../cli/config.js';
import type { GuideNames } from '../render/params.js';
import type { Certificate } from './certs.js';

/**
 * Where the certificate comes from. files: given (checked); self-signed: generated here; managed: a GKE
 * ManagedCertificate; arn: an ACM certificate named by --certificate-arn; reuse (AWS, nothing given): an
 * ISSUED ACM certificate covering the host.
 */
export type CertSource =
  | { readonly mode: 'files'; readonly material: Certificate }
  | { readonly mode: 'self-signed' }
  | { readonly mode: 'managed' }
  | { readonly mode: 'arn'; readonly arn: string }
  | { readonly mode: 'reuse' };

export type ProvisionOutput = 'text' | 'json' | 'yaml';

export interface ProvisionConfig {
  readonly provider: 'aws' | 'gcp';
  readonly namespace: string;
  readonly release: string;
  readonly host: string;
  readonly names: Partial<GuideNames>;
  readonly cert: CertSource;
  readonly scheme: 'internet-facing' | 'internal';
  readonly allowHttp: boolean;
  readonly apply: boolean;
  readonly remove: boolean;
  readonly forceConflicts: boolean;
  readonly helm: boolean;
  readonly includeSecrets: boolean;
  readonly output: ProvisionOutput;
  readonly waitMs: number | null;
  /** Deadline of each Kubernetes or AWS request. */
  readonly timeoutMs: number;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** The ALB's region (AWS): --aws-region, AWS_REGION, AWS_DEFAULT_REGION, the --certificate-arn. */
  readonly region: string | null;
  /** Where provision writes what it makes for the user: the Helm values file, the self-signed CA. */
  readonly outDir: string;
  /** The check that follows --wait, from the same flags. */
  readonly check: RunConfig;
}
