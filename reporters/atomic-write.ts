// Report files are read by CI and dashboards while or after we write them: a reader must see either the
// previous file or the complete new one, never half a document. Temp file in the same directory, then rename.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
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

export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  // Like vitest's outputFile: `--junit out/junit.xml` in a fresh CI workspace should just work.
  await mkdir(dir, { recursive: true });
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
