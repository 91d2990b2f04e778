// provision against a real kube-apiserver with etcd and the GKE/ALB CRDs (test/kits/kube-apiserver.ts):
// server-side apply semantics are the server's, so only a real one proves them. GCP's guide, which has
// the most objects: plan, apply, an empty second plan that writes nothing, conflicts and --force-conflicts,
// a wrong piece fixed, a CRD refusing a value, --remove, and what Helm owns.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, type KubernetesObject, type KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLabPki } from '../../src/lab/pki.js';
import { startRealKube, type RealKube } from '../kits/kube-apiserver.js';
import { tempDir } from '../tmp.js';
import { parseAllDocuments } from 'yaml';
import { adminApi, applyAs, freshNamespace, milvusService, parsePlan, provisionCli, states, versions, type Obj } from './provision-kit.js';

const START_MS = 240_000;
const HOST = 'my-release.milvus.io';
const GCP_KINDS: [string, string][] = [
  ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['cloud.google.com/v1', 'BackendConfig'], ['networking.k8s.io/v1', 'Ingress'], ['networking.gke.io/v1', 'ManagedCertificate'],
];

// Each test runs the CLI several times; on two busy cores one run can take tens of seconds.
const TEST_MS = 600_000;

let kube: RealKube;
let admin: KubernetesObjectApi;
const out = tempDir('l7-provision-kube-');

beforeAll(async () => {
  kube = await startRealKube();
  admin = adminApi(kube);
}, START_MS);

afterAll(async () => {
  await kube?.stop();
}, 60_000);

/** A namespace where Milvus runs as the guides start: its Service (ClusterIP here), nothing of the LB yet. */
async function bareGcp(prefix: string, service: { helm?: boolean; type?: string } = {}): Promise<string> {
  const ns = await freshNamespace(admin, prefix);
  await applyAs(admin, milvusService(ns, 'my-release-milvus', service), service.helm ? 'helm' : 'installer');
  return ns;
}

const gcpArgs = (ns: string, ...more: string[]) => ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', HOST, '--cert', 'self-signed', '--out-dir', out, ...more];

async function read(apiVersion: string, kind: string, ns: string, name: string): Promise<KubernetesObject & { spec?: unknown }> {
  return admin.read({ apiVersion, kind, metadata: { name, namespace: ns } });
}

