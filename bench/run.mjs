// Benchmark: the doctor against the lab, compared in one run with
//   (a) the same checks done one after another with standard tools (dig, openssl s_client, curl --http2,
//       a Python gRPC client + pymilvus, kubectl), as an SRE would script them;
//   (b) a bare Node script doing the data-path probes concurrently (no judging, no reports);
//   (c) the doctor's data-path-only run, against the full run with the Kubernetes suites;
//   (d) `--only tls` (the smallest real run) against `node -e ''`, the floor of any Node CLI here;
//   (e) what the cloud reads add: a full run against the AWS lab (the ELBv2/ACM stand-in) and the GKE lab
//       (the Compute stand-in), each against the same run with every check that reads that cloud skipped.
// BENCH_ONLY=cloud runs only (e) (and `node -e ''`); BENCH_ONLY=local everything but (e).
// BENCH_BASELINE=<dir of another built checkout> adds that build's doctor runs to the same rounds, so a
// before/after comes from one run on one machine state rather than two runs minutes apart.
// Each is run twice per round: over loopback, and through relays that add a round-trip time
// (BENCH_RTT_MS, default 40 ms) to the load balancer, /healthz and the Kubernetes API, as between a
// laptop or a CI runner and a cloud region. Reports medians of interleaved rounds, ratios, and peak
// RSS (GNU time's %M). Needs `npm run build`,
// nginx and milvus-lite (bash .ci/run installs them), /usr/bin/time, curl, openssl, and optionally dig and kubectl.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDelayRelay } from './delay-relay.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 40);
const BIN = path.join(REPO, 'bin', 'milvus-l7-doctor.js');
const BASELINE = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : null;
const BASELINE_BIN = BASELINE ? path.join(BASELINE, 'bin', 'milvus-l7-doctor.js') : null;
// The goals of the Speed section of the issue "Gathering as one graph", checked against every run.
const TARGETS = { dataPathOverHandLoopback: 1.0, dataPathOverHandRtt: 0.7, tlsOverNodeMs: 400, dataPathRssMiB: 150 };
const PYTHON = path.join(REPO, '.venv', 'bin', 'python');
const ONLY = process.env.BENCH_ONLY ?? 'all';
if (!['all', 'cloud', 'local'].includes(ONLY)) {
  process.stderr.write(`bench: BENCH_ONLY must be all, cloud or local, not ${JSON.stringify(ONLY)}\n`);
  process.exit(2);
}
const WITH_CLOUD = ONLY !== 'local';
const WITH_LOCAL = ONLY !== 'cloud';
// issue 10: the GCP reads may cost at most this over the run without them.
const CLOUD_TARGETS = { gcpOverWithout: 1.3 };
const work = mkdtempSync(path.join(tmpdir(), 'l7doctor-bench-'));

function has(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Children running now: an interrupted bench kills them by PID before it stops the lab. */
const running = new Set();
const killGroup = (child) => {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

/** Runs one command under GNU time; resolves wall ms, peak RSS KiB and exit code. Bounded by a deadline. */
function timed(cmd, args, { env, input } = {}) {
  const rssFile = path.join(work, `rss-${process.hrtime.bigint()}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Its own process group: GNU time passes no signal on, so a kill goes to the group (by our child's PID).
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Kept to say which checks did not pass when a run exits non-zero.
    child.stdout.on('data', (d) => (stdout += d));
    running.add(child);
    const timer = setTimeout(() => killGroup(child), 120_000);
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      running.delete(child);
      clearTimeout(timer);
      const rss = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      resolve({ ms: performance.now() - started, rssKiB: rss, code, stderr, stdout });
    });
    child.stdin.end(input ?? '');
  });
}

async function sequence(steps) {
  let ms = 0;
  let rssKiB = 0;
  for (const [cmd, args, opts] of steps) {
    const r = await timed(cmd, args, opts);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 400)}`);
    ms += r.ms;
    rssKiB = Math.max(rssKiB, r.rssKiB);
  }
  return { ms, rssKiB, code: 0 };
}

/** The checks a doctor's JSON report did not pass, for a run that exited non-zero. */
function notPassing(stdout) {
  try {
    const report = JSON.parse(stdout ?? '');
    return `${report.checks.filter((c) => !['pass', 'skip'].includes(c.verdict)).map((c) => `${c.id} ${c.verdict}: ${c.observed ?? c.reason ?? ''}`).join('; ')}\n`;
  } catch {
    return '';
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { startLab } = await import(path.join(REPO, 'dist', 'src', 'lab', 'lab.js'));
const { CATALOG } = await import(path.join(REPO, 'dist', 'src', 'catalog.js'));
/** The checks that read a cloud's API, by their real ids (their needs name its sources): what the "without" runs skip. */
const readersOf = (prefix) => CATALOG.filter((c) => c.needs.some((n) => n.startsWith(prefix))).map((c) => c.id);
const lab = await startLab({ provider: 'gcp' });
const awsLab = WITH_CLOUD ? await startLab({ provider: 'aws' }) : null;
const relays = [];
let stopping = null;
const stopAll = () =>
  (stopping ??= (async () => {
    for (const child of running) killGroup(child);
    await Promise.all(relays.map((r) => r.close()));
    await lab.stop();
    await awsLab?.stop();
    rmSync(work, { recursive: true, force: true });
  })());
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    process.stderr.write(`bench: ${sig}, stopping what it started\n`);
    void stopAll().finally(() => process.exit(130));
  });
}
try {
  const profiles = { loopback: { ...variantsFor(lab, { port: lab.port, healthzUrl: lab.healthzUrl, kubernetes: lab.kubernetes }), ...cloudVariants(lab, awsLab, null) } };
  if (RTT_MS > 0) profiles[`RTT ${RTT_MS} ms`] = { ...variantsFor(lab, await delayed(lab, RTT_MS)), ...cloudVariants(lab, awsLab, RTT_MS) };
  await measure(profiles);
} finally {
  await stopAll();
}

