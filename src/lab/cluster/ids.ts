// Every name and identifier of the lab's cluster, derived from the provider, namespace and release, so
// the stand-ins (Kubernetes API now, ELBv2 and Compute later) and the lab's objects agree on them.

import { createHash } from 'node:crypto';
import { guideNames } from '../../render/params.js';
import type { LabProvider } from '../k8s-api/resources.js';

export interface LabPod {
  readonly name: string;
  readonly ip: string;
  readonly node: string;
  readonly nodeIp: string;
  readonly zone: string;
}

export interface LabIdentifiers {
  readonly provider: LabProvider;
  readonly namespace: string;
  readonly release: string;
  readonly service: string;
  readonly ingress: string;
  readonly configMap: string;
  readonly deployment: string;
  readonly pods: readonly LabPod[];
  /** GCP: the TLS Secret / ManagedCertificate name (seeds/002: `<service>-tls`). */
  readonly tlsName: string;
  readonly backendConfig: string;
  /** GCP: the NEG the controller made for port 19530. */
  readonly negName: string;
  readonly zones: readonly string[];
  /** GCP: the project the nodes' providerID names, and the Compute stand-in serves. */
  readonly gcpProject: string;
  /** GCP: the network tag GKE gives the node pool's VMs, which ingress-gce's firewall rule targets. */
  readonly nodeTag: string;
  /** AWS: the ACM certificate in the Ingress annotation. */
  readonly certificateArn: string;
  readonly targetGroupArn: string;
  readonly targetGroupBinding: string;
  readonly kubernetesVersion: string;
}

export function shortHash(s: string, len: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, len);
}

/** A uid derived from `Kind:name`, so objects can name each other's uid before either is stored. */
export function stableUid(key: string): string {
  const h = shortHash(key, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function alnum(s: string, len: number): string {
  return s.replace(/[^a-z0-9]/g, '').slice(0, len);
}

/** The ReplicaSet hash in the proxy pods' names. */
export const POD_TEMPLATE_HASH = '6d5c8b7f9';

export function labIdentifiers(provider: LabProvider, namespace = 'milvus', release = 'milvus-demo'): LabIdentifiers {
  const names = guideNames({ release });
  const service = names.service;
  const podSuffixes = ['x2k4q', 'p7m3n'];
  const aws = provider === 'aws';
  const zones = aws ? ['us-east-2a', 'us-east-2b'] : ['us-central1-a', 'us-central1-b'];
  const pods = podSuffixes.map((suffix, i) => ({
    name: `${release}-proxy-${POD_TEMPLATE_HASH}-${suffix}`,
    ip: aws ? ['192.168.45.17', '192.168.71.203'][i] : ['10.52.0.14', '10.52.1.9'][i],
    node: aws ? [`ip-192-168-40-11.us-east-2.compute.internal`, `ip-192-168-66-52.us-east-2.compute.internal`][i] : [`gke-milvus-default-pool-3f1c2a9e-7kqd`, `gke-milvus-default-pool-8b4e0d21-m2xp`][i],
    nodeIp: aws ? ['192.168.40.11', '192.168.66.52'][i] : ['10.128.0.5', '10.128.0.6'][i],
    zone: zones[i],
  }));
  const tgName = `k8s-${alnum(namespace, 8)}-${alnum(service, 8)}-${shortHash(`${namespace}/${service}:19530`, 10)}`;
  return {
    provider,
    namespace,
    release,
    service,
    ingress: names.ingress,
    // Not the chart's names: the lab keeps the ones it has always served (readers look up both).
    configMap: `${release}-milvus`,
    deployment: `${release}-proxy`,
    pods,
    tlsName: names.tlsSecret,
    backendConfig: names.backendConfig,
    negName: `k8s1-${clusterUid(provider)}-${namespace}-${service}-19530-${shortHash(`${namespace}/${service}/neg`, 8)}`,
    zones,
    gcpProject: 'milvus-l7-lab',
    nodeTag: `gke-milvus-${clusterUid(provider)}-node`,
    certificateArn: 'arn:aws:acm:us-east-2:123456789012:certificate/6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/${tgName}/${shortHash(tgName, 16)}`,
    targetGroupBinding: tgName,
    kubernetesVersion: aws ? 'v1.30.4-eks-a737599' : 'v1.30.5-gke.1014001',
  };
}

/** GKE's per-cluster uid in the names its controllers give cloud resources. */
export function clusterUid(provider: LabProvider): string {
  return shortHash(`lab-cluster-${provider}`, 8);
}
