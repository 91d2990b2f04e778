// What provision relies on, proven against a real kube-apiserver with etcd (test/kits/kube-apiserver.ts)
// through @kubernetes/client-node, the client the doctor uses: server-side apply's field managers,
// conflicts and force, dry runs that store nothing, CRD schema validation of real objects, RBAC
// denials, and that the shared renderer writes objects a real server accepts.
import {
  ApiException,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  CoreV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { guideObjectList, renderGuide } from '../../src/render/guide.js';
import type { K8sObject } from '../../src/render/object.js';
import type { GuideParams } from '../../src/render/params.js';
import { makeTestCerts } from '../kits/test-backends.js';
import { kubeBinDir, startRealKube, type RealKube } from '../kits/kube-apiserver.js';
import { tempDir } from '../tmp.js';

// Start to ready with the CRDs: 3-5 s here with two busy loops beside; far longer when CI runs files side by side.
const START_MS = 240_000;

let kube: RealKube;
let admin: KubernetesObjectApi;

function clientOf(kubeconfigPath: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

beforeAll(async () => {
  kube = await startRealKube();
  admin = KubernetesObjectApi.makeApiClient(clientOf(kube.kubeconfigPath));
}, START_MS);

afterAll(async () => {
  await kube?.stop();
}, 60_000);

let namespaces = 0;
/** A fresh namespace per test: the apiserver has no controller to empty a deleted one, so none is deleted. */
async function freshNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${++namespaces}`;
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** An object as the tests write it: what client-node needs to address it, and any body. */
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** The renderer's metadata is open-ended (its timestamps are strings); it sets only these keys. */
function fromRenderer(o: K8sObject): Obj {
  const { name, namespace, labels, annotations, ...other } = o.metadata;
  expect(Object.keys(other), `${o.kind}/${name} metadata`).toEqual([]);
  return { ...o, metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

function apply(api: KubernetesObjectApi, o: Obj, manager: string, opts: { force?: boolean; dryRun?: boolean } = {}): Promise<KubernetesObject> {
  return api.patch(o, undefined, opts.dryRun ? 'All' : undefined, manager, opts.force, PatchStrategy.ServerSideApply);
}

interface Status {
  readonly code?: number;
  readonly reason?: string;
  readonly message?: string;
  readonly details?: { readonly causes?: readonly { readonly reason?: string; readonly message?: string; readonly field?: string }[] };
}

/** The HTTP status and the Status body of a refused call; fails the test if the call succeeded. */
async function refusal(p: Promise<unknown>): Promise<{ code: number; status: Status }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const body: unknown = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code, status: (body ?? {}) as Status };
  }
  throw new Error('the API server accepted what it should have refused');
}

function managersOf(o: KubernetesObject): { manager: string; operation: string; fields: string }[] {
  return (o.metadata?.managedFields ?? []).map((m) => ({ manager: m.manager ?? '', operation: m.operation ?? '', fields: JSON.stringify(m.fieldsV1 ?? {}) }));
}

const API_VERSION = { BackendConfig: 'cloud.google.com/v1', ManagedCertificate: 'networking.gke.io/v1', TargetGroupBinding: 'elbv2.k8s.aws/v1beta1' } as const;
const TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/k8s-milvus/0123456789abcdef';

/** One of the CRDs' objects in the test's namespace. */
function custom(kind: keyof typeof API_VERSION, name: string, spec: Record<string, unknown>): (ns: string) => Obj {
  return (ns) => ({ apiVersion: API_VERSION[kind], kind, metadata: { name, namespace: ns }, spec });
}

// One row per kind provision applies that has a field two managers can fight over: a built-in kind and a CRD.
const CONTESTED: { kind: string; object: (ns: string, value: string) => Obj; fieldKey: string; causeField: string }[] = [
  {
    kind: 'ConfigMap',
    object: (ns, value) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'milvus', namespace: ns }, data: { 'user.yaml': value } }),
    fieldKey: 'f:user.yaml',
    causeField: '.data.user.yaml',
  },
  {
    kind: 'BackendConfig',
    object: (ns, value) => custom('BackendConfig', 'milvus-backendconfig', { healthCheck: { type: 'HTTP', port: 9091, requestPath: value } })(ns),
    fieldKey: 'f:requestPath',
    causeField: '.spec.healthCheck.requestPath',
  },
];

describe.each(CONTESTED)('server-side apply of a $kind', ({ object, fieldKey, causeField }) => {
  test('manager A creates; B changing the same field gets 409 naming the field and A; force hands it to B', async () => {
    const ns = await freshNamespace('ssa');
    const created = await apply(admin, object(ns, '/healthz'), 'manager-a');
    expect(managersOf(created)).toContainEqual(expect.objectContaining({ manager: 'manager-a', operation: 'Apply' }));
    expect(managersOf(created).find((m) => m.manager === 'manager-a')?.fields).toContain(fieldKey);

    const conflict = async (manager: string, value: string, owner: string) => {
      const { code, status } = await refusal(apply(admin, object(ns, value), manager));
      expect(code).toBe(409);
      expect(status.reason).toBe('Conflict');
      expect(status.details?.causes).toContainEqual({ reason: 'FieldManagerConflict', field: causeField, message: `conflict with "${owner}"` });
    };
    await conflict('manager-b', '/other', 'manager-a');

    const forced = await apply(admin, object(ns, '/other'), 'manager-b', { force: true });
    expect(managersOf(forced).find((m) => m.manager === 'manager-b')?.fields).toContain(fieldKey);
    expect(managersOf(forced).find((m) => m.manager === 'manager-a')?.fields ?? '').not.toContain(fieldKey);
    expect(JSON.stringify(await admin.read(object(ns, '')))).toContain('/other');
    // The field changed hands: now A is the one refused, naming B.
    await conflict('manager-a', '/healthz', 'manager-b');
    // Applying the value already there is no conflict (what makes a second apply of the same plan a no-op).
    await apply(admin, object(ns, '/other'), 'manager-a');
  });

  test('dryRun All answers with the object and stores nothing', async () => {
    const ns = await freshNamespace('dry');
    const answered = await apply(admin, object(ns, '/healthz'), 'manager-a', { dryRun: true });
    expect(answered.metadata?.name).toBe(object(ns, '').metadata?.name);
    expect(managersOf(answered)).toContainEqual(expect.objectContaining({ manager: 'manager-a' }));
    const { code } = await refusal(admin.read(object(ns, '')));
    expect(code).toBe(404);
  });
});

// Objects the CRDs' schemas must refuse as a cluster would, and the field the refusal names. A create is
// refused 422 with the field in its causes. A server-side apply is refused 422 too when the value has the
// right type (an enum, a limit, a required field), but a value of the wrong type fails earlier, while the
// apiserver builds the typed patch: 500 "failed to create typed patch object", the field named in the
// message only. provision must read both as "invalid", never as a server fault.
const INVALID: { what: string; object: (ns: string) => Obj; field: string; applyCode: 422 | 500 }[] = [
  { what: 'BackendConfig healthCheck.port as a string', object: custom('BackendConfig', 'bad-port', { healthCheck: { type: 'HTTP', port: 'x' } }), field: 'spec.healthCheck.port', applyCode: 500 },
  { what: 'BackendConfig timeoutSec as a string', object: custom('BackendConfig', 'bad-timeout', { timeoutSec: '600s' }), field: 'spec.timeoutSec', applyCode: 500 },
  {
    what: 'ManagedCertificate with 101 domains',
    object: custom('ManagedCertificate', 'too-many', { domains: Array.from({ length: 101 }, (_, i) => `d${i}.milvus.example`) }),
    field: 'spec.domains',
    applyCode: 422,
  },
  { what: 'ManagedCertificate with a wildcard domain', object: custom('ManagedCertificate', 'wildcard', { domains: ['*.milvus.example'] }), field: 'spec.domains[0]', applyCode: 422 },
  { what: 'TargetGroupBinding without targetGroupARN', object: custom('TargetGroupBinding', 'no-arn', { serviceRef: { name: 'milvus', port: 19530 } }), field: 'spec.targetGroupARN', applyCode: 422 },
  {
    what: 'TargetGroupBinding with targetType pod',
    object: custom('TargetGroupBinding', 'bad-type', { targetGroupARN: TARGET_GROUP_ARN, targetType: 'pod', serviceRef: { name: 'milvus', port: 19530 } }),
    field: 'spec.targetType',
    applyCode: 422,
  },
];

const VALID: { what: string; object: (ns: string) => Obj }[] = [
  {
    what: 'TargetGroupBinding as the ALB controller writes it',
    object: custom('TargetGroupBinding', 'k8s-milvus-milvusde-0123456789', {
      targetGroupARN: TARGET_GROUP_ARN,
      targetType: 'ip',
      ipAddressType: 'ipv4',
      serviceRef: { name: 'milvus-demo', port: 'milvus' },
      networking: { ingress: [{ from: [{ securityGroup: { groupID: 'sg-0123456789abcdef0' } }], ports: [{ port: 19530, protocol: 'TCP' }] }] },
    }),
  },
  { what: 'ManagedCertificate with one domain', object: custom('ManagedCertificate', 'one', { domains: ['my-release.milvus.io'] }) },
];

describe('the CRDs validate real objects as a cluster does', () => {
  test.each(INVALID)('$what: a create is refused 422 naming the field', async ({ object, field }) => {
    const ns = await freshNamespace('invalid');
    const { code, status } = await refusal(admin.create(object(ns)));
    expect(code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect((status.details?.causes ?? []).map((c) => c.field)).toContain(field);
    // Nothing was stored.
    expect((await refusal(admin.read(object(ns)))).code).toBe(404);
  });

  test.each(INVALID)('$what: a server-side apply (and its dry run) is refused $applyCode naming the field', async ({ object, field, applyCode }) => {
    const ns = await freshNamespace('invalid');
    for (const dryRun of [true, false]) {
      const { code, status } = await refusal(apply(admin, object(ns), 'milvus-l7-doctor', { dryRun }));
      expect(code).toBe(applyCode);
      expect(status.message).toContain(applyCode === 500 ? `failed to create typed patch object` : 'is invalid');
      expect(status.message).toContain(field.replace(/\[0\]$/, ''));
    }
    expect((await refusal(admin.read(object(ns)))).code).toBe(404);
  });

  test.each(VALID)('$what: accepted', async ({ object }) => {
    const ns = await freshNamespace('valid');
    const stored = await apply(admin, object(ns), 'milvus-l7-doctor');
    // Stored by the server: it gave the object its uid.
    expect(stored.metadata?.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('status is a subresource: an apply of the main resource leaves status alone', async () => {
    const ns = await freshNamespace('status');
    const cert = { ...custom('ManagedCertificate', 'cert', { domains: ['my-release.milvus.io'] })(ns), status: { certificateStatus: 'Active' } };
    const stored = await apply(admin, cert, 'milvus-l7-doctor');
    expect(JSON.stringify(stored)).not.toContain('Active');
  });
});

describe('RBAC', () => {
  test('the restricted user gets 403 until a Role is bound to it, then may do what the Role says', async () => {
    const ns = await freshNamespace('rbac');
    const restricted = clientOf(kube.restricted.kubeconfigPath);
    const core = restricted.makeApiClient(CoreV1Api);
    const denied = await refusal(core.listNamespacedConfigMap({ namespace: ns }));
    expect(denied.code).toBe(403);
    expect(denied.status.message).toContain(kube.restricted.user);

    const rbac = clientOf(kube.kubeconfigPath).makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'read-configmaps' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'read-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: kube.restricted.user }],
      },
    });
    // The authorizer reads RBAC objects from an informer: the binding takes effect shortly after it is stored.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await core.listNamespacedConfigMap({ namespace: ns });
        break;
      } catch (e) {
        if (!(e instanceof ApiException) || e.code !== 403 || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    // Only what the Role grants: listing Secrets, or configmaps elsewhere, is still refused.
    expect((await refusal(core.listNamespacedSecret({ namespace: ns }))).code).toBe(403);
    expect((await refusal(core.listNamespacedConfigMap({ namespace: 'default' }))).code).toBe(403);
  });
});

describe('the renderer writes objects a real server accepts', () => {
  const certs = makeTestCerts('my-release.milvus.io');
  const tls = { certPem: certs.certPem, keyPem: certs.keyPem };
  const PARAMS: { what: string; params: (ns: string) => GuideParams }[] = [
    {
      what: 'AWS',
      params: (ns) => ({ provider: 'aws', namespace: ns, release: 'milvus-demo', host: 'milvus-demo.milvus.io', certificateArn: 'arn:aws:acm:us-east-2:123456789012:certificate/6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f' }),
    },
    { what: 'GCP, self-managed certificate', params: (ns) => ({ provider: 'gcp', namespace: ns, release: 'my-release', host: 'my-release.milvus.io', certificate: 'secret', tls }) },
    { what: 'GCP, Google-managed certificate', params: (ns) => ({ provider: 'gcp', namespace: ns, release: 'my-release', host: 'my-release.milvus.io', certificate: 'managed', tls }) },
  ];

  test.each(PARAMS)('$what: every object passes a server-side dry run, unchanged by the server', async ({ params }) => {
    const ns = await freshNamespace('render');
    const objects = guideObjectList(renderGuide(params(ns)));
    expect(objects.length).toBeGreaterThanOrEqual(4);
    for (const rendered of objects) {
      const o = fromRenderer(rendered);
      const answered = await apply(admin, o, 'milvus-l7-doctor', { dryRun: true });
      expect(`${answered.kind}/${answered.metadata?.name}`).toBe(`${o.kind}/${o.metadata.name}`);
      // Nothing the renderer wrote was dropped or pruned: every field it set comes back as set.
      expect(answered, `${o.kind}/${o.metadata.name}`).toMatchObject(withoutSecretData(rendered));
    }
    // A dry run stores nothing.
    for (const o of objects) expect((await refusal(admin.read(fromRenderer(o)))).code).toBe(404);
  });
});

/** Secret data comes back as written but base64 of the PEM; leave it out of the comparison to keep failures free of key material. */
function withoutSecretData(o: K8sObject): Record<string, unknown> {
  if (o.kind !== 'Secret') return o;
  const { data: _data, ...rest } = o;
  return rest;
}

/** Processes whose command line mentions `text` (a temp dir): what a failed start must not leave behind. */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmdline.includes(text) ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return []; // exited while we looked
      }
    });
}

describe('the kit itself', () => {
  test('missing binaries: one line naming the script that builds them', () => {
    vi.stubEnv('L7_KUBE_BIN_DIR', tempDir('l7-kube-empty-'));
    try {
      expect(() => kubeBinDir()).toThrow(/^etcd and kube-apiserver not found in .*: run bash \.ci\/kube-binaries\.sh[^\n]*$/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test('an apiserver that dies on start: the error carries what it said, and nothing is left running or on disk', async () => {
    const bin = tempDir('l7-kube-bin-');
    symlinkSync(join(kubeBinDir(), 'etcd'), join(bin, 'etcd'));
    writeFileSync(join(bin, 'kube-apiserver'), '#!/bin/sh\necho "Error: unknown flag: --not-this-one" >&2\nexit 1\n', { mode: 0o755 });
    const tmp = tempDir('l7-kube-tmp-');
    vi.stubEnv('L7_KUBE_BIN_DIR', bin);
    vi.stubEnv('TMPDIR', tmp);
    try {
      await expect(startRealKube()).rejects.toThrow(/kube-apiserver exited .*unknown flag: --not-this-one/);
    } finally {
      vi.unstubAllEnvs();
    }
    // etcd had started in a directory under tmp: it was stopped, and the directory (tokens, keys) removed.
    expect(processesMentioning(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  }, START_MS);

  test('a test worker killed with SIGKILL (no exit handler runs) takes its etcd and apiserver with it', async () => {
    // A vitest run of its own, holding a real apiserver forever, whose worker is then killed outright.
    const dir = tempDir('l7-kube-killed-');
    const kit = pathToFileURL(fileURLToPath(new URL('../kits/kube-apiserver.ts', import.meta.url))).href;
    writeFileSync(
      join(dir, 'hold.test.ts'),
      `import { writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { startRealKube } from ${JSON.stringify(kit)};
test('hold', async () => {
  const kube = await startRealKube({ crds: false });
  writeFileSync(${JSON.stringify(join(dir, 'started.json'))}, JSON.stringify({ worker: process.pid, dir: kube.dir }));
  await new Promise(() => undefined);
}, 600_000);
`,
    );
    const vitestNode = pathToFileURL(createRequire(import.meta.url).resolve('vitest/node')).href;
    writeFileSync(
      join(dir, 'run.mjs'),
      `import { startVitest } from ${JSON.stringify(vitestNode)};
await startVitest('test', [], { config: false, root: ${JSON.stringify(dir)}, include: ['hold.test.ts'], exclude: [], pool: 'forks', watch: false, reporters: [] });
`,
    );
    const runner = spawn(process.execPath, [join(dir, 'run.mjs')], { stdio: 'ignore' });
    let kubeDir: string | null = null;
    try {
      const deadline = Date.now() + 120_000;
      while (!existsSync(join(dir, 'started.json'))) {
        if (runner.exitCode !== null || Date.now() > deadline) throw new Error(`the inner run did not start an apiserver (exit ${runner.exitCode})`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const started = JSON.parse(readFileSync(join(dir, 'started.json'), 'utf8')) as { worker: number; dir: string };
      kubeDir = started.dir;
      expect(processesMentioning(started.dir)).toHaveLength(2);
      process.kill(started.worker, 'SIGKILL');
      // The kernel delivers the parent-death signal as the worker goes; allow a busy machine a moment.
      const gone = Date.now() + 30_000;
      while (processesMentioning(started.dir).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
      expect(processesMentioning(started.dir)).toEqual([]);
    } finally {
      runner.kill('SIGKILL');
      if (kubeDir) {
        // Should this test fail, what survived is stopped here, by its PID, not left to the machine.
        for (const row of processesMentioning(kubeDir)) process.kill(Number(row.split(':')[0]), 'SIGKILL');
        // Nothing ran to remove it: the kill left the tokens and keys behind, as any SIGKILL would.
        rmSync(kubeDir, { recursive: true, force: true });
      }
    }
  }, START_MS);

  test('crds: false installs none (the "CRD not installed" cluster)', async () => {
    const bare = await startRealKube({ crds: false });
    try {
      const api = KubernetesObjectApi.makeApiClient(clientOf(bare.kubeconfigPath));
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' } });
      // client-node reads the group's resource list first and finds no such group.
      await expect(apply(api, custom('BackendConfig', 'bc', {})('bare'), 'milvus-l7-doctor', { dryRun: true })).rejects.toThrow(/^Failed to fetch resource metadata for cloud\.google\.com\/v1\/BackendConfig/);
    } finally {
      await bare.stop();
    }
    expect(processesMentioning(bare.dir)).toEqual([]);
    expect(existsSync(bare.dir)).toBe(false);
  }, START_MS);
});
