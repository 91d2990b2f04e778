// The AWS reads themselves, loaded only when a run needs one. Each returns a plain fact; the SDK's objects
// never leave this file. Pagination is followed to the end; every call goes through call() (deadline,
// retries, errors naming the operation).
import { X509Certificate } from 'node:crypto';
import { ProbeError } from '../../errors.js';
import type { IngressFact, TargetGroupBindingFact } from '../../platform/k8s/types.js';
import type { SelectionFact } from '../selection.js';
import { acmClient, badAnswer, call, ec2Client, elbv2Client, regionOfArn, resolveRegion, type AwsCallContext } from './client.js';
import { ruleFor } from './rules.js';
import type {
  AwsActionFact, AwsCertificateFact, AwsListenerFact, AwsListenersFact, AwsLoadBalancerFact, AwsSecurityGroupsFact, AwsTargetGroupFact, AwsTargetHealthFact,
} from './values.js';

const A = 'alb.ingress.kubernetes.io/';

export function annotatedCertificateArn(ing: IngressFact | null): string | null {
  return ing?.annotations[`${A}certificate-arn`]?.split(',')[0]?.trim() || null;
}

function sameDnsName(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');
  return norm(a) === norm(b);
}

interface SdkLb {
  LoadBalancerArn?: string;
  LoadBalancerName?: string;
  DNSName?: string;
  Scheme?: string;
  Type?: string;
  State?: { Code?: string; Reason?: string };
  VpcId?: string;
  SecurityGroups?: string[];
  AvailabilityZones?: { ZoneName?: string; SubnetId?: string }[];
}

/** The cluster name an EKS context carries (aws eks update-kubeconfig's ARN, eksctl's name), as the controller tags it. */
export function clusterNameOfContext(context: string | undefined): string | null {
  if (!context) return null;
  return /^arn:aws[a-z-]*:eks:[^:]+:\d+:cluster\/(.+)$/.exec(context)?.[1] ?? /^[^@]+@([^.]+)\.[a-z0-9-]+\.eksctl\.io$/.exec(context)?.[1] ?? null;
}

const STACK_TAG = 'ingress.k8s.aws/stack';
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';
/** DescribeTags takes at most 20 ARNs a call. */
const TAGS_PER_CALL = 20;

/**
 * The ALB of the Ingress: the one whose DNS name is the address (the Ingress status hostname or --address),
 * else the one the controller tagged for the Ingress's stack (its group, or namespace/name), narrowed by the
 * cluster tag when the context names an EKS cluster. Every page of DescribeLoadBalancers is read.
 */
