// Milvus with tlsMode 2: a TLS listener (ALPN h2) that demands a client certificate signed by `ca`
// and then passes bytes through to the plaintext pod. A load balancer presents no client
// certificate, so its handshake is refused: the 502 of FAILURES.md's mtls-backend row.
import { connect, type Server } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

export interface ClientCertBackendOptions {
  readonly certPem: string;
  readonly keyPem: string;
  /** Trusted issuers of client certificates. */
  readonly caPem: string;
  readonly upstream: { readonly host: string; readonly port: number };
}

export function createClientCertBackend(options: ClientCertBackendOptions): Server {
  const server = createTlsServer(
    { cert: options.certPem, key: options.keyPem, ca: options.caPem, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
    (client: TLSSocket) => {
      const upstream = connect(options.upstream.port, options.upstream.host);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
    },
  );
  // Refused handshakes are the point of this listener, not errors of the lab.
  server.on('tlsClientError', () => undefined);
  return server;
}
