// Who may do what: the bearer token of the kubeconfig the lab wrote, and an RBAC emulation that denies the
// (verb, resource) pairs a test names, with the apiserver's own Forbidden wording.

import type { IncomingMessage } from 'node:http';
import type { ApiContext } from './context.js';
import type { ResourceRequest } from './request.js';
import { qualifiedResource, type ApiResource } from './resources.js';
import { StatusError } from './status.js';

export function authenticated(req: IncomingMessage, token: string): 'ok' | 'anonymous' | 'invalid' {
  const h = req.headers.authorization;
  if (h === undefined) return 'anonymous';
  return h === `Bearer ${token}` ? 'ok' : 'invalid';
}

function isForbidden(ctx: ApiContext, verb: string, res: ApiResource, sub?: string): boolean {
  const names = sub ? [`${res.resource}/${sub}`, `${qualifiedResource(res)}/${sub}`] : [res.resource, qualifiedResource(res)];
  return ctx.forbidden.some((f) => (f.verb === verb || f.verb === '*') && (names.includes(f.resource) || f.resource === '*'));
}

function forbiddenError(ctx: ApiContext, verb: string, r: Pick<ResourceRequest, 'res' | 'namespace' | 'name' | 'subresource'>): StatusError {
  const resName = r.subresource ? `${r.res.resource}/${r.subresource}` : r.res.resource;
  const subject = r.name !== undefined ? `${qualifiedResource(r.res)} "${r.name}"` : qualifiedResource(r.res);
  const scope = r.namespace !== undefined ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  return new StatusError({
    code: 403,
    reason: 'Forbidden',
    message: `${subject} is forbidden: User "${ctx.user}" cannot ${verb} resource "${resName}" in API group "${r.res.group}" ${scope}`,
    details: { ...(r.name !== undefined ? { name: r.name } : {}), ...(r.res.group ? { group: r.res.group } : {}), kind: r.res.resource },
  });
}

/** Throws the 403 of the first verb denied. */
export function authorize(ctx: ApiContext, verbs: readonly string[], r: ResourceRequest): void {
  for (const verb of verbs) if (isForbidden(ctx, verb, r.res, r.subresource)) throw forbiddenError(ctx, verb, r);
}
