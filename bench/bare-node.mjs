// The lower bound a hand-written Node script reaches: the same data-path probes as the doctor,
// all at once, with no judging, no engine and no report. Reads the lab endpoint from the environment.
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import tls from 'node:tls';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';

const host = process.env.LAB_HOST;
const port = Number(process.env.LAB_PORT);
const ca = readFileSync(process.env.LAB_CA);
const token = process.env.MILVUS_TOKEN;

function handshake(servername) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, ca, ALPNProtocols: ['h2'], rejectUnauthorized: false }, () => {
      const chain = s.getPeerCertificate(true);
      s.destroy();
      resolve({ alpn: s.alpnProtocol, subject: chain.subject?.CN });
    });
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('error', reject);
  });
}

function rawGrpc(authority) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { servername: host, ca, rejectUnauthorized: false });
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': '/milvus.proto.milvus.MilvusService/GetVersion', ':authority': authority, 'content-type': 'application/grpc', te: 'trailers' });
    let status = 0;
    req.on('response', (h) => (status = h[':status']));
    req.on('data', () => {});
    req.on('end', () => {
      session.close();
      resolve(status);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.close());
    req.end(Buffer.alloc(5));
  });
}

async function sdk() {
  const c = new MilvusClient({ address: `127.0.0.1:${port}`, ssl: true, token, tls: { rootCert: ca, serverName: host }, channelOptions: { 'grpc.default_authority': host }, timeout: 5000, logLevel: 'error' });
  const version = await c.getVersion();
  const health = await c.checkHealth();
  for (let i = 0; i < 20; i++) await c.getVersion();
  await c.closeConnection();
  return { version: version.version, healthy: health.isHealthy };
}

const results = await Promise.all([
  handshake(host),
  handshake(undefined),
  rawGrpc(host),
  rawGrpc(`127.0.0.1:${port}`),
  sdk(),
  fetch(process.env.LAB_HEALTHZ, { signal: AbortSignal.timeout(5000) }).then((r) => r.status),
]);
process.stderr.write(`${JSON.stringify(results)}\n`);
process.exit(0);
