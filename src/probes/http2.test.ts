import { constants, createSecureServer, type Http2SecureServer, type SecureServerOptions, type ServerHttp2Stream } from 'node:http2';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET_VERSION_PATH, probeGrpcOverHttp2 } from './http2.js';
import { closeServer, codeOf, HOST, listen, makePki, probeCtx, startTarpit } from '../../test/kits/testkit.js';

const ctx = (timeoutMs = 2_000) => probeCtx(timeoutMs);


describe('probeGrpcOverHttp2', () => {
  const servers: { close(cb?: () => void): unknown }[] = [];
  let tlsOptions: SecureServerOptions;
  let routed = 0;
  let silent = 0;
  let goaway = 0;
  const seen: { authority: string | undefined; path: string | undefined; body: number }[] = [];

  async function h2(handler: (stream: ServerHttp2Stream, headers: Record<string, string | string[] | undefined>) => void): Promise<number> {
    const server: Http2SecureServer = createSecureServer(tlsOptions);
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      handler(stream, headers);
    });
    server.on('sessionError', () => undefined);
    servers.push(server);
    return listen(server);
  }

  beforeAll(async () => {
    const pki = await makePki();
    tlsOptions = { key: pki.leaf.keyPem, cert: pki.leaf.certPem + pki.intermediate.certPem, allowHTTP1: false };
    // An L7 front with a host rule: gRPC for HOST, the default backend's 404 page for anything else.
    routed = await h2((stream, headers) => {
      let body = 0;
      stream.on('data', (c: Buffer) => (body += c.length));
      stream.on('end', () => {
        seen.push({ authority: String(headers[':authority']), path: String(headers[':path']), body });
        if (headers[':authority'] === HOST) {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', server: 'test-lb' }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '12', 'grpc-message': 'unknown%20method' }));
          stream.end();
        } else {
          stream.respond({ ':status': 404, 'content-type': 'text/html', server: 'test-lb' });
          stream.end('<html>\n <body><h1>404 Not Found</h1>\n default backend - 404</body></html>');
        }
      });
    });
    silent = await h2(() => undefined);
    goaway = await h2((stream) => stream.session?.goaway(constants.NGHTTP2_PROTOCOL_ERROR));
  });
  afterAll(async () => {
    await Promise.all(servers.map(closeServer));
  });

  const target = (port: number, authority: string) => ({ address: '127.0.0.1', port, serverName: HOST, authority, ca: null });

  it('sends GetVersion with the given :authority and reads grpc-status from the trailers', async () => {
    const fact = await probeGrpcOverHttp2(target(routed, HOST), ctx());
    expect(fact).toMatchObject({ authority: HOST, status: 200, contentType: 'application/grpc', grpcStatus: 12, grpcMessage: 'unknown method', server: 'test-lb', bodyBytes: 0, bodySnippet: null });
    expect(seen.at(-1)).toEqual({ authority: HOST, path: GET_VERSION_PATH, body: 5 });
  });

  it('shows the 404 page an address-as-authority request falls through to', async () => {
    const fact = await probeGrpcOverHttp2(target(routed, `127.0.0.1:${routed}`), ctx());
    expect(fact.status).toBe(404);
    expect(fact.grpcStatus).toBeNull();
    expect(fact.contentType).toBe('text/html');
    expect(fact.bodySnippet).toContain('404 Not Found');
    expect(fact.bodySnippet).not.toContain('\n');
  });

  it('fails when ALPN does not select h2', async () => {
    const pki = await makePki();
    // Like nginx without http2: no ALPN selected at all.
    const h1 = createTlsServer({ key: pki.leaf.keyPem, cert: pki.leaf.certPem }, (s) => s.end());
    h1.on('tlsClientError', () => undefined);
    const p = await listen(h1);
    try {
      expect(await codeOf(probeGrpcOverHttp2(target(p, HOST), ctx()))).toBe('HTTP2_NOT_NEGOTIATED');
    } finally {
      await closeServer(h1);
    }
  });

  it('names the phase that timed out: connect on a tarpit, response on a silent server', async () => {
    const tarpit = await startTarpit();
    try {
      expect(await codeOf(probeGrpcOverHttp2(target(tarpit.port, HOST), ctx(300)))).toBe('HTTP2_CONNECT_TIMEOUT');
    } finally {
      await tarpit.close();
    }
    expect(await codeOf(probeGrpcOverHttp2(target(silent, HOST), ctx(300)))).toBe('HTTP2_RESPONSE_TIMEOUT');
  });

  it('reports a GOAWAY with an error code', async () => {
    expect(await codeOf(probeGrpcOverHttp2(target(goaway, HOST), ctx()))).toBe('HTTP2_GOAWAY');
  });
});
