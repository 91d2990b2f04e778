// A kubeconfig checked before anything starts: @kubernetes/client-node costs ~0.5 s to import and
// reports a bad file deep in a run (or as a JavaScript TypeError, for an empty one), so the same
// rules it applies on load are checked here with `yaml` alone, and each failure is one UsageError line.
import { accessSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { UsageError } from '../../errors.js';

export interface KubeconfigSummary {
  /** The files read, in merge order. */
  readonly files: readonly string[];
  readonly context: string;
  readonly cluster: string;
  readonly server: string;
  /** The context's namespace: the default when -n is not given. */
  readonly namespace: string | null;
}

interface Named {
  readonly name: string;
  readonly body: Record<string, unknown>;
  /** Where relative file references resolve: the directory of the kubeconfig that defined it. */
  readonly dir: string;
}

interface Parsed {
  readonly clusters: Named[];
  readonly contexts: Named[];
  readonly users: Named[];
  readonly currentContext: string | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errnoCode(e: unknown): string {
  return isRecord(e) && typeof e.code === 'string' ? e.code : 'unreadable';
}

/**
 * Which files client-node's loadFromDefault would read: --kubeconfig, else every entry of $KUBECONFIG
 * (merged), else ~/.kube/config. null: none of them, but running in a pod (the in-cluster account).
 */
function kubeconfigFiles(file: string | undefined, env: NodeJS.ProcessEnv): { files: string[]; label: string; labelOf: (f: string) => string } | null {
  if (file !== undefined) return { files: [file], label: `--kubeconfig ${file}`, labelOf: (f) => `--kubeconfig ${f}` };
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (listed.length > 0) return { files: listed, label: `$KUBECONFIG ${listed.join(delimiter)}`, labelOf: (f) => `$KUBECONFIG ${f}` };
  // client-node looks under $HOME only; homedir() covers a process started without one.
  const home = join(env.HOME || homedir(), '.kube', 'config');
  let present = false;
  try {
    accessSync(home);
    present = true;
  } catch {
    present = false;
  }
  if (present) return { files: [home], label: `kubeconfig ${home}`, labelOf: (f) => `kubeconfig ${f}` };
  if (env.KUBERNETES_SERVICE_HOST) return null;
  // client-node would fall back to http://localhost:8080, which fails later and less clearly.
  throw new UsageError('no kubeconfig: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config (or use --manifests offline)', 'KUBECONFIG_MISSING');
}

function entries(label: string, dir: string, doc: Record<string, unknown>, key: 'clusters' | 'contexts' | 'users', body: 'cluster' | 'context' | 'user'): Named[] {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new UsageError(`${label}: not a valid kubeconfig: ${key} is not a list`, 'KUBECONFIG_INVALID');
  return list.map((item: unknown, i) => {
    const name = isRecord(item) ? item.name : undefined;
    if (typeof name !== 'string' || name === '') throw new UsageError(`${label}: not a valid kubeconfig: ${key}[${i}] has no name`, 'KUBECONFIG_INVALID');
    const inner = isRecord(item) ? item[body] : undefined;
    // A user may be empty (anonymous); clusters and contexts may not.
    if (!isRecord(inner) && body !== 'user') throw new UsageError(`${label}: not a valid kubeconfig: ${key}[${i}] (${name}) has no ${body}`, 'KUBECONFIG_INVALID');
    // client-node refuses these on load, even in entries the chosen context does not use.
    if (body === 'cluster' && isRecord(inner) && !str(inner.server)) {
      throw new UsageError(`${label}: not a valid kubeconfig: cluster ${name} has no server`, 'KUBECONFIG_INVALID');
    }
    if (body === 'context' && isRecord(inner) && !str(inner.cluster)) {
      throw new UsageError(`${label}: not a valid kubeconfig: context ${name} names no cluster`, 'KUBECONFIG_INVALID');
    }
    return { name, body: isRecord(inner) ? inner : {}, dir };
  });
}

function parseFile(file: string, label: string): Parsed {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`${label}: is a directory, not a kubeconfig file`, 'KUBECONFIG_INVALID');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = errnoCode(e);
    throw new UsageError(code === 'ENOENT' ? `${label}: no such file` : `${label}: cannot read the file (${code})`, 'KUBECONFIG_INVALID');
  }
  const doc = parseDocument(text, { logLevel: 'silent', uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) throw new UsageError(`${label}: not a valid kubeconfig: not YAML (${yamlError.message.split('\n')[0].replace(/:$/, '')})`, 'KUBECONFIG_INVALID');
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) throw new UsageError(`${label}: not a valid kubeconfig: the file is empty`, 'KUBECONFIG_INVALID');
  if (!isRecord(data)) throw new UsageError(`${label}: not a valid kubeconfig: expected a mapping with clusters, contexts and users, found ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}`, 'KUBECONFIG_INVALID');
  if (data.kind !== undefined && data.kind !== 'Config') throw new UsageError(`${label}: not a kubeconfig (kind: ${String(data.kind)})`, 'KUBECONFIG_INVALID');
  const users = entries(label, dirname(file), data, 'users', 'user');
  for (const u of users) {
    const tokenFile = u.body['token-file'];
    // client-node reads every user's token-file on load, relative to the working directory.
    if (typeof tokenFile === 'string' && !readable(tokenFile)) {
      throw new UsageError(`${label}: user ${u.name}: token-file ${tokenFile} cannot be read`, 'KUBECONFIG_INVALID');
    }
  }
  const current = data['current-context'];
  return {
    clusters: entries(label, dirname(file), data, 'clusters', 'cluster'),
    contexts: entries(label, dirname(file), data, 'contexts', 'context'),
    users,
    currentContext: typeof current === 'string' && current !== '' ? current : undefined,
  };
}

