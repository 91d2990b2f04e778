// GKE checks: the Service annotations the guide sets (app-protocols, backend-config, neg), the
// BackendConfig health check, port 80, the backends' health as ingress-gce reports it, and the
// Google-managed certificate. Skipped on other providers.
import { defineChecks, type CheckDef, type Judgement } from './define.js';
import { K8S_OBJECTS, annotationJson, evidenceOf, got, isOffline, k8sView, NO_K8S, withIngress, withService, type K8sView } from './k8s-common.js';

import { METRICS_PORT, MILVUS_PORT, hostMatches, milvusServicePort } from '../platform/k8s/discover.js';
import { isRecord } from '../platform/k8s/objects.js';
import type { Facts } from '../facts/types.js';
import type { BackendConfigFact, IngressFact, ServiceFact } from '../platform/k8s/types.js';

const APP_PROTOCOLS = 'cloud.google.com/app-protocols';
const APP_PROTOCOLS_ALPHA = 'service.alpha.kubernetes.io/app-protocols';
const BACKEND_CONFIG_KEYS = ['cloud.google.com/backend-config', 'beta.cloud.google.com/backend-config'];
const NEG = 'cloud.google.com/neg';
const NEG_STATUS = 'cloud.google.com/neg-status';
const JSON_KEYS = [APP_PROTOCOLS, APP_PROTOCOLS_ALPHA, ...BACKEND_CONFIG_KEYS, NEG, NEG_STATUS];

function gcpService(body: (v: K8sView, svc: ServiceFact) => Judgement): CheckDef['judge'] {
  return (facts) => withService(facts, body);
}
function gcpIngress(body: (v: K8sView, ing: IngressFact, svc: ServiceFact | null) => Judgement): CheckDef['judge'] {
  return (facts) => withIngress(facts, body);
}

function annotateService(svc: ServiceFact, key: string, value: string): string {
  return `kubectl -n ${svc.namespace} annotate service ${svc.name} ${key}='${value}' --overwrite`;
}

// ---- app-protocols --------------------------------------------------------------------------------

function appProtocolsJudgement(svc: ServiceFact): Judgement {
  const port = milvusServicePort(svc);
  if (!port || !port.name) return { verdict: 'blocked', blockedBy: 'k8s.service.port-named', reason: `the ${MILVUS_PORT} port has no name to key app-protocols by` };
  const want = `{"${port.name}":"HTTP2"}`;
  const fix = `${annotateService(svc, APP_PROTOCOLS, want)}${svc.annotations[APP_PROTOCOLS_ALPHA] !== undefined ? `\nkubectl -n ${svc.namespace} annotate service ${svc.name} ${APP_PROTOCOLS_ALPHA}-` : ''}`;
  const alpha = annotationJson(svc.annotations, APP_PROTOCOLS_ALPHA);
  const ga = annotationJson(svc.annotations, APP_PROTOCOLS);
  const effective = alpha.present ? alpha : ga;
  const effectiveKey = alpha.present ? APP_PROTOCOLS_ALPHA : APP_PROTOCOLS;
  if (!effective.present) {
    return { verdict: 'fail', expected: `${APP_PROTOCOLS}: ${want}`, observed: 'not set: GKE speaks HTTP/1.1 to the backend', hint: 'gRPC needs HTTP2 from the load balancer to Milvus; without it clients get 502 while the backends stay HEALTHY', fix };
  }
  if (effective.error !== null || !isRecord(effective.value)) {
    return { verdict: 'fail', expected: `${effectiveKey}: ${want}`, observed: `${effective.raw} (${effective.error ?? 'not a JSON object'})`, fix };
  }
  const map = effective.value;
  const value = map[port.name];
  const observed = `${effectiveKey}: ${effective.raw}`;
  if (typeof value !== 'string' || value.toUpperCase() !== 'HTTP2') {
    const numberKey = String(port.port) in map || (typeof port.targetPort === 'number' && String(port.targetPort) in map);
    return {
      verdict: 'fail',
      expected: `${APP_PROTOCOLS}: ${want} (keyed by the port name ${port.name})`,
      observed,
      hint: numberKey
        ? `keyed by the port number: ingress-gce ignores it and silently uses HTTP/1.1 (backends HEALTHY, clients 502); key it by the port name ${port.name}`
        : value === undefined
          ? `no entry for the port name ${port.name}: GKE silently uses HTTP/1.1`
          : `value ${String(value)}: gRPC needs HTTP2 (HTTP and HTTPS are HTTP/1.1 to the backend)`,
      fix,
    };
  }
  if (alpha.present) {
    const gaSame = ga.present && ga.raw === alpha.raw;
    return {
      verdict: ga.present && !gaSame ? 'fail' : 'warn',
      expected: `only ${APP_PROTOCOLS}`,
      observed: `leftover ${APP_PROTOCOLS_ALPHA}: ${alpha.raw}${ga.present ? ` (wins over ${APP_PROTOCOLS}: ${ga.raw})` : ''}`,
      hint: `the alpha annotation takes precedence over ${APP_PROTOCOLS}; remove it so the two cannot disagree`,
      fix,
    };
  }
  return { verdict: 'pass', observed };
}

