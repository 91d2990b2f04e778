// The AWS SDK clients of one run and how their failures become outcomes. Imported lazily by the AWS
// reads only, so that a run without an AWS check loads no SDK module (test/e2e/aws-graph.test.ts). Every
// call carries the run's deadline (an AbortSignal plus the handler's own timeouts) and bounded retries;
// every error names the AWS operation and, when access was denied, the IAM action to grant.
import { ProbeError } from '../../errors.js';
import type { ErrorCode } from '../../model.js';
import type { GatherOptions } from '../options.js';

/** The operations the doctor calls, each with the IAM action it needs (src/sources/aws/index.ts declares them). */
export const IAM_ACTION = {
  DescribeLoadBalancers: 'elasticloadbalancing:DescribeLoadBalancers',
  DescribeLoadBalancerAttributes: 'elasticloadbalancing:DescribeLoadBalancerAttributes',
  DescribeTags: 'elasticloadbalancing:DescribeTags',
  DescribeListeners: 'elasticloadbalancing:DescribeListeners',
  DescribeListenerCertificates: 'elasticloadbalancing:DescribeListenerCertificates',
  DescribeRules: 'elasticloadbalancing:DescribeRules',
  DescribeSSLPolicies: 'elasticloadbalancing:DescribeSSLPolicies',
  DescribeTargetGroups: 'elasticloadbalancing:DescribeTargetGroups',
  DescribeTargetHealth: 'elasticloadbalancing:DescribeTargetHealth',
  DescribeCertificate: 'acm:DescribeCertificate',
  GetCertificate: 'acm:GetCertificate',
  DescribeNetworkInterfaces: 'ec2:DescribeNetworkInterfaces',
  DescribeSecurityGroups: 'ec2:DescribeSecurityGroups',
} as const;
export type AwsOperation = keyof typeof IAM_ACTION;

const SERVICE_OF: Record<AwsOperation, 'elbv2' | 'acm' | 'ec2'> = {
  DescribeLoadBalancers: 'elbv2',
  DescribeLoadBalancerAttributes: 'elbv2',
  DescribeTags: 'elbv2',
  DescribeListeners: 'elbv2',
  DescribeListenerCertificates: 'elbv2',
  DescribeRules: 'elbv2',
  DescribeSSLPolicies: 'elbv2',
  DescribeTargetGroups: 'elbv2',
  DescribeTargetHealth: 'elbv2',
  DescribeCertificate: 'acm',
  GetCertificate: 'acm',
  DescribeNetworkInterfaces: 'ec2',
  DescribeSecurityGroups: 'ec2',
};

/** Attempts per call (the SDK's standard retry with backoff, throttling included), all within the deadline. */
export const MAX_ATTEMPTS = 3;

const NOT_FOUND = /NotFound|ResourceNotFoundException|InvalidGroup\.NotFound/;
const DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnrecognizedClientException|InvalidClientTokenId|AuthFailure|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException)$/;
const THROTTLED = /^(Throttling|ThrottlingException|RequestLimitExceeded|TooManyRequestsException)$/;

interface SdkErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: unknown;
}

function asSdkError(e: unknown): SdkErrorLike {
  return typeof e === 'object' && e !== null ? (e as SdkErrorLike) : { message: String(e) };
}

export function awsError(op: AwsOperation, e: unknown, deadline: AbortSignal, runSignal: AbortSignal, timeoutMs: number): ProbeError {
  const err = asSdkError(e);
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const what = `${SERVICE_OF[op]} ${op}`;
  const fail = (code: ErrorCode, message: string) => new ProbeError('aws', code, `${what}: ${message}`, { operation: op, ...(status ? { httpStatus: status } : {}) }, { cause: e });
  if (runSignal.aborted) return new ProbeError('aws', 'PROBE_ABORTED', `${what}: the run was interrupted`, { operation: op });
  if (deadline.aborted || name === 'TimeoutError' || name === 'AbortError' || err.code === 'ETIMEDOUT') {
    return fail('AWS_TIMEOUT', `no answer within ${timeoutMs} ms (${MAX_ATTEMPTS} attempts at most)`);
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name)) {
    return fail('AWS_NO_CREDENTIALS', `no AWS credentials (the SDK's chain: env, --aws-profile/AWS_PROFILE, SSO, web identity/IRSA, instance metadata): ${err.message ?? name}`);
  }
  if (DENIED.test(name) || status === 403) return fail('AWS_ACCESS_DENIED', `access denied: allow ${IAM_ACTION[op]} (fixtures/iam/doctor-policy.json) (${name})`);
  if (THROTTLED.test(name)) return fail('AWS_THROTTLED', `throttled after ${MAX_ATTEMPTS} attempts (${name})`);
  if (NOT_FOUND.test(name)) return fail('AWS_NOT_FOUND', `${name}: ${err.message ?? ''}`.trim());
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'ECONNRESET' || err.code === 'EAI_AGAIN') {
    return fail('AWS_UNREACHABLE', `the endpoint could not be reached (${err.code})`);
  }
  if (status !== undefined && status >= 500) return fail('AWS_API_ERROR', `HTTP ${status} after ${MAX_ATTEMPTS} attempts (${name})`);
  if ('$response' in err || /Deserialization|SyntaxError|Unexpected|char/.test(`${name} ${err.message ?? ''}`)) {
    return fail('AWS_BAD_ANSWER', `an answer the SDK could not read${status ? ` (HTTP ${status})` : ''}: ${oneLine(err.message ?? name)}`);
  }
  return fail('AWS_API_ERROR', `${name}${status ? ` (HTTP ${status})` : ''}: ${oneLine(err.message ?? '')}`);
}