export async function readLoadBalancer(ctx: AwsCallContext, selection: SelectionFact, ing: IngressFact | null, pageSize = 400): Promise<AwsLoadBalancerFact> {
  const address = selection.address;
  const certArn = annotatedCertificateArn(ing);
  const region = resolveRegion(ctx.options, process.env, address, certArn);
  if (!region) {
    throw new ProbeError('aws', 'AWS_NO_REGION', 'no AWS region: give --aws-region or AWS_REGION (neither the address nor a certificate ARN names one)');
  }
  const { m, client } = await elbv2Client(ctx, region.region);
  try {
    const all: SdkLb[] = [];
    const markers = new Set<string>();
    let marker: string | undefined;
    do {
      const page = await call(ctx, 'DescribeLoadBalancers', (abortSignal) => client.send(new m.DescribeLoadBalancersCommand({ PageSize: pageSize, ...(marker ? { Marker: marker } : {}) }), { abortSignal }));
      if (!Array.isArray(page.LoadBalancers)) throw badAnswer('DescribeLoadBalancers', 'LoadBalancers list');
      all.push(...page.LoadBalancers);
      marker = page.NextMarker;
      // An endpoint that hands back a marker it gave before would page forever.
      if (marker && markers.has(marker)) throw badAnswer('DescribeLoadBalancers', `new NextMarker (it repeats ${marker})`);
      if (marker) markers.add(marker);
    } while (marker);
    const lookups: string[] = [];
    let found: SdkLb | undefined;
    let foundBy: AwsLoadBalancerFact['foundBy'] = 'dns-name';
    if (address) {
      lookups.push(`DNS name ${address} (${selection.addressFrom === 'flag' ? '--address' : 'the Ingress status'})`);
      found = all.find((lb) => lb.DNSName && sameDnsName(lb.DNSName, address));
    }
    if (!found && ing) {
      // The controller tags what it creates; an Ingress in a group shares the group's ALB.
      const group = ing.annotations[`${A}group.name`];
      const stack = group ?? `${ing.namespace}/${ing.name}`;
      const cluster = clusterNameOfContext(ctx.options.k8s?.context);
      lookups.push(`tag ${STACK_TAG}=${stack}${cluster ? ` and ${CLUSTER_TAG}=${cluster}` : ''}`);
      const arns = all.map((lb) => lb.LoadBalancerArn).filter((a): a is string => !!a);
      const tagged: { arn: string; cluster: string | null }[] = [];
      for (let i = 0; i < arns.length; i += TAGS_PER_CALL) {
        const tags = await call(ctx, 'DescribeTags', (abortSignal) => client.send(new m.DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAGS_PER_CALL) }), { abortSignal }));
        if (!Array.isArray(tags.TagDescriptions)) throw badAnswer('DescribeTags', 'TagDescriptions list');
        for (const d of tags.TagDescriptions) {
          const t = d.Tags ?? [];
          if (d.ResourceArn && t.some((x) => x.Key === STACK_TAG && x.Value === stack)) tagged.push({ arn: d.ResourceArn, cluster: t.find((x) => x.Key === CLUSTER_TAG)?.Value ?? null });
        }
      }
      const mine = cluster ? tagged.filter((t) => t.cluster === cluster) : tagged;
      if (mine.length > 1) {
        throw new ProbeError(
          'aws',
          'AWS_NOT_FOUND',
          `elbv2 DescribeTags: ${mine.length} load balancers carry ${STACK_TAG}=${stack} (${CLUSTER_TAG}: ${mine.map((t) => t.cluster ?? 'none').join(', ')}), so none is known to be this Ingress's: give --address, or a --context that names the EKS cluster`,
          { operation: 'DescribeTags' },
        );
      }
      if (mine.length === 1) {
        found = all.find((lb) => lb.LoadBalancerArn === mine[0].arn);
        foundBy = 'tags';
      }
    }
    const lookedUp = `${lookups.join(', then ') || 'nothing to look up by (no address, no Ingress)'} in ${region.region} (region from ${region.from})`;
    if (!found?.LoadBalancerArn) {
      throw new ProbeError('aws', 'AWS_NOT_FOUND', `elbv2 DescribeLoadBalancers: no load balancer matches ${lookedUp}; ${all.length} in the region`, { operation: 'DescribeLoadBalancers' });
    }
    const attrs = await call(ctx, 'DescribeLoadBalancerAttributes', (abortSignal) => client.send(new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: found.LoadBalancerArn }), { abortSignal }));
    if (!Array.isArray(attrs.Attributes)) throw badAnswer('DescribeLoadBalancerAttributes', 'Attributes list');
    const attr = (key: string) => attrs.Attributes?.find((a) => a.Key === key)?.Value;
    const http2 = attr('routing.http2.enabled');
    const idle = attr('idle_timeout.timeout_seconds');
    return {
      arn: found.LoadBalancerArn,
      name: found.LoadBalancerName ?? '',
      dnsName: found.DNSName ?? '',
      scheme: found.Scheme ?? 'unknown',
      type: found.Type ?? 'unknown',
      state: found.State?.Code ?? 'unknown',
      stateReason: found.State?.Reason ?? null,
      vpcId: found.VpcId ?? null,
      securityGroups: found.SecurityGroups ?? [],
      zones: (found.AvailabilityZones ?? []).map((z) => ({ zone: z.ZoneName ?? '', subnetId: z.SubnetId ?? null })),
      http2Enabled: http2 === undefined ? null : http2 === 'true',
      minIdleTimeoutSec: ctx.options.aws?.minIdleTimeoutSec ?? null,
      idleTimeoutSec: idle === undefined || idle === '' || Number.isNaN(Number(idle)) ? null : Number(idle),
      region: region.region,
      regionFrom: region.from,
      foundBy,
      lookedUp,
    };
  } finally {
    client.destroy();
  }
}

