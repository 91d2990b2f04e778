// ink and react take ~0.9 s to import on Node 20 here, more than a whole check run should cost. Only a
// terminal run pays it, and it overlaps with gathering: the import starts when the reporter is created,
// hooks are queued until it lands, then replayed in order.
import type { CheckResult, Report } from '../src/model.js';
import { writeOut } from './output.js';
import { PlainReporter } from './plain.js';
import type { TuiReporterOptions } from './tui.js';
import type { DoctorReporter, GatherStep, RunInfo } from './types.js';

type Call = (r: DoctorReporter) => void;

export class LazyTuiReporter implements DoctorReporter {
  readonly name = 'tui';
  readonly writesStdout = true;
  readonly redrawsTerminal = true;
  private target?: DoctorReporter;
  private readonly queue: Call[] = [];
  private readonly loaded: Promise<void>;
  private readonly options: TuiReporterOptions;
  private greeted = false;

  constructor(options: TuiReporterOptions, load: () => Promise<{ TuiReporter: new (o: TuiReporterOptions) => DoctorReporter }> = () => import('./tui.js')) {
    this.options = options;
    this.loaded = load().then(
      ({ TuiReporter }) => this.attach(new TuiReporter(options)),
      async (err: unknown) => {
        // Without the live view the person at the terminal still gets every result, as plain text.
        const why = err instanceof Error ? err.message : String(err);
        await writeOut(options.stderr ?? process.stderr, `milvus-l7-doctor: live view unavailable (${why.split('\n')[0]}); plain output instead\n`);
        this.attach(new PlainReporter({ out: options.stdout, color: options.color, secrets: options.secrets }));
      },
    );
  }

  private attach(reporter: DoctorReporter): void {
    this.target = reporter;
    // A hook that throws here has no caller left to catch it; the reporter set isolates onEnd instead.
    for (const call of this.queue.splice(0)) {
      try {
        call(reporter);
      } catch {
        // Dropped: one bad event must not lose the rest of the replay.
      }
    }
  }

  private call(fn: Call): void {
    if (this.target) return fn(this.target);
    // ink takes most of a second to load: a first line now, so the terminal is not blank meanwhile.
    if (this.queue.length === 0 && !this.greeted) {
      this.greeted = true;
      void writeOut(this.options.stdout, 'milvus-l7-doctor: starting…\n');
    }
    this.queue.push(fn);
  }

  onGatherStart(steps: readonly GatherStep[]): void {
    this.call((r) => r.onGatherStart?.(steps));
  }

  onGatherStep(key: string, status: 'ok' | 'error' | 'skipped', ms: number): void {
    this.call((r) => r.onGatherStep?.(key, status, ms));
  }

  onRunStart(info: RunInfo): void {
    this.call((r) => r.onRunStart?.(info));
  }

  onCheck(result: CheckResult): void {
    this.call((r) => r.onCheck?.(result));
  }

  async onEnd(report: Report): Promise<void> {
    await this.loaded;
    if (this.target) await this.target.onEnd(report);
  }
}
