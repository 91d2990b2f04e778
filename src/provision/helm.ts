// Helm's part of a plan: the values file (written where the user can read and rerun it; no secrets in
// it) and, with --apply --helm, the `helm upgrade` itself, under a deadline, its stderr kept for the error.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { ProvisionConfig } from './config.js';
import type { HelmChange } from './plan.js';
import { ProvisionError } from './types.js';

/** An upgrade that rolls pods can take minutes; a hung one must still end. */
export const HELM_DEADLINE_MS = 300_000;

export async function writeValuesFile(change: HelmChange): Promise<void> {
  await mkdir(dirname(change.valuesFile), { recursive: true });
  await writeFile(change.valuesFile, `# Written by milvus-l7-doctor provision: ${change.command}\n${change.values}`, { mode: 0o644 });
}

/** `helm` as the shell would find it, or null. */
export function helmOnPath(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'helm');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** The command of the plan, as its argument vector (the printed form with the kubeconfig in the environment). */
export function helmArgs(cfg: Pick<ProvisionConfig, 'release' | 'namespace' | 'context'>, valuesFile: string): string[] {
  return ['upgrade', cfg.release, 'milvus/milvus', '-n', cfg.namespace, '--reuse-values', '-f', valuesFile, ...(cfg.context ? ['--kube-context', cfg.context] : [])];
}

export function runHelm(helm: string, cfg: ProvisionConfig, change: HelmChange, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      helm,
      helmArgs(cfg, change.valuesFile),
      { env: { ...env, ...(cfg.kubeconfig ? { KUBECONFIG: cfg.kubeconfig } : {}) }, timeout: HELM_DEADLINE_MS, killSignal: 'SIGKILL', signal, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(String(stdout));
        const said = String(stderr).trim().split('\n').slice(-3).join(' | ');
        const why = signal.aborted ? 'interrupted' : error.killed ? `no result within ${HELM_DEADLINE_MS / 1000} s` : `exit ${String(error.code ?? '?')}`;
        reject(new ProvisionError(`${change.command}: ${why}${said ? `: ${said}` : ''}`, { cause: error }));
      },
    );
  });
}
