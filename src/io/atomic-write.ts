// Report files are read by CI and dashboards while or after we write them: a reader must see either the
// previous file or the complete new one, never half a document. Temp file in the same directory, then rename.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** A report file could not be written. The reporter set turns this into one line and exit code 3. */
export class ReportWriteError extends Error {
  override readonly name = 'ReportWriteError';
  readonly code = 'REPORT_WRITE_FAILED';
  constructor(
    readonly kind: string,
    readonly path: string,
    options: { cause: unknown },
  ) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`could not write ${kind} report to ${path}: ${why}`, options);
  }
}

/**
 * Like vitest's outputFile: `--junit out/junit.xml` in a fresh CI workspace should just work. Not
 * `mkdir({ recursive: true })`: on Node 20 that never settles for some paths (e.g. under /proc), and a
 * report write must not hang a run. One mkdir per missing level, bounded by the path's depth.
 */
async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      const st = await stat(d);
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, '${d}'`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if (!(err instanceof Error) || !('code' in err) || err.code !== 'ENOENT') throw err;
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing.reverse()) {
    await mkdir(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  await ensureDir(dir);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}
