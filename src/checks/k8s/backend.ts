// What stands behind the load balancer, seen from inside the cluster: /healthz on 9091 through the API
// server's proxy (the Service and each pod), and what a load balancer meets on the pod's 19530.
import type { CheckDef, Judgement } from '../define.js';
import { K8S_OBJECTS, evidenceOf, got, withService, type K8sView } from './view.js';

import type { HealthzReading, ServiceFact } from '../../platform/k8s/types.js';

function healthzDetail(r: HealthzReading): string {
  const counts = r.ready !== null && r.total !== null ? ` (${r.ready}/${r.total} components)` : '';
  const body = r.body.trim().slice(0, 200);
  return `${r.target}: ${r.error ?? `HTTP ${r.status}`}${counts}${body && !r.error ? ` "${body}"` : ''}`;
}

function backendExpectation(v: K8sView): 'tls' | 'h2c' | 'either' {
  if (v.provider === 'gcp') return 'tls';
  if (v.provider === 'aws') {
    const bp = (v.ing?.annotations['alb.ingress.kubernetes.io/backend-protocol'] ?? 'HTTP').toUpperCase();
    return bp === 'HTTPS' ? 'tls' : 'h2c';
  }
  return 'either';
}

function tlsModeFix(svc: ServiceFact, mode: number): string {
  return ['extraConfigFiles:', '  user.yaml: |+', '    common:', '      security:', `        tlsMode: ${mode}`, `# helm upgrade <release> milvus/milvus -n ${svc.namespace} --reuse-values -f values.yaml`].join('\n');
}

