// Kubernetes checks (area k8s): the Milvus Service, its endpoints and pods, and the Milvus configuration.
// The Ingress and certificate checks live in k8s-ingress.ts, /healthz and the backend protocol in
// k8s-backend.ts; `k8sChecks` is all three, in the order a person reads them.
import { defineChecks, type CheckDef, type Judgement } from './define.js';
import { K8S_OBJECTS, evidenceOf, got, k8sView, NO_K8S, withService, type K8sView } from './k8s-common.js';

import { ingressChecks } from './k8s-ingress.js';
import { backendChecks } from './k8s-backend.js';
import { METRICS_PORT, MILVUS_PORT, milvusServicePort } from '../platform/k8s/discover.js';
import { selectorMatches } from '../platform/k8s/objects.js';
import type { ServiceFact } from '../platform/k8s/types.js';

function release(v: K8sView, svc: ServiceFact): string {
  return v.k8s.requested.release ?? svc.labels['app.kubernetes.io/instance'] ?? '<release>';
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

const serviceChecks: CheckDef[] = [
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
          observed: `Services in ${v.k8s.namespace}: ${services.value.map((s) => s.name).join(', ') || '(none)'}`,
          hint: v.notes.join('; ') || undefined,
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

const TLS_MODE_FIX = (rel: string, ns: string, mode: number): string =>
  [
    `# values.yaml (\`--set common.security.tlsMode\` is ignored by the chart; use extraConfigFiles)`,
    'extraConfigFiles:',
    '  user.yaml: |+',
    '    common:',
    '      security:',
    `        tlsMode: ${mode}`,
    `# then: helm upgrade ${rel} milvus/milvus -n ${ns} --reuse-values -f values.yaml`,
  ].join('\n');

function tlsModeJudgement(v: K8sView, svc: ServiceFact, mode: number, from: string | null): Judgement {
  const rel = release(v, svc);
  const observed = from ? `tlsMode ${mode} (${from})` : 'tlsMode not set (0: plaintext)';
  if (mode === 2) {
    return {
      verdict: 'fail',
      expected: v.provider === 'aws' ? 'tlsMode 0 (or 1 with backend-protocol HTTPS)' : 'tlsMode 1',
      observed,
      hint: 'tlsMode 2 demands client certificates that no L7 load balancer presents: every call fails with 502',
      fix: TLS_MODE_FIX(rel, svc.namespace, v.provider === 'aws' ? 0 : 1),
    };
  }
  if (v.provider === 'gcp') {
    if (mode === 1) return { verdict: 'pass', observed };
    return {
      verdict: 'fail',
      expected: 'tlsMode 1 (GKE speaks HTTP/2 to backends only over TLS)',
      observed,
      hint: 'a plaintext Milvus behind GKE Ingress is the 502-while-HEALTHY trap: the health check on 9091 passes, gRPC on 19530 fails; `--set common.security.tlsMode` is ignored by the chart',
      fix: TLS_MODE_FIX(rel, svc.namespace, 1),
    };
  }
  if (v.provider === 'aws') {
    const backendProtocol = v.ing?.annotations['alb.ingress.kubernetes.io/backend-protocol'] ?? 'HTTP';
    const wantsTls = backendProtocol.toUpperCase() === 'HTTPS';
    if (wantsTls === (mode === 1)) return { verdict: 'pass', observed, evidence: { 'backend-protocol': backendProtocol } };
    return {
      verdict: 'fail',
      expected: wantsTls ? 'tlsMode 1 (backend-protocol HTTPS)' : 'tlsMode 0 (the ALB sends plaintext HTTP/2 with the default backend-protocol HTTP)',
      observed,
      hint: wantsTls
        ? 'the ALB speaks TLS to the targets but Milvus serves plaintext: 502'
        : 'the ALB speaks plaintext to the targets but Milvus demands TLS: 502; set backend-protocol HTTPS or tlsMode 0',
      fix: wantsTls ? TLS_MODE_FIX(rel, svc.namespace, 1) : `kubectl -n ${svc.namespace} annotate ingress ${v.ing?.name ?? '<ingress>'} alb.ingress.kubernetes.io/backend-protocol=HTTPS --overwrite`,
      evidence: { 'backend-protocol': backendProtocol },
    };
  }
  return { verdict: 'pass', observed, evidence: { note: 'provider unknown: GKE needs 1, ALB with the default backend-protocol needs 0' } };
}

const configChecks: CheckDef[] = [
  {
    id: 'k8s.config.tls-mode',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.milvusConfig'],
    title: 'Milvus tlsMode matches what the load balancer speaks to it',
    severity: 'critical',
    hint: 'set common.security.tlsMode in user.yaml via extraConfigFiles (`--set common.security.tlsMode` is ignored by the chart)',
    fix: TLS_MODE_FIX('<release>', '<namespace>', 1),
    why: 'GKE sends HTTP/2 to backends only over TLS (tlsMode 1); the ALB with the default backend-protocol sends plaintext (tlsMode 0); tlsMode 2 requires client certificates no load balancer presents.',
    judge(facts) {
      return withService(facts, (v, svc) => {
        const cfg = got(v.k8s.milvusConfig, (message) => ({
          verdict: 'fail',
          expected: `the release ConfigMap ${svc.name}`,
          observed: message,
          hint: 'the ConfigMap the chart renders (default.yaml + user.yaml) was not found; was Milvus installed with the Helm chart?',
        }));
        if (!cfg.ok) return cfg.judgement;
        if (cfg.value.parseErrors.length > 0 && cfg.value.tlsModeFrom === null) {
          return { verdict: 'fail', expected: 'user.yaml parses', observed: cfg.value.parseErrors.join('; ') };
        }
        return tlsModeJudgement(v, svc, cfg.value.tlsMode ?? 0, cfg.value.tlsModeFrom);
      });
    },
  },
  {
    id: 'k8s.config.authorization',
    area: 'k8s',
    needs: [...K8S_OBJECTS, 'k8s.milvusConfig'],
    title: 'Milvus authorization is enabled',
    severity: 'major',
    hint: 'enable common.security.authorizationEnabled in user.yaml and rotate the root password',
    fix: ['extraConfigFiles:', '  user.yaml: |+', '    common:', '      security:', '        authorizationEnabled: true'].join('\n'),
    why: 'An Ingress makes Milvus reachable from outside the cluster; without authorization anyone who reaches the load balancer can read and drop collections.',
    judge(facts) {
      return withService(facts, (v) => {
        const cfg = got(v.k8s.milvusConfig, (message) => ({ verdict: 'skip', reason: message }));
        if (!cfg.ok) return cfg.judgement;
        if (cfg.value.authorizationEnabled === true) return { verdict: 'pass', observed: `authorizationEnabled: true (${cfg.value.authorizationFrom})` };
        return {
          verdict: 'warn',
          expected: 'common.security.authorizationEnabled: true',
          observed: cfg.value.authorizationEnabled === false ? `authorizationEnabled: false (${cfg.value.authorizationFrom})` : 'authorizationEnabled not set (false)',
        };
      });
    },
  },
];

export const k8sChecks: readonly CheckDef[] = defineChecks([...serviceChecks, ...configChecks, ...ingressChecks, ...backendChecks]);
