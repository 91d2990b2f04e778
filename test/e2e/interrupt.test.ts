// How a run ends at a terminal and in a pipe: one Ctrl-C (also through npx, which forwards the SIGINT
// the CLI already got from the terminal) is one interrupt with a report and exit 3; `| head` keeps the
// verdict as the exit code; whatever ends the run, the lab's directory (token, private keys) is gone and
// none of its processes survive.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Report } from '../../src/model.js';
import { BIN, REPO } from './cli.js';
import { HAVE_SCRIPT, inTerminal, sandbox } from './terminal.js';

const box = sandbox('l7doctor-interrupt-');
afterAll(() => box.remove());

const env = { TMPDIR: box.tmp, AWS_EC2_METADATA_DISABLED: 'true' };
const LAB_UP = /lab: up in/;

/** Private keys and the token under a lab directory. */
function keyFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /(\.key|key\.pem|token)$/.test(f))
    .map((f) => path.join(root, f));
}

function expectNothingLeft(): void {
  expect(box.leftovers(), 'files left in TMPDIR').toEqual([]);
  expect(box.survivors(), 'processes still running from the run').toEqual([]);
}

describe.skipIf(!HAVE_SCRIPT)('Ctrl-C at a terminal', () => {
  test('one Ctrl-C on the CLI: one interrupt, the report printed and written, exit 3, the lab removed', async () => {
    const json = path.join(box.project, 'direct.json');
    const run = await inTerminal(`exec node ${BIN} lab --output plain --json ${json}`, {
      cwd: box.project,
      env,
      keys: [{ when: LAB_UP, text: '\x03' }],
    });
    expect(run.code, run.screen).toBe(3);
    expect(run.screen.match(/interrupted; finishing the report/g), run.screen).toHaveLength(1);
    expect(run.screen).toMatch(/^summary: /m);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.checks.length).toBeGreaterThan(0);
    expectNothingLeft();
  });

  test('one Ctrl-C through npx: one interrupt, the report printed and written, nothing left', async () => {
    const json = path.join(box.project, 'npx.json');
    const run = await inTerminal(`exec npx --no-install milvus-l7-doctor lab --output plain --json ${json}`, {
      cwd: box.project,
      env: { ...env, npm_config_update_notifier: 'false' },
      keys: [{ when: LAB_UP, text: '\x03' }],
    });
    // npm 11 here ends at once with 130 when the terminal interrupts it, whatever its child returns
    // (the next test pins the exit code with a launcher that waits); what is ours is that the CLI took
    // the interrupt once and finished its report.
    expect(run.screen.match(/interrupted; finishing the report/g), run.screen).toHaveLength(1);
    expect(run.screen).toMatch(/^summary: /m);
    expect(existsSync(json), run.screen).toBe(true);
    expectNothingLeft();
  });

  test('a launcher that forwards the SIGINT the CLI already got (as npm exec and npm run do): one interrupt, exit 3', async () => {
    // npm's signal manager re-sends the terminal's SIGINT to its child, which is in the same foreground
    // process group and got it already; this launcher does the same, and exits with its child's code.
    const launcher = path.join(box.project, 'forwarding-launcher.mjs');
    writeFileSync(launcher, [
      "import { spawn } from 'node:child_process';",
      "const child = spawn(process.execPath, process.argv.slice(2), { stdio: 'inherit' });",
      // Later than the terminal's own SIGINT (npm in a busy process is): two signals, not one coalesced.
      "process.on('SIGINT', () => setTimeout(() => child.kill('SIGINT'), 100));",
      "child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));",
      '',
    ].join('\n'));
    const json = path.join(box.project, 'forwarded.json');
    const run = await inTerminal(`exec node ${launcher} ${BIN} lab --output plain --json ${json}`, {
      cwd: box.project,
      env,
      keys: [{ when: LAB_UP, text: '\x03' }],
    });
    expect(run.code, run.screen).toBe(3);
    expect(run.screen.match(/interrupted; finishing the report/g), run.screen).toHaveLength(1);
    expect(run.screen).toMatch(/^summary: /m);
    expect(existsSync(json), run.screen).toBe(true);
    expectNothingLeft();
  });

  test('while the lab runs, its directory is private and its key files are 0600', async () => {
    let modes: string[] = [];
    const run = await inTerminal(`exec node ${BIN} lab --output plain`, {
      cwd: box.project,
      env,
      keys: [{ when: LAB_UP, text: '\x03' }],
      // Read before the interrupt, while the files exist.
      onMatch: {
        when: LAB_UP,
        run: () => {
          const [labDir] = box.leftovers();
          if (labDir === undefined) return;
          const root = path.join(box.tmp, labDir);
          modes = [`dir ${(statSync(root).mode & 0o777).toString(8)}`, ...keyFiles(root).map((f) => `${path.relative(root, f)} ${(statSync(f).mode & 0o777).toString(8)}`)];
        },
      },
    });
    expect(run.code, run.screen).toBe(3);
    expect(modes.length, 'key files found while the lab ran').toBeGreaterThan(1);
    for (const m of modes) expect(m).toMatch(/ (700|600)$/);
    expectNothingLeft();
  });

  test('Ctrl-C twice: the CLI quits, and still nothing of the lab stays behind', async () => {
    const run = await inTerminal(`exec node ${BIN} lab --output plain`, {
      cwd: box.project,
      env,
      keys: [
        { when: LAB_UP, text: '\x03' },
        // Later than a forwarded duplicate, as a person's second Ctrl-C is.
        { when: /interrupted/, text: '\x03', pauseMs: 1000 },
      ],
    });
    // The second Ctrl-C may come after the graceful stop already finished (3) or cut it short (130).
    expect([3, 130], run.screen).toContain(run.code);
    expectNothingLeft();
  });
});

describe('a run that ends on a usage error', () => {
  test.each([
    ['lab', '--output', 'yaml'],
    ['lab', '--fault', 'expired-cert,nosuch'],
    ['lab', '--junit', '/'],
  ])('%s %s %s: exit 2, nothing left in the temp directory', async (...args) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(2);
    expectNothingLeft();
  });
});

describe('a closed pipe (`| head -3`)', () => {
  test('the lab is torn down and the exit code is the verdict (1: the certificate expired)', async () => {
    const child = spawn(process.execPath, [BIN, 'lab', '--fault', 'expired-cert', '--output', 'plain'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      // As head does: read three lines, then close the pipe.
      if (seen.split('\n').length > 3) child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, stderr).toBe(1);
    expect(stderr).not.toMatch(/EPIPE|Error:/);
    expectNothingLeft();
  });
});
