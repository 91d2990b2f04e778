// Options from a YAML file (--config FILE) and from MILVUS_L7_DOCTOR_* variables, for CI jobs that keep
// one file per environment. Precedence: flags > environment > file > defaults. The values go in as the
// strings a flag would have given, so the same rules validate them (resolveRunConfig and friends).
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { closest } from './values.js';

function asFlagValue(option: Option, key: string, raw: unknown, file: string): unknown {
  const where = `${file}: ${key}`;
  if (option.isBoolean()) {
    if (typeof raw !== 'boolean') throw new UsageError(`${where}: expected true or false`);
    return raw;
  }
  const scalar = (v: unknown): string => {
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw new UsageError(`${where}: expected a string or a number`);
  };
  // Repeatable options (--only, --skip, --fault) take a list or a comma-separated string.
  if (option.variadic || Array.isArray(raw)) {
    if (!option.variadic && !isRepeatable(option)) throw new UsageError(`${where}: expected one value, not a list`);
    const list = Array.isArray(raw) ? raw.map(scalar) : [scalar(raw)];
    return list.flatMap((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
  }
  return scalar(raw);
}

function isRepeatable(option: Option): boolean {
  return ['--only', '--skip', '--fault'].includes(option.long ?? '');
}

const SKIP = new Set(['--help', '--version', '--list-faults', '--keep']);

/** MILVUS_L7_DOCTOR_* for options not given as flags, as the strings a flag would carry. */
export function applyEnvironment(cmd: Command, env: NodeJS.ProcessEnv, envName: (long: string) => string): void {
  for (const o of cmd.options) {
    if (!o.long || SKIP.has(o.long)) continue;
    const name = envName(o.long);
    const raw = env[name];
    if (raw === undefined) continue;
    const attr = o.attributeName();
    if (cmd.getOptionValueSource(attr) === 'cli') continue;
    let value: unknown = raw;
    if (o.isBoolean()) {
      if (!/^(true|1|false|0)$/i.test(raw)) throw new UsageError(`${name}=${JSON.stringify(raw)}: expected true or false`);
      value = /^(true|1)$/i.test(raw);
    } else if (isRepeatable(o)) {
      value = raw.split(',').map((v) => v.trim()).filter(Boolean);
    }
    cmd.setOptionValueWithSource(attr, value, 'env');
  }
}

/** Reads --config (after commander parsed flags and variables) and fills in what neither set. */
export async function readConfigFile(cmd: Command): Promise<void> {
  const file = cmd.getOptionValue('config') as string | undefined;
  if (file === undefined) return;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new UsageError(`--config ${file}: cannot read the file (${code})`);
  }
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text, { logLevel: 'error' });
  } catch (err) {
    const line = err instanceof Error && 'linePos' in err && Array.isArray(err.linePos) ? (err.linePos[0] as { line?: number } | undefined)?.line : undefined;
    throw new UsageError(`--config ${file}${line ? `:${line}` : ''}: not YAML`);
  }
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`--config ${file}: expected a mapping of option names to values (host: milvus.example.com)`);
  const byName = new Map<string, Option>();
  for (const o of cmd.options) {
    if (!o.long || o.long === '--config' || SKIP.has(o.long)) continue;
    const long = o.long.replace(/^--/, '');
    byName.set(long, o);
    byName.set(o.attributeName(), o);
  }
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    const option = byName.get(key);
    if (!option) {
      const near = closest(key, [...new Set([...byName.values()].map((o) => (o.long ?? '').replace(/^--/, '')))]);
      throw new UsageError(`--config ${file}: unknown option '${key}'${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`);
    }
    const attr = option.attributeName();
    const source = cmd.getOptionValueSource(attr);
    // Flags and variables win over the file.
    if (source === 'cli' || source === 'env') continue;
    cmd.setOptionValueWithSource(attr, asFlagValue(option, key, raw, file), 'config');
  }
}