// ---- backend-config -------------------------------------------------------------------------------

type BackendConfigRef = { ok: true; name: string; key: string; raw: string } | { ok: false; judgement: Judgement };

function backendConfigRef(v: K8sView, svc: ServiceFact): BackendConfigRef {
  const port = milvusServicePort(svc);
  const key = BACKEND_CONFIG_KEYS.find((k) => svc.annotations[k] !== undefined);
  const want = `{"default": "${svc.name}-backendconfig"}`;
  if (!key) {
    const onIngress = v.ing ? BACKEND_CONFIG_KEYS.find((k) => v.ing?.annotations[k] !== undefined) : undefined;
    return {
      ok: false,
      judgement: {
        verdict: 'fail',
        expected: `${BACKEND_CONFIG_KEYS[0]} on the Service ${svc.name}`,
        observed: onIngress ? `on the Ingress ${v.ing?.name} instead (${onIngress}: ${v.ing?.annotations[onIngress]})` : 'not set',
        hint: onIngress
          ? 'ingress-gce reads backend-config from the Service, not the Ingress: the load balancer uses the default health check (HTTP2 on 19530) and marks Milvus UNHEALTHY'
          : 'without a BackendConfig GKE health-checks the serving port with the default check, which Milvus does not answer: UNHEALTHY',
        fix: annotateService(svc, BACKEND_CONFIG_KEYS[0], onIngress && v.ing ? (v.ing.annotations[onIngress] ?? want) : want),
      },
    };
  }
  const parsed = annotationJson(svc.annotations, key);
  if (!parsed.present || parsed.error !== null || !isRecord(parsed.value)) {
    return { ok: false, judgement: { verdict: 'fail', expected: `${key}: ${want}`, observed: `${svc.annotations[key]} (${parsed.present && parsed.error ? parsed.error : 'not a JSON object'})`, fix: annotateService(svc, key, want) } };
  }
  const ports = isRecord(parsed.value.ports) ? parsed.value.ports : {};
  const byPort = port ? (ports[port.name ?? ''] ?? ports[String(port.port)]) : undefined;
  const name = typeof byPort === 'string' ? byPort : typeof parsed.value.default === 'string' ? parsed.value.default : null;
  if (name === null) {
    return { ok: false, judgement: { verdict: 'fail', expected: `${key} naming a BackendConfig for port ${port?.name ?? MILVUS_PORT} ("default" or "ports")`, observed: parsed.raw, fix: annotateService(svc, key, want) } };
  }
  return { ok: true, name, key, raw: parsed.raw };
}

type Resolved = { ok: true; bc: BackendConfigFact; ref: string } | { ok: false; judgement: Judgement };

