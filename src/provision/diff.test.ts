import { describe, expect, test } from 'vitest';
import type { K8sObject } from '../render/object.js';
import { comparable, diffLines, objectDiff, redact, sameObject } from './diff.js';

const KEY_B64 = Buffer.from('-----BEGIN PRIVATE KEY-----\nSECRETBODY\n-----END PRIVATE KEY-----\n').toString('base64');
const secret = (key: string, extra: Record<string, string> = {}): K8sObject => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns', annotations: extra }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Q0VSVA==', 'tls.key': key },
});
const cm = (value: string, meta: Record<string, unknown> = {}): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', ...meta }, data: { v: value } });

describe('redact', () => {
  test.each<[string, K8sObject, string[], string[]]>([
    ['Secret data as its size', secret(KEY_B64), ['<redacted: 4 bytes>', `<redacted: ${Buffer.from(KEY_B64, 'base64').length} bytes>`], [KEY_B64, 'SECRETBODY']],
    ['kubectl\'s last-applied copy of a Secret', secret(KEY_B64, { 'kubectl.kubernetes.io/last-applied-configuration': `{"data":{"tls.key":"${KEY_B64}"}}` }), ['<redacted>'], [KEY_B64]],
    ['stringData as its size', { ...secret(KEY_B64), stringData: { 'tls.key': 'SECRETBODY' } }, ['<redacted: 10 bytes>'], ['SECRETBODY']],
    ['other kinds unchanged', cm('visible'), ['visible'], []],
  ])('%s', (_what, o, shown, hidden) => {
    const text = JSON.stringify(redact(o));
    for (const s of shown) expect(text).toContain(s);
    for (const s of hidden) expect(text).not.toContain(s);
    // The object itself is left as it was (apply still sends the real values).
    expect(JSON.stringify(o)).toContain(o.kind === 'Secret' ? KEY_B64 : 'visible');
  });
});

describe('sameObject: bookkeeping and status aside', () => {
  test.each<[string, K8sObject, K8sObject, boolean]>([
    ['resourceVersion, managedFields, generation, timestamps', cm('a', { resourceVersion: '1', generation: 1, managedFields: [{ manager: 'x' }], creationTimestamp: 't1', uid: 'u' }), cm('a', { resourceVersion: '2', generation: 2, managedFields: [], creationTimestamp: 't2', uid: 'u' }), true],
    ['status', { ...cm('a'), status: { x: 1 } }, { ...cm('a'), status: { x: 2 } }, true],
    ['key order', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name: 'c' }, data: { a: '1', b: '2' } }, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', namespace: 'ns' }, data: { b: '2', a: '1' } }, true],
    ['a value', cm('a'), cm('b'), false],
    ['a label', cm('a', { labels: { x: 'y' } }), cm('a'), false],
  ])('%s', (_what, a, b, same) => {
    expect(sameObject(a, b)).toBe(same);
  });

  test('comparable drops only what it must', () => {
    expect(Object.keys(comparable(cm('a', { resourceVersion: '1', labels: { k: 'v' } })).metadata).sort()).toEqual(['labels', 'name', 'namespace']);
  });
});

describe('diffLines / objectDiff', () => {
  test.each<[string, string[], string[], string]>([
    ['one line changed', ['a', 'b', 'c'], ['a', 'x', 'c'], ' a|-b|+x| c'],
    ['added at the end', ['a'], ['a', 'b'], ' a|+b'],
    ['removed at the start', ['a', 'b'], ['b'], '-a| b'],
    ['all new', [], ['a', 'b'], '+a|+b'],
  ])('%s', (_what, before, after, expected) => {
    expect(diffLines(before, after).map((l) => `${l.op}${l.line}`).join('|')).toBe(expected);
  });

  test('a new object is all +; a change shows - and + with the unchanged far away folded', () => {
    expect(objectDiff(null, cm('a')).every((l) => l.startsWith('+ '))).toBe(true);
    const big = (port: number): K8sObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'n', namespace: 'ns' }, spec: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, port } });
    const d = objectDiff(big(8080), big(9091));
    expect(d).toContain('-   port: 8080');
    expect(d).toContain('+   port: 9091');
    expect(d).toContain('  …');
    expect(d.length).toBeLessThan(10);
  });

  test('Secrets differing only in redacted values still say that they change', () => {
    const d = objectDiff(secret(Buffer.from('AAAA').toString('base64')), secret(Buffer.from('BBBB').toString('base64')));
    expect(d).toContain('~ (Secret data changes; values redacted)');
    expect(d.join('\n')).not.toMatch(/QUFBQQ|QkJCQg/);
  });
});
