// TLS as the load balancer serves it: handshake, protocol, chain, trust, names, validity, ALPN.
import { X509Certificate } from 'node:crypto';
import { isIP as netIsIP } from 'node:net';
import { defineChecks, interrupted, need, skippedJudgement, type Judgement } from './define.js';
import type { CertInfo, Facts, JudgeOptions, TlsFact } from '../facts/types.js';

const DAY_MS = 86_400_000;

const TLS_ERRORS: Record<string, { observed: string; hint: string; fix?: string }> = {
  TLS_PLAINTEXT_PEER: {
    observed: 'the port answered in plaintext (HTTP), not TLS',
    hint: 'this listener does not terminate TLS: it is an HTTP listener (or port 80); gRPC clients with ssl/secure=True fail with "wrong version number"',
    fix: 'ALB: alb.ingress.kubernetes.io/listen-ports: \'[{"HTTPS":443}]\' with certificate-arn; GKE: spec.tls with a kubernetes.io/tls Secret or a ManagedCertificate',
  },
  TLS_HANDSHAKE_TIMEOUT: {
    observed: 'the port accepts connections but no TLS handshake came back',
    hint: 'something that is not a TLS server holds the port (a tarpit, a TCP proxy waiting for PROXY protocol, a stuck backend)',
  },
  TLS_HANDSHAKE_FAILED: {
    observed: 'the handshake was rejected',
    hint: 'the load balancer has no certificate for this server name, or no protocol/cipher in common; check the listener certificate and SNI',
  },
  TLS_CONNECTION_RESET: {
    observed: 'the connection was reset during the handshake',
    hint: 'the load balancer closed the connection: often a listener without a certificate for this SNI',
  },
};

function leafOf(t: TlsFact): CertInfo | null {
  return t.chain[0] ?? null;
}

function describeCert(c: CertInfo): string {
  return `${c.commonName ? `CN=${c.commonName}` : c.subject} (issuer ${c.issuer})`;
}

function needTls(f: Facts): { ok: true; value: TlsFact } | { ok: false; judgement: Judgement } {
  return need(f.dataPath.tls, 'tls.handshake');
}

function needLeaf(f: Facts): { ok: true; tls: TlsFact; leaf: CertInfo } | { ok: false; judgement: Judgement } {
  const tls = needTls(f);
  if (!tls.ok) return tls;
  const leaf = leafOf(tls.value);
  if (!leaf) return { ok: false, judgement: { verdict: 'blocked', blockedBy: 'tls.handshake', reason: 'no certificate was served' } };
  return { ok: true, tls: tls.value, leaf };
}

/** A depth-1 chain whose leaf is neither self-signed nor issued by a trust anchor: the intermediate is missing. */
function missingIntermediate(t: TlsFact): boolean {
  const leaf = leafOf(t);
  return t.chain.length === 1 && leaf !== null && !leaf.selfSigned && !leaf.isCA && t.analysis.anchoredBy === null;
}

function anchorName(f: Facts): string {
  return f.target.caFile ? `--ca ${f.target.caFile}` : 'the system roots';
}

export function serverNameOf(f: Facts): string | null {
  return f.target.serverName ?? f.target.host;
}

/**
 * How to put a new certificate where this load balancer serves it from: ACM for an ALB (re-imported into
 * the same ARN, so the listener keeps it), the Ingress's TLS Secret or a ManagedCertificate on GKE. What
 * the doctor does not know is a placeholder that says where to find it.
 */
function certificateFix(f: Facts, what: 'renew' | 'chain' | 'reissue'): string {
  const host = f.target.host ?? '<host: the name in the Ingress rule>';
  const issue =
    what === 'reissue'
      ? `openssl req -new -key tls.key -subj "/CN=${host}" -addext "subjectAltName=DNS:${host}" -out tls.csr (sign it), then `
      : what === 'renew'
        ? 'renew it, then '
        : 'cat leaf.pem intermediate.pem > fullchain.pem, then ';
  const acm = `aws acm import-certificate --certificate-arn <the ARN in the Ingress annotation alb.ingress.kubernetes.io/certificate-arn> --certificate fileb://leaf.pem --certificate-chain fileb://intermediate.pem --private-key fileb://tls.key`;
  const secret = `kubectl -n <namespace> create secret tls <spec.tls[].secretName of the Ingress> --cert=fullchain.pem --key=tls.key --dry-run=client -o yaml | kubectl apply -f -`;
  if (f.target.provider === 'aws') return `${issue}${acm} (ACM serves the ALB's certificate; the chain goes in --certificate-chain)`;
  if (f.target.provider === 'gcp') {
    return what === 'chain' ? `${issue}${secret}` : `${issue}${secret}; or let Google manage it: a ManagedCertificate for ${host} (networking.gke.io/managed-certificates on the Ingress)`;
  }
  return `${issue}ALB: ${acm}; GKE: ${secret}`;
}

