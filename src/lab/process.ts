// Child processes of the lab: started with a deadline to become ready, stopped by their own PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { DoctorError } from '../errors.js';
import { LOOPBACK } from './ports.js';

/** A lab component did not come up; the message carries what it said (nginx's error.log line). */
export class LabStartError extends DoctorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LAB_START_FAILED', message, options);
  }
}

export interface ChildHandle {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (immediately if it already has). */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Ready when a stdout/stderr line matches. */
  readonly readyLine?: RegExp;
  /**
   * Ready when this resolves true, polled every 15 ms with the child's pid. A port that accepts is
   * not enough by itself: another process may hold it while the child is still retrying its bind.
   */
  readonly readyWhen?: (pid: number) => Promise<boolean>;
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
  /** Called when the process fails to start, to add what it logged elsewhere (nginx's error.log). */
  readonly explain?: () => Promise<string | null>;
}

export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function spawnReady(options: SpawnOptions): Promise<ChildHandle> {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (options.readyLine?.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => reject(new LabStartError(`${options.name}: ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => {
      exited = true;
      reject(new LabStartError(`${options.name} exited (${signal ?? `code ${code}`}) before it was ready`));
    });
    const readyWhen = options.readyWhen;
    if (readyWhen !== undefined && child.pid !== undefined) {
      const pid = child.pid;
      const poll = async () => {
        while (!exited) {
          if (await readyWhen(pid).catch(() => false)) return resolve();
          await new Promise((r) => setTimeout(r, 15));
        }
      };
      void poll();
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LabStartError(`${options.name} was not ready within ${options.deadlineMs} ms`)), options.deadlineMs);
  });
  const aborted = new Promise<never>((_, reject) => {
    options.signal?.addEventListener('abort', () => reject(new LabStartError(`${options.name}: start aborted`)), { once: true });
  });
  try {
    await Promise.race([ready, deadline, aborted]);
  } catch (error) {
    await stopChild(child);
    const extra = (await options.explain?.()) ?? lastLines(output);
    const message = error instanceof Error ? error.message : String(error);
    throw new LabStartError(extra ? `${message}: ${extra}` : message, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  // Keep draining the pipes so a chatty child never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  if (child.pid === undefined) throw new LabStartError(`${options.name}: no pid`);
  return { pid: child.pid, child, stop: () => stopChild(child) };
}

function lastLines(output: string): string | null {
  const lines = output.trim().split('\n').filter(Boolean);
  return lines.length > 0 ? lines.slice(-3).join(' | ') : null;
}

/**
 * Directories removed if the process exits before their owner does (a second Ctrl-C, an uncaught
 * exception, process.exit on a closed pipe): lab directories hold the token and private keys. The
 * returned function forgets the directory once its owner has removed it or means to keep it.
 */
const dirsToRemove = new Set<string>();
let dirHookInstalled = false;
export function removeDirOnExit(dir: string): () => void {
  if (!dirHookInstalled) {
    dirHookInstalled = true;
    // 'exit' allows only synchronous work.
    process.once('exit', () => {
      for (const d of dirsToRemove) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          // Nothing more can be done while exiting.
        }
      }
    });
  }
  dirsToRemove.add(dir);
  return () => dirsToRemove.delete(dir);
}
