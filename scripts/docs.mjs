// Regenerates what is derived from the catalogue and the source registry (run `npm run build` first):
// docs/checks.md and the least-privilege RBAC fixtures.
import { writeFileSync } from 'node:fs';
import { renderChecksMarkdown } from '../dist/src/cli/explain.js';
import { renderClusterRoleYaml, renderRoleYaml } from '../dist/src/sources/permissions.js';

writeFileSync(new URL('../docs/checks.md', import.meta.url), renderChecksMarkdown());
writeFileSync(new URL('../fixtures/rbac/doctor-role.yaml', import.meta.url), renderRoleYaml());
writeFileSync(new URL('../fixtures/rbac/doctor-clusterrole.yaml', import.meta.url), renderClusterRoleYaml());
