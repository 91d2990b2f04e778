// docs/checks.md is generated from the catalogue; a stale copy would send users to the wrong advice.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../src/catalog.js';
import { renderChecksMarkdown } from '../src/cli/explain.js';
import { AREAS } from '../src/model.js';
import { renderClusterRoleYaml, renderGcpRole, renderIamPolicy, renderRoleYaml } from '../src/sources/permissions.js';
import { renderProvisionPolicy, renderProvisionRoleYaml } from '../src/provision/permissions.js';

describe('catalogue', () => {
  test('docs/checks.md is current (npm run docs)', () => {
    expect(readFileSync(new URL('../docs/checks.md', import.meta.url), 'utf8')).toBe(renderChecksMarkdown());
  });

  test('fixtures/rbac is the RBAC the sources declare (npm run docs)', () => {
    expect(readFileSync(new URL('../fixtures/rbac/doctor-role.yaml', import.meta.url), 'utf8')).toBe(renderRoleYaml());
    expect(readFileSync(new URL('../fixtures/rbac/doctor-clusterrole.yaml', import.meta.url), 'utf8')).toBe(renderClusterRoleYaml());
  });

  test('fixtures/iam and fixtures/gcp are the cloud permissions the sources declare (npm run docs)', () => {
    expect(readFileSync(new URL('../fixtures/iam/doctor-policy.json', import.meta.url), 'utf8')).toBe(renderIamPolicy());
    expect(readFileSync(new URL('../fixtures/gcp/doctor-role.yaml', import.meta.url), 'utf8')).toBe(renderGcpRole());
  });

  test('provision\'s write permissions are the table it declares (npm run docs)', () => {
    expect(readFileSync(new URL('../fixtures/rbac/provision-role.yaml', import.meta.url), 'utf8')).toBe(renderProvisionRoleYaml());
    expect(readFileSync(new URL('../fixtures/iam/provision-policy.json', import.meta.url), 'utf8')).toBe(renderProvisionPolicy());
  });

  test('ids are unique, dotted, and start with their area', () => {
    const ids = CATALOG.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CATALOG) {
      expect(c.id).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/);
      expect(AREAS).toContain(c.area);
      expect(c.id.split('.')[0]).toBe(c.area);
      expect(c.hint.length, c.id).toBeGreaterThan(10);
      expect(c.why.length, c.id).toBeGreaterThan(20);
    }
  });
});
