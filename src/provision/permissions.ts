// What provision writes, declared once: the Kubernetes resources with their verbs, and the ACM IAM
// actions. fixtures/rbac/provision-role.yaml and fixtures/iam/provision-policy.json are generated from
// this table (npm run docs), and tests replay provision's requests against both.
import { ACM_ACTIONS } from './acm.js';

export interface ProvisionRule {
  readonly apiGroup: string;
  readonly resource: string;
  readonly verbs: readonly string[];
  readonly why: string;
}

// Server-side apply is a PATCH; one that makes a new object is also authorised as create. A dry run
// needs the same verbs as the write. delete and list: --remove (only what provision created).
const OWNED = ['get', 'list', 'create', 'patch', 'delete'] as const;

export const PROVISION_RULES: readonly ProvisionRule[] = [
  { apiGroup: '', resource: 'services', verbs: ['get', 'list', 'patch', 'delete'], why: 'the Milvus Service: type ClusterIP, the GKE annotations (never created: Milvus makes it)' },
  { apiGroup: '', resource: 'configmaps', verbs: OWNED, why: 'user.yaml: tlsMode 1 (GCP)' },
  { apiGroup: '', resource: 'secrets', verbs: OWNED, why: 'the TLS Secret (GCP, self-managed certificate)' },
  { apiGroup: 'networking.k8s.io', resource: 'ingresses', verbs: OWNED, why: 'the Ingress of either guide' },
  { apiGroup: 'cloud.google.com', resource: 'backendconfigs', verbs: OWNED, why: 'the BackendConfig health check (GCP)' },
  { apiGroup: 'networking.gke.io', resource: 'managedcertificates', verbs: OWNED, why: 'the ManagedCertificate (GCP, --cert managed)' },
];

/** Whether the table allows one request (a replay of what a run did). */
export function provisionAllows(apiGroup: string, resource: string, verb: string): boolean {
  return PROVISION_RULES.some((r) => r.apiGroup === apiGroup && r.resource === resource && r.verbs.includes(verb));
}

export function provisionIamActions(): string[] {
  return [...new Set(Object.values(ACM_ACTIONS))].sort();
}

/** fixtures/rbac/provision-role.yaml: a ServiceAccount, the namespaced Role provision needs, its binding. */
export function renderProvisionRoleYaml(namespace = 'milvus'): string {
  const rules = PROVISION_RULES.map((r) => `  # ${r.why}\n  - apiGroups: [${r.apiGroup === '' ? '""' : r.apiGroup}]\n    resources: [${r.resource}]\n    verbs: [${r.verbs.join(', ')}]\n`).join('');
  return `# What milvus-l7-doctor provision writes (server-side apply, fieldManager milvus-l7-doctor), and nothing
# else. Apply in the Milvus namespace; the read-only doctor-role.yaml is separate:
#   kubectl -n ${namespace} apply -f fixtures/rbac/provision-role.yaml
# Generated from src/provision/permissions.ts (npm run docs); a test runs provision --apply bound to it.
apiVersion: v1
kind: ServiceAccount
metadata:
  name: milvus-l7-doctor-provision
  namespace: ${namespace}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: milvus-l7-doctor-provision
  namespace: ${namespace}
rules:
${rules}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: milvus-l7-doctor-provision
  namespace: ${namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: milvus-l7-doctor-provision
subjects:
  - kind: ServiceAccount
    name: milvus-l7-doctor-provision
    namespace: ${namespace}
`;
}

/** fixtures/iam/provision-policy.json: the ACM actions of provision (import, reuse, remove). */
export function renderProvisionPolicy(): string {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'MilvusL7DoctorProvisionAcm', Effect: 'Allow', Action: provisionIamActions(), Resource: '*' }],
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}
