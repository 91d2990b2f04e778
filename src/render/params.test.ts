import { describe, expect, test } from 'vitest';
import { guideNames, milvusFullname, RenderError, validateParams, type GuideParams } from './params.js';

const TLS = { certPem: 'CERT', keyPem: 'KEY' };
const AWS: GuideParams = { provider: 'aws', namespace: 'milvus', release: 'milvus-demo', host: 'milvus-demo.milvus.io', certificateArn: 'arn:aws:acm:us-east-2:123456789012:certificate/6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f' };
const GCP: GuideParams = { provider: 'gcp', namespace: 'default', release: 'my-release', host: 'my-release.milvus.io', certificate: 'secret', tls: TLS };

describe('milvusFullname (milvus-helm)', () => {
  test.each([
    ['milvus-demo', 'milvus-demo'],
    ['my-release', 'my-release-milvus'],
    ['milvus', 'milvus'],
    [`a${'b'.repeat(56)}`, `a${'b'.repeat(56)}-milvus`.slice(0, 63)],
    [`${'x'.repeat(62)}-`, 'x'.repeat(62)],
  ])('%s → %s', (release, full) => expect(milvusFullname(release)).toBe(full));
});

describe('guideNames', () => {
  test.each([
    // The names the two guides use for their own examples.
    ['seeds/000', 'milvus-demo', {}, { service: 'milvus-demo', ingress: 'milvus-demo', backendConfig: 'milvus-demo-backendconfig', tlsSecret: 'milvus-demo-tls' }],
    ['seeds/002', 'my-release', {}, { service: 'my-release-milvus', ingress: 'my-release-milvus', backendConfig: 'my-release-backendconfig', tlsSecret: 'my-release-milvus-tls', managedCertificate: 'my-release-milvus-tls' }],
    ['service overridden', 'my-release', { service: 'front' }, { service: 'front', ingress: 'front', configMap: 'front', deployment: 'front-proxy', tlsSecret: 'front-tls' }],
    ['one name overridden', 'my-release', { ingress: 'public' }, { service: 'my-release-milvus', ingress: 'public' }],
  ])('%s', (_what, release, names, expected) => {
    expect(guideNames({ release, names })).toMatchObject(expected);
  });
});

describe('validateParams', () => {
  test.each<[string, GuideParams]>([
    ['the AWS guide', AWS],
    ['the GCP guide, self-managed', GCP],
    ['the GCP guide, Google-managed, no Secret', { ...GCP, certificate: 'managed', tls: undefined }],
  ])('accepts %s', (_what, p) => expect(() => validateParams(p)).not.toThrow());

  test.each<[string, GuideParams, RegExp]>([
    ['an upper-case namespace', { ...AWS, namespace: 'Milvus' }, /^namespace /],
    ['a release too long for Helm', { ...AWS, release: 'r'.repeat(54) }, /^release /],
    ['an address for host', { ...AWS, host: '34.111.144.65:443' }, /^host /],
    ['a host with a scheme', { ...GCP, host: 'https://my-release.milvus.io' }, /^host /],
    ['a bad name override', { ...GCP, names: { backendConfig: 'Bad_Name' } }, /^names\.backendConfig /],
    ['a certificate id for an ARN', { ...AWS, certificateArn: '6f1e2d3c-4b5a-4c7d-8e9f-0a1b2c3d4e5f' }, /^certificateArn /],
    ['an ELB ARN for the certificate', { ...AWS, certificateArn: 'arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/x/1' }, /^certificateArn /],
    ['a Secret without TLS material', { ...GCP, tls: undefined }, /needs tls/],
  ])('refuses %s', (_what, p, message) => {
    let error: unknown;
    try {
      validateParams(p);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RenderError);
    expect(error).toMatchObject({ code: 'RENDER_INVALID', message: expect.stringMatching(message) });
  });
});
