// Report paths are checked before the run: a run of a minute that ends in "could not write the JUnit
// report" is a minute lost, and a CI job then has no report at all. Missing parent directories are not an
// error (they are created when the report is written, as vitest's outputFile does).
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** `-` is stdout for --json and --junit. */
export const STDOUT_PATH = '-';

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch (err) {
    if (err instanceof Error && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return null;
    throw err;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function checkReportPath(option: string, file: string): void {
  if (file === STDOUT_PATH) return;
  if (file === '') throw new UsageError(`${option}: empty path`);
  const target = resolve(file);
  const st = statOrNull(target);
  if (st?.isDirectory()) throw new UsageError(`${option} ${file}: is a directory; give a file name in it (e.g. ${file.replace(/\/+$/, '')}/report.${option === '--junit' ? 'xml' : 'json'})`);
  if (st && !writable(target)) throw new UsageError(`${option} ${file}: cannot be written (permission denied)`);
  // The nearest existing ancestor decides: it must be a directory we can create entries in.
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const up = statOrNull(dir);
    if (up) {
      if (!up.isDirectory()) throw new UsageError(`${option} ${file}: ${dir} is not a directory`);
      if (!writable(dir)) throw new UsageError(`${option} ${file}: cannot create files in ${dir} (permission denied)`);
      return;
    }
    if (dirname(dir) === dir) return;
  }
}

export interface ReportPaths {
  json?: string;
  junit?: string;
  snapshot?: string;
}

export function checkReportPaths(o: ReportPaths): void {
  if (o.json !== undefined) checkReportPath('--json', o.json);
  if (o.junit !== undefined) checkReportPath('--junit', o.junit);
  if (o.json === STDOUT_PATH && o.junit === STDOUT_PATH) throw new UsageError('--json - and --junit -: only one report can go to stdout');
  if (o.snapshot !== undefined) {
    if (o.snapshot === STDOUT_PATH) throw new UsageError('--snapshot -: give a file (stdout carries the report)');
    checkReportPath('--snapshot', o.snapshot);
  }
}

/** What --from-snapshot replays is fixed: options that say how to gather facts cannot apply. */
const GATHER_OPTIONS: Readonly<Record<string, string>> = {
  provider: '--provider', namespace: '--namespace', release: '--release', service: '--service', ingress: '--ingress',
  host: '--host', address: '--address', port: '--port', serverName: '--server-name', ca: '--ca', token: '--token',
  user: '--user', password: '--password', healthzUrl: '--healthz-url', dnsServer: '--dns-server', kubeconfig: '--kubeconfig',
  context: '--context', manifests: '--manifests', awsRegion: '--aws-region', awsProfile: '--aws-profile',
  minIdleTimeout: '--min-idle-timeout', gcpProject: '--gcp-project', gcpEndpoint: '--gcp-endpoint', timeout: '--timeout',
  wait: '--wait', smoke: '--smoke', latencySamples: '--latency-samples', snapshot: '--snapshot',
};

export function checkReplayOptions(o: Readonly<Record<string, unknown>>, origin: (key: string) => string | undefined = () => undefined): void {
  if (o.fromSnapshot === undefined) return;
  const given = Object.keys(GATHER_OPTIONS).filter((k) => o[k] !== undefined);
  if (given.length === 0) return;
  // A value from a variable or the config file is named as such: the command line did not have it.
  const names = given.map((k) => {
    const from = origin(k);
    return from ? `${GATHER_OPTIONS[k]} (from ${from})` : GATHER_OPTIONS[k];
  });
  throw new UsageError(`--from-snapshot replays facts already gathered: ${names.join(', ')} cannot apply (they choose what to gather); judge options (--only, --skip, --fail-on, --warn-days, --fail-days, --max-latency) and outputs can`);
}
