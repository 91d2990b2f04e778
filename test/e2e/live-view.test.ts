// The live view (ink) as a person sees it on a 100×24 terminal: something at once, the probes while they
// run, and at the end the failures and what to look at first on screen, not the other cloud's skips.
import { afterAll, describe, expect, test } from 'vitest';
import { BIN } from './cli.js';
import { HAVE_SCRIPT, inTerminal, sandbox } from './terminal.js';

const box = sandbox('l7doctor-live-');
afterAll(() => box.remove());

// CSI sequences (colours, cursor moves, erases), OSC titles and charset switches.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[()][0-9A-B]/g;
const stripAnsi = (text: string): string => text.replace(ANSI, '');

const COLUMNS = 100;
const ROWS = 24;

/** The last screenful: the text as the terminal wraps it at COLUMNS, its last ROWS rows. */
function lastScreen(raw: string): string[] {
  const rows = stripAnsi(raw)
    .replace(/\r/g, '')
    .split('\n')
    .flatMap((line) => (line.length === 0 ? [''] : (line.match(new RegExp(`.{1,${COLUMNS}}`, 'gu')) ?? [''])));
  while (rows.length > 0 && rows.at(-1) === '') rows.pop();
  return rows.slice(-ROWS);
}

describe.skipIf(!HAVE_SCRIPT)('live view on a terminal', () => {
  test('first line at once, probes while they run, failures and look first on the last screen', async () => {
    const run = await inTerminal(`stty cols ${COLUMNS} rows ${ROWS}; exec node ${BIN} lab --fault expired-cert`, {
      cwd: box.project,
      env: { TMPDIR: box.tmp, AWS_EC2_METADATA_DISABLED: 'true', TERM: 'xterm-256color' },
    });
    expect(run.code, run.screen).toBe(1);
    const plain = stripAnsi(run.screen);
    // Before ink has loaded, and before any check: a first line, then the probes with their state.
    const greeting = plain.indexOf('milvus-l7-doctor: starting');
    const firstCheck = plain.search(/[✔✘▲] (dns|tcp|tls)\./);
    expect(greeting, plain).toBeGreaterThanOrEqual(0);
    expect(greeting).toBeLessThan(firstCheck);
    const gathering = plain.search(/gathering facts \d+\/\d+/);
    expect(gathering, plain).toBeGreaterThan(greeting);
    expect(gathering).toBeLessThan(firstCheck);
    // A finding carries what plain output shows.
    expect(plain).toMatch(/FAIL tls\.validity[^]*expected:[^]*observed:[^]*hint:[^]*docs:\s+docs\/checks\.md#tlsvalidity/);

    const screen = lastScreen(run.screen).join('\n');
    expect(screen).toContain('needs attention:');
    expect(screen).toMatch(/FAIL +tls\.validity/);
    expect(screen).toMatch(/^summary: /m);
    expect(screen).toMatch(/^look first: FAIL tls\.validity/m);
    expect(screen).not.toMatch(/gcp\.[a-z-]+\.[a-z-]+.*not a GKE/);
    if (process.env.SHOW_SCREEN) process.stderr.write(`${screen}\n`);
  });
});