function resolveBackendConfig(v: K8sView, svc: ServiceFact): Resolved {
  const ref = backendConfigRef(v, svc);
  if (!ref.ok) return ref;
  const list = got(v.k8s.backendConfigs, (message) => ({
    verdict: 'fail',
    expected: 'the BackendConfig CRD (cloud.google.com/v1)',
    observed: message,
    hint: 'BackendConfig is served only on GKE clusters',
  }));
  if (!list.ok) return list;
  const bc = list.value.find((b) => b.name === ref.name && b.namespace === svc.namespace);
  if (!bc) {
    return {
      ok: false,
      judgement: {
        verdict: 'fail',
        expected: `BackendConfig ${ref.name} in ${svc.namespace} (the Service namespace)`,
        observed: `not found; BackendConfigs in ${svc.namespace}: ${list.value.map((b) => b.name).join(', ') || '(none)'}`,
        hint: 'a backend-config naming a missing BackendConfig leaves GKE on the default health check: UNHEALTHY',
        fix: backendConfigManifest(ref.name, svc.namespace),
      },
    };
  }
  return { ok: true, bc, ref: `${ref.key}: ${ref.raw}` };
}

function backendConfigManifest(name: string, namespace: string): string {
  return [
    'apiVersion: cloud.google.com/v1',
    'kind: BackendConfig',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  timeoutSec: 600',
    '  healthCheck:',
    '    type: HTTP',
    `    port: ${METRICS_PORT}`,
    '    requestPath: /healthz',
    '    checkIntervalSec: 10',
    '    timeoutSec: 5',
  ].join('\n');
}

function withBackendConfig(facts: Facts, body: (v: K8sView, svc: ServiceFact, bc: BackendConfigFact) => Judgement): Judgement {
  return withService(facts, (v, svc) => {
    const r = resolveBackendConfig(v, svc);
    if (!r.ok) {
      if (r.judgement.verdict === 'fail') return { verdict: 'blocked', blockedBy: 'gcp.service.backend-config', reason: 'the Service names no BackendConfig that exists' };
      return r.judgement;
    }
    return body(v, svc, r.bc);
  });
}

function podContainerPorts(v: K8sView): number[] | null {
  if (v.k8s.pods.status === 'ok' && v.k8s.pods.value.length > 0) return v.k8s.pods.value.flatMap((p) => p.containers.flatMap((c) => c.ports.map((x) => x.containerPort)));
  if (v.k8s.workloads.status === 'ok' && v.k8s.workloads.value.length > 0) return v.k8s.workloads.value.flatMap((w) => w.containerPorts.map((x) => x.containerPort));
  return null;
}

// ---- neg ----------------------------------------------------------------------------------------

function negJudgement(svc: ServiceFact): Judgement {
  const neg = annotationJson(svc.annotations, NEG);
  const fix = annotateService(svc, NEG, '{"ingress": true}');
  if (!neg.present) {
    return { verdict: 'fail', expected: `${NEG}: {"ingress": true}`, observed: 'not set', hint: 'a ClusterIP Service needs container-native load balancing (NEG) to be an Ingress backend: ingress-gce fails with Translate', fix };
  }
  if (neg.error !== null || !isRecord(neg.value) || neg.value.ingress !== true) {
    return { verdict: 'fail', expected: `${NEG}: {"ingress": true}`, observed: neg.raw, fix };
  }
  return { verdict: 'pass', observed: neg.raw };
}

// ---- managed certificate -------------------------------------------------------------------------

