// The Milvus configuration the chart renders (area k8s): tlsMode must match what the load balancer speaks
// to the pods, and authorization matters once an Ingress makes Milvus public.
import type { CheckDef, Judgement } from '../define.js';
import { K8S_OBJECTS, got, release, withService, type K8sView } from './view.js';

import type { ServiceFact } from '../../platform/k8s/types.js';

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

export const configChecks: CheckDef[] = [
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
