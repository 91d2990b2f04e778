// A real kube-apiserver with etcd, for what only a real one can prove: server-side apply (field
// managers, conflicts, force), dry runs, CRD schema validation and RBAC. The lab's stand-in is not used
// for that on purpose: a home-made apply would only agree with a home-made server.
//
// The binaries are built once per machine by `.ci/kube-binaries.sh` (from the Go module proxy) and found
// through $L7_KUBE_BIN_DIR, else the cache directory that script writes. Both processes run on free
// loopback ports from a temp directory that holds the tokens and keys (0700, removed by stop() and on exit).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { writeKubeconfig } from '../../src/lab/k8s-api/kubeconfig.js';
import { isAddressInUse, LOOPBACK, reservePorts } from '../../src/lab/ports.js';
import { removeDirOnExit, spawnReady, type ChildHandle } from '../../src/lab/process.js';

export interface RealKube {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** An admin: a token user in system:masters; context 'real', namespace 'default'. */
  readonly kubeconfigPath: string;
  /** A token user in no group: RBAC grants it nothing until a test binds a Role to it. */
  readonly restricted: { readonly user: string; readonly kubeconfigPath: string };
  readonly dir: string;
  /** Kills both processes by PID and removes the temp dir. */
  stop(): Promise<void>;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_SCRIPT = join(REPO, '.ci', 'kube-binaries.sh');
export const CRD_DIR = join(REPO, 'fixtures', 'crds');
export const RESTRICTED_USER = 'restricted';
export const KUBE_CONTEXT = 'real';

// Generous: CI runs test files side by side on two busy cores (measured with two busy loops beside: apiserver
// ready in 3.1-4.0 s, the CRDs Established and discoverable in 0.15-0.3 s).
const ETCD_READY_MS = 60_000;
const APISERVER_READY_MS = 90_000;
const CRDS_READY_MS = 60_000;
const REQUEST_MS = 5_000;

/** The versions the build script defaults to, read from it so the two never drift apart. */
function scriptDefault(name: 'K8S_VERSION' | 'ETCD_VERSION'): string {
  const match = new RegExp(`${name}="\\$\\{${name}:-([0-9.]+)\\}"`).exec(readFileSync(BUILD_SCRIPT, 'utf8'));
  if (!match?.[1]) throw new Error(`${BUILD_SCRIPT} no longer sets a default ${name}`);
  return match[1];
}

/** Where the etcd and kube-apiserver binaries are; a one-line error saying how to build them when missing. */
export function kubeBinDir(): string {
  const fromEnv = process.env.L7_KUBE_BIN_DIR;
  // The same default as the script: $KUBE_CACHE, else $XDG_CACHE_HOME or ~/.cache, then the versions.
  const cache = process.env.KUBE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'milvus-l7-doctor', 'kube');
  const dir = fromEnv || join(cache, `k8s-v${scriptDefault('K8S_VERSION')}-etcd-v${scriptDefault('ETCD_VERSION')}`);
  const missing = ['etcd', 'kube-apiserver'].filter((b) => !existsSync(join(dir, b)));
  if (missing.length > 0) {
    throw new Error(`${missing.join(' and ')} not found in ${dir}${fromEnv ? ' ($L7_KUBE_BIN_DIR)' : ''}: run bash .ci/kube-binaries.sh (builds them once, ~20 min) and set L7_KUBE_BIN_DIR to the directory it prints`);
  }
  return dir;
}

interface ApiAnswer {
  readonly status: number;
  readonly body: string;
}

interface ApiClient {
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
}

