// The Google-managed certificate (area gcp): it stays Provisioning until DNS points at the Ingress IP, so a
// certificate that is not Active is explained from what DNS answers.
import type { CheckDef } from '../define.js';
import { K8S_OBJECTS, got, isOffline, k8sView, NO_K8S, withIngress } from '../k8s/view.js';

import { isIP } from 'node:net';
import { hostMatches } from '../../platform/k8s/discover.js';
import type { Facts } from '../../facts/types.js';
import type { IngressFact } from '../../platform/k8s/types.js';

/** What the data path's DNS probe answered for a certificate's domain, against the load balancer's IP. */
export type DomainDns =
  | { readonly answered: false; readonly why: string }
  | { readonly answered: true; readonly v4: readonly string[]; readonly v6: readonly string[]; readonly strayV6: readonly string[]; readonly atIp: boolean };

/**
 * Google validates a managed certificate at the domain's DNS addresses: every A record must be the load
 * balancer's IP, and no AAAA may point elsewhere. The DNS probe resolves the run's host only.
 */
export function domainDns(facts: Facts, domain: string, ip: string | null): DomainDns {
  const dns = facts.dataPath.dns;
  if (dns.status !== 'ok') return { answered: false, why: dns.status === 'error' ? dns.error.message : dns.reason };
  if (dns.value.host !== domain) return { answered: false, why: `the doctor resolves ${dns.value.host}, not ${domain}` };
  const v4 = dns.value.addresses.filter((a) => isIP(a) === 4);
  const v6 = dns.value.addresses.filter((a) => isIP(a) === 6);
  const strayV6 = v6.filter((a) => a !== ip);
  return { answered: true, v4, v6, strayV6, atIp: ip !== null && v4.length > 0 && v4.every((a) => a === ip) && strayV6.length === 0 };
}

/** What a FAILED_CAA_* (FailedCaa*) domain status means, and the records to check. */
export function caaExplanation(domain: string, checking: boolean): string {
  return checking
    ? `${domain} FAILED_CAA_CHECKING: Google could not read the CAA records of ${domain} or a parent domain (a DNS server that times out or answers SERVFAIL for CAA); check CAA records (dig CAA ${domain}) and make the lookup answer, allowing pki.goog`
    : `${domain} FAILED_CAA_FORBIDDEN: a CAA record on ${domain} or a parent domain does not allow Google's CA; check CAA records (dig CAA ${domain}) and add CAA 0 issue "pki.goog"`;
}

function dnsExplanation(facts: Facts, ing: IngressFact, host: string | null): string {
  const ip = ing.addresses.map((a) => a.ip).find((x): x is string => x !== null) ?? null;
  if (host === null) return 'the host is unknown';
  const d = domainDns(facts, host, ip);
  if (!d.answered) return `DNS for ${host} was not resolved (${d.why}); it must have an A record for the Ingress IP ${ip ?? '(none yet)'}`;
  const parts: string[] = [];
  if (ip === null) parts.push('the Ingress has no IP yet (reserve a static IP: kubernetes.io/ingress.global-static-ip-name)');
  else if (!d.v4.length || d.v4.some((a) => a !== ip)) parts.push(`${host} resolves to ${d.v4.join(', ') || 'no A record'}, not to the Ingress IP ${ip}: Google cannot validate the domain (FailedNotVisible); point the A record of ${host} at ${ip}`);
  if (d.strayV6.length > 0) parts.push(`${host} also has AAAA ${d.strayV6.join(', ')}: a stray AAAA record breaks validation`);
  return parts.length ? parts.join('; ') : `${host} resolves to the Ingress IP ${ip}: DNS is right; provisioning can take up to 60 minutes`;
}

/** The hint for the domains that are not Active: CAA statuses say so; the others are a DNS matter. */
function domainsExplanation(facts: Facts, ing: IngressFact, host: string | null, statuses: readonly { domain: string; status: string }[]): string {
  const caa = statuses.filter((d) => d.status === 'FailedCaaChecking' || d.status === 'FailedCaaForbidden').map((d) => caaExplanation(d.domain, d.status === 'FailedCaaChecking'));
  const dnsMatters = statuses.some((d) => !d.status.startsWith('FailedCaa'));
  return [...caa, ...(dnsMatters || caa.length === 0 ? [dnsExplanation(facts, ing, host)] : [])].join('; ');
}