/** An answer that parsed but lacks what every real answer has: garbage, not "nothing found". */
export function badAnswer(op: AwsOperation, what: string): ProbeError {
  return new ProbeError('aws', 'AWS_BAD_ANSWER', `${SERVICE_OF[op]} ${op}: the answer has no ${what}`, { operation: op });
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export interface AwsCallContext {
  readonly options: GatherOptions;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** One AWS call under the run's deadline: `send` gets the signal that ends it. */
export async function call<O>(ctx: AwsCallContext, op: AwsOperation, send: (abortSignal: AbortSignal) => Promise<O>): Promise<O> {
  const deadline = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]);
  try {
    return await send(deadline);
  } catch (e) {
    throw awsError(op, e, deadline, ctx.signal, ctx.timeoutMs);
  }
}

/** What every client gets: region, endpoint, credentials and the bounded handler. */
export function clientConfig(ctx: AwsCallContext, region: string): Record<string, unknown> {
  // The SDK warns on Node 20 when the first client is created; the warning is for the doctor's maintainers.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const aws = ctx.options.aws;
  return {
    region,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: ctx.timeoutMs, requestTimeout: ctx.timeoutMs },
    ...(aws?.profile ? { profile: aws.profile } : {}),
    ...(aws?.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws?.staticCredentials ? { credentials: { ...aws.staticCredentials } } : {}),
  };
}

export async function elbv2Client(ctx: AwsCallContext, region: string) {
  const m = await import('@aws-sdk/client-elastic-load-balancing-v2');
  return { m, client: new m.ElasticLoadBalancingV2Client(clientConfig(ctx, region)) };
}

export async function acmClient(ctx: AwsCallContext, region: string) {
  const m = await import('@aws-sdk/client-acm');
  return { m, client: new m.ACMClient(clientConfig(ctx, region)) };
}

export async function ec2Client(ctx: AwsCallContext, region: string) {
  const m = await import('@aws-sdk/client-ec2');
  return { m, client: new m.EC2Client(clientConfig(ctx, region)) };
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const HOST_REGION = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.elb\.amazonaws\.com\.?$/i;
const ARN_REGION = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/;

export function regionOfHostname(host: string | null): string | null {
  return host ? (HOST_REGION.exec(host)?.[1]?.toLowerCase() ?? null) : null;
}

export function regionOfArn(arn: string | null | undefined): string | null {
  return arn ? (ARN_REGION.exec(arn)?.[1] ?? null) : null;
}

/** --aws-region, AWS_REGION, the ALB hostname, the certificate ARN: the first that says, and which it was. */
export function resolveRegion(
  options: GatherOptions,
  env: NodeJS.ProcessEnv,
  hostname: string | null,
  certificateArn: string | null,
): { region: string; from: 'flag' | 'env' | 'alb-hostname' | 'certificate-arn' } | null {
  if (options.aws?.region) return { region: options.aws.region, from: 'flag' };
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (fromEnv && REGION.test(fromEnv)) return { region: fromEnv, from: 'env' };
  const fromHost = regionOfHostname(hostname);
  if (fromHost) return { region: fromHost, from: 'alb-hostname' };
  const fromArn = regionOfArn(certificateArn);
  if (fromArn) return { region: fromArn, from: 'certificate-arn' };
  return null;
}
