// The lab's Compute REST endpoint: the paths @google-cloud/compute's REST transport calls
// (/compute/v1/projects/{project}/…), answered from the resources derived from the lab world (derive.ts),
// with endpoint health from actually probing each pod the way the health check says. It checks the bearer
// token, records every call with the IAM permission Google's reference gives for it (the role replay test
// holds a run's calls against the generated role), answers 403 for permissions the test withholds, and can
// misbehave (garbage, 500s, silence) for the tests of bad answers.
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { podPortTarget, type LabWorld } from '../world.js';
import { deriveCompute, firewallAdmits, type ComputeWorld, type LabHealthCheck, type NegEndpoint } from './derive.js';

export type ComputeMisbehaviour = 'garbage' | 'error500' | 'silent';

export interface ComputeCall {
  readonly method: string;
  /** The IAM permission Google's API reference lists for the method. */
  readonly permission: string;
  readonly path: string;
  /** The query string as sent ('' for none). */
  readonly query: string;
  /** The request body, parsed ({} for none). */
  readonly body: Record<string, unknown>;
}

export interface ComputeApiOptions {
  readonly project?: string;
  /** Permissions whose calls answer 403. */
  readonly forbidden?: readonly string[];
  readonly misbehave?: ComputeMisbehaviour;
}

export interface ComputeApiHandle {
  readonly url: string;
  readonly project: string;
  readonly token: string;
  readonly calls: readonly ComputeCall[];
  stop(): Promise<void>;
}

interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly name: string;
  readonly permission: string;
  readonly answer: (cw: ComputeWorld, m: RegExpExecArray, body: Record<string, unknown>, world: LabWorld) => Promise<unknown> | unknown;
}

const HEALTH_TIMEOUT_MS = 2000;

/** One HTTP GET of `path` on host:port, as the load balancer's HTTP health check sends it. */
function httpProbe(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host, port, path, method: 'GET', timeout: HEALTH_TIMEOUT_MS, headers: { 'user-agent': 'GoogleHC/1.0' } }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** HEALTHY only when the firewall admits the probe and the pod answers the check with 200. */
async function endpointHealth(world: LabWorld, cw: ComputeWorld, hc: LabHealthCheck | undefined, ep: NegEndpoint): Promise<string> {
  if (!hc || ep.pod === null) return 'UNHEALTHY';
  const port = hc.portSpecification === 'USE_FIXED_PORT' && hc.port !== null ? hc.port : ep.port;
  if (!firewallAdmits(cw, port, ep.instance)) return 'UNHEALTHY';
  // The lab probes plain HTTP only: Milvus answers no HTTP/2 or HTTPS GET of / with 200 on its gRPC port.
  if (hc.type !== 'HTTP') return 'UNHEALTHY';
  const target = podPortTarget(world, ep.pod, port);
  if ('error' in target) return 'UNHEALTHY';
  return (await httpProbe(target.target.host, target.target.port, hc.requestPath)) ? 'HEALTHY' : 'UNHEALTHY';
}

function notFound(kind: string, project: string, name: string): never {
  throw Object.assign(new Error(`The resource 'projects/${project}/${kind}/${name}' was not found`), { status: 404 });
}

function get<T>(map: Map<string, T>, kind: string, project: string, name: string): T {
  const v = map.get(name);
  return v === undefined ? notFound(kind, project, name) : v;
}

function healthCheckResource(project: string, hc: LabHealthCheck): Record<string, unknown> {
  const key = `${hc.type.toLowerCase()}HealthCheck`;
  return {
    kind: 'compute#healthCheck',
    name: hc.name,
    selfLink: `https://www.googleapis.com/compute/v1/projects/${project}/global/healthChecks/${hc.name}`,
    type: hc.type,
    checkIntervalSec: hc.checkIntervalSec,
    timeoutSec: hc.timeoutSec,
    healthyThreshold: 1,
    unhealthyThreshold: 10,
    [key]: { ...(hc.port !== null ? { port: hc.port } : {}), portSpecification: hc.portSpecification, requestPath: hc.requestPath, proxyHeader: 'NONE' },
  };
}

