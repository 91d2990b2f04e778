// provision's Kubernetes calls: GET, server-side apply (dry run or not), list by label, delete. Each is
// one request under its own deadline; a refusal the plan must explain (409 conflict, 422 invalid) comes
// back as a value naming the fields and managers, anything else is a ProvisionError (exit 3).
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ApiException, KubernetesObjectApi, PatchStrategy, ServerConfiguration, createConfiguration, type KubernetesObject, type RequestContext,
} from '@kubernetes/client-node';
import type { LiveCluster } from '../platform/k8s/live.js';
import { isRecord, type K8sObject } from '../render/object.js';
import { ProvisionError, type ObjectRef } from './types.js';

export const FIELD_MANAGER = 'milvus-l7-doctor';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';

/** One field the server refused, and for a conflict the managers that own it. */
export interface Cause {
  readonly field: string;
  readonly message: string;
  readonly managers: readonly string[];
}

export type ApplyAnswer =
  | { readonly ok: true; readonly object: K8sObject }
  | { readonly ok: false; readonly code: 409 | 422 | 404 | 400; readonly message: string; readonly causes: readonly Cause[] };

export function refOf(o: K8sObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name };
}

export function describeRef(r: ObjectRef): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}

function plain(v: unknown): K8sObject {
  // The client's typed model turns timestamps into Dates; back to wire JSON so live and answers compare.
  const j: unknown = JSON.parse(JSON.stringify(v ?? {}));
  if (!isRecord(j) || !isRecord(j.metadata)) throw new ProvisionError('the API server answered something that is not a Kubernetes object');
  return j as K8sObject;
}

interface StatusBody {
  readonly message?: string;
  readonly details?: { readonly causes?: readonly { readonly field?: string; readonly message?: string }[] };
}

function statusBody(e: ApiException<unknown>): StatusBody {
  let body: unknown = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return {};
    }
  }
  return isRecord(body) ? (body as StatusBody) : {};
}

/** `conflict with "helm" using v1` → ['helm']: the managers a 409 names. */
export function managersIn(message: string): string[] {
  return [...message.matchAll(/"([^"]+)"/g)].map((m) => m[1]).filter((m): m is string => m !== undefined);
}

export function causesOf(body: StatusBody): Cause[] {
  return (body.details?.causes ?? []).map((c) => ({ field: c.field ?? '', message: c.message ?? '', managers: managersIn(c.message ?? '') }));
}

