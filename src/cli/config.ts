// From parsed command-line values (flags > environment) to one validated run configuration.
import { UsageError } from '../errors.js';
import type { FailOn } from '../model.js';
import { CATALOG } from '../catalog.js';
import type { GatherOptions } from '../sources/options.js';
import {
  parseAwsRegion, parseDnsServer, parseDuration, parseEndpointUrl, parseGcpProject, parseHostName, parsePort, parseUrl, parseWholeNumber, readCaFile, resolveSelectors,
} from './values.js';

export type OutputFormat = 'tui' | 'plain' | 'json';

/** The raw option bag commander hands over (all strings, as typed). */
export interface RawCheckOptions {
  provider?: string;
  namespace?: string;
  release?: string;
  service?: string;
  ingress?: string;
  host?: string;
  address?: string;
  port?: string;
  serverName?: string;
  ca?: string;
  token?: string;
  user?: string;
  password?: string;
  healthzUrl?: string;
  dnsServer?: string;
  kubeconfig?: string;
  context?: string;
  manifests?: string;
  awsRegion?: string;
  awsProfile?: string;
  minIdleTimeout?: string;
  gcpProject?: string;
  gcpEndpoint?: string;
  timeout?: string;
  wait?: string;
  only?: string[];
  skip?: string[];
  output?: string;
  json?: string;
  junit?: string;
  snapshot?: string;
  fromSnapshot?: string;
  failOn?: string;
  smoke?: boolean;
  warnDays?: string;
  failDays?: string;
  maxLatency?: string;
  latencySamples?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export interface RunConfig {
  readonly gather: GatherOptions;
  readonly selected: readonly string[];
  readonly output: OutputFormat;
  readonly jsonFile: string | null;
  readonly junitFile: string | null;
  readonly snapshotFile: string | null;
  readonly fromSnapshot: string | null;
  readonly failOn: FailOn;
  readonly waitMs: number | null;
  readonly warnDays: number;
  readonly failDays: number;
  readonly maxLatencyMs: number | null;
  readonly verbosity: 'quiet' | 'normal' | 'verbose';
  /** Values that must never be printed: the token and the password. */
  readonly secrets: readonly string[];
}

function oneOf<T extends string>(option: string, raw: string | undefined, values: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${option} ${JSON.stringify(raw)}: expected one of ${values.join(', ')}`);
}

export function resolveRunConfig(o: RawCheckOptions, env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): RunConfig {
  const token = o.token ?? env.MILVUS_TOKEN ?? undefined;
  const username = o.user ?? env.MILVUS_USER ?? undefined;
  const password = o.password ?? env.MILVUS_PASSWORD ?? undefined;
  if (token && (username || password)) throw new UsageError('--token and --user/--password are exclusive: give one kind of credentials');
  if ((username && !password) || (!username && password)) throw new UsageError('--user and --password go together');

  const host = o.host !== undefined ? parseHostName('--host', o.host) : null;
  const address = o.address !== undefined ? parseHostName('--address', o.address) : null;
  const port = o.port !== undefined ? parsePort('--port', o.port) : 443;
  const serverName = o.serverName !== undefined ? parseHostName('--server-name', o.serverName) : null;
  const ca = o.ca !== undefined ? readCaFile('--ca', o.ca) : null;
  const timeoutMs = o.timeout !== undefined ? parseDuration('--timeout', o.timeout) : 5000;
  const waitMs = o.wait !== undefined ? parseDuration('--wait', o.wait) : null;
  const warnDays = o.warnDays !== undefined ? parseWholeNumber('--warn-days', o.warnDays, 0, 3650) : 30;
  const failDays = o.failDays !== undefined ? parseWholeNumber('--fail-days', o.failDays, 0, 3650) : 7;
  if (failDays > warnDays) throw new UsageError(`--fail-days ${failDays} is more than --warn-days ${warnDays}`);
  const latencySamples = o.latencySamples !== undefined ? parseWholeNumber('--latency-samples', o.latencySamples, 1, 1000) : 20;
  const maxLatencyMs = o.maxLatency !== undefined ? parseDuration('--max-latency', o.maxLatency) : null;

  const wantsK8s = [o.namespace, o.release, o.service, o.ingress, o.kubeconfig, o.context, o.manifests].some((v) => v !== undefined);
  if (o.manifests !== undefined && (o.kubeconfig !== undefined || o.context !== undefined)) {
    throw new UsageError('--manifests (offline) cannot be combined with --kubeconfig/--context (live)');
  }
  const only = o.only?.length ? resolveSelectors('--only', o.only) : new Set(CATALOG.map((c) => c.id));
  const skip = o.skip?.length ? resolveSelectors('--skip', o.skip) : new Set<string>();
  const selected = CATALOG.map((c) => c.id).filter((id) => only.has(id) && !skip.has(id));
  if (selected.length === 0) throw new UsageError('--only/--skip leave no check to run');

  const output = oneOf('--output', o.output, ['tui', 'plain', 'json'] as const, stdoutIsTTY ? 'tui' : 'plain');
  if (o.verbose && o.quiet) throw new UsageError('-v/--verbose and -q/--quiet exclude each other');
  return {
    gather: {
      host,
      address,
      port,
      serverName,
      caFile: o.ca ?? null,
      ca,
      credentials: token ? { token } : username && password ? { username, password } : null,
      healthzUrl: o.healthzUrl !== undefined ? parseUrl('--healthz-url', o.healthzUrl) : null,
      dnsServer: o.dnsServer !== undefined ? parseDnsServer('--dns-server', o.dnsServer) : null,
      provider: oneOf('--provider', o.provider, ['aws', 'gcp', 'auto'] as const, 'auto'),
      aws: {
        region: o.awsRegion !== undefined ? parseAwsRegion('--aws-region', o.awsRegion) : null,
        profile: o.awsProfile ?? null,
        minIdleTimeoutSec: o.minIdleTimeout !== undefined ? Math.round(parseDuration('--min-idle-timeout', o.minIdleTimeout) / 1000) : null,
      },
      gcp: {
        project: o.gcpProject !== undefined ? parseGcpProject('--gcp-project', o.gcpProject) : null,
        endpoint: o.gcpEndpoint !== undefined ? parseEndpointUrl('--gcp-endpoint', o.gcpEndpoint) : null,
        accessToken: env.GOOGLE_OAUTH_ACCESS_TOKEN || null,
      },
      timeoutMs,
      latencySamples,
      smoke: o.smoke === true,
      k8s: wantsK8s
        ? {
            mode: o.manifests !== undefined ? 'manifests' : 'live',
            ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
            ...(o.context !== undefined ? { context: o.context } : {}),
            ...(o.manifests !== undefined ? { manifests: o.manifests } : {}),
            ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
            ...(o.release !== undefined ? { release: o.release } : {}),
            ...(o.service !== undefined ? { service: o.service } : {}),
            ...(o.ingress !== undefined ? { ingress: o.ingress } : {}),
          }
        : null,
    },
    selected,
    output: output === 'tui' && !stdoutIsTTY ? 'plain' : output,
    jsonFile: o.json ?? null,
    junitFile: o.junit ?? null,
    snapshotFile: o.snapshot ?? null,
    fromSnapshot: o.fromSnapshot ?? null,
    failOn: oneOf('--fail-on', o.failOn, ['fail', 'warn', 'never'] as const, 'fail'),
    waitMs,
    warnDays,
    failDays,
    maxLatencyMs,
    verbosity: o.verbose ? 'verbose' : o.quiet ? 'quiet' : 'normal',
    // user:password too: the SDK sends it base64-encoded as one string, and servers echo it back.
    secrets: [token, password, username && password ? `${username}:${password}` : undefined, env.GOOGLE_OAUTH_ACCESS_TOKEN].filter((s): s is string => typeof s === 'string' && s.length > 0),
  };
}
