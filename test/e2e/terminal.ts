// Running the built CLI the way a person at a terminal does: under a pseudo-terminal (util-linux
// `script`), where Ctrl-C is the byte 0x03 typed into the terminal and the line discipline sends SIGINT
// to the whole foreground process group (npx and the CLI alike), not a kill() aimed at one PID.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN } from './cli.js';

export const HAVE_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

export interface TerminalRun {
  readonly code: number | null;
  /** What the terminal showed: stdout and stderr interleaved, with \r\n line ends. */
  readonly screen: string;
}

export interface Sandbox {
  /** A project directory whose node_modules/.bin holds the CLI, so `npx milvus-l7-doctor` finds it locally. */
  readonly project: string;
  /** TMPDIR of the runs: whatever the CLI leaves behind is here. */
  readonly tmp: string;
  leftovers(): string[];
  /** Processes still running whose command line names a path under tmp (the lab's nginx, milvus-lite). */
  survivors(): string[];
  remove(): void;
}

export function sandbox(prefix: string): Sandbox {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const project = path.join(root, 'project');
  const tmp = path.join(root, 'tmp');
  mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(tmp);
  writeFileSync(path.join(project, 'package.json'), '{"name":"uses-the-doctor","private":true}\n');
  symlinkSync(BIN, path.join(project, 'node_modules', '.bin', 'milvus-l7-doctor'));
  return {
    project,
    tmp,
    leftovers: () => readdirSync(tmp),
    survivors: () =>
      execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(tmp)),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface TerminalOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Keys typed once the screen matches `when`, each after the previous one and `pauseMs`. */
  readonly keys?: readonly { readonly when: RegExp; readonly text: string; readonly pauseMs?: number }[];
  readonly timeoutMs?: number;
  /** Called once, synchronously, when the screen first matches `when` (before any key for it is typed). */
  readonly onMatch?: { readonly when: RegExp; readonly run: () => void };
}

/** Runs a shell command line under a pseudo-terminal and types keys into it as the screen fills. */
/**
 * The environment of a person at a terminal: without CI's markers, which make ink draw only the final frame
 * (is-in-ci), so a test run under CI=true would check a view no user sees.
 */
function personsEnv(): NodeJS.ProcessEnv {
  const { CI: _ci, CONTINUOUS_INTEGRATION: _cont, ...env } = process.env;
  return env;
}

export function inTerminal(commandLine: string, options: TerminalOptions): Promise<TerminalRun> {
  return new Promise((resolve, reject) => {
    // -e: script's exit status is the command's; -q: no "Script started" banner.
    const child = spawn('script', ['-q', '-e', '-c', commandLine, '/dev/null'], {
      cwd: options.cwd,
      env: { ...personsEnv(), NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const keys = [...(options.keys ?? [])];
    let typing = false;
    const typeNext = () => {
      const next = keys[0];
      if (typing || next === undefined || !next.when.test(screen)) return;
      typing = true;
      setTimeout(() => {
        keys.shift();
        child.stdin.write(next.text);
        typing = false;
        typeNext();
      }, next.pauseMs ?? 0);
    };
    let matched = false;
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString('utf8');
      if (!matched && options.onMatch?.when.test(screen)) {
        matched = true;
        options.onMatch.run();
      }
      typeNext();
    });
    child.stderr.on('data', (d: Buffer) => (screen += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${commandLine}: no exit within ${options.timeoutMs ?? 120_000} ms; screen:\n${screen.slice(-3000)}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen: screen.replace(/\r\n/g, '\n') });
    });
  });
}