/** The lab's TCP endpoints behind delay relays; a kubeconfig copy that points at the delayed API. */
async function delayed(lab, rttMs) {
  const relay = async (port) => {
    const r = await startDelayRelay(port, rttMs / 2);
    relays.push(r);
    return r.port;
  };
  const healthz = new URL(lab.healthzUrl);
  const api = new URL(lab.kubernetes.url);
  const [port, healthzPort, apiPort] = await Promise.all([relay(lab.port), relay(Number(healthz.port)), relay(Number(api.port))]);
  healthz.port = String(healthzPort);
  const apiUrl = `${api.protocol}//${api.hostname}:${apiPort}`;
  // One per lab: the cloud variants delay the AWS lab's API and the GKE lab's alike.
  const kubeconfigPath = path.join(work, `kubeconfig-rtt-${rttMs}-${api.port}`);
  writeFileSync(kubeconfigPath, readFileSync(lab.kubernetes.kubeconfigPath, 'utf8').split(lab.kubernetes.url).join(apiUrl));
  return { port, healthzUrl: healthz.toString(), kubernetes: { ...lab.kubernetes, url: apiUrl, kubeconfigPath } };
}

/**
 * (e): each cloud's full run against its lab, and the same with every check that reads that cloud skipped.
 * Over a round trip, the cloud API is relayed too, as a real one is a round trip away.
 */
async function cloudLabNet(l, rttMs) {
  if (rttMs === null) return { port: l.port, healthzUrl: l.healthzUrl, kubernetes: l.kubernetes, cloud: (l.aws ?? l.gcp).endpoint };
  const net = await delayed(l, rttMs);
  const api = new URL((l.aws ?? l.gcp).endpoint);
  const r = await startDelayRelay(Number(api.port), rttMs / 2);
  relays.push(r);
  api.port = String(r.port);
  return { ...net, cloud: api.toString().replace(/\/$/, '') };
}

