// --snapshot / --from-snapshot: the facts of one run, saved as JSON and judged again later.
// Facts hold no secrets (only whether credentials were given), so a snapshot can be attached to a bug.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Facts } from './types.js';
import { outcomeSchema } from './schemas.js';
import { AWS_SCHEMAS, DATA_PATH_SCHEMAS, GCP_SCHEMAS, K8S_SCHEMAS, selectionSchema } from '../sources/fact-schemas.js';
import { writeFileAtomic } from '../io/atomic-write.js';

const mapOutcomes = <V>(schemas: { readonly [K in keyof V]: z.ZodType<V[K]> }) =>
  z.object(Object.fromEntries(Object.entries(schemas).map(([k, schema]) => [k, outcomeSchema(schema as z.ZodType<unknown>)])));

// Derived from the registry's schemas: every stored fact is validated, not only the envelope.
const factsSchema = z.object({
  schema: z.literal(2),
  target: z.object({ port: z.number(), credentials: z.enum(['token', 'user-password', 'none']) }).loose(),
  gatheredAt: z.string(),
  gatherMs: z.number(),
  loopDelay: z.object({ p99Ms: z.number(), maxMs: z.number() }).optional(),
  selection: outcomeSchema(selectionSchema),
  dataPath: mapOutcomes(DATA_PATH_SCHEMAS),
  k8s: z
    .object({
      source: z.enum(['live', 'manifests']),
      namespace: z.string(),
      context: z.string().nullable(),
      requested: z.object({ release: z.string().nullable(), service: z.string().nullable(), ingress: z.string().nullable() }),
      files: z.array(z.string()),
    })
    .extend(mapOutcomes(K8S_SCHEMAS).shape)
    .optional(),
  aws: mapOutcomes(AWS_SCHEMAS).optional(),
  gcp: mapOutcomes(GCP_SCHEMAS).optional(),
});

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
    // Not the parser's message: on Node 20 it quotes the bytes it choked on, which may be anything.
    const at = err instanceof Error ? /position (\d+)/.exec(err.message)?.[1] : undefined;
    throw new UsageError(`--from-snapshot ${file}: not JSON${at !== undefined ? ` (invalid at byte ${at})` : ''}; give a file written by --snapshot`);
  }
  const version = typeof json === 'object' && json !== null && 'schema' in json ? (json as { schema: unknown }).schema : undefined;
  if (version === 1) throw new UsageError(`--from-snapshot ${file}: written by an older milvus-l7-doctor (snapshot schema 1); gather it again`);
  const parsed = factsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--from-snapshot ${file}: not a milvus-l7-doctor snapshot (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})`);
  }
  // The schema checked every fact against the registry's schemas; the JSON itself is what gather stored.
  return json as Facts;
}
