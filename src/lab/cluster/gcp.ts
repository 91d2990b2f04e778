// The GCP flavour's cluster (seeds/002): the guide's objects as GKE leaves them once the load balancer
// exists — the NEG status the NEG controller writes on the Service, the Ingress with its finalizer, the
// names of its cloud resources and per-backend health written back as annotations, status ip = the
// load balancer's (here, the lab's).

import { renderManagedCertificate, tlsCertificateChain } from '../../render/gcp.js';
import type { K8sObject } from '../../render/object.js';
import { MILVUS_PORT } from '../../render/params.js';
import { clusterUid, shortHash } from './ids.js';
import { stored, type ClusterContext } from './context.js';
import { reconciledEvent } from './events.js';
import { configMapObject, deploymentObject, endpointSliceObject, endpointsObject, namespaceObject, podObject, serviceObject } from './workload.js';

const NEG_READY = 'cloud.google.com/load-balancer-neg-ready';

/** What the NEG controller writes back once it made the NEG for 19530 in each zone with pods. */
function negStatus(ctx: ClusterContext): Record<string, string> {
  return {
    'cloud.google.com/neg-status': JSON.stringify({ network_endpoint_groups: { [String(MILVUS_PORT.port)]: ctx.ids.negName }, zones: [...ctx.ids.zones] }),
  };
}

/**
 * The annotations ingress-gce writes back on an Ingress it synced: each backend's health, and the names of
 * the cloud resources it made (forwarding rule, target proxy, certificate, URL map).
 */
export function gkeIngressStatusAnnotations(ctx: ClusterContext, negHealth: string, certificatePem: string): Record<string, string> {
  const { ids } = ctx;
  const uid = shortHash(`gke-${ids.namespace}`, 8);
  const hash = shortHash(`${ids.namespace}/${ids.ingress}`, 8);
  const certHash = shortHash(certificatePem, 16);
  const defaultBackendNeg = `k8s1-${clusterUid(ids.provider)}-kube-system-default-http-backend-80-${shortHash('default-http-backend', 8)}`;
  const resource = (prefix: string) => `k8s2-${prefix}-${uid}-${ids.namespace}-${ids.ingress}-${hash}`;
  return {
    'ingress.kubernetes.io/backends': JSON.stringify({ [ids.negName]: negHealth, [defaultBackendNeg]: 'HEALTHY' }),
    'ingress.kubernetes.io/https-forwarding-rule': resource('fs'),
    'ingress.kubernetes.io/https-target-proxy': resource('ts'),
    'ingress.kubernetes.io/ssl-cert': `k8s2-cr-${uid}-${certHash}-${hash}`,
    'ingress.kubernetes.io/url-map': resource('um'),
  };
}

/** The NEG controller's write-back on the Service. */
export function gkeNegStatus(ctx: ClusterContext): Record<string, string> {
  return negStatus(ctx);
}

function ingress(ctx: ClusterContext): K8sObject {
  const { input } = ctx;
  const rendered = ctx.guide.ingress;
  return stored(rendered, ctx.created, {
    metadata: {
      generation: 1,
      finalizers: ['networking.gke.io/ingress-finalizer-V2'],
      annotations: { ...rendered.metadata.annotations, ...gkeIngressStatusAnnotations(ctx, 'HEALTHY', tlsCertificateChain(input.tls)) },
    },
    status: { loadBalancer: { ingress: [{ ip: input.ingressAddress }] } },
  });
}

/** A GKE node: the GCE cloud provider sets its providerID to gce://PROJECT/ZONE/INSTANCE (the doctor's project). */
export function nodeObject(ctx: ClusterContext, pod: ClusterContext['ids']['pods'][number]): K8sObject {
  return stored({ apiVersion: 'v1', kind: 'Node', metadata: { name: pod.node, labels: { 'topology.kubernetes.io/zone': pod.zone, 'cloud.google.com/gke-nodepool': 'default-pool' } } }, ctx.created, {
    spec: { providerID: `gce://${ctx.ids.gcpProject}/${pod.zone}/${pod.node}`, podCIDR: `${pod.ip.split('.').slice(0, 3).join('.')}.0/24` },
    status: { addresses: [{ type: 'InternalIP', address: pod.nodeIp }, { type: 'Hostname', address: pod.node }] },
  });
}

export function gcpClusterObjects(ctx: ClusterContext): K8sObject[] {
  const { guide } = ctx;
  if (!guide.backendConfig || !guide.tlsSecret) throw new Error('the gcp lab renders its guide with a BackendConfig and a TLS Secret');
  return [
    namespaceObject(ctx),
    serviceObject(ctx, negStatus(ctx)),
    endpointsObject(ctx),
    endpointSliceObject(ctx),
    deploymentObject(ctx),
    configMapObject(ctx),
    stored(guide.backendConfig, ctx.created, { metadata: { generation: 1 } }),
    stored(guide.tlsSecret, ctx.created),
    ingress(ctx),
    reconciledEvent(ctx, 'Sync', 'Scheduled for sync', 'loadbalancer-controller'),
    ...ctx.ids.pods.map((p) => podObject(ctx, p, NEG_READY)),
    ...ctx.ids.pods.map((p) => nodeObject(ctx, p)),
  ];
}

/**
 * seeds/002's Google-managed certificate, stuck: DNS for the domain does not point at the Ingress IP yet,
 * so Google cannot validate it (FAILURES.md: managed-cert).
 */
export function stuckManagedCertificate(ctx: ClusterContext): K8sObject {
  return stored(renderManagedCertificate(ctx.params), ctx.created, {
    metadata: { generation: 1 },
    status: {
      certificateName: 'mcrt-34446a53-d639-4764-8438-346d7871a76e',
      certificateStatus: 'Provisioning',
      domainStatus: [{ domain: ctx.input.host, status: 'FailedNotVisible' }],
    },
  });
}
