import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from '../src/model.js';
import { JUnitReporter, JsonReporter, LazyTuiReporter, PlainReporter, ReporterSet, createReporters, type CreateReportersOptions, type DoctorReporter } from './index.js';
import { SAMPLE_CHECKS, SAMPLE_SECRET, playSampleRun, sampleReport } from './sample-run.js';
import { tempDir } from '../test/tmp.js';

function sink() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function options(over: Partial<CreateReportersOptions> = {}): CreateReportersOptions {
  return { output: 'plain', stdout: sink().stream, stderr: sink().stream, isTTY: false, color: false, ...over };
}

class Crashing implements DoctorReporter {
  readonly name = 'crashy';
  readonly writesStdout = false;
  calls: string[] = [];
  onCheck(): void {
    this.calls.push('onCheck');
    throw new Error(`boom with ${SAMPLE_SECRET}\nsecond line`);
  }
  onEnd(): void {
    this.calls.push('onEnd');
  }
}

describe('createReporters', () => {
  it.each([
    ['plain', {}, ['PlainReporter']],
    ['json to stdout', { output: 'json' as const }, ['JsonReporter']],
    ['tui on a pipe falls back to plain', { output: 'tui' as const, isTTY: false }, ['PlainReporter']],
    ['tui claimed TTY but the stream is no terminal falls back to plain', { output: 'tui' as const, isTTY: true }, ['PlainReporter']],
    ['files beside the chosen output', { jsonFile: '/tmp/r.json', junitFile: '/tmp/j.xml' }, ['PlainReporter', 'JsonReporter', 'JUnitReporter']],
  ])('%s', (_name, over, expected) => {
    const reporters = createReporters(options(over));
    expect(reporters.map((r) => r.constructor.name)).toEqual(expected);
    expect(reporters.filter((r) => r.writesStdout)).toHaveLength(1);
  });

  it('uses the live view on a terminal', () => {
    const stdout = Object.assign(sink().stream, { isTTY: true, columns: 80 });
    const [r] = createReporters(options({ output: 'tui', isTTY: true, stdout }));
    expect(r).toBeInstanceOf(LazyTuiReporter);
  });

  it('keeps secrets out of every output', async () => {
    const dir = tempDir('reporters-');
    const out = sink();
    const set = new ReporterSet(
      createReporters(options({ stdout: out.stream, jsonFile: join(dir, 'r.json'), junitFile: join(dir, 'j.xml'), secrets: [SAMPLE_SECRET] })),
      { stderr: sink().stream, secrets: [SAMPLE_SECRET] },
    );
    await playSampleRun(set);
    expect(set.failures()).toEqual([]);
    for (const text of [out.text(), await readFile(join(dir, 'r.json'), 'utf8'), await readFile(join(dir, 'j.xml'), 'utf8')]) {
      expect(text).not.toContain(SAMPLE_SECRET);
      expect(text).toContain('[REDACTED]');
    }
  });
});

describe('ReporterSet', () => {
  it('isolates a crashing reporter: one stderr line, the others carry on, onEnd still runs', async () => {
    const out = sink();
    const err = sink();
    const crashy = new Crashing();
    const set = new ReporterSet([crashy, new PlainReporter({ out: out.stream })], { stderr: err.stream, secrets: [SAMPLE_SECRET] });
    await playSampleRun(set);
    expect(crashy.calls).toEqual(['onCheck', 'onEnd']);
    expect(out.text().match(/^(PASS|WARN|FAIL|SKIP|BLOCKED|ERROR) /gm)).toHaveLength(SAMPLE_CHECKS.length);
    expect(err.text()).toBe('milvus-l7-doctor: the crashy reporter failed in onCheck: boom with [REDACTED]; the run goes on without it\n');
    expect(set.failures()).toMatchObject([{ reporter: 'crashy', hook: 'onCheck', kind: 'crash' }]);
    expect(set.exitCode(EXIT.ok)).toBe(EXIT.incomplete);
  });

  it('reports a report file it cannot write as one clear line and exit code 3', async () => {
    const dir = tempDir('reporters-');
    await writeFile(join(dir, 'file'), '');
    const bad = join(dir, 'file', 'junit.xml');
    const out = sink();
    const err = sink();
    const set = new ReporterSet(
      [new PlainReporter({ out: out.stream }), new JUnitReporter({ file: bad }), new JsonReporter({ file: join(dir, 'ok.json') })],
      { stderr: err.stream },
    );
    const report = sampleReport(SAMPLE_CHECKS.filter((c) => c.verdict === 'pass'));
    await playSampleRun(set, 0, report);
    const lines = err.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^milvus-l7-doctor: could not write JUnit report to ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(set.failures()).toMatchObject([{ reporter: 'junit', hook: 'onEnd', kind: 'write' }]);
    expect(JSON.parse(await readFile(join(dir, 'ok.json'), 'utf8')).checks).toHaveLength(report.checks.length);
    expect(set.exitCode(exitCodeFor(report.summary, 'fail'))).toBe(EXIT.incomplete);
    // A failed check says more than a missing file: it stays 1.
    expect(set.exitCode(EXIT.failed)).toBe(EXIT.failed);
  });

  it('holds stderr lines back while a live view redraws the terminal', async () => {
    const err = sink();
    const order: string[] = [];
    const live: DoctorReporter = {
      name: 'live',
      writesStdout: true,
      redrawsTerminal: true,
      onEnd: () => {
        order.push(`live ended; stderr so far: ${JSON.stringify(err.text())}`);
      },
    };
    const set = new ReporterSet([live, new Crashing()], { stderr: err.stream });
    set.onCheck(SAMPLE_CHECKS[0]);
    await new Promise((r) => setTimeout(r, 10));
    expect(err.text()).toBe('');
    await set.onEnd(sampleReport());
    expect(order).toEqual(['live ended; stderr so far: ""']);
    expect(err.text()).toContain('the crashy reporter failed in onCheck');
  });

  it('survives a rejected onEnd and still resolves', async () => {
    const failing: DoctorReporter = { name: 'f', writesStdout: false, onEnd: () => Promise.reject(new Error('nope')) };
    const set = new ReporterSet([failing], { stderr: sink().stream });
    await expect(set.onEnd(sampleReport())).resolves.toBeUndefined();
    expect(set.failures()).toHaveLength(1);
  });

  it('survives a real EPIPE from a reader that went away (| head -n 1)', async () => {
    const head = spawn('head', ['-n', '1'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((r) => head.on('exit', r));
    const set = new ReporterSet([new PlainReporter({ out: head.stdin })], { stderr: sink().stream });
    set.onCheck(SAMPLE_CHECKS[0]);
    await exited;
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...SAMPLE_CHECKS[2], id: `c${i}` }));
    for (const c of many) set.onCheck(c);
    await set.onEnd(sampleReport(many));
    expect(set.failures()).toEqual([]);
  });

  it('stops writing quietly when stdout is closed (EPIPE, as with | head)', async () => {
    const out = new PassThrough();
    out.destroy();
    const set = new ReporterSet([new PlainReporter({ out })], { stderr: sink().stream });
    await playSampleRun(set);
    expect(set.failures()).toEqual([]);
  });
});