interface SdkAction {
  Type?: string;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string }[] };
  FixedResponseConfig?: { StatusCode?: string };
  RedirectConfig?: { Protocol?: string; Port?: string; Host?: string; StatusCode?: string };
}

function actionFact(a: SdkAction): AwsActionFact {
  const tgs = [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn)].filter((x): x is string => !!x);
  return {
    type: a.Type ?? 'unknown',
    targetGroupArns: [...new Set(tgs)],
    fixedStatus: a.FixedResponseConfig?.StatusCode ?? null,
    redirect: a.RedirectConfig ? `${a.RedirectConfig.StatusCode ?? ''} ${a.RedirectConfig.Protocol ?? ''}:${a.RedirectConfig.Port ?? ''}`.trim() : null,
  };
}

type Elbv2 = Awaited<ReturnType<typeof elbv2Client>>;

/**
 * Every certificate of an HTTPS listener, the default first: DescribeListeners shows only the default, and
 * the others (the second and later ARNs of certificate-arn, served by SNI) only DescribeListenerCertificates.
 */
async function listenerCertificates(ctx: AwsCallContext, m: Elbv2['m'], client: Elbv2['client'], arn: string, protocol: string, fromListener: readonly string[]): Promise<string[]> {
  if (protocol !== 'HTTPS') return [...fromListener];
  const defaults = [...fromListener];
  const others: string[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'DescribeListenerCertificates', (abortSignal) => client.send(new m.DescribeListenerCertificatesCommand({ ListenerArn: arn, ...(marker ? { Marker: marker } : {}) }), { abortSignal }));
    if (!Array.isArray(page.Certificates)) throw badAnswer('DescribeListenerCertificates', 'Certificates list');
    for (const c of page.Certificates) {
      if (!c.CertificateArn) continue;
      (c.IsDefault ? defaults : others).push(c.CertificateArn);
    }
    marker = page.NextMarker;
  } while (marker);
  return [...new Set([...defaults, ...others])];
}

