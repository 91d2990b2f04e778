// GET of one object, LIST with selectors, and a minimal WATCH: the current objects as ADDED events on a
// stream that stays open until the client or stop() ends it.

import type { ServerResponse } from 'node:http';
import type { K8sObject } from '../../render/object.js';
import { resourceVersionNow } from '../world.js';
import type { ApiContext } from './context.js';
import type { ResourceRequest } from './request.js';
import { groupVersion } from './resources.js';
import { getObject, listObjects } from './store.js';
import { sendJson } from './status.js';

function stripTypeMeta(o: K8sObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export function serveRead(ctx: ApiContext, res: ServerResponse, r: ResourceRequest, query: URLSearchParams, watch: boolean): void {
  if (r.name !== undefined) return sendJson(res, 200, getObject(ctx, r.res, r.namespace, r.name));
  const items = listObjects(ctx, r, query);
  if (watch) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    for (const o of items) res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
    ctx.watches.add(res);
    res.on('close', () => ctx.watches.delete(res));
    return;
  }
  sendJson(res, 200, {
    kind: `${r.res.kind}List`,
    apiVersion: groupVersion(r.res),
    metadata: { resourceVersion: resourceVersionNow(ctx.world) },
    // Built-in lists drop each item's kind and apiVersion; CRD lists keep them, as the real apiserver does.
    items: r.res.custom ? items : items.map(stripTypeMeta),
  });
}