/** The renderer's object as the client types it: the renderer sets only these metadata fields. */
function toClient(o: K8sObject): KubernetesObject {
  const { name, namespace, labels, annotations } = o.metadata;
  return { ...o, metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

export interface KubeClient {
  get(ref: ObjectRef): Promise<K8sObject | null>;
  apply(o: K8sObject, opts: { dryRun: boolean; force: boolean }): Promise<ApplyAnswer>;
  list(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<K8sObject[]>;
  delete(ref: ObjectRef): Promise<void>;
}

/** What the user sees when a call fails: the verb, the object, the server and what it said. */
function failure(what: string, server: string, e: unknown, deadline: AbortSignal, run: AbortSignal, ms: number): ProvisionError {
  if (run.aborted) return new ProvisionError(`${what}: interrupted`, { cause: e });
  if (deadline.aborted) return new ProvisionError(`${what}: no answer from ${server} within ${ms} ms`, { cause: e });
  if (e instanceof ApiException) {
    const said = statusBody(e).message;
    if (e.code === 403) return new ProvisionError(`forbidden: cannot ${what}${said ? ` (${said})` : ''}; grant fixtures/rbac/provision-role.yaml`, { cause: e });
    if (e.code === 401) return new ProvisionError(`unauthorized: the API server rejected the credentials for ${what}`, { cause: e });
    return new ProvisionError(`${what}: HTTP ${e.code}${said ? ` (${said})` : ''}`, { cause: e });
  }
  const code = isRecord(e) && typeof e.code === 'string' ? e.code : null;
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new ProvisionError(`${what}: cannot reach the API server ${server} (${code ?? message})`, { cause: e });
}

/** A client of one cluster whose every request ends by `timeoutMs` or when `signal` aborts. */
export function kubeClient(cluster: LiveCluster, timeoutMs: number, signal: AbortSignal): KubeClient {
  // The deadline of the request in flight: the client's middleware runs inside the caller's async context.
  const current = new AsyncLocalStorage<AbortSignal>();
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: cluster.kc },
    promiseMiddleware: [
      {
        pre: async (ctx: RequestContext) => {
          const s = current.getStore();
          if (s) ctx.setSignal(s);
          return ctx;
        },
        post: async (ctx) => ctx,
      },
    ],
  });
  const api = new KubernetesObjectApi(config);

  async function bounded<T>(what: string, fn: () => Promise<T>, onError?: (e: unknown) => { readonly value: T } | null): Promise<T> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const both = AbortSignal.any([signal, deadline]);
    // 429 (priority and fairness, or a CRD's storage still initialising) says when to come back: within the deadline, do.
    for (;;) {
      try {
        return await attempt(fn, both, onError);
      } catch (e) {
        if (!(e instanceof ApiException) || e.code !== 429 || both.aborted) throw failure(what, cluster.server, e, deadline, signal, timeoutMs);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async function attempt<T>(fn: () => Promise<T>, both: AbortSignal, onError?: (e: unknown) => { readonly value: T } | null): Promise<T> {
    try {
      // The race keeps the deadline even where a client path ignores the signal (discovery, auth plugins).
      return await current.run(both, () =>
        Promise.race([
          fn(),
          new Promise<never>((_, reject) => {
            const fail = (): void => reject(new Error('aborted'));
            if (both.aborted) fail();
            else both.addEventListener('abort', fail, { once: true });
          }),
        ]),
      );
    } catch (e) {
      if (!both.aborted && onError) {
        const handled = onError(e);
        if (handled) return handled.value;
      }
      throw e;
    }
  }

  const spec = (r: ObjectRef) => ({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, namespace: r.namespace } });

  return {
    get: (ref) =>
      bounded<K8sObject | null>(`get ${describeRef(ref)}`, async () => plain(await api.read(spec(ref))), (e) =>
        e instanceof ApiException && e.code === 404 ? { value: null } : null,
      ),
    apply: (o, opts) =>
      bounded<ApplyAnswer>(
        `${opts.dryRun ? 'dry-run apply' : 'apply'} ${describeRef(refOf(o))}`,
        async () => ({ ok: true, object: plain(await api.patch(toClient(o), undefined, opts.dryRun ? 'All' : undefined, FIELD_MANAGER, opts.force || undefined, PatchStrategy.ServerSideApply)) }),
        (e) => {
          if (!(e instanceof ApiException) || ![400, 404, 409, 422].includes(e.code)) return null;
          const body = statusBody(e);
          return { value: { ok: false, code: e.code as 400 | 404 | 409 | 422, message: body.message ?? `HTTP ${e.code}`, causes: causesOf(body) } };
        },
      ),
    list: (apiVersion, kind, namespace, labelSelector) =>
      bounded(`list ${kind} in ${namespace}`, async () => {
        const l: unknown = JSON.parse(JSON.stringify(await api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector)));
        const items = isRecord(l) && Array.isArray(l.items) ? l.items : [];
        // A list's items carry no apiVersion/kind of their own.
        return items.map((i: unknown) => plain({ apiVersion, kind, ...(isRecord(i) ? i : {}) }));
      }, (e) => (e instanceof ApiException && e.code === 404 ? { value: [] } : null)),
    delete: (ref) =>
      bounded(`delete ${describeRef(ref)}`, async () => {
        await api.delete(spec(ref));
      }, // Already gone is what delete wanted.
      (e) => (e instanceof ApiException && e.code === 404 ? { value: undefined } : null)),
  };
}
