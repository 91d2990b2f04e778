// Writes, as `provision --apply` and kubectl make them: create, update (main resource or status), delete,
// and the four patch types including server-side apply; dryRun=All answers without storing.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { isRecord, type K8sObject } from '../../render/object.js';
import { removeObject } from '../world.js';
import type { ApiContext } from './context.js';
import { jsonPatch, mergePatch, PATCH_TYPES, PatchError, strategicMerge } from './patch.js';
import type { ResourceRequest } from './request.js';
import { groupVersion } from './resources.js';
import { findStored, getObject, storeObject } from './store.js';
import { alreadyExists, badRequest, deletedBody, notFoundObject, sendJson, sendStatus, StatusError } from './status.js';

const MAX_BODY = 3 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('request entity too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string, yamlAllowed: boolean): unknown {
  try {
    return yamlAllowed ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The object a write stores: kind and apiVersion of the resource, the URL's namespace and name. */
function checkedObject(v: unknown, r: ResourceRequest, name: string | undefined): K8sObject {
  if (!isRecord(v) || !isRecord(v.metadata)) throw badRequest('Object \'metadata\' is missing in the request body');
  const kind = v.kind ?? r.res.kind;
  const apiVersion = v.apiVersion ?? groupVersion(r.res);
  if (kind !== r.res.kind || apiVersion !== groupVersion(r.res)) {
    throw badRequest(`the API version in the data (${String(apiVersion)}) and kind (${String(kind)}) do not match the request (${groupVersion(r.res)}, ${r.res.kind})`);
  }
  const meta = { ...v.metadata };
  if (r.namespace !== undefined) {
    if (meta.namespace !== undefined && meta.namespace !== r.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = r.namespace;
  }
  if (name !== undefined) {
    if (meta.name !== undefined && meta.name !== name) throw badRequest('the name of the object (' + String(meta.name) + ') does not match the name on the URL (' + name + ')');
    meta.name = name;
  }
  if (typeof meta.name !== 'string' && typeof meta.generateName === 'string') meta.name = meta.generateName + randomBytes(3).toString('hex').slice(0, 5);
  if (typeof meta.name !== 'string' || meta.name === '') throw new StatusError({ code: 422, reason: 'Invalid', message: `${r.res.kind} "" is invalid: metadata.name: Required value: name or generateName is required` });
  const metadata = { ...meta, name: meta.name };
  return { ...v, apiVersion: groupVersion(r.res), kind: r.res.kind, metadata };
}

function unsupportedMediaType(accepted: readonly string[]): StatusError {
  return new StatusError({ code: 415, reason: 'UnsupportedMediaType', message: `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}` });
}

/** The patched object, before it is checked like any other write. */
function patched(contentType: string, text: string, r: ResourceRequest, name: string, prev: K8sObject | undefined, url: URL): unknown {
  const existing = (): K8sObject => {
    if (!prev) throw notFoundObject(r.res, name);
    return prev;
  };
  try {
    switch (contentType) {
      case PATCH_TYPES.apply: {
        if (!url.searchParams.get('fieldManager')) throw badRequest('PATCH requests with apply-patch+yaml require a fieldManager');
        const body = checkedObject(parseBody(text, true), r, name);
        return prev ? strategicMerge(prev, body, false) : body;
      }
      case PATCH_TYPES.json:
        return jsonPatch(existing(), parseBody(text, false));
      case PATCH_TYPES.merge:
        return mergePatch(existing(), parseBody(text, false));
      case PATCH_TYPES.strategic:
        existing();
        // CRDs have no patch strategy metadata, so the apiserver refuses a strategic merge on them.
        if (r.res.custom) throw unsupportedMediaType([PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply]);
        return strategicMerge(existing(), parseBody(text, false));
      default:
        throw unsupportedMediaType(Object.values(PATCH_TYPES));
    }
  } catch (e) {
    if (e instanceof PatchError) throw new StatusError({ code: e.httpCode, reason: e.httpCode === 422 ? 'Invalid' : e.httpCode === 415 ? 'UnsupportedMediaType' : 'BadRequest', message: e.message });
    throw e;
  }
}

/** The field set of an applied object as FieldsV1 records it: maps by `f:` key, anything else a leaf. */
function fieldsV1(v: unknown): Record<string, unknown> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'status').map(([k, x]) => [`f:${k}`, isRecord(x) ? fieldsV1(x) : {}]));
}

type FieldPath = readonly string[];

/** The leaf fields of a FieldsV1 set (a list counts as one field: the lab tracks no list items). */
function leafPaths(set: Record<string, unknown>, prefix: FieldPath = []): FieldPath[] {
  return Object.entries(set).flatMap(([k, v]) => {
    const path = [...prefix, k.slice(2)];
    return isRecord(v) && Object.keys(v).length > 0 ? leafPaths(v, path) : [path];
  });
}

/** Whether a manager's set holds `path` (or a field above it that it owns whole). */
function owns(set: unknown, path: FieldPath): boolean {
  let node = set;
  for (const key of path) {
    if (!isRecord(node)) return false;
    if (Object.keys(node).length === 0) return true;
    node = node[`f:${key}`];
  }
  return isRecord(node);
}

