// For tests of the AWS readers: gather only the AWS checks' facts and judge them; moto_server from the CI
// venv on a free loopback port, stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG } from '../../src/catalog.js';
import { judgeCheck, type Judgement } from '../../src/checks/define.js';
import { rootNeeds } from '../../src/checks/needs.js';
import type { Facts } from '../../src/facts/types.js';
import { gather } from '../../src/gather/gather.js';
import type { AwsOptions, GatherOptions } from '../../src/sources/options.js';
import { JUDGE_OPTIONS } from './k8s-testkit.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MOTO_BIN = path.join(REPO, '.venv', 'bin', 'moto_server');

export const AWS_API_CHECKS = CATALOG.filter((c) => c.area === 'aws' && !c.id.startsWith('aws.ingress.') && c.id !== 'aws.targetgroupbinding');

export function awsOptions(o: { host: string; address: string; aws: AwsOptions; timeoutMs?: number; port?: number; ca?: string | null }): GatherOptions {
  return {
    host: o.host,
    address: o.address,
    port: o.port ?? 443,
    serverName: o.host,
    caFile: o.ca ?? null,
    ca: null,
    credentials: null,
    healthzUrl: null,
    dnsServer: null,
    provider: 'aws',
    timeoutMs: o.timeoutMs ?? 5000,
    latencySamples: 0,
    smoke: false,
    k8s: null,
    aws: o.aws,
  };
}

/** The AWS checks' facts (nothing else: ids filter out what needs the data path unless asked). */
export async function gatherAws(options: GatherOptions, ids: readonly string[] = AWS_API_CHECKS.map((c) => c.id)): Promise<{ facts: Facts; ms: number }> {
  const started = Date.now();
  const { facts } = await gather(options, rootNeeds(ids, options), new AbortController().signal);
  return { facts, ms: Date.now() - started };
}

export function judgeAws(facts: Facts, ids: readonly string[] = AWS_API_CHECKS.map((c) => c.id)): Map<string, Judgement> {
  return new Map(CATALOG.filter((c) => ids.includes(c.id)).map((c) => [c.id, judgeCheck(c, facts, { ...JUDGE_OPTIONS, now: new Date().toISOString() })]));
}

export interface Moto {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startMoto(port: number): Promise<Moto> {
  if (!existsSync(MOTO_BIN)) throw new Error('moto_server is not installed: run bash .ci/run (it installs moto into .venv)');
  const child: ChildProcess = spawn(MOTO_BIN, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr.slice(-500)}`);
    try {
      const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer within 30 s: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
