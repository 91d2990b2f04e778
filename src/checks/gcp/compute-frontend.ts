// The load balancer's front as the Compute API reports it (area gcp): access to the API, the forwarding
// rules, the target HTTPS proxy's certificates and SSL policy, and the URL map's host rule.
import { isIP } from 'node:net';
import type { CheckDef, Judgement } from '../define.js';
import { K8S_OBJECTS, evidenceOf } from '../k8s/view.js';
import { behind, clusterSide, gcloud, gcpOutcome, gotGcp, notCreated, projectOf } from './compute-shared.js';
import { caaExplanation, domainDns } from './managed-certificate.js';
import type { Facts, JudgeOptions } from '../../facts/types.js';
import type { GcpSslCertificateFact } from '../../sources/gcp/values.js';

const DAY_MS = 86_400_000;
/** The owner of the proxy and certificate reads: the other checks that read them are blocked by it on a 404. */
const CERTIFICATES = 'gcp.target-proxy.certificates';

/** The load balancer's IP: the HTTPS forwarding rule's, else the Ingress status IP, else --address when it is one. */
function loadBalancerIp(facts: Facts): string | null {
  const fr = gcpOutcome(facts, 'forwardingRules');
  const rule = fr.status === 'ok' ? (fr.value.https?.ipAddress ?? null) : null;
  const status = clusterSide(facts).ing?.addresses.map((a) => a.ip).find((x): x is string => !!x) ?? null;
  const address = facts.target.address && isIP(facts.target.address) ? facts.target.address : null;
  return rule ?? status ?? address;
}

/** What the host's DNS answer (the data path's DNS probe) says about a managed certificate's domain. */
function dnsAgainst(facts: Facts, domain: string, lbIp: string | null): { words: string; pointsAtLb: boolean } {
  const d = domainDns(facts, domain, lbIp);
  const lb = lbIp ?? 'the Ingress IP';
  if (!d.answered) return { words: `DNS for ${domain} was not resolved here (${d.why})`, pointsAtLb: false };
  if (d.v4.length === 0) return { words: `${domain} has no A record${d.v6.length ? ` (only AAAA ${d.v6.join(', ')})` : ''}; expected ${lb}`, pointsAtLb: false };
  const strayWords = d.strayV6.length ? `; it also has AAAA ${d.strayV6.join(', ')}, which is not the load balancer (Google validates over IPv6 too: remove it)` : '';
  if (lbIp && d.v4.every((a) => a === lbIp)) return { words: `${domain} resolves to ${lbIp}, the load balancer's IP${strayWords}`, pointsAtLb: d.atIp };
  return { words: `${domain} resolves to ${d.v4.join(', ')}, not the load balancer's ${lb}${strayWords}`, pointsAtLb: false };
}

/** Why a managed certificate's domain is not ACTIVE, in the words of its status and the host's DNS. */
export function domainExplanation(facts: Facts, domain: string, status: string): string {
  const lbIp = loadBalancerIp(facts);
  const dns = dnsAgainst(facts, domain, lbIp);
  switch (status) {
    case 'FAILED_NOT_VISIBLE':
      return dns.pointsAtLb
        ? `${domain} FAILED_NOT_VISIBLE although ${dns.words}: DNS changed recently or propagates slowly; Google retries validation (up to 60 minutes), nothing to fix if it stays so`
        : `${domain} FAILED_NOT_VISIBLE: Google could not reach the load balancer at the domain's DNS address; ${dns.words}; point an A record (and no AAAA) at ${lbIp ?? 'the Ingress IP'}`;
    case 'PROVISIONING':
      return `${domain} PROVISIONING: ${dns.words}; once DNS points at the load balancer, issuance can take up to 60 minutes`;
    case 'FAILED_CAA_CHECKING':
    case 'FAILED_CAA_FORBIDDEN':
      return caaExplanation(domain, status === 'FAILED_CAA_CHECKING');
    case 'FAILED_RATE_LIMITED':
      return `${domain} FAILED_RATE_LIMITED: the issuer's rate limit was hit; wait, or use fewer certificates for the domain`;
    default:
      return `${domain} ${status}; ${dns.words}`;
  }
}

