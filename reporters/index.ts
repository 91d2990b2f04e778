// The reporter registry (keyed by the CLI's --output name, as vitest's reporters/index.ts does) and the
// reporter set that fans every hook out so that one reporter's crash never takes the others down
// (after Playwright's multiplexer).
import type { CheckResult, Report } from '../src/model.js';
import { EXIT } from '../src/model.js';
import { ReportWriteError } from '../src/io/atomic-write.js';
import { JsonReporter } from './json.js';
import { JUnitReporter } from './junit.js';
import { guardStream, writeOut } from './output.js';
import { PlainReporter, type Verbosity } from './plain.js';
import { createRedactor, type Redact } from './redact.js';
import { LazyTuiReporter } from './tui-lazy.js';
import type { DoctorReporter, GatherStep, RunInfo } from './types.js';

export type { DoctorReporter, GatherStep, RunInfo } from './types.js';
export { detectColor } from './color.js';
export { redactSecrets, createRedactor } from './redact.js';
export { ReportWriteError } from '../src/io/atomic-write.js';
export { PlainReporter } from './plain.js';
export { JsonReporter, toJsonReport, serializeReport } from './json.js';
export { JUnitReporter, toJUnitXml } from './junit.js';
// Not TuiReporter itself: importing it loads ink and react (~0.9 s), which only a terminal run should pay.
export { LazyTuiReporter } from './tui-lazy.js';

