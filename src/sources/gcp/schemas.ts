// The schema of each GCP source's value, for snapshots; the compiler holds each to src/sources/gcp/values.ts.
import { z } from 'zod';
import type {
  GcpAccessFact, GcpBackendServiceFact, GcpEndpointHealth, GcpFirewallFact, GcpForwardingRule, GcpForwardingRulesFact, GcpGroupHealthFact, GcpHealthCheckFact,
  GcpInstanceFact, GcpNodeFact, GcpSslCertificateFact, GcpSslPolicyFact, GcpTargetProxyFact, GcpUrlMapFact, GcpValues,
} from './values.js';

const s = z.string();
const ns = z.string().nullable();
const nn = z.number().nullable();

const access: z.ZodType<GcpAccessFact> = z.object({ project: s, projectFrom: z.enum(['flag', 'providerID', 'env', 'adc']), projectNote: ns, credentials: z.enum(['token', 'adc']), endpoint: ns });
const node: z.ZodType<GcpNodeFact> = z.object({ name: s, providerID: ns });
const instance: z.ZodType<GcpInstanceFact> = z.object({ name: s, zone: ns, tags: z.array(s), network: ns, networkProject: ns });

const rule: z.ZodType<GcpForwardingRule> = z.object({
  name: s,
  ipAddress: ns,
  portRange: ns,
  protocol: ns,
  target: ns,
  targetKind: z.enum(['targetHttpsProxies', 'targetHttpProxies', 'other']).nullable(),
  loadBalancingScheme: ns,
});
const forwardingRules: z.ZodType<GcpForwardingRulesFact> = z.object({ from: z.enum(['ingress', 'address']), https: rule.nullable(), http: rule.nullable() });

const proxy: z.ZodType<GcpTargetProxyFact> = z.object({ name: s, urlMap: ns, sslCertificates: z.array(s), sslPolicy: ns });

const urlMap: z.ZodType<GcpUrlMapFact> = z.object({
  name: s,
  defaultService: ns,
  hostRules: z.array(z.object({ hosts: z.array(s), pathMatcher: s })),
  pathMatchers: z.array(z.object({ name: s, defaultService: ns })),
});

const backendService: z.ZodType<GcpBackendServiceFact> = z.object({
  name: s,
  from: z.enum(['host-rule', 'neg', 'default-service']),
  protocol: ns,
  timeoutSec: nn,
  portName: ns,
  healthChecks: z.array(s),
  backends: z.array(z.object({ name: s, zone: ns, group: s })),
  connectionDrainingSec: nn,
  logEnabled: z.boolean().nullable(),
});

const healthCheck: z.ZodType<GcpHealthCheckFact> = z.object({
  name: s,
  type: ns,
  port: nn,
  portSpecification: ns,
  requestPath: ns,
  checkIntervalSec: nn,
  timeoutSec: nn,
  healthyThreshold: nn,
  unhealthyThreshold: nn,
});

const endpoint: z.ZodType<GcpEndpointHealth> = z.object({ ipAddress: ns, port: nn, healthState: ns, instance: ns });
const group: z.ZodType<GcpGroupHealthFact> = z.object({ neg: s, zone: ns, endpoints: z.array(endpoint) });

const firewall: z.ZodType<GcpFirewallFact> = z.object({
  name: s,
  network: ns,
  networkProject: ns,
  direction: ns,
  priority: nn,
  action: z.enum(['allow', 'deny']),
  disabled: z.boolean(),
  sourceRanges: z.array(s),
  targetTags: z.array(s),
  rules: z.array(z.object({ protocol: s, ports: z.array(s) })),
});

const certificate: z.ZodType<GcpSslCertificateFact> = z.object({
  name: s,
  type: ns,
  expireTime: ns,
  subjectAlternativeNames: z.array(s),
  fingerprint256: ns,
  managed: z.object({ status: ns, domains: z.array(s), domainStatus: z.record(s, s) }).nullable(),
});

const policy: z.ZodType<GcpSslPolicyFact> = z.object({ name: ns, minTlsVersion: ns, profile: ns });

export const GCP_SCHEMAS: { readonly [K in keyof GcpValues]: z.ZodType<GcpValues[K]> } = {
  access,
  forwardingRules,
  targetHttpsProxy: proxy,
  sslCertificates: z.array(certificate),
  sslPolicy: policy,
  urlMap,
  backendService,
  healthCheck,
  backendHealth: z.array(group),
  negEndpoints: z.array(group),
  firewalls: z.array(firewall),
  nodes: z.array(node),
  instances: z.array(instance),
};