function disown(set: unknown, path: FieldPath): void {
  let node = set;
  for (const key of path.slice(0, -1)) node = isRecord(node) ? node[`f:${key}`] : undefined;
  if (isRecord(node)) delete node[`f:${path[path.length - 1]}`];
}

/** JSON with map keys sorted: the same value however its writer ordered the keys. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

function valueAt(o: unknown, path: FieldPath): unknown {
  let node = o;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  return node;
}

/**
 * Server-side apply's conflicts: a field the applier sets to another value than the object has, owned by
 * another manager. Without force the apply is refused (409, each field and its manager, as the apiserver
 * words it); with force the applier takes the fields over.
 */
function checkConflicts(prev: K8sObject | undefined, applied: unknown, manager: string, force: boolean): void {
  const entries = Array.isArray(prev?.metadata.managedFields) ? (prev.metadata.managedFields as unknown[]).filter(isRecord) : [];
  const found: { field: string; manager: string; apiVersion: string }[] = [];
  for (const path of leafPaths(fieldsV1(applied))) {
    if (canonical(valueAt(prev, path)) === canonical(valueAt(applied, path))) continue;
    for (const m of entries) {
      if (m.manager === manager || !owns(m.fieldsV1, path)) continue;
      if (force) disown(m.fieldsV1, path);
      else found.push({ field: `.${path.join('.')}`, manager: String(m.manager), apiVersion: String(m.apiVersion) });
    }
  }
  if (found.length === 0) return;
  const causes = found.map((c) => ({ type: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field }));
  throw new StatusError({
    code: 409,
    reason: 'Conflict',
    message: `Apply failed with ${found.length} conflict${found.length > 1 ? 's' : ''}: ${causes.map((c) => `${c.message}: ${c.field}`).join('\n')}`,
    details: { causes },
  });
}

/**
 * Records who wrote, as metadata.managedFields does (one entry per manager and operation): each manager's
 * fields, which server-side apply's conflicts are judged against (checkConflicts).
 */
function withManager(obj: K8sObject, prev: K8sObject | undefined, manager: string | null, operation: 'Apply' | 'Update', applied: unknown): K8sObject {
  const before = Array.isArray(prev?.metadata.managedFields) ? (prev.metadata.managedFields as unknown[]) : [];
  if (manager === null) return { ...obj, metadata: { ...obj.metadata, managedFields: before } };
  const others = before.filter((m) => !(isRecord(m) && m.manager === manager && m.operation === operation));
  const entry = { manager, operation, apiVersion: obj.apiVersion, time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1: fieldsV1(applied) };
  return { ...obj, metadata: { ...obj.metadata, managedFields: [...others, entry] } };
}

export async function serveWrite(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, r: ResourceRequest, url: URL, verb: string): Promise<void> {
  const dryRun = url.searchParams.getAll('dryRun').includes('All');
  if (verb === 'deletecollection') return sendStatus(res, { code: 405, reason: 'MethodNotAllowed', message: 'the lab does not delete collections' });
  if (verb === 'delete') {
    const prev = getObject(ctx, r.res, r.namespace, r.name ?? '');
    if (!dryRun) removeObject(ctx.world, prev);
    return sendJson(res, 200, deletedBody(r.res, prev.metadata.name, prev.metadata.uid));
  }
  const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0].trim();
  const text = await readBody(req);
  if (verb === 'create') {
    const obj = checkedObject(parseBody(text, contentType.includes('yaml')), r, undefined);
    if (findStored(ctx, r.res, r.namespace, obj.metadata.name)) throw alreadyExists(r.res, obj.metadata.name);
    return sendJson(res, 201, storeObject(ctx, withManager(obj, undefined, url.searchParams.get('fieldManager'), 'Update', obj), undefined, dryRun));
  }
  const name = r.name ?? '';
  const prev = findStored(ctx, r.res, r.namespace, name);
  if (verb === 'update') {
    if (!prev) throw notFoundObject(r.res, name);
    const obj = checkedObject(parseBody(text, contentType.includes('yaml')), r, name);
    // The status subresource replaces only status; the main resource keeps status.
    const next = r.subresource === 'status' ? { ...prev, status: obj.status } : { ...obj, status: prev.status };
    return sendJson(res, 200, storeObject(ctx, withManager(next, prev, url.searchParams.get('fieldManager'), 'Update', obj), prev, dryRun));
  }
  const obj = checkedObject(patched(contentType, text, r, name, prev, url), r, name);
  const apply = contentType === PATCH_TYPES.apply;
  const applied: unknown = apply ? parseBody(text, true) : obj;
  // A copy: force takes fields over in the managers' record, which only a stored write keeps.
  const owners = prev ? structuredClone(prev) : undefined;
  if (apply) checkConflicts(owners, applied, url.searchParams.get('fieldManager') ?? '', url.searchParams.get('force') === 'true');
  return sendJson(res, prev ? 200 : 201, storeObject(ctx, withManager(obj, owners, url.searchParams.get('fieldManager'), apply ? 'Apply' : 'Update', applied), prev, dryRun));
}
