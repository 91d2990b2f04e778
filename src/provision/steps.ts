// One step per Kubernetes object of a guide: what the step wants (a partial object, applied with
// server-side apply as fieldManager milvus-l7-doctor) against what the server says it would make of it.
// done iff a dry-run apply answers with the live object (bookkeeping aside): the server, not this code,
// decides defaults, merges and validation, so a second plan after an apply is empty.
import type { K8sObject } from '../render/object.js';
import { objectDiff, sameObject } from './diff.js';
import { FIELD_MANAGER, MANAGED_BY, describeRef, refOf, type ApplyAnswer, type Cause, type KubeClient } from './kube.js';
import type { Change, Step } from './types.js';

export const HELM_MANAGED = 'Helm';

export function isHelmOwned(live: K8sObject | null): boolean {
  return live?.metadata.labels?.[MANAGED_BY] === HELM_MANAGED;
}

/** What provision created carries its label; what it only changes does not (remove deletes by the label). */
export function withOwnLabel(desired: K8sObject, live: K8sObject | null): K8sObject {
  const ours = live === null || live.metadata.labels?.[MANAGED_BY] === FIELD_MANAGER;
  if (!ours) return desired;
  return { ...desired, metadata: { ...desired.metadata, labels: { ...desired.metadata.labels, [MANAGED_BY]: FIELD_MANAGER } } };
}

export interface ObjectStepSpec {
  readonly id: string;
  readonly title: string;
  /** The guide's value, in a few words: "type ClusterIP". */
  readonly expected: string;
  /** The live object in the same words. */
  readonly observe: (live: K8sObject) => string;
  /** The partial object to apply; null when the step cannot be planned (then `blocked` says why). */
  readonly desired: K8sObject | null;
  readonly live: K8sObject | null;
  /** Helm owns the object: the change goes through `helm upgrade`, never a direct write. */
  readonly helm: { readonly command: string; readonly valuesFile: string } | null;
  /** Why the step cannot be done at all (the object it changes is not there…), with the fix. */
  readonly blocked?: { readonly observed: string; readonly fix: string };
}

/** A step plus what apply would send: the object, or nothing when done, blocked or Helm's. */
export interface PlannedObject {
  readonly step: Step;
  readonly apply: K8sObject | null;
}

function fieldsOf(causes: readonly Cause[]): string {
  return causes.map((c) => c.field || c.message).join(', ') || 'unknown field';
}

/** `.spec.rules (owned by "other-controller")`, one per contested field. */
export function describeConflicts(causes: readonly Cause[]): string {
  return causes.map((c) => `${c.field || '?'} (owned by ${c.managers.map((m) => `"${m}"`).join(', ') || 'another manager'})`).join(', ');
}

function refusal(spec: ObjectStepSpec, answer: Extract<ApplyAnswer, { ok: false }>, desired: K8sObject): Step {
  const target = describeRef(refOf(desired));
  const base = { id: spec.id, title: spec.title, layer: 'k8s' as const, state: 'blocked' as const, expected: spec.expected, changes: [] };
  if (answer.code === 409) {
    return {
      ...base,
      observed: `${target}: ${describeConflicts(answer.causes)} has another value`,
      fix: `re-run with --force-conflicts to take over ${fieldsOf(answer.causes)} (fieldManager ${FIELD_MANAGER}), or change it through ${[...new Set(answer.causes.flatMap((c) => c.managers))].join(', ') || 'its manager'}`,
    };
  }
  if (answer.code === 404) return { ...base, observed: `${target}: ${answer.message}`, fix: `create namespace ${desired.metadata.namespace} first (kubectl create namespace ${desired.metadata.namespace}), or pass -n` };
  return {
    ...base,
    observed: `${target}: the API server refused it: ${answer.causes.length ? answer.causes.map((c) => `${c.field}: ${c.message}`).join('; ') : answer.message}`,
    fix: `the server refused ${fieldsOf(answer.causes)}: check the flags that set it (a CRD may also be missing or older than the guide's)`,
  };
}

/** How often a live object that a controller keeps changing is read again before the plan says it differs. */
const LIVE_REREADS = 3;

/** Plans one object: read it, dry-run the apply, compare. `force` is --force-conflicts. */
export async function planObject(kube: KubeClient, spec: ObjectStepSpec, force: boolean): Promise<PlannedObject> {
  const base = { id: spec.id, title: spec.title, layer: 'k8s' as const, expected: spec.expected };
  if (spec.blocked || spec.desired === null) {
    return { step: { ...base, state: 'blocked', observed: spec.blocked?.observed ?? 'cannot be planned', fix: spec.blocked?.fix ?? null, changes: [] }, apply: null };
  }
  const desired = spec.helm ? spec.desired : withOwnLabel(spec.desired, spec.live);
  const target = describeRef(refOf(desired));
  // Helm's objects are only judged here (helm writes them): its field ownership is no conflict of ours.
  let answer = await kube.apply(desired, { dryRun: true, force: spec.helm !== null });
  let takesOver: Change['takesOver'];
  if (!answer.ok && answer.code === 409 && force) {
    takesOver = answer.causes.map((c) => ({ field: c.field, managers: c.managers }));
    answer = await kube.apply(desired, { dryRun: true, force: true });
  }
  if (!answer.ok) return { step: refusal(spec, answer, desired), apply: null };
  // Controllers write the same objects (the ALB controller's finalizer, ingress-gce's annotations): when the
  // live object moved between the read and the dry run, compare the dry run with the object as it is now.
  let live = spec.live;
  for (let round = 0; live && !sameObject(live, answer.object) && round < LIVE_REREADS; round++) {
    const now = await kube.get(refOf(desired));
    if (!now || now.metadata.resourceVersion === live.metadata.resourceVersion) break;
    live = now;
    const again = await kube.apply(desired, { dryRun: true, force: spec.helm !== null || takesOver !== undefined });
    if (!again.ok) return { step: refusal(spec, again, desired), apply: null };
    answer = again;
  }
  if (live && sameObject(live, answer.object)) {
    return { step: { ...base, state: 'done', observed: spec.observe(live), fix: null, changes: [] }, apply: null };
  }
  const diff = objectDiff(live, live ? answer.object : desired);
  if (spec.helm) {
    const change: Change = { action: 'helm-upgrade', target, diff, command: spec.helm.command, valuesFile: spec.helm.valuesFile };
    return {
      step: { ...base, layer: 'helm', state: live ? 'wrong' : 'missing', observed: live ? spec.observe(live) : 'not found', fix: `${spec.helm.command}   (Helm owns ${target}; run with --apply --helm to let provision run it)`, changes: [change] },
      apply: null,
    };
  }
  const change: Change = { action: 'apply', target, diff, ...(takesOver ? { takesOver } : {}) };
  return {
    step: {
      ...base,
      state: live ? 'wrong' : 'missing',
      observed: live ? spec.observe(live) : `${target} not found`,
      fix: `milvus-l7-doctor provision … --apply${takesOver ? ' --force-conflicts' : ''}   (server-side apply of ${target})`,
      changes: [change],
    },
    apply: desired,
  };
}
