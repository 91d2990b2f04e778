import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { milvusHelmValues, milvusUserConfig, milvusUserYaml, renderMilvusConfigMap, renderMilvusService, renderProxyDeployment } from './milvus.js';
import type { GuideParams, MilvusSettings } from './params.js';

const AWS: GuideParams = { provider: 'aws', namespace: 'milvus', release: 'milvus-demo', host: 'milvus-demo.milvus.io', certificateArn: 'arn:aws:acm:us-east-2:123456789012:certificate/6f1e2d3c' };
const GCP: GuideParams = { provider: 'gcp', namespace: 'default', release: 'my-release', host: 'my-release.milvus.io', certificate: 'managed' };
const GCP_PLAINTEXT: GuideParams = { ...GCP, milvus: { tlsMode: 0 } };
const TLS_FILES = { serverPemPath: '/milvus/tls/tls.crt', serverKeyPath: '/milvus/tls/tls.key' };

describe('user.yaml', () => {
  test.each<[string, GuideParams, MilvusSettings | undefined, unknown]>([
    ['AWS: the ALB speaks h2c, so no TLS', AWS, undefined, { common: { security: { authorizationEnabled: true } } }],
    ['GCP: tlsMode 1 (seeds/002 tls.yaml)', GCP, undefined, { common: { security: { authorizationEnabled: true, tlsMode: 1 } }, tls: TLS_FILES }],
    ['tlsMode 0 spelled out', GCP, { tlsMode: 0 }, { common: { security: { authorizationEnabled: true } } }],
    ['tlsMode 2 needs the client CA', GCP, { tlsMode: 2 }, { common: { security: { authorizationEnabled: true, tlsMode: 2 } }, tls: { ...TLS_FILES, caPemPath: '/milvus/tls/ca.crt' } }],
    ['authorization off on request', AWS, { authorizationEnabled: false }, { common: { security: { authorizationEnabled: false } } }],
  ])('%s', (_what, p, milvus, expected) => {
    const params = { ...p, ...(milvus ? { milvus } : {}) };
    expect(milvusUserConfig(params)).toEqual(expected);
    expect(parse(milvusUserYaml(params))).toEqual(expected);
  });

  test('the values file sets ClusterIP and carries user.yaml as extraConfigFiles', () => {
    const values: unknown = parse(milvusHelmValues(GCP));
    expect(values).toEqual({ service: { type: 'ClusterIP' }, extraConfigFiles: { 'user.yaml': milvusUserYaml(GCP) } });
  });

  test('the ConfigMap carries it under the chart\'s name', () => {
    expect(renderMilvusConfigMap(GCP)).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'my-release-milvus', namespace: 'default' }, data: { 'user.yaml': milvusUserYaml(GCP) } });
  });
});

describe('the Service and the proxy Deployment', () => {
  test.each([
    ['aws', AWS, {}],
    ['gcp', GCP, { 'cloud.google.com/app-protocols': '{"milvus":"HTTP2"}', 'cloud.google.com/neg': '{"ingress": true}' }],
  ] as const)('%s: ClusterIP, named ports, the proxy selector, the guide\'s annotations', (_p, params, annotations) => {
    const svc = renderMilvusService(params);
    expect(svc.spec).toEqual({
      type: 'ClusterIP',
      ports: [
        { name: 'milvus', port: 19530, protocol: 'TCP', targetPort: 'milvus' },
        { name: 'metrics', port: 9091, protocol: 'TCP', targetPort: 'metrics' },
      ],
      selector: { 'app.kubernetes.io/instance': params.release, 'app.kubernetes.io/name': 'milvus', component: 'proxy' },
    });
    expect(svc.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': params.release, ...annotations });
  });

  test.each<[string, GuideParams, boolean]>([
    ['aws: plaintext, nothing mounted', AWS, false],
    ['gcp: the TLS Secret mounted where user.yaml points', GCP, true],
    ['gcp with tlsMode 0', GCP_PLAINTEXT, false],
  ])('%s', (_what, params, mounted) => {
    const d = renderProxyDeployment(params);
    const text = JSON.stringify(d);
    expect(text.includes('"mountPath":"/milvus/tls"')).toBe(mounted);
    expect(text.includes('"secretName":"my-release-milvus-tls"')).toBe(mounted);
    expect(d).toMatchObject({ spec: { replicas: 1, selector: { matchLabels: { component: 'proxy' } }, template: { metadata: { labels: { component: 'proxy' } } } } });
  });
});
