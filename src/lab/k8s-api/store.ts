// The world's objects as API resources: which objects a resource URL names, list filtering by selectors,
// and storing a write the way the apiserver does (uid, creation time, generation, resourceVersion).

import { randomUUID } from 'node:crypto';
import type { K8sObject } from '../../render/object.js';
import { nextResourceVersion, putObject } from '../world.js';
import type { ApiContext } from './context.js';
import type { ResourceRequest } from './request.js';
import { findResourceByKind, type ApiResource } from './resources.js';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';
import { notFoundObject, StatusError } from './status.js';

export function objectsOf(ctx: ApiContext, res: ApiResource, ns?: string): K8sObject[] {
  return ctx.world.objects.filter((o) => findResourceByKind(ctx.resources, o.apiVersion, o.kind) === res && (ns === undefined || o.metadata.namespace === ns));
}

export function findStored(ctx: ApiContext, res: ApiResource, ns: string | undefined, name: string): K8sObject | undefined {
  return objectsOf(ctx, res, ns).find((x) => x.metadata.name === name);
}

export function getObject(ctx: ApiContext, res: ApiResource, ns: string | undefined, name: string): K8sObject {
  const o = findStored(ctx, res, ns, name);
  if (!o) throw notFoundObject(res, name);
  return o;
}

/** The objects of a list or watch, filtered by the query's label and field selectors. */
export function listObjects(ctx: ApiContext, r: ResourceRequest, query: URLSearchParams): K8sObject[] {
  let items = objectsOf(ctx, r.res, r.namespace);
  try {
    const ls = query.get('labelSelector');
    if (ls) {
      const m = parseLabelSelector(ls);
      items = items.filter((o) => m(o.metadata.labels));
    }
    const fs = query.get('fieldSelector');
    if (fs) {
      const m = parseFieldSelector(fs, r.res.kind);
      items = items.filter((o) => m(o));
    }
  } catch (e) {
    if (e instanceof SelectorError) throw new StatusError({ code: 400, reason: 'BadRequest', message: e.message });
    throw e;
  }
  return items;
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Stores `next` in place of `prev` (or as new) and returns what was stored. The generation counts spec
 * changes only; dryRun answers the same and stores nothing.
 */
export function storeObject(ctx: ApiContext, next: K8sObject, prev: K8sObject | undefined, dryRun: boolean): K8sObject {
  const stored: K8sObject = structuredClone(next);
  stored.metadata.uid = prev?.metadata.uid ?? randomUUID();
  stored.metadata.creationTimestamp = prev?.metadata.creationTimestamp ?? nowSeconds();
  const specChanged = prev !== undefined && JSON.stringify(prev.spec) !== JSON.stringify(stored.spec);
  const generation = typeof prev?.metadata.generation === 'number' ? prev.metadata.generation : 1;
  stored.metadata.generation = specChanged ? generation + 1 : generation;
  stored.metadata.resourceVersion = nextResourceVersion(ctx.world);
  if (!dryRun) putObject(ctx.world, stored, prev);
  return stored;
}