function cloudVariants(gcpLab, awsLab, rttMs) {
  if (!WITH_CLOUD) return {};
  const nets = new Map();
  const netOf = (l) => {
    if (!nets.has(l)) nets.set(l, cloudLabNet(l, rttMs));
    return nets.get(l);
  };
  const run = (l, extra, envOf) => async () => {
    const net = await netOf(l);
    const args = ['--host', l.host, '--address', l.address, '--port', String(net.port), '--ca', l.caFile, '--dns-server', l.dnsServer, '--healthz-url', net.healthzUrl, '--kubeconfig', net.kubernetes.kubeconfigPath, '-n', net.kubernetes.namespace, '--release', net.kubernetes.release];
    return timed(process.execPath, [BIN, ...args, ...extra(net), '--output', 'json'], { env: { MILVUS_TOKEN: l.credentials.token, ...envOf(net) } });
  };
  // As a user points the doctor at a private endpoint: the SDK's own variables for AWS, --gcp-endpoint and a static token for GCP.
  const awsEnv = (net) => ({ AWS_ENDPOINT_URL: net.cloud, AWS_ACCESS_KEY_ID: awsLab.aws.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: awsLab.aws.credentials.secretAccessKey, AWS_REGION: awsLab.aws.region, AWS_EC2_METADATA_DISABLED: 'true' });
  const gcpArgs = (net) => ['--gcp-endpoint', net.cloud, '--gcp-project', gcpLab.gcp.project];
  const gcpEnv = () => ({ GOOGLE_OAUTH_ACCESS_TOKEN: gcpLab.gcp.token, METADATA_SERVER_DETECTION: 'none' });
  const skip = (ids) => ['--skip', ids.join(',')];
  return {
    'AWS lab, full (ELBv2/ACM read)': run(awsLab, () => ['--provider', 'aws'], awsEnv),
    'AWS lab, checks that read AWS skipped': run(awsLab, () => ['--provider', 'aws', ...skip(readersOf('aws.'))], awsEnv),
    'GKE lab, full (Compute read)': run(gcpLab, (net) => ['--provider', 'gcp', ...gcpArgs(net)], gcpEnv),
    'GKE lab, checks that read Compute skipped': run(gcpLab, (net) => ['--provider', 'gcp', ...gcpArgs(net), ...skip(readersOf('gcp.'))], gcpEnv),
  };
}