/** A bare HTTPS client of the apiserver (the harness's own plumbing; the tests speak through client-node). */
function apiClient(server: string, caPem: () => string | null, token: string): ApiClient {
  return {
    call: (method, path, body) =>
      new Promise((resolve, reject) => {
        const ca = caPem();
        if (ca === null) return reject(new Error('the apiserver has not written its certificate yet'));
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          new URL(path, server),
          {
            method,
            ca,
            headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) },
            timeout: REQUEST_MS,
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_MS} ms`)));
        req.on('error', reject);
        req.end(payload);
      }),
  };
}

/** The apiserver's self-signed CA, from the certificate it writes into --cert-dir on start. */
function readServingCa(certDir: string): string | null {
  const file = join(certDir, 'apiserver.crt');
  if (!existsSync(file)) return null;
  const pem = readFileSync(file, 'utf8');
  // The file is the serving certificate followed by the CA that signed it; trusting both is harmless
  // and keeps this working should a version write the certificate alone (then self-signed).
  return pem.includes('END CERTIFICATE') ? pem : null;
}

function kubeconfig(dir: string, server: string, token: string, caPem: string): string {
  return writeKubeconfig({ dir, url: server, context: KUBE_CONTEXT, token, namespace: 'default', caPem });
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

/**
 * The command that runs `bin` so the kernel kills it when this process dies, however it dies: a test
 * worker that vitest terminates or that is SIGKILLed runs no 'exit' handler, and an idle etcd (it logs
 * nothing, so never meets a closed pipe) would otherwise live on. setpriv (util-linux) sets the
 * parent-death signal and execs the binary, so the PID stop() kills is the binary's own.
 */
function tiedToThisProcess(bin: string, args: readonly string[]): { command: string; args: string[] } {
  return SETPRIV ? { command: SETPRIV, args: ['--pdeathsig', 'KILL', '--', bin, ...args] } : { command: bin, args: [...args] };
}

function startEtcd(bin: string, dataDir: string, clientPort: number, peerPort: number): Promise<ChildHandle> {
  const client = `http://${LOOPBACK}:${clientPort}`;
  const peer = `http://${LOOPBACK}:${peerPort}`;
  return spawnReady({
    name: 'etcd',
    ...tiedToThisProcess(bin, [
      '--name', 'default',
      '--data-dir', dataDir,
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `default=${peer}`,
      // A throwaway store: durability costs seconds of fsync on a busy disk and buys nothing here.
      '--unsafe-no-fsync',
      '--log-level', 'warn',
    ]),
    readyWhen: async () => {
      const res = await fetch(`${client}/health`, { signal: AbortSignal.timeout(REQUEST_MS) });
      return res.ok && /"health":\s*"true"/.test(await res.text());
    },
    deadlineMs: ETCD_READY_MS,
  });
}

function startApiserver(bin: string, dir: string, etcdPort: number, port: number, api: ApiClient): Promise<ChildHandle> {
  const certDir = join(dir, 'certs');
  let lastPoll = 0;
  return spawnReady({
    name: 'kube-apiserver',
    ...tiedToThisProcess(bin, [
      `--etcd-servers=http://${LOOPBACK}:${etcdPort}`,
      `--bind-address=${LOOPBACK}`,
      `--advertise-address=${LOOPBACK}`,
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      // No controller-manager creates default ServiceAccounts, so the admission plugin would refuse every Pod.
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ]),
    readyWhen: async () => {
      // spawnReady polls every 15 ms; a TLS request that often only slows a busy machine's start.
      if (Date.now() - lastPoll < 250) return false;
      lastPoll = Date.now();
      return (await api.call('GET', '/readyz')).status === 200;
    },
    deadlineMs: APISERVER_READY_MS,
  });
}

interface CrdDoc {
  readonly metadata: { readonly name: string };
  readonly spec: { readonly group: string; readonly names: { readonly plural: string }; readonly versions: readonly { readonly name: string; readonly served: boolean }[] };
}

function isCrd(doc: unknown): doc is CrdDoc {
  if (typeof doc !== 'object' || doc === null) return false;
  const o = doc as { kind?: unknown; metadata?: { name?: unknown } };
  return o.kind === 'CustomResourceDefinition' && typeof o.metadata?.name === 'string';
}

export function readCrds(): CrdDoc[] {
  return readdirSync(CRD_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(CRD_DIR, f), 'utf8')).map((d) => {
        if (d.errors[0]) throw new Error(`${join(CRD_DIR, f)}: ${d.errors[0].message.split('\n')[0]}`);
        const doc: unknown = d.toJS();
        if (!isCrd(doc)) throw new Error(`${join(CRD_DIR, f)}: not a CustomResourceDefinition`);
        return doc;
      }),
    );
}

