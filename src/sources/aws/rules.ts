// Which listener rule a request for a host meets, as the ALB evaluates them: by priority, host patterns with
// * and ?, case-insensitively; the default rule last. Shared by the target-group read and the checks.
import type { AwsListenerFact, AwsRuleFact } from './values.js';

function hostPattern(pattern: string): RegExp {
  const body = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function ruleFor(listener: AwsListenerFact, host: string | null): AwsRuleFact | null {
  const ordered = listener.rules.filter((r) => !r.isDefault).sort((a, b) => Number(a.priority) - Number(b.priority));
  const matches = (r: AwsRuleFact) => r.hosts.length === 0 || (host !== null && r.hosts.some((p) => hostPattern(p).test(host.toLowerCase())));
  return ordered.find(matches) ?? listener.rules.find((r) => r.isDefault) ?? null;
}
