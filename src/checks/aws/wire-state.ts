// What the ALB's own state says of a failed call on the wire (404, 464, 502, 503): the data-path finding
// names the listener rule for the host, the target group's protocol version or the targets' health as the
// AWS API reports them, because the Ingress can be right while the ALB is not (a target group the
// controller cannot change in place).
import type { Facts } from '../../facts/types.js';
import type { AwsListenerFact, AwsListenersFact, AwsTargetFact, AwsTargetGroupFact, AwsTargetHealthFact } from '../../sources/aws/values.js';
import { ruleFor } from '../../sources/aws/rules.js';
import type { SourceKey } from '../../sources/values.js';
import { k8sView } from '../k8s/view.js';
import { TARGET_REASONS } from './api.js';

const A = 'alb.ingress.kubernetes.io/';

/** The AWS facts a data-path finding reads (their chain — the ALB, its listeners — comes with them). */
export const AWS_WIRE_STATE: readonly SourceKey[] = ['aws.listeners', 'aws.targetGroup', 'aws.targetHealth'];

export interface WireState {
  /** What the cloud's state says caused the status, first in the finding's hint. */
  readonly hint: string;
  readonly fix?: string;
  readonly evidence: Record<string, string>;
}

function targetGroupOf(f: Facts): AwsTargetGroupFact | null {
  const o = f.aws?.targetGroup;
  return o?.status === 'ok' ? o.value : null;
}

function targetHealthOf(f: Facts): AwsTargetHealthFact | null {
  const o = f.aws?.targetHealth;
  return o?.status === 'ok' ? o.value : null;
}

function listenersOf(f: Facts): AwsListenersFact | null {
  const o = f.aws?.listeners;
  return o?.status === 'ok' ? o.value : null;
}

function httpsListenerOf(ls: AwsListenersFact | null): AwsListenerFact | null {
  return ls?.listeners.find((l) => l.protocol === 'HTTPS' && l.port === 443) ?? ls?.listeners.find((l) => l.protocol === 'HTTPS') ?? null;
}

/** A 404 for the host: the rule the ALB's HTTPS listener has for it, or the default action it falls to. */
function on404(ls: AwsListenersFact, host: string, tg: AwsTargetGroupFact | null): WireState | null {
  const https = httpsListenerOf(ls);
  if (!https) return null;
  const rule = ruleFor(https, host);
  const forwards = rule !== null && !rule.isDefault && rule.actions.some((a) => a.type === 'forward' && (tg === null || a.targetGroupArns.includes(tg.arn)));
  const evidence = { rule: rule ? `${rule.isDefault ? 'default' : `priority ${rule.priority}`}: hosts ${rule.hosts.join(',') || '*'} → ${rule.actions.map((a) => a.fixedStatus ? `fixed-response ${a.fixedStatus}` : a.type).join(', ')}` : 'none' };
  if (forwards) {
    return {
      hint: `the ALB's HTTPS:${https.port} listener has a rule for ${host} (priority ${rule.priority}) forwarding to ${tg?.name ?? 'a target group'} (AWS API), so this 404 is not that rule's: the address is another load balancer (see aws.acm.served), or the request did not carry :authority ${host}`,
      evidence,
    };
  }
  return {
    hint: `the ALB's HTTPS:${https.port} listener has no rule for ${host} (AWS API): requests for it meet ${rule?.isDefault ? `the default action (${rule.actions.map((a) => a.fixedStatus ? `fixed-response ${a.fixedStatus}` : a.type).join(', ')})` : `rule ${rule?.priority ?? '?'}`}; the controller writes the rules from the Ingress's spec.rules[].host`,
    evidence,
  };
}

function describeTarget(t: AwsTargetFact): string {
  return `${t.id}:${t.port ?? '?'} ${t.state}${t.reason ? ` (${t.reason})` : ''}`;
}

/** Lists the TargetGroupBindings with their target group, so the one holding this target group can be told (a GKE run plans no TargetGroupBinding read). */
function bindingsOf(ns: string): string {
  return `kubectl -n ${ns} get targetgroupbindings -o custom-columns=NAME:.metadata.name,TARGETGROUP:.spec.targetGroupARN`;
}

