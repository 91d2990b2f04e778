import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDns } from './dns.js';
import { codeOf, probeCtx, startDnsServer } from '../../test/kits/testkit.js';

const ctx = (timeoutMs = 1_000) => probeCtx(timeoutMs);


describe('probeDns against a UDP DNS server (dns-packet)', () => {
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  beforeAll(async () => {
    dns = await startDnsServer({
      'milvus.example.test': { A: ['127.0.0.1', '127.0.0.2'], AAAA: ['::1'] },
      'lb.example.test': { A: ['127.0.0.9'] },
      'empty.example.test': {},
      'broken.example.test': { servfail: true },
      'slow.example.test': { silent: true },
    });
  });
  afterAll(async () => {
    await dns.close();
  });

  it('returns A then AAAA records through the given server and port', async () => {
    const fact = await probeDns('milvus.example.test', { server: dns.server }, ctx());
    expect(fact).toEqual({ host: 'milvus.example.test', addresses: ['127.0.0.1', '127.0.0.2', '::1'], server: dns.server, addressResolved: null });
  });

  it('resolves --address when it is a name, and echoes it when it is an IP', async () => {
    const byName = await probeDns('milvus.example.test', { server: dns.server, address: 'lb.example.test' }, ctx());
    expect(byName.addressResolved).toEqual(['127.0.0.9']);
    const byIp = await probeDns('milvus.example.test', { server: dns.server, address: '10.0.0.1' }, ctx());
    expect(byIp.addressResolved).toEqual(['10.0.0.1']);
  });

  it('names NXDOMAIN and NODATA as not found, SERVFAIL as a server failure, silence as a timeout', async () => {
    expect(await codeOf(probeDns('nope.example.test', { server: dns.server }, ctx()))).toBe('DNS_NOT_FOUND');
    expect(await codeOf(probeDns('empty.example.test', { server: dns.server }, ctx()))).toBe('DNS_NOT_FOUND');
    expect(await codeOf(probeDns('broken.example.test', { server: dns.server }, ctx()))).toBe('DNS_SERVER_FAILED');
    const started = Date.now();
    expect(await codeOf(probeDns('slow.example.test', { server: dns.server }, ctx(300)))).toBe('DNS_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('uses the system resolver when no server is given', async () => {
    const fact = await probeDns('localhost', {}, ctx());
    expect(fact.addresses.length).toBeGreaterThan(0);
    expect(fact.server).toBeNull();
  });
});
