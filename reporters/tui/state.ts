// The live view's state, apart from its display: a pure reducer over the reporter hooks, and a tiny store
// the root component subscribes to. Values are redacted and made terminal-safe on the way in.
import type { Area, CheckResult, Report, Summary } from '../../src/model.js';
import { emptySummary, summarize } from '../../src/model.js';
import { formatLookFirst, releaseInOrder, sanitizeForTerminal } from '../presentation.js';
import { redactCheck, redactDeep, type Redact } from '../redact.js';
import type { GatherStep, RunInfo } from '../types.js';

export type StepStatus = 'running' | 'ok' | 'error' | 'skipped';

export interface StepView {
  readonly key: string;
  readonly label: string;
  readonly status: StepStatus;
  readonly ms?: number;
}

/** What goes into <Static>: written once, in order, never redrawn. */
export type FinishedItem =
  | { readonly kind: 'header'; readonly key: string; readonly target?: Report['target']; readonly checkCount?: number; readonly replay?: RunInfo['replay'] }
  | { readonly kind: 'gather'; readonly key: string; readonly steps: readonly StepView[] }
  | { readonly kind: 'area'; readonly key: string; readonly area: Area; readonly continued: boolean }
  | { readonly kind: 'check'; readonly key: string; readonly check: CheckResult }
  /** `SKIP 24 checks not applicable (gcp: 24): not a GKE deployment`: one line per reason, at the end. */
  | { readonly kind: 'folded'; readonly key: string; readonly text: string };

export interface EndView {
  /** What needs attention, most important first: it stays on screen with the summary at the end. */
  readonly attention: readonly CheckResult[];
  readonly summary: Summary;
  readonly durationMs: number;
  readonly lookFirst: string;
}

export interface TuiState {
  readonly target?: Report['target'];
  readonly checkCount?: number;
  readonly replay?: RunInfo['replay'];
  readonly steps: readonly StepView[];
  /** Header and gather steps move into <Static> when the first check arrives, so they stay on top. */
  readonly committed: boolean;
  readonly finished: readonly FinishedItem[];
  /** Every check received, in arrival order (the running counts). */
  readonly checks: readonly CheckResult[];
  /** The checks in <Static> so far: in catalogue order, as soon as every check before them is in. */
  readonly printed: readonly CheckResult[];
  /** The catalogue order of the run (RunInfo.checkIds), the next position to print, and checks waiting for it. */
  readonly order: readonly string[];
  readonly cursor: number;
  readonly held: ReadonlyMap<string, CheckResult>;
  readonly counts: Summary;
  /** Per check, how long its facts took to gather: the time shown beside it (judging takes ~0 ms). */
  readonly factsMs: Readonly<Record<string, number>>;
  /** Skipped checks, folded into one line per reason when the run ends. */
  readonly notApplicable: readonly CheckResult[];
  readonly end?: EndView;
}

export type TuiEvent =
  | { readonly type: 'runStart'; readonly info: RunInfo }
  | { readonly type: 'gatherStart'; readonly steps: readonly GatherStep[] }
  | { readonly type: 'gatherStep'; readonly key: string; readonly status: 'ok' | 'error' | 'skipped'; readonly ms: number }
  | { readonly type: 'check'; readonly result: CheckResult }
  | { readonly type: 'end'; readonly report: Report };

export const initialTuiState: TuiState = {
  steps: [],
  committed: false,
  finished: [],
  checks: [],
  printed: [],
  order: [],
  cursor: 0,
  held: new Map(),
  counts: emptySummary(),
  factsMs: {},
  notApplicable: [],
};

function folded(state: TuiState): FinishedItem[] {
  const groups = new Map<string, CheckResult[]>();
  for (const c of state.notApplicable) groups.set(c.reason ?? '', [...(groups.get(c.reason ?? '') ?? []), c]);
  return [...groups].map(([reason, checks], i) => {
    const areas = new Map<string, number>();
    for (const c of checks) areas.set(c.area, (areas.get(c.area) ?? 0) + 1);
    const text = checks.length === 1
      ? `${checks[0]?.id ?? ''}: ${reason || 'not applicable'}`
      : `${checks.length} checks not applicable (${[...areas].map(([a, n]) => `${a}: ${n}`).join(', ')}): ${reason || 'not applicable'}`;
    return { kind: 'folded' as const, key: `folded:${i}`, text };
  });
}

const ATTENTION_RANK: Partial<Record<CheckResult['verdict'], number>> = { fail: 0, error: 1, warn: 2 };

function commit(state: TuiState): TuiState {
  if (state.committed) return state;
  const finished: FinishedItem[] = [{ kind: 'header', key: 'header', target: state.target, checkCount: state.checkCount, ...(state.replay ? { replay: state.replay } : {}) }];
  if (state.steps.length > 0) finished.push({ kind: 'gather', key: 'gather', steps: state.steps });
  return { ...state, committed: true, finished: [...state.finished, ...finished] };
}

