// `milvus-l7-doctor lab`: start the local deployment, check it like any other, stop it (unless --keep).
import { once } from 'node:events';
import { isIP } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveRunConfig, type RawCheckOptions } from './config.js';
import type { Io } from './run-check.js';
import { UsageError } from '../errors.js';

export interface RawLabOptions extends Pick<RawCheckOptions,
  'timeout' | 'only' | 'skip' | 'output' | 'json' | 'junit' | 'snapshot' | 'failOn' | 'smoke' | 'warnDays' | 'failDays' | 'maxLatency' | 'latencySamples' | 'verbose' | 'quiet'> {
  fault?: string[];
  listFaults?: boolean;
  keep?: boolean;
  provider?: string;
  bare?: boolean;
  dnsAnswer?: string;
}

async function faultTable(): Promise<string> {
  const { listFaults } = await import('../lab/lab.js');
  const faults = listFaults();
  const width = Math.max(...faults.map((f) => f.name.length));
  // What users see is the symptom and what it fails, not the FAILURES.md row it was written from.
  return `${faults.map((f) => `${f.name.padEnd(width)}  ${f.provider === 'any' ? '' : `[${f.provider}] `}${f.description}\n${' '.repeat(width)}  fails ${f.expectFail.join(', ')}`).join('\n')}\n`;
}

/**
 * Unknown names and data-path faults that exclude each other, without loading the lab (~0.5 s);
 * startLab checks the Kubernetes faults' flavours itself before it starts anything.
 */
async function checkFaults(names: readonly string[]): Promise<void> {
  const { FAULT_NAMES, parseFaults } = await import('../lab/faults.js');
  const dataPath = names.filter((n) => (FAULT_NAMES as readonly string[]).includes(n));
  const others = names.filter((n) => !dataPath.includes(n));
  if (others.length > 0) {
    const { K8S_FAULTS, k8sFault } = await import('../lab/k8s-api/faults.js');
    const unknown = others.find((n) => !k8sFault(n));
    if (unknown !== undefined) {
      throw new UsageError(`unknown fault "${unknown}"; valid faults: ${[...FAULT_NAMES, ...K8S_FAULTS.map((f) => f.name)].join(', ')}`, 'LAB_UNKNOWN_FAULT');
    }
  }
  parseFaults(dataPath);
}

type StartedLab = Awaited<ReturnType<typeof import('../lab/lab.js').startLab>>;

/**
 * The one line that provisions a bare lab: its kubeconfig, names, the lab PKI's files (so the certificate
 * chains to --ca), where the check after --wait reaches the lab, and --helm. What must not show on a
 * terminal (the Milvus token, the lab's cloud credentials) goes into an env file beside it, 0600.
 */
async function printProvisionLine(lab: StartedLab, k: NonNullable<StartedLab['kubernetes']>, log: (line: string) => void): Promise<void> {
  const bare = lab.bare;
  if (!bare) return;
  const env: Record<string, string> = { PATH: `${bare.helmDir}:$PATH` };
  if (lab.credentials) env.MILVUS_TOKEN = lab.credentials.token;
  if (lab.aws) Object.assign(env, { AWS_ENDPOINT_URL: lab.aws.endpoint, AWS_ACCESS_KEY_ID: lab.aws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: lab.aws.credentials.secretAccessKey, AWS_REGION: lab.aws.region });
  if (lab.gcp) env.GOOGLE_OAUTH_ACCESS_TOKEN = lab.gcp.token;
  const envFile = path.join(lab.dir, 'provision.env');
  // PATH stays unquoted so the shell expands $PATH; the other values have no shell metacharacters.
  await writeFile(envFile, Object.entries(env).map(([key, v]) => `export ${key}=${key === 'PATH' ? v : `'${v}'`}\n`).join(''), { mode: 0o600 });
  const cloud = lab.aws ? ` --aws-region ${lab.aws.region}` : lab.gcp ? ` --gcp-endpoint ${lab.gcp.endpoint} --gcp-project ${lab.gcp.project}` : '';
  log(`kept running in ${lab.dir}: Milvus behind an L4 LoadBalancer Service, no Ingress, no certificate; provision it with:`);
  log(
    `  . ${envFile} && milvus-l7-doctor provision --provider ${lab.provider} --kubeconfig ${k.kubeconfigPath} -n ${k.namespace} --release ${k.release} --host ${lab.host}` +
      ` --cert-file ${bare.certFile} --key-file ${bare.keyFile} --chain-file ${bare.chainFile} --ca ${lab.caFile} --dns-server ${lab.dnsServer} --healthz-url ${lab.healthzUrl} --port ${lab.port}${cloud} --helm`,
  );
  log(`  (add --apply --wait 3m to build it; helm here is the lab's stand-in, ${path.join(bare.helmDir, 'helm')})`);
}