function variantsFor(lab, { port, healthzUrl, kubernetes: k }) {
  const token = lab.credentials.token;
  const [dnsHost, dnsPort] = lab.dnsServer.split(':');
  const endpoint = ['--host', lab.host, '--address', lab.address, '--port', String(port), '--ca', lab.caFile, '--dns-server', lab.dnsServer, '--healthz-url', healthzUrl];
  const cluster = ['--kubeconfig', k.kubeconfigPath, '-n', k.namespace, '--release', k.release];
  const env = { MILVUS_TOKEN: token };
  const grpcFrame = path.join(work, 'getversion.bin');
  writeFileSync(grpcFrame, Buffer.alloc(5));
  const url = `https://${lab.host}:${port}/milvus.proto.milvus.MilvusService/GetVersion`;
  const curlGrpc = ['--http2', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', '-H', 'content-type: application/grpc', '-H', 'te: trailers', '--data-binary', `@${grpcFrame}`, '--max-time', '5'];
  const python = [
    'import grpc, base64',
    'from pymilvus import MilvusClient',
    `ca = open(${JSON.stringify(lab.caFile)}, 'rb').read()`,
    `opts = [('grpc.ssl_target_name_override', ${JSON.stringify(lab.host)}), ('grpc.default_authority', ${JSON.stringify(lab.host)})]`,
    `ch = grpc.secure_channel('127.0.0.1:${port}', grpc.ssl_channel_credentials(ca), opts)`,
    "health = ch.unary_unary('/grpc.health.v1.Health/Check', request_serializer=lambda x: x, response_deserializer=lambda x: x)",
    'health(b"", timeout=5)',
    "ver = ch.unary_unary('/milvus.proto.milvus.MilvusService/GetVersion', request_serializer=lambda x: x, response_deserializer=lambda x: x)",
    'for auth in [None, base64.b64encode(b"root:Milvus").decode()]:',
    '    try: ver(b"", timeout=5, metadata=[("authorization", auth)] if auth else None)',
    '    except grpc.RpcError: pass',
    `c = MilvusClient(uri='https://127.0.0.1:${port}', token=${JSON.stringify(token)}, server_pem_path=${JSON.stringify(lab.caFile)}, server_name=${JSON.stringify(lab.host)}, timeout=5)`,
    'c.get_server_version()',
    'for _ in range(20): c.get_server_version()',
  ].join('\n');

  const handDataPath = [
    ...(has('dig') ? [['dig', [`@${dnsHost}`, '-p', dnsPort, '+short', '+time=2', lab.host]]] : []),
    ['openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', lab.host, '-alpn', 'h2', '-CAfile', lab.caFile, '-showcerts', '-verify_return_error']],
    ['openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-noservername']],
    ['curl', [...curlGrpc, '--cacert', lab.caFile, '--resolve', `${lab.host}:${port}:127.0.0.1`, url]],
    ['curl', [...curlGrpc, '-k', `https://127.0.0.1:${port}/milvus.proto.milvus.MilvusService/GetVersion`]],
    [PYTHON, ['-c', python]],
    ['curl', ['-sS', '--max-time', '5', healthzUrl]],
  ];
  // The reads an SRE makes: kubectl when installed (the lab's API speaks HTTPS with its CA in the
  // kubeconfig, as a real one does), else curl with the kubeconfig's token.
  const kubeToken = /token: (\S+)/.exec(readFileSync(k.kubeconfigPath, 'utf8'))[1];
  const ns = `/api/v1/namespaces/${k.namespace}`;
  const kubectl = (...args) => ['kubectl', ['--kubeconfig', k.kubeconfigPath, '-n', k.namespace, '--request-timeout=5s', ...args]];
  const api = (p) => ['curl', ['-sS', '--fail', '--max-time', '5', '--cacert', lab.caFile, '-H', `Authorization: Bearer ${kubeToken}`, `${k.url}${p}`]];
  const handK8s = has('kubectl')
    ? [
        kubectl('get', 'services,endpointslices,pods,configmaps,ingresses,events,backendconfigs,secrets', '-o', 'json'),
        kubectl('get', 'ingressclasses', '-o', 'json'),
        kubectl('get', '--raw', `${ns}/services/${k.release}:9091/proxy/healthz`),
      ]
    : [
        api(`${ns}/services`),
        api(`/apis/discovery.k8s.io/v1/namespaces/${k.namespace}/endpointslices`),
        api(`${ns}/pods`),
        api(`${ns}/configmaps`),
        api(`/apis/networking.k8s.io/v1/namespaces/${k.namespace}/ingresses`),
        api('/apis/networking.k8s.io/v1/ingressclasses'),
        api(`${ns}/events`),
        api(`/apis/cloud.google.com/v1/namespaces/${k.namespace}/backendconfigs`),
        api(`${ns}/secrets`),
        api(`${ns}/services/${k.release}:9091/proxy/healthz`),
      ];

  const doctor = (bin) => ({
    full: () => timed(process.execPath, [bin, ...endpoint, ...cluster, '--output', 'json'], { env }),
    dataPath: () => timed(process.execPath, [bin, ...endpoint, '--output', 'json'], { env }),
    tls: () => timed(process.execPath, [bin, ...endpoint, '--only', 'tls', '--output', 'json'], { env }),
  });
  const ours = doctor(BIN);
  const baseline = BASELINE_BIN ? doctor(BASELINE_BIN) : null;
  const floor = { "node -e ''": () => timed(process.execPath, ['-e', '']) };
  if (!WITH_LOCAL) return floor;
  const variants = {
    ...floor,
    'doctor, data path + Kubernetes': ours.full,
    'doctor, data path only': ours.dataPath,
    'doctor, --only tls': ours.tls,
    ...(baseline
      ? {
          'baseline doctor, data path + Kubernetes': baseline.full,
          'baseline doctor, data path only': baseline.dataPath,
          'baseline doctor, --only tls': baseline.tls,
        }
      : {}),
    'standard tools, one after another (data path)': () => sequence(handDataPath),
    'standard tools, one after another (data path + Kubernetes reads)': () => sequence([...handDataPath, ...handK8s]),
    'bare Node script, concurrent probes': () =>
      timed(process.execPath, [path.join(REPO, 'bench', 'bare-node.mjs')], {
        env: { ...env, LAB_HOST: lab.host, LAB_PORT: String(port), LAB_CA: lab.caFile, LAB_HEALTHZ: healthzUrl },
      }),
  };

  return variants;
}

