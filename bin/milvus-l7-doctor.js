#!/usr/bin/env node
// Entry point: wires process signals and streams to the CLI and exits with its code.
import { main } from '../dist/src/cli/main.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
// `npx`/`npm exec` forward SIGINT to a child that already got the terminal's: one Ctrl-C arrives twice,
// a few milliseconds apart. A person's second Ctrl-C comes much later, so a repeat inside this window
// is the same interrupt.
const SAME_INTERRUPT_MS = 750;
let firstInterrupt = 0;
const onSignal = (name) => {
  const now = Date.now();
  if (firstInterrupt === 0) {
    firstInterrupt = now;
    process.stderr.write('milvus-l7-doctor: interrupted; finishing the report (Ctrl-C again to quit now)\n');
    controller.abort();
    return;
  }
  if (name === 'SIGINT' && now - firstInterrupt < SAME_INTERRUPT_MS) return;
  // Quitting now still runs the exit hooks: the lab's children are killed and its directory removed.
  process.exit(130);
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
// The terminal went away (ssh dropped, window closed): stop as for SIGTERM, so the lab is torn down.
process.on('SIGHUP', () => onSignal('SIGHUP'));
// A promise rejected with no handler is a bug of ours or of a library: one line (the stack with
// MILVUS_L7_DOCTOR_DEBUG), and the run goes on to its report. A run that would have passed exits 3: it
// did not complete cleanly.
let internalError = false;
process.on('unhandledRejection', (reason) => {
  internalError = true;
  const message = reason instanceof Error ? reason.message : String(reason);
  process.stderr.write(`milvus-l7-doctor: internal error (a bug; please report it): ${message.split('\n')[0]}\n`);
  if (process.env.MILVUS_L7_DOCTOR_DEBUG && reason instanceof Error && reason.stack) process.stderr.write(`${reason.stack}\n`);
});
// `milvus-l7-doctor | head` closes stdout early: not an error of ours, and not a reason to leave the lab
// running or to lose the verdict. The run goes on (reports to files are still written, the lab is torn
// down) and its exit code is the verdict; output to the closed pipe is dropped.
let stdoutClosed = false;
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
    stdoutClosed = true;
    return;
  }
  throw err;
});

const verdict = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, controller.signal);
const code = internalError && verdict === 0 ? 3 : verdict;
process.exitCode = code;
if (stdoutClosed || process.stdout.destroyed) process.exit(code);
// Let stdout drain, then leave even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
