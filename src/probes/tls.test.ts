import { createServer as createHttpServer } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer, type TlsOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTls } from './tls.js';
import { closeServer, codeOf, HOST, listen, makePki, probeCtx, refusedPort, startTarpit, type Pki } from '../../test/kits/testkit.js';

const ctx = (timeoutMs = 2_000) => probeCtx(timeoutMs);


describe('probeTls', () => {
  let pki: Pki;
  const servers: TlsServer[] = [];
  const seenSni: (string | false)[] = [];
  const port: Record<string, number> = {};

  async function serve(name: string, options: TlsOptions): Promise<void> {
    const server = createTlsServer(options, (s) => {
      if (name === 'sni') seenSni.push(s.servername ?? false);
      s.end();
    });
    server.on('tlsClientError', () => undefined);
    servers.push(server);
    port[name] = await listen(server);
  }

  beforeAll(async () => {
    pki = await makePki();
    const key = pki.leaf.keyPem;
    await serve('full', { key, cert: pki.leaf.certPem + pki.intermediate.certPem, ALPNProtocols: ['h2', 'http/1.1'] });
    await serve('leafOnly', { key, cert: pki.leaf.certPem, ALPNProtocols: ['http/1.1'] });
    await serve('reversed', { key, cert: pki.leaf.certPem + pki.root.certPem + pki.intermediate.certPem });
    await serve('cnOnly', { key: pki.cnOnly.keyPem, cert: pki.cnOnly.certPem + pki.intermediate.certPem });
    await serve('expired', { key: pki.expired.keyPem, cert: pki.expired.certPem + pki.intermediate.certPem });
    await serve('sni', { key, cert: pki.leaf.certPem + pki.intermediate.certPem });
    await serve('tls12', { key, cert: pki.leaf.certPem + pki.intermediate.certPem, maxVersion: 'TLSv1.2' });
  });
  afterAll(async () => {
    await Promise.all(servers.map(closeServer));
  });

  const target = (name: string, serverName: string | null = HOST) => ({ address: '127.0.0.1', port: port[name], serverName, ca: [pki.root.certPem] });

  it('reads the served chain in order, anchored on --ca, with SNI and ALPN h2', async () => {
    const fact = await probeTls(target('full'), ctx());
    expect(fact.protocol).toBe('TLSv1.3');
    expect(fact.alpn).toBe('h2');
    expect(fact.sni).toBe(HOST);
    expect(fact.chainSource).toBe('wire');
    expect(fact.chain.map((c) => c.commonName)).toEqual([HOST, 'l7doctor test intermediate']);
    expect(fact.chain[0].subjectAltNames).toEqual([`DNS:${HOST}`, 'IP Address:127.0.0.1']);
    expect(fact.chain[0].isCA).toBe(false);
    expect(fact.chain[1].isCA).toBe(true);
    expect(fact.analysis).toMatchObject({ inOrder: true, brokenAt: null, anchoredBy: 'CN=l7doctor test root', anchorSource: 'ca-file', complete: true, verifyError: null });
  });

  it('reads the served chain off a TLS 1.2 handshake too', async () => {
    const fact = await probeTls(target('tls12'), ctx());
    expect(fact.protocol).toBe('TLSv1.2');
    expect(fact.chainSource).toBe('wire');
    expect(fact.chain).toHaveLength(2);
    expect(fact.analysis.complete).toBe(true);
  });

  it('sees a missing intermediate: depth 1, not anchored, Node-style verify error', async () => {
    const fact = await probeTls(target('leafOnly'), ctx());
    expect(fact.alpn).toBe('http/1.1');
    expect(fact.chain).toHaveLength(1);
    expect(fact.analysis).toMatchObject({ inOrder: true, anchoredBy: null, complete: false });
    expect(fact.analysis.verifyError).toMatch(/^UNABLE_TO_(GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)$/);
  });

  it('keeps the served order (Node would re-order it) and says where it breaks', async () => {
    const fact = await probeTls(target('reversed'), ctx());
    expect(fact.chain.map((c) => c.commonName)).toEqual([HOST, 'l7doctor test root', 'l7doctor test intermediate']);
    expect(fact.chain[1].selfSigned).toBe(true);
    expect(fact.analysis).toMatchObject({ inOrder: false, brokenAt: 0, complete: false });
  });

  it('records a CN-only certificate as having no SAN', async () => {
    const fact = await probeTls(target('cnOnly'), ctx());
    expect(fact.chain[0].subjectAltNames).toBeNull();
    expect(fact.chain[0].commonName).toBe(HOST);
  });

  it('leaves expiry to the judges: an expired but complete chain has no verify error', async () => {
    const fact = await probeTls(target('expired'), ctx());
    expect(new Date(fact.chain[0].notAfter).getTime()).toBeLessThan(Date.now());
    expect(fact.analysis).toMatchObject({ complete: true, verifyError: null });
  });

  it('anchors on the system roots when no --ca is given (a private root is not one)', async () => {
    const fact = await probeTls({ ...target('full'), ca: null }, ctx());
    expect(fact.analysis.anchoredBy).toBeNull();
    expect(fact.analysis.complete).toBe(false);
    expect(fact.analysis.verifyError).not.toBeNull();
  });

  it('sends no SNI when the server name is null or an IP', async () => {
    const a = await probeTls(target('sni', null), ctx());
    const b = await probeTls(target('sni', '127.0.0.1'), ctx());
    const c = await probeTls(target('sni', HOST), ctx());
    expect([a.sni, b.sni, c.sni]).toEqual([null, null, HOST]);
    await expect.poll(() => seenSni).toEqual([false, false, HOST]);
  });

  it('times out on a tarpit within the deadline', async () => {
    const tarpit = await startTarpit();
    const started = Date.now();
    try {
      expect(await codeOf(probeTls({ address: '127.0.0.1', port: tarpit.port, serverName: HOST, ca: null }, ctx(300)))).toBe('TLS_HANDSHAKE_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await tarpit.close();
    }
  });

  it('names a plaintext HTTP/1 peer on the TLS port', async () => {
    const http = createHttpServer((_req, res) => res.end('hello'));
    const p = await listen(http);
    try {
      expect(await codeOf(probeTls({ address: '127.0.0.1', port: p, serverName: HOST, ca: null }, ctx()))).toBe('TLS_PLAINTEXT_PEER');
    } finally {
      http.closeAllConnections();
      await closeServer(http);
    }
  });

  it('reports a refused port at the TCP layer', async () => {
    const p = await refusedPort();
    expect(await codeOf(probeTls({ address: '127.0.0.1', port: p, serverName: HOST, ca: null }, ctx()))).toBe('TCP_REFUSED');
  });

  it('reports a handshake the server rejects, with the OpenSSL reason', async () => {
    // The server speaks only a protocol the client does not offer: alert no_application_protocol.
    const strict = createTlsServer({ key: pki.leaf.keyPem, cert: pki.leaf.certPem, ALPNProtocols: ['x-only'] });
    strict.on('tlsClientError', () => undefined);
    const p = await listen(strict);
    try {
      expect(await codeOf(probeTls({ address: '127.0.0.1', port: p, serverName: HOST, ca: null }, ctx()))).toBe('TLS_HANDSHAKE_FAILED');
    } finally {
      await closeServer(strict);
    }
  });
});
