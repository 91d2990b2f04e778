// The schema of each stored source's value, keyed as the registry keys them. The compiler holds each to
// its value type in src/sources/values.ts, so a snapshot is validated against exactly what gather stores.
import { z } from 'zod';
import * as s from '../facts/schemas.js';
import type { DataPathValues, K8sValues } from './values.js';
import type { SelectionFact } from './selection.js';
export { AWS_SCHEMAS } from './aws/schemas.js';
export { GCP_SCHEMAS } from './gcp/schemas.js';

export const DATA_PATH_SCHEMAS: { readonly [K in keyof DataPathValues]: z.ZodType<DataPathValues[K]> } = {
  dns: s.dnsFactSchema,
  tcp: s.tcpFactSchema,
  tls: s.tlsFactSchema,
  tlsNoSni: s.tlsFactSchema,
  http2Host: s.grpcHttpFactSchema,
  http2Address: s.grpcHttpFactSchema,
  grpcHealth: s.grpcHealthFactSchema,
  milvusVersion: s.milvusVersionFactSchema,
  milvusHealth: s.milvusHealthFactSchema,
  milvusAuth: s.milvusAuthProbeSchema,
  milvusAnonymous: s.milvusAuthProbeSchema,
  milvusDefaultPassword: s.milvusAuthProbeSchema,
  latency: s.latencyFactSchema,
  smoke: s.smokeFactSchema,
  healthz: s.healthzFactSchema,
};

export const K8S_SCHEMAS: { readonly [K in keyof K8sValues]: z.ZodType<K8sValues[K]> } = {
  services: z.array(s.serviceFactSchema),
  ingresses: z.array(s.ingressFactSchema),
  ingressClasses: z.array(s.ingressClassFactSchema),
  endpointSlices: z.array(s.endpointSliceFactSchema),
  pods: z.array(s.podFactSchema),
  workloads: z.array(s.workloadFactSchema),
  milvusConfig: s.milvusConfigFactSchema,
  ingressEvents: z.array(s.eventFactSchema),
  backendConfigs: z.array(s.backendConfigFactSchema),
  managedCertificates: z.array(s.managedCertificateFactSchema),
  tlsSecret: s.tlsSecretFactSchema,
  targetGroupBindings: z.array(s.targetGroupBindingFactSchema),
  healthzService: s.healthzReadingSchema,
  healthzPods: z.array(s.healthzReadingSchema),
  backendProtocol: s.backendProtocolFactSchema,
};

const from = <T extends string>(...values: readonly [T, ...T[]]) => z.enum(values).nullable();

export const selectionSchema: z.ZodType<SelectionFact> = z.object({
  namespace: z.string().nullable(),
  service: z.string().nullable(),
  serviceFrom: from('flag', 'release', 'discovery'),
  ingress: z.string().nullable(),
  ingressFrom: from('flag', 'discovery'),
  host: z.string().nullable(),
  hostFrom: from('flag', 'ingress', 'managed-certificate'),
  address: z.string().nullable(),
  addressFrom: from('flag', 'ingress-status'),
  provider: z.enum(['aws', 'gcp', 'unknown']),
  providerFrom: from('flag', 'discovery'),
  releases: z.array(z.string()),
  notes: z.array(z.string()),
});
