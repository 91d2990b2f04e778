// The log format: for a non-TTY stdout and CI logs. One line per check, details indented under it, then
// the summary and what to look at first. Stable and greppable: `grep -E '^(FAIL|ERROR) '`. Checks are
// printed as soon as they and every check before them in catalogue order (DNS → TCP → TLS → … → cloud)
// are judged, so two runs of the same deployment print the same lines in the same order and a log reads
// along the path a request takes, whichever suite the engine happened to finish first.
import type { CheckResult, Report } from '../src/model.js';
import { summarize } from '../src/model.js';
import { createPaint, type Paint } from './color.js';
import { guardStream, writeOut } from './output.js';
import {
  TAG_WIDTH,
  VERDICT_STYLE,
  VERDICT_TAG,
  formatBlockedDetail,
  formatCounts,
  formatDuration,
  formatLookFirst,
  needsDetail,
  releaseInOrder,
  sanitizeForTerminal,
} from './presentation.js';
import { createRedactor, redactCheck, redactDeep, type Redact } from './redact.js';
import type { DoctorReporter, GatherStep, RunInfo } from './types.js';

export interface PlainReporterOptions {
  readonly out: NodeJS.WritableStream;
  /** Decided by the caller (detectColor): a TTY with NO_COLOR unset, or FORCE_COLOR. */
  readonly color?: boolean;
  readonly secrets?: readonly string[];
  /**
   * quiet: failures, warnings, errors and the summary; normal: one line per check, blocked and
   * not-applicable checks folded, no timings (two runs of one deployment print the same bytes); verbose:
   * every check with its time and observed value, one line per gather step. Default normal.
   */
  readonly verbosity?: Verbosity;
  /** Print one line per gather step. Default: only when verbose. */
  readonly gatherLines?: boolean;
  /** Whether `out` is the process's stdout (the registry knows). Default true. */
  readonly writesStdout?: boolean;
}

export type Verbosity = 'quiet' | 'normal' | 'verbose';

const INDENT = ' '.repeat(TAG_WIDTH + 1);
const LABEL_WIDTH = 10;

/** The finding's lines under its check line, each already indented, without colour. */
export function detailLines(c: CheckResult): string[] {
  const lines: string[] = [];
  const field = (label: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    const [first, ...rest] = value.split(/\r?\n/);
    lines.push(`${INDENT}${`${label}:`.padEnd(LABEL_WIDTH)}${first}`);
    for (const r of rest) lines.push(`${INDENT}${' '.repeat(LABEL_WIDTH)}${r}`);
  };
  if (c.verdict === 'blocked') {
    field('blocked', formatBlockedDetail(c));
  }
  field('expected', c.expected);
  field('observed', c.observed);
  if (c.verdict !== 'blocked' && c.reason) field('reason', c.reason);
  field('hint', c.hint);
  if (c.fix) {
    // A fix is a command or a manifest: on its own lines, indented, so it can be copied as is.
    lines.push(`${INDENT}fix:`);
    for (const l of c.fix.replace(/\s+$/, '').split(/\r?\n/)) lines.push(`${INDENT}  ${l}`);
  }
  // The anchor is for a browser; `explain` works where the report is read (a terminal, a CI log).
  field('docs', c.docs ? `${c.docs}  (or: milvus-l7-doctor explain ${c.id})` : undefined);
  return lines;
}

export function checkLine(c: CheckResult, paint: Paint = (_s, t) => t, withTime = true, ms: number = c.durationMs): string {
  const tag = paint(VERDICT_STYLE[c.verdict], VERDICT_TAG[c.verdict].padEnd(TAG_WIDTH));
  const skipped = c.verdict === 'skip' && c.reason ? `  skipped: ${c.reason}` : '';
  const time = withTime ? `  ${paint('dim', `(${formatDuration(ms)})`)}` : '';
  return `${tag} ${paint('bold', c.id)}  ${c.title}${time}${skipped}`;
}

