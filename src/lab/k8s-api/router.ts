// One request to the lab's Kubernetes API, from authentication to the handler that answers it:
// discovery, the proxy and portforward subresources, reads, writes. Handler errors become Status bodies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticated, authorize } from './access.js';
import type { ApiContext } from './context.js';
import { PUBLIC_PATHS, serveDiscovery } from './discovery.js';
import { serveProxy } from './proxy.js';
import { serveRead } from './read.js';
import { decodeSegments, parseResourcePath, proxyVerbOf, verbOf, type ResourceRequest } from './request.js';
import { getObject } from './store.js';
import { internalError, NOT_FOUND_PATH, sendStatus, StatusError, UNAUTHORIZED } from './status.js';
import { serveWrite } from './write.js';

function serveResource(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, r: ResourceRequest, url: URL): void | Promise<void> {
  const method = req.method ?? 'GET';
  if (r.subresource === 'proxy' && (r.res.resource === 'services' || r.res.resource === 'pods')) {
    authorize(ctx, [proxyVerbOf(method)], r);
    return serveProxy(ctx, req, res, r, url.search);
  }
  if (r.subresource === 'portforward') {
    authorize(ctx, ['get', 'create'], r);
    getObject(ctx, r.res, r.namespace, r.name ?? '');
    return sendStatus(res, { code: 400, reason: 'BadRequest', message: 'Upgrade request required' });
  }
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb = verbOf(method, r, watch);
  authorize(ctx, [verb], r);
  if (r.subresource !== undefined && r.subresource !== 'status') return sendStatus(res, NOT_FOUND_PATH);
  if (verb === 'get' || verb === 'list' || verb === 'watch') return serveRead(ctx, res, r, url.searchParams, watch);
  return serveWrite(ctx, req, res, r, url, verb);
}

function route(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): void | Promise<void> {
  const url = new URL(req.url ?? '/', 'http://lab');
  const auth = authenticated(req, ctx.token);
  if (auth !== 'ok' && !(auth === 'anonymous' && PUBLIC_PATHS.has(url.pathname))) return sendStatus(res, UNAUTHORIZED);
  const segs = decodeSegments(url.pathname);
  if (serveDiscovery(ctx, req, res, segs)) return;
  const r = parseResourcePath(ctx.resources, segs, url.pathname.endsWith('/'));
  if (!r) return sendStatus(res, NOT_FOUND_PATH);
  return serveResource(ctx, req, res, r, url);
}

/** The http(s) request listener of the API server. */
export function apiRequestListener(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const fail = (e: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendStatus(res, e instanceof StatusError ? e.status : internalError(e));
    };
    try {
      const pending = route(ctx, req, res);
      if (pending) pending.catch(fail);
    } catch (e) {
      fail(e);
    }
  };
}
