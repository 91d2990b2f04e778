// Stand-in for Milvus's metrics port 9091 /healthz, as the GKE BackendConfig health check and the
// doctor read it. The texts follow Milvus's healthz handler.
import { createServer, type Server } from 'node:http';
import { LOOPBACK } from './ports.js';

const COMPONENTS = ['rootcoord', 'datacoord', 'querycoord', 'datanode', 'querynode'] as const;
const UNHEALTHY = new Set<string>(['datanode', 'querynode']);
/** Milvus's commonpb.StateCode values as its JSON carries them. */
const STATE_HEALTHY = 1;
const STATE_ABNORMAL = 2;

export interface HealthzServer {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startHealthz(options: { ready: boolean }): Promise<HealthzServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const unhealthy = options.ready ? [] : COMPONENTS.filter((c) => UNHEALTHY.has(c));
    const state = unhealthy.length === 0
      ? 'OK'
      : `Not all components are healthy, ${COMPONENTS.length - unhealthy.length}/${COMPONENTS.length}`;
    const status = unhealthy.length === 0 ? 200 : 500;
    if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
      const detail = COMPONENTS.map((name) => ({
        name,
        code: UNHEALTHY.has(name) && !options.ready ? STATE_ABNORMAL : STATE_HEALTHY,
        reason: UNHEALTHY.has(name) && !options.ready ? `${name} is not serving` : '',
      }));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ state, detail, unhealthy }));
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(state);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('healthz: no TCP address');
  return {
    port: address.port,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