function leafOfSecret(facts: Facts): { fingerprint256: string; subject: string } | null {
  const s = facts.k8s?.tlsSecret;
  if (!s || s.status !== 'ok') return null;
  const leaf = s.value.chain[0];
  return leaf ? { fingerprint256: leaf.fingerprint256, subject: leaf.subject } : null;
}

function short(fp: string | null): string {
  return fp ? `${fp.slice(0, 23)}…` : '(none)';
}

function certificatesJudgement(facts: Facts, options: JudgeOptions): Judgement {
  const proxy = gotGcp(facts, 'targetHttpsProxy', notCreated(facts, options, 'the target HTTPS proxy', 'ingress.kubernetes.io/https-target-proxy'));
  if (!proxy.ok) return proxy.judgement;
  const certs = gotGcp(facts, 'sslCertificates', notCreated(facts, options, 'the proxy\'s SSL certificates', 'ingress.kubernetes.io/ssl-cert'));
  if (!certs.ok) return certs.judgement;
  const { ing, host } = clusterSide(facts);
  const project = projectOf(facts);
  const evidence = Object.fromEntries(certs.value.map((c) => [c.name, `${c.type ?? '?'}${c.managed ? ` ${c.managed.status ?? '?'}` : ''}${c.fingerprint256 ? ` sha256 ${short(c.fingerprint256)}` : ''}`]));
  if (certs.value.length === 0) return { verdict: 'fail', expected: 'an SSL certificate on the target HTTPS proxy', observed: `${proxy.value.name} has none`, evidence };
  const managedWanted = ing?.annotations['networking.gke.io/managed-certificates'] !== undefined;
  const managed = certs.value.filter((c) => c.type === 'MANAGED' || c.managed !== null);
  if (managedWanted || (managed.length > 0 && !ing)) {
    if (managed.length === 0) return { verdict: 'fail', expected: 'a Google-managed certificate on the proxy (the Ingress asks for networking.gke.io/managed-certificates)', observed: `only ${certs.value.map((c) => `${c.name} (${c.type})`).join(', ')}`, hint: 'ingress-gce has not attached the managed certificate yet: kubectl describe ingress for Sync events', evidence };
    const bad = managed.filter((c) => c.managed?.status !== 'ACTIVE' || Object.values(c.managed?.domainStatus ?? {}).some((s) => s !== 'ACTIVE'));
    if (bad.length === 0) return { verdict: 'pass', observed: managed.map((c) => `${c.name}: ACTIVE (${c.managed?.domains.join(', ')})`).join('; '), evidence };
    const domains = bad.flatMap((c) => Object.entries(c.managed?.domainStatus ?? {}).filter(([, s]) => s !== 'ACTIVE'));
    return {
      verdict: 'fail',
      expected: 'the managed certificate ACTIVE for every domain',
      observed: bad.map((c) => `${c.name}: ${c.managed?.status ?? 'unknown'} (${Object.entries(c.managed?.domainStatus ?? {}).map(([d, s]) => `${d} ${s}`).join(', ') || 'no domain status'})`).join('; '),
      hint: domains.map(([d, s]) => domainExplanation(facts, d, s)).join('; ') || 'the certificate is not issued yet',
      fix: `${gcloud(`ssl-certificates describe ${bad[0].name} --global`, project)}; dig +short A ${host ?? '<host>'}; dig +short AAAA ${host ?? '<host>'}${domains.some(([, st]) => st.startsWith('FAILED_CAA')) ? `; dig +short CAA ${host ?? '<host>'}` : ''}`,
      evidence,
    };
  }
  const secretLeaf = leafOfSecret(facts);
  if (ing && secretLeaf) {
    const match = certs.value.find((c) => c.fingerprint256 === secretLeaf.fingerprint256);
    if (!match) {
      const secretName = facts.k8s?.tlsSecret.status === 'ok' ? facts.k8s.tlsSecret.value.name : '<secret>';
      return {
        verdict: 'fail',
        expected: `the certificate of the Secret ${secretName} (sha256 ${short(secretLeaf.fingerprint256)})`,
        observed: `the proxy ${proxy.value.name} holds ${certs.value.map((c) => `${c.name} (sha256 ${short(c.fingerprint256)})`).join(', ')}`,
        hint: 'the load balancer serves another certificate than the Secret holds: ingress-gce has not synced the renewed Secret (see the Ingress Sync events), or the proxy was edited outside Kubernetes',
        fix: `kubectl -n ${ing.namespace} describe ingress ${ing.name}; ${gcloud(`target-https-proxies describe ${proxy.value.name} --global`, project)}`,
        evidence,
      };
    }
    return { verdict: 'pass', observed: `${match.name}: the Secret ${secretLeaf.subject}'s certificate (sha256 ${short(match.fingerprint256)})`, evidence };
  }
  if (host) {
    const covering = certs.value.filter((c) => c.subjectAlternativeNames.some((n) => n === host || (n.startsWith('*.') && host.endsWith(n.slice(1)))));
    if (covering.length === 0) return { verdict: 'fail', expected: `a certificate for ${host}`, observed: certs.value.map((c) => `${c.name}: ${c.subjectAlternativeNames.join(', ') || 'no SAN'}`).join('; '), evidence };
  }
  return { verdict: 'pass', observed: certs.value.map((c) => `${c.name} (${c.type ?? '?'})`).join(', '), evidence };
}