/** `BLOCKED grpc.health — by tcp.connect`: the reason is the prerequisite's own line. */
export function blockedLine(c: CheckResult, paint: Paint = (_s, t) => t): string {
  const tag = paint(VERDICT_STYLE.blocked, VERDICT_TAG.blocked.padEnd(TAG_WIDTH));
  return `${tag} ${paint('bold', c.id)} — ${c.blockedBy ? `by ${c.blockedBy}` : (c.reason ?? 'a prerequisite did not pass')}`;
}

/** `gcp: 16, aws: 2`: which checks a folded line stands for, short enough for one line. */
function byArea(checks: readonly CheckResult[]): string {
  const counts = new Map<string, number>();
  for (const c of checks) counts.set(c.area, (counts.get(c.area) ?? 0) + 1);
  return [...counts].map(([area, n]) => `${area}: ${n}`).join(', ');
}

/** Groups in first-seen order, so the output order follows the catalogue. */
function groupBy<T>(items: readonly T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = groups.get(k);
    if (g) g.push(it);
    else groups.set(k, [it]);
  }
  return [...groups.values()];
}

export function formatTarget(target: RunInfo['target']): string {
  const parts = Object.entries(target)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') || 'none' : String(v)}`);
  return parts.length > 0 ? parts.join(' ') : '(no target)';
}

export class PlainReporter implements DoctorReporter {
  readonly name = 'plain';
  readonly writesStdout: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly paint: Paint;
  private readonly redact: Redact;
  private readonly clean: Redact;
  private readonly gatherLines: boolean;
  private readonly verbosity: Verbosity;
  private factsMs: Readonly<Record<string, number>> = {};
  private errors: CheckResult[] = [];
  private skips: CheckResult[] = [];
  private labels = new Map<string, string>();
  private keyWidth = 0;
  private printed = new Set<string>();
  private seen: CheckResult[] = [];
  private order: readonly string[] = [];
  private ordered = new Set<string>();
  private cursor = 0;
  private held = new Map<string, CheckResult>();
  private pending: Promise<void> = Promise.resolve();

  constructor(options: PlainReporterOptions) {
    this.out = options.out;
    this.writesStdout = options.writesStdout ?? true;
    this.paint = createPaint(options.color ?? false);
    this.redact = createRedactor(options.secrets);
    this.clean = (text) => sanitizeForTerminal(this.redact(text));
    this.verbosity = options.verbosity ?? 'normal';
    this.gatherLines = options.gatherLines ?? this.verbosity === 'verbose';
    guardStream(this.out);
  }

  private write(lines: readonly string[]): void {
    if (lines.length === 0) return;
    // Values were cleaned before painting; redacting the finished line again costs little and also covers
    // the fixed text around them.
    const text = lines.map((l) => this.redact(l)).join('\n') + '\n';
    this.pending = writeOut(this.out, text);
  }

  onRunStart(info: RunInfo): void {
    const target = formatTarget(redactDeep(info.target, this.clean));
    const what = info.replay
      ? `replaying ${this.clean(info.replay.file)} (facts gathered ${info.replay.gatheredAt}, not now): ${target}`
      : `checking ${target}`;
    if (this.verbosity !== 'quiet') this.write([`milvus-l7-doctor: ${what} (${info.checkCount} checks)`]);
    this.order = info.checkIds ?? [];
    this.factsMs = info.factsMs ?? {};
    this.ordered = new Set(this.order);
  }

  onGatherStart(steps: readonly GatherStep[]): void {
    for (const s of steps) {
      this.labels.set(s.key, this.clean(s.label));
      this.keyWidth = Math.max(this.keyWidth, s.key.length);
    }
  }

  onGatherStep(key: string, status: 'ok' | 'error' | 'skipped', ms: number): void {
    if (!this.gatherLines) return;
    const label = this.labels.get(key);
    key = this.clean(key);
    const style = status === 'ok' ? 'green' : status === 'error' ? 'red' : 'gray';
    this.write([
      `${this.paint('dim', 'gather')} ${this.paint(style, status.padEnd(7))} ${label ? `${key.padEnd(this.keyWidth)}  ${label}` : key}  ${this.paint('dim', `(${formatDuration(ms)})`)}`,
    ]);
  }

