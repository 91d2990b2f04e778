// JUnit XML for CI and dashboards (`--junit FILE`): one <testsuite> per area, one <testcase> per check
// with stable names (the check id), timings and properties. Written atomically.
import type { Area, CheckResult, Report, Summary } from '../src/model.js';
import { AREAS, summarize } from '../src/model.js';
import { ReportWriteError, writeFileAtomic } from '../src/io/atomic-write.js';
import { guardStream, writeOut } from './output.js';
import { formatBlocked } from './presentation.js';
import { createRedactor, redactCheck, type Redact } from './redact.js';
import type { DoctorReporter } from './types.js';

export const JUNIT_ROOT_NAME = 'milvus-l7-doctor';

// XML 1.0 cannot carry these at all, not even as character references; they are shown as \xHH (or \uHHHH).
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also keep their newlines and tabs, which a parser would otherwise fold into spaces. */
export function escapeXmlAttr(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attrs(pairs: Readonly<Record<string, string | number>>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join('');
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

function counts(s: Summary) {
  // JUnit has no "warning" or "blocked": a warning passes, blocked is skipped (with its reason).
  return {
    tests: s.pass + s.warn + s.fail + s.skip + s.blocked + s.error,
    failures: s.fail,
    errors: s.error,
    skipped: s.skip + s.blocked,
  };
}

/** The finding as readable text: the body of <failure>, <error> and a warning's <system-out>. */
export function findingText(c: CheckResult): string {
  const lines: string[] = [];
  if (c.verdict === 'blocked' || c.blockedBy) lines.push(formatBlocked(c));
  if (c.expected !== undefined) lines.push(`expected: ${c.expected}`);
  if (c.observed !== undefined) lines.push(`observed: ${c.observed}`);
  if (c.reason !== undefined && c.verdict !== 'blocked') lines.push(`reason: ${c.reason}`);
  if (c.hint !== undefined) lines.push(`hint: ${c.hint}`);
  if (c.fix !== undefined) lines.push('fix:', ...c.fix.replace(/\s+$/, '').split(/\r?\n/).map((l) => `  ${l}`));
  if (c.docs !== undefined) lines.push(`docs: ${c.docs}`);
  return lines.join('\n');
}

function headline(c: CheckResult): string {
  if (c.expected !== undefined && c.observed !== undefined) return `expected ${c.expected}; observed ${c.observed}`;
  return c.observed ?? c.hint ?? c.reason ?? c.title;
}

function caseProperties(c: CheckResult): [string, string][] {
  const props: [string, string | undefined][] = [
    ['id', c.id],
    ['title', c.title],
    ['area', c.area],
    ['severity', c.severity],
    ['verdict', c.verdict],
    ['hint', c.hint],
    ['docs', c.docs],
    ['expected', c.expected],
    ['observed', c.observed],
    ['blockedBy', c.blockedBy],
    ['reason', c.reason],
    ['warning', c.verdict === 'warn' ? headline(c) : undefined],
  ];
  for (const [k, v] of Object.entries(c.evidence ?? {})) props.push([`evidence.${k}`, v]);
  return props.filter((p): p is [string, string] => p[1] !== undefined);
}

function propertiesXml(props: readonly [string, string][], indent: string): string[] {
  if (props.length === 0) return [];
  return [
    `${indent}<properties>`,
    ...props.map(([name, value]) => `${indent}  <property${attrs({ name, value })}/>`),
    `${indent}</properties>`,
  ];
}

function testcaseXml(c: CheckResult): string[] {
  const i = '    ';
  const open = `${i}<testcase${attrs({ name: c.id, classname: c.area, time: seconds(c.durationMs) })}>`;
  const body: string[] = propertiesXml(caseProperties(c), `${i}  `);
  const inner = `${i}  `;
  switch (c.verdict) {
    case 'fail':
      body.push(`${inner}<failure${attrs({ message: headline(c), type: c.severity })}>${escapeXmlText(findingText(c))}</failure>`);
      break;
    case 'error':
      // The check could not run (permission denied, API unreachable): not a finding about the deployment.
      body.push(`${inner}<error${attrs({ message: c.observed ?? c.reason ?? 'could not run', type: 'could-not-run' })}>${escapeXmlText(findingText(c))}</error>`);
      break;
    case 'skip':
      body.push(`${inner}<skipped${attrs({ message: c.reason ?? 'not applicable' })}/>`);
      break;
    case 'blocked':
      body.push(`${inner}<skipped${attrs({ message: formatBlocked(c) })}/>`);
      break;
    case 'warn':
      body.push(`${inner}<system-out>${escapeXmlText(`WARN ${c.id}: ${c.title}\n${findingText(c)}`)}</system-out>`);
      break;
    case 'pass':
      break;
  }
  return [open, ...body, `${i}</testcase>`];
}

/** Builds the document; every string passes through `redact` before it is escaped. */
export function toJUnitXml(report: Report, redact: Redact = (t) => t): string {
  const checks = report.checks.map((c) => redactCheck(c, redact));
  const byArea = new Map<Area, CheckResult[]>();
  for (const c of checks) {
    const list = byArea.get(c.area) ?? [];
    list.push(c);
    byArea.set(c.area, list);
  }
  const timestamp = report.startedAt;
  const runProps: [string, string][] = [
    ['doctor.version', redact(report.version)],
    ...Object.entries(report.target)
      .filter(([, v]) => v !== null)
      .map(([k, v]): [string, string] => [`target.${redact(k)}`, redact(Array.isArray(v) ? v.join(',') || 'none' : String(v))]),
    ...(report.lookFirst ? ([['doctor.lookFirst', `${report.lookFirst.id}: ${redact(report.lookFirst.hint)}`]] as [string, string][]) : []),
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: JUNIT_ROOT_NAME, ...counts(summarize(checks)), time: seconds(report.durationMs), timestamp })}>`,
  ];
  // Areas in the canonical order of model.ts, so suites line up across runs.
  for (const area of AREAS) {
    const list = byArea.get(area);
    if (!list) continue;
    const time = list.reduce((t, c) => t + c.durationMs, 0);
    lines.push(`  <testsuite${attrs({ name: area, ...counts(summarize(list)), time: seconds(time), timestamp })}>`);
    lines.push(...propertiesXml(runProps, '    '));
    for (const c of list) lines.push(...testcaseXml(c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  // No redaction pass over the finished document: a short secret could match markup and break the XML.
  // Every value was redacted above, before escaping; the markup around them is ours.
  return lines.join('\n') + '\n';
}

export type JUnitReporterOptions =
  | { readonly file: string; readonly out?: undefined; readonly secrets?: readonly string[] }
  /** `--junit -`: the XML is all that stdout carries. */
  | { readonly out: NodeJS.WritableStream; readonly file?: undefined; readonly secrets?: readonly string[] };

export class JUnitReporter implements DoctorReporter {
  readonly name = 'junit';
  readonly writesStdout: boolean;
  private readonly file: string | undefined;
  private readonly out: NodeJS.WritableStream | undefined;
  private readonly redact: Redact;

  constructor(options: JUnitReporterOptions) {
    this.file = options.file;
    this.out = options.out;
    this.writesStdout = options.out !== undefined;
    this.redact = createRedactor(options.secrets);
    if (options.out) guardStream(options.out);
  }

  async onEnd(report: Report): Promise<void> {
    const xml = toJUnitXml(report, this.redact);
    if (this.out) return writeOut(this.out, xml);
    if (this.file === undefined) return;
    try {
      await writeFileAtomic(this.file, xml);
    } catch (cause) {
      throw new ReportWriteError('JUnit', this.file, { cause });
    }
  }
}
