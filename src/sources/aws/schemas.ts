// The schema of each AWS source's value, for snapshots; the compiler holds each to src/sources/aws/values.ts.
import { z } from 'zod';
import type { AwsValues } from './values.js';

const str = z.string();
const strs = z.array(z.string());
const nstr = z.string().nullable();
const nnum = z.number().nullable();

const action = z.object({ type: str, targetGroupArns: strs, fixedStatus: nstr, redirect: nstr });

export const AWS_SCHEMAS: { readonly [K in keyof AwsValues]: z.ZodType<AwsValues[K]> } = {
  loadBalancer: z.object({
    arn: str,
    name: str,
    dnsName: str,
    scheme: str,
    type: str,
    state: str,
    stateReason: nstr,
    vpcId: nstr,
    securityGroups: strs,
    zones: z.array(z.object({ zone: str, subnetId: nstr })),
    http2Enabled: z.boolean().nullable(),
    idleTimeoutSec: nnum,
    minIdleTimeoutSec: nnum,
    region: str,
    regionFrom: z.enum(['flag', 'env', 'alb-hostname', 'certificate-arn']),
    foundBy: z.enum(['dns-name', 'tags']),
    lookedUp: str,
  }),
  listeners: z.object({
    listeners: z.array(
      z.object({
        arn: str,
        port: z.number(),
        protocol: str,
        certificateArns: strs,
        sslPolicy: nstr,
        sslProtocols: strs.nullable(),
        defaultActions: z.array(action),
        rules: z.array(z.object({ arn: str, priority: str, isDefault: z.boolean(), hosts: strs, paths: strs, actions: z.array(action) })),
      }),
    ),
  }),
  targetGroup: z.object({
    arn: str,
    name: str,
    protocol: nstr,
    protocolVersion: nstr,
    port: nnum,
    targetType: nstr,
    vpcId: nstr,
    loadBalancerArns: strs,
    healthCheck: z.object({
      enabled: z.boolean(),
      protocol: nstr,
      port: nstr,
      path: nstr,
      grpcCodes: nstr,
      httpCodes: nstr,
      intervalSec: nnum,
      timeoutSec: nnum,
      healthyThreshold: nnum,
      unhealthyThreshold: nnum,
    }),
    arnFrom: z.enum(['targetgroupbinding', 'listener-rule']),
  }),
  targetHealth: z.object({
    targetGroupArn: str,
    targets: z.array(z.object({ id: str, port: nnum, zone: nstr, state: str, reason: nstr, description: nstr })),
  }),
  certificate: z.object({
    arn: str,
    region: str,
    status: str,
    type: nstr,
    domainName: nstr,
    subjectAlternativeNames: strs,
    notBefore: nstr,
    notAfter: nstr,
    inUseBy: strs,
    failureReason: nstr,
    leafFingerprint256: nstr,
    leafIssuer: nstr,
    chainSubjects: strs,
    chainHoldsIssuer: z.boolean(),
    arnFrom: z.enum(['listener', 'annotation']),
  }),
  securityGroups: z.object({
    loadBalancerGroups: strs,
    rules: z.array(z.object({ target: str, port: z.number(), groups: strs, admitted: z.boolean(), by: nstr })),
  }),
};