  onCheck(result: CheckResult): void {
    this.printed.add(result.id);
    this.seen.push(result);
    if (!this.ordered.has(result.id)) return this.write(this.linesFor(result));
    this.held.set(result.id, result);
    this.flushInOrder(false);
  }

  /** Prints held checks from the cursor on while the next one is in; at the end, skips those that never came. */
  private flushInOrder(final: boolean): void {
    const { ready, cursor } = releaseInOrder(this.order, this.cursor, this.held, final);
    this.cursor = cursor;
    for (const c of ready) this.held.delete(c.id);
    this.write(ready.flatMap((c) => this.linesFor(c)));
  }

  private linesFor(raw: CheckResult): string[] {
    const c = redactCheck(raw, this.clean);
    const verbose = this.verbosity === 'verbose';
    const quiet = this.verbosity === 'quiet';
    if (!verbose) {
      // Held for the end: identical errors are one block, not-applicable checks one line per reason.
      if (c.verdict === 'error') return this.errors.push(c), [];
      if (c.verdict === 'skip') return quiet ? [] : (this.skips.push(c), []);
      if (c.verdict === 'blocked') return quiet ? [] : [blockedLine(c, this.paint)];
      if (c.verdict === 'pass') return quiet ? [] : [checkLine(c, this.paint, false)];
    }
    const lines = [checkLine(c, this.paint, verbose, this.factsMs[c.id] ?? c.durationMs)];
    if (needsDetail(c.verdict)) lines.push(...detailLines(c).map((l) => this.paint('dim', l)));
    else if (verbose && c.verdict === 'pass' && c.observed) lines.push(this.paint('dim', `${INDENT}${'observed:'.padEnd(LABEL_WIDTH)}${c.observed.split(/\r?\n/).join(' ')}`));
    return lines;
  }

  private heldLines(): string[] {
    const lines: string[] = [];
    for (const group of groupBy(this.errors, (c) => `${c.observed ?? c.reason ?? ''}\n${c.hint ?? ''}`)) {
      const [first] = group;
      if (!first) continue;
      if (group.length === 1) {
        lines.push(checkLine(first, this.paint, false), ...detailLines(first).map((l) => this.paint('dim', l)));
        continue;
      }
      const tag = this.paint(VERDICT_STYLE.error, VERDICT_TAG.error.padEnd(TAG_WIDTH));
      lines.push(`${tag} ${group.length} checks could not run: ${first.observed ?? first.reason ?? 'no reason given'}`);
      if (first.hint) lines.push(this.paint('dim', `${INDENT}${'hint:'.padEnd(LABEL_WIDTH)}${first.hint}`));
      lines.push(this.paint('dim', `${INDENT}${'checks:'.padEnd(LABEL_WIDTH)}${group.map((c) => c.id).join(', ')}`));
    }
    for (const group of groupBy(this.skips, (c) => c.reason ?? '')) {
      const [first] = group;
      if (!first) continue;
      if (group.length === 1) {
        lines.push(checkLine(first, this.paint, false));
        continue;
      }
      const tag = this.paint(VERDICT_STYLE.skip, VERDICT_TAG.skip.padEnd(TAG_WIDTH));
      lines.push(`${tag} ${group.length} checks not applicable (${byArea(group)}): ${first.reason ?? 'not applicable'}`);
    }
    this.errors = [];
    this.skips = [];
    return lines;
  }

  async onEnd(report: Report): Promise<void> {
    this.flushInOrder(true);
    // Checks the engine only reported at the end are still printed, once.
    const late = report.checks.filter((c) => !this.printed.has(c.id));
    for (const c of late) this.write(this.linesFor(c));
    this.write(this.heldLines());
    const checks = report.checks.length > 0 ? report.checks : this.seen;
    const summary = report.checks.length > 0 ? report.summary : summarize(this.seen);
    this.write([
      `summary: ${formatCounts(summary)} in ${formatDuration(report.durationMs)}`,
      formatLookFirst(checks.map((c) => redactCheck(c, this.clean))),
    ]);
    await this.pending;
  }
}
