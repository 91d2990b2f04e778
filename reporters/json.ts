// The machine-readable report (DESIGN.md §4), described by schema/report.schema.json. To stdout for
// `--output json` (and nothing else goes there), to a file for `--json FILE` (atomic).
import type { CheckResult, Report } from '../src/model.js';
import { ReportWriteError, writeFileAtomic } from '../src/io/atomic-write.js';
import { guardStream, writeOut } from './output.js';
import { createRedactor, redactCheck, redactDeep, type Redact } from './redact.js';
import type { DoctorReporter } from './types.js';

export type JsonCheck = CheckResult;
export type JsonReport = Report;

function toJsonCheck(c: CheckResult): JsonCheck {
  // A fixed key order and no undefined keys, so reports diff cleanly between runs.
  return {
    id: c.id,
    area: c.area,
    title: c.title,
    verdict: c.verdict,
    severity: c.severity,
    durationMs: c.durationMs,
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    ...(c.observed !== undefined ? { observed: c.observed } : {}),
    ...(c.hint !== undefined ? { hint: c.hint } : {}),
    ...(c.fix !== undefined ? { fix: c.fix } : {}),
    ...(c.docs !== undefined ? { docs: c.docs } : {}),
    ...(c.blockedBy !== undefined ? { blockedBy: c.blockedBy } : {}),
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.evidence && Object.keys(c.evidence).length > 0 ? { evidence: { ...c.evidence } } : {}),
  };
}

/** The report as written: canonical key order, secrets redacted from every free-text value and key. */
export function toJsonReport(report: Report, redact: Redact = (t) => t): JsonReport {
  return {
    version: redact(report.version),
    target: redactDeep({ ...report.target }, redact),
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    summary: {
      pass: report.summary.pass,
      warn: report.summary.warn,
      fail: report.summary.fail,
      skip: report.summary.skip,
      blocked: report.summary.blocked,
      error: report.summary.error,
    },
    ...(report.lookFirst ? { lookFirst: { id: report.lookFirst.id, hint: redact(report.lookFirst.hint) } } : {}),
    checks: report.checks.map((c) => toJsonCheck(redactCheck(c, redact))),
  };
}

export function serializeReport(report: Report, redact: Redact = (t) => t): string {
  // Values are redacted before serialising, never the serialised text: a short secret could match a key
  // or punctuation and leave a document that no longer validates.
  return JSON.stringify(toJsonReport(report, redact), null, 2) + '\n';
}

export type JsonReporterOptions =
  | { readonly out: NodeJS.WritableStream; readonly file?: undefined; readonly secrets?: readonly string[] }
  | { readonly file: string; readonly out?: undefined; readonly secrets?: readonly string[] };

export class JsonReporter implements DoctorReporter {
  readonly name: string;
  readonly writesStdout: boolean;
  private readonly options: JsonReporterOptions;
  private readonly redact: Redact;

  constructor(options: JsonReporterOptions) {
    this.options = options;
    this.name = options.file !== undefined ? 'json-file' : 'json';
    this.writesStdout = options.out !== undefined;
    this.redact = createRedactor(options.secrets);
    if (options.out) guardStream(options.out);
  }

  async onEnd(report: Report): Promise<void> {
    const text = serializeReport(report, this.redact);
    const { file, out } = this.options;
    if (file !== undefined) {
      try {
        await writeFileAtomic(file, text);
      } catch (cause) {
        throw new ReportWriteError('JSON', file, { cause });
      }
      return;
    }
    if (out) await writeOut(out, text);
  }
}
