// The Ingress of the AWS guide (seeds/000) for the AWS Load Balancer Controller.

import { ingressRule } from './ingress-rule.js';
import type { K8sObject } from './object.js';
import { DEFAULTS, guideNames, type AwsParams } from './params.js';

/**
 * The guide's annotations. backend-protocol-version GRPC: otherwise the target group speaks HTTP/1.1 and
 * clients get 464; target-type ip: a ClusterIP Service has no node ports for instance targets.
 */
export function albIngressAnnotations(p: AwsParams): Record<string, string> {
  return {
    'alb.ingress.kubernetes.io/scheme': p.scheme ?? DEFAULTS.scheme,
    'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/listen-ports': JSON.stringify([{ HTTPS: 443 }]),
    'alb.ingress.kubernetes.io/certificate-arn': p.certificateArn,
    'alb.ingress.kubernetes.io/ssl-policy': p.sslPolicy ?? DEFAULTS.sslPolicy,
  };
}

export function renderAlbIngress(p: AwsParams): K8sObject {
  const names = guideNames(p);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: names.ingress, namespace: p.namespace, annotations: albIngressAnnotations(p) },
    spec: { ingressClassName: 'alb', rules: [ingressRule(p.host, names.service)] },
  };
}
