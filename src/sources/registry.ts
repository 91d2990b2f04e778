// The one registry of fact sources. Gather runs the part of it that the selected checks need; the step
// labels, the snapshot schema, the facts a run did not gather and the RBAC rules are all read from it.
import type { SourceDef } from './define.js';
import type { SourceKey } from './values.js';
import { clusterSource } from './k8s/cluster.js';
import { K8S_SOURCES } from './k8s/objects.js';
import { selectionSource } from './selection.js';
import { AWS_SOURCES } from './aws/index.js';
import { GCP_SOURCES, gcpApiSource } from './gcp/index.js';
import {
  dialSource, dnsSource, endpointSource, grpcHealthSource, healthzSource, http2AddressSource, http2HostSource, latencySource, milvusAnonymousSource,
  milvusAuthSource, milvusDefaultPasswordSource, milvusHealthSource, milvusVersionSource, sdkSessionSource, smokeSource, tcpSource, tlsNoSniSource,
  tlsSource,
} from './net/datapath.js';

export const DATA_PATH_SOURCES = {
  dns: dnsSource,
  tcp: tcpSource,
  tls: tlsSource,
  tlsNoSni: tlsNoSniSource,
  http2Host: http2HostSource,
  http2Address: http2AddressSource,
  grpcHealth: grpcHealthSource,
  milvusAnonymous: milvusAnonymousSource,
  milvusAuth: milvusAuthSource,
  milvusDefaultPassword: milvusDefaultPasswordSource,
  milvusVersion: milvusVersionSource,
  milvusHealth: milvusHealthSource,
  latency: latencySource,
  smoke: smokeSource,
  healthz: healthzSource,
} as const;

export const SOURCES: { readonly [K in SourceKey]: SourceDef<K> } = {
  ...DATA_PATH_SOURCES,
  ...K8S_SOURCES,
  ...AWS_SOURCES,
  ...GCP_SOURCES,
  selection: selectionSource,
  endpoint: endpointSource,
  dial: dialSource,
  sdkSession: sdkSessionSource,
  'k8s.cluster': clusterSource,
  gcpApi: gcpApiSource,
};

export const SOURCE_KEYS = Object.keys(SOURCES) as SourceKey[];

export function sourceOf<K extends SourceKey>(key: K): SourceDef<K> {
  return SOURCES[key];
}

/** Sources whose facts are stored (and shown as gather steps), in registry order. */
export function storedSources(): SourceDef[] {
  return SOURCE_KEYS.map((k) => SOURCES[k] as SourceDef).filter((s) => s.schema !== null);
}
