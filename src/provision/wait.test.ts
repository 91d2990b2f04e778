// Where provision --wait stands, from the verdicts of the checks it waits on and the Ingress events: which
// states end the wait at once (and with what fix), which ones it keeps waiting on.
import { describe, expect, test } from 'vitest';
import type { Judgement } from '../checks/define.js';
import type { EventFact } from '../platform/k8s/types.js';
import { assessWait } from './wait.js';

const NOW = Date.parse('2026-12-02T18:00:00Z');
const SINCE = NOW - 30_000;
const pass = (observed: string): Judgement => ({ verdict: 'pass', observed });
const fail = (observed: string, extra: { hint?: string; fix?: string } = {}): Judgement => ({ verdict: 'fail', expected: 'x', observed, ...extra });
const warn = (observed: string): Judgement => ({ verdict: 'warn', expected: 'x', observed });
const event = (type: string, reason: string, message: string, at: number): EventFact => ({
  involvedKind: 'Ingress',
  involvedName: 'milvus-demo',
  type,
  reason,
  message,
  count: 1,
  lastSeen: new Date(at).toISOString(),
  source: 'ingress',
});

const AWS_READY = new Map<string, Judgement>([
  ['k8s.ingress.address', pass('k8s-milvus.elb.amazonaws.com')],
  ['aws.acm.status', pass('ISSUED')],
  ['aws.targets.healthy', pass('2/2 healthy')],
]);
const GCP_WAITING = new Map<string, Judgement>([
  ['k8s.ingress.address', pass('34.1.2.3')],
  ['gcp.ingress.backends', warn('not reported yet')],
]);

const CASES: readonly {
  name: string;
  provider: 'aws' | 'gcp';
  verdicts: ReadonlyMap<string, Judgement>;
  events?: readonly EventFact[];
  terminal: RegExp | null;
  fix?: RegExp;
  ready: number;
}[] = [
  { name: 'everything in place', provider: 'aws', verdicts: AWS_READY, terminal: null, ready: 3 },
  {
    name: 'FailedBuildModel just emitted',
    provider: 'aws',
    verdicts: new Map([['k8s.ingress.address', fail('no address')]]),
    events: [event('Warning', 'FailedBuildModel', 'Failed build model due to ingress: milvus/milvus-demo: no certificate found for host: h', NOW)],
    terminal: /FailedBuildModel: .*no certificate found/,
    fix: /describe ingress milvus-demo/,
    ready: 0,
  },
  {
    name: 'FailedDeployModel just emitted',
    provider: 'aws',
    verdicts: new Map(),
    events: [event('Warning', 'FailedDeployModel', "CertificateNotFound: Certificate 'arn' not found", NOW)],
    terminal: /FailedDeployModel/,
    fix: /AWS rejected it/,
    ready: 0,
  },
  {
    name: 'a FailedBuildModel older than the apply: the objects have changed since',
    provider: 'aws',
    verdicts: new Map([['k8s.ingress.address', fail('no address')]]),
    events: [event('Warning', 'FailedBuildModel', 'old', NOW - 600_000)],
    terminal: null,
    ready: 0,
  },
  { name: 'a Normal event is no failure', provider: 'aws', verdicts: AWS_READY, events: [event('Normal', 'SuccessfullyReconciled', 'ok', NOW)], terminal: null, ready: 3 },
  { name: 'a GCP reason on AWS is not the ALB controller\'s', provider: 'aws', verdicts: AWS_READY, events: [event('Warning', 'Translate', 'x', NOW)], terminal: null, ready: 3 },
  {
    name: 'ACM FAILED',
    provider: 'aws',
    verdicts: new Map([['aws.acm.status', fail('Status FAILED (DOMAIN_NOT_ALLOWED)', { fix: 'aws acm import-certificate …' })]]),
    terminal: /ACM certificate Status FAILED/,
    fix: /import-certificate/,
    ready: 0,
  },
  { name: 'ACM PENDING_VALIDATION settles', provider: 'aws', verdicts: new Map([['aws.acm.status', fail('Status PENDING_VALIDATION')]]), terminal: null, ready: 0 },
  {
    name: 'Translate on GKE',
    provider: 'gcp',
    verdicts: GCP_WAITING,
    events: [event('Warning', 'Translate', 'Translation failed: invalid ingress spec: service "milvus/milvus-demo" is type "ClusterIP"', NOW)],
    terminal: /Translate: Translation failed/,
    ready: 1,
  },
  { name: 'Sync on GKE', provider: 'gcp', verdicts: GCP_WAITING, events: [event('Warning', 'Sync', 'Error syncing to GCP', NOW)], terminal: /Sync: Error syncing/, ready: 1 },
  {
    name: 'ManagedCertificate FailedNotVisible with DNS elsewhere',
    provider: 'gcp',
    verdicts: new Map([['gcp.managed-certificate', fail('milvus-demo-tls: Provisioning (h FailedNotVisible)', { hint: 'h resolves to 1.1.1.1, not to the Ingress IP 34.1.2.3: Google cannot validate the domain (FailedNotVisible)' })]]),
    terminal: /ManagedCertificate .*FailedNotVisible/,
    fix: /not to the Ingress IP 34\.1\.2\.3.*will not turn Active until DNS does/,
    ready: 0,
  },
  {
    name: 'ManagedCertificate FailedNotVisible with DNS right: Google retries',
    provider: 'gcp',
    verdicts: new Map([['gcp.managed-certificate', fail('milvus-demo-tls: Provisioning (h FailedNotVisible)', { hint: 'h resolves to the Ingress IP 34.1.2.3: DNS is right; provisioning can take up to 60 minutes' })]]),
    terminal: null,
    ready: 0,
  },
  {
    name: 'a Secret instead of a managed certificate: nothing to wait for',
    provider: 'gcp',
    verdicts: new Map<string, Judgement>([
      ['k8s.ingress.address', pass('34.1.2.3')],
      ['gcp.managed-certificate', { verdict: 'skip', reason: 'the Ingress uses no Google-managed certificate' }],
      ['gcp.ingress.backends', pass('2 backend(s) HEALTHY')],
    ]),
    terminal: null,
    ready: 3,
  },
];

describe('assessWait', () => {
  test.each(CASES)('$provider: $name', ({ provider, verdicts, events, terminal, fix, ready }) => {
    const a = assessWait(provider, verdicts, events ?? [], SINCE, 'milvus', 'milvus-demo');
    expect(a.items.filter((s) => s.state === 'ready')).toHaveLength(ready);
    if (terminal === null) expect(a.terminal).toBeNull();
    else {
      expect(a.terminal?.observed).toMatch(terminal);
      if (fix) expect(a.terminal?.fix).toMatch(fix);
    }
  });

  test('each item names what it waits on and what the check observed', () => {
    const a = assessWait('aws', new Map([['k8s.ingress.address', fail('no address and no finalizer')]]), [], SINCE, 'milvus', 'milvus-demo');
    expect(a.items.map((s) => [s.item.id, s.item.check, s.state])).toEqual([
      ['address', 'k8s.ingress.address', 'waiting'],
      ['certificate', 'aws.acm.status', 'waiting'],
      ['health', 'aws.targets.healthy', 'waiting'],
    ]);
    expect(a.items[0].detail).toBe('no address and no finalizer');
  });
});
