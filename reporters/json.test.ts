import { readFile, readdir, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AREAS, VERDICTS } from '../src/model.js';
import type { Severity } from '../src/model.js';
import schema from '../schema/report.schema.json' with { type: 'json' };
import { ReportWriteError } from '../src/io/atomic-write.js';
import { JsonReporter, serializeReport } from './json.js';
import { createRedactor } from './redact.js';
import { SAMPLE_CHECKS, SAMPLE_SECRET, sampleReport } from './sample-run.js';
import { tempDir } from '../test/tmp.js';

// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('report schema', () => {
  it('lists exactly the areas and verdicts of src/model.ts, so they cannot drift', () => {
    expect(schema.$defs.area.enum).toEqual([...AREAS]);
    expect(schema.$defs.verdict.enum).toEqual([...VERDICTS]);
    expect(Object.keys(schema.properties.summary.properties)).toEqual([...VERDICTS]);
    expect(schema.properties.summary.required).toEqual([...VERDICTS]);
    // Severity is a type only: a Record over it fails to compile when a severity is added or removed.
    const severities: Record<Severity, true> = { critical: true, major: true, minor: true, info: true };
    expect(schema.$defs.severity.enum).toEqual(Object.keys(severities));
  });

  it('accepts a generated report that covers every verdict', () => {
    const report = JSON.parse(serializeReport(sampleReport(), (t) => t));
    expect(new Set(report.checks.map((c: { verdict: string }) => c.verdict))).toEqual(new Set(VERDICTS));
    const validate = validator();
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown area', (r: Record<string, unknown> & { checks: Record<string, unknown>[] }) => { r.checks[0].area = 'ftp'; }],
    ['an unknown verdict', (r: Record<string, unknown> & { checks: Record<string, unknown>[] }) => { r.checks[0].verdict = 'ok'; }],
    ['an extra check field', (r: Record<string, unknown> & { checks: Record<string, unknown>[] }) => { r.checks[0].extra = 1; }],
    ['an extra top-level field', (r: Record<string, unknown> & { checks: Record<string, unknown>[] }) => { r.extra = 1; }],
    ['a blocked check without blockedBy', (r: Record<string, unknown> & { checks: Record<string, unknown>[] }) => { delete r.checks[3].blockedBy; }],
    ['a bad startedAt', (r: Record<string, unknown> & { checks: Record<string, unknown>[] }) => { r.startedAt = 'yesterday'; }],
    ['a missing summary count', (r: Record<string, unknown> & { summary: Record<string, unknown>; checks: Record<string, unknown>[] }) => { delete r.summary.error; }],
  ])('rejects %s', (_name, mutate) => {
    const report = JSON.parse(serializeReport(sampleReport()));
    mutate(report);
    expect(validator()(report)).toBe(false);
  });
});

describe('JsonReporter', () => {
  it('writes only the report to stdout, redacted, in a stable key order', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const reporter = new JsonReporter({ out, secrets: [SAMPLE_SECRET] });
    expect(reporter.writesStdout).toBe(true);
    await reporter.onEnd(sampleReport());
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).not.toContain(SAMPLE_SECRET);
    const report = JSON.parse(text);
    expect(Object.keys(report)).toEqual(['version', 'target', 'startedAt', 'durationMs', 'summary', 'checks']);
    expect(Object.keys(report.checks[2])).toEqual([
      'id', 'area', 'title', 'verdict', 'severity', 'durationMs', 'expected', 'observed', 'hint', 'fix', 'docs', 'evidence',
    ]);
    expect(report.checks[2].evidence.authorization).toBe('Bearer [REDACTED]');
    expect(report.summary).toEqual({ pass: 2, warn: 1, fail: 1, skip: 1, blocked: 1, error: 1 });
    expect(validator()(report)).toBe(true);
  });

  it('stays schema-valid when a secret equals an area, a verdict or a summary key', () => {
    const report = JSON.parse(serializeReport(sampleReport(), createRedactor(['tls', 'pass', 'fail', 'version'])));
    expect(validator()(report)).toBe(true);
    expect(report.checks[1].area).toBe('tls');
    expect(report.summary.pass).toBe(2);
  });

  it('writes --json FILE atomically, creating the directory, leaving no temp file', async () => {
    const dir = tempDir('json-report-');
    const file = join(dir, 'out', 'report.json');
    const reporter = new JsonReporter({ file, secrets: [SAMPLE_SECRET] });
    expect(reporter.writesStdout).toBe(false);
    await reporter.onEnd(sampleReport());
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(SAMPLE_SECRET);
    expect(validator()(JSON.parse(text))).toBe(true);
    expect(await readdir(join(dir, 'out'))).toEqual(['report.json']);
  });

  it('replaces an existing file whole', async () => {
    const dir = tempDir('json-report-');
    const file = join(dir, 'report.json');
    await writeFile(file, 'x'.repeat(100_000));
    await new JsonReporter({ file }).onEnd(sampleReport());
    expect(JSON.parse(await readFile(file, 'utf8')).checks).toHaveLength(SAMPLE_CHECKS.length);
  });

  it('fails with a typed error naming the file when it cannot write', async () => {
    const dir = tempDir('json-report-');
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, '');
    await chmod(blocker, 0o444);
    const reporter = new JsonReporter({ file: join(blocker, 'report.json') });
    const err = await reporter.onEnd(sampleReport()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ReportWriteError);
    expect(err).toMatchObject({ code: 'REPORT_WRITE_FAILED', path: join(blocker, 'report.json') });
    expect(await readdir(dir)).toEqual(['not-a-dir']);
  });
});

describe('writing under a path that cannot exist', () => {
  // mkdir({ recursive: true }) never settles for /proc/<missing>/… on Node 20: the write must fail, not hang.
  it.runIf(process.platform === 'linux')('fails promptly under /proc', async () => {
    const err = await new JsonReporter({ file: '/proc/milvus-l7-doctor-nope/r.json' }).onEnd(sampleReport()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReportWriteError);
  }, 5_000);
});
