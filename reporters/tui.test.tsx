import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/model.js';
import { SAMPLE_CHECKS, SAMPLE_SECRET, SAMPLE_STEPS, SAMPLE_STEP_RESULTS, SAMPLE_TARGET, playSampleRun, sampleReport } from './sample-run.js';
import { createRedactor } from './redact.js';
import { TuiReporter } from './tui.js';
import { LazyTuiReporter } from './tui-lazy.js';
import { App } from './tui/App.js';
import { CheckRow } from './tui/CheckRow.js';
import { createTuiStore, initialTuiState, reduceTui } from './tui/state.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 20));

function setup() {
  const store = createTuiStore(createRedactor([SAMPLE_SECRET]));
  const view = render(<App store={store} color={false} />);
  return { store, view };
}

describe('live view', () => {
  it('prints checks in catalogue order whatever order they finish in, counting them as they come', () => {
    const ids = SAMPLE_CHECKS.map((c) => c.id);
    let state = reduceTui(initialTuiState, { type: 'runStart', info: { target: SAMPLE_TARGET, startedAt: '', checkCount: ids.length + 1, checkIds: [ids[0]!, 'never.reported', ...ids.slice(1)] } });
    const printedIds = () => state.finished.filter((i) => i.kind === 'check').map((i) => (i.kind === 'check' ? i.check.id : ''));
    for (const c of [...SAMPLE_CHECKS].reverse()) state = reduceTui(state, { type: 'check', result: c });
    // All counted at once; only the first printed, since the second never came.
    expect(state.counts.pass + state.counts.warn + state.counts.fail + state.counts.skip + state.counts.blocked + state.counts.error).toBe(ids.length);
    expect(printedIds()).toEqual([ids[0]]);
    state = reduceTui(state, { type: 'end', report: sampleReport() });
    // Not-applicable checks are not rows: they fold into one line per reason at the end.
    const skipped = new Set(SAMPLE_CHECKS.filter((c) => c.verdict === 'skip').map((c) => c.id));
    expect(printedIds()).toEqual(ids.filter((id) => !skipped.has(id)));
    expect(state.finished.filter((i) => i.kind === 'folded')).toHaveLength(1);
    // In order, each area gets one heading.
    const headings = state.finished.filter((i) => i.kind === 'area');
    expect(headings.every((h) => h.kind === 'area' && !h.continued)).toBe(true);
  });

  it('shows beside a check the time its facts took, not its judging time', async () => {
    const { store, view } = setup();
    const first = SAMPLE_CHECKS[0]!;
    store.dispatch({ type: 'runStart', info: { target: SAMPLE_TARGET, startedAt: '', checkCount: 1, checkIds: [first.id], factsMs: { [first.id]: 1234 } } });
    store.dispatch({ type: 'check', result: { ...first, durationMs: 0 } });
    await tick();
    expect(view.lastFrame() ?? '').toMatch(new RegExp(`${first.id.replace('.', '\\.')} .* 1\\.2 s`));
    view.unmount();
  });

  it('a replay says so in the header, with when the facts were gathered', async () => {
    const { store, view } = setup();
    store.dispatch({ type: 'runStart', info: { target: SAMPLE_TARGET, startedAt: '', checkCount: 1, replay: { file: 'facts.json', gatheredAt: '2026-12-01T10:00:00.000Z' } } });
    await tick();
    expect(view.lastFrame() ?? '').toContain('milvus-l7-doctor · replaying facts.json (facts gathered 2026-12-01T10:00:00.000Z, not now)');
    view.unmount();
  });

  it('shows the header and a spinner per running gather step, then each step’s result', async () => {
    const { store, view } = setup();
    store.dispatch({ type: 'runStart', info: { target: SAMPLE_TARGET, startedAt: '', checkCount: SAMPLE_CHECKS.length } });
    store.dispatch({ type: 'gatherStart', steps: SAMPLE_STEPS });
    await tick();
    let frame = view.lastFrame() ?? '';
    expect(frame).toContain('milvus-l7-doctor · 7 checks · host=milvus.example.com address=203.0.113.10 port=443');
    expect(frame).toContain('gathering facts 0/5');
    expect(frame).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] TLS handshake with SNI milvus.example.com/);

    store.dispatch({ type: 'gatherStep', key: 'tls', status: 'ok', ms: 38 });
    store.dispatch({ type: 'gatherStep', key: 'http2Host', status: 'error', ms: 112 });
    await tick();
    frame = view.lastFrame() ?? '';
    expect(frame).toContain('gathering facts 2/5');
    expect(frame).toContain('✔ TLS handshake with SNI milvus.example.com (38 ms)');
    expect(frame).toContain('✘ HTTP/2 POST with :authority milvus.example.com (112 ms, error)');
    expect(frame).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] resolve milvus.example.com/);
    view.unmount();
  });

  it('prints finished checks grouped by area with findings, running counts, then the summary last', async () => {
    const { store, view } = setup();
    store.dispatch({ type: 'runStart', info: { target: SAMPLE_TARGET, startedAt: '', checkCount: SAMPLE_CHECKS.length } });
    store.dispatch({ type: 'gatherStart', steps: SAMPLE_STEPS });
    for (const s of SAMPLE_STEP_RESULTS) store.dispatch({ type: 'gatherStep', ...s });
    for (const c of SAMPLE_CHECKS.slice(0, 3)) store.dispatch({ type: 'check', result: c });
    await tick();
    let frame = view.lastFrame() ?? '';
    // Header and gather results moved into <Static>: printed once, above the checks.
    expect(frame.match(/milvus-l7-doctor ·/g)).toHaveLength(1);
    expect(frame.indexOf('milvus-l7-doctor ·')).toBeLessThan(frame.indexOf('✔ dns.resolves'));
    expect(frame).toContain('checks 3/7 · 1 pass · 1 warn · 1 fail');
    expect(frame).toMatch(/^dns\n\s+✔ dns\.resolves {2}the host resolves to the load balancer address {2}4 ms$/m);
    expect(frame).toMatch(/^http2\n\s+✘ FAIL http2\.authority-routed/m);
    expect(frame).toContain('observed: :status 404 text/html from the default backend');
    expect(frame).toContain('hint:     the Ingress host rule does not match');
    expect(frame).toContain('\\x07bell');

    for (const c of SAMPLE_CHECKS.slice(3)) store.dispatch({ type: 'check', result: c });
    store.dispatch({ type: 'end', report: sampleReport() });
    await tick();
    frame = view.lastFrame() ?? '';
    expect(frame).toContain('⊘ BLOCKED grpc.get-version');
    expect(frame).toMatch(/⊘ BLOCKED grpc\.get-version .* — by\s+http2\.authority-routed: requests do not reach Milvus/);
    expect(frame).toContain('- SKIP aws.target-group-grpc: provider is gcp');
    // A failure shows what plain output shows.
    expect(frame).toContain('expected: :status 200 with content-type application/grpc');
    expect(frame).toMatch(/fix: +kubectl -n milvus patch ingress milvus/);
    expect(frame).toMatch(/docs\/checks\.md#http2\.authority-routed\s+\(or:\s+milvus-l7-doctor\s+explain\s+http2\.authority-routed\)/);
    // The end frame keeps what needs attention beside the summary.
    expect(frame).toMatch(/needs attention:\n\s+FAIL +http2\.authority-routed {2}the Ingress host rule/);
    // Gathering, once done, is one line plus the steps that errored.
    expect(frame).toContain('gathered 5 facts: 3 ok, 2 error, 0 skipped (slowest 240 ms)');
    expect(frame).toContain('✘ read backend service (240 ms, error)');
    expect(frame).not.toContain('✔ read Ingress milvus/milvus');
    expect(frame).toContain('! ERROR gcp.backend-http2');
    expect(frame).not.toContain(SAMPLE_SECRET);
    expect(frame).toContain('[REDACTED]');
    const lines = frame.trimEnd().split('\n');
    const summaryAt = lines.indexOf('summary: 2 pass, 1 warn, 1 fail, 1 skip, 1 blocked, 1 error in 1.2 s');
    expect(summaryAt).toBeGreaterThan(lines.findLastIndex((l) => l.includes('k8s.ingress-class')));
    expect(lines[summaryAt + 1]).toMatch(/^look first: FAIL http2\.authority-routed: /);
    expect(lines.slice(summaryAt + 1).join(' ')).toContain('set spec.rules[].host to milvus.example.com (docs/checks.md#http2.authority-routed)');
    expect(frame).not.toContain('checks 7/7');
    // Every area heading once, since checks came grouped.
    for (const area of ['dns', 'tls', 'http2', 'grpc', 'gcp', 'k8s']) expect(lines.filter((l) => l === area)).toHaveLength(1);
    view.unmount();
  });

  it('accepts gather before run start and checks that only arrive with the report', async () => {
    const { store, view } = setup();
    store.dispatch({ type: 'gatherStart', steps: SAMPLE_STEPS });
    store.dispatch({ type: 'runStart', info: { target: SAMPLE_TARGET, startedAt: '', checkCount: 7 } });
    store.dispatch({ type: 'end', report: sampleReport() });
    await tick();
    const frame = view.lastFrame() ?? '';
    for (const c of SAMPLE_CHECKS) expect(frame.match(new RegExp(`\\b${c.id.replace(/\./g, '\\.')}\\b`, 'g'))?.length).toBeGreaterThan(0);
    expect(frame).toContain('milvus-l7-doctor · 7 checks · host=milvus.example.com');
    view.unmount();
  });

  it('shows a "continued" heading when an area comes back', () => {
    const base = { title: 't', severity: 'info', verdict: 'pass', durationMs: 0 } as const;
    const checks: CheckResult[] = [
      { ...base, id: 'a', area: 'tls' },
      { ...base, id: 'b', area: 'dns' },
      { ...base, id: 'c', area: 'tls' },
    ];
    const state = checks.reduce((s, c) => reduceTui(s, { type: 'check', result: c }), initialTuiState);
    expect(state.finished.filter((i) => i.kind === 'area').map((i) => (i.kind === 'area' ? `${i.area}${i.continued ? '+' : ''}` : ''))).toEqual([
      'tls',
      'dns',
      'tls+',
    ]);
  });

  it('shows the observed value and hint for findings only', () => {
    const pass = render(<CheckRow check={{ ...SAMPLE_CHECKS[0] }} />);
    expect(pass.lastFrame()).not.toContain('observed');
    const warn = render(<CheckRow check={SAMPLE_CHECKS[1]} />);
    expect(warn.lastFrame()).toContain('observed: expires in 9 days');
    expect(warn.lastFrame()).toContain('hint:     renew the certificate');
  });

  it('keeps the run going when a component throws', async () => {
    const store = createTuiStore();
    let caught: Error | undefined;
    const view = render(<App store={store} color={false} onError={(e) => (caught = e)} />);
    const broken = { ...SAMPLE_CHECKS[0], area: { not: 'an area' } } as unknown as CheckResult;
    store.dispatch({ type: 'check', result: broken });
    await tick();
    expect(caught).toBeInstanceOf(Error);
    expect(view.lastFrame()).toContain('live view failed');
    view.unmount();
  });
});

