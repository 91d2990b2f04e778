// The lab's Kubernetes API: an HTTP server on loopback that speaks the apiserver's wire format to the
// real @kubernetes/client-node, serving the lab world (src/lab/world.ts) — discovery, GET/LIST (+ a
// minimal watch) with label and field selectors, Status objects for 401/403/404, the service and pod
// proxy subresources (to the lab's /healthz) and pod port-forward over WebSocket (to the lab's Milvus).
// Writes (create, replace, the four patch types including server-side apply, delete; dryRun=All) change
// the world, so `provision --apply` can repair a fault and the doctor can see it repaired.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { tlsCertificateChain } from '../../render/gcp.js';
import type { HostPort } from '../address.js';
import type { LabIdentifiers } from '../cluster/ids.js';
import { createClientCertBackend } from '../mtls-backend.js';
import { createLabWorld, type LabWorld } from '../world.js';
import type { ApiContext, Forbidden } from './context.js';
import type { DataPathFlags } from './faults.js';
import { createForwardSockets, serveUpgrade } from './forward.js';
import { writeKubeconfig } from './kubeconfig.js';
import { sendHealthzAnswer } from './proxy.js';
import { resourcesFor, type LabProvider } from './resources.js';
import { apiRequestListener } from './router.js';

export interface K8sApiOptions {
  readonly provider: LabProvider;
  readonly faults: readonly string[];
  readonly namespace?: string;
  readonly release?: string;
  /** The public host of the Ingress rule and certificate. */
  readonly host: string;
  /** What the Ingress status reports (the lab LB's address). */
  readonly ingressAddress: string;
  readonly backend: {
    /** Milvus over h2c. */
    readonly milvus: string;
    /** Milvus over TLS with ALPN h2 (GCP: tlsMode 1). */
    readonly milvusTls?: string;
    /** /healthz on 9091. */
    readonly healthz: string;
  };
  readonly tls: { readonly certPem: string; readonly chainPem: string; readonly keyPem: string; readonly expiredCertPem?: string; readonly expiredKeyPem?: string };
  /** Where the kubeconfig is written. */
  readonly dir: string;
  /**
   * Serve HTTPS with this certificate (for 127.0.0.1), and write the CA into the kubeconfig, as a real
   * API server is reached: kubectl (client-go) sends no bearer token over plain http. Without it: http
   * with insecure-skip-tls-verify, which @kubernetes/client-node accepts.
   */
  readonly serving?: { readonly certPem: string; readonly keyPem: string; readonly caPem: string };
  /** RBAC emulation: these (verb, resource) pairs answer 403. resource as in a Role: `services`, `pods/portforward`, `ingresses`. */
  readonly forbidden?: readonly Forbidden[];
}

export interface K8sApiHandle {
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly context: string;
  readonly token: string;
  /** The doctor's identity in 403 messages. */
  readonly user: string;
  readonly ids: LabIdentifiers;
  /** What the lab's data path must change for the chosen faults. */
  readonly dataPath: DataPathFlags;
  /** The world the API serves; other stand-ins serve from the same one. */
  readonly world: LabWorld;
  stop(): Promise<void>;
}

/** Tracks connections so stop() can end them rather than wait for clients to hang up. */
function trackConnections(server: NetServer, sockets: Set<Socket>): void {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
}

function listenLoopback(server: NetServer): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no address'));
      resolve({ host: '127.0.0.1', port: addr.port });
    });
  });
}

/**
 * Servers the API's subresources reach besides the lab's own, when a fault needs them: Milvus demanding
 * client certificates (mtls-backend), and a pod's failing /healthz for port-forwards to 9091
 * (healthz-not-ready-pod). Their addresses go into the world, where every stand-in finds them.
 */
async function startFaultBackends(world: LabWorld, sockets: Set<Socket>): Promise<NetServer[]> {
  const servers: NetServer[] = [];
  const start = async (srv: NetServer): Promise<HostPort> => {
    trackConnections(srv, sockets);
    const at = await listenLoopback(srv);
    servers.push(srv);
    return at;
  };
  try {
    if (world.milvusBackend === 'mtls') {
      const { tls } = world;
      world.backends.mtls = await start(
        createClientCertBackend({ certPem: tlsCertificateChain(tls), keyPem: tls.keyPem, caPem: tls.chainPem, upstream: world.backends.milvus }),
      );
    }
    for (const [pod, answer] of world.healthzOverrides) {
      world.backends.podHealthz.set(pod, await start(createServer((req, res) => sendHealthzAnswer(req, res, answer))));
    }
  } catch (e) {
    await closeAll(servers);
    throw e;
  }
  return servers;
}

function closeAll(servers: readonly NetServer[]): Promise<void> {
  return Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve())))).then(() => undefined);
}

/** How the API is served, apart from the world it serves. */
export type K8sApiServeOptions = Pick<K8sApiOptions, 'dir' | 'serving' | 'forbidden'>;

/** The world of `options` (objects, faults, backends), served. */
export async function startK8sApi(options: K8sApiOptions): Promise<K8sApiHandle> {
  const world = createLabWorld({
    provider: options.provider,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.release !== undefined ? { release: options.release } : {}),
    host: options.host,
    ingressAddress: options.ingressAddress,
    tls: options.tls,
    faults: options.faults,
    backends: options.backend,
  });
  return serveK8sApi(world, options);
}

/** Serves a world the lab already built, so the API and the other stand-ins share it. */
export async function serveK8sApi(world: LabWorld, options: K8sApiServeOptions): Promise<K8sApiHandle> {
  const { ids } = world;
  const ctx: ApiContext = {
    world,
    resources: resourcesFor(world.provider),
    token: randomBytes(24).toString('hex'),
    user: `system:serviceaccount:${ids.namespace}:milvus-l7-doctor`,
    forbidden: options.forbidden ?? [],
    watches: new Set<ServerResponse>(),
    sessions: new Set<() => void>(),
  };
  const sockets = new Set<Socket>();
  const faultBackends = await startFaultBackends(world, sockets);

  const listener = apiRequestListener(ctx);
  const server = options.serving ? createHttpsServer({ cert: options.serving.certPem, key: options.serving.keyPem }, listener) : createServer(listener);
  trackConnections(server, sockets);
  const wss = createForwardSockets();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => serveUpgrade(ctx, wss, req, socket, head));

  let port: number;
  try {
    port = (await listenLoopback(server)).port;
  } catch (e) {
    await closeAll(faultBackends);
    throw e;
  }
  const url = `${options.serving ? 'https' : 'http'}://127.0.0.1:${port}`;
  const context = `milvus-l7-lab-${world.provider}`;
  const kubeconfigPath = writeKubeconfig({ dir: options.dir, url, context, token: ctx.token, namespace: ids.namespace, ...(options.serving ? { caPem: options.serving.caPem } : {}) });

  let stopped: Promise<void> | undefined;
  return {
    url,
    kubeconfigPath,
    context,
    token: ctx.token,
    user: ctx.user,
    ids,
    dataPath: world.dataPath,
    world,
    stop() {
      stopped ??= (async () => {
        for (const close of [...ctx.sessions]) close();
        for (const w of ctx.watches) w.end();
        for (const s of sockets) s.destroy();
        wss.close();
        await closeAll([server, ...faultBackends]);
      })();
      return stopped;
    },
  };
}

export { type LabProvider } from './resources.js';
export { K8S_FAULTS, k8sFaultDataPath, type DataPathFlags, type K8sFault } from './faults.js';
