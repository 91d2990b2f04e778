// The TLS Secret the Ingress serves (area k8s): parsed, its key matched, its SAN and validity checked, and
// compared with the certificate the load balancer really serves, which lags behind a replaced Secret.
import { need, type CheckDef, type Judgement } from '../define.js';
import { K8S_OBJECTS, evidenceOf, got, withIngress, type K8sView } from './view.js';

import { hostMatches, tlsSecretNameFor } from '../../platform/k8s/discover.js';
import type { IngressFact } from '../../platform/k8s/types.js';
import type { JudgeOptions } from '../../facts/types.js';

const DAY_MS = 86_400_000;

function sanCovers(sans: readonly string[] | null, host: string): boolean {
  if (!sans) return false;
  return sans.some((s) => {
    if (s.startsWith('DNS:')) return hostMatches(s.slice(4), host);
    if (s.startsWith('IP Address:')) return s.slice('IP Address:'.length) === host;
    return false;
  });
}

function normFp(fp: string): string {
  return fp.replace(/:/g, '').toUpperCase();
}

function tlsSecretJudgement(v: K8sView, ing: IngressFact, options: JudgeOptions): Judgement {
  if (v.provider === 'aws') return { verdict: 'skip', reason: 'the ALB takes its certificate from ACM (certificate-arn or discovery by tls hosts); spec.tls secretName is not used' };
  const name = tlsSecretNameFor(ing, v.host);
  if (name === null) {
    return { verdict: 'skip', reason: 'the Ingress references no TLS Secret (certificate from ACM or a managed certificate)' };
  }
  const s = got(v.k8s.tlsSecret, (message) => ({
    verdict: 'fail',
    expected: `Secret ${name} in ${ing.namespace}`,
    observed: message,
    hint: 'the Ingress names a Secret that does not exist: create it in the Ingress namespace',
    fix: `kubectl -n ${ing.namespace} create secret tls ${name} --cert=tls.crt --key=tls.key`,
  }));
  if (!s.ok) return s.judgement;
  const secret = s.value;
  const recreate = `kubectl -n ${secret.namespace} create secret tls ${secret.name} --cert=tls.crt --key=tls.key --dry-run=client -o yaml | kubectl apply -f -`;
  const leaf = secret.chain[0];
  if (secret.certError || !leaf) return { verdict: 'fail', expected: 'tls.crt holds a PEM certificate', observed: secret.certError ?? 'no certificate', fix: recreate };
  if (secret.keyError) return { verdict: 'fail', expected: 'tls.key holds a PEM private key', observed: secret.keyError, fix: recreate };
  const evidence = evidenceOf({
    subject: leaf.subject,
    issuer: leaf.issuer,
    san: leaf.subjectAltNames?.join(', ') ?? '(none)',
    notAfter: leaf.notAfter,
    fingerprint256: leaf.fingerprint256,
    chain: String(secret.chain.length),
    type: secret.type,
  });
  if (secret.keyMatchesCert === false) {
    return { verdict: 'fail', expected: 'tls.key is the private key of the tls.crt leaf', observed: `the key (${secret.keyType ?? 'unknown type'}) does not match the certificate ${leaf.subject}`, hint: 'tls.key is not the key of tls.crt (the load balancer cannot serve the pair): recreate the Secret from the certificate and the key it was issued for', fix: recreate, evidence };
  }
  if (v.host !== null && !sanCovers(leaf.subjectAltNames, v.host)) {
    return {
      verdict: 'fail',
      expected: `a subjectAltName covering ${v.host}`,
      observed: leaf.subjectAltNames ? `SAN ${leaf.subjectAltNames.join(', ')}` : `no SAN (CN=${leaf.commonName ?? ''}): gRPC clients reject CN-only certificates`,
      hint: 'reissue the certificate with the host in subjectAltName (openssl req ... -addext "subjectAltName=DNS:<host>")',
      evidence,
    };
  }
  const now = Date.parse(options.now);
  if (Date.parse(leaf.notBefore) > now) return { verdict: 'fail', expected: 'a certificate already valid', observed: `not valid before ${leaf.notBefore}`, evidence };
  const daysLeft = Math.floor((Date.parse(leaf.notAfter) - now) / DAY_MS);
  if (daysLeft < 0) return { verdict: 'fail', expected: 'a certificate within its validity', observed: `expired ${leaf.notAfter}`, hint: 'renew the certificate and replace the Secret', fix: recreate, evidence };
  if (daysLeft < options.failDays) return { verdict: 'fail', expected: `more than ${options.failDays} days of validity`, observed: `expires ${leaf.notAfter} (${daysLeft} days)`, fix: recreate, evidence };
  if (daysLeft < options.warnDays) return { verdict: 'warn', expected: `more than ${options.warnDays} days of validity`, observed: `expires ${leaf.notAfter} (${daysLeft} days)`, fix: recreate, evidence };
  if (!leaf.selfSigned && secret.chain.length < 2) {
    return {
      verdict: 'warn',
      expected: 'the leaf followed by its intermediate certificate(s) in tls.crt',
      observed: `only the leaf (issued by ${leaf.issuer})`,
      hint: 'append the intermediate to tls.crt: clients without it fail with "unable to get issuer certificate"',
      evidence,
    };
  }
  return { verdict: 'pass', observed: `${secret.name}: ${leaf.subjectAltNames?.join(', ') ?? leaf.subject}, ${daysLeft} days left`, evidence };
}