async function until<T>(what: string, deadlineMs: number, attempt: () => Promise<T | null>, tail: () => string): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last = '';
  for (;;) {
    try {
      const value = await attempt();
      if (value !== null) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${deadlineMs} ms${last ? ` (last: ${last})` : ''}: ${tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Creates each CRD, then waits until it is Established and its resource is in the group's discovery. */
async function installCrds(api: ApiClient, tail: () => string): Promise<void> {
  const crds = readCrds();
  for (const crd of crds) {
    const res = await api.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (res.status !== 201) throw new Error(`creating CRD ${crd.metadata.name}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
  }
  for (const crd of crds) {
    await until(`CRD ${crd.metadata.name} was not Established`, CRDS_READY_MS, async () => {
      const res = await api.call('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      const status = (JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string; message?: string }[] } }).status;
      const established = status?.conditions?.find((c) => c.type === 'Established');
      const rejected = status?.conditions?.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
      if (rejected) throw new Error(`CRD ${crd.metadata.name}: names not accepted: ${rejected.message ?? ''}`);
      return established?.status === 'True' ? true : null;
    }, tail);
    // Server-side apply clients (client-node among them) read the group's resource list first.
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      await until(`${crd.spec.names.plural}.${crd.spec.group}/${version.name} was not in discovery`, CRDS_READY_MS, async () => {
        const res = await api.call('GET', `/apis/${crd.spec.group}/${version.name}`);
        if (res.status !== 200) return null;
        const list = JSON.parse(res.body) as { resources?: { name: string }[] };
        return list.resources?.some((r) => r.name === crd.spec.names.plural) ? true : null;
      }, tail);
    }
  }
}

function writeCredentials(dir: string, adminToken: string, restrictedToken: string): void {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o600 });
  // token,user,uid,"group,…"
  writeFileSync(join(dir, 'tokens.csv'), `${adminToken},admin,uid-admin,"system:masters"\n${restrictedToken},${RESTRICTED_USER},uid-${RESTRICTED_USER}\n`, { mode: 0o600 });
}

async function startOnce(bin: string, crds: boolean): Promise<RealKube> {
  const dir = mkdtempSync(join(tmpdir(), 'l7-real-kube-'));
  const forgetDir = removeDirOnExit(dir);
  const children: ChildHandle[] = [];
  // A test runner that dies mid-file must not leave an apiserver holding 300 MB: 'exit' allows only sync work.
  const killOnExit = () => children.forEach((c) => c.child.exitCode === null && c.child.kill('SIGKILL'));
  process.once('exit', killOnExit);
  const stop = async () => {
    // The apiserver first: it would otherwise log connection errors to a stopped etcd until killed.
    for (const c of [...children].reverse()) await c.stop();
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    forgetDir();
  };
  try {
    const adminToken = randomBytes(24).toString('hex');
    const restrictedToken = randomBytes(24).toString('hex');
    writeCredentials(dir, adminToken, restrictedToken);
    mkdirSync(join(dir, 'etcd'), { mode: 0o700 });
    const [etcdClient, etcdPeer, securePort] = await reservePorts(3);
    if (etcdClient === undefined || etcdPeer === undefined || securePort === undefined) throw new Error('no free loopback ports');
    children.push(await startEtcd(join(bin, 'etcd'), join(dir, 'etcd'), etcdClient, etcdPeer));
    const server = `https://${LOOPBACK}:${securePort}`;
    const certDir = join(dir, 'certs');
    const api = apiClient(server, () => readServingCa(certDir), adminToken);
    const apiserver = await startApiserver(join(bin, 'kube-apiserver'), dir, etcdClient, securePort, api);
    children.push(apiserver);
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString('utf8')).slice(-2000));
    apiserver.child.stderr?.on('data', keep);
    apiserver.child.stdout?.on('data', keep);
    const tail = () => `kube-apiserver said: ${output.trim().split('\n').slice(-3).join(' | ') || '(nothing)'}`;
    if (crds) await installCrds(api, tail);
    const ca = readServingCa(certDir);
    if (ca === null) throw new Error(`kube-apiserver is ready but wrote no certificate in ${certDir}`);
    return {
      server,
      kubeconfigPath: kubeconfig(join(dir, 'admin'), server, adminToken, ca),
      restricted: { user: RESTRICTED_USER, kubeconfigPath: kubeconfig(join(dir, RESTRICTED_USER), server, restrictedToken, ca) },
      dir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * etcd and kube-apiserver on free loopback ports, ready to serve; with the CRDs of fixtures/crds/
 * Established and discoverable unless `crds: false`. Creates nothing else: tests create their namespaces.
 */
export async function startRealKube(opts: { crds?: boolean } = {}): Promise<RealKube> {
  const bin = kubeBinDir();
  // Ports are free when drawn but another process may take one before the binary binds it: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(bin, opts.crds ?? true);
    } catch (error) {
      if (attempt >= 3 || !isAddressInUse(error)) throw error;
    }
  }
}
