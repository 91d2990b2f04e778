// What every part of the lab's cluster is built from: the guide's objects as the renderer writes them,
// the lab's identifiers, and the times the cluster pretends things happened at.

import type { GuideObjects } from '../../render/guide.js';
import type { K8sObject } from '../../render/object.js';
import type { GuideParams, TlsMaterial } from '../../render/params.js';
import type { LabProvider } from '../k8s-api/resources.js';
import type { LabIdentifiers } from './ids.js';

export interface RenderInput {
  readonly provider: LabProvider;
  readonly namespace: string;
  readonly release: string;
  readonly host: string;
  readonly ingressAddress: string;
  readonly tls: { readonly certPem: string; readonly chainPem: string; readonly keyPem: string };
  readonly now?: Date;
}

export interface ClusterContext {
  readonly input: RenderInput;
  readonly ids: LabIdentifiers;
  readonly params: GuideParams;
  readonly guide: GuideObjects;
  /** When the release was installed, and when the load balancer came up (two minutes later). */
  readonly created: string;
  readonly started: string;
}

/** The renderer's parameters for the lab: the guide's choices, under the lab's names. */
export function labGuideParams(input: RenderInput, ids: LabIdentifiers): GuideParams {
  const common = {
    namespace: ids.namespace,
    release: ids.release,
    host: input.host,
    names: { service: ids.service, configMap: ids.configMap, deployment: ids.deployment, backendConfig: ids.backendConfig, tlsSecret: ids.tlsName, managedCertificate: ids.tlsName },
    proxyReplicas: ids.pods.length,
  };
  if (input.provider === 'aws') return { ...common, provider: 'aws', certificateArn: ids.certificateArn };
  const tls: TlsMaterial = input.tls;
  return { ...common, provider: 'gcp', certificate: 'secret', tls };
}

export function isoSecondsAgo(now: Date, msAgo: number): string {
  return new Date(Math.floor((now.getTime() - msAgo) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const DAY_MS = 24 * 3600_000;

export function clusterTimes(now: Date): { created: string; started: string } {
  return { created: isoSecondsAgo(now, 3 * DAY_MS), started: isoSecondsAgo(now, 3 * DAY_MS - 120_000) };
}

/** A rendered object as the API server stores it: a creation time, plus whatever the cluster added. */
export function stored(o: K8sObject, created: string, extra: { metadata?: Record<string, unknown>; [key: string]: unknown } = {}): K8sObject {
  const { metadata, ...rest } = extra;
  return { ...o, metadata: { ...o.metadata, creationTimestamp: created, ...metadata }, ...rest };
}
