// One doctor run: gather (or load) facts, judge them in the vitest suites, report, and pick the exit code.
import { setTimeout as sleep } from 'node:timers/promises';
import { CATALOG, byReportOrder } from '../catalog.js';
import { EXIT, exitCodeFor, summarize, type Area, type CheckResult, type Report } from '../model.js';
import type { Facts, JudgeOptions } from '../facts/types.js';
import { gather } from '../gather/gather.js';
import { rootNeeds } from '../checks/needs.js';
import { storedSources } from '../sources/registry.js';
import { judgeCheck } from '../checks/define.js';
import { loadSnapshot, saveSnapshot } from '../facts/snapshot.js';
import { prepareSuites, type SuiteEngine, type SuiteRun } from '../engine/run-suites.js';
import { planSources, prepareSources } from '../gather/plan.js';
import type { SourceKey } from '../sources/values.js';
import { ReporterSet, createReporters, detectColor } from '../../reporters/index.js';
import { firstToLookAt } from '../../reporters/presentation.js';
import type { GatherStep } from '../../reporters/types.js';
import type { RunConfig } from './config.js';
import { VERSION } from './version.js';

export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

/** The live view's list of what gather will do: the planned sources that store a fact, with their labels. */
function gatherSteps(): readonly GatherStep[] {
  return storedSources().map((d) => ({ key: d.key, label: d.label }));
}

function judgeOptions(config: RunConfig, now: string): JudgeOptions {
  return { warnDays: config.warnDays, failDays: config.failDays, maxLatencyMs: config.maxLatencyMs, smoke: config.gather.smoke, now };
}

/** The checks that would fail right now, judged in-process (cheap): what --wait waits on. */
function failingNow(facts: Facts, options: JudgeOptions, selected: ReadonlySet<string>): string[] {
  return CATALOG.filter((c) => selected.has(c.id))
    .filter((c) => {
      const v = judgeCheck(c, facts, options).verdict;
      return v === 'fail' || v === 'error' || (v === 'warn' && c.settles === true);
    })
    .map((c) => c.id);
}

/** Per check, the slowest gather step among the sources it needs. */
function factsTimes(selected: readonly string[], stepMs: ReadonlyMap<string, number>): Record<string, number> {
  const ids = new Set(selected);
  const out: Record<string, number> = {};
  for (const c of CATALOG) {
    if (!ids.has(c.id)) continue;
    out[c.id] = Math.max(0, ...c.needs.map((k) => stepMs.get(k) ?? 0));
  }
  return out;
}

function selectedAreas(selected: readonly string[]): Area[] {
  const ids = new Set(selected);
  return [...new Set(CATALOG.filter((c) => ids.has(c.id)).map((c) => c.area))];
}

function targetOf(facts: Facts): Report['target'] {
  const t = facts.target;
  return {
    host: t.host,
    address: t.address,
    port: t.port,
    serverName: t.serverName,
    provider: t.provider,
    credentials: t.credentials,
    ...(t.healthzUrl ? { healthzUrl: t.healthzUrl } : {}),
    ...(facts.k8s ? { kubernetes: facts.k8s.source } : {}),
  };
}

export async function runCheck(config: RunConfig, io: Io, signal: AbortSignal, extraTarget: Report['target'] = {}): Promise<number> {
  const startedAt = new Date();
  const reporters = new ReporterSet(
    createReporters({
      output: config.output,
      jsonFile: config.jsonFile ?? undefined,
      junitFile: config.junitFile ?? undefined,
      stdout: io.stdout,
      stderr: io.stderr,
      isTTY: io.stdout.isTTY === true,
      color: detectColor(io.stdout, io.env),
      secrets: config.secrets,
      verbosity: config.verbosity,
    }),
    { stderr: io.stderr, secrets: config.secrets },
  );

  // What the selected checks need is started before anything else here (the SDK's thread is the
  // longest start-up), and only that.
  const needs = config.fromSnapshot ? null : planSources(rootNeeds(config.selected, config.gather), config.gather);
  const release = needs ? prepareSources(needs, config.gather) : async () => undefined;
  // The judging engine starts now, with the suite files of the selected areas only: its whole start-up
  // (vitest, vite, its worker and the suites) overlaps the probes; a run that ends early closes it.
  const engineReady: Promise<SuiteEngine | Error> = (async () => prepareSuites(selectedAreas(config.selected)))().catch((err: unknown) =>
    err instanceof Error ? err : new Error(String(err)),
  );
  // MILVUS_L7_DOCTOR_DEBUG: where the start-up time goes, on stderr.
  if (io.env.MILVUS_L7_DOCTOR_DEBUG) {
    void engineReady.then(async (engine) => {
      if (engine instanceof Error) return;
      await engine.ready;
      io.stderr.write(`milvus-l7-doctor: debug: judging engine made after ${Date.now() - startedAt.getTime()} ms\n`);
    });
  }
  try {
    return await judgeAndReport(needs ?? new Set(), config, io, signal, extraTarget, reporters, startedAt, engineReady);
  } finally {
    const engine = await engineReady;
    if (!(engine instanceof Error)) await engine.close();
    await release();
  }
}

