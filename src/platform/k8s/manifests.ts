// Offline mode (--manifests PATH|-): Kubernetes objects from YAML/JSON files, a directory (recursively) or
// stdin, including `helm template` output (`# Source:` comments, `---` separators) and `kind: List` dumps
// from `kubectl get -o yaml`. The same K8sFacts shape as live mode; what only a live cluster can tell is
// `skipped` with OFFLINE_REASON, unless the files carry it (a kubectl dump can hold pods and events).
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../errors.js';
import { arr, isRecord, type RawObject } from './objects.js';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export interface ManifestObject {
  readonly object: RawObject;
  readonly file: string;
}

/** Parses one YAML/JSON text; invalid YAML is a UsageError naming the file and line. */
export function parseManifestText(text: string, file: string): RawObject[] {
  const docs = parseAllDocuments(text);
  // An empty stream (no documents at all) is not an array.
  if (!Array.isArray(docs)) return [];
  const out: RawObject[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
      const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new UsageError(`${where}: invalid YAML: ${what}`, 'MANIFEST_INVALID_YAML');
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    flatten(value, out);
  }
  return out;
}

function flatten(value: unknown, out: RawObject[]): void {
  if (!isRecord(value)) return;
  const kind = typeof value.kind === 'string' ? value.kind : '';
  if (kind.endsWith('List') && Array.isArray(value.items)) {
    const itemKind = kind === 'List' ? null : kind.slice(0, -'List'.length);
    for (const item of arr(value.items)) {
      if (isRecord(item) && itemKind !== null && typeof item.kind !== 'string') flatten({ ...item, kind: itemKind }, out);
      else flatten(item, out);
    }
    return;
  }
  if (kind !== '') out.push(value);
}

async function listFiles(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new UsageError(`--manifests ${path}: no such file or directory`, 'MANIFEST_NOT_FOUND');
  }
  if (st.isFile()) return [path];
  if (!st.isDirectory()) throw new UsageError(`--manifests ${path}: not a file or directory`, 'MANIFEST_NOT_FOUND');
  const out: string[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile() && MANIFEST_EXT.test(e.name)) out.push(p);
  }
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readManifests(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<{ objects: ManifestObject[]; files: string[] }> {
  if (path === '-') {
    const text = await readAll(stdin);
    return { objects: parseManifestText(text, '<stdin>').map((object) => ({ object, file: '<stdin>' })), files: ['<stdin>'] };
  }
  const files = await listFiles(path);
  if (files.length === 0) throw new UsageError(`--manifests ${path}: no .yaml, .yml or .json files`, 'MANIFEST_NOT_FOUND');
  const objects: ManifestObject[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    const shown = f === path ? f : join(path, relative(path, f));
    for (const object of parseManifestText(text, shown)) objects.push({ object, file: shown });
  }
  return { objects, files };
}

export interface ManifestOptions {
  readonly namespace?: string;
  readonly release?: string;
  readonly service?: string;
  readonly ingress?: string;
}
