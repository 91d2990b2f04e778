// The Milvus release as a running cluster shows it: the guide's Service, ConfigMap and Deployment with
// what the API server and the controllers add (cluster IP, status), the proxy pods the ReplicaSet made,
// and the Endpoints and EndpointSlice the endpoints controllers derive from them.

import { METRICS_PORT, MILVUS_PORT } from '../../render/params.js';
import { proxyContainer, proxySelector, proxyVolumes } from '../../render/milvus.js';
import { isRecord, type K8sObject } from '../../render/object.js';
import { POD_TEMPLATE_HASH, shortHash, stableUid, type LabPod } from './ids.js';
import { stored, type ClusterContext } from './context.js';

export function namespaceObject(ctx: ClusterContext): K8sObject {
  const ns = ctx.ids.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns,
      creationTimestamp: ctx.created,
      labels: {
        'kubernetes.io/metadata.name': ns,
        // The ALB controller injects a readiness gate into pods of labelled namespaces (FAILURES.md: initial).
        ...(ctx.ids.provider === 'aws' ? { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } : {}),
      },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function serviceObject(ctx: ClusterContext, extraAnnotations: Record<string, string> = {}): K8sObject {
  const svc = ctx.guide.service;
  const clusterIp = ctx.ids.provider === 'aws' ? '172.20.118.42' : '34.118.231.77';
  const spec = isRecord(svc.spec) ? svc.spec : {};
  return stored(svc, ctx.created, {
    metadata: { annotations: { ...svc.metadata.annotations, ...extraAnnotations } },
    // What the API server fills in on create.
    spec: { ...spec, clusterIP: clusterIp, clusterIPs: [clusterIp], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None' },
    status: { loadBalancer: {} },
  });
}

function endpointPorts(): Record<string, unknown>[] {
  return [MILVUS_PORT, METRICS_PORT].map((x) => ({ name: x.name, port: x.port, protocol: 'TCP' }));
}

function podRef(ctx: ClusterContext, pod: LabPod): Record<string, unknown> {
  return { kind: 'Pod', name: pod.name, namespace: ctx.ids.namespace, uid: stableUid(`Pod:${pod.name}`) };
}

export function endpointsObject(ctx: ClusterContext): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: ctx.ids.service, namespace: ctx.ids.namespace, creationTimestamp: ctx.created, labels: { ...ctx.guide.service.metadata.labels } },
    subsets: [{ addresses: ctx.ids.pods.map((p) => ({ ip: p.ip, nodeName: p.node, targetRef: podRef(ctx, p) })), ports: endpointPorts() }],
  };
}

/** Digits become letters: the suffix the API server's generateName gives looks like that. */
function sliceSuffix(service: string): string {
  return shortHash(`${service}-slice`, 5).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]);
}

/** The Service's labels as the lab has always served them on the slice: without the chart's version. */
function sliceLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const { 'helm.sh/chart': _chart, ...rest } = labels ?? {};
  return rest;
}

export function endpointSliceObject(ctx: ClusterContext): K8sObject {
  const service = ctx.ids.service;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-${sliceSuffix(service)}`,
      namespace: ctx.ids.namespace,
      creationTimestamp: ctx.created,
      generateName: `${service}-`,
      labels: { ...sliceLabels(ctx.guide.service.metadata.labels), 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': service },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service, uid: stableUid(`Service:${service}`), blockOwnerDeletion: true, controller: true }],
    },
    addressType: 'IPv4',
    endpoints: ctx.ids.pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: p.node,
      targetRef: podRef(ctx, p),
      zone: p.zone,
    })),
    ports: endpointPorts(),
  };
}

export function deploymentObject(ctx: ClusterContext): K8sObject {
  const d = ctx.guide.deployment;
  const replicas = ctx.ids.pods.length;
  // Three rollouts: the install, the guide's ClusterIP upgrade, its values upgrade.
  return stored(d, ctx.created, {
    metadata: { generation: 3, annotations: { 'deployment.kubernetes.io/revision': '3', ...d.metadata.annotations } },
    status: { observedGeneration: 3, replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
  });
}

export function configMapObject(ctx: ClusterContext): K8sObject {
  return stored(ctx.guide.configMap, ctx.created);
}

const HEALTHZ_PROBE = { httpGet: { path: '/healthz', port: METRICS_PORT.name, scheme: 'HTTP' } };
const IMAGE_DIGEST = 'sha256:0b1c4d0f5c3f6e9a8b7d2c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a';

/**
 * One proxy pod as the ReplicaSet made it and the kubelet runs it. `readinessGate`: the condition the
 * LB controller injects, so the pod is Ready only once its target or NEG endpoint is healthy.
 */
export function podObject(ctx: ClusterContext, pod: LabPod, readinessGate: string): K8sObject {
  const { namespace, release, deployment } = ctx.ids;
  const container = proxyContainer(ctx.params);
  const volumes = proxyVolumes(ctx.params);
  const image = String(container.image);
  const condition = (type: string, at: string) => ({ type, status: 'True', lastTransitionTime: at, lastProbeTime: null });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace,
      creationTimestamp: ctx.created,
      generateName: `${deployment}-${POD_TEMPLATE_HASH}-`,
      labels: { ...proxySelector(release), 'pod-template-hash': POD_TEMPLATE_HASH },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment}-${POD_TEMPLATE_HASH}`, uid: stableUid(`ReplicaSet:${deployment}-${POD_TEMPLATE_HASH}`), blockOwnerDeletion: true, controller: true },
      ],
    },
    spec: {
      containers: [
        {
          ...container,
          livenessProbe: { ...HEALTHZ_PROBE, initialDelaySeconds: 90, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5 },
          readinessProbe: { ...HEALTHZ_PROBE, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 2 },
        },
      ],
      nodeName: pod.node,
      readinessGates: [{ conditionType: readinessGate }],
      restartPolicy: 'Always',
      ...(volumes.length > 0 ? { volumes } : {}),
      serviceAccountName: 'default',
    },
    status: {
      phase: 'Running',
      hostIP: pod.nodeIp,
      podIP: pod.ip,
      podIPs: [{ ip: pod.ip }],
      qosClass: 'BestEffort',
      startTime: ctx.created,
      conditions: [
        condition(readinessGate, ctx.started),
        condition('Initialized', ctx.created),
        condition('Ready', ctx.started),
        condition('ContainersReady', ctx.started),
        condition('PodScheduled', ctx.created),
      ],
      containerStatuses: [
        {
          name: 'proxy',
          image: `docker.io/${image}`,
          imageID: `docker.io/${image.split(':')[0]}@${IMAGE_DIGEST}`,
          containerID: `containerd://${shortHash(`container-${pod.name}`, 64)}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: ctx.created } },
        },
      ],
    },
  };
}
