// Regenerates what is derived from the catalogue and the source registry (run `npm run build` first):
// docs/checks.md and the least-privilege fixtures (Kubernetes RBAC, the AWS IAM policy, the GCP role).
import { writeFileSync } from 'node:fs';
import { renderChecksMarkdown } from '../dist/src/cli/explain.js';
import { renderClusterRoleYaml, renderGcpRole, renderIamPolicy, renderRoleYaml } from '../dist/src/sources/permissions.js';
import { renderProvisionPolicy, renderProvisionRoleYaml } from '../dist/src/provision/permissions.js';

const out = (path, text) => writeFileSync(new URL(`../${path}`, import.meta.url), text);
out('docs/checks.md', renderChecksMarkdown());
out('fixtures/rbac/doctor-role.yaml', renderRoleYaml());
out('fixtures/rbac/doctor-clusterrole.yaml', renderClusterRoleYaml());
out('fixtures/iam/doctor-policy.json', renderIamPolicy());
out('fixtures/gcp/doctor-role.yaml', renderGcpRole());
out('fixtures/rbac/provision-role.yaml', renderProvisionRoleYaml());
out('fixtures/iam/provision-policy.json', renderProvisionPolicy());
