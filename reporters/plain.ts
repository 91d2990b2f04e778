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
  /** Print one line per gather step. Default true. */
  readonly gatherLines?: boolean;
  /** Whether `out` is the process's stdout (the registry knows). Default true. */
  readonly writesStdout?: boolean;
}

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
  field('docs', c.docs);
  return lines;
}

export function checkLine(c: CheckResult, paint: Paint = (_s, t) => t): string {
  const tag = paint(VERDICT_STYLE[c.verdict], VERDICT_TAG[c.verdict].padEnd(TAG_WIDTH));
  const skipped = c.verdict === 'skip' && c.reason ? `  skipped: ${c.reason}` : '';
  return `${tag} ${paint('bold', c.id)}  ${c.title}  ${paint('dim', `(${formatDuration(c.durationMs)})`)}${skipped}`;
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
    this.gatherLines = options.gatherLines ?? true;
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
    this.write([`milvus-l7-doctor: checking ${formatTarget(redactDeep(info.target, this.clean))} (${info.checkCount} checks)`]);
    this.order = info.checkIds ?? [];
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
    const lines = [checkLine(c, this.paint)];
    if (needsDetail(c.verdict)) lines.push(...detailLines(c).map((l) => this.paint('dim', l)));
    return lines;
  }

  async onEnd(report: Report): Promise<void> {
    this.flushInOrder(true);
    // Checks the engine only reported at the end are still printed, once.
    const late = report.checks.filter((c) => !this.printed.has(c.id));
    for (const c of late) this.write(this.linesFor(c));
    const checks = report.checks.length > 0 ? report.checks : this.seen;
    const summary = report.checks.length > 0 ? report.summary : summarize(this.seen);
    this.write([
      `summary: ${formatCounts(summary)} in ${formatDuration(report.durationMs)}`,
      formatLookFirst(checks.map((c) => redactCheck(c, this.clean))),
    ]);
    await this.pending;
  }
}
