// The AWS sources: one record per ELBv2 / ACM / EC2 read, each with the IAM actions it uses. The SDK is
// imported inside the reads only (./reads.js → ./client.js), never by this file.
import type { Outcome } from '../../model.js';
import type { IngressFact } from '../../platform/k8s/types.js';
import { runProbe } from '../../probes/outcome.js';
import { defineSource, type Permission, type ReadContext, type SourceDef } from '../define.js';
import type { GatherOptions } from '../options.js';
import type { SelectionFact } from '../selection.js';
import type { AwsKey, SourceKey } from '../values.js';
import { AWS_SCHEMAS } from './schemas.js';

type Reads = typeof import('./reads.js');

const iam = (...actions: string[]): Permission[] => actions.map((action) => ({ kind: 'iam', action }));

/** An ALB's DNS name, as the controller's status and the guide's ADDRESS show it. */
const ELB_HOSTNAME = /\.elb\.amazonaws\.com\.?$/i;

function applies(o: GatherOptions): string | null {
  if (o.provider === 'gcp') return 'not an AWS deployment';
  if (o.k8s?.mode === 'manifests') return 'offline (--manifests): the AWS APIs are not read';
  return null;
}

/** Whether this run is about an ALB: the provider says so, or (no cluster) the address is an ELB name. */
function notAws(sel: SelectionFact, o: GatherOptions): string | null {
  if (sel.provider === 'aws' || o.provider === 'aws') return null;
  if (sel.provider === 'gcp') return 'not an AWS deployment';
  if (sel.address && ELB_HOSTNAME.test(sel.address)) return null;
  return 'not an AWS deployment (the address is no ALB name; use --provider aws)';
}

async function ingressOf(ctx: ReadContext, sel: SelectionFact): Promise<IngressFact | null> {
  if (!ctx.options.k8s || sel.ingress === null) return null;
  const ings = await ctx.outcome('k8s.ingresses');
  return ings.status === 'ok' ? (ings.value.find((i) => i.name === sel.ingress) ?? null) : null;
}

async function reads(): Promise<Reads> {
  return import('./reads.js');
}

const withK8s = (o: GatherOptions, keys: readonly SourceKey[]): readonly SourceKey[] => (o.k8s ? keys : []);

/** Calls per read, each with its own deadline: the runner's safety net sits above their sum. */
const budget = (calls: number) => (o: GatherOptions) => o.timeoutMs * (calls + 1) + 1000;

const loadBalancer = defineSource({
  key: 'aws.loadBalancer',
  label: 'find the ALB (ELBv2 DescribeLoadBalancers)',
  layer: 'aws',
  owner: 'aws.lb.state',
  schema: AWS_SCHEMAS.loadBalancer,
  permission: iam('elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeLoadBalancerAttributes'),
  applies,
  inputs: ['selection'],
  after: (o) => withK8s(o, ['k8s.ingresses']),
  budgetMs: budget(4),
  async read(ctx): Promise<Outcome<import('./values.js').AwsLoadBalancerFact>> {
    const sel = ctx.value('selection');
    const not = notAws(sel, ctx.options);
    if (not) return { status: 'skipped', reason: not };
    const ing = await ingressOf(ctx, sel);
    const r = await reads();
    return runProbe(() => r.readLoadBalancer(ctx, sel, ing), 'aws');
  },
});

