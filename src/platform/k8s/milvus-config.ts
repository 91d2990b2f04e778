// The release ConfigMap's YAML files reduced to the settings the checks judge. The chart renders
// default.yaml (older charts: milvus.yaml) and one key per `extraConfigFiles` entry (user.yaml), which
// Milvus reads after the base file, so user.yaml wins. Only the two settings are kept: the files hold
// storage credentials that must never reach a report.
import { parse } from 'yaml';
import { isRecord, num, bool, rec, str } from './objects.js';
import type { MilvusConfigFact } from './types.js';

const BASE_FILES = ['milvus.yaml', 'default.yaml'];
const OVERRIDE_FILES = ['user.yaml'];

function security(doc: unknown): Record<string, unknown> {
  return rec(rec(rec(doc).common).security);
}

export function parseMilvusConfig(configMap: string, data: Readonly<Record<string, string>>): MilvusConfigFact {
  const files = Object.keys(data).sort();
  const order = [...BASE_FILES, ...OVERRIDE_FILES].filter((f) => f in data);
  const parseErrors: string[] = [];
  let tlsMode: number | null = null;
  let tlsModeFrom: string | null = null;
  let authorizationEnabled: boolean | null = null;
  let authorizationFrom: string | null = null;
  const tlsPaths: Record<string, string> = {};
  for (const file of order) {
    let doc: unknown;
    try {
      doc = parse(data[file]);
    } catch (e) {
      parseErrors.push(`${file}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
      continue;
    }
    if (!isRecord(doc)) continue;
    const sec = security(doc);
    const mode = num(sec.tlsMode);
    if (mode !== null) {
      tlsMode = mode;
      tlsModeFrom = file;
    }
    const auth = bool(sec.authorizationEnabled);
    if (auth !== null) {
      authorizationEnabled = auth;
      authorizationFrom = file;
    }
    for (const k of ['serverPemPath', 'serverKeyPath', 'caPemPath']) {
      const v = str(rec(doc.tls)[k]);
      if (v) tlsPaths[k] = v;
    }
  }
  return { configMap, files, tlsMode, tlsModeFrom, authorizationEnabled, authorizationFrom, tlsPaths, parseErrors };
}

/** "Not all components are healthy, 3/5" (or "registered"), or the JSON form; null when absent. */
export function parseHealthzCounts(body: string): { ready: number | null; total: number | null } {
  const m = /(\d+)\s*\/\s*(\d+)/.exec(body);
  if (m) return { ready: Number(m[1]), total: Number(m[2]) };
  try {
    const j: unknown = JSON.parse(body);
    const states = Object.values(rec(rec(j).detail ?? j));
    if (states.length > 0 && states.every((s) => typeof s === 'string' || typeof s === 'boolean')) {
      const ready = states.filter((s) => s === true || s === 'Healthy' || s === 'OK').length;
      return { ready, total: states.length };
    }
  } catch {
    // not JSON: no counts
  }
  return { ready: null, total: null };
}
