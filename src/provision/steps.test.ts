// Step computation against a scripted API server: what each answer of a dry-run apply makes of a step.
import { describe, expect, test } from 'vitest';
import type { K8sObject } from '../render/object.js';
import { managersIn, type ApplyAnswer, type KubeClient } from './kube.js';
import { planObject, withOwnLabel, type ObjectStepSpec } from './steps.js';

const desired: K8sObject = { apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: { name: 'bc', namespace: 'ns' }, spec: { healthCheck: { port: 9091 } } };
const withPort = (port: number, labels?: Record<string, string>): K8sObject => ({ ...desired, metadata: { ...desired.metadata, resourceVersion: '7', ...(labels ? { labels } : {}) }, spec: { healthCheck: { port } } });
const OURS = { 'app.kubernetes.io/managed-by': 'milvus-l7-doctor' };

/** Answers each dry run from a script; records what was sent. */
function scripted(answers: ((o: K8sObject, force: boolean) => ApplyAnswer)[]): KubeClient & { sent: { object: K8sObject; dryRun: boolean; force: boolean }[] } {
  const sent: { object: K8sObject; dryRun: boolean; force: boolean }[] = [];
  return {
    sent,
    get: async () => null,
    list: async () => [],
    delete: async () => undefined,
    apply: async (object, opts) => {
      sent.push({ object, ...opts });
      const next = answers.shift();
      if (!next) throw new Error('no more scripted answers');
      return next(object, opts.force);
    },
  };
}
const echo = (o: K8sObject): ApplyAnswer => ({ ok: true, object: { ...o, metadata: { ...o.metadata, resourceVersion: '7', managedFields: [] } } });
const conflict: ApplyAnswer = { ok: false, code: 409, message: 'Apply failed with 1 conflict', causes: [{ field: '.spec.healthCheck.port', message: 'conflict with "kubectl-edit" using cloud.google.com/v1', managers: ['kubectl-edit'] }] };
const invalid: ApplyAnswer = { ok: false, code: 422, message: 'invalid', causes: [{ field: 'spec.healthCheck.port', message: 'Invalid value: "string": must be integer', managers: [] }] };

const spec = (live: K8sObject | null, extra: Partial<ObjectStepSpec> = {}): ObjectStepSpec => ({
  id: 'backendconfig', title: 't', expected: 'port 9091', observe: (o) => JSON.stringify(o.spec), desired, live, helm: null, ...extra,
});

