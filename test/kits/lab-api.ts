// Writes to the lab's Kubernetes API as another client would (kubectl's field manager, server-side
// apply with force), reaching it through the kubeconfig the lab wrote: its URL, CA and token.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parse as parseYaml } from 'yaml';

interface Kubeconfig {
  readonly clusters: readonly { readonly cluster: { readonly server: string; readonly 'certificate-authority-data': string } }[];
  readonly users: readonly { readonly user: { readonly token: string } }[];
}

/** PATCH apply-patch+yaml of `object` at `path`; resolves with the HTTP status. */
export function applyAsKubectl(kubeconfigPath: string, path: string, object: Record<string, unknown>): Promise<number> {
  const kc = parseYaml(readFileSync(kubeconfigPath, 'utf8')) as Kubeconfig;
  const server = new URL(kc.clusters[0].cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: server.hostname,
        port: server.port,
        method: 'PATCH',
        path: `${path}?fieldManager=kubectl&force=true`,
        timeout: 10_000,
        ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64'),
        headers: { authorization: `Bearer ${kc.users[0].user.token}`, 'content-type': 'application/apply-patch+yaml' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('the lab API did not answer within 10 s')));
    req.on('error', reject);
    req.end(JSON.stringify(object));
  });
}

/** GET of `path` through the same kubeconfig: the object as JSON. */
export function getAsKubectl(kubeconfigPath: string, path: string): Promise<Record<string, unknown>> {
  const kc = parseYaml(readFileSync(kubeconfigPath, 'utf8')) as Kubeconfig;
  const server = new URL(kc.clusters[0].cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: server.hostname, port: server.port, method: 'GET', path, timeout: 10_000, ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64'), headers: { authorization: `Bearer ${kc.users[0].user.token}` } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('the lab API did not answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}