function on464(f: Facts, tg: AwsTargetGroupFact): WireState {
  const ing = k8sView(f)?.ing ?? null;
  const ns = ing?.namespace ?? '<namespace>';
  const name = ing?.name ?? '<ingress>';
  const evidence = { targetGroup: `${tg.name}: ProtocolVersion ${tg.protocolVersion ?? '?'} (AWS API)` };
  if (tg.protocolVersion === 'GRPC') {
    return {
      hint: `the ALB's target group ${tg.name} is ProtocolVersion GRPC (AWS API), so this 464 does not come from it: the address is another load balancer (see aws.acm.served), or a rule forwards :authority to another target group (see aws.listener.rule)`,
      fix: `aws elbv2 describe-rules --listener-arn ${httpsListenerOf(listenersOf(f))?.arn ?? '<the 443 listener\'s ARN>'}  # which target group the host's rule forwards to`,
      evidence,
    };
  }
  const asked = ing?.annotations[`${A}backend-protocol-version`];
  const observed = `target group ${tg.name} ProtocolVersion ${tg.protocolVersion ?? 'unknown'}`;
  if (asked === 'GRPC') {
    return {
      hint: `the target group was not recreated (${observed}; the controller cannot change it in place) while the Ingress ${ns}/${name} asks GRPC: delete the TargetGroupBinding/target group or change the Ingress group so the controller recreates it`,
      fix: `${bindingsOf(ns)}  # the one with ${tg.arn}\nkubectl -n ${ns} delete targetgroupbinding <that binding>  # the controller recreates it with a GRPC target group; or set a new alb.ingress.kubernetes.io/group.name`,
      evidence,
    };
  }
  return {
    hint: `${observed} (AWS API): the Ingress ${ns}/${name} ${asked ? `asks ${asked}` : 'has no backend-protocol-version'}, so the controller made an HTTP/1 target group, which answers gRPC with 464; set GRPC and the controller creates a new target group`,
    fix: `kubectl -n ${ns} annotate ingress ${name} ${A}backend-protocol-version=GRPC --overwrite`,
    evidence,
  };
}

function on50x(f: Facts, status: number, tg: AwsTargetGroupFact | null, th: AwsTargetHealthFact): WireState | null {
  const name = tg?.name ?? th.targetGroupArn;
  const evidence = Object.fromEntries(th.targets.map((t) => [`target/${t.id}`, describeTarget(t)]));
  if (th.targets.length === 0) {
    return {
      hint: `target health: no target is registered in ${name} (AWS API), so the ALB has no one to send to: look at the TargetGroupBinding events and the ready endpoints`,
      fix: `kubectl -n ${k8sView(f)?.ing?.namespace ?? '<namespace>'} describe targetgroupbindings  # the events of the one with ${tg?.arn ?? th.targetGroupArn}`,
      evidence,
    };
  }
  const notHealthy = th.targets.filter((t) => t.state !== 'healthy');
  if (notHealthy.length > 0) {
    const reason = notHealthy.find((t) => t.reason)?.reason ?? null;
    const known = reason ? TARGET_REASONS[reason] : undefined;
    return {
      hint: `target health in ${name} (AWS API): ${notHealthy.map(describeTarget).join('; ')}${th.targets.length > notHealthy.length ? `; ${th.targets.length - notHealthy.length} healthy` : ''}${known ? ` — ${reason}: ${known.cause}` : ''}`,
      fix: known?.fix ?? `aws elbv2 describe-target-health --target-group-arn ${th.targetGroupArn}`,
      evidence,
    };
  }
  // Every target healthy: the health check passes while calls fail, so the protocol of the calls is what differs.
  const proto = tg ? `${tg.protocol ?? '?'} ${tg.protocolVersion ?? '?'}` : 'its protocol';
  return {
    hint: `the ALB reports every target in ${name} healthy (${th.targets.length}/${th.targets.length}, AWS API) while calls get ${status}: the health check passes where calls fail — the target group speaks ${proto} to the pods; a target that resets or closes calls, or a load balancer other than this ALB at the address, also answers so`,
    evidence,
  };
}

/** The AWS state that explains a status the ALB answered, or null when the AWS facts were not gathered or say nothing. */
export function awsWireState(f: Facts, status: number, host: string | null): WireState | null {
  if (f.target.provider !== 'aws') return null;
  const tg = targetGroupOf(f);
  if (status === 404) {
    const ls = listenersOf(f);
    return ls && host !== null ? on404(ls, host, tg) : null;
  }
  if (status === 464) return tg ? on464(f, tg) : null;
  if (status === 502 || status === 503) {
    const th = targetHealthOf(f);
    return th ? on50x(f, status, tg, th) : null;
  }
  return null;
}
