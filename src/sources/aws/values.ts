// The value type of each AWS source (ELBv2, ACM, EC2 reads), keyed as `aws.<field>` in the registry. The
// registry, the Facts type and the snapshot schema follow this map.

/** Where the region came from, in the order it is looked for. */
export type AwsRegionFrom = 'flag' | 'env' | 'alb-hostname' | 'certificate-arn';

export interface AwsLoadBalancerFact {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  readonly scheme: string;
  readonly type: string;
  /** active, provisioning, active_impaired, failed. */
  readonly state: string;
  readonly stateReason: string | null;
  readonly vpcId: string | null;
  readonly securityGroups: readonly string[];
  readonly zones: readonly { readonly zone: string; readonly subnetId: string | null }[];
  /** `routing.http2.enabled`; null: absent, which is the default (true). */
  readonly http2Enabled: boolean | null;
  /** `idle_timeout.timeout_seconds`; null: absent, which is the default (60). */
  readonly idleTimeoutSec: number | null;
  /** --min-idle-timeout as the run asked it, kept with the fact so that a snapshot is judged the same way. */
  readonly minIdleTimeoutSec: number | null;
  readonly region: string;
  readonly regionFrom: AwsRegionFrom;
  /** How it was found: its DNS name (Ingress status or --address), or the controller's tags. */
  readonly foundBy: 'dns-name' | 'tags';
  readonly lookedUp: string;
}

export interface AwsActionFact {
  readonly type: string;
  readonly targetGroupArns: readonly string[];
  readonly fixedStatus: string | null;
  readonly redirect: string | null;
}

export interface AwsRuleFact {
  readonly arn: string;
  readonly priority: string;
  readonly isDefault: boolean;
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
  readonly actions: readonly AwsActionFact[];
}

export interface AwsListenerFact {
  readonly arn: string;
  readonly port: number;
  readonly protocol: string;
  /** The default certificate first, then the others (DescribeListenerCertificates): an Ingress's certificate-arn may name several. */
  readonly certificateArns: readonly string[];
  readonly sslPolicy: string | null;
  /** DescribeSSLPolicies' SslProtocols of the policy (TLSv1, TLSv1.1, TLSv1.2, …); null without a policy. */
  readonly sslProtocols: readonly string[] | null;
  readonly defaultActions: readonly AwsActionFact[];
  readonly rules: readonly AwsRuleFact[];
}

export interface AwsListenersFact {
  readonly listeners: readonly AwsListenerFact[];
}

export interface AwsHealthCheckFact {
  readonly enabled: boolean;
  readonly protocol: string | null;
  readonly port: string | null;
  readonly path: string | null;
  readonly grpcCodes: string | null;
  readonly httpCodes: string | null;
  readonly intervalSec: number | null;
  readonly timeoutSec: number | null;
  readonly healthyThreshold: number | null;
  readonly unhealthyThreshold: number | null;
}

export interface AwsTargetGroupFact {
  readonly arn: string;
  readonly name: string;
  readonly protocol: string | null;
  readonly protocolVersion: string | null;
  readonly port: number | null;
  readonly targetType: string | null;
  readonly vpcId: string | null;
  readonly loadBalancerArns: readonly string[];
  readonly healthCheck: AwsHealthCheckFact;
  /** Where its ARN came from. */
  readonly arnFrom: 'targetgroupbinding' | 'listener-rule';
}

export interface AwsTargetFact {
  readonly id: string;
  readonly port: number | null;
  readonly zone: string | null;
  /** initial, healthy, unhealthy, unused, draining, unavailable. */
  readonly state: string;
  readonly reason: string | null;
  readonly description: string | null;
}

export interface AwsTargetHealthFact {
  readonly targetGroupArn: string;
  readonly targets: readonly AwsTargetFact[];
}

export interface AwsCertificateFact {
  readonly arn: string;
  readonly region: string;
  readonly status: string;
  readonly type: string | null;
  readonly domainName: string | null;
  readonly subjectAlternativeNames: readonly string[];
  readonly notBefore: string | null;
  readonly notAfter: string | null;
  readonly inUseBy: readonly string[];
  readonly failureReason: string | null;
  /** SHA-256 of the leaf (colon-separated upper-case hex, as Node prints it). */
  readonly leafFingerprint256: string | null;
  readonly leafIssuer: string | null;
  /** Subjects of the chain GetCertificate returns, in order. */
  readonly chainSubjects: readonly string[];
  /** The chain holds the certificate that issued the leaf (an import without --certificate-chain does not). */
  readonly chainHoldsIssuer: boolean;
  readonly arnFrom: 'listener' | 'annotation';
}

export interface AwsSecurityGroupRuleFact {
  readonly target: string;
  readonly port: number;
  readonly groups: readonly string[];
  /** Whether one of the target's groups admits the port from one of the ALB's groups (or from 0.0.0.0/0 / a CIDR holding it). */
  readonly admitted: boolean;
  readonly by: string | null;
}

export interface AwsSecurityGroupsFact {
  readonly loadBalancerGroups: readonly string[];
  readonly rules: readonly AwsSecurityGroupRuleFact[];
}

export interface AwsValues {
  readonly loadBalancer: AwsLoadBalancerFact;
  readonly listeners: AwsListenersFact;
  readonly targetGroup: AwsTargetGroupFact;
  readonly targetHealth: AwsTargetHealthFact;
  readonly certificate: AwsCertificateFact;
  readonly securityGroups: AwsSecurityGroupsFact;
}
