// `milvus-l7-doctor provision`: flags → a validated ProvisionConfig (every mistake one line, exit 2,
// before the cluster or AWS is touched), then src/provision/run.ts.
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CertSource, ProvisionConfig, ProvisionOutput } from '../provision/config.js';
import { resolveRunConfig, type RawCheckOptions } from './config.js';
import type { Io } from './run-check.js';
import { parseAwsRegion, parseDuration, parseHostName } from './values.js';

export interface RawProvisionOptions extends Omit<RawCheckOptions, 'output'> {
  cert?: string;
  certFile?: string;
  keyFile?: string;
  chainFile?: string;
  certificateArn?: string;
  scheme?: string;
  allowHttp?: boolean;
  apply?: boolean;
  output?: string;
  forceConflicts?: boolean;
  remove?: boolean;
  helm?: boolean;
  includeSecrets?: boolean;
  outDir?: string;
}

/** Per request: an apply waits on admission and, for a CRD, on its discovery. */
const DEFAULT_TIMEOUT_MS = 15_000;

function pick<T extends string>(option: string, raw: string | undefined, values: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${option} ${JSON.stringify(raw)}: expected one of ${values.join(', ')}`);
}

function only(provider: 'aws' | 'gcp', given: boolean, option: string, other: 'aws' | 'gcp'): void {
  if (given && provider === other) throw new UsageError(`${option} is for --provider ${other === 'aws' ? 'gcp' : 'aws'}, not ${provider}`);
}

const ARN_REGION = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;

async function certSource(o: RawProvisionOptions, provider: 'aws' | 'gcp', host: string): Promise<CertSource> {
  const mode = pick('--cert', o.cert, ['self-signed', 'managed'] as const);
  const files = o.certFile !== undefined || o.keyFile !== undefined || o.chainFile !== undefined;
  if (mode && files) throw new UsageError(`--cert ${mode} and --cert-file/--key-file exclude each other: give one certificate`);
  if (o.certificateArn !== undefined && (mode || files)) throw new UsageError('--certificate-arn names the certificate: leave out --cert and --cert-file');
  if (o.certificateArn !== undefined) {
    only(provider, true, '--certificate-arn', 'gcp');
    if (!ARN_REGION.test(o.certificateArn)) throw new UsageError(`--certificate-arn ${JSON.stringify(o.certificateArn)}: not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`);
    return { mode: 'arn', arn: o.certificateArn };
  }
  if (files) {
    if (o.certFile === undefined || o.keyFile === undefined) throw new UsageError('--cert-file and --key-file go together (--chain-file adds the intermediates)');
    const { readCertificateFiles } = await import('../provision/certs.js');
    return { mode: 'files', material: readCertificateFiles({ certFile: o.certFile, keyFile: o.keyFile, ...(o.chainFile !== undefined ? { chainFile: o.chainFile } : {}) }, host) };
  }
  if (mode === 'managed') {
    only(provider, true, '--cert managed', 'aws');
    return { mode: 'managed' };
  }
  if (mode === 'self-signed') return { mode: 'self-signed' };
  if (provider === 'gcp') throw new UsageError('--provider gcp needs a certificate: --cert self-signed, --cert managed, or --cert-file and --key-file');
  return { mode: 'reuse' };
}

export async function resolveProvisionConfig(o: RawProvisionOptions, io: Io): Promise<ProvisionConfig> {
  const provider = pick('--provider', o.provider, ['aws', 'gcp'] as const);
  if (!provider) throw new UsageError('--provider aws|gcp is required: provision builds one guide');
  if (o.release === undefined) throw new UsageError('--release is required (the Helm release of Milvus: it names the objects)');
  if (o.host === undefined) throw new UsageError('--host is required (the public name in the Ingress rule and the certificate)');
  const host = parseHostName('--host', o.host);
  if (/^[\d.]+$|:/.test(host)) throw new UsageError(`--host ${host}: an Ingress rule takes a DNS name, not an address`);
  const output = pick<ProvisionOutput>('-o/--output', o.output, ['text', 'json', 'yaml']) ?? 'text';
  if (o.includeSecrets && output !== 'yaml') throw new UsageError('--include-secrets is only for -o yaml (manifests to apply elsewhere); plans never show secrets');
  if (o.wait !== undefined && !o.apply) throw new UsageError('--wait follows an apply: add --apply');
  // With --remove, --wait is how long to wait for the ALB to let go of the ACM certificate (default 2 min).
  if (o.remove && (o.forceConflicts || o.helm)) throw new UsageError(`--remove deletes only what provision created, never what Helm or another manager owns: drop ${o.forceConflicts ? '--force-conflicts' : '--helm'}`);
  only(provider, o.scheme !== undefined, '--scheme', 'gcp');
  only(provider, o.allowHttp === true, '--allow-http', 'aws');
  const scheme = pick('--scheme', o.scheme, ['internet-facing', 'internal'] as const) ?? 'internet-facing';
  const cert = o.remove ? ({ mode: 'reuse' } as const) : await certSource(o, provider, host);
  const region =
    o.awsRegion !== undefined
      ? parseAwsRegion('--aws-region', o.awsRegion)
      : io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || (cert.mode === 'arn' ? (ARN_REGION.exec(cert.arn)?.[1] ?? null) : null);
  if (provider === 'aws' && !region) throw new UsageError('--provider aws needs the ALB\'s region for ACM: --aws-region, AWS_REGION or AWS_DEFAULT_REGION');
  // Names and host as the renderer will need them: refused now, as a usage error, not mid-plan.
  const { validateParams, RenderError } = await import('../render/params.js');
  const names = { ...(o.service !== undefined ? { service: o.service } : {}), ...(o.ingress !== undefined ? { ingress: o.ingress } : {}) };
  try {
    validateParams({ provider: 'gcp', namespace: o.namespace ?? 'default', release: o.release, host, names, certificate: 'managed' });
  } catch (e) {
    if (e instanceof RenderError) throw new UsageError(e.message.replace(/^(namespace|release|host|names\.\w+) /, (m, f: string) => `--${f === 'names.service' ? 'service' : f === 'names.ingress' ? 'ingress' : f} `));
    throw e;
  }
  const timeoutMs = o.timeout !== undefined ? parseDuration('--timeout', o.timeout) : DEFAULT_TIMEOUT_MS;
  // The cluster's namespace when -n is not given, as the check finds it.
  const { openCluster } = await import('../platform/k8s/live.js');
  const namespace = openCluster(o.kubeconfig, o.context, o.namespace).namespace;
  const { output: _ours, cert: _c, certFile: _cf, keyFile: _kf, chainFile: _ch, certificateArn: _a, scheme: _s, allowHttp: _h, apply: _ap, forceConflicts: _f, remove: _r, helm: _hm, includeSecrets: _i, outDir: _o, ...checkFlags } = o;
  const check = resolveRunConfig({ ...checkFlags, namespace, timeout: o.timeout }, io.env, io.stdout.isTTY === true);
  const outDir = o.outDir === undefined ? process.cwd() : isAbsolute(o.outDir) ? o.outDir : resolve(o.outDir);
  return {
    provider, namespace, release: o.release, host,
    names,
    cert, scheme, allowHttp: o.allowHttp === true,
    apply: o.apply === true, remove: o.remove === true, forceConflicts: o.forceConflicts === true, helm: o.helm === true, includeSecrets: o.includeSecrets === true,
    output, waitMs: check.waitMs, timeoutMs,
    ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context !== undefined ? { context: o.context } : {}),
    region, outDir, check,
  };
}

export async function provision(o: RawProvisionOptions, io: Io, signal: AbortSignal): Promise<number> {
  const cfg = await resolveProvisionConfig(o, io);
  const [{ runProvision }, { runCheck }] = await Promise.all([import('../provision/run.js'), import('./run-check.js')]);
  return runProvision(cfg, io, signal, runCheck);
}
