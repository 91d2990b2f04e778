// What the renderer needs to know to write the objects of Milvus's two Layer-7 guides (seeds/000 AWS,
// seeds/002 GCP), and the names it derives when the caller leaves them out. Names follow the guides and
// milvus-helm, so a rendered object lands on the one a guide-following cluster already has.

import { DoctorError } from '../errors.js';

export type Provider = 'aws' | 'gcp';

/** Milvus's ports: gRPC (what the LB forwards to) and metrics, which serves /healthz. */
export const MILVUS_PORT = { name: 'milvus', port: 19530 } as const;
export const METRICS_PORT = { name: 'metrics', port: 9091 } as const;

export interface GuideNames {
  /** The Milvus Service (milvus-helm's full name of the release). */
  readonly service: string;
  /** The Ingress: both guides name it as the Service. */
  readonly ingress: string;
  /** The ConfigMap carrying Milvus's user.yaml. */
  readonly configMap: string;
  /** The Milvus proxy Deployment. */
  readonly deployment: string;
  /** GCP: `<release>-backendconfig` (seeds/002). */
  readonly backendConfig: string;
  /** GCP: `<service>-tls`, the TLS Secret of a self-managed certificate (seeds/002). */
  readonly tlsSecret: string;
  /** GCP: `<service>-tls`, the ManagedCertificate of a Google-managed one (seeds/002). */
  readonly managedCertificate: string;
}

/** PEM text of a certificate, its chain and its key, as `kubectl create secret tls` takes them. */
export interface TlsMaterial {
  readonly certPem: string;
  /** Intermediates served after the leaf; clients fail on a missing one (FAILURES.md: missing-chain). */
  readonly chainPem?: string;
  readonly keyPem: string;
  /** A private CA clients must trust (a self-signed setup): stored as `ca.crt` beside the pair, as cert-manager does. */
  readonly caPem?: string;
}

/** Settings of Milvus's own user.yaml that the path through the LB depends on. */
export interface MilvusSettings {
  /** Default on: a public endpoint needs it. */
  readonly authorizationEnabled?: boolean;
  /**
   * 0 (plaintext), 1 (server TLS) or 2 (mutual TLS). Default: 1 on GCP, whose backend service speaks
   * HTTP/2 over TLS to the pods; none on AWS, whose ALB speaks h2c to them.
   */
  readonly tlsMode?: 0 | 1 | 2;
}

export interface HealthCheckTiming {
  readonly checkIntervalSec: number;
  readonly timeoutSec: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

interface CommonParams {
  readonly namespace: string;
  /** The Helm release (`helm upgrade <release> milvus/milvus`). */
  readonly release: string;
  /** The public host: the Ingress rule and the certificate's name. */
  readonly host: string;
  /** Override any derived name. */
  readonly names?: Partial<GuideNames>;
  readonly milvus?: MilvusSettings;
  /** milvus-helm's `helm.sh/chart` label. */
  readonly chart?: string;
  readonly image?: string;
  readonly proxyReplicas?: number;
}

export interface AwsParams extends CommonParams {
  readonly provider: 'aws';
  /** The ACM certificate the HTTPS listener serves (`aws acm import-certificate` prints it). */
  readonly certificateArn: string;
  /** The controller's own default is internal; clients outside the VPC need internet-facing (FAILURES.md: scheme). */
  readonly scheme?: 'internet-facing' | 'internal';
  /** The HTTPS listener's SSL policy (default: TLS 1.2 and 1.3 only). */
  readonly sslPolicy?: string;
}

/**
 * How the GKE load balancer gets its certificate: a TLS Secret named in the Ingress (self-managed), or a
 * ManagedCertificate named by annotation (Google-managed).
 */
export type GcpCertificateMode = 'secret' | 'managed';

export interface GcpParams extends CommonParams {
  readonly provider: 'gcp';
  readonly certificate: GcpCertificateMode;
  /**
   * The TLS Secret's content. With `secret` the LB serves it; Milvus (tlsMode 1) serves it to the LB in
   * either mode, so with `managed` it is still rendered when given. Left out: no Secret is rendered.
   */
  readonly tls?: TlsMaterial;
  /** Leave port 80 open (no `kubernetes.io/ingress.allow-http: "false"`): only when asked for. */
  readonly allowHttp?: boolean;
  /** The backend service's timeout: GKE's 30 s default cuts long searches and streams. */
  readonly backendTimeoutSec?: number;
  readonly healthCheck?: Partial<HealthCheckTiming>;
}

export type GuideParams = AwsParams | GcpParams;

export class RenderError extends DoctorError {
  constructor(message: string) {
    super('RENDER_INVALID', message);
  }
}

export const DEFAULTS = {
  chart: 'milvus-4.2.8',
  image: 'milvusdb/milvus:v2.4.17',
  proxyReplicas: 1,
  scheme: 'internet-facing',
  // Beyond the guide, which names none: the controller's default (ELBSecurityPolicy-2016-08) still allows
  // TLS 1.0 and 1.1, which aws.listener.tls-policy warns about.
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  backendTimeoutSec: 600,
  healthCheck: { checkIntervalSec: 15, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 2 },
} as const;

/** milvus-helm's `milvus.fullname`: the release name when it already contains the chart name, else `<release>-milvus`. */
export function milvusFullname(release: string): string {
  const full = release.includes('milvus') ? release : `${release}-milvus`;
  return full.slice(0, 63).replace(/-+$/, '');
}

export function guideNames(p: Pick<CommonParams, 'release' | 'names'>): GuideNames {
  const service = p.names?.service ?? milvusFullname(p.release);
  return {
    service,
    ingress: service,
    configMap: service,
    deployment: `${service}-proxy`,
    backendConfig: `${p.release}-backendconfig`,
    tlsSecret: `${service}-tls`,
    managedCertificate: `${service}-tls`,
    ...p.names,
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// The ALB controller takes the ARN as given; a typo only shows up later as FailedDeployModel.
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** Refuses what the API server or the controllers would refuse later, with the field named. */
export function validateParams(p: GuideParams): void {
  if (!DNS_LABEL.test(p.namespace) || p.namespace.length > 63) throw new RenderError(`namespace ${JSON.stringify(p.namespace)} is not a DNS label`);
  if (!DNS_LABEL.test(p.release) || p.release.length > 53) throw new RenderError(`release ${JSON.stringify(p.release)} is not a Helm release name`);
  if (!DNS_SUBDOMAIN.test(p.host)) throw new RenderError(`host ${JSON.stringify(p.host)} is not a DNS name (an Ingress rule takes no IP address or port)`);
  for (const [key, name] of Object.entries(guideNames(p))) {
    if (!DNS_SUBDOMAIN.test(name)) throw new RenderError(`names.${key} ${JSON.stringify(name)} is not a valid object name`);
  }
  if (p.provider === 'aws' && !ACM_ARN.test(p.certificateArn)) throw new RenderError(`certificateArn ${JSON.stringify(p.certificateArn)} is not an ACM certificate ARN`);
  if (p.provider === 'gcp' && p.certificate === 'secret' && !p.tls) throw new RenderError('a self-managed certificate (certificate: secret) needs tls: the certificate and key for the Secret');
}