function expiryJudgement(facts: Facts, options: JudgeOptions): Judgement {
  const certs = gotGcp(facts, 'sslCertificates', behind(CERTIFICATES));
  if (!certs.ok) return certs.judgement;
  const now = Date.parse(options.now);
  const dated = certs.value.filter((c): c is GcpSslCertificateFact & { expireTime: string } => c.expireTime !== null);
  if (dated.length === 0) return { verdict: 'skip', reason: 'no certificate on the proxy is issued yet' };
  // Whole days either way: an hour past expiry is "expired 0 days ago", never "in -1 days".
  const days = dated.map((c) => ({ c, days: Math.trunc((Date.parse(c.expireTime) - now) / DAY_MS), expired: Date.parse(c.expireTime) <= now })).sort((a, b) => a.days - b.days);
  const worst = days[0];
  const evidence = Object.fromEntries(days.map(({ c, days: d }) => [c.name, `${c.expireTime} (${d} days)`]));
  const observed = `${worst.c.name} expires ${worst.c.expireTime} (${worst.expired ? `expired ${-worst.days} days ago` : `in ${worst.days} days`})`;
  const hint = worst.c.type === 'MANAGED' ? 'Google renews managed certificates itself while DNS points at the load balancer; check the domain status' : 'renew the certificate, replace the TLS Secret; ingress-gce uploads the new one';
  if (worst.expired || worst.days < options.failDays) return { verdict: 'fail', expected: `more than ${options.failDays} days of validity`, observed, hint, evidence };
  if (worst.days < options.warnDays) return { verdict: 'warn', expected: `more than ${options.warnDays} days of validity`, observed, hint, evidence };
  return { verdict: 'pass', observed, evidence };
}

