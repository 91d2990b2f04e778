// Hand-built data-path facts, one row per situation the judges must tell apart: the table of
// src/checks/datapath.test.ts, and the fact sets the needs test (src/checks/needs.test.ts) judges.
import type { ErrorCode, Outcome } from '../../src/model.js';
import type { CertInfo, DataPathFacts, Facts, GrpcHttpFact, JudgeOptions, TlsFact } from '../../src/facts/types.js';

export const NOW = '2026-11-22T00:00:00.000Z';
export const OPTIONS: JudgeOptions = { warnDays: 30, failDays: 7, maxLatencyMs: null, smoke: false, now: NOW };

const ok = <T>(value: T): Outcome<T> => ({ status: 'ok', value, ms: 1 });
const err = (code: ErrorCode, layer: 'tcp' | 'tls' | 'http2' | 'grpc' | 'milvus' | 'dns' | 'healthz' = 'tcp'): Outcome<never> => ({
  status: 'error',
  error: { code, layer, message: code.toLowerCase() },
  ms: 1,
});
const skipped = (reason: string, blockedBy?: string): Outcome<never> => ({ status: 'skipped', reason, ...(blockedBy ? { blockedBy } : {}) });

function cert(over: Partial<CertInfo> = {}): CertInfo {
  return {
    subject: 'CN=milvus.example.com',
    issuer: 'CN=Lab Intermediate',
    commonName: 'milvus.example.com',
    subjectAltNames: ['DNS:milvus.example.com'],
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-06-01T00:00:00.000Z',
    fingerprint256: 'AA',
    serialNumber: '01',
    isCA: false,
    selfSigned: false,
    pem: '',
    ...over,
  };
}

const INTERMEDIATE = cert({ subject: 'CN=Lab Intermediate', issuer: 'CN=Lab Root', commonName: 'Lab Intermediate', subjectAltNames: null, isCA: true });

function tls(over: Partial<TlsFact> = {}): TlsFact {
  return {
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    alpn: 'h2',
    sni: 'milvus.example.com',
    chain: [cert(), INTERMEDIATE],
    analysis: { inOrder: true, brokenAt: null, anchoredBy: 'CN=Lab Root', anchorSource: 'ca-file', complete: true, verifyError: null },
    handshakeMs: 3,
    ...over,
  };
}

function grpcAnswer(authority: string, over: Partial<GrpcHttpFact> = {}): GrpcHttpFact {
  return { authority, status: 200, contentType: 'application/grpc', grpcStatus: 0, grpcMessage: null, server: 'nginx', bodyBytes: 20, bodySnippet: null, ...over };
}

export function facts(dp: Partial<DataPathFacts> = {}, target: Partial<Facts['target']> = {}): Facts {
  const base: DataPathFacts = {
    dns: ok({ host: 'milvus.example.com', addresses: ['10.0.0.1'], server: null, addressResolved: ['10.0.0.1'] }),
    tcp: ok({ remoteAddress: '10.0.0.1', remotePort: 443, connectMs: 1 }),
    tls: ok(tls()),
    tlsNoSni: ok(tls()),
    http2Host: ok(grpcAnswer('milvus.example.com')),
    http2Address: ok(grpcAnswer('10.0.0.1', { status: 404, contentType: 'text/html', grpcStatus: null })),
    grpcHealth: ok({ status: 'SERVING' }),
    milvusVersion: ok({ version: 'v2.4.5', connectMs: 5 }),
    milvusHealth: ok({ isHealthy: true, reasons: [] }),
    milvusAuth: ok({ grpcCode: 0, message: '' }),
    milvusAnonymous: ok({ grpcCode: 16, message: 'missing authorization' }),
    milvusDefaultPassword: ok({ grpcCode: 16, message: 'auth failed' }),
    latency: ok({ samples: 20, failed: 0, p50: 2, p95: 4, max: 6 }),
    smoke: skipped('not requested'),
    healthz: ok({ url: 'http://10.0.0.2:9091/healthz', status: 200, body: 'OK', ready: null, total: null, unhealthyComponents: [] }),
  };
  return {
    schema: 2,
    selection: { status: 'skipped', reason: 'no cluster in this test' },
    target: { host: 'milvus.example.com', address: '10.0.0.1', port: 443, serverName: 'milvus.example.com', healthzUrl: null, caFile: 'ca.crt', credentials: 'token', provider: 'aws', dnsServer: null, ...target },
    gatheredAt: NOW,
    gatherMs: 10,
    dataPath: { ...base, ...dp },
  };
}