/** Just enough of a TTY WriteStream for ink. */
class FakeTty extends EventEmitter {
  readonly isTTY = true;
  columns = 100;
  rows = 40;
  writable = true;
  destroyed = false;
  writableEnded = false;
  chunks: string[] = [];
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean {
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    cb?.();
    return true;
  }
  text(): string {
    return this.chunks.join('');
  }
}

function asWriteStream(s: FakeTty): NodeJS.WriteStream {
  // The fake implements what ink touches (write, columns, rows, isTTY, events); the rest is never called.
  return s as unknown as NodeJS.WriteStream;
}

describe('TuiReporter', () => {
  it('renders a whole run, finishes in onEnd, and leaves no secret on screen', async () => {
    const out = new FakeTty();
    const reporter = new TuiReporter({ stdout: asWriteStream(out), stderr: asWriteStream(new FakeTty()), color: false, secrets: [SAMPLE_SECRET] });
    await playSampleRun(reporter);
    const text = out.text();
    expect(text).toContain('FAIL http2.authority-routed');
    expect(text).toContain('summary: 2 pass, 1 warn, 1 fail, 1 skip, 1 blocked, 1 error in 1.2 s');
    expect(text).not.toContain(SAMPLE_SECRET);
    expect(reporter.failure()).toBeUndefined();
  });

  it('prints plain results when the live view breaks', async () => {
    const out = new FakeTty();
    const reporter = new TuiReporter({ stdout: asWriteStream(out), stderr: asWriteStream(new FakeTty()) });
    reporter.onCheck({ ...SAMPLE_CHECKS[0], area: { not: 'an area' } } as unknown as CheckResult);
    await reporter.onEnd(sampleReport());
    expect(reporter.failure()).toBeInstanceOf(Error);
    expect(out.text()).toContain('live view failed');
    expect(out.text()).toMatch(/^FAIL {4}http2\.authority-routed/m);
    expect(out.text()).toContain('summary: 2 pass');
  });
});