export const managedCertificateChecks: CheckDef[] = [
  {
    id: 'gcp.managed-certificate',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'k8s.managedCertificates', 'dns'],
    appliesTo: { provider: 'gcp' },
    title: 'the Google-managed certificate is Active for every domain',
    severity: 'critical',
    hint: 'point the host\'s DNS A record (and no AAAA) at the Ingress IP; the ManagedCertificate must be in the Ingress namespace',
    fix: 'kubectl -n <namespace> describe managedcertificate <name>; dig +short A <host>; dig +short AAAA <host>',
    why: 'Google validates a managed certificate by fetching through the load balancer at the domain\'s DNS address; until DNS points at the Ingress IP it stays Provisioning/FailedNotVisible and the listener has no certificate.',
    judge(facts) {
      const v0 = k8sView(facts);
      if (!v0) return { verdict: 'skip', reason: NO_K8S };
      return withIngress(facts, (v, ing) => {
        const raw = ing.annotations['networking.gke.io/managed-certificates'];
        if (raw === undefined) return { verdict: 'skip', reason: 'the Ingress uses no Google-managed certificate' };
        const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
        const list = got(v.k8s.managedCertificates, (message) => ({ verdict: 'fail', expected: 'the ManagedCertificate CRD (networking.gke.io/v1)', observed: message }));
        if (!list.ok) return list.judgement;
        const mcs = list.value.filter((m) => names.includes(m.name) && m.namespace === ing.namespace);
        const missing = names.filter((n) => !mcs.some((m) => m.name === n));
        const host = v.host;
        if (missing.length > 0) {
          return {
            verdict: 'fail',
            expected: `ManagedCertificate ${missing.join(', ')} in ${ing.namespace} (the Ingress namespace)`,
            observed: `not found; in ${ing.namespace}: ${list.value.map((m) => m.name).join(', ') || '(none)'}`,
            fix: ['apiVersion: networking.gke.io/v1', 'kind: ManagedCertificate', 'metadata:', `  name: ${missing[0]}`, `  namespace: ${ing.namespace}`, 'spec:', '  domains:', `    - ${host ?? '<host>'}`].join('\n'),
          };
        }
        const domains = mcs.flatMap((m) => m.domains);
        if (host !== null && !domains.some((d) => hostMatches(d, host))) {
          return { verdict: 'fail', expected: `a domain ${host}`, observed: `domains ${domains.join(', ')}`, fix: `kubectl -n ${ing.namespace} edit managedcertificate ${mcs[0].name}` };
        }
        if (mcs.every((m) => !m.hasStatus)) {
          if (isOffline(v)) return { verdict: 'skip', reason: 'offline (--manifests): needs a live cluster' };
          return { verdict: 'warn', expected: 'certificateStatus Active', observed: 'no status yet', hint: dnsExplanation(facts, ing, host) };
        }
        const notActive = mcs.filter((m) => m.certificateStatus !== 'Active' || m.domainStatus.some((d) => d.status !== 'Active'));
        const evidence = Object.fromEntries(mcs.flatMap((m) => [[m.name, m.certificateStatus ?? 'unknown'], ...m.domainStatus.map((d) => [`${m.name}/${d.domain}`, d.status])]));
        if (notActive.length === 0) return { verdict: 'pass', observed: mcs.map((m) => `${m.name}: Active`).join(', '), evidence };
        const observed = notActive.map((m) => `${m.name}: ${m.certificateStatus ?? 'unknown'} (${m.domainStatus.map((d) => `${d.domain} ${d.status}`).join(', ')})`).join('; ');
        const explanation = domainsExplanation(facts, ing, host, notActive.flatMap((m) => m.domainStatus.filter((d) => d.status !== 'Active')));
        const onlyProvisioning = notActive.every((m) => m.certificateStatus === 'Provisioning' && m.domainStatus.every((d) => d.status === 'Provisioning' || d.status === 'Active'));
        const dnsRight = explanation.includes('DNS is right');
        return {
          verdict: onlyProvisioning && dnsRight ? 'warn' : 'fail',
          expected: 'certificateStatus Active, every domain Active',
          observed,
          hint: explanation,
          evidence,
        };
      });
    },
  },
];
