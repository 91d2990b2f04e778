// Least-privilege access, derived from what the sources declare: the read-only Role and ClusterRole in
// fixtures/rbac are generated from here (npm run docs), and a test replays every request a run makes
// against these rules. Adding a source with a new read adds its rule; nothing is written twice.
import type { Permission, SourceDef } from './define.js';
import { SOURCES } from './registry.js';
import type { SourceKey } from './values.js';

type RbacPermission = Extract<Permission, { kind: 'rbac' }>;

export interface RbacRule {
  readonly apiGroup: string;
  readonly resource: string;
  readonly verbs: readonly string[];
  /** The sources that use it (the labels), for the fixture's comments. */
  readonly why: readonly string[];
}

const VERB_ORDER = ['get', 'list', 'create'];

function rbacOf(def: SourceDef): RbacPermission[] {
  return (def.permission ?? []).filter((p): p is RbacPermission => p.kind === 'rbac');
}

/** The rules of one scope, merged per (group, resource), in registry order. */
export function rbacRules(scope: 'namespace' | 'cluster'): RbacRule[] {
  const rules = new Map<string, { apiGroup: string; resource: string; verbs: Set<string>; why: string[] }>();
  for (const key of Object.keys(SOURCES) as SourceKey[]) {
    const def = SOURCES[key] as SourceDef;
    for (const p of rbacOf(def).filter((x) => x.scope === scope)) {
      const id = `${p.group}/${p.resource}`;
      const rule = rules.get(id) ?? { apiGroup: p.group, resource: p.resource, verbs: new Set<string>(), why: [] };
      rule.verbs.add(p.verb);
      if (!rule.why.includes(def.label)) rule.why.push(def.label);
      rules.set(id, rule);
    }
  }
  return [...rules.values()].map((r) => ({ ...r, verbs: [...r.verbs].sort((a, b) => VERB_ORDER.indexOf(a) - VERB_ORDER.indexOf(b)) }));
}

/** Whether the derived rules allow one request (a replay of what a run did). */
export function rbacAllows(apiGroup: string, resource: string, verb: string): boolean {
  return (['namespace', 'cluster'] as const).some((scope) => rbacRules(scope).some((r) => r.apiGroup === apiGroup && r.resource === resource && r.verbs.includes(verb)));
}

function rulesYaml(rules: readonly RbacRule[]): string {
  return rules
    .map((r) => `  # ${r.why.join('; ')}\n  - apiGroups: [${r.apiGroup === '' ? '""' : r.apiGroup}]\n    resources: [${r.resource}]\n    verbs: [${r.verbs.join(', ')}]\n`)
    .join('');
}

/** The binding of the doctor's ServiceAccount to its Role or ClusterRole. */
function binding(kind: 'Role' | 'ClusterRole', namespace: string): string {
  return `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}Binding
metadata:
  name: milvus-l7-doctor${kind === 'Role' ? `\n  namespace: ${namespace}` : ''}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ${kind}
  name: milvus-l7-doctor
subjects:
  - kind: ServiceAccount
    name: milvus-l7-doctor
    namespace: ${namespace}
`;
}

/** fixtures/rbac/doctor-role.yaml: the ServiceAccount, the namespaced Role and its binding. */
export function renderRoleYaml(namespace = 'milvus'): string {
  return `# Least-privilege access for milvus-l7-doctor (read-only). Apply in the Milvus namespace:
#   kubectl -n ${namespace} apply -f fixtures/rbac/doctor-role.yaml
# Generated from the sources' declared permissions (src/sources/permissions.ts; npm run docs). A missing
# rule turns only the checks that need it into \`error\` naming the verb and resource, never pass or fail.
# The Secret read parses the Ingress's TLS Secret in memory and keeps only certificate facts; narrow it
# with resourceNames: [<secret>], or drop it when the certificate is in ACM or Google-managed.
apiVersion: v1
kind: ServiceAccount
metadata:
  name: milvus-l7-doctor
  namespace: ${namespace}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: milvus-l7-doctor
  namespace: ${namespace}
rules:
${rulesYaml(rbacRules('namespace'))}${binding('Role', namespace)}`;
}

/** fixtures/rbac/doctor-clusterrole.yaml: the cluster-scoped reads. */
export function renderClusterRoleYaml(namespace = 'milvus'): string {
  return `# The cluster-scoped reads of milvus-l7-doctor. Generated (src/sources/permissions.ts; npm run docs).
#   kubectl apply -f fixtures/rbac/doctor-clusterrole.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: milvus-l7-doctor
rules:
${rulesYaml(rbacRules('cluster'))}${binding('ClusterRole', namespace)}`;
}

type IamPermission = Extract<Permission, { kind: 'iam' }>;
type GcpPermission = Extract<Permission, { kind: 'gcp' }>;

function declared<P extends Permission>(kind: P['kind']): { permission: P; label: string }[] {
  return (Object.keys(SOURCES) as SourceKey[]).flatMap((k) => {
    const def = SOURCES[k] as SourceDef;
    return (def.permission ?? []).filter((p): p is P => p.kind === kind).map((permission) => ({ permission, label: def.label }));
  });
}

/** The IAM actions the AWS sources declare, sorted and unique. */
export function iamActions(): string[] {
  return [...new Set(declared<IamPermission>('iam').map((d) => d.permission.action))].sort();
}

/** The GCP permissions the Compute sources declare, sorted and unique. */
export function gcpPermissions(): string[] {
  return [...new Set(declared<GcpPermission>('gcp').map((d) => d.permission.permission))].sort();
}

/** fixtures/iam/doctor-policy.json: the least-privilege, read-only IAM policy. */
export function renderIamPolicy(): string {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'MilvusL7DoctorReadOnly', Effect: 'Allow', Action: iamActions(), Resource: '*' }],
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}

/** fixtures/gcp/doctor-role.yaml: a custom role with exactly the permissions the sources declare. */
export function renderGcpRole(): string {
  const permissions = gcpPermissions();
  return `# A custom role for milvus-l7-doctor (read-only). Generated (src/sources/permissions.ts; npm run docs).
#   gcloud iam roles create milvusL7Doctor --project <project> --file fixtures/gcp/doctor-role.yaml
title: milvus-l7-doctor
description: Read-only access to the load balancer resources ingress-gce creates for a Milvus Ingress
stage: GA
includedPermissions:${permissions.length === 0 ? ' []' : ''}
${permissions.map((p) => `  - ${p}`).join('\n')}${permissions.length ? '\n' : ''}`;
}