const listeners = defineSource({
  key: 'aws.listeners',
  label: 'read the ALB listeners, their certificates and rules',
  layer: 'aws',
  owner: 'aws.listener.https',
  schema: AWS_SCHEMAS.listeners,
  permission: iam('elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeListenerCertificates', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeSSLPolicies'),
  applies,
  inputs: ['aws.loadBalancer'],
  budgetMs: budget(6),
  async read(ctx) {
    const r = await reads();
    return runProbe(() => r.readListeners(ctx, ctx.value('aws.loadBalancer')), 'aws');
  },
});

const targetGroup = defineSource({
  key: 'aws.targetGroup',
  label: 'read the Milvus target group',
  layer: 'aws',
  owner: 'aws.targetgroup.protocol-version',
  schema: AWS_SCHEMAS.targetGroup,
  permission: iam('elasticloadbalancing:DescribeTargetGroups'),
  applies,
  inputs: ['selection', 'aws.loadBalancer', 'aws.listeners'],
  after: (o) => withK8s(o, ['k8s.targetGroupBindings']),
  async read(ctx) {
    const sel = ctx.value('selection');
    let bindings: readonly import('../../platform/k8s/types.js').TargetGroupBindingFact[] = [];
    if (ctx.options.k8s) {
      const tgbs = await ctx.outcome('k8s.targetGroupBindings');
      if (tgbs.status === 'ok') bindings = tgbs.value.filter((b) => sel.service === null || b.serviceName === sel.service);
    }
    const r = await reads();
    return runProbe(() => r.readTargetGroup(ctx, ctx.value('aws.loadBalancer'), ctx.value('aws.listeners'), ctx.options.host ?? sel.host, bindings), 'aws');
  },
});

const targetHealth = defineSource({
  key: 'aws.targetHealth',
  label: 'read the target health',
  layer: 'aws',
  owner: 'aws.targets.healthy',
  schema: AWS_SCHEMAS.targetHealth,
  permission: iam('elasticloadbalancing:DescribeTargetHealth'),
  applies,
  inputs: ['aws.loadBalancer', 'aws.targetGroup'],
  async read(ctx) {
    const r = await reads();
    return runProbe(() => r.readTargetHealth(ctx, ctx.value('aws.targetGroup'), ctx.value('aws.loadBalancer').region), 'aws');
  },
});

const certificate = defineSource({
  key: 'aws.certificate',
  label: 'read the ACM certificate',
  layer: 'aws',
  owner: 'aws.acm.status',
  schema: AWS_SCHEMAS.certificate,
  permission: iam('acm:DescribeCertificate', 'acm:GetCertificate'),
  applies,
  inputs: ['selection', 'aws.loadBalancer', 'aws.listeners'],
  after: (o) => withK8s(o, ['k8s.ingresses']),
  budgetMs: budget(2),
  async read(ctx) {
    const ing = await ingressOf(ctx, ctx.value('selection'));
    const r = await reads();
    return runProbe(() => r.readCertificate(ctx, ctx.value('aws.loadBalancer'), ctx.value('aws.listeners'), ing), 'aws');
  },
});

const TIMED_OUT = 'Target.Timeout';

const securityGroups = defineSource({
  key: 'aws.securityGroups',
  label: 'read the security groups of timed-out targets (EC2)',
  layer: 'aws',
  owner: null,
  schema: AWS_SCHEMAS.securityGroups,
  permission: iam('ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups'),
  applies,
  inputs: ['aws.loadBalancer', 'aws.targetGroup', 'aws.targetHealth'],
  budgetMs: budget(2),
  async read(ctx) {
    const timedOut = ctx.value('aws.targetHealth').targets.filter((t) => t.reason === TIMED_OUT);
    // EC2 is the heaviest SDK client to load: asked only when a target timed out, which is what it explains.
    if (timedOut.length === 0) return { status: 'skipped', reason: 'no target timed out' };
    const tg = ctx.value('aws.targetGroup');
    const hcPort = Number(tg.healthCheck.port);
    const targets = timedOut.map((t) => {
      const port = t.port ?? tg.port ?? 19530;
      return { ip: t.id, ports: [...new Set([port, ...(Number.isInteger(hcPort) && hcPort > 0 ? [hcPort] : [])])] };
    });
    const r = await reads();
    return runProbe(() => r.readSecurityGroups(ctx, ctx.value('aws.loadBalancer'), targets), 'aws');
  },
});

export const AWS_SOURCES: { readonly [K in AwsKey]: SourceDef<K> } = {
  'aws.loadBalancer': loadBalancer,
  'aws.listeners': listeners,
  'aws.targetGroup': targetGroup,
  'aws.targetHealth': targetHealth,
  'aws.certificate': certificate,
  'aws.securityGroups': securityGroups,
};