export const computeFrontendChecks: CheckDef[] = [
  {
    id: 'gcp.compute.access',
    area: 'gcp',
    needs: ['gcp.access'],
    appliesTo: { provider: 'gcp' },
    title: 'the Compute API can be read with Google credentials for the project',
    severity: 'major',
    hint: 'give a project (--gcp-project) and credentials: GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth print-access-token), or ADC',
    fix: 'export GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth print-access-token); milvus-l7-doctor … --gcp-project <project>',
    why: 'Only the Compute API shows the backend service protocol and the per-endpoint health that explain a 502 while ingress-gce reports HEALTHY.',
    judge(facts) {
      const a = gotGcp(facts, 'access');
      if (!a.ok) return a.judgement;
      const v = a.value;
      const from = { flag: '--gcp-project', providerID: 'the nodes\' providerID', env: 'the environment (GOOGLE_CLOUD_PROJECT)', adc: 'the ADC file' }[v.projectFrom];
      return {
        verdict: 'pass',
        observed: `project ${v.project} (from ${from}), credentials ${v.credentials === 'token' ? 'GOOGLE_OAUTH_ACCESS_TOKEN' : 'ADC'}${v.endpoint ? `, endpoint ${v.endpoint}` : ''}`,
        ...(v.projectNote ? { evidence: { project: v.projectNote } } : {}),
      };
    },
  },
  {
    id: 'gcp.forwarding-rule.https',
    area: 'gcp',
    // Its only warning is a resource the controller is still creating for a new Ingress.
    settles: true,
    needs: [...K8S_OBJECTS, 'gcp.forwardingRules'],
    appliesTo: { provider: 'gcp' },
    title: 'an HTTPS forwarding rule on 443 at the Ingress IP leads to the target HTTPS proxy',
    severity: 'critical',
    hint: 'give the Ingress a TLS certificate (spec.tls or networking.gke.io/managed-certificates): ingress-gce makes the HTTPS rule only then',
    fix: 'kubectl -n <namespace> describe ingress <ingress>',
    why: 'Clients reach Milvus on 443 only through the HTTPS forwarding rule; without it the address answers nothing (or only port 80).',
    judge(facts, options) {
      const fr = gotGcp(facts, 'forwardingRules', notCreated(facts, options, 'the HTTPS forwarding rule', 'ingress.kubernetes.io/https-forwarding-rule'));
      if (!fr.ok) return fr.judgement;
      const { ing } = clusterSide(facts);
      const rule = fr.value.https;
      const ip = ing?.addresses.map((a) => a.ip).find((x): x is string => !!x) ?? facts.target.address;
      if (!rule) return { verdict: 'fail', expected: 'an HTTPS forwarding rule on 443', observed: fr.value.from === 'address' ? `no global forwarding rule at ${ip ?? '--address'} leads to a target HTTPS proxy` : 'the Ingress names no HTTPS forwarding rule', hint: 'without a certificate on the Ingress ingress-gce builds only the port-80 rule' };
      const problems: string[] = [];
      if (!(rule.portRange ?? '').split('-').includes('443')) problems.push(`port range ${rule.portRange ?? '(none)'}`);
      if (rule.targetKind !== 'targetHttpsProxies') problems.push(`target ${rule.target ?? '(none)'} is not a target HTTPS proxy`);
      if (ip && rule.ipAddress && rule.ipAddress !== ip) problems.push(`IP ${rule.ipAddress}, not the Ingress IP ${ip}`);
      const observed = `${rule.name}: ${rule.ipAddress ?? '?'}:${rule.portRange ?? '?'} → targetHttpsProxies/${rule.target ?? '?'}`;
      if (problems.length > 0) return { verdict: 'fail', expected: `443 at ${ip ?? 'the Ingress IP'} → a target HTTPS proxy`, observed: `${observed} (${problems.join('; ')})` };
      return { verdict: 'pass', observed, evidence: evidenceOf({ scheme: rule.loadBalancingScheme, from: fr.value.from }) };
    },
  },
  {
    id: 'gcp.forwarding-rule.http',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'gcp.forwardingRules'],
    appliesTo: { provider: 'gcp' },
    title: 'no forwarding rule serves plain HTTP on port 80',
    severity: 'minor',
    hint: 'annotate the Ingress kubernetes.io/ingress.allow-http: "false"; ingress-gce then deletes the port-80 rule',
    fix: 'kubectl -n <namespace> annotate ingress <ingress> kubernetes.io/ingress.allow-http=false --overwrite',
    why: 'gRPC clients must use 443; a port-80 rule invites plaintext mistakes (INTERNAL "Protocol error") and serves nothing useful.',
    judge(facts) {
      const fr = gotGcp(facts, 'forwardingRules', behind('gcp.forwarding-rule.https'));
      if (!fr.ok) return fr.judgement;
      const rule = fr.value.http;
      if (!rule) return { verdict: 'pass', observed: 'no port-80 rule' };
      const { ing } = clusterSide(facts);
      return {
        verdict: 'warn',
        expected: 'no forwarding rule on port 80',
        observed: `${rule.name}: ${rule.ipAddress ?? '?'}:${rule.portRange ?? '?'} → ${rule.target ?? '?'} (plain HTTP open)`,
        fix: ing ? `kubectl -n ${ing.namespace} annotate ingress ${ing.name} kubernetes.io/ingress.allow-http=false --overwrite` : gcloud(`forwarding-rules delete ${rule.name} --global`, projectOf(facts)),
        evidence: evidenceOf({ 'allow-http': ing?.annotations['kubernetes.io/ingress.allow-http'] ?? (ing ? 'not set (true)' : null) }),
      };
    },
  },
  {
    id: 'gcp.target-proxy.certificates',
    area: 'gcp',
    // Its only warning is a resource the controller is still creating for a new Ingress.
    settles: true,
    needs: [...K8S_OBJECTS, 'gcp.forwardingRules', 'gcp.targetHttpsProxy', 'gcp.sslCertificates', 'k8s.tlsSecret', 'dns'],
    appliesTo: { provider: 'gcp' },
    title: 'the target HTTPS proxy holds the certificate the Ingress asks for, issued',
    severity: 'critical',
    hint: 'self-managed: the proxy\'s certificate must be the TLS Secret\'s; managed: ACTIVE for every domain (DNS A record at the load balancer)',
    fix: 'kubectl -n <namespace> describe ingress <ingress>; gcloud compute ssl-certificates list',
    why: 'What the load balancer presents is the proxy\'s certificate, not the Secret or the ManagedCertificate object: a stale upload or a managed certificate stuck FAILED_NOT_VISIBLE breaks every TLS handshake while Kubernetes looks right.',
    judge: certificatesJudgement,
  },
  {
    id: 'gcp.ssl-certificate.expiry',
    area: 'gcp',
    needs: ['gcp.sslCertificates'],
    appliesTo: { provider: 'gcp' },
    title: 'the proxy\'s certificates are valid for long enough',
    severity: 'critical',
    hint: 'renew the certificate (self-managed: replace the TLS Secret)',
    why: 'An expired certificate on the proxy fails every client; warning ahead of time is the point (an exit-0 warning once preceded a real outage).',
    judge: expiryJudgement,
  },
  {
    id: 'gcp.target-proxy.served-certificate',
    area: 'gcp',
    needs: ['gcp.sslCertificates', 'tls'],
    appliesTo: { provider: 'gcp' },
    title: 'the certificate served at the address is one the target HTTPS proxy holds',
    severity: 'major',
    hint: 'the address answers with another certificate: DNS or --address points at another load balancer, or the proxy changed since',
    why: 'Ties the Compute view to the wire: when they disagree, the doctor is judging another load balancer than the one clients reach.',
    judge(facts) {
      const certs = gotGcp(facts, 'sslCertificates', behind(CERTIFICATES));
      if (!certs.ok) return certs.judgement;
      const tls = facts.dataPath.tls;
      if (tls.status !== 'ok') return tls.status === 'error' ? { verdict: 'blocked', blockedBy: 'tls.handshake', reason: 'no TLS handshake to compare' } : { verdict: 'skip', reason: tls.reason };
      const leaf = tls.value.chain[0];
      if (!leaf) return { verdict: 'skip', reason: 'no certificate was served' };
      const known = certs.value.filter((c) => c.fingerprint256 !== null);
      if (known.length === 0) return { verdict: 'skip', reason: 'no certificate on the proxy is issued yet' };
      const match = known.find((c) => c.fingerprint256 === leaf.fingerprint256);
      if (match) return { verdict: 'pass', observed: `${match.name} (sha256 ${short(leaf.fingerprint256)})` };
      return {
        verdict: 'fail',
        expected: `one of ${known.map((c) => `${c.name} (sha256 ${short(c.fingerprint256)})`).join(', ')}`,
        observed: `served ${leaf.subject} (sha256 ${short(leaf.fingerprint256)})`,
      };
    },
  },
  {
    id: 'gcp.target-proxy.ssl-policy',
    area: 'gcp',
    needs: ['gcp.sslPolicy'],
    appliesTo: { provider: 'gcp' },
    title: 'the SSL policy allows TLS 1.2 or later only',
    severity: 'minor',
    hint: 'attach an SSL policy with --min-tls-version 1.2 through a FrontendConfig (spec.sslPolicy)',
    fix: 'gcloud compute ssl-policies create milvus-tls12 --profile MODERN --min-tls-version 1.2; FrontendConfig spec.sslPolicy: milvus-tls12',
    why: 'TLS 1.0 and 1.1 are deprecated; Milvus clients all speak TLS 1.2+.',
    judge(facts) {
      // The policy is the user's (a FrontendConfig names it), not one ingress-gce creates: waiting will not help.
      const p = gotGcp(facts, 'sslPolicy', (message) => ({
        verdict: 'fail',
        expected: 'the SSL policy the target HTTPS proxy names',
        observed: message,
        hint: 'the FrontendConfig (spec.sslPolicy) names a policy that does not exist in the project: create it, or fix the name',
      }));
      if (!p.ok) return p.judgement;
      const v = p.value;
      const version = v.minTlsVersion ?? 'TLS_1_0';
      const observed = v.name === null ? `no SSL policy: Google's default (${v.profile}, minimum ${version})` : `${v.name}: ${v.profile ?? '?'}, minimum ${version}`;
      // The default is what the guide deploys: evidence, not a finding; a policy someone chose below 1.2 is.
      if (v.name === null) return { verdict: 'pass', observed, evidence: { note: 'the default policy accepts TLS 1.0; attach one with minimum 1.2 to refuse it' } };
      if (version === 'TLS_1_0' || version === 'TLS_1_1') return { verdict: 'warn', expected: 'minimum TLS_1_2', observed };
      return { verdict: 'pass', observed };
    },
  },
  {
    id: 'gcp.url-map.host-rule',
    area: 'gcp',
    // Its only warning is a resource the controller is still creating for a new Ingress.
    settles: true,
    needs: [...K8S_OBJECTS, 'gcp.urlMap', 'gcp.backendService'],
    appliesTo: { provider: 'gcp' },
    title: 'the URL map routes the host to the Milvus backend service',
    severity: 'critical',
    hint: 'the Ingress rule\'s host must be the host clients use (:authority); everything else goes to the default backend (404)',
    fix: 'kubectl -n <namespace> get ingress <ingress> -o jsonpath=\'{.spec.rules[*].host}\'',
    why: 'A request whose :authority matches no host rule gets the default backend\'s 404, which gRPC clients see as UNIMPLEMENTED (and the Node SDK as an empty success).',
    judge(facts, options) {
      const um = gotGcp(facts, 'urlMap', notCreated(facts, options, 'the URL map', 'ingress.kubernetes.io/url-map'));
      if (!um.ok) return um.judgement;
      const { host, ing } = clusterSide(facts);
      const bs = gcpOutcome(facts, 'backendService');
      const milvus = bs.status === 'ok' ? bs.value.name : null;
      const evidence = evidenceOf({ defaultService: um.value.defaultService, hostRules: um.value.hostRules.map((r) => `${r.hosts.join(',')} → ${r.pathMatcher}`).join('; ') || '(none)' });
      if (!host) return { verdict: 'skip', reason: 'no host to look up (--host)' };
      const rule = um.value.hostRules.find((r) => r.hosts.some((x) => x === host || (x.startsWith('*.') && host.endsWith(x.slice(1)))));
      if (!rule) {
        return {
          verdict: 'fail',
          expected: `a host rule for ${host} → ${milvus ?? 'the Milvus backend service'}`,
          observed: `no host rule matches ${host}: it goes to the default service ${um.value.defaultService ?? '(none)'} (404)`,
          hint: ing
            ? ing.rules.some((r) => r.host === host)
              ? `the Ingress ${ing.name} has a rule for ${host}, but the URL map does not: ingress-gce has not synced it (kubectl describe ingress shows the Sync events), or the map was edited outside Kubernetes`
              : `the Ingress ${ing.name} has no rule for ${host}`
            : 'add a host rule for the host',
          fix: ing ? `kubectl -n ${ing.namespace} edit ingress ${ing.name}   # spec.rules[].host: ${host}` : gcloud(`url-maps add-path-matcher ${um.value.name} --default-service ${milvus ?? '<backend-service>'} --new-hosts ${host} --path-matcher-name milvus`, projectOf(facts)),
          evidence,
        };
      }
      const target = um.value.pathMatchers.find((m) => m.name === rule.pathMatcher)?.defaultService ?? null;
      if (milvus && target !== milvus) return { verdict: 'fail', expected: `${host} → ${milvus}`, observed: `${host} → ${target ?? '(nothing)'}`, evidence };
      return { verdict: 'pass', observed: `${host} → ${target ?? '?'}`, evidence };
    },
  },
];
