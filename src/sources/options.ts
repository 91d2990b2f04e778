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
  /** Where --manifests - reads from (tests); process.stdin by default. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Skip the port-forward probe of the backend (tests of the reader alone). */
  readonly backendProbe?: boolean;
}

export function hasCredentials(o: GatherOptions): boolean {
  return !!(o.credentials && (o.credentials.token || o.credentials.username));
}

/** Offline, the network is probed only when the user named an endpoint: a manifest's host is no promise. */
export function probesNetwork(o: GatherOptions): boolean {
  if (o.k8s?.mode === 'manifests') return o.host !== null || o.address !== null;
  return true;
}
