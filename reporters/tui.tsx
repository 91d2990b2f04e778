// The live view for a person at a terminal (ink). Only for a TTY stdout: the registry falls back to the
// plain reporter otherwise, since ink writes cursor movements that turn a log into noise.
import { render, type Instance } from 'ink';
import type { CheckResult, Report } from '../src/model.js';
import { flushOut, guardStream } from './output.js';
import { PlainReporter } from './plain.js';
import { createRedactor } from './redact.js';
import { App } from './tui/App.js';
import { createTuiStore, type TuiStore } from './tui/state.js';
import type { DoctorReporter, GatherStep, RunInfo } from './types.js';

export interface TuiReporterOptions {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
  readonly color?: boolean;
  readonly secrets?: readonly string[];
}

export class TuiReporter implements DoctorReporter {
  readonly name = 'tui';
  readonly writesStdout = true;
  readonly redrawsTerminal = true;
  private readonly options: TuiReporterOptions;
  private readonly store: TuiStore;
  private instance?: Instance;
  private renderError?: Error;

  constructor(options: TuiReporterOptions) {
    this.options = options;
    this.store = createTuiStore(createRedactor(options.secrets));
    guardStream(options.stdout);
  }

  /** Rendering starts with the first hook, so constructing the reporter has no effect on the terminal. */
  private ensureStarted(): void {
    if (this.instance || this.renderError) return;
    this.instance = render(
      <App store={this.store} color={this.options.color ?? false} onError={(e) => (this.renderError = e)} />,
      {
        stdout: this.options.stdout,
        stderr: this.options.stderr ?? process.stderr,
        patchConsole: false,
        // The CLI owns SIGINT (it cancels the run and still writes reports).
        exitOnCtrlC: false,
      },
    );
  }

  onRunStart(info: RunInfo): void {
    this.ensureStarted();
    this.store.dispatch({ type: 'runStart', info });
  }

  onGatherStart(steps: readonly GatherStep[]): void {
    this.ensureStarted();
    this.store.dispatch({ type: 'gatherStart', steps });
  }

  onGatherStep(key: string, status: 'ok' | 'error' | 'skipped', ms: number): void {
    this.ensureStarted();
    this.store.dispatch({ type: 'gatherStep', key, status, ms });
  }

  onCheck(result: CheckResult): void {
    this.ensureStarted();
    this.store.dispatch({ type: 'check', result });
  }

  async onEnd(report: Report): Promise<void> {
    this.ensureStarted();
    this.store.dispatch({ type: 'end', report });
    const instance = this.instance;
    if (instance) {
      // Let React commit the last state, then unmount: ink renders the final frame and leaves it on screen.
      await new Promise<void>((resolve) => setImmediate(resolve));
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    }
    if (this.renderError) {
      // The live view broke; the person at the terminal still gets every result.
      const fallback = new PlainReporter({ out: this.options.stdout, color: this.options.color, secrets: this.options.secrets, gatherLines: false });
      await fallback.onEnd(report);
    }
    await flushOut(this.options.stdout);
  }

  /** The error the live view hit, if any (the results were then printed as plain text). */
  failure(): Error | undefined {
    return this.renderError;
  }
}