/** Appends one check to <Static>, under its area's heading; checks that do not apply wait for the end. */
function print(s: TuiState, check: CheckResult): TuiState {
  if (check.verdict === 'skip') return { ...s, notApplicable: [...s.notApplicable, check], printed: [...s.printed, check] };
  const items: FinishedItem[] = [];
  const last = s.printed.at(-1);
  if (!last || last.area !== check.area) {
    // In catalogue order an area comes once; a check outside the order may still reopen one.
    const continued = s.printed.some((c) => c.area === check.area);
    items.push({ kind: 'area', key: `area:${s.finished.length}`, area: check.area, continued });
  }
  items.push({ kind: 'check', key: `check:${s.finished.length}:${check.id}`, check });
  return { ...s, finished: [...s.finished, ...items], printed: [...s.printed, check] };
}

/** Prints held checks from the cursor on while the next is in; at the end, passes over those that never came. */
function flush(state: TuiState, final: boolean): TuiState {
  const { ready, cursor } = releaseInOrder(state.order, state.cursor, state.held, final);
  const held = new Map(state.held);
  for (const c of ready) held.delete(c.id);
  return { ...ready.reduce(print, state), held, cursor };
}

function addCheck(state: TuiState, check: CheckResult, late = false): TuiState {
  const s = commit(state);
  const counts = { ...s.counts, [check.verdict]: s.counts[check.verdict] + 1 };
  const received = { ...s, checks: [...s.checks, check], counts };
  if (late || !s.order.includes(check.id)) return print(received, check);
  return flush({ ...received, held: new Map(s.held).set(check.id, check) }, false);
}

export function reduceTui(state: TuiState, event: TuiEvent): TuiState {
  switch (event.type) {
    case 'runStart':
      return { ...state, target: event.info.target, checkCount: event.info.checkCount, order: event.info.checkIds ?? [], factsMs: event.info.factsMs ?? {}, ...(event.info.replay ? { replay: event.info.replay } : {}) };
    case 'gatherStart':
      return { ...state, steps: event.steps.map((s) => ({ key: s.key, label: s.label, status: 'running' as const })) };
    case 'gatherStep': {
      const known = state.steps.some((s) => s.key === event.key);
      const done = { key: event.key, label: event.key, status: event.status, ms: event.ms };
      const steps = known
        ? state.steps.map((s) => (s.key === event.key ? { ...s, status: event.status, ms: event.ms } : s))
        : [...state.steps, done];
      return { ...state, steps };
    }
    case 'check': {
      const ms = state.factsMs[event.result.id];
      return addCheck(state, ms === undefined ? event.result : { ...event.result, durationMs: ms });
    }
    case 'end': {
      // Checks the engine only reported at the end still appear, once.
      const seen = new Set(state.checks.map((c) => c.id));
      let s = flush(commit(state), true);
      for (const c of event.report.checks) if (!seen.has(c.id)) s = addCheck(s, c, true);
      const checks = event.report.checks.length > 0 ? event.report.checks : s.checks;
      const summary = event.report.checks.length > 0 ? event.report.summary : summarize(s.checks);
      const attention = checks
        .filter((c) => ATTENTION_RANK[c.verdict] !== undefined)
        .sort((a, b) => (ATTENTION_RANK[a.verdict] ?? 9) - (ATTENTION_RANK[b.verdict] ?? 9));
      return {
        ...s,
        finished: [...s.finished, ...folded(s)],
        notApplicable: [],
        target: s.target ?? event.report.target,
        end: { attention, summary, durationMs: event.report.durationMs, lookFirst: formatLookFirst(checks) },
      };
    }
  }
}

/** Redacts and sanitises every string of an event before it reaches the state. */
export function cleanEvent(event: TuiEvent, redact: Redact): TuiEvent {
  const clean: Redact = (t) => sanitizeForTerminal(redact(t));
  switch (event.type) {
    case 'runStart':
      return {
        ...event,
        info: {
          ...event.info,
          target: redactDeep({ ...event.info.target }, clean),
          ...(event.info.replay ? { replay: { file: clean(event.info.replay.file), gatheredAt: clean(event.info.replay.gatheredAt) } } : {}),
        },
      };
    case 'gatherStart':
      return { ...event, steps: event.steps.map((s) => ({ key: clean(s.key), label: clean(s.label) })) };
    case 'gatherStep':
      return { ...event, key: clean(event.key) };
    case 'check':
      return { ...event, result: redactCheck(event.result, clean) };
    case 'end':
      return {
        ...event,
        report: {
          ...event.report,
          target: redactDeep({ ...event.report.target }, clean),
          checks: event.report.checks.map((c) => redactCheck(c, clean)),
        },
      };
  }
}

export interface TuiStore {
  getState(): TuiState;
  subscribe(listener: () => void): () => void;
  dispatch(event: TuiEvent): void;
}

export function createTuiStore(redact: Redact = (t) => t): TuiStore {
  let state = initialTuiState;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch(event) {
      state = reduceTui(state, cleanEvent(event, redact));
      for (const l of listeners) l();
    },
  };
}