export const tlsSecretChecks: CheckDef[] = [
  {
    id: 'k8s.tls-secret',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.tlsSecret'],
    title: 'the TLS Secret parses, its key matches, its SAN covers the host and it is valid',
    severity: 'critical',
    hint: 'regenerate the certificate with the host in subjectAltName and recreate the Secret with the matching key',
    fix: 'kubectl -n <namespace> create secret tls <secret> --cert=tls.crt --key=tls.key --dry-run=client -o yaml | kubectl apply -f -',
    why: 'The load balancer serves this certificate: a key that does not match breaks the listener, a missing SAN or an expired certificate makes every client reject the connection.',
    judge(facts, options) {
      return withIngress(facts, (v, ing) => tlsSecretJudgement(v, ing, options));
    },
  },
  {
    id: 'k8s.tls-secret.served',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.tlsSecret', 'tls'],
    title: 'the load balancer serves the certificate of the TLS Secret',
    severity: 'major',
    hint: 'the load balancer still serves another certificate: wait for the controller to sync, or look at its events',
    fix: 'kubectl -n <namespace> describe ingress <ingress>   # then wait for the controller to sync the new certificate',
    why: 'After a Secret is replaced, the controller must upload it to the load balancer; until it does, clients see the old (perhaps expired) certificate.',
    judge(facts, options) {
      return withIngress(facts, (v, ing) => {
        const own = tlsSecretJudgement(v, ing, options);
        if (own.verdict === 'skip' || own.verdict === 'error' || own.verdict === 'blocked') return own;
        if (v.k8s.tlsSecret.status !== 'ok' || v.k8s.tlsSecret.value.chain.length === 0) {
          return { verdict: 'blocked', blockedBy: 'k8s.tls-secret', reason: 'the TLS Secret did not yield a certificate' };
        }
        const tls = need(facts.dataPath.tls, 'tls.handshake');
        if (!tls.ok) return tls.judgement;
        const servedLeaf = tls.value.chain[0];
        const secretLeaf = v.k8s.tlsSecret.value.chain[0];
        if (!servedLeaf) return { verdict: 'blocked', blockedBy: 'tls.handshake', reason: 'the TLS probe saw no certificate' };
        if (normFp(servedLeaf.fingerprint256) === normFp(secretLeaf.fingerprint256)) {
          return { verdict: 'pass', observed: `fingerprint ${secretLeaf.fingerprint256}` };
        }
        return {
          verdict: 'fail',
          expected: `served leaf ${secretLeaf.fingerprint256} (${secretLeaf.subject}, until ${secretLeaf.notAfter})`,
          observed: `served leaf ${servedLeaf.fingerprint256} (${servedLeaf.subject}, until ${servedLeaf.notAfter})`,
          fix: `kubectl -n ${ing.namespace} describe ingress ${ing.name}`,
        };
      });
    },
  },
];
