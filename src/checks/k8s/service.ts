// The Milvus Service the load balancer points at (area k8s): it exists, it is the only way in (ClusterIP,
// no leftover Layer-4 load balancer), and it exposes 19530 under a name and 9091.
import type { CheckDef } from '../define.js';
import type { Facts } from '../../facts/types.js';
import { K8S_OBJECTS, evidenceOf, got, k8sView, NO_K8S, release, withService, type K8sView } from './view.js';

import { METRICS_PORT, MILVUS_PORT, milvusServicePort } from '../../platform/k8s/discover.js';
import { selectorMatches } from '../../platform/k8s/objects.js';
import type { ServiceFact } from '../../platform/k8s/types.js';

/** The Milvus releases the selection found in the namespace: what the user may have meant. */
function releasesHere(facts: Facts): readonly string[] {
  return facts.selection.status === 'ok' ? facts.selection.value.releases : [];
}

function describePorts(svc: ServiceFact): string {
  return svc.ports.map((p) => `${p.name ?? '(unnamed)'}:${p.port}→${p.targetPort ?? p.port}`).join(', ') || '(none)';
}

/** Other LoadBalancer Services whose selector picks the Milvus pods: a leftover L4 load balancer. */
function leftoverLoadBalancers(v: K8sView, svc: ServiceFact): ServiceFact[] {
  if (v.k8s.services.status !== 'ok') return [];
  const podLabels: Record<string, string>[] =
    v.k8s.pods.status === 'ok' && v.k8s.pods.value.length > 0 ? v.k8s.pods.value.map((p) => ({ ...p.labels })) : [{ ...svc.selector }];
  return v.k8s.services.value.filter(
    (s) => s.name !== svc.name && s.type === 'LoadBalancer' && podLabels.some((labels) => selectorMatches(s.selector, labels)),
  );
}

