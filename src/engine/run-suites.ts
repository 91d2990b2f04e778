// Drives vitest from code: the gathered facts go in through `provide`, verdicts come back through
// task meta to a collector reporter. Vitest's own output goes to a sink so stdout stays ours.
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Reporter, TestCase, Vitest } from 'vitest/node';
import './meta.js';
import { CATALOG } from '../catalog.js';
import type { CheckResult } from '../model.js';
import type { Facts, JudgeOptions } from '../facts/types.js';
import { docsAnchor } from './suite.js';

/** dist/ (or the source root under a TS runner): where suites/*.check.* live beside src/. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

class CheckCollector implements Reporter {
  constructor(private readonly onCheck: (result: CheckResult) => void) {}

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta().doctor;
    const duration = Math.round(testCase.diagnostic()?.duration ?? 0);
    if (meta) {
      this.onCheck({ ...meta, durationMs: duration });
      return;
    }
    // No meta: the judge itself threw. That is "could not run", never a pass or a fail.
    const def = CATALOG.find((c) => c.id === testCase.name);
    const errors = testCase.result().errors ?? [];
    this.onCheck({
      id: testCase.name,
      area: def?.area ?? 'k8s',
      title: def?.title ?? testCase.name,
      severity: def?.severity ?? 'major',
      verdict: 'error',
      durationMs: duration,
      observed: `internal error while judging: ${errors[0]?.message ?? 'unknown'}`,
      hint: 'this is a bug in milvus-l7-doctor; please report it with the --snapshot file',
      docs: docsAnchor(testCase.name),
    });
  }
}

const sink = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });

export interface SuiteRun {
  readonly results: CheckResult[];
  /** Set when vitest itself could not run the suites (not a check verdict). */
  readonly runError: string | null;
}

/**
 * A vitest instance made ready before the facts exist: creating it (vite server, config, globbing)
 * costs about a second, which overlaps with gather instead of following it.
 */
export interface SuiteEngine {
  run(facts: Facts, judgeOptions: JudgeOptions, selected: readonly string[], onCheck: (result: CheckResult) => void, signal?: AbortSignal): Promise<SuiteRun>;
  close(): Promise<void>;
}

export async function prepareSuites(): Promise<SuiteEngine> {
  let deliver: (result: CheckResult) => void = () => undefined;
  const { createVitest } = await import('vitest/node');
  const vitest: Vitest = await createVitest(
    'test',
    {
      config: false,
      root: PACKAGE_ROOT,
      include: ['suites/*.check.{js,ts}'],
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
      reporters: [new CheckCollector((r) => deliver(r))],
      passWithNoTests: true,
      silent: true,
      coverage: { enabled: false },
    },
    { logLevel: 'silent', clearScreen: false, server: { watch: null } },
    { stdout: sink(), stderr: sink() },
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await vitest.close();
  };
  return {
    close,
    async run(facts, judgeOptions, selected, onCheck, signal) {
      const results: CheckResult[] = [];
      deliver = (r) => {
        results.push(r);
        onCheck(r);
      };
      const onAbort = () => void vitest.cancelCurrentRun('keyboard-input');
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        vitest.provide('doctorFacts', facts);
        vitest.provide('doctorJudgeOptions', judgeOptions);
        vitest.provide('doctorSelected', [...selected]);
        await vitest.start();
        return { results, runError: null };
      } catch (err) {
        return { results, runError: err instanceof Error ? err.message : String(err) };
      } finally {
        signal?.removeEventListener('abort', onAbort);
        await close();
      }
    },
  };
}

/** Prepares and runs in one go (when there is nothing to overlap with). */
export async function runSuites(
  facts: Facts,
  judgeOptions: JudgeOptions,
  selected: readonly string[],
  onCheck: (result: CheckResult) => void,
  signal?: AbortSignal,
): Promise<SuiteRun> {
  try {
    const engine = await prepareSuites();
    return await engine.run(facts, judgeOptions, selected, onCheck, signal);
  } catch (err) {
    return { results: [], runError: err instanceof Error ? err.message : String(err) };
  }
}
