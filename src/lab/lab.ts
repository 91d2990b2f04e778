// The local lab (DESIGN.md §5): everything the doctor talks to, on loopback, in a per-run directory,
// with named faults from src/lab/faults.ts. Components start concurrently; stop() ends exactly what
// start started (child PIDs, server handles) and removes the directory unless kept.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDns } from './dns.js';
import { FAULTS, parseFaults, type FaultDef, type FaultName } from './faults.js';
import { startHealthz } from './healthz.js';
import { startMilvusStub } from './milvus-stub.js';
import { findMilvusLite, startMilvusLite } from './milvus-lite.js';
import { findNginx, startNginx } from './nginx.js';
import { startNodeProxy } from './node-proxy.js';
import { createLabPki, type LeafSpec } from './pki.js';
import { LOOPBACK, reservePorts } from './ports.js';
import { LabStartError, type ChildHandle } from './process.js';
import type { FrontPlan, PodPlan } from './routing.js';
import { startTarpit } from './tarpit.js';

export { listFaults } from './faults.js';
export { LabStartError };

export const LAB_HOST = 'milvus.l7-lab.test';
/** Where name-mismatch's leaf and host-rule-404's rule point instead. */
export const LAB_OTHER_HOST = 'other-service.l7-lab.test';
/** Milvus's well-known default root password, accepted under `default-password`. */
export const MILVUS_DEFAULT_PASSWORD = 'Milvus';

const DAY_MS = 86_400_000;

export type LabComponentKind = 'nginx' | 'node-proxy' | 'milvus-lite' | 'milvus-stub' | 'healthz' | 'dns' | 'tarpit';

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
  readonly faults: readonly FaultName[];
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
  /** Milliseconds to start, and to generate the PKI. */
  readonly timings: { readonly startMs: number; readonly pkiMs: number };
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

function leafFor(faults: ReadonlySet<FaultName>, host: string, now: number): LeafSpec {
  return {
    name: faults.has('name-mismatch') ? LAB_OTHER_HOST : host,
    cnOnly: faults.has('cn-only'),
    untrusted: faults.has('untrusted-ca'),
    ...(faults.has('expired-cert') ? { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) } : {}),
    // An hour over five days, so "days left" reads 5 however it is rounded.
    ...(faults.has('expiring-cert') ? { notAfter: new Date(now + 5 * DAY_MS + 3_600_000) } : {}),
  };
}

function basicAuth(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

export async function startLab(options: LabOptions = {}): Promise<LabHandle> {
  const started = performance.now();
  const faults = parseFaults(options.faults ?? []);
  const log = options.logger ?? (() => {});
  const provider = options.provider ?? 'aws';
  const host = LAB_HOST;
  const nginxBin = options.prefer?.nginx === false ? null : findNginx();
  const liteBin = options.prefer?.milvusLite === false ? null : findMilvusLite();

  const ownsDir = options.dir === undefined;
  const dir = options.dir ? resolve(options.dir) : await mkdtemp(join(tmpdir(), 'milvus-l7-lab-'));
  await mkdir(dir, { recursive: true });

  const stoppers: { name: string; stop: () => Promise<void> }[] = [];
  const components: LabComponent[] = [];
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(stoppers.map((s) => s.stop().catch((error: unknown) => log(`lab: stopping ${s.name}: ${String(error)}`))));
    if (ownsDir && !options.keep) await rm(dir, { recursive: true, force: true });
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
      leaf: leafFor(faults, host, now),
      leafOnly: faults.has('missing-intermediate'),
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
    const dnsReady = startDns({ host, address: LOOPBACK }).then((d) => {
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

    const proxyReady = Promise.all([pkiReady, stubReady]).then(async ([pki, stub]) => {
      const front: FrontPlan | null = frontReplaced
        ? null
        : {
            port: frontPort,
            tls: !faults.has('plaintext-front'),
            h2: !faults.has('no-h2') && !faults.has('plaintext-front'),
            hostRule: faults.has('host-rule-404') ? LAB_OTHER_HOST : host,
            action: faults.has('not-grpc-464')
              ? { kind: 'status', status: 464 }
              : { kind: 'forward', port: faults.has('backend-down') ? closedPort : podPort },
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
    const startMs = Math.round(performance.now() - started);
    log(`lab: up in ${startMs} ms (pki ${pki.generateMs} ms), faults: ${[...faults].join(', ') || 'none'}`);
    const activeFaults = [...faults];
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
      timings: { startMs, pkiMs: pki.generateMs },
      stop: stopAll,
    };
  } catch (error) {
    internal.abort();
    await Promise.allSettled(starting);
    await stopAll();
    throw error;
  }
}