function dnsExplanation(facts: Facts, ing: IngressFact, host: string | null): string {
  const ip = ing.addresses.map((a) => a.ip).find((x): x is string => x !== null) ?? null;
  const dns = facts.dataPath.dns;
  if (host === null) return 'the host is unknown';
  if (dns.status !== 'ok') return `DNS for ${host} was not resolved (${dns.status === 'error' ? dns.error.message : dns.reason}); it must have an A record for the Ingress IP ${ip ?? '(none yet)'}`;
  const v6 = dns.value.addresses.filter((a) => a.includes(':'));
  const v4 = dns.value.addresses.filter((a) => !a.includes(':'));
  const parts: string[] = [];
  if (ip === null) parts.push('the Ingress has no IP yet (reserve a static IP: kubernetes.io/ingress.global-static-ip-name)');
  else if (!v4.includes(ip)) parts.push(`${host} resolves to ${v4.join(', ') || 'no A record'}, not to the Ingress IP ${ip}: Google cannot validate the domain (FailedNotVisible)`);
  if (v6.length > 0) parts.push(`${host} also has AAAA ${v6.join(', ')}: a stray AAAA record breaks validation`);
  return parts.length ? parts.join('; ') : `${host} resolves to the Ingress IP ${ip}: DNS is right; provisioning can take up to 60 minutes`;
}

