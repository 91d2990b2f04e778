#!/usr/bin/env node
// Entry point: wires process signals and streams to the CLI and exits with its code.
import { main } from '../dist/src/cli/main.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
let interrupted = 0;
const onSignal = () => {
  interrupted += 1;
  if (interrupted > 1) process.exit(130);
  process.stderr.write('milvus-l7-doctor: interrupted; finishing the report (Ctrl-C again to quit now)\n');
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `milvus-l7-doctor | head` closes stdout early: that is not an error of ours.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, controller.signal);
process.exitCode = code;
// Let stdout drain, then leave even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
