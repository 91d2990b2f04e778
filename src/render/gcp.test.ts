import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { gcpServiceAnnotations, renderBackendConfig, renderGkeIngress, renderManagedCertificate, renderTlsSecret, tlsCertificateChain } from './gcp.js';
import type { GcpParams } from './params.js';

const TLS = { certPem: '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n', chainPem: '-----BEGIN CERTIFICATE-----\nINTER\n-----END CERTIFICATE-----', keyPem: 'KEY\n' };
const GUIDE: GcpParams = { provider: 'gcp', namespace: 'default', release: 'my-release', host: 'my-release.milvus.io', certificate: 'secret', tls: TLS };

const RULES = `
  rules:
  - host: my-release.milvus.io
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: my-release-milvus
            port:
              number: 19530
`;

describe('the Service annotations (kubectl annotate in seeds/002)', () => {
  test('app-protocols by port name, the BackendConfig by name, NEG on', () => {
    const a = gcpServiceAnnotations(GUIDE);
    expect(Object.keys(a).sort()).toEqual(['cloud.google.com/app-protocols', 'cloud.google.com/backend-config', 'cloud.google.com/neg']);
    expect(JSON.parse(a['cloud.google.com/app-protocols'])).toEqual({ milvus: 'HTTP2' });
    expect(JSON.parse(a['cloud.google.com/backend-config'])).toEqual({ default: 'my-release-backendconfig' });
    expect(JSON.parse(a['cloud.google.com/neg'])).toEqual({ ingress: true });
  });
});

describe('renderBackendConfig', () => {
  test.each<[string, Partial<GcpParams>, Record<string, unknown>]>([
    ['the guide\'s check, in the Service namespace, with a longer timeout', {}, { timeoutSec: 600, healthCheck: { type: 'HTTP', port: 9091, requestPath: '/healthz', checkIntervalSec: 15, timeoutSec: 5, healthyThreshold: 1, unhealthyThreshold: 2 } }],
    ['timings overridden one by one', { backendTimeoutSec: 3600, healthCheck: { checkIntervalSec: 10 } }, { timeoutSec: 3600, healthCheck: expect.objectContaining({ checkIntervalSec: 10, timeoutSec: 5 }) }],
  ])('%s', (_what, change, spec) => {
    const bc = renderBackendConfig({ ...GUIDE, ...change });
    expect(bc).toMatchObject({ apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', metadata: { name: 'my-release-backendconfig', namespace: 'default' } });
    expect(bc.spec).toEqual(spec);
  });
});

describe('the certificate', () => {
  test.each([
    ['leaf and chain', TLS, `${TLS.certPem}${TLS.chainPem}\n`],
    ['leaf only', { certPem: TLS.certPem, keyPem: TLS.keyPem }, TLS.certPem],
  ])('TLS Secret: %s', (_what, tls, crt) => {
    expect(tlsCertificateChain(tls)).toBe(crt);
    const s = renderTlsSecret(GUIDE, tls);
    expect(s).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'my-release-milvus-tls', namespace: 'default' } });
    expect(s.data).toEqual({ 'tls.crt': Buffer.from(crt).toString('base64'), 'tls.key': Buffer.from(TLS.keyPem).toString('base64') });
  });

  test('TLS Secret with a private CA: ca.crt beside the pair, as cert-manager stores it', () => {
    const s = renderTlsSecret(GUIDE, { ...TLS, caPem: 'CA\n' });
    expect(Object.keys(s.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(s.data).toMatchObject({ 'ca.crt': Buffer.from('CA\n').toString('base64') });
  });

  test('ManagedCertificate: seeds/002\'s, placed in the Ingress namespace', () => {
    expect(renderManagedCertificate(GUIDE)).toEqual({
      ...parse('apiVersion: networking.gke.io/v1\nkind: ManagedCertificate\nmetadata:\n  name: my-release-milvus-tls\nspec:\n  domains:\n    - my-release.milvus.io\n'),
      metadata: { name: 'my-release-milvus-tls', namespace: 'default' },
    });
  });
});

describe('renderGkeIngress', () => {
  // seeds/002's two Ingresses, plus the class by annotation and port 80 closed.
  const selfManaged = parse(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: my-release-milvus
  namespace: default
  annotations:
    kubernetes.io/ingress.class: gce
    kubernetes.io/ingress.allow-http: "false"
spec:
  tls:
  - hosts:
    - my-release.milvus.io
    secretName: my-release-milvus-tls
${RULES}`);
  const googleManaged = parse(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: my-release-milvus
  namespace: default
  annotations:
    kubernetes.io/ingress.class: gce
    kubernetes.io/ingress.allow-http: "false"
    networking.gke.io/managed-certificates: "my-release-milvus-tls"
spec:
${RULES}`);
  test.each([
    ['secret', selfManaged],
    ['managed', googleManaged],
  ] as const)('certificate %s', (certificate, expected) => {
    const ing = renderGkeIngress({ ...GUIDE, certificate });
    expect(ing).toEqual(expected);
    expect(ing.spec).not.toHaveProperty('ingressClassName');
  });

  test.each([
    [undefined, 'false'],
    [false, 'false'],
    [true, undefined],
  ] as const)('allowHttp %s: allow-http annotation %s', (allowHttp, expected) => {
    const annotations = renderGkeIngress({ ...GUIDE, allowHttp }).metadata.annotations ?? {};
    expect(annotations['kubernetes.io/ingress.allow-http']).toBe(expected);
  });
});