export const serviceChecks: CheckDef[] = [
  {
    id: 'k8s.service.exists',
    area: 'k8s',
    needs: K8S_OBJECTS,
    title: 'the Milvus Service exists',
    severity: 'critical',
    hint: 'name the Service with --service, or the Helm release with --release and -n',
    fix: 'kubectl -n <namespace> get services -l app.kubernetes.io/name=milvus -o wide',
    why: 'Everything else (Ingress backend, NEG, target group) points at this Service; without it the load balancer has nothing to send traffic to.',
    judge(facts) {
      const v = k8sView(facts);
      if (!v) return { verdict: 'skip', reason: NO_K8S };
      const services = got(v.k8s.services);
      if (!services.ok) return services.judgement;
      if (!v.svc) {
        const { release: rel, service } = v.k8s.requested;
        return {
          verdict: 'fail',
          expected:
            service !== null
              ? `Service ${service} in ${v.k8s.namespace}`
              : rel !== null
                ? `a Service of release ${rel} (named ${rel}-milvus, or labelled app.kubernetes.io/instance=${rel}) with port ${MILVUS_PORT}`
                : `a Service with port ${MILVUS_PORT} in ${v.k8s.namespace}`,
          observed: `Services in ${v.k8s.namespace}: ${services.value.map((s) => s.name).join(', ') || '(none)'}${
            rel !== null ? `; Milvus releases there: ${releasesHere(facts).join(', ') || '(none)'}` : ''
          }`,
          hint: v.notes.join('; ') || undefined,
          ...(rel !== null && releasesHere(facts).length > 0 ? { fix: `milvus-l7-doctor -n ${v.k8s.namespace} --release ${releasesHere(facts)[0]}` } : {}),
        };
      }
      return {
        verdict: 'pass',
        observed: `${v.svc.namespace}/${v.svc.name} (${v.svc.type})`,
        evidence: evidenceOf({ ports: describePorts(v.svc), selector: Object.entries(v.svc.selector).map(([k, x]) => `${k}=${x}`).join(','), notes: v.notes.join('; ') }),
      };
    },
  },
  {
    id: 'k8s.service.clusterip',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.pods'],
    title: 'the Milvus Service is ClusterIP and no leftover LoadBalancer Service selects its pods',
    severity: 'major',
    hint: 'remove the Layer-4 load balancer as the guides do: helm upgrade <release> milvus/milvus --reuse-values --set service.type=ClusterIP',
    fix: 'helm upgrade <release> milvus/milvus -n <namespace> --reuse-values --set service.type=ClusterIP',
    why: 'The guides replace the Layer-4 load balancer with the Ingress; a LoadBalancer Service left behind keeps a public, unencrypted path to Milvus open and costs a second load balancer.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const rel = release(v, svc);
        const leftovers = leftoverLoadBalancers(v, svc);
        if (svc.type === 'LoadBalancer') {
          return {
            verdict: 'fail',
            expected: 'type ClusterIP',
            observed: `type LoadBalancer${svc.loadBalancerAddresses.length ? ` (${svc.loadBalancerAddresses.join(', ')})` : ''}`,
            fix: `helm upgrade ${rel} milvus/milvus -n ${svc.namespace} --reuse-values --set service.type=ClusterIP`,
          };
        }
        if (leftovers.length > 0) {
          return {
            verdict: 'fail',
            expected: 'no other LoadBalancer Service selecting the Milvus pods',
            observed: leftovers.map((s) => `${s.name} (LoadBalancer${s.loadBalancerAddresses.length ? ` ${s.loadBalancerAddresses.join(', ')}` : ''})`).join(', '),
            hint: 'a Layer-4 load balancer still exposes Milvus beside the Ingress; delete it',
            fix: leftovers.map((s) => `kubectl -n ${s.namespace} delete service ${s.name}`).join('\n'),
          };
        }
        if (svc.type !== 'ClusterIP') {
          return {
            verdict: 'warn',
            expected: 'type ClusterIP',
            observed: `type ${svc.type}`,
            hint: 'the guides use a ClusterIP Service with IP targets/NEGs; a NodePort also opens the port on every node',
            fix: `helm upgrade ${rel} milvus/milvus -n ${svc.namespace} --reuse-values --set service.type=ClusterIP`,
          };
        }
        return { verdict: 'pass', observed: `ClusterIP ${svc.clusterIP ?? ''}`.trim() };
      });
    },
  },
  {
    id: 'k8s.service.port-named',
    area: 'k8s',
    needs: K8S_OBJECTS,
    title: `the Service port ${MILVUS_PORT} exists and is named`,
    severity: 'critical',
    hint: `name the ${MILVUS_PORT} port (the chart names it \`milvus\`): GKE keys app-protocols by port name`,
    fix: 'kubectl -n <namespace> patch service <service> --type=json -p \'[{"op":"add","path":"/spec/ports/0/name","value":"milvus"}]\'',
    why: 'cloud.google.com/app-protocols is keyed by the Service port name; an unnamed port cannot be given HTTP2, so GKE talks HTTP/1.1 to a gRPC backend and clients get 502.',
    judge(facts) {
      return withService(facts, (_v, svc) => {
        const port = milvusServicePort(svc);
        if (!port) {
          return {
            verdict: 'fail',
            expected: `a Service port ${MILVUS_PORT}`,
            observed: describePorts(svc),
            fix: `kubectl -n ${svc.namespace} patch service ${svc.name} --type=json -p '[{"op":"add","path":"/spec/ports/-","value":{"name":"milvus","port":${MILVUS_PORT},"targetPort":${MILVUS_PORT},"protocol":"TCP"}}]'`,
          };
        }
        if (!port.name) {
          const index = svc.ports.indexOf(port);
          return {
            verdict: 'fail',
            expected: `port ${MILVUS_PORT} named (milvus)`,
            observed: `port ${MILVUS_PORT} has no name`,
            fix: `kubectl -n ${svc.namespace} patch service ${svc.name} --type=json -p '[{"op":"add","path":"/spec/ports/${index}/name","value":"milvus"}]'`,
          };
        }
        return { verdict: 'pass', observed: `${port.name}:${port.port}→${port.targetPort ?? port.port}` };
      });
    },
  },
  {
    id: 'k8s.service.metrics-port',
    area: 'k8s',
    needs: K8S_OBJECTS,
    title: `the Service exposes ${METRICS_PORT} (/healthz and metrics)`,
    severity: 'minor',
    hint: `expose ${METRICS_PORT} (chart: metrics.enabled=true): it serves /healthz for health checks and the API server proxy`,
    fix: 'helm upgrade <release> milvus/milvus -n <namespace> --reuse-values --set metrics.enabled=true',
    why: 'GKE health-checks /healthz on 9091 through the BackendConfig, and the doctor reads /healthz through the Service proxy on 9091.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const port = svc.ports.find((p) => p.port === METRICS_PORT || p.name === 'metrics');
        if (!port) {
          return {
            verdict: 'fail',
            expected: `a Service port ${METRICS_PORT}`,
            observed: describePorts(svc),
            fix: `helm upgrade ${release(v, svc)} milvus/milvus -n ${svc.namespace} --reuse-values --set metrics.enabled=true`,
          };
        }
        return { verdict: 'pass', observed: `${port.name ?? '(unnamed)'}:${port.port}` };
      });
    },
  },
];
