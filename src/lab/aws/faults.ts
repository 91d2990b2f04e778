// Faults of the AWS side of the lab: each reproduces one FAILURES.md row in the ALB's own state, which the
// ELBv2/ACM/EC2 stand-in (src/lab/aws/server.ts) derives from the world. Where the real cause is a
// Kubernetes object (an annotation), the fault edits that object and the stand-in derives the ALB from it as
// the controller would; where the cause lives only in AWS (an ALB still provisioning, a zone not enabled),
// the stand-in reads the fault's name from world.faults. Faults that change the served certificate or the
// front show on the wire too, as they would through a real ALB.
import { annotations, find } from '../k8s-api/fault-edits.js';
import type { K8sFault } from '../k8s-api/faults.js';

const A = 'alb.ingress.kubernetes.io/';

function ingressAnnotations(world: Parameters<K8sFault['apply']>[0]): Record<string, string> {
  return annotations(find(world, 'Ingress', world.ids.ingress));
}

/** The certificate ARN of acm-wrong-region: the same certificate imported in us-west-2. */
export const OTHER_REGION_CERTIFICATE = 'arn:aws:acm:us-west-2:123456789012:certificate/0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e';
/** The target targets-stale leaves registered: a pod IP no ready pod has any more. */
export const STALE_TARGET = '192.168.52.88';

export const AWS_FAULTS: readonly K8sFault[] = [
  {
    name: 'tg-http1',
    provider: 'aws',
    description: 'The Ingress lacks backend-protocol-version GRPC: the controller makes an HTTP1 target group, the ALB answers gRPC with 464 and its HTTP/1.1 health checks fail against the h2c pods.',
    reproduces: '464',
    expectFail: ['aws.ingress.backend-protocol-version', 'aws.targetgroup.protocol-version', 'aws.targets.healthy', 'http2.grpc'],
    dataPath: { frontStatus: 464 },
    apply(world) {
      delete ingressAnnotations(world)[`${A}backend-protocol-version`];
    },
  },
  {
    name: 'targets-unhealthy',
    provider: 'aws',
    description: 'The Ingress sets success-codes "0" with the default health-check path /AWS.ALB/healthcheck: Milvus answers it UNIMPLEMENTED (12), so every target is unhealthy (Target.ResponseCodeMismatch).',
    reproduces: 'code-mismatch',
    expectFail: ['aws.targets.healthy'],
    apply(world) {
      ingressAnnotations(world)[`${A}success-codes`] = '0';
    },
  },
  {
    name: 'target-timeout',
    provider: 'aws',
    description: "The pods' security group does not admit 19530 from the ALB's security group: health checks time out (Target.Timeout).",
    reproduces: 'target-timeout',
    expectFail: ['aws.targets.healthy'],
    apply() {},
  },
  {
    name: 'target-not-in-use',
    provider: 'aws',
    description: "A proxy pod runs in us-east-2b, a zone the ALB has no subnet in: its target is unused (Target.NotInUse).",
    reproduces: 'unused',
    expectFail: ['aws.targets.healthy'],
    apply() {},
  },
  {
    name: 'targets-stale',
    provider: 'aws',
    description: `A target the controller did not deregister (${STALE_TARGET}) is still in the target group, though no ready pod has that IP.`,
    reproduces: 'tg-binding',
    expectFail: ['aws.targets.healthy'],
    apply() {},
  },
  {
    name: 'lb-provisioning',
    provider: 'aws',
    description: 'The ALB is still provisioning (a fresh Ingress): a warning that --wait waits out.',
    reproduces: 'initial',
    expectFail: [],
    expectWarn: ['aws.lb.state'],
    apply() {},
  },
  {
    name: 'acm-expired',
    provider: 'aws',
    description: 'The imported ACM certificate expired (Status EXPIRED); the ALB serves it.',
    reproduces: 'acm',
    expectFail: ['aws.acm.status', 'tls.validity'],
    dataPath: { servedCert: 'expired' },
    apply() {},
  },
  {
    name: 'acm-wrong-region',
    provider: 'aws',
    description: 'certificate-arn names a certificate imported in us-west-2, while the ALB is in us-east-2.',
    reproduces: 'acm',
    expectFail: ['aws.acm.region'],
    apply(world) {
      ingressAnnotations(world)[`${A}certificate-arn`] = OTHER_REGION_CERTIFICATE;
    },
  },
  {
    name: 'acm-no-chain',
    provider: 'aws',
    description: 'The certificate was imported without --certificate-chain: ACM holds no intermediate and the ALB serves the leaf alone.',
    reproduces: 'missing-chain',
    expectFail: ['aws.acm.chain', 'tls.chain'],
    dataPath: { leafOnly: true },
    apply() {},
  },
  {
    name: 'acm-other-domain',
    provider: 'aws',
    description: 'The ACM certificate is for another domain than the host; the ALB serves it.',
    reproduces: 'name-mismatch',
    expectFail: ['aws.acm.domains', 'tls.san'],
    dataPath: { leafName: 'other' },
    apply() {},
  },
  {
    name: 'listener-http-open',
    provider: 'aws',
    description: 'A plaintext HTTP:80 listener is open on the ALB beside HTTPS:443 (left by another Ingress of the group).',
    reproduces: 'listener',
    expectFail: [],
    expectWarn: ['aws.listener.http-closed'],
    apply() {},
  },
  {
    name: 'ssl-policy-tls10',
    provider: 'aws',
    description: "The Ingress sets no ssl-policy: the listener has the controller's default ELBSecurityPolicy-2016-08, which allows TLS 1.0 and 1.1.",
    reproduces: 'listener',
    expectFail: [],
    expectWarn: ['aws.listener.tls-policy'],
    apply(world) {
      delete ingressAnnotations(world)[`${A}ssl-policy`];
    },
  },
  {
    name: 'http2-disabled',
    provider: 'aws',
    description: 'load-balancer-attributes sets routing.http2.enabled=false: the ALB offers clients HTTP/1.1 only.',
    reproduces: 'no-h2',
    expectFail: ['aws.lb.http2', 'alpn.h2'],
    dataPath: { noH2: true },
    apply(world) {
      ingressAnnotations(world)[`${A}load-balancer-attributes`] = 'routing.http2.enabled=false';
    },
  },
  {
    name: 'lb-internal',
    provider: 'aws',
    description: 'The ALB is internal while the Ingress asks internet-facing: it was created before the annotation and the controller has not replaced it.',
    reproduces: 'scheme',
    expectFail: ['aws.lb.scheme'],
    apply() {},
  },
];