export const backendChecks: CheckDef[] = [
  {
    id: 'healthz.service-proxy',
    area: 'healthz',
    needs: [...K8S_OBJECTS, 'k8s.healthzService'],
    title: '/healthz on 9091 answers 200 through the Service',
    severity: 'major',
    hint: 'Milvus reports unhealthy components: look at the pods it names and their logs',
    fix: 'kubectl -n <namespace> get --raw \'/api/v1/namespaces/<namespace>/services/<service>:9091/proxy/healthz\'',
    why: 'GKE health-checks /healthz on 9091 and ALB targets follow pod readiness; a 500 "Not all components are healthy, x/y" means Milvus cannot serve even if the proxy is up.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const h = got(v.k8s.healthzService);
        if (!h.ok) return h.judgement;
        const r = h.value;
        if (r.status === 200) return { verdict: 'pass', observed: `${r.target}: 200 ${r.body.trim().slice(0, 40)}` };
        return {
          verdict: 'fail',
          expected: '200 OK',
          observed: healthzDetail(r),
          hint: r.status === 503 ? 'the API server found no ready endpoint for 9091 (see k8s.endpoints.ready, k8s.service.metrics-port)' : undefined,
          fix: `kubectl -n ${svc.namespace} get --raw "/api/v1/namespaces/${svc.namespace}/services/${svc.name}:9091/proxy/healthz"`,
        };
      });
    },
  },
  {
    id: 'healthz.pods',
    area: 'healthz',
    needs: [...K8S_OBJECTS, 'k8s.healthzPods', 'k8s.pods'],
    title: '/healthz on 9091 answers 200 on every Milvus pod',
    severity: 'major',
    hint: 'a pod reports "Not all components are healthy, x/y": fix the components it waits for (etcd, MinIO/S3, the message queue, coordinators)',
    fix: 'kubectl -n <namespace> get --raw \'/api/v1/namespaces/<namespace>/pods/<pod>:9091/proxy/healthz\'',
    why: 'The load balancer health-checks each endpoint separately; one unhealthy pod takes a share of the calls down while the Service as a whole may look fine.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const h = got(v.k8s.healthzPods);
        if (!h.ok) return h.judgement;
        if (h.value.length === 0) return { verdict: 'blocked', blockedBy: 'k8s.pods.ready', reason: 'no Milvus pod to ask' };
        const bad = h.value.filter((r) => r.status !== 200);
        const evidence = Object.fromEntries(h.value.map((r) => [r.target, r.error ?? `HTTP ${r.status}${r.ready !== null ? ` ${r.ready}/${r.total}` : ''}`]));
        if (bad.length === 0) return { verdict: 'pass', observed: `${h.value.length}/${h.value.length} pods 200`, evidence };
        if (bad.every((r) => r.error !== null && /FORBIDDEN|UNREACHABLE|TIMEOUT/.test(r.error))) {
          return { verdict: 'error', observed: bad.map(healthzDetail).join('; '), evidence };
        }
        const first = bad[0].target.replace(/^pods\//, '').replace(/:9091$/, '');
        return {
          verdict: 'fail',
          expected: '200 OK on every pod',
          observed: bad.map(healthzDetail).join('; '),
          fix: `kubectl -n ${svc.namespace} logs ${first} --tail=100`,
          evidence,
        };
      });
    },
  },
  {
    id: 'http2.backend-protocol',
    area: 'http2',
    needs: [...K8S_OBJECTS, 'k8s.backendProtocol'],
    title: 'the Milvus pod on 19530 speaks what the load balancer sends (GKE: TLS + h2; ALB: h2c gRPC)',
    severity: 'critical',
    hint: 'match Milvus tlsMode to the load balancer: GKE tlsMode 1; ALB tlsMode 0 with the default backend-protocol',
    fix: 'extraConfigFiles:\n  user.yaml: |+\n    common:\n      security:\n        tlsMode: 1   # GKE; 0 for the ALB with the default backend-protocol',
    why: 'GKE sends HTTP/2 to backends only over TLS, the ALB by default sends plaintext; a mismatch is 502 on every call while the health checks on 9091 stay green.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const b = got(v.k8s.backendProtocol);
        if (!b.ok) return b.judgement;
        const f = b.value;
        const want = backendExpectation(v);
        const evidence = evidenceOf({
          pod: f.pod,
          tls: f.tls.outcome,
          alpn: f.tls.alpn,
          'tls error': f.tls.error,
          h2c: f.h2c.ok ? `HTTP ${f.h2c.status} grpc-status ${f.h2c.grpcStatus ?? '-'}` : f.h2c.error,
        });
        if (f.tls.outcome === 'client-cert-required') {
          return {
            verdict: 'fail',
            expected: want === 'h2c' ? 'plaintext h2c gRPC (tlsMode 0)' : 'TLS without client certificates (tlsMode 1)',
            observed: `the pod demands a client certificate (tlsMode 2): ${f.tls.error ?? ''}`.trim(),
            hint: 'tlsMode 2 is mutual TLS: no load balancer presents a client certificate, so every call is a 502',
            fix: tlsModeFix(svc, want === 'h2c' ? 0 : 1),
            evidence,
          };
        }
        const tlsOk = f.tls.outcome === 'tls' && f.tls.alpn === 'h2';
        if (want === 'tls') {
          if (tlsOk) return { verdict: 'pass', observed: `TLS ${f.tls.protocol ?? ''} with ALPN h2`.replace('  ', ' '), evidence };
          if (f.tls.outcome === 'tls') {
            return { verdict: 'fail', expected: 'ALPN h2 on the TLS handshake', observed: `ALPN ${f.tls.alpn ?? 'none'}`, hint: 'the backend does not offer HTTP/2 over TLS', evidence };
          }
          return {
            verdict: 'fail',
            expected: 'a TLS handshake with ALPN h2 (tlsMode 1)',
            observed: f.h2c.ok ? 'plaintext h2c: the pod does not speak TLS' : `no TLS: ${f.tls.error ?? 'handshake failed'}`,
            hint: 'GKE reports the backend HEALTHY (the check is plain HTTP on 9091) while gRPC calls get 502: enable TLS in Milvus (tlsMode 1 in user.yaml)',
            fix: tlsModeFix(svc, 1),
            evidence,
          };
        }
        if (want === 'h2c') {
          if (f.h2c.ok) return { verdict: 'pass', observed: `h2c gRPC: HTTP ${f.h2c.status}, grpc-status ${f.h2c.grpcStatus ?? '-'}`, evidence };
          return {
            verdict: 'fail',
            expected: 'plaintext HTTP/2 gRPC (h2c) as the ALB sends with backend-protocol HTTP',
            observed: f.tls.outcome === 'tls' ? 'the pod speaks TLS only' : `h2c failed: ${f.h2c.error ?? 'no gRPC answer'}`,
            hint: f.tls.outcome === 'tls' ? 'set alb.ingress.kubernetes.io/backend-protocol: HTTPS, or run Milvus with tlsMode 0' : undefined,
            fix: f.tls.outcome === 'tls' ? `kubectl -n ${svc.namespace} annotate ingress ${v.ing?.name ?? '<ingress>'} alb.ingress.kubernetes.io/backend-protocol=HTTPS --overwrite` : undefined,
            evidence,
          };
        }
        if (tlsOk || f.h2c.ok) return { verdict: 'pass', observed: tlsOk ? 'TLS with ALPN h2' : 'h2c gRPC', evidence };
        const j: Judgement = { verdict: 'fail', expected: 'TLS + h2 or h2c gRPC on 19530', observed: `neither: ${f.tls.error ?? ''}; ${f.h2c.error ?? ''}`, evidence };
        return j;
      });
    },
  },
];
