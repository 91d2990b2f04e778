// The load balancer of a bare lab: absent until a controller (./controllers.ts) has built it from an
// Ingress, then an nginx process of its own serving what the controller derived — host rule, certificate,
// backend protocol — restarted by its PID whenever that changes. Its certificate and key are written into
// the lab's 0700 directory (key 0600), as the cloud keeps them out of the cluster.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrontWanted } from './controllers.js';
import { startNginx } from './nginx.js';
import type { ChildHandle } from './process.js';
import type { FrontPlan, PodPlan } from './routing.js';

export interface BareFrontPorts {
  readonly front: number;
  /** The pod's h2c listener, its TLS one (tlsMode 1), and Milvus itself (what HTTP/1.1 meets). */
  readonly pod: number;
  readonly podTls: number;
  readonly milvus: number;
}

export interface BareFront {
  apply(front: FrontWanted | null): Promise<void>;
  /** The running front's PID, or null. */
  pid(): number | null;
  stop(): Promise<void>;
}

/** Where the wanted protocol meets what the pod serves: a mismatch is a 502, as on the real LB. */
export function frontAction(w: FrontWanted['action'], ports: BareFrontPorts): FrontPlan['action'] {
  if (w.kind === 'status') return { kind: 'status', status: w.status };
  if (w.protocol === 'http1') return { kind: 'forward', port: ports.milvus, tls: false, http1: true };
  return { kind: 'forward', port: w.podTls ? ports.podTls : ports.pod, tls: w.protocol === 'h2-tls' };
}

export function createBareFront(o: {
  readonly nginxBin: string;
  readonly dir: string;
  readonly pod: PodPlan;
  readonly ports: BareFrontPorts;
  readonly guard: (child: ChildHandle) => void;
  readonly log: (line: string) => void;
}): BareFront {
  let current: ChildHandle | null = null;
  let queue: Promise<void> = Promise.resolve();
  let generation = 0;
  const stopCurrent = async (): Promise<void> => {
    const c = current;
    current = null;
    if (c) await c.stop();
  };
  const start = async (front: FrontWanted): Promise<void> => {
    generation++;
    const certDir = join(o.dir, 'lb');
    await mkdir(certDir, { recursive: true, mode: 0o700 });
    await chmod(certDir, 0o700);
    const certFile = join(certDir, `cert-${generation}.pem`);
    const keyFile = join(certDir, `key-${generation}.pem`);
    await writeFile(certFile, front.certPem);
    await writeFile(keyFile, front.keyPem, { mode: 0o600 });
    const plan: FrontPlan = { port: o.ports.front, tls: true, h2: true, hostRule: front.hostRule, action: frontAction(front.action, o.ports), certFile, keyFile };
    const nginx = await startNginx({ bin: o.nginxBin, dir: join(o.dir, 'nginx-lb'), front: plan, pod: o.pod, frontOnly: true });
    o.guard(nginx.handle);
    current = nginx.handle;
    o.log(`lab: load balancer nginx up (pid ${nginx.handle.pid})`);
  };
  return {
    apply(front) {
      // One change at a time, in order: the last one asked for is what serves.
      queue = queue.then(async () => {
        await stopCurrent();
        if (front) await start(front);
      });
      return queue;
    },
    pid: () => current?.pid ?? null,
    async stop() {
      await queue.catch(() => undefined);
      await stopCurrent();
    },
  };
}
