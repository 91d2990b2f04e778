// Loading the kubeconfig: every way it can be wrong (missing file, not YAML, no such context, no cluster)
// is a UsageError with one line, exit 2, never a stack trace from deep in the client.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { checkKubeconfig } from './kubeconfig-check.js';

export interface LoadedKubeConfig {
  readonly kc: KubeConfig;
  readonly context: string;
  /** The context's namespace, the default when -n is not given. */
  readonly namespace: string | null;
  readonly server: string;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export function loadKubeConfig(path?: string, context?: string): LoadedKubeConfig {
  // The same one-line messages as the CLI's early check, for callers that come here directly; what
  // client-node says below is then only a safety net.
  checkKubeconfig(path, context, process.env);
  const kc = new KubeConfig();
  const source = path ?? process.env.KUBECONFIG ?? '~/.kube/config';
  if (path !== undefined) {
    if (!existsSync(path)) throw new UsageError(`--kubeconfig ${path}: no such file`, 'KUBECONFIG_INVALID');
    try {
      kc.loadFromFile(path);
    } catch (e) {
      throw new UsageError(`--kubeconfig ${path}: not a valid kubeconfig: ${firstLine(e)}`, 'KUBECONFIG_INVALID');
    }
  } else {
    const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST);
    if (!process.env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && !inCluster) {
      // client-node would fall back to http://localhost:8080, which fails later and less clearly.
      throw new UsageError('no kubeconfig: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config (or use --manifests offline)', 'KUBECONFIG_MISSING');
    }
    try {
      kc.loadFromDefault();
    } catch (e) {
      throw new UsageError(`kubeconfig ${source}: not a valid kubeconfig: ${firstLine(e)}`, 'KUBECONFIG_INVALID');
    }
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UsageError(`--context ${context}: no such context in ${source} (contexts: ${known.join(', ') || 'none'})`, 'KUBECONFIG_CONTEXT');
    }
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  const ctx = current ? kc.getContextObject(current) : null;
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new UsageError(
      current ? `kubeconfig ${source}: context ${current} names no known cluster` : `kubeconfig ${source}: no current context (use --context)`,
      'KUBECONFIG_CONTEXT',
    );
  }
  if (!/^https?:\/\//.test(cluster.server)) throw new UsageError(`kubeconfig ${source}: cluster ${cluster.name} has no valid server URL`, 'KUBECONFIG_INVALID');
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify && !cluster.proxyUrl) {
    throw new UsageError(`kubeconfig ${source}: cluster ${cluster.name} uses plain ${cluster.server} without insecure-skip-tls-verify: true, which the client refuses`, 'KUBECONFIG_INVALID');
  }
  return { kc, context: current, namespace: ctx?.namespace ?? null, server: cluster.server };
}
