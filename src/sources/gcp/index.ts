// The GCP sources: one record per Compute read, each with the IAM permission it uses. The reads follow the
// load balancer as ingress-gce builds it — forwarding rule → target HTTPS proxy → URL map → backend service
// → health check and NEG health — starting from the names ingress-gce writes on the Ingress, or, without a
// cluster, from the forwarding rule whose IP is --address. The client runs in its own thread (compute.ts).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Outcome } from '../../model.js';
import type { IngressFact, ServiceFact } from '../../platform/k8s/types.js';
import { defineSource, type Permission, type ReadContext, type SourceDef } from '../define.js';
import { skipped } from '../../probes/outcome.js';
import type { GatherOptions } from '../options.js';
import type { GcpKey, GcpValues, SourceKey } from '../values.js';
import { ComputeApi, errorOutcome, type CallResult } from './compute.js';
import { COMPUTE_METHODS, type ComputeMethod } from './methods.js';
import * as n from './normalize.js';
import { GCP_SCHEMAS } from './schemas.js';
import type { GcpAccessFact, GcpGroupHealthFact } from './values.js';

const NOT_GKE = 'not a GKE deployment';

function gcpPermission(...methods: ComputeMethod[]): Permission[] {
  return [...new Set(methods.map((m) => COMPUTE_METHODS[m].permission))].map((permission) => ({ kind: 'gcp', permission }));
}

/** Why the Compute API is not read with these options, or null. */
export function gcpNotApplicable(o: GatherOptions): string | null {
  if (o.provider === 'aws') return NOT_GKE;
  const named = !!(o.gcp?.project || o.gcp?.endpoint);
  if (o.k8s?.mode === 'manifests' && !named) return 'offline (--manifests): give --gcp-project to also read the Compute API';
  if (!o.k8s && o.provider !== 'gcp' && !named) return 'no cluster, --provider gcp or --gcp-project: the Compute API is not read';
  return null;
}

/** The run is known to be GKE before the cluster says so: worth loading the client at once. */
const knownGcp = (o: GatherOptions): boolean => o.provider === 'gcp' || (!o.k8s && !!(o.gcp?.project || o.gcp?.endpoint));

const withCluster = (o: GatherOptions): boolean => o.k8s?.mode === 'live' || (o.k8s?.mode === 'manifests' && !gcpNotApplicable(o));

// ---------------------------------------------------------------- credentials and project

interface AdcFile {
  readonly path: string;
  readonly project: string | null;
}

/** Application Default Credentials as google-auth-library finds them, without touching the network. */
function adcFile(env: NodeJS.ProcessEnv): AdcFile | null {
  const candidates = [
    env.GOOGLE_APPLICATION_CREDENTIALS,
    env.CLOUDSDK_CONFIG ? join(env.CLOUDSDK_CONFIG, 'application_default_credentials.json') : undefined,
    join(homedir(), '.config', 'gcloud', 'application_default_credentials.json'),
  ].filter((p): p is string => !!p);
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    let project: string | null = null;
    try {
      const j = JSON.parse(readFileSync(path, 'utf8')) as { project_id?: unknown; quota_project_id?: unknown };
      project = typeof j.project_id === 'string' ? j.project_id : typeof j.quota_project_id === 'string' ? j.quota_project_id : null;
    } catch {
      // The client will say what is wrong with it.
    }
    return { path, project };
  }
  return null;
}

/** On Google's own machines the metadata server answers; anywhere else asking it costs seconds (STACK.md). */
function onGoogleCloud(env: NodeJS.ProcessEnv): boolean {
  const detection = env.METADATA_SERVER_DETECTION;
  if (detection === 'none') return false;
  if (detection === 'assume-present') return true;
  if (env.K_SERVICE || env.FUNCTION_NAME) return true;
  try {
    return /Google/i.test(readFileSync('/sys/class/dmi/id/product_name', 'utf8'));
  } catch {
    return false;
  }
}