export const OUTPUT_FORMATS = ['tui', 'plain', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface CreateReportersOptions {
  readonly output: OutputFormat;
  /** `--json FILE`: the JSON report, written atomically, in addition to the chosen output. */
  readonly jsonFile?: string;
  /** `--junit FILE`: JUnit XML, written atomically. */
  readonly junitFile?: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Whether stdout is a terminal; `tui` falls back to `plain` when it is not. */
  readonly isTTY: boolean;
  /** Decided by the caller with detectColor(): TTY, NO_COLOR, FORCE_COLOR. */
  readonly color: boolean;
  /** Values that must never appear in any output (token, password, user:password). */
  readonly secrets?: readonly string[];
  /** -q / -v for the plain output. */
  readonly verbosity?: Verbosity;
}

function isTerminalStream(stream: NodeJS.WritableStream, isTTY: boolean): stream is NodeJS.WriteStream {
  return isTTY && 'isTTY' in stream && stream.isTTY === true;
}

type StdoutFactory = (o: CreateReportersOptions) => DoctorReporter;

/** One entry per --output name; each owns stdout. */
const STDOUT_REPORTERS: Readonly<Record<OutputFormat, StdoutFactory>> = {
  tui: (o) =>
    // ink on a pipe or a log file writes cursor movements: plain output there instead.
    isTerminalStream(o.stdout, o.isTTY)
      ? new LazyTuiReporter({ stdout: o.stdout, stderr: isTerminalStream(o.stderr, true) ? o.stderr : undefined, color: o.color, secrets: o.secrets })
      : STDOUT_REPORTERS.plain(o),
  plain: (o) => new PlainReporter({ out: o.stdout, color: o.color, secrets: o.secrets, verbosity: o.verbosity }),
  json: (o) => new JsonReporter({ out: o.stdout, secrets: o.secrets }),
};

/** `--json -` / `--junit -`: that report is what stdout carries. */
const STDOUT = '-';

export function createReporters(options: CreateReportersOptions): DoctorReporter[] {
  const { secrets } = options;
  const reporters: DoctorReporter[] = [];
  if (options.jsonFile === STDOUT || options.junitFile === STDOUT) {
    reporters.push(options.jsonFile === STDOUT ? new JsonReporter({ out: options.stdout, secrets }) : new JUnitReporter({ out: options.stdout, secrets }));
    // The human-readable output moves to stderr so stdout stays one parseable document.
    if (options.output !== 'json') reporters.push(new PlainReporter({ out: options.stderr, color: false, secrets, writesStdout: false, verbosity: options.verbosity }));
  } else {
    reporters.push(STDOUT_REPORTERS[options.output](options));
  }
  if (options.jsonFile !== undefined && options.jsonFile !== STDOUT) reporters.push(new JsonReporter({ file: options.jsonFile, secrets }));
  if (options.junitFile !== undefined && options.junitFile !== STDOUT) reporters.push(new JUnitReporter({ file: options.junitFile, secrets }));
  return reporters;
}

export type ReporterHook = 'onGatherStart' | 'onGatherStep' | 'onRunStart' | 'onCheck' | 'onEnd';

export interface ReporterFailure {
  readonly reporter: string;
  readonly hook: ReporterHook;
  /** `write`: a report file could not be written; `crash`: the reporter threw. */
  readonly kind: 'write' | 'crash';
  /** The line written to stderr (redacted). */
  readonly message: string;
  readonly error: unknown;
}

export interface ReporterSetOptions {
  readonly stderr: NodeJS.WritableStream;
  readonly secrets?: readonly string[];
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split(/\r?\n/)[0] || (err instanceof Error ? err.name : 'unknown error');
}

export class ReporterSet implements DoctorReporter {
  readonly name = 'set';
  private readonly reporters: readonly DoctorReporter[];
  private readonly stderr: NodeJS.WritableStream;
  private readonly redact: Redact;
  private readonly crashed = new Set<DoctorReporter>();
  private readonly recorded: ReporterFailure[] = [];
  private held: string[] = [];
  private ended = false;

  constructor(reporters: readonly DoctorReporter[], options: ReporterSetOptions) {
    this.reporters = reporters;
    this.stderr = options.stderr;
    this.redact = createRedactor(options.secrets);
    guardStream(this.stderr);
  }

  get writesStdout(): boolean {
    return this.reporters.some((r) => r.writesStdout);
  }

  get redrawsTerminal(): boolean {
    return this.reporters.some((r) => r.redrawsTerminal === true && !this.crashed.has(r));
  }

  /** Every failure so far, in order; the CLI turns any of them into exit code 3 (see exitCode). */
  failures(): readonly ReporterFailure[] {
    return this.recorded;
  }

  /**
   * The run's exit code once reporters are done: a run whose output is incomplete could not complete (3),
   * unless a check failed (1) or the input was bad (2), which say more and stay as they are.
   */
  exitCode(base: number): number {
    return this.recorded.length > 0 && base === EXIT.ok ? EXIT.incomplete : base;
  }

  /** A progress line for stderr (e.g. --wait retries): redacted, and held while the live view redraws. */
  notice(line: string): void {
    const message = this.redact(line);
    if (this.redrawsTerminal && !this.ended) this.held.push(message);
    else void writeOut(this.stderr, `${message}\n`);
  }

  private record(reporter: DoctorReporter, hook: ReporterHook, error: unknown): void {
    const kind = error instanceof ReportWriteError ? 'write' : 'crash';
    const message = this.redact(
      kind === 'write'
        ? `milvus-l7-doctor: ${firstLine(error)}`
        : `milvus-l7-doctor: the ${reporter.name} reporter failed in ${hook}: ${firstLine(error)}; the run goes on without it`,
    );
    this.recorded.push({ reporter: reporter.name, hook, kind, message, error });
    if (this.redrawsTerminal && !this.ended) this.held.push(message);
    else void writeOut(this.stderr, `${message}\n`);
  }

  private each(hook: Exclude<ReporterHook, 'onEnd'>, call: (r: DoctorReporter) => void): void {
    for (const r of this.reporters) {
      if (this.crashed.has(r)) continue;
      try {
        call(r);
      } catch (error) {
        this.crashed.add(r);
        this.record(r, hook, error);
      }
    }
  }

  onGatherStart(steps: readonly GatherStep[]): void {
    this.each('onGatherStart', (r) => r.onGatherStart?.(steps));
  }

  onGatherStep(key: string, status: 'ok' | 'error' | 'skipped', ms: number): void {
    this.each('onGatherStep', (r) => r.onGatherStep?.(key, status, ms));
  }

  onRunStart(info: RunInfo): void {
    this.each('onRunStart', (r) => r.onRunStart?.(info));
  }

  onCheck(result: CheckResult): void {
    this.each('onCheck', (r) => r.onCheck?.(result));
  }

  /** Every reporter's onEnd runs, even after one failed earlier: files still get written. Never rejects. */
  async onEnd(report: Report): Promise<void> {
    await Promise.all(
      this.reporters.map(async (r) => {
        try {
          await r.onEnd(report);
        } catch (error) {
          this.record(r, 'onEnd', error);
        }
      }),
    );
    this.ended = true;
    const held = this.held;
    this.held = [];
    if (held.length > 0) await writeOut(this.stderr, held.map((l) => `${l}\n`).join(''));
  }
}
