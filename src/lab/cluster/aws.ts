// The AWS flavour's cluster (seeds/000): the guide's Ingress as the AWS Load Balancer Controller leaves it
// once the ALB exists (finalizer, status hostname = the ALB's DNS name, here the lab), its IngressClass,
// the TargetGroupBinding it made for the Service, and its reconcile event.

import { MILVUS_PORT } from '../../render/params.js';
import type { K8sObject } from '../../render/object.js';
import { stored, type ClusterContext } from './context.js';
import { reconciledEvent } from './events.js';
import { configMapObject, deploymentObject, endpointSliceObject, endpointsObject, namespaceObject, podObject, serviceObject } from './workload.js';

const CONTROLLER = 'aws-load-balancer-controller';

function ingressClass(ctx: ClusterContext): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name: 'alb',
      creationTimestamp: ctx.created,
      labels: { 'app.kubernetes.io/instance': CONTROLLER, 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/name': CONTROLLER },
      annotations: { 'meta.helm.sh/release-name': CONTROLLER, 'meta.helm.sh/release-namespace': 'kube-system' },
    },
    spec: { controller: 'ingress.k8s.aws/alb', parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: 'alb' } },
  };
}

function ingressClassParams(ctx: ClusterContext): K8sObject {
  return {
    apiVersion: 'elbv2.k8s.aws/v1beta1',
    kind: 'IngressClassParams',
    metadata: { name: 'alb', creationTimestamp: ctx.created, labels: { 'app.kubernetes.io/instance': CONTROLLER, 'app.kubernetes.io/name': CONTROLLER } },
    spec: {},
  };
}

function ingress(ctx: ClusterContext): K8sObject {
  return stored(ctx.guide.ingress, ctx.created, {
    metadata: {
      generation: 1,
      finalizers: ['ingress.k8s.aws/resources'],
    },
    status: { loadBalancer: { ingress: [{ hostname: ctx.input.ingressAddress }] } },
  });
}

function targetGroupBinding(ctx: ClusterContext): K8sObject {
  const { ids } = ctx;
  return {
    apiVersion: 'elbv2.k8s.aws/v1beta1',
    kind: 'TargetGroupBinding',
    metadata: {
      name: ids.targetGroupBinding,
      namespace: ids.namespace,
      creationTimestamp: ctx.created,
      generation: 1,
      finalizers: ['elbv2.k8s.aws/resources'],
      labels: { 'ingress.k8s.aws/stack-name': ids.ingress, 'ingress.k8s.aws/stack-namespace': ids.namespace },
    },
    spec: {
      ipAddressType: 'ipv4',
      networking: { ingress: [{ from: [{ securityGroup: { groupID: 'sg-0a1b2c3d4e5f60718' } }], ports: [{ port: MILVUS_PORT.port, protocol: 'TCP' }] }] },
      serviceRef: { name: ids.service, port: MILVUS_PORT.port },
      targetGroupARN: ids.targetGroupArn,
      targetType: 'ip',
      vpcID: 'vpc-0123456789abcdef0',
    },
    status: { observedGeneration: 1 },
  };
}

/** The controller's IngressClass and its parameters: there from the controller's install, before any Ingress. */
export function awsIngressClassObjects(ctx: ClusterContext): K8sObject[] {
  return [ingressClass(ctx), ingressClassParams(ctx)];
}

/** The TargetGroupBinding the controller makes for the Service once it built the target group. */
export function awsTargetGroupBinding(ctx: ClusterContext): K8sObject {
  return targetGroupBinding(ctx);
}

export function awsClusterObjects(ctx: ClusterContext): K8sObject[] {
  const gate = `target-health.elbv2.k8s.aws/${ctx.ids.targetGroupBinding}`;
  return [
    namespaceObject(ctx),
    serviceObject(ctx),
    endpointsObject(ctx),
    endpointSliceObject(ctx),
    deploymentObject(ctx),
    configMapObject(ctx),
    ingressClass(ctx),
    ingressClassParams(ctx),
    ingress(ctx),
    targetGroupBinding(ctx),
    reconciledEvent(ctx, 'SuccessfullyReconciled', 'Successfully reconciled', 'ingress'),
    ...ctx.ids.pods.map((p) => podObject(ctx, p, gate)),
  ];
}