export async function readListeners(ctx: AwsCallContext, lb: AwsLoadBalancerFact): Promise<AwsListenersFact> {
  const { m, client } = await elbv2Client(ctx, lb.region);
  try {
    const listeners: AwsListenerFact[] = [];
    const policies = new Map<string, string[] | null>();
    let marker: string | undefined;
    do {
      const page = await call(ctx, 'DescribeListeners', (abortSignal) => client.send(new m.DescribeListenersCommand({ LoadBalancerArn: lb.arn, ...(marker ? { Marker: marker } : {}) }), { abortSignal }));
      if (!Array.isArray(page.Listeners)) throw badAnswer('DescribeListeners', 'Listeners list');
      for (const l of page.Listeners) {
        if (!l.ListenerArn) continue;
        const rules = [];
        let rmarker: string | undefined;
        do {
          const r = await call(ctx, 'DescribeRules', (abortSignal) => client.send(new m.DescribeRulesCommand({ ListenerArn: l.ListenerArn, ...(rmarker ? { Marker: rmarker } : {}) }), { abortSignal }));
          if (!Array.isArray(r.Rules)) throw badAnswer('DescribeRules', 'Rules list');
          for (const rule of r.Rules) {
            const conds = rule.Conditions ?? [];
            rules.push({
              arn: rule.RuleArn ?? '',
              priority: rule.Priority ?? '',
              isDefault: rule.IsDefault === true,
              hosts: conds.filter((c) => c.Field === 'host-header').flatMap((c) => c.HostHeaderConfig?.Values ?? c.Values ?? []),
              paths: conds.filter((c) => c.Field === 'path-pattern').flatMap((c) => c.PathPatternConfig?.Values ?? c.Values ?? []),
              actions: (rule.Actions ?? []).map(actionFact),
            });
          }
          rmarker = r.NextMarker;
        } while (rmarker);
        const policy = l.SslPolicy ?? null;
        if (policy && !policies.has(policy)) {
          const p = await call(ctx, 'DescribeSSLPolicies', (abortSignal) => client.send(new m.DescribeSSLPoliciesCommand({ Names: [policy] }), { abortSignal }));
          policies.set(policy, p.SslPolicies?.find((x) => x.Name === policy)?.SslProtocols ?? null);
        }
        listeners.push({
          arn: l.ListenerArn,
          port: l.Port ?? 0,
          protocol: l.Protocol ?? 'unknown',
          certificateArns: await listenerCertificates(ctx, m, client, l.ListenerArn, l.Protocol ?? '', (l.Certificates ?? []).map((c) => c.CertificateArn).filter((a): a is string => !!a)),
          sslPolicy: policy,
          sslProtocols: policy ? (policies.get(policy) ?? null) : null,
          defaultActions: (l.DefaultActions ?? []).map(actionFact),
          rules,
        });
      }
      marker = page.NextMarker;
    } while (marker);
    return { listeners: listeners.sort((a, b) => a.port - b.port) };
  } finally {
    client.destroy();
  }
}

export function httpsListener(listeners: AwsListenersFact): AwsListenerFact | null {
  return listeners.listeners.find((l) => l.protocol === 'HTTPS' && l.port === 443) ?? listeners.listeners.find((l) => l.protocol === 'HTTPS') ?? null;
}

export async function readTargetGroup(
  ctx: AwsCallContext,
  lb: AwsLoadBalancerFact,
  listeners: AwsListenersFact,
  host: string | null,
  bindings: readonly TargetGroupBindingFact[],
): Promise<AwsTargetGroupFact> {
  let arn = bindings.find((b) => b.targetGroupARN)?.targetGroupARN ?? null;
  let arnFrom: AwsTargetGroupFact['arnFrom'] = 'targetgroupbinding';
  if (!arn) {
    const l = httpsListener(listeners) ?? listeners.listeners[0] ?? null;
    const rule = l ? ruleFor(l, host) : null;
    arn = rule?.actions.flatMap((a) => a.targetGroupArns)[0] ?? l?.defaultActions.flatMap((a) => a.targetGroupArns)[0] ?? null;
    arnFrom = 'listener-rule';
  }
  if (!arn) {
    throw new ProbeError('aws', 'AWS_NOT_FOUND', `no target group: no TargetGroupBinding names one and no listener rule for ${host ?? 'the host'} forwards to one`, { operation: 'DescribeRules' });
  }
  const { m, client } = await elbv2Client(ctx, regionOfArn(arn) ?? lb.region);
  try {
    const out = await call(ctx, 'DescribeTargetGroups', (abortSignal) => client.send(new m.DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }), { abortSignal }));
    if (!Array.isArray(out.TargetGroups)) throw badAnswer('DescribeTargetGroups', 'TargetGroups list');
    const tg = out.TargetGroups.find((t) => t.TargetGroupArn === arn);
    if (!tg) throw new ProbeError('aws', 'AWS_NOT_FOUND', `elbv2 DescribeTargetGroups: ${arn} not found`, { operation: 'DescribeTargetGroups' });
    return {
      arn,
      name: tg.TargetGroupName ?? '',
      protocol: tg.Protocol ?? null,
      protocolVersion: tg.ProtocolVersion ?? null,
      port: tg.Port ?? null,
      targetType: tg.TargetType ?? null,
      vpcId: tg.VpcId ?? null,
      loadBalancerArns: tg.LoadBalancerArns ?? [],
      healthCheck: {
        enabled: tg.HealthCheckEnabled !== false,
        protocol: tg.HealthCheckProtocol ?? null,
        port: tg.HealthCheckPort ?? null,
        path: tg.HealthCheckPath ?? null,
        grpcCodes: tg.Matcher?.GrpcCode ?? null,
        httpCodes: tg.Matcher?.HttpCode ?? null,
        intervalSec: tg.HealthCheckIntervalSeconds ?? null,
        timeoutSec: tg.HealthCheckTimeoutSeconds ?? null,
        healthyThreshold: tg.HealthyThresholdCount ?? null,
        unhealthyThreshold: tg.UnhealthyThresholdCount ?? null,
      },
      arnFrom,
    };
  } finally {
    client.destroy();
  }
}