/** gce://PROJECT/ZONE/INSTANCE, the providerID the GCE cloud provider gives every GKE node; null otherwise. */
export function gceProviderId(id: string | null): { readonly project: string; readonly zone: string; readonly instance: string } | null {
  const m = /^gce:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(id ?? '');
  return m ? { project: m[1], zone: m[2], instance: m[3] } : null;
}

/** Live, without --gcp-project: the nodes say which project the cluster (and its load balancer) is in. */
const projectFromNodes = (o: GatherOptions): boolean => o.k8s?.mode === 'live' && !o.gcp?.project;

/** Live with the provider left to discovery: the selection decides whether GKE is worth asking about. */
const undecided = (o: GatherOptions): boolean => o.k8s?.mode === 'live' && o.provider !== 'gcp';

async function notGke(ctx: ReadContext): Promise<string | null> {
  if (!undecided(ctx.options)) return null;
  const sel = await ctx.outcome('selection');
  if (sel.status !== 'ok' || sel.value.provider === 'gcp') return null;
  return sel.value.provider === 'aws' ? NOT_GKE : 'the provider is not known; use --provider gcp to read the Compute API';
}

export const nodesSource = defineSource({
  key: 'gcp.nodes',
  label: 'list the Nodes (the GCP project in their providerID)',
  layer: 'k8s',
  owner: 'gcp.compute.access',
  schema: GCP_SCHEMAS.nodes,
  permission: [{ kind: 'rbac', group: '', resource: 'nodes', verb: 'list', scope: 'cluster' }],
  applies: (o) => gcpNotApplicable(o) ?? (o.k8s?.mode === 'live' ? null : 'the Nodes are read from a live cluster only'),
  inputs: ['k8s.cluster'],
  after: (o) => (undecided(o) ? ['selection'] : []),
  async read(ctx): Promise<Outcome<GcpValues['nodes']>> {
    const why = await notGke(ctx);
    if (why) return skipped(why);
    const cluster = ctx.value('k8s.cluster');
    if (!cluster.live) return skipped('no live cluster');
    const { listNodes } = await import('../../platform/k8s/live.js');
    return listNodes({ ...cluster.live, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  },
});

/** The project in the first node's gce:// providerID, with the evidence of where it came from. */
function projectOfNodes(nodes: Outcome<GcpValues['nodes']> | null): { project: string | null; note: string | null } {
  if (!nodes || nodes.status === 'skipped') return { project: null, note: null };
  if (nodes.status === 'error') return { project: null, note: `the Nodes could not be read (${nodes.error.message}): grant list nodes (fixtures/rbac/doctor-clusterrole.yaml) or give --gcp-project` };
  for (const n of nodes.value) {
    const id = gceProviderId(n.providerID);
    if (id) return { project: id.project, note: `node ${n.name}: providerID ${n.providerID ?? ''}` };
  }
  const first = nodes.value[0];
  return { project: null, note: first ? `no node has a gce:// providerID (node ${first.name}: ${first.providerID ?? 'none'})` : 'the cluster lists no Nodes' };
}

export const accessSource = defineSource({
  key: 'gcp.access',
  label: 'Google credentials and project',
  layer: 'gcp',
  owner: 'gcp.compute.access',
  schema: GCP_SCHEMAS.access,
  applies: gcpNotApplicable,
  after: (o) => [...(undecided(o) ? (['selection'] as const) : []), ...(projectFromNodes(o) ? (['gcp.nodes'] as const) : [])],
  async read(ctx): Promise<Outcome<GcpAccessFact>> {
    const o = ctx.options;
    const why = await notGke(ctx);
    if (why) return skipped(why);
    const env = process.env;
    const token = o.gcp?.accessToken ?? null;
    const adc = token ? null : adcFile(env);
    const metadata = !token && !adc && onGoogleCloud(env);
    const endpoint = o.gcp?.endpoint ?? null;
    if (!token && !adc && !metadata) {
      return {
        status: 'error',
        error: {
          code: 'GCP_NO_CREDENTIALS',
          layer: 'gcp',
          message: 'no Google credentials (set GOOGLE_OAUTH_ACCESS_TOKEN, e.g. from `gcloud auth print-access-token`, or GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth application-default login`; the metadata server is asked only on Google Cloud)',
        },
        ms: 0,
      };
    }
    // The issue's order: the flag, the cluster's own nodes, then ADC's project (its variables, then its file).
    const nodes = projectFromNodes(o) ? projectOfNodes(await ctx.outcome('gcp.nodes')) : { project: null, note: null };
    const fromEnv = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || env.CLOUDSDK_CORE_PROJECT || null;
    const chosen: [string, GcpAccessFact['projectFrom']] | null = o.gcp?.project
      ? [o.gcp.project, 'flag']
      : nodes.project
        ? [nodes.project, 'providerID']
        : fromEnv
          ? [fromEnv, 'env']
          : adc?.project
            ? [adc.project, 'adc']
            : null;
    if (!chosen) {
      const message = `no GCP project: give --gcp-project (or set GOOGLE_CLOUD_PROJECT)${nodes.note ? `; ${nodes.note}` : ''}`;
      return { status: 'error', error: { code: 'GCP_NO_PROJECT', layer: 'gcp', message }, ms: 0 };
    }
    const [project, projectFrom] = chosen;
    return { status: 'ok', value: { project, projectFrom, projectNote: nodes.note, credentials: token ? 'token' : 'adc', endpoint }, ms: 0 };
  },
});

export const gcpApiSource = defineSource({
  key: 'gcpApi',
  label: 'the Compute API client',
  layer: 'gcp',
  owner: null,
  schema: null,
  applies: gcpNotApplicable,
  inputs: ['gcp.access'],
  prepare: (o) => {
    if (!knownGcp(o)) return async () => undefined;
    ComputeApi.prewarm();
    return () => ComputeApi.discardWarm();
  },
  async read(ctx) {
    const access = ctx.value('gcp.access');
    const api = new ComputeApi(access.project, { endpoint: access.endpoint, token: ctx.options.gcp?.accessToken ?? null }, ctx.timeoutMs * 2);
    return { status: 'ok', value: api, ms: 0 };
  },
  dispose: (api) => api.close(),
});

// ---------------------------------------------------------------- the Compute reads

interface GcpSourceSpec<F extends keyof GcpValues & string> {
  readonly label: string;
  readonly owner: string;
  readonly methods: readonly ComputeMethod[];
  readonly inputs: (o: GatherOptions) => readonly SourceKey[];
  readonly read: (r: Reader) => Promise<Outcome<GcpValues[F]>>;
}

/** What a read gets: its inputs, and calls that turn every failure into the outcome to return. */
export interface Reader {
  readonly ctx: ReadContext;
  readonly project: string;
  /** The value, or throws the error outcome (caught by gcpSource). */
  call(method: ComputeMethod, request: Record<string, unknown>): Promise<unknown>;
  /** The raw result, for reads that make a 404 part of the answer. */
  tryCall(method: ComputeMethod, request: Record<string, unknown>): Promise<CallResult>;
}

class Failed {
  constructor(readonly outcome: Outcome<never>) {}
}

function gcpSource<F extends keyof GcpValues & string>(field: F, spec: GcpSourceSpec<F>): SourceDef<`gcp.${F}`> {
  const def: SourceDef<GcpKey> = {
    key: `gcp.${field}`,
    label: spec.label,
    layer: 'gcp',
    owner: spec.owner,
    schema: GCP_SCHEMAS[field] as SourceDef<GcpKey>['schema'],
    permission: gcpPermission(...spec.methods),
    applies: gcpNotApplicable,
    inputs: (o: GatherOptions): SourceKey[] => ['gcpApi', ...spec.inputs(o)],
    // Several calls in a row (a list per NEG), each with its own deadline, after the client has loaded.
    budgetMs: (o: GatherOptions) => o.timeoutMs * 6 + 2000,
    async read(ctx: ReadContext) {
      const api = ctx.value('gcpApi');
      const started = performance.now();
      const tryCall = (method: ComputeMethod, request: Record<string, unknown>) => api.call(method, { project: api.project, ...request }, ctx);
      const r: Reader = {
        ctx,
        project: api.project,
        tryCall,
        async call(method, request) {
          const res = await tryCall(method, request);
          if (!res.ok) throw new Failed(errorOutcome(res.error, Math.round(performance.now() - started)));
          return res.value;
        },
      };
      try {
        const out = await spec.read(r);
        return out.status === 'ok' ? { ...out, ms: Math.round(performance.now() - started) } : out;
      } catch (err) {
        if (err instanceof Failed) return err.outcome;
        if (err instanceof n.BadAnswer) {
          const method = spec.methods[0];
          return { status: 'error', error: { code: 'GCP_BAD_ANSWER', layer: 'gcp', message: `${method}: the answer is not a Compute resource (${err.message})` }, ms: Math.round(performance.now() - started) };
        }
        throw err;
      }
    },
  } as unknown as SourceDef<GcpKey>;
  // TypeScript cannot reduce ValueOf<`gcp.${F}`> to GcpValues[F] for a generic F; they are the same type.
  return defineSource(def) as unknown as SourceDef<`gcp.${F}`>;
}

const ok = <T>(value: T): Outcome<T> => ({ status: 'ok', value, ms: 0 });

interface Picked {
  readonly ing: IngressFact | null;
  readonly svc: ServiceFact | null;
  readonly host: string | null;
  readonly address: string | null;
}

const CLUSTER_INPUTS: readonly SourceKey[] = ['selection', 'k8s.services', 'k8s.ingresses'];
const clusterInputs = (o: GatherOptions): readonly SourceKey[] => (withCluster(o) ? CLUSTER_INPUTS : []);

function picked(r: Reader): Picked {
  const o = r.ctx.options;
  if (!withCluster(o)) return { ing: null, svc: null, host: o.host, address: o.address };
  const sel = r.ctx.value('selection');
  return {
    ing: r.ctx.value('k8s.ingresses').find((i) => i.name === sel.ingress) ?? null,
    svc: r.ctx.value('k8s.services').find((s) => s.name === sel.service) ?? null,
    host: o.host ?? sel.host,
    address: o.address ?? sel.address,
  };
}

/** The NEG ingress-gce made for the Milvus port (neg-status), whose name its backend service shares. */
export function negNameOf(svc: ServiceFact | null): string | null {
  const raw = svc?.annotations['cloud.google.com/neg-status'];
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as { network_endpoint_groups?: Record<string, unknown> };
    const g = v.network_endpoint_groups ?? {};
    const name = g['19530'] ?? Object.values(g)[0];
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

function isNotFound(res: CallResult): boolean {
  return !res.ok && res.error.code === 'GCP_NOT_FOUND';
}

function portsOf(range: string | null): [number, number] | null {
  if (!range) return null;
  const [a, b] = range.split('-').map(Number);
  return Number.isFinite(a) ? [a, Number.isFinite(b) ? b : a] : null;
}
const covers = (range: string | null, port: number) => {
  const p = portsOf(range);
  return p !== null && p[0] <= port && port <= p[1];
};

export const GCP_SOURCES: { readonly [K in GcpKey]: SourceDef<K> } = {
  'gcp.access': accessSource,
  'gcp.nodes': nodesSource,
  'gcp.forwardingRules': gcpSource('forwardingRules', {
    label: 'the forwarding rules (Compute)',
    owner: 'gcp.forwarding-rule.https',
    methods: ['globalForwardingRules.get', 'globalForwardingRules.list'],
    inputs: clusterInputs,
    async read(r) {
      const p = picked(r);
      const https = p.ing?.annotations['ingress.kubernetes.io/https-forwarding-rule'];
      const http = p.ing?.annotations['ingress.kubernetes.io/forwarding-rule'];
      if (p.ing && (https || http)) {
        const get = async (name: string | undefined) => {
          if (!name) return null;
          const res = await r.tryCall('globalForwardingRules.get', { forwardingRule: name });
          if (isNotFound(res) && name === http) return null;
          if (!res.ok) throw new Failed(errorOutcome(res.error, 0));
          return n.forwardingRule(res.value);
        };
        const [s, h] = await Promise.all([get(https), get(http)]);
        return ok({ from: 'ingress', https: s, http: h });
      }
      if (p.ing) return skipped(`ingress-gce has not written ingress.kubernetes.io/https-forwarding-rule on the Ingress ${p.ing.name} yet`, 'gcp.ingress.backends');
      if (!p.address) return skipped('no --address to find the forwarding rule by');
      const all = (await r.call('globalForwardingRules.list', {})) as unknown[];
      const rules = (Array.isArray(all) ? all : []).map(n.forwardingRule).filter((f) => f.ipAddress === p.address);
      return ok({
        from: 'address',
        https: rules.find((f) => f.targetKind === 'targetHttpsProxies' && covers(f.portRange, 443)) ?? null,
        http: rules.find((f) => f.targetKind === 'targetHttpProxies' && covers(f.portRange, 80)) ?? null,
      });
    },
  }),
  'gcp.targetHttpsProxy': gcpSource('targetHttpsProxy', {
    label: 'the target HTTPS proxy (Compute)',
    owner: 'gcp.target-proxy.certificates',
    methods: ['targetHttpsProxies.get'],
    inputs: () => ['gcp.forwardingRules'],
    async read(r) {
      const fr = r.ctx.value('gcp.forwardingRules').https;
      if (!fr?.target || fr.targetKind !== 'targetHttpsProxies') return skipped('no HTTPS forwarding rule to a target HTTPS proxy', 'gcp.forwarding-rule.https');
      return ok(n.targetProxy(await r.call('targetHttpsProxies.get', { targetHttpsProxy: fr.target })));
    },
  }),
  'gcp.sslCertificates': gcpSource('sslCertificates', {
    label: 'the SSL certificates of the proxy (Compute)',
    owner: 'gcp.target-proxy.certificates',
    methods: ['sslCertificates.get'],
    inputs: () => ['gcp.targetHttpsProxy'],
    async read(r) {
      const names = r.ctx.value('gcp.targetHttpsProxy').sslCertificates;
      return ok(await Promise.all(names.map(async (name) => n.sslCertificate(await r.call('sslCertificates.get', { sslCertificate: name })))));
    },
  }),
  'gcp.sslPolicy': gcpSource('sslPolicy', {
    label: 'the SSL policy of the proxy (Compute)',
    owner: 'gcp.target-proxy.ssl-policy',
    methods: ['sslPolicies.get'],
    inputs: () => ['gcp.targetHttpsProxy'],
    async read(r) {
      const name = r.ctx.value('gcp.targetHttpsProxy').sslPolicy;
      // Google's default when none is attached (documented: COMPATIBLE, TLS 1.0).
      if (!name) return ok({ name: null, minTlsVersion: 'TLS_1_0', profile: 'COMPATIBLE' });
      return ok(n.sslPolicy(await r.call('sslPolicies.get', { sslPolicy: name })));
    },
  }),
  'gcp.urlMap': gcpSource('urlMap', {
    label: 'the URL map (Compute)',
    owner: 'gcp.url-map.host-rule',
    methods: ['urlMaps.get'],
    inputs: () => ['gcp.targetHttpsProxy'],
    async read(r) {
      const name = r.ctx.value('gcp.targetHttpsProxy').urlMap;
      if (!name) return skipped('the target HTTPS proxy names no URL map', 'gcp.target-proxy.certificates');
      return ok(n.urlMap(await r.call('urlMaps.get', { urlMap: name })));
    },
  }),
  'gcp.backendService': gcpSource('backendService', {
    label: 'the Milvus backend service (Compute)',
    owner: 'gcp.backend-service.protocol',
    methods: ['backendServices.get'],
    inputs: (o) => ['gcp.urlMap', ...clusterInputs(o)],
    async read(r) {
      const um = r.ctx.value('gcp.urlMap');
      const p = picked(r);
      const rule = p.host ? um.hostRules.find((h) => h.hosts.some((x) => x === p.host || (x.startsWith('*.') && p.host?.endsWith(x.slice(1))))) : undefined;
      const viaRule = rule ? um.pathMatchers.find((m) => m.name === rule.pathMatcher)?.defaultService ?? null : null;
      // Without a host rule the Milvus backend service still exists: ingress-gce names it after the NEG.
      const neg = negNameOf(p.svc);
      const [name, from] = viaRule ? [viaRule, 'host-rule' as const] : neg ? [neg, 'neg' as const] : [um.defaultService, 'default-service' as const];
      if (!name) return skipped('the URL map routes the host to no backend service', 'gcp.url-map.host-rule');
      return ok(n.backendService(await r.call('backendServices.get', { backendService: name }), from));
    },
  }),
  'gcp.healthCheck': gcpSource('healthCheck', {
    label: 'the health check of the backend service (Compute)',
    owner: 'gcp.health-check.config',
    methods: ['healthChecks.get'],
    inputs: () => ['gcp.backendService'],
    async read(r) {
      const name = r.ctx.value('gcp.backendService').healthChecks[0];
      if (!name) return skipped('the backend service has no health check', 'gcp.backend-service.protocol');
      return ok(n.healthCheck(await r.call('healthChecks.get', { healthCheck: name })));
    },
  }),
  'gcp.backendHealth': gcpSource('backendHealth', {
    label: 'backend health per NEG (backendServices.getHealth)',
    owner: 'gcp.neg.health',
    methods: ['backendServices.getHealth'],
    inputs: () => ['gcp.backendService'],
    async read(r) {
      const bs = r.ctx.value('gcp.backendService');
      const groups = await Promise.all(
        bs.backends.map(async (b): Promise<GcpGroupHealthFact> => {
          const v = await r.call('backendServices.getHealth', { backendService: bs.name, resourceGroupReferenceResource: { group: b.group } });
          return { neg: b.name, zone: b.zone, endpoints: n.groupHealth(v) };
        }),
      );
      return ok(groups);
    },
  }),
  'gcp.negEndpoints': gcpSource('negEndpoints', {
    label: 'the NEG endpoints with health (listNetworkEndpoints)',
    owner: 'gcp.neg.endpoints',
    methods: ['networkEndpointGroups.listNetworkEndpoints'],
    inputs: () => ['gcp.backendService'],
    async read(r) {
      const bs = r.ctx.value('gcp.backendService');
      const groups = await Promise.all(
        bs.backends.map(async (b): Promise<GcpGroupHealthFact> => {
          const v = await r.call('networkEndpointGroups.listNetworkEndpoints', {
            zone: b.zone,
            networkEndpointGroup: b.name,
            networkEndpointGroupsListEndpointsRequestResource: { healthStatus: 'SHOW' },
          });
          return { neg: b.name, zone: b.zone, endpoints: n.networkEndpoints(v) };
        }),
      );
      return ok(groups);
    },
  }),
  'gcp.firewalls': gcpSource('firewalls', {
    label: 'the VPC firewall rules (Compute)',
    owner: 'gcp.firewall.health-check',
    methods: ['firewalls.list'],
    inputs: () => [],
    async read(r) {
      const v = await r.call('firewalls.list', {});
      if (!Array.isArray(v)) throw new n.BadAnswer('the firewall list is not a list');
      return ok(v.map(n.firewall).filter((f) => f.direction === null || f.direction === 'INGRESS'));
    },
  }),
  'gcp.instances': gcpSource('instances', {
    label: 'the VMs behind the NEG endpoints (Compute)',
    owner: 'gcp.firewall.health-check',
    methods: ['instances.get'],
    inputs: () => ['gcp.negEndpoints'],
    async read(r) {
      // Each VM once, however many endpoints it hosts: the firewall applies per VM (its tags and network).
      const vms = new Map<string, { zone: string; instance: string }>();
      for (const g of r.ctx.value('gcp.negEndpoints')) {
        for (const e of g.endpoints) {
          const instance = n.lastSegment(e.instance);
          if (g.zone && instance) vms.set(`${g.zone}/${instance}`, { zone: g.zone, instance });
        }
      }
      return ok(await Promise.all([...vms.values()].map(async (vm) => n.instance(await r.call('instances.get', vm)))));
    },
  }),
};