describe('provision --provider gcp on a real API server', () => {
  test('plan of a bare namespace: each missing piece, nothing written; apply; the second plan is empty and writes nothing', async () => {
    const ns = await bareGcp('plan');
    const before = await versions(admin, ns, GCP_KINDS);
    const plan = await provisionCli(kube, gcpArgs(ns, '-o', 'json'));
    expect(plan.code, plan.stderr).toBe(1);
    expect(states(parsePlan(plan))).toEqual({ 'milvus-tls': 'missing', certificate: 'missing', backendconfig: 'missing', service: 'wrong', ingress: 'missing' });
    expect(await versions(admin, ns, GCP_KINDS)).toEqual(before);

    const applied = await provisionCli(kube, gcpArgs(ns, '--apply'));
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
    expect(applied.stderr).toMatch(/applied Ingress\/.*\/my-release-milvus/);
    const caFile = join(out, `milvus-l7-${ns}-my-release-ca.crt`);
    expect(applied.stderr).toContain(caFile);
    expect(readFileSync(caFile, 'utf8')).toMatch(/BEGIN CERTIFICATE/);

    const bc = await read('cloud.google.com/v1', 'BackendConfig', ns, 'my-release-backendconfig');
    expect(bc.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('milvus-l7-doctor');
    expect(bc.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toContainEqual(['milvus-l7-doctor', 'Apply']);
    const svc = await read('v1', 'Service', ns, 'my-release-milvus');
    // Changed, not created: the Service carries the annotations but not provision's label.
    expect(svc.metadata?.annotations?.['cloud.google.com/app-protocols']).toBe('{"milvus":"HTTP2"}');
    expect(svc.metadata?.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();

    const after = await versions(admin, ns, GCP_KINDS);
    const again = await provisionCli(kube, gcpArgs(ns, '-o', 'json'));
    expect(again.code, again.stderr).toBe(0);
    expect(new Set(Object.values(states(parsePlan(again))))).toEqual(new Set(['done']));
    expect(await versions(admin, ns, GCP_KINDS)).toEqual(after);
    // And a second apply writes nothing either.
    const reapplied = await provisionCli(kube, gcpArgs(ns, '--apply'));
    expect(reapplied.code, reapplied.stderr).toBe(0);
    expect(reapplied.stderr).not.toMatch(/applied /);
    expect(await versions(admin, ns, GCP_KINDS)).toEqual(after);
  }, TEST_MS);

  test('another manager owns spec.rules of the Ingress: blocked naming the field and the manager; --force-conflicts takes it', async () => {
    const ns = await bareGcp('conflict');
    await applyAs(admin, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'my-release-milvus', namespace: ns },
      spec: { rules: [{ host: 'old.milvus.io', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'my-release-milvus', port: { number: 19530 } } } }] } }] },
    }, 'platform-team');
    const plan = await provisionCli(kube, gcpArgs(ns, '-o', 'json'));
    expect(plan.code).toBe(1);
    const ingress = parsePlan(plan).steps.find((s) => s.id === 'ingress');
    expect(ingress).toMatchObject({ state: 'blocked', observed: expect.stringMatching(/\.spec\.rules.*"platform-team"/), fix: expect.stringContaining('--force-conflicts') });

    const refused = await provisionCli(kube, gcpArgs(ns, '--apply'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nothing applied: .*ingress/);
    expect((await versions(admin, ns, [['cloud.google.com/v1', 'BackendConfig']]))).toEqual({});

    const forcedPlan = parsePlan(await provisionCli(kube, gcpArgs(ns, '-o', 'json', '--force-conflicts')));
    expect(forcedPlan.steps.find((s) => s.id === 'ingress')?.changes[0]?.takesOver).toContainEqual({ field: '.spec.rules', managers: ['platform-team'] });
    const forced = await provisionCli(kube, gcpArgs(ns, '--apply', '--force-conflicts'));
    expect(forced.code, forced.stderr).toBe(0);
    const ing = await read('networking.k8s.io/v1', 'Ingress', ns, 'my-release-milvus');
    expect(JSON.stringify(ing.spec)).toContain(HOST);
    expect(ing.metadata?.managedFields?.find((m) => m.manager === 'milvus-l7-doctor')?.fieldsV1).toMatchObject({ 'f:spec': expect.objectContaining({ 'f:rules': {} }) });
  }, TEST_MS);

  test('a wrong piece: a BackendConfig checking port 8080 is wrong, the diff shows it, apply fixes it', async () => {
    const ns = await bareGcp('wrong');
    // As an older provision left it: its own field manager, so this is no conflict but a change.
    await applyAs(admin, {
      apiVersion: 'cloud.google.com/v1',
      kind: 'BackendConfig',
      metadata: { name: 'my-release-backendconfig', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'milvus-l7-doctor' } },
      spec: { timeoutSec: 600, healthCheck: { type: 'HTTP', port: 8080, requestPath: '/healthz', checkIntervalSec: 15, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 2 } },
    }, 'milvus-l7-doctor');
    const text = await provisionCli(kube, gcpArgs(ns));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/~ wrong\s+backendconfig/);
    expect(text.stdout).toMatch(/^\s+-\s+port: 8080$/m);
    expect(text.stdout).toMatch(/^\s+\+\s+port: 9091$/m);
    expect(text.stdout).toMatch(/observed: healthCheck HTTP :8080 \/healthz/);
    const applied = await provisionCli(kube, gcpArgs(ns, '--apply'));
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.stringify((await read('cloud.google.com/v1', 'BackendConfig', ns, 'my-release-backendconfig')).spec)).toContain('"port":9091');
  }, TEST_MS);

  test('a CN-only certificate (the guide\'s openssl kind) in the Secret is wrong, said as the checks say it; apply replaces it with one that has a SAN', async () => {
    const ns = await bareGcp('cn-only');
    const pki = await createLabPki(join(out, `pki-${ns}`), { host: HOST, leaf: { name: HOST, cnOnly: true } });
    const b64 = (f: string) => readFileSync(f).toString('base64');
    await applyAs(admin, {
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
      metadata: { name: 'my-release-milvus-tls', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'milvus-l7-doctor' } },
      data: { 'tls.crt': b64(pki.fullchainFile), 'tls.key': b64(pki.keyFile) },
    }, 'milvus-l7-doctor');
    const plan = parsePlan(await provisionCli(kube, gcpArgs(ns, '-o', 'json')));
    expect(plan.steps.find((s) => s.id === 'certificate')).toMatchObject({ state: 'wrong', observed: expect.stringMatching(/^a certificate for CN only \(my-release\.milvus\.io\): gRPC clients refuse it/) });
    expect(plan.steps.find((s) => s.id === 'milvus-tls')).toMatchObject({ state: 'missing' });
    expect((await provisionCli(kube, gcpArgs(ns, '--apply'))).code).toBe(0);
    const again = parsePlan(await provisionCli(kube, gcpArgs(ns, '-o', 'json')));
    expect(again.steps.find((s) => s.id === 'certificate')).toMatchObject({ state: 'done', observed: expect.stringMatching(/^a certificate for DNS:my-release\.milvus\.io, valid to \d{4}-/) });
    expect(again.steps.find((s) => s.id === 'milvus-tls')).toMatchObject({ state: 'done', observed: 'tlsMode 1 (user.yaml)' });
  }, TEST_MS);

  test('the server validates the plan: a host the ManagedCertificate CRD refuses blocks that step, naming the field', async () => {
    const ns = await bareGcp('invalid');
    // A valid DNS name, longer than the 63 characters a ManagedCertificate domain may have.
    const long = `${'a'.repeat(40)}.${'b'.repeat(20)}.milvus.io`;
    const run = await provisionCli(kube, ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', long, '--cert', 'managed', '--out-dir', out, '-o', 'json']);
    expect(run.code).toBe(1);
    expect(parsePlan(run).steps.find((s) => s.id === 'certificate')).toMatchObject({ state: 'blocked', observed: expect.stringMatching(/spec\.domains/) });
    expect((await versions(admin, ns, [['networking.gke.io/v1', 'ManagedCertificate']]))).toEqual({});
  }, TEST_MS);

  test('--remove lists and deletes exactly what provision created; an unlabelled object of the same kind and the Service it only changed survive', async () => {
    const ns = await bareGcp('remove');
    expect((await provisionCli(kube, gcpArgs(ns, '--apply'))).code).toBe(0);
    await applyAs(admin, { apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: { name: 'someone-elses', namespace: ns }, spec: { timeoutSec: 30 } }, 'kubectl');
    // A copied label is not enough: provision's own field manager must have applied it.
    await applyAs(admin, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'copied-label', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'milvus-l7-doctor' } }, data: { a: 'b' } }, 'kubectl');

    const listed = await provisionCli(kube, ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', HOST, '--remove', '-o', 'json']);
    expect(listed.code).toBe(1);
    const targets = parsePlan(listed).steps.flatMap((s) => s.changes.map((c) => c.target)).sort();
    expect(targets).toEqual([
      `BackendConfig/${ns}/my-release-backendconfig`, `ConfigMap/${ns}/my-release-milvus`, `Ingress/${ns}/my-release-milvus`, `Secret/${ns}/my-release-milvus-tls`,
    ].sort());

    const removed = await provisionCli(kube, ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', HOST, '--remove', '--apply']);
    expect(removed.code, removed.stderr).toBe(0);
    const left = Object.keys(await versions(admin, ns, GCP_KINDS)).sort();
    expect(left).toEqual(['BackendConfig/someone-elses', 'ConfigMap/copied-label', 'Service/my-release-milvus']);
    await expect(read('v1', 'Secret', ns, 'my-release-milvus-tls')).rejects.toBeInstanceOf(ApiException);
  }, TEST_MS);

  test('Helm owns user.yaml: the values file turns on tlsMode 1 and mounts the TLS Secret where user.yaml points, or the proxy cannot start', async () => {
    const ns = await bareGcp('helm-tls', { helm: true, type: 'LoadBalancer' });
    const helmLabels = { 'app.kubernetes.io/managed-by': 'Helm' };
    await applyAs(admin, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'my-release-milvus', namespace: ns, labels: helmLabels, annotations: { 'meta.helm.sh/release-name': 'my-release' } }, data: { 'user.yaml': 'common:\n  security:\n    authorizationEnabled: true\n' } }, 'helm');
    const plan = await provisionCli(kube, gcpArgs(ns, '-o', 'json'));
    expect(plan.code).toBe(1);
    expect(parsePlan(plan).steps.find((s) => s.id === 'milvus-tls')).toMatchObject({ state: 'wrong', layer: 'helm' });
    const text = readFileSync(join(out, `milvus-l7-${ns}-my-release-values.yaml`), 'utf8');
    const values = parseAllDocuments(text)[0]?.toJS() as { volumes: { name: string; secret: { secretName: string } }[]; volumeMounts: { name: string; mountPath: string }[]; extraConfigFiles: Record<string, string> };
    expect(values.volumes).toEqual([{ name: 'milvus-tls', secret: { secretName: 'my-release-milvus-tls' } }]);
    expect(values.volumeMounts).toEqual([{ name: 'milvus-tls', mountPath: '/milvus/tls', readOnly: true }]);
    const userYaml = parseAllDocuments(values.extraConfigFiles['user.yaml'] ?? '')[0]?.toJS() as { tls: { serverPemPath: string }; common: { security: { tlsMode: number } } };
    expect(userYaml.common.security.tlsMode).toBe(1);
    expect(userYaml.tls.serverPemPath.startsWith(`${values.volumeMounts[0]?.mountPath}/`)).toBe(true);
    // Lists are replaced, not merged, by --reuse-values: the file says so where a user would read it.
    expect(text).toMatch(/^# volumes and volumeMounts replace the release's own lists/m);
  }, TEST_MS);

  test('a Google-managed certificate: Milvus still gets a serving certificate of its own (self-signed, kept on the next plan); one already there is left alone', async () => {
    const managedArgs = (ns: string, ...more: string[]) => ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', HOST, '--cert', 'managed', '--out-dir', out, ...more];
    const ns = await bareGcp('managed');
    const plan = await provisionCli(kube, managedArgs(ns, '-o', 'json'));
    expect(plan.code, plan.stderr).toBe(1);
    expect(states(parsePlan(plan))).toMatchObject({ certificate: 'missing', 'backend-certificate': 'missing' });
    const applied = await provisionCli(kube, managedArgs(ns, '--apply'));
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
    const secret = (await read('v1', 'Secret', ns, 'my-release-milvus-tls')) as KubernetesObject & { data?: Record<string, string> };
    expect(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64').toString()).toMatch(/BEGIN CERTIFICATE/);
    const again = await provisionCli(kube, managedArgs(ns, '-o', 'json'));
    expect(again.code, again.stderr).toBe(0);
    expect(states(parsePlan(again))['backend-certificate']).toBe('done');

    // The user's own backend certificate is theirs: provision neither replaces nor labels it.
    const own = await freshNamespace(admin, 'managed-own');
    await applyAs(admin, milvusService(own, 'my-release-milvus', {}), 'installer');
    const pki = await createLabPki(join(out, `pki-${own}`), { host: HOST, leaf: { name: HOST } });
    const b64 = (file: string) => readFileSync(file).toString('base64');
    await applyAs(admin, { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'my-release-milvus-tls', namespace: own }, data: { 'tls.crt': b64(pki.backendFullchainFile), 'tls.key': b64(pki.backendKeyFile) } }, 'kubectl');
    const kept = await provisionCli(kube, managedArgs(own, '-o', 'json'));
    expect(parsePlan(kept).steps.find((s) => s.id === 'backend-certificate')).toMatchObject({ state: 'done', changes: [] });
  }, TEST_MS);

  test('Helm owns the Service: the step is the exact helm upgrade and its values file; --apply without --helm stops before any write', async () => {
    const ns = await bareGcp('helm', { helm: true, type: 'LoadBalancer' });
    const plan = await provisionCli(kube, gcpArgs(ns, '-o', 'json'));
    expect(plan.code).toBe(1);
    const service = parsePlan(plan).steps.find((s) => s.id === 'service');
    const valuesFile = join(out, `milvus-l7-${ns}-my-release-values.yaml`);
    const command = `KUBECONFIG=${kube.kubeconfigPath} helm upgrade my-release milvus/milvus -n ${ns} --reuse-values -f ${valuesFile}`;
    expect(service).toMatchObject({ state: 'wrong', layer: 'helm', observed: expect.stringMatching(/^type LoadBalancer/) });
    expect(service?.changes).toEqual([expect.objectContaining({ action: 'helm-upgrade', command, valuesFile })]);
    expect(service?.changes[0]?.diff).toContainEqual(expect.stringMatching(/^-\s+type: LoadBalancer$/));
    expect(service?.changes[0]?.diff).toContainEqual(expect.stringMatching(/^\+\s+type: ClusterIP$/));
    const values = readFileSync(valuesFile, 'utf8');
    expect(values).toMatch(/type: ClusterIP/);
    expect(values).toMatch(/cloud\.google\.com\/backend-config/);
    expect(values).not.toMatch(/PRIVATE KEY|tls\.key/);

    const before = await versions(admin, ns, GCP_KINDS);
    const stopped = await provisionCli(kube, gcpArgs(ns, '--apply'));
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(`run ${command}, or add --helm`);
    expect(await versions(admin, ns, GCP_KINDS)).toEqual(before);

    // --helm runs exactly that command (a recording helm on PATH stands in for the binary).
    const bin = tempDir('l7-helm-bin-');
    const record = join(bin, 'argv.json');
    const script = join(bin, 'helm');
    const { writeFileSync, chmodSync } = await import('node:fs');
    writeFileSync(script, `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), kubeconfig: process.env.KUBECONFIG }));\n`);
    chmodSync(script, 0o755);
    const ran = await provisionCli(kube, gcpArgs(ns, '--apply', '--helm'), { PATH: `${bin}:${process.env.PATH ?? ''}` });
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({ argv: ['upgrade', 'my-release', 'milvus/milvus', '-n', ns, '--reuse-values', '-f', valuesFile], kubeconfig: kube.kubeconfigPath });
    // The recording helm changed nothing, so the Service is still not in place: not a success.
    expect(ran.code).toBe(1);
  }, TEST_MS);

  test('the generated Role is enough: provision --apply and --remove --apply as a user bound only to fixtures/rbac/provision-role.yaml', async () => {
    const ns = await bareGcp('rbac');
    const docs = parseAllDocuments(readFileSync(new URL('../../fixtures/rbac/provision-role.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as Obj);
    const role = docs.find((d) => d.kind === 'Role');
    if (!role) throw new Error('provision-role.yaml has no Role');
    await admin.create({ ...role, metadata: { ...role.metadata, namespace: ns } });
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'provision', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: kube.restricted.user }],
    });
    const as = kube.restricted.kubeconfigPath;
    // The authorizer learns of a binding from an informer, shortly after it is stored.
    const deadline = Date.now() + 60_000;
    let plan = await provisionCli(kube, gcpArgs(ns), {}, as);
    while (plan.code === 3 && /forbidden/.test(plan.stderr) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      plan = await provisionCli(kube, gcpArgs(ns), {}, as);
    }
    expect(plan.code, plan.stderr).toBe(1);
    const applied = await provisionCli(kube, gcpArgs(ns, '--apply'), {}, as);
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
    const removed = await provisionCli(kube, ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', HOST, '--remove', '--apply'], {}, as);
    expect(removed.code, removed.stderr).toBe(0);
    // Outside that namespace the same user may do nothing: the Role, not luck, allowed it.
    const other = await bareGcp('rbac-other');
    const denied = await provisionCli(kube, gcpArgs(other), {}, as);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^milvus-l7-doctor: forbidden: cannot get \w+\/.*provision-role\.yaml \(PROVISION_FAILED\)\n$/);
  }, TEST_MS);

  test('no secret in any output: the key\'s PEM body and its base64 appear in no plan, manifest or log, unless -o yaml --include-secrets', async () => {
    const ns = await bareGcp('secrets');
    const pki = await createLabPki(join(out, `pki-${ns}`), { host: HOST, leaf: { name: HOST } });
    const keyPem = readFileSync(pki.keyFile, 'utf8');
    const [leaf = '', ...chain] = readFileSync(pki.fullchainFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
    writeFileSync(join(out, `${ns}.crt`), leaf);
    writeFileSync(join(out, `${ns}.chain`), chain.join(''));
    const args = ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', HOST, '--out-dir', out, '--cert-file', join(out, `${ns}.crt`), '--key-file', pki.keyFile, '--chain-file', join(out, `${ns}.chain`)];
    const secrets = [Buffer.from(keyPem).toString('base64').slice(0, 60), keyPem.split('\n')[1] ?? 'unreachable', Buffer.from(keyPem).toString('base64').slice(-60)];
    const runs = {
      text: await provisionCli(kube, args),
      json: await provisionCli(kube, [...args, '-o', 'json']),
      yaml: await provisionCli(kube, [...args, '-o', 'yaml']),
      apply: await provisionCli(kube, [...args, '--apply']),
      after: await provisionCli(kube, [...args, '-o', 'yaml']),
      remove: await provisionCli(kube, ['--provider', 'gcp', '-n', ns, '--release', 'my-release', '--host', HOST, '--remove', '-o', 'json']),
    };
    for (const [what, run] of Object.entries(runs)) {
      for (const s of secrets) expect(`${run.stdout}${run.stderr}`, what).not.toContain(s);
    }
    expect(runs.text.stdout).toMatch(/tls\.key: "<redacted: \d+ bytes>"/);
    expect(parsePlan(runs.json).steps.find((s) => s.id === 'certificate')?.changes[0]?.diff).toContainEqual(expect.stringMatching(/tls\.key: "<redacted: \d+ bytes>"/));
    const manifests = parseAllDocuments(runs.yaml.stdout).map((d) => d.toJS() as Obj);
    expect(manifests.map((m) => m.kind)).toEqual(['ConfigMap', 'Secret', 'BackendConfig', 'Service', 'Ingress']);
    expect(runs.yaml.stdout).toMatch(/^# Secret values are redacted/m);
    expect(runs.apply.code, runs.apply.stderr).toBe(0);
    // Everything applied: the GitOps output of a provisioned namespace is empty.
    expect(parseAllDocuments(runs.after.stdout).map((d) => d.toJS())).toEqual([]);
    // The Secret holds the real key, and --include-secrets prints it: the checks above could fail.
    const stored = await read('v1', 'Secret', ns, 'my-release-milvus-tls');
    expect(stored).toMatchObject({ data: { 'tls.key': Buffer.from(keyPem).toString('base64') } });
    const fresh = await bareGcp('secrets-included');
    const withSecrets = await provisionCli(kube, [...args.map((a) => (a === ns ? fresh : a)), '-o', 'yaml', '--include-secrets']);
    expect(withSecrets.stdout).toContain(secrets[0]);
  }, TEST_MS);
});
