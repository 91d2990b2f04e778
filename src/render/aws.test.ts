import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { renderAlbIngress } from './aws.js';
import type { AwsParams } from './params.js';

const ARN = 'arn:aws:acm:us-east-2:123456789012:certificate/6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
const GUIDE: AwsParams = { provider: 'aws', namespace: 'milvus', release: 'milvus-demo', host: 'milvus-demo.milvus.io', certificateArn: ARN };

// seeds/000's ingress.yaml with its placeholders filled, and one annotation beyond it: a TLS 1.2+ policy
// (the controller's default allows TLS 1.0/1.1, which aws.listener.tls-policy warns about).
const SEED_INGRESS = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  namespace: milvus
  name: milvus-demo
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/backend-protocol-version: GRPC
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'
    alb.ingress.kubernetes.io/certificate-arn: "${ARN}"
    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06
spec:
  ingressClassName: alb
  rules:
    - host: milvus-demo.milvus.io
      http:
        paths:
        - path: /
          pathType: Prefix
          backend:
            service:
              name: milvus-demo
              port:
                number: 19530
`;

describe('renderAlbIngress', () => {
  test('is the guide\'s Ingress, annotation for annotation', () => {
    expect(renderAlbIngress(GUIDE)).toEqual(parse(SEED_INGRESS));
  });

  test.each<[string, Partial<AwsParams>, Record<string, unknown>]>([
    ['internal scheme', { scheme: 'internal' }, { metadata: { annotations: expect.objectContaining({ 'alb.ingress.kubernetes.io/scheme': 'internal' }) } }],
    ['another release', { release: 'search', namespace: 'prod' }, { metadata: { name: 'search-milvus', namespace: 'prod' }, spec: { rules: [expect.objectContaining({ http: { paths: [expect.objectContaining({ backend: { service: { name: 'search-milvus', port: { number: 19530 } } } })] } })] } }],
    ['another host', { host: 'vectors.example.com' }, { spec: { rules: [expect.objectContaining({ host: 'vectors.example.com' })] } }],
  ])('%s', (_what, change, expected) => {
    expect(renderAlbIngress({ ...GUIDE, ...change })).toMatchObject(expected);
  });
});