function readable(file: string): boolean {
  try {
    accessSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * client-node's mergeConfig: each later file adds its entries (a name seen before is an error; the
 * first file is taken as it is) and overrides current-context.
 */
function merge(parts: readonly Parsed[], label: string): Parsed {
  const out: Parsed = { clusters: [], contexts: [], users: [], currentContext: undefined };
  let current: string | undefined;
  for (const [i, part] of parts.entries()) {
    if (part.currentContext !== undefined) current = part.currentContext;
    for (const key of ['clusters', 'contexts', 'users'] as const) {
      for (const e of part[key]) {
        if (i > 0 && out[key].some((x) => x.name === e.name)) throw new UsageError(`${label}: ${key.slice(0, -1)} ${e.name} is defined twice`, 'KUBECONFIG_INVALID');
        out[key].push(e);
      }
    }
  }
  return { ...out, currentContext: current };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Validates the kubeconfig the live reader would load (`file`, else $KUBECONFIG, else ~/.kube/config)
 * and the context it would use. Throws UsageError with one line naming the file or context. Returns
 * null when there is no file but the process runs in a pod (the in-cluster service account).
 */
export function checkKubeconfig(file: string | undefined, context: string | undefined, env: NodeJS.ProcessEnv): KubeconfigSummary | null {
  const found = kubeconfigFiles(file, env);
  if (!found) return null;
  const { files, label, labelOf } = found;
  const merged = merge(files.map((f) => parseFile(f, labelOf(f))), label);
  const names = (list: readonly Named[]) => list.map((c) => c.name).join(', ') || 'none';
  const source = label.replace(/^--kubeconfig /, '');

  let name: string;
  if (context !== undefined) {
    if (!merged.contexts.some((c) => c.name === context)) {
      throw new UsageError(`--context ${context}: no such context in ${source} (contexts: ${names(merged.contexts)})`, 'KUBECONFIG_CONTEXT');
    }
    name = context;
  } else if (merged.currentContext === undefined) {
    const also = merged.clusters.length === 0 ? '; it defines no clusters either' : '';
    throw new UsageError(`${label}: no current context; pass --context (contexts: ${names(merged.contexts)})${also}`, 'KUBECONFIG_CONTEXT');
  } else {
    name = merged.currentContext;
    if (!merged.contexts.some((c) => c.name === name)) {
      throw new UsageError(`${label}: current-context ${name} is not one of its contexts (contexts: ${names(merged.contexts)})`, 'KUBECONFIG_CONTEXT');
    }
  }
  const ctx = merged.contexts.find((c) => c.name === name)?.body ?? {};
  const clusterName = String(ctx.cluster);
  if (merged.clusters.length === 0) throw new UsageError(`${label}: no clusters (context ${name} needs cluster ${clusterName})`, 'KUBECONFIG_INVALID');
  const cluster = merged.clusters.find((c) => c.name === clusterName);
  if (!cluster) {
    throw new UsageError(`${label}: context ${name} names cluster ${clusterName}, which is not defined (clusters: ${names(merged.clusters)})`, 'KUBECONFIG_CONTEXT');
  }
  const server = String(cluster.body.server);
  if (!/^https?:\/\/[^/]/.test(server)) throw new UsageError(`${label}: cluster ${clusterName} has no valid server URL (${server})`, 'KUBECONFIG_INVALID');
  if (server.startsWith('http:') && cluster.body['insecure-skip-tls-verify'] !== true && !str(cluster.body['proxy-url'])) {
    throw new UsageError(`${label}: cluster ${clusterName} uses plain ${server} without insecure-skip-tls-verify: true, which the client refuses`, 'KUBECONFIG_INVALID');
  }
  // File references resolve against the kubeconfig's directory (client-node's makePathsAbsolute);
  // only the ones this context uses matter.
  const fileOf = (v: unknown, dir: string, owner: string) => {
    const f = str(v);
    if (!f) return;
    const full = isAbsolute(f) ? f : resolve(dir, f);
    if (!readable(full)) throw new UsageError(`${label}: ${owner}: ${f} cannot be read`, 'KUBECONFIG_INVALID');
  };
  fileOf(cluster.body['certificate-authority'], cluster.dir, `cluster ${clusterName} certificate-authority`);
  const userName = str(ctx.user);
  const user = userName ? merged.users.find((u) => u.name === userName) : undefined;
  if (user) {
    fileOf(user.body['client-certificate'], user.dir, `user ${user.name} client-certificate`);
    fileOf(user.body['client-key'], user.dir, `user ${user.name} client-key`);
  }
  return { files, context: name, cluster: clusterName, server, namespace: str(ctx.namespace) ?? null };
}
