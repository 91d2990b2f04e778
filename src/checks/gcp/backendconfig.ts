// The BackendConfig the Service names (area gcp): how the backend-config annotation resolves to one, and its
// health check and timeout, which decide whether GKE marks Milvus HEALTHY and how long a call may run.
import type { CheckDef, Judgement } from '../define.js';
import { K8S_OBJECTS, annotationJson, got, withService, type K8sView } from '../k8s/view.js';
import { BACKEND_CONFIG_KEYS, annotateService } from './shared.js';

import { METRICS_PORT, MILVUS_PORT, milvusServicePort } from '../../platform/k8s/discover.js';
import { isRecord } from '../../platform/k8s/objects.js';
import type { Facts } from '../../facts/types.js';
import type { BackendConfigFact, ServiceFact } from '../../platform/k8s/types.js';

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

export function resolveBackendConfig(v: K8sView, svc: ServiceFact): Resolved {
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

export const backendConfigChecks: CheckDef[] = [
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
];
