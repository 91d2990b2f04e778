// The Compute client's side of ComputeApi (compute.ts), in a worker thread. Loading @google-cloud/compute's
// generated clients and their protos is over a second of synchronous CPU (STACK.md); here it runs on another
// core while the probes keep their sockets and timers. Only the clients the doctor uses are loaded, by deep
// require, never the package index. What goes back is plain JSON without the client's `_field` keys.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { COMPUTE_CLIENTS, COMPUTE_METHODS, type ComputeClientName, type ComputeConnection, type ComputeFailure, type FromComputeWorker, type ToComputeWorker, stripFields } from './methods.js';
import { useCut } from './protos.js';

const port = parentPort;
if (!port) throw new Error('compute-worker runs as a worker thread');
const require = createRequire(import.meta.url);
// Before the first client loads: the protos the doctor's methods reach, not the whole Compute API
// (protos.ts). Without a usable cut the clients load the whole file, as they would on their own.
// MILVUS_L7_DOCTOR_COMPUTE_PROTOS=full does that on purpose (to rule the cut out).
const cutUnused = process.env.MILVUS_L7_DOCTOR_COMPUTE_PROTOS === 'full' ? 'MILVUS_L7_DOCTOR_COMPUTE_PROTOS=full' : useCut(require);
if (process.env.MILVUS_L7_DOCTOR_DEBUG) {
  process.stderr.write(`milvus-l7-doctor: debug: Compute protos: ${cutUnused === null ? "the cut for the doctor's methods" : `the whole file (${cutUnused})`}\n`);
}

type ClientCtor = new (options: Record<string, unknown>) => Record<string, unknown>;
type Call = (request: Record<string, unknown>, options: Record<string, unknown>) => Promise<unknown[]>;

const ctors = new Map<ComputeClientName, ClientCtor>();
const clients = new Map<ComputeClientName, Record<string, unknown>>();
let connection: ComputeConnection | null = null;
let authClient: unknown = null;

function ctorOf(name: ComputeClientName): ClientCtor {
  let c = ctors.get(name);
  if (!c) {
    const mod = require(`@google-cloud/compute/build/src/v1/${name}_client.js`) as Record<string, unknown>;
    const found = Object.values(mod).find((v): v is ClientCtor => typeof v === 'function');
    if (!found) throw new Error(`@google-cloud/compute: no client class in ${name}_client.js`);
    c = found;
    ctors.set(name, c);
  }
  return c;
}

/** The client options: a local or private endpoint needs host, port and scheme separately (STACK.md). */
function clientOptions(conn: ComputeConnection): Record<string, unknown> {
  const opts: Record<string, unknown> = { fallback: 'rest' };
  if (conn.endpoint) {
    const u = new URL(conn.endpoint);
    opts.apiEndpoint = u.hostname.replace(/^\[|\]$/g, '');
    opts.protocol = u.protocol === 'http:' ? 'http' : 'https';
    opts.port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
  }
  if (conn.token) {
    if (!authClient) {
      const { OAuth2Client } = require('google-auth-library') as { OAuth2Client: new () => { setCredentials(c: Record<string, string>): void } };
      const auth = new OAuth2Client();
      auth.setCredentials({ access_token: conn.token });
      authClient = auth;
    }
    opts.authClient = authClient;
  }
  return opts;
}

function clientOf(name: ComputeClientName): Record<string, unknown> {
  let c = clients.get(name);
  if (!c) {
    if (!connection) throw new Error('the Compute worker was not told where to connect');
    c = new (ctorOf(name))(clientOptions(connection));
    clients.set(name, c);
  }
  return c;
}

function redact(text: string): string {
  const token = connection?.token;
  return token ? text.split(token).join('<token>') : text;
}

/** GaxiosError (status + raw JSON body as message), a body that is not JSON, a socket error, ADC's errors. */
function failureOf(err: unknown): ComputeFailure {
  const e = err as { name?: string; message?: string; code?: unknown; status?: unknown; response?: { status?: unknown } };
  const message = redact(String(e?.message ?? err));
  const status = typeof e?.response?.status === 'number' ? e.response.status : typeof e?.status === 'number' ? e.status : null;
  if (status !== null) return { kind: 'http', status, message };
  if (e?.name === 'SyntaxError' || err instanceof SyntaxError) return { kind: 'bad-answer', message };
  const code = typeof e?.code === 'string' ? e.code : null;
  if (code && /^E[A-Z]+/.test(code)) return { kind: 'network', code, message };
  if (/Could not load the default credentials|Could not refresh access token|invalid_grant|metadata/i.test(message)) return { kind: 'credentials', message };
  if (e?.name === 'FetchError' || e?.name === 'GaxiosError') return { kind: 'network', code, message };
  return { kind: 'internal', message };
}

const post = (m: FromComputeWorker) => port.postMessage(m);

port.on('message', (m: ToComputeWorker) => {
  if (m.type === 'connect') {
    connection = m.connection;
    // Build every client now, before the first call asks: the run is already waiting on other things.
    setImmediate(() => {
      for (const name of COMPUTE_CLIENTS) {
        try {
          clientOf(name);
        } catch {
          // The call that needs it reports why.
        }
      }
    });
    return;
  }
  const spec = COMPUTE_METHODS[m.method];
  const fn = m.method.slice(m.method.indexOf('.') + 1);
  void (async () => {
    try {
      const client = clientOf(spec.client);
      const call = client[fn] as Call | undefined;
      if (typeof call !== 'function') throw new Error(`the Compute client has no ${fn}`);
      post({ id: m.id, type: 'sent' });
      const [value] = await call.call(client, { ...m.request }, { timeout: m.timeoutMs });
      post({ id: m.id, type: 'ok', value: stripFields(value) });
    } catch (err) {
      post({ id: m.id, type: 'failed', failure: failureOf(err) });
    }
  })();
});

// Started at once by prewarm: load the module code while the run decides what to ask.
for (const name of COMPUTE_CLIENTS) {
  try {
    ctorOf(name);
  } catch {
    // Reported by the first call that needs it.
  }
}
