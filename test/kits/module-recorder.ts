// Runs the built CLI and records every module it loads: ES modules through a loader hook (it runs on its
// own thread, so it appends to a file), CommonJS ones from the require cache at exit. Tests prove with it
// what a run never loads (the SDK, the Kubernetes client, vitest).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, type CliRun } from '../e2e/cli.js';

const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  const result = await next(url, context);
  appendFileSync(log, url + '\\n');
  return result;
}
`;

function install(dir: string): string {
  const recorder = path.join(dir, 'record.mjs');
  if (existsSync(recorder)) return recorder;
  const hooks = path.join(dir, 'record-hooks.mjs');
  writeFileSync(hooks, HOOKS);
  writeFileSync(
    recorder,
    [
      "import { appendFileSync } from 'node:fs';",
      "import { createRequire, register } from 'node:module';",
      'const log = process.env.L7_MODULE_LOG;',
      `register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log } });`,
      'const require = createRequire(import.meta.url);',
      "process.on('exit', () => appendFileSync(log, Object.keys(require.cache).map((f) => 'file://' + f + '\\n').join('')));",
      '',
    ].join('\n'),
  );
  return recorder;
}

let runs = 0;
export async function recordModules(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CliRun & { modules: string[] }> {
  const recorder = install(dir);
  const log = path.join(dir, `modules-${process.pid}-${++runs}.log`);
  writeFileSync(log, '');
  const run = await runCli(args, {
    env: { ...env, L7_MODULE_LOG: log, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${recorder}`.trim() },
    timeoutMs,
  });
  return { ...run, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}