const P = '^/compute/v1/projects/([^/]+)/';
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: new RegExp(`${P}global/forwardingRules/([^/?]+)$`), name: 'globalForwardingRules.get', permission: 'compute.globalForwardingRules.get', answer: (cw, m) => get(cw.forwardingRules, 'global/forwardingRules', cw.project, m[2]) },
  { method: 'GET', pattern: new RegExp(`${P}global/forwardingRules$`), name: 'globalForwardingRules.list', permission: 'compute.globalForwardingRules.list', answer: (cw) => ({ kind: 'compute#forwardingRuleList', items: [...cw.forwardingRules.values()] }) },
  { method: 'GET', pattern: new RegExp(`${P}global/targetHttpsProxies/([^/?]+)$`), name: 'targetHttpsProxies.get', permission: 'compute.targetHttpsProxies.get', answer: (cw, m) => get(cw.targetHttpsProxies, 'global/targetHttpsProxies', cw.project, m[2]) },
  { method: 'GET', pattern: new RegExp(`${P}global/sslCertificates/([^/?]+)$`), name: 'sslCertificates.get', permission: 'compute.sslCertificates.get', answer: (cw, m) => get(cw.sslCertificates, 'global/sslCertificates', cw.project, m[2]) },
  { method: 'GET', pattern: new RegExp(`${P}global/sslPolicies/([^/?]+)$`), name: 'sslPolicies.get', permission: 'compute.sslPolicies.get', answer: (cw, m) => notFound('global/sslPolicies', cw.project, m[2]) },
  { method: 'GET', pattern: new RegExp(`${P}global/urlMaps/([^/?]+)$`), name: 'urlMaps.get', permission: 'compute.urlMaps.get', answer: (cw, m) => get(cw.urlMaps, 'global/urlMaps', cw.project, m[2]) },
  { method: 'GET', pattern: new RegExp(`${P}global/backendServices/([^/?]+)$`), name: 'backendServices.get', permission: 'compute.backendServices.get', answer: (cw, m) => get(cw.backendServices, 'global/backendServices', cw.project, m[2]) },
  {
    method: 'POST',
    pattern: new RegExp(`${P}global/backendServices/([^/?]+)/getHealth$`),
    name: 'backendServices.getHealth',
    permission: 'compute.backendServices.get',
    async answer(cw, m, body, world) {
      get(cw.backendServices, 'global/backendServices', cw.project, m[2]);
      const group = typeof body.group === 'string' ? body.group : '';
      const neg = cw.negs.find((n) => group.endsWith(`/zones/${n.zone}/networkEndpointGroups/${n.name}`));
      if (!neg) throw Object.assign(new Error(`Invalid value for field 'resource.group': '${group}'.`), { status: 400 });
      const hc = cw.healthChecks.get(cw.healthCheckOf.get(m[2]) ?? '');
      const healthStatus = await Promise.all(
        neg.endpoints.map(async (ep) => ({ ipAddress: ep.ipAddress, port: ep.port, instance: `https://www.googleapis.com/compute/v1/projects/${cw.project}/zones/${neg.zone}/instances/${ep.instance}`, healthState: await endpointHealth(world, cw, hc, ep) })),
      );
      return { kind: 'compute#backendServiceGroupHealth', ...(healthStatus.length ? { healthStatus } : {}) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${P}global/healthChecks/([^/?]+)$`),
    name: 'healthChecks.get',
    permission: 'compute.healthChecks.get',
    answer: (cw, m) => healthCheckResource(cw.project, get(cw.healthChecks, 'global/healthChecks', cw.project, m[2])),
  },
  {
    method: 'POST',
    pattern: new RegExp(`${P}zones/([^/]+)/networkEndpointGroups/([^/?]+)/listNetworkEndpoints$`),
    name: 'networkEndpointGroups.listNetworkEndpoints',
    permission: 'compute.networkEndpointGroups.get',
    async answer(cw, m, body, world) {
      const neg = cw.negs.find((n) => n.zone === m[2] && n.name === m[3]) ?? notFound(`zones/${m[2]}/networkEndpointGroups`, cw.project, m[3]);
      const bs = [...cw.healthCheckOf.keys()][0];
      const hc = cw.healthChecks.get(cw.healthCheckOf.get(bs) ?? '');
      const show = body.healthStatus === 'SHOW';
      const items = await Promise.all(
        neg.endpoints.map(async (ep) => ({
          networkEndpoint: { ipAddress: ep.ipAddress, port: ep.port, instance: ep.instance },
          ...(show ? { healths: [{ healthState: await endpointHealth(world, cw, hc, ep), backendService: { backendService: bs } }] } : {}),
        })),
      );
      return { kind: 'compute#networkEndpointGroupsListNetworkEndpoints', items };
    },
  },
  { method: 'GET', pattern: new RegExp(`${P}global/firewalls$`), name: 'firewalls.list', permission: 'compute.firewalls.list', answer: (cw) => ({ kind: 'compute#firewallList', items: cw.firewalls }) },
  { method: 'GET', pattern: new RegExp(`${P}zones/([^/]+)/instances/([^/?]+)$`), name: 'instances.get', permission: 'compute.instances.get', answer: (cw, m) => get(cw.instances, `zones/${m[2]}/instances`, cw.project, `${m[2]}/${m[3]}`) },
];

/**
 * What ingress-gce has not created yet, per lab fault: the method answers 404 that many times, then the
 * resource exists (the controller finished while the doctor waited).
 */
const NOT_CREATED_YET: Readonly<Record<string, { readonly method: string; readonly times: number }>> = {
  'url-map-not-created-yet': { method: 'urlMaps.get', times: 1 },
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(status: number, message: string, reason: string): unknown {
  return { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return {};
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function serveComputeApi(world: LabWorld, options: ComputeApiOptions = {}): Promise<ComputeApiHandle> {
  const project = options.project ?? world.ids.gcpProject;
  const token = `ya29.lab-${randomBytes(24).toString('base64url')}`;
  const calls: ComputeCall[] = [];
  const forbidden = new Set(options.forbidden ?? []);
  const notYet = new Map(world.faults.flatMap((f) => (NOT_CREATED_YET[f] ? [[NOT_CREATED_YET[f].method, NOT_CREATED_YET[f].times] as const] : [])));
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      const [path = '/', query = ''] = (req.url ?? '/').split('?');
      const route = ROUTES.find((r) => r.method === req.method && r.pattern.test(path));
      const body = await readBody(req);
      if (!route) return send(res, 404, errorBody(404, `The lab's Compute API does not serve ${req.method} ${path}`, 'notFound'));
      const m = route.pattern.exec(path) as RegExpExecArray;
      calls.push({ method: route.name, permission: route.permission, path, query, body });
      if (options.misbehave === 'silent') return; // accepted, never answered
      if (options.misbehave === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('<html>not what you asked for');
      }
      if (options.misbehave === 'error500') return send(res, 500, errorBody(500, 'Internal error. Please try again or contact Google Support.', 'backendError'));
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, errorBody(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'authError'));
      if (m[1] !== project) return send(res, 404, errorBody(404, `The resource 'projects/${m[1]}' was not found`, 'notFound'));
      if (forbidden.has(route.permission)) {
        return send(res, 403, errorBody(403, `Required '${route.permission}' permission for 'projects/${project}/${path.split(`/projects/${project}/`)[1] ?? ''}'`, 'forbidden'));
      }
      const pending = notYet.get(route.name) ?? 0;
      if (pending > 0) {
        notYet.set(route.name, pending - 1);
        return send(res, 404, errorBody(404, `The resource '${path.split('/compute/v1/')[1] ?? path}' was not found`, 'notFound'));
      }
      try {
        send(res, 200, await route.answer(deriveCompute(world, project), m, body, world));
      } catch (err) {
        const status = (err as { status?: number }).status ?? 500;
        send(res, status, errorBody(status, err instanceof Error ? err.message : String(err), status === 404 ? 'notFound' : 'invalid'));
      }
    })();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    project,
    token,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