async function measure(profiles) {
  const runs = Object.entries(profiles).flatMap(([profile, variants]) => Object.entries(variants).map(([name, run]) => ({ profile, name, run })));
  const samples = new Map(runs.map((r) => [r, []]));
  for (const { run } of runs) await run(); // warm caches (Python bytecode, OS page cache)
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of runs) {
      const result = await r.run();
      if (result.code !== 0) throw new Error(`${r.name} (${r.profile}) exited ${result.code}: ${notPassing(result.stdout)}${result.stderr?.slice(0, 400)}`);
      samples.get(r).push(result);
    }
  }
  const rows = runs.map((r) => {
    const rs = samples.get(r);
    return { profile: r.profile, name: r.name, ms: Math.round(median(rs.map((x) => x.ms))), rssMiB: Math.round(Math.max(...rs.map((x) => x.rssKiB)) / 1024) };
  });
  const ratios = {};
  const verdicts = [];
  for (const profile of Object.keys(profiles)) {
    const by = Object.fromEntries(rows.filter((r) => r.profile === profile).map((r) => [r.name, r]));
    const hand = by['standard tools, one after another (data path)'];
    const handK8s = by['standard tools, one after another (data path + Kubernetes reads)'];
    const node = by["node -e ''"];
    const loopback = profile === 'loopback';
    const r = {};
    if (WITH_CLOUD) {
      const aws = by['AWS lab, full (ELBv2/ACM read)'].ms / by['AWS lab, checks that read AWS skipped'].ms;
      const gcp = by['GKE lab, full (Compute read)'].ms / by['GKE lab, checks that read Compute skipped'].ms;
      r['AWS reads: full / without the checks that read AWS'] = `${aws.toFixed(2)}×`;
      r['GCP reads: full / without the checks that read Compute'] = `${gcp.toFixed(2)}×`;
      verdicts.push([`${profile}: GCP reads: full / without ≤ ${CLOUD_TARGETS.gcpOverWithout.toFixed(1)}× (issue 10)`, gcp <= CLOUD_TARGETS.gcpOverWithout, `${gcp.toFixed(2)}×`]);
    }
    for (const prefix of WITH_LOCAL ? ['', ...(BASELINE ? ['baseline '] : [])] : []) {
      const full = by[`${prefix}doctor, data path + Kubernetes`];
      const dp = by[`${prefix}doctor, data path only`];
      const tls = by[`${prefix}doctor, --only tls`];
      r[`${prefix}doctor data path only / standard tools (data path)`] = `${(dp.ms / hand.ms).toFixed(2)}×`;
      r[`${prefix}doctor full / standard tools (+Kubernetes reads)`] = `${(full.ms / handK8s.ms).toFixed(2)}×`;
      r[`${prefix}doctor data path only / bare Node script`] = `${(dp.ms / by['bare Node script, concurrent probes'].ms).toFixed(2)}×`;
      r[`${prefix}doctor --only tls − node -e ''`] = `${tls.ms - node.ms} ms`;
      if (prefix === '') {
        const limit = loopback ? TARGETS.dataPathOverHandLoopback : TARGETS.dataPathOverHandRtt;
        verdicts.push([`${profile}: data path only / standard tools ≤ ${limit.toFixed(1)}×`, dp.ms / hand.ms <= limit, `${(dp.ms / hand.ms).toFixed(2)}×`]);
        if (loopback) verdicts.push([`${profile}: --only tls − node -e '' ≤ ${TARGETS.tlsOverNodeMs} ms`, tls.ms - node.ms <= TARGETS.tlsOverNodeMs, `${tls.ms - node.ms} ms`]);
        verdicts.push([`${profile}: data path only peak RSS ≤ ${TARGETS.dataPathRssMiB} MiB`, dp.rssMiB <= TARGETS.dataPathRssMiB, `${dp.rssMiB} MiB`]);
      }
    }
    ratios[profile] = r;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  const out = [
    `milvus-l7-doctor bench — ${ROUNDS} interleaved rounds, medians, lab flavour gcp${WITH_CLOUD ? ' and aws' : ''} (nginx + milvus-lite + Kubernetes API${WITH_CLOUD ? ', ELBv2/ACM and Compute stand-ins' : ''}), node ${process.version}`,
    ...Object.keys(profiles).flatMap((profile) => [
      '',
      `${profile}${profile === 'loopback' ? '' : ' (added by relays in front of the load balancer, /healthz and the Kubernetes API)'}:`,
      ...rows.filter((r) => r.profile === profile).map((r) => `  ${r.name.padEnd(width)}  ${String(r.ms).padStart(6)} ms   peak RSS ${String(r.rssMiB).padStart(4)} MiB`),
      ...Object.entries(ratios[profile]).map(([k, v]) => `  ${k}: ${v}`),
    ]),
    '',
    'targets (issue "Gathering as one graph", Speed; issue 10 for the GCP reads):',
    ...verdicts.map(([what, ok, got]) => `  ${ok ? 'met    ' : 'MISSED '} ${what}: ${got}`),
    ...(has('dig') || !WITH_LOCAL ? [] : ['(dig not installed: the standard-tools run has no DNS step; apt-get install dnsutils)']),
  ].join('\n');
  process.stdout.write(`${out}\n`);
  mkdirSync(path.join(REPO, 'bench', 'out'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench', 'out', `results${ONLY === 'all' ? '' : `-${ONLY}`}.json`), JSON.stringify({ only: ONLY, rounds: ROUNDS, rttMs: RTT_MS, baseline: BASELINE, rows, ratios, targets: verdicts, at: new Date().toISOString() }, null, 2));
}