export const tlsChecks = defineChecks([
  {
    id: 'tls.handshake',
    area: 'tls',
    needs: ['tls', 'tlsNoSni'],
    title: 'a TLS handshake completes with SNI = the server name',
    severity: 'critical',
    hint: 'the load balancer must terminate TLS on this port with a certificate for the server name',
    why: 'gRPC through an L7 load balancer is TLS on 443 (secure=True / ssl: true). The handshake is sent with SNI = the host, as pymilvus does with server_name.',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.tls);
      if (cut) return cut;
      const tls = f.dataPath.tls;
      if (tls.status === 'skipped') return skippedJudgement(tls);
      if (tls.status === 'error') {
        const known = TLS_ERRORS[tls.error.code];
        return {
          verdict: 'fail',
          expected: `a TLS handshake on ${f.target.address ?? f.target.host}:${f.target.port}`,
          observed: known ? `${known.observed} (${tls.error.message})` : tls.error.message,
          hint: known?.hint ?? 'the TLS handshake failed',
          ...(known?.fix ? { fix: known.fix } : {}),
        };
      }
      const t = tls.value;
      const evidence: Record<string, string> = { sni: t.sni ?? '(none)', cipher: t.cipher ?? '?' };
      const noSni = f.dataPath.tlsNoSni;
      if (noSni.status === 'ok' && noSni.value.chain[0]) evidence['without SNI'] = describeCert(noSni.value.chain[0]);
      else if (noSni.status === 'error') evidence['without SNI'] = noSni.error.message;
      return { verdict: 'pass', observed: `${t.protocol ?? '?'} in ${t.handshakeMs} ms, ${t.chain.length} certificate(s) served`, evidence };
    },
  },
  {
    id: 'tls.protocol',
    area: 'tls',
    needs: ['tls'],
    title: 'the negotiated protocol is TLS 1.2 or newer',
    severity: 'major',
    hint: 'use a TLS policy that offers TLS 1.2 and 1.3 only',
    fix: 'ALB: alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06; GKE: an SSL policy with min TLS 1.2 (FrontendConfig sslPolicy)',
    why: 'gRPC requires TLS 1.2 or newer (RFC 7540 §9.2); older protocols are refused by current clients.',
    judge: (f): Judgement => {
      const tls = needTls(f);
      if (!tls.ok) return tls.judgement;
      const p = tls.value.protocol ?? 'unknown';
      return p === 'TLSv1.2' || p === 'TLSv1.3'
        ? { verdict: 'pass', observed: tls.value.cipher ? `${p}, ${tls.value.cipher}` : p }
        : { verdict: 'fail', expected: 'TLSv1.2 or TLSv1.3', observed: tls.value.cipher ? `${p}, ${tls.value.cipher}` : p };
    },
  },
  {
    id: 'tls.chain',
    area: 'tls',
    needs: ['tls'],
    title: 'the served chain is complete and in order',
    severity: 'critical',
    hint: 'serve the leaf followed by its intermediate certificate(s)',
    fix: 'ACM: aws acm import-certificate --certificate fileb://Certificate.pem --certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem; kubernetes.io/tls Secret: tls.crt = leaf then intermediates (cat leaf.pem intermediate.pem > tls.crt)',
    why: 'Clients only have roots. A load balancer that serves the leaf alone fails with "unable to get issuer certificate" in every client that has not cached the intermediate.',
    judge: (f): Judgement => {
      const tls = needTls(f);
      if (!tls.ok) return tls.judgement;
      const t = tls.value;
      if (!t.analysis.inOrder) {
        const at = t.analysis.brokenAt ?? 0;
        return {
          verdict: 'fail',
          expected: 'each certificate issued by the next one',
          observed: `certificate #${at} ${describeCert(t.chain[at])} is not issued by #${at + 1} ${t.chain[at + 1] ? describeCert(t.chain[at + 1]) : '(none)'}`,
          hint: 'the chain is out of order or holds an unrelated certificate: leaf first, then its issuer, and so on',
        };
      }
      if (missingIntermediate(t)) {
        const leaf = t.chain[0];
        return {
          verdict: 'fail',
          expected: `the leaf and the intermediate that issued it (${leaf.issuer})`,
          observed: `only the leaf was served: ${describeCert(leaf)}`,
          fix: certificateFix(f, 'chain'),
        };
      }
      return { verdict: 'pass', observed: t.chain.map((c) => c.commonName ?? c.subject).join(' → ') };
    },
  },
  {
    id: 'tls.trusted',
    area: 'tls',
    needs: ['tls'],
    title: 'the chain verifies against the trusted roots (system or --ca)',
    severity: 'critical',
    hint: 'serve a certificate from a CA the clients trust, or give clients (and --ca) the CA that issued it',
    fix: 'pymilvus: server_pem_path= / ca_pem_path=; Node SDK: tls.rootCertPath; doctor: --ca ca.crt',
    why: 'A chain that does not end at a trusted root fails with CERTIFICATE_VERIFY_FAILED in every client, whatever the load balancer reports.',
    judge: (f): Judgement => {
      const tls = needTls(f);
      if (!tls.ok) return tls.judgement;
      const t = tls.value;
      if (t.analysis.anchoredBy !== null) {
        return { verdict: 'pass', observed: `anchored by ${t.analysis.anchoredBy} (${t.analysis.anchorSource === 'ca-file' ? '--ca' : 'system roots'})` };
      }
      if (!t.analysis.inOrder || missingIntermediate(t)) {
        return { verdict: 'blocked', blockedBy: 'tls.chain', reason: 'the served chain is incomplete or out of order' };
      }
      const last = t.chain[t.chain.length - 1];
      return {
        verdict: 'fail',
        expected: `a chain ending at a CA in ${anchorName(f)}`,
        observed: last ? `the chain ends at ${describeCert(last)}, which is not trusted${t.analysis.verifyError ? ` (${t.analysis.verifyError})` : ''}` : 'no certificate',
      };
    },
  },
  {
    id: 'tls.san-present',
    area: 'tls',
    needs: ['tls'],
    title: 'the certificate names its hosts in subjectAltName (not CN only)',
    severity: 'critical',
    hint: 'reissue the certificate with a subjectAltName for the host: gRPC clients ignore the CN',
    fix: 'openssl req -new -key tls.key -subj "/CN=<host>" -addext "subjectAltName=DNS:<host>" -out tls.csr',
    why: 'Since RFC 6125, clients match names against subjectAltName only; grpc and Go reject CN-only certificates. The GCP guide\'s self-signed example certificate is CN-only.',
    judge: (f): Judgement => {
      const l = needLeaf(f);
      if (!l.ok) return l.judgement;
      const sans = l.leaf.subjectAltNames;
      if (sans && sans.length > 0) return { verdict: 'pass', observed: sans.join(', ') };
      return { verdict: 'fail', expected: 'a subjectAltName extension', observed: `none; only the subject ${l.leaf.subject}`, fix: certificateFix(f, 'reissue') };
    },
  },
  {
    id: 'tls.san',
    area: 'tls',
    needs: ['tls'],
    title: 'the certificate\'s subjectAltName covers the server name',
    severity: 'critical',
    hint: 'serve a certificate whose SAN covers the host, or use the host clients connect with as the server name',
    fix: 'reissue with subjectAltName=DNS:<host> (ACM: request/import a certificate for the host; GKE: ManagedCertificate spec.domains)',
    why: 'Clients check the requested name against the SAN list: ERR_TLS_CERT_ALTNAME_INVALID (Node) / CERTIFICATE_VERIFY_FAILED (pymilvus).',
    judge: (f): Judgement => {
      const l = needLeaf(f);
      if (!l.ok) return l.judgement;
      const name = serverNameOf(f);
      if (name === null) return { verdict: 'skip', reason: 'no server name to check (give --host or --server-name)' };
      const sans = l.leaf.subjectAltNames;
      if (!sans || sans.length === 0) return { verdict: 'blocked', blockedBy: 'tls.san-present', reason: 'the certificate has no subjectAltName' };
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(l.leaf.pem);
      } catch {
        return { verdict: 'error', observed: 'the leaf certificate in the facts does not parse (an edited snapshot?)' };
      }
      const matched = netIsIP(name) ? cert.checkIP(name) : cert.checkHost(name, { subject: 'never' });
      if (matched) return { verdict: 'pass', observed: `${name} matches ${matched}` };
      return { verdict: 'fail', expected: `a SAN entry matching ${name}`, observed: sans.join(', '), fix: certificateFix(f, 'reissue') };
    },
  },
  {
    id: 'tls.validity',
    area: 'tls',
    needs: ['tls'],
    title: 'every served certificate is within its validity window',
    severity: 'critical',
    hint: 'renew the certificate (or fix the clock if it is not yet valid)',
    fix: 'ACM: reimport or renew; kubectl create secret tls <name> --cert=tls.crt --key=tls.key --dry-run=client -o yaml | kubectl apply -f -',
    why: 'An expired certificate fails every TLS client with "certificate has expired", while the load balancer keeps reporting healthy targets.',
    judge: (f, o): Judgement => {
      const tls = needTls(f);
      if (!tls.ok) return tls.judgement;
      const now = Date.parse(o.now);
      for (const c of tls.value.chain) {
        const from = Date.parse(c.notBefore);
        const to = Date.parse(c.notAfter);
        if (now > to) {
          return { verdict: 'fail', expected: `valid on ${o.now.slice(0, 10)}`, observed: `${describeCert(c)} expired on ${c.notAfter} (${Math.floor((now - to) / DAY_MS)} days ago)`, fix: certificateFix(f, 'renew') };
        }
        if (now < from) {
          return { verdict: 'fail', expected: `valid on ${o.now.slice(0, 10)}`, observed: `${describeCert(c)} is not valid before ${c.notBefore}`, hint: 'the certificate is not valid yet: wrong clock on the issuer or on this machine' };
        }
      }
      const leaf = leafOf(tls.value);
      return { verdict: 'pass', observed: leaf ? `${leaf.notBefore} → ${leaf.notAfter}` : 'no certificate' };
    },
  },
  {
    id: 'tls.expiry',
    area: 'tls',
    needs: ['tls'],
    title: 'no served certificate expires soon',
    severity: 'major',
    hint: 'renew before it expires; automate renewal (ACM-issued or ManagedCertificate renew by themselves, imported ones do not)',
    why: 'An expiry warning that exits 0 caused a real outage: this check fails at --fail-days (default 7) and warns at --warn-days (default 30).',
    judge: (f, o): Judgement => {
      const tls = needTls(f);
      if (!tls.ok) return tls.judgement;
      const now = Date.parse(o.now);
      const certs = tls.value.chain;
      if (certs.length === 0) return { verdict: 'blocked', blockedBy: 'tls.handshake', reason: 'no certificate was served' };
      if (certs.some((c) => now > Date.parse(c.notAfter) || now < Date.parse(c.notBefore))) {
        return { verdict: 'blocked', blockedBy: 'tls.validity', reason: 'a served certificate is outside its validity window' };
      }
      const soonest = [...certs].sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter))[0];
      const days = Math.floor((Date.parse(soonest.notAfter) - now) / DAY_MS);
      const observed = `${describeCert(soonest)} expires on ${soonest.notAfter} (in ${days} days)`;
      if (days < o.failDays) return { verdict: 'fail', expected: `more than ${o.failDays} days of validity left`, observed, fix: certificateFix(f, 'renew') };
      if (days < o.warnDays) return { verdict: 'warn', expected: `more than ${o.warnDays} days of validity left`, observed, fix: certificateFix(f, 'renew') };
      return { verdict: 'pass', observed };
    },
  },
  {
    id: 'alpn.h2',
    area: 'alpn',
    needs: ['tls'],
    title: 'ALPN negotiates HTTP/2 (h2)',
    severity: 'critical',
    hint: 'enable HTTP/2 on the load balancer listener: gRPC needs it',
    fix: 'ALB: do not set routing.http2.enabled=false; nginx: listen 443 ssl http2; GKE HTTPS load balancers negotiate h2 by themselves',
    why: 'gRPC runs on HTTP/2 only. Without h2 in ALPN, clients fail before any RPC ("Protocol error" / "failed to connect to all addresses").',
    judge: (f): Judgement => {
      const tls = needTls(f);
      if (!tls.ok) return tls.judgement;
      const alpn = tls.value.alpn;
      if (alpn === 'h2') return { verdict: 'pass', observed: 'h2' };
      return { verdict: 'fail', expected: 'h2', observed: alpn ? `${alpn} only` : 'no ALPN protocol selected (HTTP/1.1 only)' };
    },
  },
]);


/** The certificate checks a verifying client (the SDK) depends on, in the order they explain a failure. */
const CLIENT_VERIFIES = ['tls.chain', 'tls.trusted', 'tls.san-present', 'tls.san', 'tls.validity'] as const;

/**
 * When a verifying client failed, the first failing certificate check explains why: the client's
 * check is then blocked by it instead of failing a second time for the same cause.
 */
export function certificateBlocker(f: Facts, o: JudgeOptions): Judgement | null {
  for (const id of CLIENT_VERIFIES) {
    const def = tlsChecks.find((c) => c.id === id);
    const j = def?.judge(f, o);
    if (j?.verdict === 'fail') return { verdict: 'blocked', blockedBy: id, reason: `a verifying client fails the TLS handshake: ${j.observed}` };
  }
  return null;
}
