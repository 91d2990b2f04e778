// labelSelector and fieldSelector as the apiserver parses them: equality, inequality and set-based
// label requirements; field selectors only on the fields each kind supports (others are a 400, as in
// the real apiserver, so a reader that relies on an unsupported field fails here too).

export class SelectorError extends Error {
  readonly code = 'K8S_LAB_BAD_SELECTOR';
}

type LabelRequirement =
  | { readonly key: string; readonly op: 'exists' | '!exists' }
  | { readonly key: string; readonly op: '=' | '!='; readonly value: string }
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] };

export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value) || value.length > 63) throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${whole}"`);
  return value;
}

function parseLabelRequirement(req: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(req);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(v.trim(), req));
    return { key: checkKey(set[1], req), op: set[2] === 'in' ? 'in' : 'notin', values };
  }
  const ne = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(req);
  if (ne) return { key: checkKey(ne[1], req), op: '!=', value: checkValue(ne[2].trim(), req) };
  const eq = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(req);
  if (eq) return { key: checkKey(eq[1], req), op: '=', value: checkValue(eq[2].trim(), req) };
  if (req.startsWith('!')) return { key: checkKey(req.slice(1).trim(), req), op: '!exists' };
  return { key: checkKey(req, req), op: 'exists' };
}

export function parseLabelSelector(selector: string): LabelMatcher {
  const reqs = splitTopLevel(selector).map(parseLabelRequirement);
  return (labels) =>
    reqs.every((r) => {
      const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = has && labels ? labels[r.key] : undefined;
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case '=':
          return v === r.value;
        case '!=':
          return v !== r.value;
        case 'in':
          return v !== undefined && r.values.includes(v);
        case 'notin':
          return v === undefined || !r.values.includes(v);
      }
    });
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'] as const;

/** Field selectors each kind accepts (from the apiserver's field label conversion funcs). */
const FIELDS_BY_KIND: Readonly<Record<string, readonly string[]>> = {
  Event: [
    'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
    'reason', 'reportingComponent', 'source', 'type',
  ],
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Secret: ['type'],
  Namespace: ['status.phase'],
};

/** Event's `source` selects on source.component; every other field is its dotted path. */
const FIELD_PATH_ALIASES: Readonly<Record<string, string>> = { source: 'source.component' };

export type ObjectMatcher = (obj: unknown) => boolean;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function dig(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isRecord(cur)) return '';
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

export function parseFieldSelector(selector: string, kind: string): ObjectMatcher {
  const allowed = new Set<string>([...COMMON_FIELDS, ...(FIELDS_BY_KIND[kind] ?? [])]);
  const reqs = splitTopLevel(selector).map((req) => {
    const m = /^([^!=\s]+)\s*(!=|==|=)\s*(.*)$/.exec(req);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${req}'`);
    if (!allowed.has(m[1])) throw new SelectorError(`field label not supported: ${m[1]}`);
    return { path: FIELD_PATH_ALIASES[m[1]] ?? m[1], negate: m[2] === '!=', value: m[3].trim() };
  });
  return (obj) => reqs.every((r) => (dig(obj, r.path) === r.value) !== r.negate);
}
