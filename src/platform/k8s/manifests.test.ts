// The offline loader: helm template output, directories, List kinds, JSON, stdin, and invalid YAML as a
// one-line UsageError naming the file and line. Secrets never reach the snapshot.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../errors.js';
import { FIXTURES, discovered } from '../../../test/kits/k8s-testkit.js';
import { parseManifestText } from './manifests.js';
import { loadManifests } from '../../../test/kits/gather-k8s.js';
import { parseTlsSecret } from './tls-secret.js';
import { tempDir } from '../../../test/tmp.js';

describe('offline loader', () => {
  test('helm template output: # Source comments, --- separators, empty documents', async () => {
    const k8s = await loadManifests(join(FIXTURES, 'helm-template-gcp.yaml'), {});
    expect(k8s.source).toBe('manifests');
    expect(k8s.namespace).toBe('default');
    expect(k8s.services.status === 'ok' && k8s.services.value.map((s) => s.name)).toEqual(['my-release-milvus']);
    expect(k8s.milvusConfig).toMatchObject({ status: 'ok', value: { configMap: 'my-release-milvus', tlsMode: 1, tlsModeFrom: 'user.yaml', authorizationEnabled: true } });
    expect(k8s.workloads.status === 'ok' && k8s.workloads.value.map((w) => w.containerPorts.map((p) => p.containerPort))).toEqual([[19530, 9091]]);
    expect(k8s.tlsSecret).toMatchObject({ status: 'ok', value: { name: 'my-release-milvus-tls', keyMatchesCert: true } });
    expect(k8s.pods).toEqual({ status: 'skipped', reason: 'offline (--manifests): needs a live cluster' });
    expect(k8s.healthzService.status).toBe('skipped');
    expect(discovered(k8s)).toMatchObject({ host: 'my-release.milvus.io', address: null, provider: 'gcp', service: 'my-release-milvus', ingress: 'my-release-milvus', notes: [] });
  });

  test('a directory (recursively) gives the same facts as the single helm-template file', async () => {
    const fromDir = await loadManifests(join(FIXTURES, 'gcp', 'base'), {});
    const fromFile = await loadManifests(join(FIXTURES, 'helm-template-gcp.yaml'), {});
    expect({ ...fromDir, files: [] }).toEqual({ ...fromFile, files: [] });
    expect(fromDir.files.length).toBe(6);
  });

  test('the AWS guide discovers provider, host and service from the objects alone', async () => {
    const k8s = await loadManifests(join(FIXTURES, 'aws'), {});
    const found = discovered(k8s);
    expect(found).toMatchObject({ provider: 'aws', host: 'milvus-demo.milvus.io', service: 'milvus-demo', ingress: 'milvus-demo' });
  });

  test('List kinds in JSON and typed lists (EventList) flatten to their items', async () => {
    const k8s = await loadManifests(join(FIXTURES, 'list.json'), {});
    expect(k8s.namespace).toBe('vector');
    expect(k8s.services.status === 'ok' && k8s.services.value[0].name).toBe('milvus');
    const events = parseManifestText('kind: EventList\napiVersion: v1\nitems:\n- metadata: {name: e}\n  reason: Sync\n', 'x.yaml');
    expect(events.map((o) => o.kind)).toEqual(['Event']);
  });

  test('stdin (-)', async () => {
    const k8s = await loadManifests('-', { release: 'vector' }, Readable.from(['apiVersion: v1\nkind: Service\nmetadata: {name: vector-milvus}\nspec:\n  ports: [{name: milvus, port: 19530}]\n']));
    expect(k8s.files).toEqual(['<stdin>']);
    expect(discovered(k8s).service).toBe('vector-milvus');
  });

  test('invalid YAML: UsageError naming the file and line', async () => {
    const file = join(FIXTURES, 'invalid.yaml');
    const err = await loadManifests(file, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err instanceof UsageError && err.code).toBe('MANIFEST_INVALID_YAML');
    expect(err instanceof UsageError && err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:12:1: invalid YAML: `));
    expect(err instanceof UsageError && err.message.includes('\n')).toBe(false);
  });

  test('a path that does not exist, or a directory without manifests', async () => {
    await expect(loadManifests('/nonexistent/manifests', {})).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
    const empty = tempDir('manifests-');
    mkdirSync(join(empty, 'sub'));
    writeFileSync(join(empty, 'sub', 'README.md'), '# not yaml');
    await expect(loadManifests(empty, {})).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
  });

  test('no key material or ConfigMap credentials in the snapshot', async () => {
    const k8s = await loadManifests(join(FIXTURES, 'gcp', 'base'), {});
    const json = JSON.stringify(k8s);
    expect(json).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|minioadmin|secretAccessKey/);
    expect(JSON.parse(json)).toEqual(k8s);
  });

  test('a TLS Secret with stringData and a broken key', () => {
    const text = [
      'apiVersion: v1', 'kind: Secret', 'metadata: {name: s}', 'type: kubernetes.io/tls', 'stringData:',
      '  tls.crt: "not a certificate"', '  tls.key: "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"',
    ].join('\n');
    const [secret] = parseManifestText(text, 's.yaml');
    const facts = parseTlsSecret(secret, 'default');
    expect(facts).toMatchObject({ hasCert: true, hasKey: true, certError: 'tls.crt holds no PEM CERTIFICATE block', keyMatchesCert: null, chain: [] });
    expect(facts.keyError).toMatch(/^tls\.key does not parse/);
  });
});