export type Row = { name: string; id: string; f: Facts; o?: Partial<JudgeOptions>; verdict: string; blockedBy?: string; says?: RegExp };

export const ROWS: Row[] = [
  { name: 'healthy dns', id: 'dns.resolves', f: facts(), verdict: 'pass' },
  { name: 'NXDOMAIN, no address to dial', id: 'dns.resolves', f: facts({ dns: err('DNS_NOT_FOUND', 'dns') }, { address: null }), verdict: 'fail' },
  // The guides' own verification: the LB address with server_name = host, before any DNS record.
  { name: 'NXDOMAIN with the address given', id: 'dns.resolves', f: facts({ dns: err('DNS_NOT_FOUND', 'dns') }), verdict: 'warn', says: /dial 10\.0\.0\.1.*grpc\.default_authority/ },
  { name: 'no record yet: nothing to compare', id: 'dns.address-match', f: facts({ dns: err('DNS_NOT_FOUND', 'dns') }), verdict: 'skip' },
  // A timeout is told as a timeout, with the deadline, never with another cause's hint.
  { name: 'health call timed out', id: 'grpc.health', f: facts({ grpcHealth: { status: 'error', ms: 5000, error: { code: 'GRPC_CALL_TIMEOUT', layer: 'grpc', message: 'no call within 5000 ms', detail: { phase: 'call', ms: 5000 } } } }), verdict: 'fail', says: /no answer within 5 s.*--timeout/ },
  { name: 'health call timed out while the doctor\'s own timers ran late', id: 'grpc.health', f: { ...facts({ grpcHealth: { status: 'error', ms: 5000, error: { code: 'GRPC_CALL_TIMEOUT', layer: 'grpc', message: 'no call within 5000 ms', detail: { phase: 'call', ms: 5000 } } } }), loopDelay: { p99Ms: 900, maxMs: 1400 } }, verdict: 'fail', says: /fired up to 1400 ms late: this machine was busy/ },
  { name: 'credential call timed out with a token given', id: 'milvus.credentials', f: facts({ milvusAuth: { status: 'error', ms: 5000, error: { code: 'MILVUS_DEADLINE_EXCEEDED', layer: 'milvus', message: 'Deadline exceeded' } } }), verdict: 'fail', says: /^(?!.*give a token).*timed out/ },
  { name: 'a resolver that failed blocks the authority judgement', id: 'http2.authority', f: facts({ dns: err('DNS_SERVER_FAILED', 'dns') }), verdict: 'blocked', blockedBy: 'dns.resolves' },
  { name: 'resolver timeout is could-not-run', id: 'dns.resolves', f: facts({ dns: err('DNS_TIMEOUT', 'dns') }), verdict: 'error' },
  { name: 'host elsewhere', id: 'dns.address-match', f: facts({ dns: ok({ host: 'milvus.example.com', addresses: ['10.9.9.9'], server: null, addressResolved: ['10.0.0.1'] }) }), verdict: 'warn' },
  { name: 'refused', id: 'tcp.connect', f: facts({ tcp: err('TCP_REFUSED') }), verdict: 'fail', says: /connection refused/ },
  { name: 'dropped', id: 'tcp.connect', f: facts({ tcp: err('TCP_CONNECT_TIMEOUT') }), verdict: 'fail', says: /security group/ },
  { name: 'tcp blocked by dns', id: 'tcp.connect', f: facts({ tcp: skipped('no address', 'dns.resolves') }), verdict: 'blocked', blockedBy: 'dns.resolves' },
  { name: 'interrupted by Ctrl-C: could not run, not a failure', id: 'tls.handshake', f: facts({ tls: err('PROBE_ABORTED', 'tls') }), verdict: 'error' },
  { name: 'plaintext front', id: 'tls.handshake', f: facts({ tls: err('TLS_PLAINTEXT_PEER', 'tls') }), verdict: 'fail', says: /plaintext/ },
  { name: 'tls blocked by tcp', id: 'tls.chain', f: facts({ tls: skipped('tcp failed', 'tcp.connect') }), verdict: 'blocked', blockedBy: 'tcp.connect' },
  { name: 'tls errors block the rest', id: 'tls.san', f: facts({ tls: err('TLS_HANDSHAKE_TIMEOUT', 'tls') }), verdict: 'blocked', blockedBy: 'tls.handshake' },
  { name: 'TLS 1.1', id: 'tls.protocol', f: facts({ tls: ok(tls({ protocol: 'TLSv1.1' })) }), verdict: 'fail' },
  {
    name: 'leaf only, issued by an intermediate',
    id: 'tls.chain',
    f: facts({ tls: ok(tls({ chain: [cert()], analysis: { inOrder: true, brokenAt: null, anchoredBy: null, anchorSource: null, complete: false, verifyError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' } })) }),
    verdict: 'fail',
    says: /only the leaf/,
  },
  {
    name: 'missing intermediate blocks trust',
    id: 'tls.trusted',
    f: facts({ tls: ok(tls({ chain: [cert()], analysis: { inOrder: true, brokenAt: null, anchoredBy: null, anchorSource: null, complete: false, verifyError: null } })) }),
    verdict: 'blocked',
    blockedBy: 'tls.chain',
  },
  {
    name: 'out of order',
    id: 'tls.chain',
    f: facts({ tls: ok(tls({ chain: [INTERMEDIATE, cert()], analysis: { inOrder: false, brokenAt: 0, anchoredBy: null, anchorSource: null, complete: false, verifyError: null } })) }),
    verdict: 'fail',
    says: /not issued by #1/,
  },
  {
    name: 'complete chain from an unknown root',
    id: 'tls.trusted',
    f: facts({ tls: ok(tls({ analysis: { inOrder: true, brokenAt: null, anchoredBy: null, anchorSource: null, complete: false, verifyError: null } })) }),
    verdict: 'fail',
    says: /not trusted/,
  },
  { name: 'self-signed leaf pinned by --ca', id: 'tls.chain', f: facts({ tls: ok(tls({ chain: [cert({ selfSigned: true, issuer: 'CN=milvus.example.com' })] })) }), verdict: 'pass' },
  { name: 'CN only', id: 'tls.san-present', f: facts({ tls: ok(tls({ chain: [cert({ subjectAltNames: null }), INTERMEDIATE] })) }), verdict: 'fail' },
  { name: 'CN only blocks the SAN match', id: 'tls.san', f: facts({ tls: ok(tls({ chain: [cert({ subjectAltNames: null }), INTERMEDIATE] })) }), verdict: 'blocked', blockedBy: 'tls.san-present' },
  { name: 'expired', id: 'tls.validity', f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-11-01T00:00:00.000Z' }), INTERMEDIATE] })) }), verdict: 'fail', says: /expired on/ },
  { name: 'not yet valid', id: 'tls.validity', f: facts({ tls: ok(tls({ chain: [cert({ notBefore: '2026-12-01T00:00:00.000Z' }), INTERMEDIATE] })) }), verdict: 'fail' },
  { name: 'expired blocks expiry', id: 'tls.expiry', f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-11-01T00:00:00.000Z' }), INTERMEDIATE] })) }), verdict: 'blocked', blockedBy: 'tls.validity' },
  { name: '5 days left fails', id: 'tls.expiry', f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-11-27T12:00:00.000Z' }), INTERMEDIATE] })) }), verdict: 'fail' },
  { name: '20 days left warns', id: 'tls.expiry', f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-12-12T12:00:00.000Z' }), INTERMEDIATE] })) }), verdict: 'warn' },
  { name: '20 days left passes with --warn-days 10', id: 'tls.expiry', f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-12-12T12:00:00.000Z' }), INTERMEDIATE] })) }), o: { warnDays: 10 }, verdict: 'pass' },
  { name: 'an expiring intermediate counts', id: 'tls.expiry', f: facts({ tls: ok(tls({ chain: [cert(), { ...INTERMEDIATE, notAfter: '2026-11-25T00:00:00.000Z' }] })) }), verdict: 'fail', says: /Lab Intermediate/ },
  { name: 'http/1.1 only', id: 'alpn.h2', f: facts({ tls: ok(tls({ alpn: 'http/1.1' })) }), verdict: 'fail' },
  { name: '464', id: 'http2.grpc', f: facts({ http2Host: ok(grpcAnswer('milvus.example.com', { status: 464, contentType: null, grpcStatus: null })) }), verdict: 'fail', says: /backend-protocol-version/ },
  { name: '503', id: 'http2.grpc', f: facts({ http2Host: ok(grpcAnswer('milvus.example.com', { status: 503, contentType: 'text/html', grpcStatus: null })) }), verdict: 'fail', says: /no registered or healthy targets/ },
  { name: '404 with --address and no --host: pass --host, not "fix the rule"', id: 'http2.grpc', f: facts({ http2Host: ok(grpcAnswer('10.0.0.1:443', { status: 404, contentType: 'text/html', grpcStatus: null })) }, { host: null }), verdict: 'fail', says: /^(?!.*fix spec\.rules).*pass --host/ },
  { name: 'UNAUTHENTICATED is still a gRPC answer', id: 'http2.grpc', f: facts({ http2Host: ok(grpcAnswer('milvus.example.com', { grpcStatus: 16 })) }), verdict: 'pass' },
  { name: 'host rule, DNS points at the LB', id: 'http2.authority', f: facts(), verdict: 'pass' },
  {
    name: 'host rule, DNS elsewhere: Node clients must set the authority',
    id: 'http2.authority',
    f: facts({ dns: ok({ host: 'milvus.example.com', addresses: ['10.9.9.9'], server: null, addressResolved: ['10.0.0.1'] }) }),
    verdict: 'warn',
    says: /grpc\.default_authority/,
  },
  {
    name: 'rule for the address only',
    id: 'http2.authority',
    f: facts({ http2Host: ok(grpcAnswer('milvus.example.com', { status: 404, contentType: 'text/html', grpcStatus: null })), http2Address: ok(grpcAnswer('10.0.0.1')) }),
    verdict: 'fail',
  },
  {
    name: 'neither authority: blocked by http2.grpc',
    id: 'http2.authority',
    f: facts({ http2Host: ok(grpcAnswer('milvus.example.com', { status: 404, contentType: 'text/html', grpcStatus: null })) }),
    verdict: 'blocked',
    blockedBy: 'http2.grpc',
  },
  { name: 'no grpc health service', id: 'grpc.health', f: facts({ grpcHealth: err('GRPC_HEALTH_UNIMPLEMENTED', 'grpc') }), verdict: 'warn' },
  { name: 'the SDK hides a 404 as an empty version', id: 'grpc.sdk-version', f: facts({ milvusVersion: err('MILVUS_EMPTY_VERSION', 'grpc') }), verdict: 'fail', says: /default_authority/ },
  { name: 'unhealthy', id: 'milvus.health', f: facts({ milvusHealth: ok({ isHealthy: false, reasons: ['querynode 3 down'] }) }), verdict: 'fail', says: /querynode 3 down/ },
  { name: 'no credentials for an auth server', id: 'milvus.credentials', f: facts({ milvusAuth: skipped('no credentials') }, { credentials: 'none' }), verdict: 'fail' },
  { name: 'no credentials, none needed', id: 'milvus.credentials', f: facts({ milvusAuth: skipped('no credentials'), milvusAnonymous: ok({ grpcCode: 0, message: '' }) }, { credentials: 'none' }), verdict: 'skip' },
  { name: 'wrong credentials', id: 'milvus.credentials', f: facts({ milvusAuth: ok({ grpcCode: 16, message: 'auth failed' }) }), verdict: 'fail' },
  {
    name: 'credentials withheld from an expired certificate: blocked, not refused',
    id: 'milvus.credentials',
    f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-11-01T00:00:00.000Z' }), INTERMEDIATE] })), milvusAuth: ok({ grpcCode: 14, message: 'certificate has expired' }) }),
    verdict: 'blocked',
    blockedBy: 'tls.validity',
  },
  { name: 'UNAVAILABLE with a good certificate is a failure', id: 'milvus.credentials', f: facts({ milvusAuth: ok({ grpcCode: 14, message: 'connection reset' }) }), verdict: 'fail', says: /gRPC code 14/ },
  { name: 'refused inside an OK reply counts as refused', id: 'security.authorization', f: facts({ milvusAnonymous: ok({ grpcCode: 0, message: 'user hasn\'t authenticated', accepted: false, milvusCode: 1800, milvusErrorCode: 'NotReadyServe' }) }), verdict: 'pass' },
  { name: 'an OK reply with a refusal inside: credentials refused', id: 'milvus.credentials', f: facts({ milvusAuth: ok({ grpcCode: 0, message: 'auth failed', accepted: false, milvusCode: 1800 }) }), verdict: 'fail', says: /refused in the reply status/ },
  { name: 'authorization off', id: 'security.authorization', f: facts({ milvusAnonymous: ok({ grpcCode: 0, message: '' }) }), verdict: 'warn' },
  { name: 'default password accepted', id: 'security.default-password', f: facts({ milvusDefaultPassword: ok({ grpcCode: 0, message: '' }) }), verdict: 'fail' },
  { name: 'default password moot without authorization', id: 'security.default-password', f: facts({ milvusDefaultPassword: ok({ grpcCode: 0, message: '' }), milvusAnonymous: ok({ grpcCode: 0, message: '' }) }), verdict: 'skip' },
  { name: 'smoke not requested', id: 'milvus.smoke', f: facts(), verdict: 'skip' },
  {
    name: 'smoke insert failed, collection dropped',
    id: 'milvus.smoke',
    f: facts({ smoke: ok({ collection: 'c', dropped: true, steps: [{ name: 'create', ok: true, ms: 1 }, { name: 'insert', ok: false, ms: 1, error: 'boom' }, { name: 'drop', ok: true, ms: 1 }] }) }),
    o: { smoke: true },
    verdict: 'fail',
    says: /insert: boom/,
  },
  { name: 'latency is evidence only', id: 'milvus.latency', f: facts(), verdict: 'pass' },
  { name: 'latency over --max-latency', id: 'milvus.latency', f: facts(), o: { maxLatencyMs: 3 }, verdict: 'fail' },
  { name: '--healthz-url at another server: 404 HTML', id: 'healthz.ready', f: facts({ healthz: ok({ url: 'u', status: 404, contentType: 'text/html', body: '<html>\n<body>\n404 Not Found\n</body>\n</html>', ready: null, total: null, unhealthyComponents: [] }) }), verdict: 'fail', says: /not Milvus's \/healthz \(404 text\/html\): \\"<html> <body> 404 Not Found/ },
  { name: '--healthz-url at another server: 200 HTML is not OK either', id: 'healthz.ready', f: facts({ healthz: ok({ url: 'u', status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><p>hi</p>', ready: null, total: null, unhealthyComponents: [] }) }), verdict: 'fail', says: /not Milvus's \/healthz/ },
  { name: 'healthz 500 with counts', id: 'healthz.ready', f: facts({ healthz: ok({ url: 'u', status: 500, body: 'Not all components are healthy, 3/5', ready: 3, total: 5, unhealthyComponents: ['querynode'] }) }), verdict: 'fail', says: /3\/5 ready; not ready: querynode/ },
  // Advice for the provider at hand: ACM for an ALB, never a Kubernetes Secret; the Secret (or a ManagedCertificate) on GKE.
  { name: 'expired on an ALB: re-import into ACM', id: 'tls.validity', f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-01-01T00:00:00.000Z' }), INTERMEDIATE] })) }, { provider: 'aws' }), verdict: 'fail', says: /^(?!.*create secret tls).*aws acm import-certificate --certificate-arn/ },
  { name: 'expired on GKE: replace the Secret', id: 'tls.validity', f: facts({ tls: ok(tls({ chain: [cert({ notAfter: '2026-01-01T00:00:00.000Z' }), INTERMEDIATE] })) }, { provider: 'gcp' }), verdict: 'fail', says: /^(?!.*aws acm).*create secret tls/ },
  // -v shows it: the negotiated version and cipher.
  { name: 'TLS 1.3 with its cipher', id: 'tls.protocol', f: facts(), verdict: 'pass', says: /TLSv1\.3, TLS_AES_128_GCM_SHA256/ },
];
