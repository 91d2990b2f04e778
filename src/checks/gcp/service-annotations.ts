// GKE Service annotations (area gcp): valid JSON, HTTP2 for the Milvus port by name, a BackendConfig that
// exists, and NEGs asked for and created. ingress-gce ignores a wrong annotation silently, so each is judged.
import type { CheckDef, Judgement } from '../define.js';
import { K8S_OBJECTS, annotationJson, evidenceOf, isOffline } from '../k8s/view.js';
import { APP_PROTOCOLS, APP_PROTOCOLS_ALPHA, BACKEND_CONFIG_KEYS, JSON_KEYS, NEG, NEG_STATUS, annotateService, effectiveAppProtocols, gcpService } from './shared.js';
import { resolveBackendConfig } from './backendconfig.js';

import { MILVUS_PORT, milvusServicePort } from '../../platform/k8s/discover.js';
import { isRecord } from '../../platform/k8s/objects.js';
import type { ServiceFact } from '../../platform/k8s/types.js';

function appProtocolsJudgement(svc: ServiceFact): Judgement {
  const port = milvusServicePort(svc);
  if (!port || !port.name) return { verdict: 'blocked', blockedBy: 'k8s.service.port-named', reason: `the ${MILVUS_PORT} port has no name to key app-protocols by` };
  const want = `{"${port.name}":"HTTP2"}`;
  const fix = `${annotateService(svc, APP_PROTOCOLS, want)}${svc.annotations[APP_PROTOCOLS_ALPHA] !== undefined ? `\nkubectl -n ${svc.namespace} annotate service ${svc.name} ${APP_PROTOCOLS_ALPHA}-` : ''}`;
  const { key: effectiveKey, parsed: effective } = effectiveAppProtocols(svc);
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
  if (effectiveKey === APP_PROTOCOLS_ALPHA && effective.present) {
    const alpha = effective;
    const ga = annotationJson(svc.annotations, APP_PROTOCOLS);
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

export const gcpServiceChecks: CheckDef[] = [
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
];
