import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { guideObjectList, renderGuide, type GuideObjects } from './guide.js';
import { RenderError, type GuideParams } from './params.js';

const TLS = { certPem: 'CERT', keyPem: 'KEY' };
const AWS: GuideParams = { provider: 'aws', namespace: 'milvus', release: 'milvus-demo', host: 'milvus-demo.milvus.io', certificateArn: 'arn:aws:acm:us-east-2:123456789012:certificate/6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f' };
const GCP: GuideParams = { provider: 'gcp', namespace: 'default', release: 'my-release', host: 'my-release.milvus.io', certificate: 'secret', tls: TLS };
const GCP_MANAGED: GuideParams = { ...GCP, certificate: 'managed', tls: undefined };
const GCP_MANAGED_TLS: GuideParams = { ...GCP, certificate: 'managed' };

const kindsOf = (g: GuideObjects) => guideObjectList(g).map((o) => `${o.kind}/${o.metadata.name}`);

describe('renderGuide', () => {
  test.each<[string, GuideParams, string[]]>([
    ['AWS', AWS, ['ConfigMap/milvus-demo', 'Deployment/milvus-demo-proxy', 'Service/milvus-demo', 'Ingress/milvus-demo']],
    ['GCP, self-managed certificate', GCP, ['ConfigMap/my-release-milvus', 'Secret/my-release-milvus-tls', 'BackendConfig/my-release-backendconfig', 'Deployment/my-release-milvus-proxy', 'Service/my-release-milvus', 'Ingress/my-release-milvus']],
    ['GCP, Google-managed certificate', GCP_MANAGED, ['ConfigMap/my-release-milvus', 'ManagedCertificate/my-release-milvus-tls', 'BackendConfig/my-release-backendconfig', 'Deployment/my-release-milvus-proxy', 'Service/my-release-milvus', 'Ingress/my-release-milvus']],
    ['GCP, Google-managed with Milvus\'s own Secret', GCP_MANAGED_TLS, ['ConfigMap/my-release-milvus', 'Secret/my-release-milvus-tls', 'ManagedCertificate/my-release-milvus-tls', 'BackendConfig/my-release-backendconfig', 'Deployment/my-release-milvus-proxy', 'Service/my-release-milvus', 'Ingress/my-release-milvus']],
  ])('%s: every object, in apply order, all in the namespace', (_what, p, expected) => {
    const g = renderGuide(p);
    expect(kindsOf(g)).toEqual(expected);
    for (const o of guideObjectList(g)) expect(o.metadata.namespace).toBe(p.namespace);
  });

  test('objects are fresh: changing one render leaves the next alone', () => {
    const first = renderGuide(GCP);
    first.service.metadata.annotations = {};
    expect(Object.keys(renderGuide(GCP).service.metadata.annotations ?? {})).toContain('cloud.google.com/neg');
  });

  test('invalid parameters are refused before anything is rendered', () => {
    expect(() => renderGuide({ ...AWS, certificateArn: 'nope' })).toThrow(RenderError);
  });

  test('product code: nothing under src/render imports the lab', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      expect(readFileSync(`${dir}/${f}`, 'utf8'), f).not.toMatch(/from '\.\.\/lab\//);
    }
  });
});
