// The Compute methods the doctor calls: which generated client serves each, and the IAM permission each
// needs. One table for the worker (which client to load), the sources (the permission they declare) and
// the errors (a 403 names the permission), so the three never disagree.

export const COMPUTE_METHODS = {
  'globalForwardingRules.get': { client: 'global_forwarding_rules', permission: 'compute.globalForwardingRules.get' },
  'globalForwardingRules.list': { client: 'global_forwarding_rules', permission: 'compute.globalForwardingRules.list' },
  'targetHttpsProxies.get': { client: 'target_https_proxies', permission: 'compute.targetHttpsProxies.get' },
  'sslCertificates.get': { client: 'ssl_certificates', permission: 'compute.sslCertificates.get' },
  'sslPolicies.get': { client: 'ssl_policies', permission: 'compute.sslPolicies.get' },
  'urlMaps.get': { client: 'url_maps', permission: 'compute.urlMaps.get' },
  'backendServices.get': { client: 'backend_services', permission: 'compute.backendServices.get' },
  // getHealth is authorised by the backend service's get permission.
  'backendServices.getHealth': { client: 'backend_services', permission: 'compute.backendServices.get' },
  'healthChecks.get': { client: 'health_checks', permission: 'compute.healthChecks.get' },
  // listNetworkEndpoints is authorised by the NEG's get permission.
  'networkEndpointGroups.listNetworkEndpoints': { client: 'network_endpoint_groups', permission: 'compute.networkEndpointGroups.get' },
  'firewalls.list': { client: 'firewalls', permission: 'compute.firewalls.list' },
  // The network tags and network of the VMs behind the NEG endpoints, which the firewall rules target.
  'instances.get': { client: 'instances', permission: 'compute.instances.get' },
} as const;

export type ComputeMethod = keyof typeof COMPUTE_METHODS;
export type ComputeClientName = (typeof COMPUTE_METHODS)[ComputeMethod]['client'];

/** Every client a GCP run may use, loaded ahead in this order (the first one pays for the protos). */
export const COMPUTE_CLIENTS: readonly ComputeClientName[] = [...new Set(Object.values(COMPUTE_METHODS).map((m) => m.client))];

export interface ComputeConnection {
  /** --gcp-endpoint as validated (scheme, host, port), or null for compute.googleapis.com. */
  readonly endpoint: string | null;
  /** A static access token (GOOGLE_OAUTH_ACCESS_TOKEN), or null for ADC. */
  readonly token: string | null;
}

export type ComputeFailure =
  | { readonly kind: 'http'; readonly status: number; readonly message: string }
  | { readonly kind: 'bad-answer'; readonly message: string }
  | { readonly kind: 'network'; readonly code: string | null; readonly message: string }
  | { readonly kind: 'credentials'; readonly message: string }
  | { readonly kind: 'internal'; readonly message: string };

export type ToComputeWorker =
  | { readonly type: 'connect'; readonly connection: ComputeConnection }
  | { readonly type: 'call'; readonly id: number; readonly method: ComputeMethod; readonly request: Readonly<Record<string, unknown>>; readonly timeoutMs: number };

export type FromComputeWorker =
  /** The client is built and the request is on its way: the call's deadline starts now. */
  | { readonly id: number; readonly type: 'sent' }
  | { readonly id: number; readonly type: 'ok'; readonly value: unknown }
  | { readonly id: number; readonly type: 'failed'; readonly failure: ComputeFailure };

/** The generated objects carry `_field` keys for oneofs; no Compute field starts with "_". */
export function stripFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripFields);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('_') && x !== undefined) out[k] = stripFields(x);
    return out;
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}