describe('LazyTuiReporter', () => {
  it('queues hooks until ink has loaded, then replays them in order', async () => {
    const out = new FakeTty();
    const reporter = new LazyTuiReporter({ stdout: asWriteStream(out), stderr: asWriteStream(new FakeTty()), secrets: [SAMPLE_SECRET] });
    await playSampleRun(reporter);
    const text = out.text();
    expect(text.indexOf('dns.resolves')).toBeLessThan(text.indexOf('k8s.ingress-class'));
    expect(text).toContain('summary: 2 pass, 1 warn, 1 fail, 1 skip, 1 blocked, 1 error in 1.2 s');
    expect(text).not.toContain(SAMPLE_SECRET);
  });

  it('prints plain text, with one line on stderr, when the live view cannot load', async () => {
    const out = new FakeTty();
    const err = new FakeTty();
    const reporter = new LazyTuiReporter({ stdout: asWriteStream(out), stderr: asWriteStream(err) }, () => Promise.reject(new Error('no yoga')));
    await playSampleRun(reporter);
    expect(err.text()).toBe('milvus-l7-doctor: live view unavailable (no yoga); plain output instead\n');
    expect(out.text()).toMatch(/^PASS {4}dns\.resolves/m);
    expect(out.text()).toContain('summary: 2 pass');
  });
});
