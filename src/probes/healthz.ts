// Milvus /healthz (port 9091): what the GKE health check sees. 200 "OK", or 500 with
// "Not all components are healthy, x/y" (or "registered"); the JSON form lists the components.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HealthzFact } from '../facts/types.js';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import { type ProbeContext, errnoOf, messageOf, withDeadline } from './deadline.js';

const MAX_BODY = 64 * 1024;

export async function probeHealthz(url: string, options: { ca: readonly string[] | null }, ctx: ProbeContext): Promise<HealthzFact> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProbeError('healthz', 'HEALTHZ_BAD_URL', `not a URL: ${url}`, { url });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ProbeError('healthz', 'HEALTHZ_BAD_URL', `only http and https are supported, not ${parsed.protocol}`, { url });
  }
  return withDeadline(ctx, 'healthz', () => new ProbeTimeoutError('healthz', 'response', ctx.timeoutMs, 'HEALTHZ_TIMEOUT'), async (signal) => {
    const plain = await get(parsed, options.ca, signal, false);
    let components: { ready: number | null; total: number | null; unhealthy: string[] } | null = null;
    if (plain.status !== 200) {
      // Best effort: the JSON form names the components; older servers answer text again.
      const json = await get(parsed, options.ca, signal, true).catch(() => null);
      components = json ? parseJson(json.body) : null;
    }
    const counts = parseCounts(plain.body);
    return {
      url,
      status: plain.status,
      contentType: plain.contentType,
      body: plain.body.trim().slice(0, 500),
      ready: counts?.ready ?? components?.ready ?? null,
      total: counts?.total ?? components?.total ?? null,
      unhealthyComponents: components?.unhealthy ?? [],
    };
  });
}

function get(url: URL, ca: readonly string[] | null, signal: AbortSignal, json: boolean): Promise<{ status: number; contentType: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = json ? { 'Content-Type': 'application/json', Accept: 'application/json' } : {};
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY) }));
      res.on('error', (err) => reject(classify(err, url)));
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { headers, signal, rejectUnauthorized: false, agent: false, ...(ca ? { ca: [...ca] } : {}) }, onResponse)
        : httpRequest(url, { headers, signal, agent: false }, onResponse);
    req.on('error', (err) => reject(classify(err, url)));
    req.end();
  });
}

function classify(err: unknown, url: URL): ProbeError {
  const errno = errnoOf(err) ?? 'UNKNOWN';
  if (errno === 'ECONNREFUSED') return new ProbeError('healthz', 'HEALTHZ_REFUSED', `${url.host} refused the connection`, { url: url.href, errno }, { cause: err });
  return new ProbeError('healthz', 'HEALTHZ_FAILED', `GET ${url.href} failed: ${messageOf(err)}`, { url: url.href, errno }, { cause: err });
}

const COUNTS = /Not all components are (?:healthy|registered),\s*(\d+)\s*\/\s*(\d+)/i;

export function parseCounts(text: string): { ready: number; total: number } | null {
  const m = COUNTS.exec(text);
  return m ? { ready: Number(m[1]), total: Number(m[2]) } : null;
}

// StateCode: 1 Healthy, 3 StandBy count as up (healthz_handler.go); JSON may carry the number or the name.
const UP = new Set<unknown>([1, 3, 'Healthy', 'StandBy']);

export function parseJson(text: string): { ready: number | null; total: number | null; unhealthy: string[] } | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object') return null;
  const state = 'state' in doc && typeof doc.state === 'string' ? doc.state : '';
  const detail = 'detail' in doc && Array.isArray(doc.detail) ? doc.detail : [];
  const unhealthy: string[] = [];
  for (const d of detail) {
    if (d && typeof d === 'object' && 'name' in d && !UP.has('code' in d ? d.code : undefined)) unhealthy.push(String(d.name));
  }
  const counts = parseCounts(state);
  return {
    ready: counts?.ready ?? (detail.length ? detail.length - unhealthy.length : null),
    total: counts?.total ?? (detail.length || null),
    unhealthy,
  };
}
