// The judging engine: vitest's node side (createVitest, the vite server, the run). The run starts at
// once; its suites wait for the facts on the channel (channel.ts). Verdicts are posted one by one as
// vitest reports them.
import { Writable } from 'node:stream';
import type { Reporter, TestCase, Vitest } from 'vitest/node';
import './meta.js';
import type { CheckResult } from '../model.js';
import { docsAnchor } from '../checks/docs-link.js';

export interface EngineData {
  /** Where suites/ lives (dist/ when built). */
  readonly root: string;
  /** Suite files to run, relative to root: only those of the selected areas. */
  readonly include: readonly string[];
  readonly channel: string;
}

export type FromEngine =
  | { readonly type: 'check'; readonly result: CheckResult }
  | { readonly type: 'done'; readonly runError: string | null };

class CheckCollector implements Reporter {
  constructor(private readonly post: (m: FromEngine) => void) {}

  async onTestCaseResult(testCase: TestCase): Promise<void> {
    const post = this.post;
    const meta = testCase.meta().doctor;
    const duration = Math.round(testCase.diagnostic()?.duration ?? 0);
    if (meta) {
      post({ type: 'check', result: { ...meta, durationMs: duration } });
      return;
    }
    // No meta: the judge itself threw. That is "could not run", never a pass or a fail. The catalogue
    // (every check module) is loaded for this only.
    const { CATALOG } = await import('../catalog.js');
    const def = CATALOG.find((c) => c.id === testCase.name);
    const errors = testCase.result().errors ?? [];
    post({
      type: 'check',
      result: {
        id: testCase.name,
        area: def?.area ?? 'k8s',
        title: def?.title ?? testCase.name,
        severity: def?.severity ?? 'major',
        verdict: 'error',
        durationMs: duration,
        observed: `internal error while judging: ${errors[0]?.message ?? 'unknown'}`,
        hint: 'this is a bug in milvus-l7-doctor; please report it with the --snapshot file',
        docs: docsAnchor(testCase.name),
      },
    });
  }
}

const sink = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });

export interface EngineControl {
  /** Settles once vitest exists (its server and logger made), or could not be made. */
  readonly created: Promise<void>;
  /** Stops the run early (the facts' verdicts so far are kept). */
  cancel(): void;
  close(): Promise<void>;
}

const CLI_OWNED: ReadonlySet<string | symbol> = new Set(['SIGINT', 'SIGTERM', 'unhandledRejection']);

/**
 * The CLI owns SIGINT, SIGTERM and unhandled rejections: the first interrupt finishes the run and still
 * writes its reports, an unhandled rejection is one line and the run goes on (bin/milvus-l7-doctor.js).
 * vitest's logger takes all three and vite's server takes SIGTERM, each to exit the process at once, which
 * would lose the report of a run interrupted after the engine started. Listeners for them added while the
 * engine lives are taken off again before the event can reach them: the removal is a microtask, and
 * signals and unhandled rejections are delivered after microtasks. Returns the function that ends this.
 */
export function keepCliEventsFromEngine(): () => void {
  const takeOff = (event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (CLI_OWNED.has(event)) queueMicrotask(() => process.off(event as NodeJS.Signals, listener));
  };
  process.on('newListener', takeOff);
  return () => void process.off('newListener', takeOff);
}

/** Starts vitest now; `post` receives each verdict, then `done`. */
export function startEngine(data: EngineData, post: (m: FromEngine) => void): EngineControl {
  let vitest: Vitest | null = null;
  let closing: Promise<void> | null = null;
  let markCreated: () => void = () => undefined;
  const created = new Promise<void>((resolve) => (markCreated = resolve));
  const release = keepCliEventsFromEngine();
  const started = run(data, post, (v) => {
    vitest = v;
    markCreated();
  }).finally(markCreated);
  return {
    created,
    cancel: () => void vitest?.cancelCurrentRun('keyboard-input'),
    close: () =>
      (closing ??= (async () => {
        try {
          await started;
          await vitest?.close();
        } finally {
          release();
        }
      })()),
  };
}

async function run(data: EngineData, post: (m: FromEngine) => void, created: (v: Vitest) => void): Promise<void> {
  try {
    const { createVitest } = await import('vitest/node');
    const vitest = await createVitest(
      'test',
      {
        config: false,
        root: data.root,
        include: [...data.include],
        exclude: [],
        watch: false,
        pool: 'threads',
        isolate: false,
        // The judges are microseconds each: one worker thread is as fast as two and leaves the other
        // core to the probes.
        maxWorkers: 1,
        // Our compiled modules load natively in the worker instead of through vite's module runner
        // (as they do anyway from node_modules after `npx`): 0.9 s → 0.5 s to judge a run.
        server: { deps: { external: [/[\\/]dist[\\/](src|reporters)[\\/]/] } },
        reporters: [new CheckCollector(post)],
        passWithNoTests: true,
        silent: true,
        coverage: { enabled: false },
        typecheck: { enabled: false },
        // No results cache written into the install (read-only under a global npx): order is ours anyway.
        cache: false,
        provide: { doctorChannel: data.channel },
      },
      { logLevel: 'silent', clearScreen: false, server: { watch: null } },
      { stdout: sink(), stderr: sink() },
    );
    created(vitest);
    let runError: string | null = null;
    try {
      await vitest.start();
    } catch (err) {
      runError = err instanceof Error ? err.message : String(err);
    }
    post({ type: 'done', runError });
  } catch (err) {
    post({ type: 'done', runError: err instanceof Error ? err.message : String(err) });
  }
}
