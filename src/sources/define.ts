// A fact source is one record: what it reads, what it needs first, the permission it uses, and its read
// function. Checks name the sources they read (CheckDef.needs); gather runs only those, transitively, each
// as soon as its inputs are in (src/gather/run-graph.ts). Everything else that lists sources — the Facts
// type, the snapshot schema, the step labels, the RBAC fixture — is derived from the records.
import type { z } from 'zod';
import type { Area, Outcome, Skipped } from '../model.js';
import type { GatherOptions } from './options.js';
import type { SourceKey, ValueOf } from './values.js';

/** The access a read uses, for least-privilege fixtures and for the `error` a denial becomes. */
export type Permission =
  | { readonly kind: 'rbac'; readonly group: string; readonly resource: string; readonly verb: 'get' | 'list' | 'create'; readonly scope: 'namespace' | 'cluster' }
  | { readonly kind: 'iam'; readonly action: string }
  | { readonly kind: 'gcp'; readonly permission: string };

/** The skip a source reports when a prerequisite did not pass: blockedBy names the check that judges it. */
export type Skip = Skipped;

/**
 * A prerequisite whose outcome must pass for this source's outcome to count. The read does not wait for
 * it: it starts as soon as its inputs are in and is cut short when the gate closes, so that a chain of
 * round trips costs about its longest link.
 */
export interface Gate {
  readonly on: SourceKey;
  /** null = open. Default: ok opens; an error closes with blockedBy = the source's owner; a skip is inherited. */
  readonly open?: (outcome: Outcome<unknown>, options: GatherOptions) => Skip | null;
}

export interface ReadContext {
  readonly options: GatherOptions;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** The value of one of this source's `inputs` (the runner has checked it is ok). */
  value<J extends SourceKey>(key: J): ValueOf<J>;
  /** The outcome of one of this source's `after` sources, awaited only when the read asks for it. */
  outcome<J extends SourceKey>(key: J): Promise<Outcome<ValueOf<J>>>;
}

type PerOptions<T> = T | ((options: GatherOptions) => T);

export interface SourceDef<K extends SourceKey = SourceKey> {
  readonly key: K;
  /** What the live view shows while it runs. */
  readonly label: string;
  /** The layer its internal errors are reported at. */
  readonly layer: Area;
  /** The check that judges this fact itself: what the sources and checks that need it are blocked by. */
  readonly owner: string | null;
  /** The fact's schema, for snapshots; null for internal sources (clients, sessions), never stored. */
  readonly schema: z.ZodType<ValueOf<K>> | null;
  readonly permission?: readonly Permission[];
  /** Why it does not apply with these options (not requested, offline…), or null. Its needs are then not run. */
  readonly applies?: (options: GatherOptions) => string | null;
  /** Sources whose values the read needs before it starts; one that is not ok skips this one too. */
  readonly inputs?: PerOptions<readonly SourceKey[]>;
  /** Sources the read may consult (ctx.outcome), whatever their outcome. */
  readonly after?: PerOptions<readonly SourceKey[]>;
  readonly gates?: PerOptions<readonly Gate[]>;
  /**
   * Starts costly preparation (a worker thread) as soon as the run knows it will need this source; returns
   * how to release it if the read never takes it.
   */
  readonly prepare?: (options: GatherOptions) => () => Promise<void>;
  readonly read: (ctx: ReadContext) => Promise<Outcome<ValueOf<K>>>;
  /** Releases what an internal source holds (a session), once the run is over. */
  readonly dispose?: (value: ValueOf<K>) => Promise<void>;
  /**
   * How long the runner lets the read go on after it starts: a safety net over the read's own deadlines,
   * which remain the ones that report what timed out. Default: three probe deadlines, and never under 30 s.
   */
  readonly budgetMs?: (options: GatherOptions) => number;
}

export function defineSource<K extends SourceKey>(def: SourceDef<K>): SourceDef<K> {
  return def;
}

export function resolve<T>(value: PerOptions<T> | undefined, options: GatherOptions, fallback: T): T {
  if (value === undefined) return fallback;
  return typeof value === 'function' ? (value as (o: GatherOptions) => T)(options) : value;
}
