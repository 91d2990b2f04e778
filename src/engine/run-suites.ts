// Drives vitest from code (engine.ts). Vitest starts at once, before the facts exist: loading it, the vite
// server and its worker with the suites overlap the probes, and the suites wait for the facts on a
// channel (channel.ts). Only the suite files of the selected areas are run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Area, CheckResult } from '../model.js';
import type { Facts, JudgeOptions } from '../facts/types.js';
import { FactsChannel, channelName } from './channel.js';
import type { EngineControl, EngineData, FromEngine } from './engine.js';

export interface SuiteRun {
  readonly results: CheckResult[];
  /** Set when vitest itself could not run the suites (not a check verdict). */
  readonly runError: string | null;
}

/** A judging engine started before the facts exist: its start-up overlaps gather instead of following it. */
export interface SuiteEngine {
  /** Settles once vitest is made (or could not be): from then on it is only waiting for the facts. */
  readonly ready: Promise<void>;
  run(facts: Facts, judgeOptions: JudgeOptions, selected: readonly string[], onCheck: (result: CheckResult) => void, signal?: AbortSignal): Promise<SuiteRun>;
  close(): Promise<void>;
}

/** dist/ (or the source root under a TS runner): where suites/*.check.* live beside src/. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// In this thread: a thread of its own for vitest (measured) was no faster on 2 cores, where the probes,
// the SDK's thread and vitest's worker already share the CPU, and cost ~18 MiB more at the peak.
async function start(data: EngineData, onMessage: (m: FromEngine) => void): Promise<EngineControl> {
  const { startEngine } = await import('./engine.js');
  return startEngine(data, onMessage);
}

/** Starts the engine now. `areas`: the areas of the selected checks (default: every suite file). */
export function prepareSuites(areas?: readonly Area[]): SuiteEngine {
  const channel = new FactsChannel(channelName());
  const include = areas && areas.length > 0 ? [...new Set(areas)].map((a) => `suites/${a}.check.{js,ts}`) : ['suites/*.check.{js,ts}'];
  const data: EngineData = { root: PACKAGE_ROOT, include, channel: channel.name };
  let settle: (runError: string | null) => void = () => undefined;
  const finished = new Promise<string | null>((resolve) => (settle = resolve));
  let deliver: (result: CheckResult) => void = () => undefined;
  const onMessage = (m: FromEngine) => {
    if (m.type === 'check') deliver(m.result);
    else if (m.type === 'done') settle(m.runError);
  };
  const engine: Promise<EngineControl | null> = start(data, onMessage).catch((err: unknown) => {
    settle(err instanceof Error ? err.message : String(err));
    return null;
  });

  let ran = false;
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      // Nothing to judge: the suites waiting on the channel define no test and the run ends.
      if (!ran) channel.send({ type: 'abandon' });
      await (await engine)?.close();
      channel.close();
    })());

  return {
    ready: engine.then((e) => e?.created),
    close,
    async run(facts, judgeOptions, selected, onCheck, signal) {
      ran = true;
      const results: CheckResult[] = [];
      deliver = (r) => {
        results.push(r);
        onCheck(r);
      };
      const onAbort = () => void engine.then((e) => e?.cancel());
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        channel.send({ type: 'judge', judging: { facts, options: judgeOptions, selected: [...selected] } });
        return { results, runError: await finished };
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
    return await prepareSuites().run(facts, judgeOptions, selected, onCheck, signal);
  } catch (err) {
    return { results: [], runError: err instanceof Error ? err.message : String(err) };
  }
}
