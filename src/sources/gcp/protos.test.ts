// The cut of @google-cloud/compute's protos (protos.ts): what it keeps, and when the worker refuses it.
// That the real clients on it send and decode exactly what they do on the whole file is
// test/e2e/gcp-compute.test.ts's.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { tempDir } from '../../../test/tmp.js';
import { COMPUTE_METHODS, type ComputeMethod } from './methods.js';
import { installedComputeVersion, makeCut, rpcOf, useCut, type CutProtos } from './protos.js';

const require = createRequire(import.meta.url);
const dir = tempDir('l7doctor-protos-');

type Json = { nested?: Record<string, Json>; methods?: Record<string, { options?: Record<string, unknown> }>; fields?: Record<string, unknown> };
const cut = makeCut();
const v1 = (cut.root as Json).nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1?.nested ?? {};

describe('the cut', () => {
  test('serves every method the doctor calls, each with the http rule the REST transport transcodes by', () => {
    expect(cut.compute).toBe(installedComputeVersion());
    expect(cut.methods).toEqual(Object.keys(COMPUTE_METHODS).sort());
    for (const m of Object.keys(COMPUTE_METHODS) as ComputeMethod[]) {
      const { service, rpc } = rpcOf(m);
      const s = v1[service.split('.').pop() ?? ''];
      expect(s?.methods?.[rpc]?.options?.['(google.api.http).get'] ?? s?.methods?.[rpc]?.options?.['(google.api.http).post'], `${m}: ${service}.${rpc}`).toMatch(/^\/compute\/v1\/projects\/\{project\}\//);
    }
  });

  test('keeps what the answers reach, and none of the rest of the Compute API', () => {
    expect(Object.keys(v1.BackendServices?.methods ?? {}).sort()).toEqual(['Get', 'GetHealth']);
    expect(Object.keys(v1.Instances?.methods ?? {})).toEqual(['Get']);
    for (const message of ['BackendService', 'BackendServiceGroupHealth', 'HealthStatus', 'UrlMap', 'HostRule', 'Firewall', 'FirewallList', 'SslCertificate', 'Instance', 'NetworkInterface']) {
      expect(v1[message]?.fields, message).toBeDefined();
    }
    expect(v1.Disks).toBeUndefined();
    expect(v1.InsertInstanceRequest).toBeUndefined();
    expect(Object.keys((cut.root as Json).nested?.google?.nested?.cloud?.nested?.compute?.nested ?? {})).toEqual(['v1']);
    expect(JSON.stringify(cut.root).length).toBeLessThan(1_000_000);
  });
});

describe('using it', () => {
  const protosPath = require.resolve('@google-cloud/compute/build/protos/protos.json');
  const write = (name: string, c: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof c === 'string' ? c : JSON.stringify(c));
    return file;
  };
  afterAll(() => {
    delete require.cache[protosPath];
  });

  test.each<[string, () => string, RegExp]>([
    ['a missing file', () => path.join(dir, 'absent.json'), /no .*absent\.json \(npm run build makes it\)/],
    ['a file that is not JSON', () => write('broken.json', '{"compute": '), /broken\.json: .*JSON/],
    ['a cut of another version', () => write('old.json', { ...cut, compute: '6.0.0' } satisfies CutProtos), /cut from @google-cloud\/compute 6\.0\.0, installed 6\./],
    ['a cut for other methods', () => write('fewer.json', { ...cut, methods: cut.methods.slice(1) } satisfies CutProtos), /cut for other methods/],
  ])('refused: %s (the clients then load the whole protos.json)', (_what, file, why) => {
    delete require.cache[protosPath];
    expect(useCut(require, file())).toMatch(why);
    expect(require.cache[protosPath]).toBeUndefined();
  });

  test('taken: the clients\' require of protos.json gets the cut', () => {
    delete require.cache[protosPath];
    expect(useCut(require, write('cut.json', cut))).toBeNull();
    expect(require(protosPath)).toEqual(cut.root);
  });
});