export async function readTargetHealth(ctx: AwsCallContext, tg: AwsTargetGroupFact, region: string): Promise<AwsTargetHealthFact> {
  const { m, client } = await elbv2Client(ctx, regionOfArn(tg.arn) ?? region);
  try {
    const out = await call(ctx, 'DescribeTargetHealth', (abortSignal) => client.send(new m.DescribeTargetHealthCommand({ TargetGroupArn: tg.arn }), { abortSignal }));
    if (!Array.isArray(out.TargetHealthDescriptions)) throw badAnswer('DescribeTargetHealth', 'TargetHealthDescriptions list');
    return {
      targetGroupArn: tg.arn,
      targets: out.TargetHealthDescriptions.map((d) => ({
        id: d.Target?.Id ?? '',
        port: d.Target?.Port ?? null,
        zone: d.Target?.AvailabilityZone ?? null,
        state: d.TargetHealth?.State ?? 'unknown',
        reason: d.TargetHealth?.Reason ?? null,
        description: d.TargetHealth?.Description ?? null,
      })),
    };
  } finally {
    client.destroy();
  }
}

function pemBlocks(text: string | undefined): string[] {
  return text?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export async function readCertificate(ctx: AwsCallContext, lb: AwsLoadBalancerFact, listeners: AwsListenersFact, ing: IngressFact | null): Promise<AwsCertificateFact> {
  const fromListener = httpsListener(listeners)?.certificateArns[0] ?? null;
  const arn = fromListener ?? annotatedCertificateArn(ing);
  if (!arn) throw new ProbeError('aws', 'AWS_NOT_FOUND', 'no certificate: no HTTPS listener names one and the Ingress has no certificate-arn', { operation: 'DescribeListeners' });
  const region = regionOfArn(arn) ?? lb.region;
  const { m, client } = await acmClient(ctx, region);
  try {
    const described = await call(ctx, 'DescribeCertificate', (abortSignal) => client.send(new m.DescribeCertificateCommand({ CertificateArn: arn }), { abortSignal }));
    const c = described.Certificate;
    if (!c) throw badAnswer('DescribeCertificate', 'Certificate');
    let leaf: X509Certificate | null = null;
    let chain: X509Certificate[] = [];
    // GetCertificate refuses certificates that were never issued (RequestInProgressException).
    if (c.Status === 'ISSUED' || c.Status === 'EXPIRED' || c.Status === 'INACTIVE') {
      const got = await call(ctx, 'GetCertificate', (abortSignal) => client.send(new m.GetCertificateCommand({ CertificateArn: arn }), { abortSignal }));
      if (!got.Certificate) throw badAnswer('GetCertificate', 'Certificate');
      try {
        leaf = new X509Certificate(got.Certificate);
        chain = pemBlocks(got.CertificateChain).map((p) => new X509Certificate(p));
      } catch (e) {
        throw new ProbeError('aws', 'AWS_BAD_ANSWER', `acm GetCertificate: the certificate is not PEM (${e instanceof Error ? e.message : String(e)})`, { operation: 'GetCertificate' });
      }
    }
    const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
    return {
      arn,
      region,
      status: c.Status ?? 'unknown',
      type: c.Type ?? null,
      domainName: c.DomainName ?? null,
      subjectAlternativeNames: c.SubjectAlternativeNames ?? [],
      notBefore: iso(c.NotBefore),
      notAfter: iso(c.NotAfter),
      inUseBy: c.InUseBy ?? [],
      failureReason: c.FailureReason ?? null,
      leafFingerprint256: leaf?.fingerprint256 ?? null,
      leafIssuer: leaf?.issuer.replace(/\n/g, ', ') ?? null,
      chainSubjects: chain.map((x) => x.subject.replace(/\n/g, ', ')),
      chainHoldsIssuer: leaf !== null && chain.some((x) => leaf.checkIssued(x) && leaf.verify(x.publicKey)),
      arnFrom: fromListener ? 'listener' : 'annotation',
    };
  } finally {
    client.destroy();
  }
}

function portIn(port: number, from: number | undefined, to: number | undefined, protocol: string | undefined): boolean {
  if (protocol === '-1') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  return (from ?? 0) <= port && port <= (to ?? 65535);
}

export async function readSecurityGroups(ctx: AwsCallContext, lb: AwsLoadBalancerFact, targets: readonly { ip: string; ports: readonly number[] }[]): Promise<AwsSecurityGroupsFact> {
  const { m, client } = await ec2Client(ctx, lb.region);
  try {
    const enis = await call(ctx, 'DescribeNetworkInterfaces', (abortSignal) => client.send(new m.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: targets.map((t) => t.ip) }] }), { abortSignal }));
    if (!Array.isArray(enis.NetworkInterfaces)) throw badAnswer('DescribeNetworkInterfaces', 'NetworkInterfaces list');
    const groupsOf = new Map<string, string[]>();
    for (const eni of enis.NetworkInterfaces) {
      const ips = (eni.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress).concat(eni.PrivateIpAddress);
      for (const ip of ips) if (ip) groupsOf.set(ip, (eni.Groups ?? []).map((g) => g.GroupId).filter((g): g is string => !!g));
    }
    const ids = [...new Set([...groupsOf.values()].flat())];
    const sgs = ids.length
      ? await call(ctx, 'DescribeSecurityGroups', (abortSignal) => client.send(new m.DescribeSecurityGroupsCommand({ GroupIds: ids }), { abortSignal }))
      : { SecurityGroups: [] };
    if (!Array.isArray(sgs.SecurityGroups)) throw badAnswer('DescribeSecurityGroups', 'SecurityGroups list');
    const rules = targets.flatMap((t) =>
      t.ports.map((port) => {
        const groups = groupsOf.get(t.ip) ?? [];
        let by: string | null = null;
        for (const sg of sgs.SecurityGroups ?? []) {
          if (!sg.GroupId || !groups.includes(sg.GroupId)) continue;
          for (const p of sg.IpPermissions ?? []) {
            if (!portIn(port, p.FromPort, p.ToPort, p.IpProtocol)) continue;
            const pair = (p.UserIdGroupPairs ?? []).find((g) => g.GroupId && lb.securityGroups.includes(g.GroupId));
            if (pair) by = `${sg.GroupId} from ${pair.GroupId}`;
            else if ((p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0')) by = `${sg.GroupId} from 0.0.0.0/0`;
            if (by) break;
          }
          if (by) break;
        }
        return { target: t.ip, port, groups, admitted: by !== null, by };
      }),
    );
    return { loadBalancerGroups: lb.securityGroups, rules };
  } finally {
    client.destroy();
  }
}
