// Offline mode (--manifests PATH|-): Kubernetes objects from YAML/JSON files, a directory (recursively) or
// stdin, including `helm template` output (`# Source:` comments, `---` separators) and `kind: List` dumps
// from `kubectl get -o yaml`. The same K8sFacts shape as live mode; what only a live cluster can tell is
// `skipped` with OFFLINE_REASON, unless the files carry it (a kubectl dump can hold pods and events).
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isCollection, parseAllDocuments, visit, type Document } from 'yaml';
import { UsageError } from '../../errors.js';
import { arr, isRecord, type RawObject } from './objects.js';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export interface ManifestObject {
  readonly object: RawObject;
  readonly file: string;
}

/** Parses one YAML/JSON text; invalid YAML is a UsageError naming the file and line. */
export function parseManifestText(text: string, file: string): RawObject[] {
  // Random bytes often parse as YAML scalars; whatever they parse to, they hold no objects.
  if (/[\u0000\uFFFD]/.test(text)) throw noObjects(file, 'not text');
  // logLevel 'error': the library's warnings (e.g. about stringified keys) would reach stderr as Node
  // process warnings; what matters in them is reported as a usage error instead.
  const docs = parseAllDocuments(text, { logLevel: 'error' });
  // An empty stream (no documents at all) is not an array.
  if (!Array.isArray(docs)) return [];
  const out: RawObject[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    // Unquoted `{{ … }}` is a syntax error or a map used as a key; quoted, or inside a block scalar (a
    // ConfigMap holding Prometheus rules), it is data and passes.
    if (err || hasCollectionKey(doc)) unrenderedTemplate(text, file);
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

function hasCollectionKey(doc: Document.Parsed): boolean {
  let found = false;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function noObjects(file: string, why?: string): UsageError {
  return new UsageError(`no Kubernetes objects in ${file}${why ? ` (${why})` : ''}`, 'MANIFEST_NOT_FOUND');
}

/** A chart's source instead of its output: `{{ … }}` outside comments, named by file and line. */
function unrenderedTemplate(text: string, file: string): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*#/.test(line)) continue;
    const at = line.indexOf('{{');
    if (at >= 0 && line.indexOf('}}', at) > at) {
      const snippet = line.slice(at, line.indexOf('}}', at) + 2);
      throw new UsageError(`${file}:${i + 1}: unrendered template text ${snippet}: give the output of helm template (or kubectl get -o yaml), not the chart's source`, 'MANIFEST_INVALID_YAML');
    }
  }
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
    const objects = parseManifestText(text, '<stdin>');
    if (objects.length === 0) throw noObjects('<stdin>');
    return { objects: objects.map((object) => ({ object, file: '<stdin>' })), files: ['<stdin>'] };
  }
  const files = await listFiles(path);
  if (files.length === 0) throw new UsageError(`--manifests ${path}: no .yaml, .yml or .json files`, 'MANIFEST_NOT_FOUND');
  const objects: ManifestObject[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    const shown = f === path ? f : join(path, relative(path, f));
    for (const object of parseManifestText(text, shown)) objects.push({ object, file: shown });
  }
  if (objects.length === 0) throw noObjects(path);
  return { objects, files };
}

export interface ManifestOptions {
  readonly namespace?: string;
  readonly release?: string;
  readonly service?: string;
  readonly ingress?: string;
}
