// Secrets (tokens, passwords) must never reach any output. Every reporter passes every string it writes
// through a redactor built once from the values the CLI hands over.

export const REDACTED = '[REDACTED]';

export type Redact = (text: string) => string;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Each secret also leaks in the forms it travels in: percent-encoded in a URL, base64 in a Basic
 * authorization header, JSON-escaped inside a serialised value.
 */
function variantsOf(secret: string): string[] {
  const out = new Set<string>([secret]);
  out.add(encodeURIComponent(secret));
  out.add(Buffer.from(secret, 'utf8').toString('base64'));
  out.add(Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, ''));
  out.add(JSON.stringify(secret).slice(1, -1));
  return [...out].filter((v) => v.length > 0);
}

/** Builds a redactor once; empty secrets are ignored, every other one is replaced wherever it occurs. */
export function createRedactor(secrets: readonly (string | undefined | null)[] = []): Redact {
  const values = new Set<string>();
  for (const s of secrets) if (typeof s === 'string' && s.length > 0) for (const v of variantsOf(s)) values.add(v);
  if (values.size === 0) return (text) => text;
  // Longest first, so that a secret containing another secret is replaced whole.
  const pattern = new RegExp([...values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

/** Replaces every occurrence of any secret (and its encoded forms) in `text` with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets)(text);
}

/** Redacts every string in a plain JSON value, keys included. */
export function redactDeep<T>(value: T, redact: Redact): T {
  return walk(value, redact) as T;
}

function walk(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, redact));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = walk(v, redact);
    return out;
  }
  return value;
}

/**
 * Redacts a check's free text (id, title, values, evidence keys and values) but never its enums: a
 * password that happens to be "tls" or "pass" must not turn an area or a verdict into `[REDACTED]`.
 */
export function redactCheck<C extends { readonly area: string; readonly verdict: string; readonly severity: string }>(
  check: C,
  redact: Redact,
): C {
  return { ...redactDeep(check, redact), area: check.area, verdict: check.verdict, severity: check.severity };
}