describe('planObject', () => {
  test.each<[string, K8sObject | null, ((o: K8sObject, f: boolean) => ApplyAnswer)[], boolean, Record<string, unknown>, boolean]>([
    ['missing: the whole object, labelled as provision\'s', null, [echo], false, { state: 'missing', changes: [expect.objectContaining({ action: 'apply', diff: expect.arrayContaining(['+     app.kubernetes.io/managed-by: milvus-l7-doctor']) })] }, true],
    ['done: the answer is the live object', withPort(9091, OURS), [echo], false, { state: 'done', changes: [], fix: null }, false],
    ['wrong: the diff from the live object', withPort(8080, OURS), [echo], false, { state: 'wrong', observed: '{"healthCheck":{"port":8080}}', changes: [expect.objectContaining({ diff: expect.arrayContaining(['-     port: 8080', '+     port: 9091']) })] }, true],
    ['a conflict blocks, naming field and manager', withPort(8080), [() => conflict], false, { state: 'blocked', observed: expect.stringContaining('.spec.healthCheck.port (owned by "kubectl-edit")'), fix: expect.stringContaining('--force-conflicts') }, false],
    ['--force-conflicts: wrong, and says what it takes over', withPort(8080), [() => conflict, echo], true, { state: 'wrong', changes: [expect.objectContaining({ takesOver: [{ field: '.spec.healthCheck.port', managers: ['kubectl-edit'] }] })] }, true],
    ['a 422 blocks naming the field', null, [() => invalid], false, { state: 'blocked', observed: expect.stringContaining('spec.healthCheck.port: Invalid value') }, false],
  ])('%s', async (_what, live, answers, force, expected, applies) => {
    const kube = scripted(answers);
    const planned = await planObject(kube, spec(live), force);
    expect(planned.step).toMatchObject(expected);
    expect(planned.apply !== null).toBe(applies);
    expect(kube.sent.every((s) => s.dryRun)).toBe(true);
  });

  test('Helm\'s object: judged with force (Helm owns its fields), changed only through the helm command', async () => {
    const kube = scripted([echo]);
    const helm = { command: 'helm upgrade r milvus/milvus -n ns --reuse-values -f v.yaml', valuesFile: 'v.yaml' };
    const planned = await planObject(kube, spec(withPort(8080, { 'app.kubernetes.io/managed-by': 'Helm' }), { helm }), false);
    expect(kube.sent[0]).toMatchObject({ force: true });
    expect(kube.sent[0]?.object.metadata.labels).toBeUndefined();
    expect(planned).toMatchObject({ apply: null, step: { layer: 'helm', state: 'wrong', changes: [{ action: 'helm-upgrade', command: helm.command, valuesFile: 'v.yaml' }] } });
  });

  test('a spec that cannot be planned is blocked without a request', async () => {
    const kube = scripted([]);
    const planned = await planObject(kube, spec(null, { desired: null, blocked: { observed: 'Service not found', fix: 'install Milvus' } }), false);
    expect(planned.step).toMatchObject({ state: 'blocked', observed: 'Service not found', fix: 'install Milvus' });
    expect(kube.sent).toEqual([]);
  });
});

describe('withOwnLabel: provision labels what it creates, not what it only changes', () => {
  test.each<[string, K8sObject | null, boolean]>([
    ['created', null, true],
    ['created earlier by provision', withPort(1, OURS), true],
    ['someone else\'s', withPort(1, { 'app.kubernetes.io/managed-by': 'Helm' }), false],
    ['unlabelled', withPort(1), false],
  ])('%s', (_what, live, labelled) => {
    expect(withOwnLabel(desired, live).metadata.labels?.['app.kubernetes.io/managed-by'] === 'milvus-l7-doctor').toBe(labelled);
  });
});

test.each([
  ['conflict with "helm" using v1', ['helm']],
  ['conflicts with "a" and "b"', ['a', 'b']],
  ['no manager named', []],
])('managersIn(%s)', (message, managers) => expect(managersIn(message)).toEqual(managers));

describe('planObject while a controller writes the same object', () => {
  // The live object as provision applied it, then as the controller left it a moment later (its finalizer).
  const applied = withPort(9091, OURS);
  const reconciled: K8sObject = { ...applied, metadata: { ...applied.metadata, resourceVersion: '8', finalizers: ['networking.gke.io/ingress-finalizer-V2'] } };
  const fromStore = (stored: K8sObject) => (o: K8sObject): ApplyAnswer => ({ ok: true, object: { ...o, metadata: { ...o.metadata, resourceVersion: stored.metadata.resourceVersion, finalizers: stored.metadata.finalizers } } });

  test('the object moved between the read and the dry run: compared as it is now, done', async () => {
    const kube = { ...scripted([fromStore(reconciled), fromStore(reconciled)]), get: async () => reconciled };
    const planned = await planObject(kube, spec(applied), false);
    expect(planned.step).toMatchObject({ state: 'done', changes: [] });
    expect(planned.apply).toBeNull();
  });

  test('the control: the object did not move, so the difference is real and shown', async () => {
    const kube = { ...scripted([fromStore(reconciled)]), get: async () => applied };
    const planned = await planObject(kube, spec(applied), false);
    expect(planned.step).toMatchObject({ state: 'wrong' });
    expect(kube.sent).toHaveLength(1);
  });
});
