// What a plan prints: text (terraform-like: each step, its state, the change as a YAML diff), JSON (the
// plan itself, schema/provision-plan.schema.json), or YAML (the manifests of what is missing or wrong,
// for GitOps). Secrets are redacted in every form unless -o yaml --include-secrets.
import { redact, toYaml } from './diff.js';
import type { PlanResult } from './plan.js';
import { pending, type Plan, type Step, type StepState } from './types.js';

const MARK: Record<StepState, string> = { done: '✓', missing: '+', wrong: '~', blocked: '!' };

export function summaryLine(plan: Plan): string {
  const count = (s: StepState) => plan.steps.filter((x) => x.state === s).length;
  const todo = pending(plan);
  if (todo.length === 0) return `Nothing to do: all ${plan.steps.length} steps are in place.`;
  return `Plan: ${count('missing')} to create, ${count('wrong')} to change, ${count('blocked')} blocked, ${count('done')} done.`;
}

function stepText(s: Step): string[] {
  const lines = [`${MARK[s.state]} ${s.state.padEnd(7)} ${s.id}: ${s.title}`];
  if (s.state === 'done') return lines;
  lines.push(`    layer:    ${s.layer}`, `    expected: ${s.expected}`, `    observed: ${s.observed}`);
  if (s.fix) lines.push(`    fix:      ${s.fix}`);
  for (const c of s.changes) {
    lines.push(`    ${c.action} ${c.target}${c.valuesFile ? ` (values: ${c.valuesFile})` : ''}`);
    for (const t of c.takesOver ?? []) lines.push(`    takes over ${t.field} from ${t.managers.join(', ')} (--force-conflicts)`);
    for (const d of c.diff) lines.push(`      ${d}`);
  }
  return lines;
}

export function renderText(plan: Plan, mode: 'plan' | 'applied'): string {
  const head = `provision ${mode === 'plan' ? 'plan' : 'after apply'}: ${plan.provider}, namespace ${plan.namespace}, release ${plan.release}, host ${plan.host}`;
  const tail = pending(plan).length && mode === 'plan' && !plan.steps.some((s) => s.state === 'blocked') ? ['Run again with --apply to make these changes.'] : [];
  return `${[head, '', ...plan.steps.flatMap(stepText), '', summaryLine(plan), ...tail].join('\n')}\n`;
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/** The manifests of what is missing or wrong, as applied; Helm's and ACM's changes as comments. */
export function renderYaml(result: PlanResult, includeSecrets: boolean): string {
  const head: string[] = [];
  if (result.helm) head.push(`# Helm owns part of this: ${result.helm.command}`, ...result.helm.values.trimEnd().split('\n').map((l) => `#   ${l}`));
  for (const s of result.plan.steps) {
    if (s.state === 'blocked') head.push(`# blocked: ${s.id}: ${s.observed} — ${s.fix ?? ''}`);
    for (const c of s.changes.filter((x) => x.action === 'acm-import')) head.push(`# ${s.id}: ${c.action} ${c.target} (not a Kubernetes object: provision --apply imports it)`);
  }
  const secretsRedacted = !includeSecrets && result.objects.some((o) => o.object.kind === 'Secret');
  if (secretsRedacted) head.push('# Secret values are redacted: add --include-secrets to print them (then keep this output out of logs and commits)');
  const docs = result.objects.map((o) => toYaml(includeSecrets ? o.object : redact(o.object)));
  // Comments lead the first document; an empty plan prints only them (a valid, empty YAML stream).
  const body = docs.map((d) => d.trimEnd()).join('\n---\n');
  return `${[head.join('\n'), body].filter((x) => x.length > 0).join('\n')}\n`;
}
