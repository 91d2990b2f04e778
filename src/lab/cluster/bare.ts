// `lab --bare`: the cluster where both guides start (seeds/000, seeds/002) — a default `helm install` of
// Milvus whose proxy Service is an L4 LoadBalancer, the pods and their endpoints, and, on AWS, the Load
// Balancer Controller's IngressClass (the guide assumes the controller is installed). No Ingress, no
// certificate, no BackendConfig, no Service annotations; GCP's Milvus serves plaintext (tlsMode 0), as a
// default install does. What `provision` applies then grows the rest, through the lab's controllers
// (src/lab/controllers.ts).

import { renderGuide } from '../../render/guide.js';
import { guideNames } from '../../render/params.js';
import { isRecord, type K8sObject } from '../../render/object.js';
import { awsIngressClassObjects } from './aws.js';
import { nodeObject } from './gcp.js';
import { clusterTimes, labGuideParams, type ClusterContext, type RenderInput } from './context.js';
import { shortHash, type LabIdentifiers } from './ids.js';
import { configMapObject, deploymentObject, endpointSliceObject, endpointsObject, namespaceObject, podObject, serviceObject } from './workload.js';

/** The guide's parameters as a default install has them: Milvus without TLS, whatever the provider. */
export function bareClusterContext(input: RenderInput, ids: LabIdentifiers): ClusterContext {
  const guide = labGuideParams(input, ids);
  // The chart's own ConfigMap name (the full lab keeps the one it has always served).
  const params = { ...guide, names: { ...guide.names, configMap: guideNames({ release: ids.release }).configMap }, milvus: { tlsMode: 0 as const, authorizationEnabled: true } };
  return { input, ids, params, guide: renderGuide(params), ...clusterTimes(input.now ?? new Date()) };
}

/** Where the cloud's L4 load balancer answers: an NLB/CLB name on AWS, a regional IP on GKE. Never dialled. */
export function l4Address(ids: LabIdentifiers): Record<string, string> {
  return ids.provider === 'aws'
    ? { hostname: `a${shortHash(`${ids.namespace}/${ids.service}/l4`, 31)}-${shortHash(ids.service, 9).replace(/[a-f]/g, '1')}.us-east-2.elb.amazonaws.com` }
    : { ip: '35.202.118.40' };
}

/** The chart's Service before the guides' `--set service.type=ClusterIP`: type LoadBalancer, no annotations but Helm's. */
function loadBalancerService(ctx: ClusterContext): K8sObject {
  const svc = serviceObject(ctx);
  const spec = isRecord(svc.spec) ? svc.spec : {};
  // Helm's release annotations only: the GCP guide's annotate step has not run.
  const annotations = Object.fromEntries(Object.entries(svc.metadata.annotations ?? {}).filter(([k]) => k.startsWith('meta.helm.sh/')));
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p, i) => (isRecord(p) ? { ...p, nodePort: 31530 + i } : p));
  return { ...svc, metadata: { ...svc.metadata, annotations }, spec: { ...spec, type: 'LoadBalancer', ports, externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true }, status: { loadBalancer: { ingress: [l4Address(ctx.ids)] } } };
}

/** Pods without a load balancer's readiness gate: no controller has a target or NEG for them yet. */
function plainPod(ctx: ClusterContext, pod: LabIdentifiers['pods'][number]): K8sObject {
  const GATE = 'lab/no-gate';
  const o = podObject(ctx, pod, GATE);
  const spec = isRecord(o.spec) ? { ...o.spec } : {};
  delete spec.readinessGates;
  const status = isRecord(o.status) ? o.status : {};
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c) => !(isRecord(c) && c.type === GATE));
  return { ...o, spec, status: { ...status, conditions } };
}

export function bareClusterObjects(ctx: ClusterContext): K8sObject[] {
  return [
    namespaceObject(ctx),
    loadBalancerService(ctx),
    endpointsObject(ctx),
    endpointSliceObject(ctx),
    deploymentObject(ctx),
    configMapObject(ctx),
    // The cluster's own: the ALB controller's IngressClass on EKS; on GKE the nodes, whose providerID names the project.
    ...(ctx.ids.provider === 'aws' ? awsIngressClassObjects(ctx) : ctx.ids.pods.map((p) => nodeObject(ctx, p))),
    ...ctx.ids.pods.map((p) => plainPod(ctx, p)),
  ];
}
