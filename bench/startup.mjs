// Benchmark: how long the CLI takes to answer when it has nothing to probe — --help, explain, a usage
// error, a bad kubeconfig — against `node -e ''` measured in the same rounds (the floor: Node's own
// start-up, including this machine's NODE_EXTRA_CA_CERTS bundle). Interleaved rounds (BENCH_ROUNDS,
// default 7), medians. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'milvus-l7-doctor.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const work = mkdtempSync(path.join(tmpdir(), 'l7doctor-bench-startup-'));
const emptyKubeconfig = path.join(work, 'empty.yaml');
writeFileSync(emptyKubeconfig, '');

const VARIANTS = [
  { name: "node -e ''", args: ['-e', ''], code: 0 },
  { name: '--help', args: [BIN, '--help'], code: 0 },
  { name: 'explain tls.chain', args: [BIN, 'explain', 'tls.chain'], code: 0 },
  { name: 'explain --list', args: [BIN, 'explain', '--list'], code: 0 },
  { name: 'usage error (--output yaml)', args: [BIN, '--host', 'x.example', '--output', 'yaml'], code: 2 },
  { name: 'usage error under lab (--fail-on maybe)', args: [BIN, 'lab', '--fail-on', 'maybe'], code: 2 },
  { name: 'mistyped command (exlpain)', args: [BIN, 'exlpain', 'tls.chain'], code: 2 },
  { name: 'bad kubeconfig (empty file)', args: [BIN, '--kubeconfig', emptyKubeconfig, '-n', 'milvus'], code: 2 },
];

function run(args, expected) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code !== expected) reject(new Error(`node ${args.join(' ')}: exit ${code}, expected ${expected}: ${stderr.slice(0, 400)}`));
      else resolve(ms);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const times = new Map(VARIANTS.map((v) => [v.name, []]));
  // One warm-up round so the first variant does not pay for a cold file cache.
  for (const v of VARIANTS) await run(v.args, v.code);
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of VARIANTS) times.get(v.name).push(await run(v.args, v.code));
  }
  const floor = median(times.get(VARIANTS[0].name));
  const width = Math.max(...VARIANTS.map((v) => v.name.length));
  console.log(`startup, ${ROUNDS} interleaved rounds, medians (Node ${process.version}, NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'})`);
  console.log(`  ${'variant'.padEnd(width)}  ${'wall'.padStart(8)}  ${'over floor'.padStart(10)}  ${'ratio'.padStart(6)}`);
  for (const v of VARIANTS) {
    const ms = median(times.get(v.name));
    const over = v === VARIANTS[0] ? '' : `+${Math.round(ms - floor)} ms`;
    console.log(`  ${v.name.padEnd(width)}  ${`${Math.round(ms)} ms`.padStart(8)}  ${over.padStart(10)}  ${`${(ms / floor).toFixed(2)}×`.padStart(6)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
