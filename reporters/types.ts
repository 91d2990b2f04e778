// Reporters are classes on these hooks, registered in one map keyed by the CLI name (reporters/index.ts).
// A reporter says whether it owns stdout; stdout carries only the chosen output format.
import type { CheckResult, Report } from '../src/model.js';

/** One unit of gather work (a probe or a reader), for the live view. */
export interface GatherStep {
  readonly key: string; // e.g. 'tls', 'http2Host', 'k8s.service'
  readonly label: string; // e.g. 'TLS handshake with SNI milvus.example.com'
}

export interface RunInfo {
  readonly target: Report['target'];
  readonly startedAt: string;
  readonly checkCount: number;
  /** The selected checks in catalogue order (DNS → TCP → TLS → … → cloud), for reporters that print in order. */
  readonly checkIds?: readonly string[];
  /**
   * Per check, how long gathering its facts took (the slowest source it needs): the time a person wants
   * to see; judging takes about nothing. Absent for a replay.
   */
  readonly factsMs?: Readonly<Record<string, number>>;
  /** --from-snapshot: the facts are from this file, gathered then, not now. */
  readonly replay?: { readonly file: string; readonly gatheredAt: string };
}

export interface DoctorReporter {
  readonly name: string;
  readonly writesStdout: boolean;
  /**
   * True while the reporter redraws the terminal (the ink live view): the reporter set then holds back its
   * own stderr lines until onEnd, so they do not tear the display. Optional; default false.
   */
  readonly redrawsTerminal?: boolean;
  onGatherStart?(steps: readonly GatherStep[]): void;
  onGatherStep?(key: string, status: 'ok' | 'error' | 'skipped', ms: number): void;
  onRunStart?(info: RunInfo): void;
  onCheck?(result: CheckResult): void;
  onEnd(report: Report): void | Promise<void>;
}
