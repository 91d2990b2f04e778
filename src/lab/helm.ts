// The bare lab's `helm`: a stand-in, because no real helm and no chart repository are reachable here.
// It implements exactly `helm upgrade <release> <chart> -n <namespace> --reuse-values -f <values.yaml>`
// (plus the global --kubeconfig / --kube-context, and KUBECONFIG): it reads the values file and applies the
// keys the guides change — service.type, service.annotations, extraConfigFiles."user.yaml" — to the objects
// the chart renders from them (the release's proxy Service and its ConfigMap), through the lab's
// Kubernetes API with PUT and fieldManager "helm", as Helm 3's upgrade does. It does not render the chart,
// keep release history or roll pods: the lab's controllers do the rollout (a new tlsMode switches the lab's
// Milvus to TLS). Any other invocation is one line on stderr and exit 1.
import { createRequire } from 'node:module';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SCRIPT = String.raw`
import { readFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
const { parse } = await import(YAML_URL);

const USAGE = 'this helm is the milvus-l7-doctor lab\'s stand-in: it implements only "helm upgrade <release> <chart> -n <namespace> --reuse-values -f <values.yaml>"';
function die(message) {
  process.stderr.write('Error: ' + message + '\n');
  process.exit(1);
}

const args = process.argv.slice(2);
const positional = [];
const flags = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const eq = a.indexOf('=');
  const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
  const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
  const value = () => inline ?? (i + 1 < args.length ? args[++i] : die('flag needs an argument: ' + name));
  if (name === '-n' || name === '--namespace') flags.namespace = value();
  else if (name === '-f' || name === '--values') flags.values = value();
  else if (name === '--kubeconfig') flags.kubeconfig = value();
  else if (name === '--kube-context') flags.context = value();
  else if (name === '--reuse-values') flags.reuse = true;
  else if (a.startsWith('-')) die('unknown flag ' + name + ': ' + USAGE);
  else positional.push(a);
}
if (positional[0] !== 'upgrade' || positional.length !== 3) die(USAGE);
if (!flags.reuse || !flags.values || !flags.namespace) die(USAGE);
const [, release, chart] = positional;
const ns = flags.namespace;

let values;
try {
  values = parse(readFileSync(flags.values, 'utf8')) ?? {};
} catch (e) {
  die('failed to parse ' + flags.values + ': ' + (e && e.message));
}

const kcPath = flags.kubeconfig ?? ((process.env.KUBECONFIG || '').split(':')[0] || DEFAULT_KUBECONFIG);
const kc = parse(readFileSync(kcPath, 'utf8'));
const ctxName = flags.context ?? kc['current-context'];
const ctx = (kc.contexts ?? []).find((c) => c.name === ctxName);
if (!ctx) die('kubernetes cluster unreachable: context "' + ctxName + '" does not exist');
const cluster = (kc.clusters ?? []).find((c) => c.name === ctx.context.cluster).cluster;
const user = (kc.users ?? []).find((u) => u.name === ctx.context.user).user;
const server = new URL(cluster.server);
const ca = cluster['certificate-authority-data'] ? Buffer.from(cluster['certificate-authority-data'], 'base64') : undefined;

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const mod = server.protocol === 'https:' ? https : http;
    const req = mod.request(
      { host: server.hostname, port: server.port, method, path, ca, rejectUnauthorized: !cluster['insecure-skip-tls-verify'], timeout: 10000,
        headers: { authorization: 'Bearer ' + user.token, 'content-type': 'application/json', accept: 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(text)) : reject(new Error(method + ' ' + path + ': ' + res.statusCode + ' ' + text))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('kubernetes cluster unreachable: no answer within 10 s')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const selector = encodeURIComponent('app.kubernetes.io/instance=' + release);
try {
  const services = (await call('GET', '/api/v1/namespaces/' + ns + '/services?labelSelector=' + selector)).items;
  const configMaps = (await call('GET', '/api/v1/namespaces/' + ns + '/configmaps?labelSelector=' + selector)).items;
  if (services.length === 0) die('UPGRADE FAILED: "' + release + '" has no deployed releases');
  const svc = services.find((s) => s.metadata.labels?.component === 'proxy') ?? services[0];
  const s = values.service ?? {};
  if (s.type !== undefined) {
    svc.spec.type = s.type;
    if (s.type === 'ClusterIP') {
      for (const p of svc.spec.ports ?? []) delete p.nodePort;
      delete svc.spec.externalTrafficPolicy;
      delete svc.spec.allocateLoadBalancerNodePorts;
    }
  }
  if (s.annotations) svc.metadata.annotations = { ...(svc.metadata.annotations ?? {}), ...s.annotations };
  await call('PUT', '/api/v1/namespaces/' + ns + '/services/' + svc.metadata.name + '?fieldManager=helm', svc);
  const userYaml = values.extraConfigFiles?.['user.yaml'];
  if (userYaml !== undefined) {
    const cm = configMaps.find((c) => c.data && 'user.yaml' in c.data) ?? configMaps[0];
    if (!cm) die('UPGRADE FAILED: the release "' + release + '" has no ConfigMap for user.yaml');
    cm.data = { ...(cm.data ?? {}), 'user.yaml': userYaml };
    await call('PUT', '/api/v1/namespaces/' + ns + '/configmaps/' + cm.metadata.name + '?fieldManager=helm', cm);
  }
} catch (e) {
  die('UPGRADE FAILED: ' + (e && e.message));
}
process.stdout.write('Release "' + release + '" has been upgraded. Happy Helming!\nNAME: ' + release + '\nNAMESPACE: ' + ns + '\nSTATUS: deployed\nCHART: ' + chart + '\n');
`;

/** Writes `<dir>/bin/helm` (0700) for the lab's Kubernetes API; returns the directory to put on PATH. */
export async function writeHelmStandIn(dir: string, kubeconfigPath: string): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true, mode: 0o700 });
  // The project's own yaml parser, by absolute path: the script runs from the lab's directory.
  const yamlUrl = pathToFileURL(createRequire(import.meta.url).resolve('yaml')).href;
  const body = `// milvus-l7-doctor lab: a stand-in for helm (see src/lab/helm.ts). Only: helm upgrade <release> <chart> -n <ns> --reuse-values -f <values>\nconst YAML_URL = ${JSON.stringify(yamlUrl)};\nconst DEFAULT_KUBECONFIG = ${JSON.stringify(kubeconfigPath)};\n${SCRIPT}`;
  const script = join(bin, 'helm-stand-in.mjs');
  await writeFile(script, body, { mode: 0o600 });
  // An extensionless file would load as CommonJS: the shell wrapper runs the module with this Node.
  const file = join(bin, 'helm');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(file, `#!/bin/sh\nexec ${q(process.execPath)} ${q(script)} "$@"\n`, { mode: 0o700 });
  await chmod(file, 0o700);
  return bin;
}
