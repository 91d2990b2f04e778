// --snapshot / --from-snapshot: the facts of one run, saved as JSON and judged again later.
// Facts hold no secrets (only whether credentials were given), so a snapshot can be attached to a bug.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Facts } from './types.js';
import { writeFileAtomic } from '../../reporters/atomic-write.js';

const outcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), value: z.unknown(), ms: z.number() }),
  z.object({ status: z.literal('error'), error: z.object({ code: z.string(), layer: z.string(), message: z.string() }).loose(), ms: z.number() }),
  z.object({ status: z.literal('skipped'), reason: z.string(), blockedBy: z.string().optional() }),
]);

const DATA_PATH_KEYS = [
  'dns', 'tcp', 'tls', 'tlsNoSni', 'http2Host', 'http2Address', 'grpcHealth', 'milvusVersion', 'milvusHealth',
  'milvusAuth', 'milvusAnonymous', 'milvusDefaultPassword', 'latency', 'smoke', 'healthz',
] as const;

const factsSchema = z
  .object({
    schema: z.literal(1),
    target: z.object({ port: z.number(), credentials: z.enum(['token', 'user-password', 'none']) }).loose(),
    gatheredAt: z.string(),
    gatherMs: z.number(),
    dataPath: z.object(Object.fromEntries(DATA_PATH_KEYS.map((k) => [k, outcome]))),
    k8s: z.object({ source: z.enum(['live', 'manifests']) }).loose().optional(),
  })
  .loose();

export async function saveSnapshot(file: string, facts: Facts): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(facts, null, 2)}\n`);
}

export function loadSnapshot(file: string): Facts {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new UsageError(`--from-snapshot ${file}: cannot read the file (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--from-snapshot ${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = factsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--from-snapshot ${file}: not a milvus-l7-doctor snapshot (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})`);
  }
  // The schema checked the envelope and every outcome; the values inside are the probes' own JSON.
  return json as Facts;
}
