import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { GcpParams } from '../render/params.js';
import { coversAcm, normalizeSerial } from './acm.js';
import { coversHost, generateSelfSigned, reusableSelfSigned } from './certs.js';
import { helmCommand, keepLiveSpelling, userYamlWithTls } from './plan.js';

const P: GcpParams = { provider: 'gcp', namespace: 'default', release: 'my-release', host: 'my-release.milvus.io', certificate: 'managed' };

describe('userYamlWithTls: tlsMode 1 and the certificate paths, the rest of user.yaml kept', () => {
  test.each<[string, string | undefined, Record<string, unknown> | 'unchanged' | RegExp]>([
    ['no user.yaml: the renderer\'s', undefined, { common: { security: { authorizationEnabled: true, tlsMode: 1 } } }],
    ['other settings kept, comments too', '# ours\nproxy:\n  maxNameLength: 512\ncommon:\n  security:\n    authorizationEnabled: false\n', { proxy: { maxNameLength: 512 }, common: { security: { authorizationEnabled: false, tlsMode: 1 } } }],
    ['tlsMode 2 (mutual TLS, which no LB does) becomes 1', 'common:\n  security:\n    tlsMode: 2\n', { common: { security: { tlsMode: 1 } } }],
    ['already so: the live text itself, byte for byte', 'common: {security: {tlsMode: 1}}\ntls: {serverPemPath: /milvus/tls/tls.crt, serverKeyPath: /milvus/tls/tls.key}\n', 'unchanged'],
    ['not YAML: said so', 'common: [\n', /^user\.yaml does not parse/],
  ])('%s', (_what, live, expected) => {
    const r = userYamlWithTls(live, P);
    if (expected instanceof RegExp) return expect('error' in r ? r.error : '').toMatch(expected);
    if (!('text' in r)) throw new Error(r.error);
    if (expected === 'unchanged') return expect(r.text).toBe(live);
    expect(parse(r.text)).toMatchObject({ ...expected, tls: { serverPemPath: '/milvus/tls/tls.crt', serverKeyPath: '/milvus/tls/tls.key' } });
    if (live?.startsWith('#')) expect(r.text).toContain('# ours');
  });
});

describe('keepLiveSpelling: JSON annotations that mean the same are not a change', () => {
  test.each<[string, string | undefined, string]>([
    ['spaces differ', '{"ingress":true}', '{"ingress":true}'],
    ['the value differs', '{"ingress":false}', '{"ingress": true}'],
    ['absent', undefined, '{"ingress": true}'],
    ['not JSON', 'yes', '{"ingress": true}'],
  ])('%s', (_what, live, kept) => {
    expect(keepLiveSpelling({ neg: '{"ingress": true}' }, live === undefined ? {} : { neg: live }).neg).toBe(kept);
  });
});

test.each<[string, string]>([
  ['0a:1b:2c', 'A1B2C'],
  ['00:FF', 'FF'],
  // moto writes the serial in decimal.
  ['255', 'FF'],
  ['18446744073709551617', '10000000000000001'],
])('normalizeSerial(%s) = %s', (raw, hex) => expect(normalizeSerial(raw)).toBe(hex));

test.each<[string[], string, boolean]>([
  [['my-release.milvus.io'], 'my-release.milvus.io', true],
  [['*.milvus.io'], 'my-release.milvus.io', true],
  [['*.milvus.io'], 'a.b.milvus.io', false],
  [['MY-RELEASE.milvus.io'], 'my-release.milvus.io', true],
  [['other.milvus.io'], 'my-release.milvus.io', false],
])('coversHost(%j, %s) = %s', (names, host, covers) => {
  expect(coversHost(names.map((n) => n.toLowerCase()), host)).toBe(covers);
  expect(coversAcm({ arn: 'a', status: 'ISSUED', domains: names, serial: '', notAfter: null }, host)).toBe(covers);
});

describe('reusableSelfSigned: a second plan keeps the certificate it made', () => {
  test('kept when it covers the host, matches its key and CA; else issued again', async () => {
    const c = await generateSelfSigned('my-release.milvus.io');
    const data = (o: { crt?: string; key?: string; ca?: string }) => Object.fromEntries(Object.entries({ 'tls.crt': o.crt, 'tls.key': o.key, 'ca.crt': o.ca }).filter(([, v]) => v).map(([k, v]) => [k, Buffer.from(v ?? '').toString('base64')]));
    const other = await generateSelfSigned('my-release.milvus.io');
    expect(reusableSelfSigned(data({ crt: c.certPem, key: c.keyPem, ca: c.caPem }), 'my-release.milvus.io')).toEqual(c);
    expect(reusableSelfSigned(data({ crt: c.certPem, key: c.keyPem, ca: c.caPem }), 'other.milvus.io')).toBeNull();
    expect(reusableSelfSigned(data({ crt: c.certPem, key: other.keyPem, ca: c.caPem }), 'my-release.milvus.io')).toBeNull();
    expect(reusableSelfSigned(data({ crt: c.certPem, key: c.keyPem, ca: other.caPem }), 'my-release.milvus.io')).toBeNull();
    expect(reusableSelfSigned(data({ crt: c.certPem, key: c.keyPem }), 'my-release.milvus.io')).toBeNull();
    // Within 30 days of its end it is issued again rather than kept.
    expect(reusableSelfSigned(data({ crt: c.certPem, key: c.keyPem, ca: c.caPem }), 'my-release.milvus.io', Date.now() + 380 * 86_400_000)).toBeNull();
  });
});

test.each<[Record<string, string>, string]>([
  [{}, 'helm upgrade my-release milvus/milvus -n default --reuse-values -f /out/v.yaml'],
  [{ kubeconfig: '/k/config', context: 'gke' }, 'KUBECONFIG=/k/config helm upgrade my-release milvus/milvus -n default --reuse-values -f /out/v.yaml --kube-context gke'],
])('helmCommand %j', (extra, command) => {
  expect(helmCommand({ namespace: 'default', release: 'my-release', ...extra }, '/out/v.yaml')).toBe(command);
});
