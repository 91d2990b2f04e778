// The GKE Ingress as ingress-gce leaves it (area gcp): port 80 closed, and the backends' health it reports.
import type { CheckDef } from '../define.js';
import { K8S_OBJECTS, annotationJson, evidenceOf, isOffline } from '../k8s/view.js';
import { gcpIngress } from './shared.js';

import { isRecord } from '../../platform/k8s/objects.js';

export const gcpIngressChecks: CheckDef[] = [
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
];
