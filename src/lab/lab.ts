// The local lab (DESIGN.md §5): everything the doctor talks to, on loopback, in a per-run directory,
// with named faults from src/lab/faults.ts. Components start concurrently; stop() ends exactly what
// start started (child PIDs, server handles) and removes the directory unless kept.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDns } from './dns.js';
import { FAULTS, FAULT_NAMES, parseFaults, type FaultDef, type FaultName } from './faults.js';
import { K8S_FAULTS, k8sFault, k8sFaultDataPath, type DataPathFlags } from './k8s-api/faults.js';
import { serveK8sApi } from './k8s-api/server.js';
import { createClientCertBackend } from './mtls-backend.js';
import { startHealthz } from './healthz.js';
import { startMilvusStub, type StubCall } from './milvus-stub.js';
import { findMilvusLite, startMilvusLite } from './milvus-lite.js';
import { findNginx, startNginx } from './nginx.js';
import { startNodeProxy } from './node-proxy.js';
import { createLabPki, type LeafSpec } from './pki.js';
import { isAddressInUse, LOOPBACK, reservePorts } from './ports.js';
import { LabStartError, removeDirOnExit, type ChildHandle } from './process.js';
import { UsageError } from '../errors.js';
import type { FrontPlan, PodPlan } from './routing.js';
import { startTarpit } from './tarpit.js';
import { LAB_AWS_CREDENTIALS, serveAwsApi } from './aws/server.js';
import { createLabWorld } from './world.js';
import { serveComputeApi, type ComputeCall } from './gcp/server.js';
import { renewedSecret } from './gcp/faults.js';
import { createBareFront } from './bare-front.js';
import { startControllers } from './controllers.js';
import { writeHelmStandIn } from './helm.js';

export { LabStartError };

export const LAB_HOST = 'milvus.l7-lab.test';
/** Where name-mismatch's leaf and host-rule-404's rule point instead. */
export const LAB_OTHER_HOST = 'other-service.l7-lab.test';
/** Milvus's well-known default root password, accepted under `default-password`. */
export const MILVUS_DEFAULT_PASSWORD = 'Milvus';

const DAY_MS = 86_400_000;

export type LabComponentKind = 'nginx' | 'node-proxy' | 'milvus-lite' | 'milvus-stub' | 'healthz' | 'dns' | 'tarpit' | 'kubernetes-api' | 'compute-api' | 'aws-api';

export interface LabComponent {
  readonly name: string;
  readonly kind: LabComponentKind;
  readonly pid?: number;
  readonly endpoint: string;
}

export interface LabOptions {
  readonly faults?: readonly string[];
  readonly provider?: 'aws' | 'gcp';
  /** Run directory; created if missing and kept. Default: a fresh temp dir removed by stop(). */
  readonly dir?: string;
  /** Keep the run directory (certificates, nginx.conf, logs) after stop(). */
  readonly keep?: boolean;
  readonly signal?: AbortSignal;
  /** Force a fallback with `false` (the Node proxy, the stub backend). Default: use what is installed. */
  readonly prefer?: { readonly nginx?: boolean; readonly milvusLite?: boolean };
  /** Progress lines; the lab never writes to stdout itself. */
  readonly logger?: (line: string) => void;
  /** Serve the Kubernetes API stand-in with the flavour's objects (default true). */
  readonly kubernetes?: boolean;
  /** RBAC emulation for the Kubernetes API: these (verb, resource) pairs answer 403. */
  readonly forbidden?: readonly { readonly verb: string; readonly resource: string }[];
  /**
   * Where the guides start (`lab --bare`): Milvus behind an L4 LoadBalancer Service and nothing else; the
   * controllers (./controllers.ts) build the load balancer from what is applied. Needs nginx.
   */
  readonly bare?: boolean;
  /** lab --bare: a controller's reconcile delay (default 1.5 s) and a managed certificate's Provisioning → Active (default 5 s). */
  readonly controllerDelaysMs?: { readonly reconcile: number; readonly certificate: number };
  /**
   * What the lab's DNS answers for the host (`lab --dns-answer`; default: a fault's, else 127.0.0.1, the
   * load balancer): another address plays a record not yet moved to it (a managed certificate then stays
   * FailedNotVisible).
   */
  readonly dnsAnswer?: string;
}

