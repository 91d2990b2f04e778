// The kubeconfig the lab writes for the doctor: one cluster, one token user, one context in the lab's
// namespace. Written 0600: it holds the token.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigSpec {
  readonly dir: string;
  readonly url: string;
  readonly context: string;
  readonly token: string;
  readonly namespace: string;
  /** The CA of an https server; without it, insecure-skip-tls-verify (client-node refuses plain http otherwise). */
  readonly caPem?: string;
}

export function writeKubeconfig(spec: KubeconfigSpec): string {
  mkdirSync(spec.dir, { recursive: true });
  const path = join(spec.dir, 'kubeconfig');
  const cluster = spec.caPem
    ? { server: spec.url, 'certificate-authority-data': Buffer.from(spec.caPem).toString('base64') }
    : { server: spec.url, 'insecure-skip-tls-verify': true };
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: spec.context, cluster }],
      users: [{ name: 'milvus-l7-doctor', user: { token: spec.token } }],
      contexts: [{ name: spec.context, context: { cluster: spec.context, user: 'milvus-l7-doctor', namespace: spec.namespace } }],
      'current-context': spec.context,
      preferences: {},
    }),
    { mode: 0o600 },
  );
  return path;
}