export async function runLab(opts: RawLabOptions, io: Io, signal: AbortSignal): Promise<number> {
  if (opts.listFaults) {
    io.stdout.write(await faultTable());
    return 0;
  }
  const asked = opts.provider;
  if (asked !== undefined && asked !== 'aws' && asked !== 'gcp') throw new UsageError(`--provider ${JSON.stringify(asked)}: the lab serves aws or gcp`);
  // Every option is checked before the lab starts (seconds): the lab's own values (host, CA, kubeconfig)
  // come later and are valid by construction.
  resolveRunConfig({ ...opts, provider: asked }, {}, io.stdout.isTTY === true);
  await checkFaults(opts.fault ?? []);
  if (opts.bare && (opts.fault ?? []).length > 0) throw new UsageError('lab --bare starts where the guides start and takes no --fault');
  if (opts.dnsAnswer !== undefined && isIP(opts.dnsAnswer) === 0) throw new UsageError(`--dns-answer ${JSON.stringify(opts.dnsAnswer)}: not an IP address`);
  const [{ startLab }, { runCheck }] = await Promise.all([import('../lab/lab.js'), import('./run-check.js')]);
  const log = (line: string) => io.stderr.write(`${line.startsWith('lab: ') ? line : `lab: ${line}`}\n`);
  const lab = await startLab({ faults: opts.fault ?? [], ...(asked ? { provider: asked } : {}), signal, logger: log, ...(opts.bare ? { bare: true } : {}), ...(opts.dnsAnswer ? { dnsAnswer: opts.dnsAnswer } : {}) });
  const kubernetes = lab.kubernetes;
  try {
    for (const c of lab.components) log(`${c.name} (${c.kind}) at ${c.endpoint}${c.pid ? `, pid ${c.pid}` : ''}`);
    const resolved = resolveRunConfig(
      {
        ...opts,
        host: lab.host,
        address: lab.address,
        port: String(lab.port),
        serverName: lab.serverName,
        ca: lab.caFile,
        ...(lab.credentials ? { token: lab.credentials.token } : {}),
        healthzUrl: lab.healthzUrl,
        dnsServer: lab.dnsServer,
        provider: lab.provider,
        ...(lab.gcp ? { gcpEndpoint: lab.gcp.endpoint, gcpProject: lab.gcp.project } : {}),
        ...(kubernetes
          ? { kubeconfig: kubernetes.kubeconfigPath, context: kubernetes.context, namespace: kubernetes.namespace, release: kubernetes.release }
          : {}),
      },
      // The lab hands its own credentials over; the environment's are for real deployments.
      lab.gcp ? { GOOGLE_OAUTH_ACCESS_TOKEN: lab.gcp.token } : {},
      io.stdout.isTTY === true,
    );
    // The AWS flavour's ELBv2/ACM/EC2 stand-in, with the lab's own keys: never the user's AWS.
    const config = lab.aws
      ? { ...resolved, gather: { ...resolved.gather, aws: { region: lab.aws.region, profile: null, minIdleTimeoutSec: resolved.gather.aws?.minIdleTimeoutSec ?? null, endpoint: lab.aws.endpoint, staticCredentials: lab.aws.credentials } } }
      : resolved;
    // Kept bare, there is nothing of the guide to check yet: it goes straight to how to provision it.
    if (opts.keep && lab.bare && kubernetes) {
      await printProvisionLine(lab, kubernetes, log);
      log('press Ctrl-C to stop it');
      await once(signal, 'abort');
      return 0;
    }
    const code = await runCheck(config, io, signal, { lab: true, faults: [...lab.faults] });
    if (opts.keep && !signal.aborted) {
      const tokenFile = path.join(lab.dir, 'token');
      if (lab.credentials) await writeFile(tokenFile, `${lab.credentials.token}\n`, { mode: 0o600 });
      const kube = kubernetes ? ` --kubeconfig ${kubernetes.kubeconfigPath} -n ${kubernetes.namespace} --release ${kubernetes.release}` : '';
      log(`kept running in ${lab.dir}; check it again with:`);
      log(`  ${lab.credentials ? `MILVUS_TOKEN=$(cat ${tokenFile}) ` : ''}milvus-l7-doctor --host ${lab.host} --address ${lab.address} --port ${lab.port} --ca ${lab.caFile} --dns-server ${lab.dnsServer} --healthz-url ${lab.healthzUrl}${kube}`);
      if (kubernetes) log(`  kubectl --kubeconfig ${kubernetes.kubeconfigPath} get svc,ingress,endpointslices`);
      log('press Ctrl-C to stop it');
      await once(signal, 'abort');
    }
    return code;
  } finally {
    await lab.stop();
  }
}