/** A fault of either kind, as `lab --list-faults` shows it. */
export interface LabFaultInfo {
  readonly name: string;
  readonly provider: 'aws' | 'gcp' | 'any';
  readonly description: string;
  readonly reproduces: string;
  readonly expectFail: readonly string[];
  readonly expectWarn?: readonly string[];
}

/** Data-path faults (any provider) and Kubernetes faults (their flavour). */
export function listFaults(): readonly LabFaultInfo[] {
  return [
    // Against the default (aws) flavour, where a fault in the served certificate shows in ACM as well.
    ...FAULTS.map((f) => ({ name: f.name, provider: 'any' as const, description: f.description, reproduces: f.reproduces, expectFail: [...f.expectFail, ...('alsoOnAws' in f ? f.alsoOnAws : [])] })),
    ...K8S_FAULTS.map((f) => ({ name: f.name, provider: f.provider, description: f.description, reproduces: f.reproduces, expectFail: f.expectFail, ...(f.expectWarn ? { expectWarn: f.expectWarn } : {}) })),
  ];
}

/**
 * Splits fault names into data-path and Kubernetes faults, and settles the provider: a Kubernetes
 * fault of the GKE flavour picks gcp when no provider was asked for.
 */
function planFaults(names: readonly string[], asked: 'aws' | 'gcp' | undefined) {
  const dataPathNames = names.filter((n) => (FAULT_NAMES as readonly string[]).includes(n));
  const k8sNames = [...new Set(names.filter((n) => !(FAULT_NAMES as readonly string[]).includes(n)))];
  const unknown = k8sNames.filter((n) => !k8sFault(n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown fault "${unknown[0]}"; valid faults: ${listFaults().map((f) => f.name).join(', ')}`, 'LAB_UNKNOWN_FAULT');
  }
  const wanted = new Set(k8sNames.map((n) => k8sFault(n)?.provider).filter((p): p is 'aws' | 'gcp' => p === 'aws' || p === 'gcp'));
  if (wanted.size > 1) throw new UsageError(`faults ${k8sNames.join(', ')} belong to different flavours (aws and gcp)`, 'LAB_FAULT_CONFLICT');
  const provider = asked ?? [...wanted][0] ?? 'aws';
  for (const n of k8sNames) {
    const p = k8sFault(n)?.provider;
    if (p !== 'any' && p !== provider) throw new UsageError(`fault ${n} is a ${p} fault; use --provider ${p}`, 'LAB_FAULT_CONFLICT');
  }
  return { faults: parseFaults(dataPathNames), k8sNames, provider, flags: k8sFaultDataPath(k8sNames) };
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

/** Where the front forwards: the TLS pod on GKE (or what a fault puts there), the h2c pod on AWS. */
function frontUpstream(provider: 'aws' | 'gcp', flags: DataPathFlags, ports: { pod: number; podTls: number; mtls: number | null; milvus: number }): { port: number; tls: boolean; http1?: boolean } {
  if (provider === 'aws') return { port: ports.pod, tls: false };
  // HTTP/1.1 to Milvus's gRPC server, which speaks only HTTP/2: it hangs up, and the front answers 502.
  if (flags.frontToBackend === 'http1') return { port: ports.milvus, tls: false, http1: true };
  if (flags.backendProtocol === 'plaintext') return { port: ports.pod, tls: true };
  if (flags.backendProtocol === 'mtls' && ports.mtls !== null) return { port: ports.mtls, tls: true };
  return { port: ports.podTls, tls: true };
}

export interface LabHandle {
  readonly host: string;
  readonly address: typeof LOOPBACK;
  readonly port: number;
  readonly serverName: string;
  /** The lab root (never the second, untrusted one): what --ca gets. */
  readonly caFile: string;
  /** `root:<password>` as the SDK's `token`; null under `auth-required`. */
  readonly credentials: { readonly token: string } | null;
  readonly healthzUrl: string;
  readonly dnsServer: string;
  readonly provider: 'aws' | 'gcp';
  readonly faults: readonly string[];
  /** The expectations of the active faults. */
  readonly faultDefs: readonly FaultDef[];
  readonly dir: string;
  readonly components: readonly LabComponent[];
  readonly backend: {
    /** The pod as the load balancer targets it: h2c, with the lab's authorization and routing. */
    readonly milvus: string;
    readonly healthz: string;
    /** The pod over TLS + ALPN h2 (Milvus tlsMode 1, the GKE flavour); only when provider is gcp. */
    readonly milvusTls?: string;
  };
  /** The Kubernetes API stand-in, reached through the kubeconfig it wrote; null when not started. */
  readonly kubernetes: {
    readonly url: string;
    readonly kubeconfigPath: string;
    readonly context: string;
    readonly namespace: string;
    readonly release: string;
  } | null;
  /**
   * The Compute REST stand-in (gcp flavour, with the Kubernetes API): its endpoint, project, the static
   * access token it accepts, and every call it received with its IAM permission.
   */
  readonly gcp: { readonly endpoint: string; readonly project: string; readonly token: string; readonly calls: readonly ComputeCall[] } | null;
  /**
   * The ELBv2/ACM/EC2 stand-in (aws flavour, with the Kubernetes API): one endpoint for the three services,
   * the lab's static keys, and every call it received as its IAM action.
   */
  readonly aws: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly calls: readonly string[];
  } | null;
  /**
   * lab --bare: the helm stand-in's directory (for PATH) and the lab PKI's leaf, key and intermediate
   * files, which provision's --cert-file/--key-file/--chain-file take so the certificate chains to --ca.
   */
  readonly bare: { readonly helmDir: string; readonly certFile: string; readonly keyFile: string; readonly chainFile: string } | null;
  /** Milliseconds to start, and to generate the PKI. */
  readonly timings: { readonly startMs: number; readonly pkiMs: number };
  /** The Milvus calls that reached the lab's stub (its authorization gate): what a run sent, never a secret. */
  readonly milvusCalls: readonly StubCall[];
  stop(): Promise<void>;
}

/** Children still running, killed if the process exits without stop() (a crashed test run). */
const liveChildren = new Set<ChildHandle>();
let exitHookInstalled = false;
function guardChild(child: ChildHandle): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.child.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.child.once('exit', () => liveChildren.delete(child));
}

function leafFor(faults: ReadonlySet<FaultName>, flags: DataPathFlags, host: string, now: number): LeafSpec {
  const expired = faults.has('expired-cert') || flags.servedCert === 'expired';
  return {
    name: faults.has('name-mismatch') || flags.leafName === 'other' ? LAB_OTHER_HOST : host,
    cnOnly: faults.has('cn-only'),
    untrusted: faults.has('untrusted-ca'),
    ...(expired ? { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) } : {}),
    // An hour over five days, so "days left" reads 5 however it is rounded.
    ...(faults.has('expiring-cert') ? { notAfter: new Date(now + 5 * DAY_MS + 3_600_000) } : {}),
  };
}

function basicAuth(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/** How many times the lab is started afresh when a component lost its port to another process. */
const START_ATTEMPTS = 3;

export async function startLab(options: LabOptions = {}): Promise<LabHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLabOnce(options);
    } catch (error) {
      if (attempt >= START_ATTEMPTS || options.signal?.aborted || !isAddressInUse(error)) throw error;
      options.logger?.(`lab: a port was taken while starting (${error instanceof Error ? error.message : String(error)}); starting again`);
    }
  }
}

async function startLabOnce(options: LabOptions): Promise<LabHandle> {
  const started = performance.now();
  const { faults, k8sNames, provider, flags } = planFaults(options.faults ?? [], options.provider);
  const bare = options.bare === true;
  if (bare && (faults.size > 0 || k8sNames.length > 0)) throw new UsageError('lab --bare starts where the guides start and takes no --fault', 'LAB_FAULT_CONFLICT');
  if (bare && options.kubernetes === false) throw new UsageError('lab --bare needs its Kubernetes API: provision applies through it');
  const log = options.logger ?? (() => {});
  const host = LAB_HOST;
  const nginxBin = options.prefer?.nginx === false ? null : findNginx();
  if (bare && !nginxBin) throw new LabStartError('lab --bare needs nginx (Debian\'s nginx-light) for its load balancer, which it restarts as the Ingress changes');
  const liteBin = options.prefer?.milvusLite === false ? null : findMilvusLite();

  const ownsDir = options.dir === undefined;
  const dir = options.dir ? resolve(options.dir) : await mkdtemp(join(tmpdir(), 'milvus-l7-lab-'));
  await mkdir(dir, { recursive: true });
  const forgetDir = ownsDir && !options.keep ? removeDirOnExit(dir) : () => false;

  const stoppers: { name: string; stop: () => Promise<void> }[] = [];
  const components: LabComponent[] = [];
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(stoppers.map((s) => s.stop().catch((error: unknown) => log(`lab: stopping ${s.name}: ${String(error)}`))));
    if (ownsDir && !options.keep) await rm(dir, { recursive: true, force: true });
    forgetDir();
  };

  // Aborted when any component fails, so the others stop starting instead of leaking.
  const internal = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  const starting: Promise<unknown>[] = [];

  try {
    const password = randomBytes(18).toString('base64url');
    const token = `root:${password}`;
    const authorized = [basicAuth('root', password)];
    if (faults.has('default-password')) authorized.push(basicAuth('root', MILVUS_DEFAULT_PASSWORD));

    const frontReplaced = faults.has('tarpit') || faults.has('refused');
    const [frontPort, podPort, podTlsPort, litePort, closedPort] = await reservePorts(5);
    const now = Date.now();

    const pkiReady = createLabPki(join(dir, 'pki'), {
      host,
      leaf: leafFor(faults, flags, host, now),
      leafOnly: faults.has('missing-intermediate') || flags.leafOnly === true,
      now,
    });
    const stubReady = startMilvusStub({
      validAuthorizations: authorized,
      ...(faults.has('milvus-unhealthy')
        ? { unhealthyReasons: ['QueryNode 3 is not serving: state Abnormal', 'DataNode 7 is not serving: heartbeat lost'] }
        : {}),
    }).then((stub) => {
      stoppers.push({ name: 'milvus-stub', stop: () => stub.close() });
      components.push({ name: 'milvus-stub', kind: 'milvus-stub', endpoint: `${LOOPBACK}:${stub.port}` });
      return stub;
    });
    const liteReady = liteBin
      ? startMilvusLite({ bin: liteBin, dataDir: join(dir, 'milvus-data'), port: litePort, signal }).then((child) => {
          guardChild(child);
          stoppers.push({ name: 'milvus-lite', stop: () => child.stop() });
          components.push({ name: 'milvus-lite', kind: 'milvus-lite', pid: child.pid, endpoint: `${LOOPBACK}:${litePort}` });
          log(`lab: milvus-lite ready on ${LOOPBACK}:${litePort} (pid ${child.pid})`);
          return child;
        })
      : Promise.resolve(null);
    const healthzReady = startHealthz({ ready: !faults.has('healthz-not-ready') }).then((h) => {
      stoppers.push({ name: 'healthz', stop: () => h.close() });
      components.push({ name: 'healthz', kind: 'healthz', endpoint: `${LOOPBACK}:${h.port}` });
      return h;
    });
    const dnsAnswer = options.dnsAnswer ?? flags.dnsAddress ?? LOOPBACK;
    const dnsReady = startDns({ host, address: dnsAnswer }).then((d) => {
      stoppers.push({ name: 'dns', stop: () => d.close() });
      components.push({ name: 'dns', kind: 'dns', endpoint: `${LOOPBACK}:${d.port}` });
      return d;
    });
    const tarpitReady = faults.has('tarpit')
      ? startTarpit(frontPort).then((t) => {
          stoppers.push({ name: 'tarpit', stop: () => t.close() });
          components.push({ name: 'tarpit', kind: 'tarpit', endpoint: `${LOOPBACK}:${frontPort}` });
        })
      : Promise.resolve();

    let barePlan: { pod: PodPlan; milvusPort: number } | null = null;
    const proxyReady = Promise.all([pkiReady, stubReady]).then(async ([pki, stub]) => {
      let mtlsPort: number | null = null;
      if (flags.backendProtocol === 'mtls') {
        const [chain, key, ca] = await Promise.all([readFile(pki.backendFullchainFile, 'utf8'), readFile(pki.backendKeyFile, 'utf8'), readFile(pki.caFile, 'utf8')]);
        const mtls: Server = createClientCertBackend({ certPem: chain, keyPem: key, caPem: ca, upstream: { host: LOOPBACK, port: podPort } });
        mtlsPort = await new Promise<number>((resolveListen, rejectListen) => {
          mtls.once('error', rejectListen);
          mtls.listen(0, LOOPBACK, () => {
            const a = mtls.address();
            resolveListen(typeof a === 'object' && a ? a.port : 0);
          });
        });
        stoppers.push({ name: 'mtls-backend', stop: () => new Promise<void>((done) => mtls.close(() => done())) });
        components.push({ name: 'mtls-backend', kind: 'milvus-stub', endpoint: `${LOOPBACK}:${mtlsPort}` });
      }
      const upstream = frontUpstream(provider, flags, { pod: podPort, podTls: podTlsPort, mtls: mtlsPort, milvus: liteBin ? litePort : stub.port });
      // A bare lab has no load balancer until an Ingress is reconciled (./bare-front.ts serves it then).
      const front: FrontPlan | null = frontReplaced || bare
        ? null
        : {
            port: frontPort,
            tls: !faults.has('plaintext-front'),
            h2: !faults.has('no-h2') && !faults.has('plaintext-front') && !flags.noH2,
            hostRule: faults.has('host-rule-404') || flags.hostRule === 'other' ? LAB_OTHER_HOST : host,
            action: faults.has('not-grpc-464') || flags.frontStatus !== undefined
              ? { kind: 'status', status: flags.frontStatus ?? 464 }
              : { kind: 'forward', port: faults.has('backend-down') ? closedPort : upstream.port, tls: upstream.tls, ...(upstream.http1 ? { http1: true } : {}) },
            certFile: pki.fullchainFile,
            keyFile: pki.keyFile,
          };
      const pod: PodPlan = {
        port: podPort,
        tlsPort: provider === 'gcp' ? podTlsPort : null,
        certFile: pki.backendFullchainFile,
        keyFile: pki.backendKeyFile,
        backendPort: liteBin ? litePort : stub.port,
        stubPort: stub.port,
        authorized,
        checkHealthToStub: faults.has('milvus-unhealthy'),
      };
      barePlan = { pod, milvusPort: liteBin ? litePort : stub.port };
      const endpoint = front ? `${LOOPBACK}:${frontPort}` : `${LOOPBACK}:${podPort}`;
      if (nginxBin) {
        const nginx = await startNginx({ bin: nginxBin, dir: join(dir, 'nginx'), front, pod, signal });
        guardChild(nginx.handle);
        stoppers.push({ name: 'nginx', stop: () => nginx.handle.stop() });
        components.push({ name: 'nginx', kind: 'nginx', pid: nginx.handle.pid, endpoint });
        log(`lab: nginx ready (pid ${nginx.handle.pid}, ${nginx.confFile})`);
      } else {
        const proxy = await startNodeProxy({ front, pod });
        stoppers.push({ name: 'node-proxy', stop: () => proxy.close() });
        components.push({ name: 'node-proxy', kind: 'node-proxy', pid: process.pid, endpoint });
        log('lab: node proxy ready (nginx not found)');
      }
      return pki;
    });

    starting.push(proxyReady, liteReady, healthzReady, dnsReady, tarpitReady, stubReady, pkiReady);
    const [pki, , healthz, dns] = await Promise.all([proxyReady, liteReady, healthzReady, dnsReady, tarpitReady]);
    if (signal.aborted) throw new LabStartError('lab start aborted');
    let kubernetes: LabHandle['kubernetes'] = null;
    let gcp: LabHandle['gcp'] = null;
    let aws: LabHandle['aws'] = null;
    let bareFiles: LabHandle['bare'] = null;
    if (options.kubernetes !== false) {
      const [served, key, apiCert, apiKey, ca] = await Promise.all(
        [pki.fullchainFile, pki.keyFile, pki.apiServerFullchainFile, pki.apiServerKeyFile, pki.caFile].map((f) => readFile(f, 'utf8')),
      );
      const [leafPem, ...chain] = pemBlocks(served);
      // The one world every stand-in serves from, built once the data path it describes is up.
      const world = createLabWorld({
        provider,
        faults: k8sNames,
        host,
        ingressAddress: LOOPBACK,
        backends: {
          milvus: `${LOOPBACK}:${podPort}`,
          ...(provider === 'gcp' ? { milvusTls: `${LOOPBACK}:${podTlsPort}` } : {}),
          healthz: `${LOOPBACK}:${healthz.port}`,
        },
        // The Secret holds what the front serves, so the two agree unless a fault says otherwise.
        tls: { certPem: leafPem ?? '', chainPem: chain.join(''), keyPem: key, ...(flags.servedCert === 'expired' ? { expiredCertPem: leafPem ?? '', expiredKeyPem: key } : {}) },
        bare,
      });
      await renewedSecret(world);
      const api = await serveK8sApi(world, {
        dir: join(dir, 'kubernetes'),
        serving: { certPem: apiCert, keyPem: apiKey, caPem: ca },
        ...(options.forbidden ? { forbidden: options.forbidden } : {}),
      });
      stoppers.push({ name: 'kubernetes-api', stop: () => api.stop() });
      components.push({ name: 'kubernetes-api', kind: 'kubernetes-api', endpoint: api.url });
      kubernetes = { url: api.url, kubeconfigPath: api.kubeconfigPath, context: api.context, namespace: api.ids.namespace, release: api.ids.release };
      if (bare && barePlan && nginxBin) {
        const plan: { pod: PodPlan; milvusPort: number } = barePlan;
        const lb = createBareFront({ nginxBin, dir, pod: plan.pod, ports: { front: frontPort, pod: podPort, podTls: podTlsPort, milvus: plan.milvusPort }, guard: guardChild, log });
        stoppers.push({ name: 'load-balancer', stop: () => lb.stop() });
        const delays = options.controllerDelaysMs ?? { reconcile: 1500, certificate: 5000 };
        const controllers = startControllers({
          world,
          ingressAddress: LOOPBACK,
          dnsAnswer,
          reconcileDelayMs: delays.reconcile,
          certificateDelayMs: delays.certificate,
          applyFront: (f) => lb.apply(f),
          log,
        });
        // Stopped first: no reconcile may restart the load balancer while the lab goes down.
        stoppers.unshift({ name: 'controllers', stop: async () => controllers.stop() });
        await controllers.idle();
        const certFile = join(dir, 'pki', 'leaf.crt');
        await writeFile(certFile, leafPem ?? '');
        bareFiles = { helmDir: await writeHelmStandIn(dir, api.kubeconfigPath), certFile, keyFile: pki.keyFile, chainFile: join(dir, 'pki', 'intermediate.crt') };
      }
      if (provider === 'gcp') {
        const compute = await serveComputeApi(world);
        stoppers.push({ name: 'compute-api', stop: () => compute.stop() });
        components.push({ name: 'compute-api', kind: 'compute-api', endpoint: compute.url });
        gcp = { endpoint: compute.url, project: compute.project, token: compute.token, calls: compute.calls };
      }
      if (provider === 'aws') {
        const standIn = await serveAwsApi(world);
        stoppers.push({ name: 'aws-api', stop: () => standIn.stop() });
        components.push({ name: 'aws-api', kind: 'aws-api', endpoint: standIn.url });
        aws = { endpoint: standIn.url, region: standIn.region, credentials: LAB_AWS_CREDENTIALS, calls: standIn.calls };
      }
    }
    const startMs = Math.round(performance.now() - started);
    log(`lab: up in ${startMs} ms (pki ${pki.generateMs} ms), faults: ${[...faults].join(', ') || 'none'}`);
    const activeFaults = [...faults, ...k8sNames];
    return {
      host,
      address: LOOPBACK,
      port: frontPort,
      serverName: host,
      caFile: pki.caFile,
      credentials: faults.has('auth-required') ? null : { token },
      healthzUrl: `http://${LOOPBACK}:${healthz.port}/healthz`,
      dnsServer: `${LOOPBACK}:${dns.port}`,
      provider,
      faults: activeFaults,
      faultDefs: FAULTS.filter((f) => faults.has(f.name)),
      dir,
      components,
      backend: {
        milvus: `${LOOPBACK}:${podPort}`,
        healthz: `${LOOPBACK}:${healthz.port}`,
        ...(provider === 'gcp' ? { milvusTls: `${LOOPBACK}:${podTlsPort}` } : {}),
      },
      kubernetes,
      gcp,
      aws,
      bare: bareFiles,
      timings: { startMs, pkiMs: pki.generateMs },
      milvusCalls: (await stubReady).calls,
      stop: stopAll,
    };
  } catch (error) {
    internal.abort();
    await Promise.allSettled(starting);
    await stopAll();
    throw error;
  }
}