export const gcpChecks: readonly CheckDef[] = defineChecks([
  {
    id: 'gcp.service.annotations-json',
    area: 'gcp',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'gcp' },
    title: 'the GKE Service annotations are valid JSON',
    severity: 'major',
    hint: "quote the JSON with single quotes in the shell: cloud.google.com/neg='{\"ingress\": true}'",
    fix: 'kubectl -n <namespace> annotate service <service> cloud.google.com/neg=\'{"ingress": true}\' --overwrite',
    why: 'ingress-gce reads app-protocols, backend-config and neg as JSON; an annotation that does not parse is ignored (or fails the Translate step) with no error on the Service.',
    judge: gcpService((_v, svc) => {
      const bad: string[] = [];
      const seen: string[] = [];
      for (const key of JSON_KEYS) {
        const a = annotationJson(svc.annotations, key);
        if (!a.present) continue;
        seen.push(key);
        if (a.error !== null) bad.push(`${key}: ${a.raw} (${a.error})`);
        else if (!isRecord(a.value)) bad.push(`${key}: ${a.raw} (not a JSON object)`);
      }
      if (bad.length > 0) return { verdict: 'fail', expected: 'JSON objects', observed: bad.join('; ') };
      if (seen.length === 0) return { verdict: 'fail', expected: `${APP_PROTOCOLS}, ${BACKEND_CONFIG_KEYS[0]}, ${NEG}`, observed: 'no GKE annotations on the Service', fix: [annotateService(svc, APP_PROTOCOLS, '{"milvus":"HTTP2"}'), annotateService(svc, BACKEND_CONFIG_KEYS[0], `{"default": "${svc.name}-backendconfig"}`), annotateService(svc, NEG, '{"ingress": true}')].join('\n') };
      return { verdict: 'pass', observed: seen.join(', ') };
    }),
  },
  {
    id: 'gcp.service.app-protocols',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'k8s.pods', 'k8s.workloads'],
    appliesTo: { provider: 'gcp' },
    title: 'app-protocols gives the Milvus port (by name) HTTP2',
    severity: 'critical',
    hint: `annotate the Service ${APP_PROTOCOLS}='{"milvus":"HTTP2"}' (keyed by the port name) and remove ${APP_PROTOCOLS_ALPHA}`,
    fix: 'kubectl -n <namespace> annotate service <service> cloud.google.com/app-protocols=\'{"milvus":"HTTP2"}\' --overwrite',
    why: 'Without HTTP2 for the port, GKE speaks HTTP/1.1 to Milvus: health checks pass, gRPC calls get 502. A key by port number, an unnamed port or a leftover alpha annotation all fall back to HTTP/1.1 silently.',
    judge: gcpService((_v, svc) => appProtocolsJudgement(svc)),
  },
  {
    id: 'gcp.service.backend-config',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'k8s.backendConfigs'],
    appliesTo: { provider: 'gcp' },
    title: 'the Service names a BackendConfig that exists in its namespace',
    severity: 'critical',
    hint: `annotate the Service (not the Ingress) ${BACKEND_CONFIG_KEYS[0]}='{"default": "<name>"}' and create that BackendConfig beside it`,
    fix: 'kubectl -n <namespace> annotate service <service> cloud.google.com/backend-config=\'{"default": "<backendconfig>"}\' --overwrite',
    why: 'The BackendConfig carries the health check on 9091 /healthz; referenced from the Ingress, from another namespace or by a wrong name, GKE falls back to its default check and marks Milvus UNHEALTHY.',
    judge: gcpService((v, svc) => {
      const r = resolveBackendConfig(v, svc);
      if (!r.ok) return r.judgement;
      return { verdict: 'pass', observed: `${r.bc.namespace}/${r.bc.name}`, evidence: { annotation: r.ref, apiVersion: r.bc.apiVersion } };
    }),
  },
  {
    id: 'gcp.service.neg',
    area: 'gcp',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'gcp' },
    title: 'the Service asks for NEGs for Ingress',
    severity: 'critical',
    hint: `annotate the Service ${NEG}='{"ingress": true}'`,
    fix: 'kubectl -n <namespace> annotate service <service> cloud.google.com/neg=\'{"ingress": true}\' --overwrite',
    why: 'With NEGs the load balancer sends to pod IPs directly; a ClusterIP Service cannot be an Ingress backend without them.',
    judge: gcpService((_v, svc) => negJudgement(svc)),
  },
  {
    id: 'gcp.service.neg-status',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'k8s.pods'],
    appliesTo: { provider: 'gcp' },
    title: 'ingress-gce created a NEG for port 19530',
    severity: 'major',
    hint: 'ingress-gce writes cloud.google.com/neg-status once it created the NEGs: look at the Ingress events',
    fix: 'kubectl -n <namespace> describe ingress <ingress>',
    why: 'neg-status names the NEG per port and its zones: its absence means the controller never got as far as creating the backends.',
    judge: gcpService((v, svc) => {
      const neg = negJudgement(svc);
      if (neg.verdict !== 'pass') return { verdict: 'blocked', blockedBy: 'gcp.service.neg', reason: `${NEG} is missing or wrong` };
      const st = annotationJson(svc.annotations, NEG_STATUS);
      if (!st.present) {
        if (isOffline(v)) return { verdict: 'skip', reason: 'offline (--manifests): needs a live cluster' };
        return { verdict: 'fail', expected: `${NEG_STATUS} with a NEG for ${MILVUS_PORT}`, observed: 'not set: no NEG created yet', fix: `kubectl -n ${svc.namespace} describe ingress ${v.ing?.name ?? ''}`.trim() };
      }
      if (st.error !== null || !isRecord(st.value)) return { verdict: 'fail', expected: 'neg-status JSON', observed: st.raw };
      const negs = isRecord(st.value.network_endpoint_groups) ? st.value.network_endpoint_groups : {};
      const zones = Array.isArray(st.value.zones) ? st.value.zones.map(String) : [];
      const port = milvusServicePort(svc);
      const negName = negs[String(port?.port ?? MILVUS_PORT)];
      if (typeof negName !== 'string') {
        return { verdict: 'fail', expected: `a NEG for port ${port?.port ?? MILVUS_PORT}`, observed: st.raw, hint: 'the Ingress does not route to the Milvus port, or the controller has not synced' };
      }
      return { verdict: 'pass', observed: `${negName} in ${zones.join(', ') || '(no zones)'}`, evidence: evidenceOf({ neg: negName, zones: zones.join(', ') }) };
    }),
  },
  {
    id: 'gcp.backendconfig.health-check',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'k8s.backendConfigs', 'k8s.pods', 'k8s.workloads'],
    appliesTo: { provider: 'gcp' },
    title: 'the BackendConfig health check is HTTP on 9091 /healthz, a container port of the pods',
    severity: 'critical',
    hint: 'spec.healthCheck: type HTTP, port 9091, requestPath /healthz, timeoutSec ≤ checkIntervalSec',
    fix: 'spec:\n  healthCheck:\n    type: HTTP\n    port: 9091\n    requestPath: /healthz',
    why: 'Milvus answers health checks only over HTTP/1 on 9091 /healthz; GKE can check only a port the pods declare; a timeout longer than the interval is rejected.',
    judge(facts) {
      return withBackendConfig(facts, (v, _svc, bc): Judgement => {
        const fix = backendConfigManifest(bc.name, bc.namespace);
        const hc = bc.healthCheck;
        if (!hc) return { verdict: 'fail', expected: 'spec.healthCheck (HTTP, 9091, /healthz)', observed: `BackendConfig ${bc.name} has no healthCheck: GKE checks the serving port with HTTP2 and Milvus is UNHEALTHY`, fix };
        const problems: string[] = [];
        if ((hc.type ?? '').toUpperCase() !== 'HTTP') problems.push(`type ${hc.type ?? '(unset)'} (want HTTP)`);
        if (hc.port !== METRICS_PORT) problems.push(`port ${hc.port ?? '(unset: the serving port)'} (want ${METRICS_PORT})`);
        if (hc.requestPath !== '/healthz') problems.push(`requestPath ${hc.requestPath ?? '(unset: /)'} (want /healthz)`);
        const interval = hc.checkIntervalSec ?? 5;
        const timeout = hc.timeoutSec ?? 5;
        if (timeout > interval) problems.push(`timeoutSec ${timeout} > checkIntervalSec ${interval}`);
        const ports = podContainerPorts(v);
        if (hc.port !== null && ports !== null && !ports.includes(hc.port)) problems.push(`port ${hc.port} is not a container port of the Milvus pods (${[...new Set(ports)].join(', ')})`);
        const observed = `type ${hc.type ?? '-'}, port ${hc.port ?? '-'}, path ${hc.requestPath ?? '-'}, interval ${interval}s, timeout ${timeout}s`;
        if (problems.length > 0) return { verdict: 'fail', expected: 'HTTP, 9091, /healthz, timeoutSec ≤ checkIntervalSec', observed: problems.join('; '), fix, evidence: { healthCheck: observed } };
        return ports === null ? { verdict: 'pass', observed, evidence: { note: 'container ports unknown (no pods or workloads read)' } } : { verdict: 'pass', observed };
      });
    },
  },
  {
    id: 'gcp.backendconfig.timeout',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'k8s.backendConfigs'],
    appliesTo: { provider: 'gcp' },
    title: 'the backend timeout allows long calls',
    severity: 'minor',
    hint: 'raise spec.timeoutSec in the BackendConfig (GKE default 30 s) for long searches, imports and streams',
    fix: 'kubectl -n <namespace> patch backendconfig <backendconfig> --type=merge -p \'{"spec":{"timeoutSec":600}}\'',
    why: 'The backend service timeout cuts any call longer than timeoutSec with a 502/UNAVAILABLE, whatever the client deadline.',
    judge(facts) {
      return withBackendConfig(facts, (_v, _svc, bc) => {
        if (bc.timeoutSec !== null && bc.timeoutSec >= 60) return { verdict: 'pass', observed: `timeoutSec ${bc.timeoutSec}` };
        return {
          verdict: 'warn',
          expected: 'spec.timeoutSec ≥ 60 (the longest call you make)',
          observed: bc.timeoutSec === null ? 'not set (30 s)' : `timeoutSec ${bc.timeoutSec}`,
          fix: `kubectl -n ${bc.namespace} patch backendconfig ${bc.name} --type=merge -p '{"spec":{"timeoutSec":600}}'`,
        };
      });
    },
  },
  {
    id: 'gcp.ingress.allow-http',
    area: 'gcp',
    needs: K8S_OBJECTS,
    appliesTo: { provider: 'gcp' },
    title: 'the load balancer does not serve plain HTTP on port 80',
    severity: 'minor',
    hint: 'annotate the Ingress kubernetes.io/ingress.allow-http: "false"',
    fix: 'kubectl -n <namespace> annotate ingress <ingress> kubernetes.io/ingress.allow-http=false --overwrite',
    why: 'GKE opens port 80 by default; gRPC clients must use 443, and an open 80 invites plaintext mistakes (INTERNAL "Protocol error").',
    judge: gcpIngress((_v, ing) => {
      const value = ing.annotations['kubernetes.io/ingress.allow-http'];
      if (value === 'false') return { verdict: 'pass', observed: 'allow-http: false' };
      return {
        verdict: 'warn',
        expected: 'kubernetes.io/ingress.allow-http: "false"',
        observed: `${value === undefined ? 'not set (port 80 open)' : `allow-http: ${value}`}`,
        fix: `kubectl -n ${ing.namespace} annotate ingress ${ing.name} kubernetes.io/ingress.allow-http=false --overwrite`,
        evidence: evidenceOf({ 'forwarding-rule': ing.annotations['ingress.kubernetes.io/forwarding-rule'] }),
      };
    }),
  },
  {
    id: 'gcp.ingress.backends',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'k8s.pods'],
    appliesTo: { provider: 'gcp' },
    title: 'ingress-gce reports the Milvus backends HEALTHY',
    severity: 'major',
    hint: 'UNHEALTHY: the health check does not reach 9091 /healthz (BackendConfig, firewall for 130.211.0.0/22 and 35.191.0.0/16 on 9091, pod health)',
    fix: 'kubectl -n <namespace> describe ingress <ingress>',
    why: 'The ingress.kubernetes.io/backends annotation is ingress-gce\'s view of each backend service; UNHEALTHY means the load balancer sends nothing to Milvus. HEALTHY alone does not prove gRPC works (see http2.backend-protocol).',
    judge: gcpIngress((v, ing) => {
      const a = annotationJson(ing.annotations, 'ingress.kubernetes.io/backends');
      const negReady = v.k8s.pods.status === 'ok'
        ? Object.fromEntries(
            v.k8s.pods.value.flatMap((p) =>
              p.conditions.filter((c) => c.type === 'cloud.google.com/load-balancer-neg-ready').map((c) => [`neg-ready/${p.name}`, `${c.status}${c.reason ? ` ${c.reason}` : ''}`]),
            ),
          )
        : {};
      if (!a.present) {
        if (isOffline(v)) return { verdict: 'skip', reason: 'offline (--manifests): needs a live cluster' };
        return { verdict: 'warn', expected: 'ingress.kubernetes.io/backends on the Ingress', observed: 'not reported yet: the load balancer is still being built', evidence: negReady };
      }
      if (a.error !== null || !isRecord(a.value)) return { verdict: 'fail', expected: 'backends JSON', observed: a.raw };
      const entries = Object.entries(a.value).map(([k, s]) => [k, String(s)] as const);
      const evidence = { ...Object.fromEntries(entries), ...negReady };
      const unhealthy = entries.filter(([, s]) => s.toUpperCase() === 'UNHEALTHY');
      const unknown = entries.filter(([, s]) => s.toUpperCase() !== 'HEALTHY' && s.toUpperCase() !== 'UNHEALTHY');
      const timeout = Object.values(negReady).some((s) => s.includes('LoadBalancerNegTimeout'));
      if (unhealthy.length > 0) {
        return {
          verdict: 'fail',
          expected: 'every backend HEALTHY',
          observed: unhealthy.map(([k, s]) => `${k}: ${s}`).join(', '),
          hint: timeout ? 'pods report LoadBalancerNegTimeout: the health check never passed; check the BackendConfig port/path and the firewall for 130.211.0.0/22, 35.191.0.0/16 on 9091' : undefined,
          fix: `kubectl -n ${ing.namespace} describe ingress ${ing.name}`,
          evidence,
        };
      }
      if (unknown.length > 0) return { verdict: 'warn', expected: 'every backend HEALTHY', observed: unknown.map(([k, s]) => `${k}: ${s}`).join(', '), hint: 'health is not known yet; wait a few minutes and run again', evidence };
      return { verdict: 'pass', observed: `${entries.length} backend(s) HEALTHY`, evidence };
    }),
  },
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
        const explanation = dnsExplanation(facts, ing, host);
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
]);
