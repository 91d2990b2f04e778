// The four patch flavours the apiserver accepts, close enough for the lab: JSON Patch (client-node's
// default for generated patch calls), JSON Merge Patch, strategic merge (lists of named items merged by
// name) and server-side apply (the same merge; field ownership and conflicts are write.ts's).

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export class PatchError extends Error {
  constructor(
    message: string,
    readonly httpCode: 400 | 415 | 422 = 422,
  ) {
    super(message);
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** RFC 7386. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const MERGE_KEYS = ['name', 'containerPort', 'port', 'type', 'conditionType', 'ip', 'host'] as const;

function mergeKeyOf(list: readonly unknown[]): string | undefined {
  if (list.length === 0 || !list.every(isObj)) return undefined;
  return MERGE_KEYS.find((k) => list.every((x) => isObj(x) && x[k] !== undefined));
}

/** Strategic merge as kubectl sees it for the kinds the lab serves: lists of keyed maps merge item by item. */
export function strategicMerge(target: unknown, patch: unknown, deleteNulls = true): unknown {
  if (Array.isArray(patch) && Array.isArray(target)) {
    const key = mergeKeyOf(patch);
    if (key && mergeKeyOf(target) === key) {
      const out = target.map((x) => clone(x));
      for (const p of patch) {
        if (!isObj(p)) continue;
        const i = out.findIndex((x) => isObj(x) && x[key] === p[key]);
        if (i >= 0) out[i] = strategicMerge(out[i], p, deleteNulls);
        else out.push(clone(p));
      }
      return out;
    }
    return clone(patch);
  }
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null && deleteNulls) delete out[k];
    else out[k] = strategicMerge(out[k], v, deleteNulls);
  }
  return out;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`, 400);
  return path.slice(1).split('/').map(unescapePointer);
}

function parentOf(doc: unknown, parts: readonly string[], path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  if (!Array.isArray(cur) && !isObj(cur)) throw new PatchError(`doc is missing path: "${path}"`);
  return { parent: cur, key: parts[parts.length - 1] };
}

function read(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  return cur;
}

function put(doc: unknown, path: string, value: unknown, mode: 'add' | 'replace'): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new PatchError(`invalid index in "${path}"`);
    if (mode === 'add') parent.splice(i, 0, clone(value));
    else parent[i] = clone(value);
  } else {
    if (mode === 'replace' && !(key in parent)) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}`);
    parent[key] = clone(value);
  }
  return doc;
}

function del(doc: unknown, path: string): unknown {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else {
    if (!(key in parent)) throw new PatchError(`remove operation does not apply: doc is missing path: "${path}"`);
    delete parent[key];
  }
  return doc;
}

/** RFC 6902. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations', 400);
  let doc = clone(target);
  for (const op of ops) {
    if (!isObj(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw new PatchError('invalid JSON patch operation', 400);
    switch (op.op) {
      case 'add':
        doc = put(doc, op.path, op.value, 'add');
        break;
      case 'replace':
        doc = put(doc, op.path, op.value, 'replace');
        break;
      case 'remove':
        doc = del(doc, op.path);
        break;
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value)) throw new PatchError(`testing value ${op.path} failed`);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw new PatchError(`${op.op} needs "from"`, 400);
        const v = read(doc, op.from);
        if (op.op === 'move') doc = del(doc, op.from);
        doc = put(doc, op.path, v, 'add');
        break;
      }
      default:
        throw new PatchError(`unknown JSON patch operation "${op.op}"`, 400);
    }
  }
  return doc;
}