async function judgeAndReport(
  plan: ReadonlySet<SourceKey>,
  config: RunConfig,
  io: Io,
  signal: AbortSignal,
  extraTarget: Report['target'],
  reporters: ReporterSet,
  startedAt: Date,
  engineReady: Promise<SuiteEngine | Error>,
): Promise<number> {
  let facts: Facts;
  const stepMs = new Map<string, number>();
  if (config.fromSnapshot) {
    facts = loadSnapshot(config.fromSnapshot);
  } else {
    reporters.onGatherStart?.(gatherSteps().filter((st) => plan.has(st.key as SourceKey)));
    const onStep = (key: string, status: 'ok' | 'error' | 'skipped', ms: number) => {
      stepMs.set(key, Math.max(stepMs.get(key) ?? 0, ms));
      reporters.onGatherStep?.(key, status, ms);
    };
    const selected = new Set(config.selected);
    const deadline = config.waitMs !== null ? Date.now() + config.waitMs : null;
    for (let attempt = 1; ; attempt++) {
      facts = (await gather(config.gather, plan, signal, onStep)).facts;
      if (deadline === null || signal.aborted) break;
      const failing = failingNow(facts, judgeOptions(config, new Date().toISOString()), selected);
      const left = deadline - Date.now();
      if (failing.length === 0 || left <= 0) break;
      const pause = Math.min(5000, left);
      reporters.notice(`milvus-l7-doctor: attempt ${attempt}: ${failing.length} failing (${failing.slice(0, 4).join(', ')}${failing.length > 4 ? ', …' : ''}); retrying in ${Math.ceil(pause / 1000)} s, ${Math.ceil(left / 1000)} s left of --wait`);
      try {
        await sleep(pause, undefined, { signal });
      } catch {
        break;
      }
    }
  }
  if (config.snapshotFile) await saveSnapshot(config.snapshotFile, facts);

  const target = { ...targetOf(facts), ...extraTarget };
  const byCatalogue = byReportOrder;
  reporters.onRunStart?.({
    target,
    startedAt: startedAt.toISOString(),
    checkCount: config.selected.length,
    checkIds: [...config.selected].sort(byCatalogue),
    ...(config.fromSnapshot ? { replay: { file: config.fromSnapshot, gatheredAt: facts.gatheredAt } } : { factsMs: factsTimes(config.selected, stepMs) }),
  });
  const options = judgeOptions(config, config.fromSnapshot ? facts.gatheredAt : new Date().toISOString());
  const engine = await engineReady;
  const run: SuiteRun = engine instanceof Error
    ? { results: [], runError: engine.message }
    : await engine.run(facts, options, config.selected, (r) => reporters.onCheck(r), signal);
  // A check that never reported (a suite file missing from the install, a worker that died) must not
  // pass silently as "nothing failed".
  const reported = new Set(run.results.map((r) => r.id));
  const missing = config.selected.filter((id) => !reported.has(id));
  const runError = run.runError ?? (missing.length > 0 ? `${missing.length} selected check(s) never reported: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}` : null);
  if (runError) reporters.notice(`milvus-l7-doctor: the check engine failed: ${runError}`);

  const checks: CheckResult[] = [...run.results].sort((a, b) => byCatalogue(a.id, b.id));
  const summary = summarize(checks);
  const first = firstToLookAt(checks);
  const report: Report = {
    version: VERSION,
    // A replay says so in the report too: a CI reader must not take old facts for a fresh check.
    target: config.fromSnapshot ? { ...target, replayOf: config.fromSnapshot, factsGatheredAt: facts.gatheredAt } : target,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    summary,
    ...(first ? { lookFirst: { id: first.id, hint: first.hint ?? first.observed ?? first.title } } : {}),
    checks,
  };
  await reporters.onEnd(report);
  const code = reporters.exitCode(exitCodeFor(summary, config.failOn));
  // An interrupted run did not complete, whatever it found before it stopped.
  if (signal.aborted && code !== EXIT.usage) return EXIT.incomplete;
  if (runError && code === EXIT.ok) return EXIT.incomplete;
  return code;
}
