// What backs the Service (area k8s): ready endpoints and ready proxy pods, the targets the load balancer
// actually sends to.
import type { CheckDef } from '../define.js';
import { K8S_OBJECTS, evidenceOf, got, withService } from './view.js';

export const endpointPodChecks: CheckDef[] = [
  {
    id: 'k8s.endpoints.ready',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.endpointSlices', 'k8s.pods'],
    title: 'the Milvus Service has ready endpoints',
    severity: 'critical',
    hint: 'no ready pod backs the Service: check the pods (k8s.pods.ready) and the Service selector',
    fix: 'kubectl -n <namespace> get endpointslices -l kubernetes.io/service-name=<service> -o wide',
    why: 'Load balancers send to the endpoints of the Service (ALB ip targets, GKE NEG endpoints); with none ready, ALB answers 503 and GKE 502.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const slices = got(v.k8s.endpointSlices);
        if (!slices.ok) return slices.judgement;
        const all = slices.value.flatMap((s) => s.endpoints);
        const ready = all.filter((e) => e.ready !== false);
        const addresses = ready.flatMap((e) => e.addresses);
        if (ready.length === 0) {
          return {
            verdict: 'fail',
            expected: 'at least one ready endpoint',
            observed: all.length === 0 ? `no endpoints (${slices.value.length} EndpointSlices)` : `${all.length} endpoints, none ready`,
            fix: `kubectl -n ${svc.namespace} get pods -l ${Object.entries(svc.selector).map(([k, x]) => `${k}=${x}`).join(',')} -o wide`,
          };
        }
        return { verdict: 'pass', observed: `${ready.length}/${all.length} ready`, evidence: evidenceOf({ addresses: addresses.join(', ') }) };
      });
    },
  },
  {
    id: 'k8s.pods.ready',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.pods'],
    title: 'the Milvus proxy pods are ready',
    severity: 'critical',
    hint: 'look at the pod events and logs: kubectl describe pod / kubectl logs --previous',
    fix: 'kubectl -n <namespace> describe pod <pod>; kubectl -n <namespace> logs <pod> --previous',
    why: 'A pod that is not ready is taken out of the endpoints and NEGs; a crash-looping proxy makes every LB health check flap.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const pods = got(v.k8s.pods);
        if (!pods.ok) return pods.judgement;
        const restarts = Object.fromEntries(
          pods.value.map((p) => [`restarts/${p.name}`, String(p.containers.reduce((n, c) => n + c.restartCount, 0))]),
        );
        const notReady = pods.value.filter((p) => !p.ready);
        const describe = (p: (typeof pods.value)[number]): string => {
          const waiting = p.containers.map((c) => c.waitingReason ?? c.lastTerminationReason).filter(Boolean);
          const cond = p.conditions.find((c) => c.type === 'Ready');
          return `${p.name} (${p.phase ?? 'unknown'}${waiting.length ? `, ${waiting.join(', ')}` : ''}${cond?.reason ? `, ${cond.reason}` : ''})`;
        };
        const selector = Object.entries(svc.selector).map(([k, x]) => `${k}=${x}`).join(',');
        if (pods.value.length === 0) {
          return {
            verdict: 'fail',
            expected: 'pods selected by the Service',
            observed: `no pod matches ${selector || '(empty selector)'}`,
            fix: `kubectl -n ${svc.namespace} get pods --show-labels`,
          };
        }
        if (notReady.length === pods.value.length) {
          return {
            verdict: 'fail',
            expected: 'all pods Ready',
            observed: `none ready: ${notReady.map(describe).join('; ')}`,
            fix: `kubectl -n ${svc.namespace} describe pod ${notReady[0].name}`,
            evidence: restarts,
          };
        }
        if (notReady.length > 0) {
          return {
            verdict: 'warn',
            expected: 'all pods Ready',
            observed: `${pods.value.length - notReady.length}/${pods.value.length} ready; not ready: ${notReady.map(describe).join('; ')}`,
            fix: `kubectl -n ${svc.namespace} describe pod ${notReady[0].name}`,
            evidence: restarts,
          };
        }
        return { verdict: 'pass', observed: `${pods.value.length}/${pods.value.length} ready`, evidence: restarts };
      });
    },
  },
];
