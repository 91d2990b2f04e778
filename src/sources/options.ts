// What a run asks of gather: the target as the user named it, the limits, and where the cluster is.
// Plain data; the sources read it, the plan decides from it what applies.
import type { K8sSelection } from '../platform/k8s/types.js';

export interface Credentials {
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface K8sOptions extends K8sSelection {
  readonly mode: 'live' | 'manifests';
  /** A file, a directory, or '-' for stdin. */
  readonly manifests?: string;
}

/** Where and how to read the AWS APIs; the SDK's default chain supplies credentials and AWS_ENDPOINT_URL*. */
export interface AwsOptions {
  /** --aws-region; null: AWS_REGION, then the ALB hostname, then the certificate ARN. */
  readonly region: string | null;
  readonly profile: string | null;
  /** --min-idle-timeout in seconds: the ALB idle timeout below it is a warning. */
  readonly minIdleTimeoutSec: number | null;
  /**
   * One endpoint for ELBv2, ACM and EC2 instead of AWS's (the lab's stand-in); AWS_ENDPOINT_URL* still
   * work without it, as the SDK reads them itself.
   */
  readonly endpoint?: string;
  /** Static keys that go with `endpoint` (the lab's, never a user's): the default chain otherwise. */
  readonly staticCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Where and how to read the Compute API; credentials from ADC or GOOGLE_OAUTH_ACCESS_TOKEN. */
export interface GcpOptions {
  /** --gcp-project; null: the cluster's node providerID, then ADC's project. */
  readonly project: string | null;
  /** --gcp-endpoint: scheme, host and port of a private or local Compute endpoint. */
  readonly endpoint: string | null;
  /** GOOGLE_OAUTH_ACCESS_TOKEN: a static access token used instead of ADC (a secret: never printed). */
  readonly accessToken?: string | null;
}

export interface GatherOptions {
  readonly host: string | null;
  readonly address: string | null;
  readonly port: number;
  readonly serverName: string | null;
  readonly caFile: string | null;
  readonly ca: string[] | null;
  readonly credentials: Credentials | null;
  readonly healthzUrl: string | null;
  readonly dnsServer: string | null;
  readonly provider: 'aws' | 'gcp' | 'auto';
  readonly timeoutMs: number;
  readonly latencySamples: number;
  readonly smoke: boolean;
  readonly k8s: K8sOptions | null;
  readonly aws?: AwsOptions;
  readonly gcp?: GcpOptions;
  /** Where --manifests - reads from (tests); process.stdin by default. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Skip the port-forward probe of the backend (tests of the reader alone). */
  readonly backendProbe?: boolean;
}

export function hasCredentials(o: GatherOptions): boolean {
  return !!(o.credentials && (o.credentials.token || o.credentials.username));
}

/**
 * Offline, --host names the host to judge the objects against, and the network is probed only when
 * --address names where the load balancer is: a manifest's host is no promise that anything answers.
 */
export function probesNetwork(o: GatherOptions): boolean {
  if (o.k8s?.mode === 'manifests') return o.address !== null;
  return true;
}
