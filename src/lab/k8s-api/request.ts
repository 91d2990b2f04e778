// A resource URL taken apart: /api/v1/… or /apis/<group>/<version>/…, with the namespace, name and
// subresource, checked against the API's resource table.

import { findResource, type ApiResource } from './resources.js';

export interface ResourceRequest {
  readonly res: ApiResource;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  /** Path segments after the subresource (the proxied path). */
  readonly rest: readonly string[];
  readonly trailingSlash: boolean;
}

export function decodeSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
}

export function parseResourcePath(resources: readonly ApiResource[], segs: readonly string[], trailingSlash: boolean): ResourceRequest | undefined {
  let group: string;
  let version: string;
  let rest: readonly string[];
  if (segs[0] === 'api' && segs[1] === 'v1') {
    group = '';
    version = 'v1';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 3) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  if (rest.length === 0) return undefined;
  let ns: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    ns = rest[1];
    rest = rest.slice(2);
  }
  const res = findResource(resources, group, version, rest[0]);
  if (!res) return undefined;
  if (ns !== undefined && !res.namespaced) return undefined;
  if (ns === undefined && res.namespaced && rest.length > 1) return undefined;
  return { res, namespace: ns, name: rest[1], subresource: rest[2], rest: rest.slice(3), trailingSlash };
}

const VERB_BY_METHOD: Readonly<Record<string, string>> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The RBAC verb of a request on a resource: a GET is get, list or watch; a DELETE without a name deletecollection. */
export function verbOf(method: string, r: ResourceRequest, watch: boolean): string {
  if (method === 'GET' || method === 'HEAD') return r.name === undefined ? (watch ? 'watch' : 'list') : 'get';
  if (method === 'DELETE' && r.name === undefined) return 'deletecollection';
  return VERB_BY_METHOD[method] ?? method.toLowerCase();
}

/** The verb of a proxy subresource request: the method's own, never list or watch. */
export function proxyVerbOf(method: string): string {
  return VERB_BY_METHOD[method] ?? 'get';
}
