// For the k8s-api tests only: throwaway certificates (openssl) and tiny stand-ins for the lab's data path
// (Milvus h2c, Milvus TLS+ALPN h2, /healthz), so these tests do not depend on the rest of the lab.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface TestCerts {
  readonly certPem: string;
  readonly chainPem: string;
  readonly keyPem: string;
  readonly expiredCertPem: string;
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, a leaf for `host` issued by it, and a second leaf standing in for an expired one. */
export function makeTestCerts(host: string): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-api-certs-'));
  try {
    const p = (f: string) => join(dir, f);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=lab test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    for (const name of ['leaf', 'old']) {
      openssl(['req', '-new', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${host}`]);
      openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.crt`), '-days', '1']);
    }
    return {
      certPem: readFileSync(p('leaf.crt'), 'utf8'),
      chainPem: readFileSync(p('ca.crt'), 'utf8'),
      keyPem: readFileSync(p('leaf.key'), 'utf8'),
      expiredCertPem: readFileSync(p('old.crt'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestBackends {
  /** ip:port of a TCP echo that greets with `h2c|`. */
  readonly milvus: string;
  /** ip:port of a TLS (ALPN h2) echo that greets with `tls|`. */
  readonly milvusTls: string;
  /** ip:port of an HTTP server answering /healthz 200 OK. */
  readonly healthz: string;
  /** Headers of the last request the healthz server saw. */
  lastHealthzHeaders(): IncomingHttpHeaders | undefined;
  close(): Promise<void>;
}

function listenLocal(srv: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      if (a === null || typeof a === 'string') return reject(new Error('no address'));
      resolve(`127.0.0.1:${a.port}`);
    });
  });
}

export async function startTestBackends(certs: TestCerts): Promise<TestBackends> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const echo = (tag: string) => (s: Socket) => {
    s.on('error', () => s.destroy());
    s.write(`${tag}|`);
    s.pipe(s);
  };
  const plain = createNetServer(echo('h2c'));
  const tls = createTlsServer({ cert: `${certs.certPem}${certs.chainPem}`, key: certs.keyPem, ALPNProtocols: ['h2'] }, echo('tls'));
  tls.on('tlsClientError', () => undefined);
  let last: IncomingHttpHeaders | undefined;
  const healthz = createHttpServer((req, res) => {
    last = req.headers;
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('OK');
    }
    res.writeHead(404);
    res.end('404 page not found');
  });
  const servers: Server[] = [plain, tls, healthz];
  for (const s of servers) s.on('connection', track);
  const [milvus, milvusTls, healthzAddr] = [await listenLocal(plain), await listenLocal(tls), await listenLocal(healthz)];
  return {
    milvus,
    milvusTls,
    healthz: healthzAddr,
    lastHealthzHeaders: () => last,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
