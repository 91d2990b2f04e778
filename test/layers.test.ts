// Layers import one way: sources → facts → checks → reporters, with the CLI on top. A source never imports
// a reporter or the CLI, the lab is never imported by product code, test kits live under test/, and the
// comments that cite a file cite one that exists.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|tsx|mjs)$/.test(name) ? [p] : [];
  });
}

const FILES = ['src', 'reporters', 'suites', 'test', 'scripts', 'bench'].flatMap((d) => walk(join(REPO, d))).map((f) => relative(REPO, f));
const isTest = (f: string): boolean => /\.test\.tsx?$/.test(f) || f.startsWith('test/');

/** Every module a file imports, statically or with import(), as a repo-relative path (packages by name). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => (s.startsWith('.') ? relative(REPO, resolve(REPO, dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

function layer(path: string): string {
  if (path.startsWith('src/')) return path.split('/')[1].replace(/\.ts$/, '');
  return path.split('/')[0];
}

/** What each layer may import from this repository (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  errors: ['model'],
  io: [],
  facts: ['model', 'errors', 'sources', 'platform', 'io'],
  probes: ['model', 'errors', 'facts'],
  platform: ['model', 'errors', 'facts', 'probes', 'sources'],
  sources: ['model', 'errors', 'facts', 'probes', 'platform'],
  gather: ['model', 'errors', 'facts', 'probes', 'sources', 'platform'],
  checks: ['model', 'errors', 'facts', 'sources', 'platform', 'catalog'],
  catalog: ['model', 'checks'],
  render: ['model', 'errors'],
  engine: ['model', 'facts', 'checks', 'catalog'],
  reporters: ['model', 'facts', 'io'],
  suites: ['engine'],
  cli: ['io', 'model', 'errors', 'facts', 'sources', 'gather', 'checks', 'catalog', 'engine', 'reporters', 'platform', 'probes', 'lab', 'render', 'provision'],
  // provision is a command's engine: it takes the check's resolved config (cli/config), shows its wait with
  // the live view's parts (reporters) and ends in the check the CLI hands it: from cli, types only (below).
  provision: ['model', 'errors', 'facts', 'probes', 'platform', 'sources', 'gather', 'checks', 'catalog', 'render', 'reporters', 'cli'],
};

describe('layers', () => {
  const product = FILES.filter((f) => !isTest(f) && (f.startsWith('src/') || f.startsWith('reporters/') || f.startsWith('suites/')));

  test('each layer imports only the layers below it', () => {
    const bad: string[] = [];
    for (const f of product.filter((x) => !x.startsWith('src/lab/'))) {
      const from = layer(f);
      const allowed = ALLOWED[from];
      expect(allowed, `${f}: layer ${from} has no rule`).toBeDefined();
      for (const dep of importsOf(f).filter((d) => d.startsWith('src/') || d.startsWith('reporters/') || d.startsWith('suites/') || d.startsWith('test/'))) {
        const to = layer(dep);
        if (to !== from && !allowed.includes(to)) bad.push(`${f} → ${dep}`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('provision imports only types from the CLI: the CLI runs provision, never the other way round', () => {
    const typeOnly = /(?:^|\n)\s*import\s+type\s[^'"\n;]*?from\s+'([^']+)'/g;
    const bad = product
      .filter((f) => layer(f) === 'provision')
      .flatMap((f) => {
        const types = new Set([...readFileSync(join(REPO, f), 'utf8').matchAll(typeOnly)].map((m) => relative(REPO, resolve(REPO, dirname(f), m[1] ?? '')).replace(/\.js$/, '.ts')));
        return importsOf(f).filter((d) => layer(d) === 'cli' && !types.has(d)).map((d) => `${f} → ${d}`);
      });
    expect(bad).toEqual([]);
    // Not vacuous: provision does use the CLI's types.
    expect(importsOf('src/provision/wait.ts')).toContain('src/cli/config.ts');
  });

  test('the import scan sees real edges (the rule above is not vacuous)', () => {
    expect(importsOf('src/cli/run-check.ts')).toContain('src/gather/gather.ts');
    expect(importsOf('src/sources/net/datapath.ts')).toContain('src/probes/tls.ts');
  });

  test('the lab is imported only by the lab command, and nothing in the product imports test code', () => {
    const offenders = product.flatMap((f) => importsOf(f).filter((d) => d.startsWith('test/') || (d.startsWith('src/lab/') && !f.startsWith('src/lab/') && f !== 'src/cli/lab.ts')).map((d) => `${f} → ${d}`));
    expect(offenders).toEqual([]);
  });

  test('test kits live under test/, and tsconfig keeps no hand-kept exclude list', () => {
    expect(product.filter((f) => /testkit|test-backends/.test(f))).toEqual([]);
    const tsconfig = JSON.parse(readFileSync(join(REPO, 'tsconfig.json'), 'utf8')) as { exclude?: string[] };
    expect((tsconfig.exclude ?? []).filter((e) => !['node_modules', 'dist', '**/*.test.ts', '**/*.test.tsx'].includes(e))).toEqual([]);
  });

  test('comments cite files that exist', () => {
    const missing: string[] = [];
    for (const f of FILES) {
      const comments = readFileSync(join(REPO, f), 'utf8').match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? [];
      for (const c of comments) {
        for (const m of c.matchAll(/(?<![\w/.-])((?:src|test|fixtures|docs|reporters|suites|bench|scripts|schema)\/[\w./<>-]*\w\.(?:ts|tsx|mjs|js|md|yaml|json))\b/g)) {
          const cited = m[1];
          if (cited.includes('<') || cited.includes('*')) continue;
          if (!existsSync(join(REPO, cited))) missing.push(`${f}: ${cited}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
