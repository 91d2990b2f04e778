import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createLabPki } from './pki.js';

const HOST = 'milvus.pki.test';
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function chainOf(leaf: Parameters<typeof createLabPki>[1]['leaf'], leafOnly = false) {
  const dir = await mkdtemp(join(tmpdir(), 'lab-pki-'));
  dirs.push(dir);
  const pki = await createLabPki(dir, { host: HOST, leaf, leafOnly });
  const pems = (await readFile(pki.fullchainFile, 'utf8')).match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const root = new X509Certificate(await readFile(pki.caFile));
  return { pki, served: pems.map((p) => new X509Certificate(p)), root };
}

describe('lab PKI', () => {
  test('root → intermediate → leaf with SAN and serverAuth, in milliseconds', async () => {
    const { pki, served, root } = await chainOf({ name: HOST });
    expect(pki.generateMs).toBeLessThan(1000);
    const [leaf, intermediate] = served;
    expect(served).toHaveLength(2);
    expect(leaf.subjectAltName).toBe(`DNS:${HOST}`);
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.ca).toBe(true);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(intermediate)).toBe(true);
  });

  test.each([
    ['cn-only', { name: HOST, cnOnly: true }, (leaf: X509Certificate) => expect(leaf.subjectAltName).toBeUndefined()],
    ['other name', { name: 'other.pki.test' }, (leaf: X509Certificate) => expect(leaf.checkHost(HOST)).toBeUndefined()],
    ['expired', { name: HOST, notAfter: new Date(Date.now() - 86_400_000), notBefore: new Date(Date.now() - 9e8) },
      (leaf: X509Certificate) => expect(new Date(leaf.validTo).getTime()).toBeLessThan(Date.now())],
  ])('%s leaf', async (_, spec, check) => {
    const { served } = await chainOf(spec);
    check(served[0]);
  });

  test('untrusted: a complete chain that does not lead to the lab root', async () => {
    const { served, root } = await chainOf({ name: HOST, untrusted: true });
    expect(served).toHaveLength(2);
    expect(served[0].verify(served[1].publicKey)).toBe(true);
    expect(served[1].verify(root.publicKey)).toBe(false);
  });

  test('leaf only: no intermediate served', async () => {
    const { served } = await chainOf({ name: HOST }, true);
    expect(served).toHaveLength(1);
  });
});
