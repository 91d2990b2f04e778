import { describe, expect, test } from 'vitest';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';

const PROXY = { 'app.kubernetes.io/name': 'milvus', 'app.kubernetes.io/instance': 'milvus-demo', component: 'proxy' };

describe('labelSelector', () => {
  test.each([
    ['component=proxy', true],
    ['component==proxy', true],
    ['component!=proxy', false],
    ['component=querynode', false],
    ['app.kubernetes.io/instance=milvus-demo,component=proxy', true],
    ['component in (proxy, querynode)', true],
    ['component notin (proxy)', false],
    ['component in (datanode),app.kubernetes.io/name=milvus', false],
    ['component', true],
    ['!component', false],
    ['!missing', true],
    ['missing!=x', true],
    ['missing in (x)', false],
    ['missing notin (x)', true],
    ['', true],
  ])('%s → %s', (sel, expected) => {
    expect(parseLabelSelector(sel)(PROXY)).toBe(expected);
  });

  test('objects without labels match only negative requirements', () => {
    expect(parseLabelSelector('component=proxy')(undefined)).toBe(false);
    expect(parseLabelSelector('!component')(undefined)).toBe(true);
  });

  test.each(['component=pro xy', '=proxy', 'comp@nent=proxy'])('invalid %s is a SelectorError', (sel) => {
    expect(() => parseLabelSelector(sel)).toThrow(SelectorError);
  });
});

describe('fieldSelector', () => {
  const event = { metadata: { name: 'milvus-demo.1', namespace: 'milvus' }, involvedObject: { kind: 'Ingress', name: 'milvus-demo' }, type: 'Warning', reason: 'FailedBuildModel', source: { component: 'ingress' } };

  test.each([
    ['involvedObject.name=milvus-demo', true],
    ['involvedObject.name=milvus-demo,involvedObject.kind=Ingress', true],
    ['involvedObject.kind=Service', false],
    ['type!=Normal', true],
    ['type==Warning,reason=FailedBuildModel', true],
    ['source=ingress', true],
    ['metadata.namespace=milvus', true],
    ['involvedObject.uid=', true],
  ])('Event %s → %s', (sel, expected) => {
    expect(parseFieldSelector(sel, 'Event')(event)).toBe(expected);
  });

  test('a field the kind does not support is refused as the apiserver does', () => {
    expect(() => parseFieldSelector('spec.type=ClusterIP', 'Service')).toThrow('field label not supported: spec.type');
    expect(() => parseFieldSelector('involvedObject.name=x', 'Pod')).toThrow(SelectorError);
    expect(parseFieldSelector('metadata.name=milvus-demo', 'Service')({ metadata: { name: 'milvus-demo' } })).toBe(true);
    expect(parseFieldSelector('status.phase=Running', 'Pod')({ status: { phase: 'Running' } })).toBe(true);
  });
});
