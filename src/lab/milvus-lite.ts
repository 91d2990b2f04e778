// milvus-lite (PyPI) as the lab's Milvus: a pure-Python Milvus-protocol gRPC server, plaintext h2c.
// Found at $MILVUS_LITE_BIN, else <repo>/.venv/bin/milvus-lite, else on PATH.
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK } from './ports.js';
import { spawnReady, type ChildHandle } from './process.js';

/** The repository root: src/lab/ in a checkout, dist/src/lab/ when built. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function findMilvusLite(): string | null {
  const fromEnv = process.env.MILVUS_LITE_BIN;
  if (fromEnv) return existsSync(fromEnv) ? resolve(fromEnv) : null;
  const venv = join(repoRoot(), '.venv', 'bin', 'milvus-lite');
  if (existsSync(venv)) return venv;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'milvus-lite'))) return join(dir, 'milvus-lite');
  }
  return null;
}

export async function startMilvusLite(options: {
  readonly bin: string;
  readonly dataDir: string;
  readonly port: number;
  readonly signal?: AbortSignal;
}): Promise<ChildHandle> {
  return spawnReady({
    name: 'milvus-lite',
    command: options.bin,
    args: ['server', '--data-dir', options.dataDir, '--host', LOOPBACK, '--port', String(options.port)],
    // Its "listening" line is a print(): unbuffered, or a pipe holds it back until exit.
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    readyLine: /listening on/,
    // ~1.2 s on an idle machine; much more when CI runs test files side by side on two cores.
    deadlineMs: 30_000,
    signal: options.signal,
  });
}
