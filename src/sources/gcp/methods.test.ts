// What the Compute worker posts back: the generated objects' `_field` keys (proto3 optional fields' synthetic
// oneofs) never leave it, so they cannot reach a fact, a snapshot or a report. The shape below is a real
// forwarding rule as @google-cloud/compute 6.15 hands it over (its keys recorded from a lab run).
import { expect, test } from 'vitest';
import { stripFields } from './methods.js';

test('the `_field` oneof keys and undefined values are dropped at every depth; int64 as a number', () => {
  const rule = {
    ports: [], sourceIpRanges: [], labels: {}, kind: 'compute#forwardingRule', _kind: 'kind', name: 'k8s2-fs-milvus', _name: 'name',
    IPAddress: '34.111.144.65', _IPAddress: 'IPAddress', portRange: '443-443', _portRange: 'portRange', description: undefined,
    metadataFilters: [{ filterLabels: [{ name: 'a', _name: 'name' }], _filterMatchCriteria: 'filterMatchCriteria' }], id: 1234567890123n,
  };
  expect(stripFields({ items: [rule] })).toEqual({
    items: [{ ports: [], sourceIpRanges: [], labels: {}, kind: 'compute#forwardingRule', name: 'k8s2-fs-milvus', IPAddress: '34.111.144.65', portRange: '443-443', metadataFilters: [{ filterLabels: [{ name: 'a' }] }], id: 1234567890123 }],
  });
});
