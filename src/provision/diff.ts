// Comparing a live object with what a server-side apply would make of it, and showing the difference as
// YAML +/- lines. Secret material never leaves this module unredacted: every object shown goes through
// redact() first.
import { stringify } from 'yaml';
import { isRecord, type K8sObject } from '../render/object.js';

/** What changes on every write without meaning anything: a plan compares objects without them. */
const VOLATILE_METADATA = ['resourceVersion', 'managedFields', 'generation', 'creationTimestamp', 'deletionTimestamp', 'uid', 'selfLink'];

/** The object as a plan compares and shows it: no bookkeeping fields, no status (controllers own it). */
export function comparable(o: K8sObject): K8sObject {
  const metadata: Record<string, unknown> = { ...o.metadata };
  for (const k of VOLATILE_METADATA) delete metadata[k];
  const { status: _status, ...rest } = o;
  return { ...rest, metadata: metadata as K8sObject['metadata'] };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** done iff the server's answer to a dry-run apply is the live object, bookkeeping aside. */
export function sameObject(live: K8sObject, answer: K8sObject): boolean {
  return sameJson(comparable(live), comparable(answer));
}

// kubectl apply (client side) keeps the whole last object in this annotation: on a Secret, its data.
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function byteLength(value: unknown, encoding: 'base64' | 'utf8'): number {
  return typeof value === 'string' ? Buffer.from(value, encoding).length : 0;
}

/** A Secret's values as `<redacted: N bytes>`, and its last-applied annotation; other kinds unchanged. */
export function redact(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret') return o;
  const out: K8sObject = { ...o, metadata: { ...o.metadata } };
  for (const [field, encoding] of [['data', 'base64'], ['stringData', 'utf8']] as const) {
    const values = o[field];
    if (isRecord(values)) out[field] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, `<redacted: ${byteLength(v, encoding)} bytes>`]));
  }
  const annotations = o.metadata.annotations;
  if (annotations && LAST_APPLIED in annotations) out.metadata.annotations = { ...annotations, [LAST_APPLIED]: '<redacted>' };
  return out;
}

export function toYaml(o: unknown): string {
  return stringify(sortKeys(o), { lineWidth: 0 });
}

type Op = ' ' | '-' | '+';

/** A line diff (longest common subsequence): objects are tens of lines, so the quadratic table is cheap. */
export function diffLines(before: readonly string[], after: readonly string[]): { op: Op; line: string }[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: { op: Op; line: string }[] = [];
  // On a tie the old line goes first: `- old` above `+ new`, as diff and terraform print them.
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: ' ', line: before[i] });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) out.push({ op: '-', line: before[i++] });
    else out.push({ op: '+', line: after[j++] });
  }
  return out;
}

/** Unchanged runs longer than this fold into one line: the change stays readable in a big object. */
const CONTEXT = 2;

/** `-`/`+` lines between two objects (redacted), with a little context; a new object is all `+`. */
export function objectDiff(before: K8sObject | null, after: K8sObject): string[] {
  const b = before ? toYaml(comparable(redact(before))).trimEnd().split('\n') : [];
  const a = toYaml(comparable(redact(after))).trimEnd().split('\n');
  const lines = diffLines(b, a);
  const changed = lines.map((l) => l.op !== ' ');
  const near = (k: number) => changed.slice(Math.max(0, k - CONTEXT), k + CONTEXT + 1).some(Boolean);
  const out: string[] = [];
  let folded = false;
  lines.forEach((l, k) => {
    if (l.op !== ' ' || near(k)) {
      out.push(`${l.op} ${l.line}`);
      folded = false;
    } else if (!folded) {
      out.push('  …');
      folded = true;
    }
  });
  // Two Secrets that differ only in redacted values would show nothing: say that they differ.
  if (before && !out.some((l) => l.startsWith('+') || l.startsWith('-'))) out.push('~ (Secret data changes; values redacted)');
  return out;
}
