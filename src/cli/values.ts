// Parsers for option values. Each throws UsageError with one line that names the option.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { AREAS } from '../model.js';
import { CATALOG } from '../catalog.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "5s", "500ms", "2m", "1h30m"; a bare number is seconds. */
export function parseDuration(option: string, raw: string): number {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`${option} ${JSON.stringify(raw)}: not a duration (examples: 5s, 500ms, 2m)`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]], 0);
  if (ms <= 0) throw new UsageError(`${option} ${JSON.stringify(raw)}: must be more than zero`);
  return Math.round(ms);
}

export function parsePort(option: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${option} ${JSON.stringify(raw)}: not a port number (1-65535)`);
  const n = Number(raw);
  if (n < 1 || n > 65535) throw new UsageError(`${option} ${raw}: out of range (1-65535)`);
  return n;
}

export function parseWholeNumber(option: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${option} ${JSON.stringify(raw)}: not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`${option} ${raw}: out of range (${min}-${max})`);
  return n;
}

/** A DNS name or an IP literal; rejects URLs and ports, which users often paste. */
export function parseHostName(option: string, raw: string): string {
  const text = raw.trim();
  if (isIP(text)) return text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new UsageError(`${option} ${JSON.stringify(raw)}: give a host name, not a URL`);
  if (text.includes(':')) throw new UsageError(`${option} ${JSON.stringify(raw)}: give the port with --port, not in the host`);
  if (text.length > 253 || !/^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i.test(text)) {
    throw new UsageError(`${option} ${JSON.stringify(raw)}: not a valid host name`);
  }
  return text.replace(/\.$/, '').toLowerCase();
}

/** "127.0.0.1", "127.0.0.1:5353" or "[::1]:53". */
export function parseDnsServer(option: string, raw: string): string {
  const text = raw.trim();
  const m = /^(?:\[([0-9a-f:]+)\]|([0-9.]+))(?::(\d+))?$/i.exec(text);
  const ip = m?.[1] ?? m?.[2];
  if (!m || !ip || !isIP(ip)) throw new UsageError(`${option} ${JSON.stringify(raw)}: give an IP address, optionally with :port`);
  if (m[3]) parsePort(option, m[3]);
  return text;
}

export function parseUrl(option: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${option} ${JSON.stringify(raw)}: not a URL (example: http://10.0.0.5:9091/healthz)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} ${raw}: only http:// and https:// URLs`);
  return url.toString();
}

/** An AWS region name: us-east-2, eu-central-1, us-gov-west-1, cn-north-1. */
export function parseAwsRegion(option: string, raw: string): string {
  const text = raw.trim();
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(text)) throw new UsageError(`${option} ${JSON.stringify(raw)}: not an AWS region (example: us-east-2)`);
  return text;
}

/** A GCP project id: 6-30 lowercase letters, digits and hyphens, starting with a letter. */
export function parseGcpProject(option: string, raw: string): string {
  const text = raw.trim();
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(text)) throw new UsageError(`${option} ${JSON.stringify(raw)}: not a GCP project id (example: milvus-testing-nonprod)`);
  return text;
}

/** An API endpoint: http(s)://host[:port], no path beyond /; scheme, host and port are all taken from it. */
export function parseEndpointUrl(option: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${option} ${JSON.stringify(raw)}: not a URL (example: http://127.0.0.1:8089)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} ${raw}: only http:// and https:// endpoints`);
  if (url.pathname !== '/' || url.search || url.hash || url.username) throw new UsageError(`${option} ${raw}: give scheme, host and port only`);
  return url.origin;
}

/** Reads a PEM bundle; every certificate must parse. Returns the PEM blocks. */
export function readCaFile(option: string, file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new UsageError(`${option} ${file}: cannot read the file (${code})`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`${option} ${file}: no PEM certificate in the file`);
  blocks.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new UsageError(`${option} ${file}: certificate #${i + 1} does not parse`);
    }
  });
  return blocks;
}

/**
 * --only / --skip: areas, check ids, or id prefixes with a trailing `*` (`tls.*`), comma separated
 * or repeated. Returns the matching check ids; an entry that matches nothing is a usage error.
 */
export function resolveSelectors(option: string, entries: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const entry of entries.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean)) {
    const matches = CATALOG.filter((c) =>
      (AREAS as readonly string[]).includes(entry) ? c.area === entry : entry.endsWith('*') ? c.id.startsWith(entry.slice(0, -1)) : c.id === entry,
    );
    if (matches.length === 0) {
      const near = closest(entry, [...AREAS, ...CATALOG.map((c) => c.id)]);
      const hint = near.length ? `did you mean ${near.join(' or ')}? ` : '';
      throw new UsageError(`${option} ${JSON.stringify(entry)}: no such check or area (${hint}areas: ${AREAS.join(', ')}; ids: milvus-l7-doctor explain --list)`);
    }
    for (const m of matches) ids.add(m.id);
  }
  return ids;
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps: `exlpain` is one edit from `explain`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidates closest to a mistyped word, as commander judges it: within 40 % of the word's length. */
export function closest(word: string, candidates: readonly string[]): string[] {
  let best = Infinity;
  let found: string[] = [];
  for (const c of new Set(candidates)) {
    const distance = editDistance(word, c);
    if (distance > Math.max(1, Math.floor(c.length * 0.4)) || distance > best) continue;
    if (distance < best) found = [];
    best = distance;
    found.push(c);
  }
  return found;
}
