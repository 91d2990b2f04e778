// What provision's end-to-end tests share: the built CLI against P1's real kube-apiserver, an admin
// client to set the scene as Helm or another tool would (server-side apply with their own manager), and
// the objects' resourceVersions to prove that a plan writes nothing.
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RealKube } from '../kits/kube-apiserver.js';
import { runCli, type CliRun } from './cli.js';

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function adminApi(kube: RealKube): KubernetesObjectApi {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  return KubernetesObjectApi.makeApiClient(kc);
}

/** Server-side apply as `manager` would (helm, a controller, kubectl): the scene a test starts from. */
export function applyAs(api: KubernetesObjectApi, o: Obj, manager: string): Promise<KubernetesObject> {
  return api.patch(o, undefined, undefined, manager, true, PatchStrategy.ServerSideApply);
}

let namespaces = 0;
/** A fresh namespace per test: the apiserver has no controller to empty a deleted one. */
export async function freshNamespace(api: KubernetesObjectApi, prefix: string): Promise<string> {
  const name = `${prefix}-${++namespaces}-${process.pid}`;
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** Milvus's proxy Service as milvus-helm renders it (helm: true) or as another tool left it. */
export function milvusService(ns: string, name: string, o: { type?: string; helm?: boolean; portName?: string } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      labels: { 'app.kubernetes.io/instance': 'my-release', 'app.kubernetes.io/name': 'milvus', component: 'proxy', ...(o.helm ? { 'app.kubernetes.io/managed-by': 'Helm' } : {}) },
      ...(o.helm ? { annotations: { 'meta.helm.sh/release-name': 'my-release', 'meta.helm.sh/release-namespace': ns } } : {}),
    },
    spec: {
      type: o.type ?? 'ClusterIP',
      ports: [
        { name: o.portName ?? 'milvus', port: 19530, protocol: 'TCP', targetPort: 19530 },
        { name: 'metrics', port: 9091, protocol: 'TCP', targetPort: 9091 },
      ],
      selector: { 'app.kubernetes.io/instance': 'my-release', 'app.kubernetes.io/name': 'milvus', component: 'proxy' },
    },
  };
}

/** The built CLI's provision, as the admin unless `kubeconfig` names another user's. */
export function provisionCli(kube: RealKube, args: readonly string[], env: NodeJS.ProcessEnv = {}, kubeconfig = kube.kubeconfigPath): Promise<CliRun> {
  return runCli(['provision', '--kubeconfig', kubeconfig, ...args], { env, timeoutMs: 180_000 });
}

/** Kind/name → resourceVersion of everything provision may touch in the namespace. */
export async function versions(api: KubernetesObjectApi, ns: string, kinds: readonly [string, string][]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [apiVersion, kind] of kinds) {
    const list = await retry429(() => api.list(apiVersion, kind, ns));
    for (const item of list.items) out[`${kind}/${item.metadata?.name ?? ''}`] = item.metadata?.resourceVersion ?? '';
  }
  return out;
}

export interface JsonPlan {
  provider: string;
  steps: { id: string; title: string; state: string; layer: string; expected: string; observed: string; fix: string | null; changes: { action: string; target: string; diff: string[]; command?: string; valuesFile?: string; takesOver?: { field: string; managers: string[] }[] }[] }[];
}

const validatePlan = (() => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  return ajv.compile(JSON.parse(readFileSync(new URL('../../schema/provision-plan.schema.json', import.meta.url), 'utf8')) as object);
})();

/** stdout of `provision -o json`, checked against schema/provision-plan.schema.json every time. */
export function parsePlan(run: CliRun): JsonPlan {
  let plan: unknown;
  try {
    plan = JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not a JSON plan (exit ${run.code}):\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr.slice(0, 2000)}`);
  }
  if (!validatePlan(plan)) throw new Error(`the plan does not match schema/provision-plan.schema.json: ${JSON.stringify(validatePlan.errors)}`);
  return plan as JsonPlan;
}

export function states(plan: JsonPlan): Record<string, string> {
  return Object.fromEntries(plan.steps.map((s) => [s.id, s.state]));
}

/** A CRD's storage may still be (re)initialising right after the apiserver is up: 429 with Retry-After. */
async function retry429<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiException) || e.code !== 429 || attempt >= 30) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
