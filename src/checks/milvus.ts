// Milvus itself through the load balancer: health, credentials, authorization, a smoke test, latency,
// and /healthz on 9091.
import { defineChecks, interrupted, need, type Judgement, probeFailed } from './define.js';
import type { Facts, MilvusAuthProbe } from '../facts/types.js';
import { certificateBlocker } from './tls.js';

const GRPC_UNAUTHENTICATED = 16;
const GRPC_OK = 0;

/** The call really went through: Milvus also refuses inside an OK gRPC reply (status code), so grpcCode 0 alone is not enough. */
function accepted(p: MilvusAuthProbe): boolean {
  return p.accepted ?? p.grpcCode === GRPC_OK;
}

/** Refused for want of (valid) credentials: UNAUTHENTICATED, or an OK reply whose Milvus status says so. */
function refusedAuth(p: MilvusAuthProbe): boolean {
  return p.grpcCode === GRPC_UNAUTHENTICATED || (p.grpcCode === GRPC_OK && !accepted(p));
}

function describe(p: MilvusAuthProbe): string {
  if (p.grpcCode === GRPC_UNAUTHENTICATED) return `UNAUTHENTICATED "${p.message}"`;
  if (p.grpcCode === GRPC_OK && !accepted(p)) return `refused in the reply status (${p.milvusErrorCode ?? p.milvusCode ?? '?'}: "${p.message}")`;
  return `gRPC code ${p.grpcCode} "${p.message}"`;
}

function anonymousAccepted(f: Facts): boolean | null {
  const a = f.dataPath.milvusAnonymous;
  return a.status === 'ok' ? accepted(a.value) : null;
}

export const milvusChecks = defineChecks([
  {
    id: 'milvus.health',
    area: 'milvus',
    needs: ['milvusHealth', 'tls'],
    title: 'Milvus CheckHealth reports healthy',
    severity: 'critical',
    hint: 'Milvus is up behind the load balancer but not healthy: fix the components it names',
    why: 'Load balancer health checks prove little (GKE probes /healthz on 9091, ALB counts UNIMPLEMENTED as healthy); CheckHealth asks Milvus itself, through the data path.',
    judge: (f, opts): Judgement => {
      const cut = interrupted(f.dataPath.milvusHealth);
      if (cut) return cut;
      const h = need(f.dataPath.milvusHealth, 'milvus.health');
      if (!h.ok) {
        const o = f.dataPath.milvusHealth;
        if (o.status !== 'error') return h.judgement;
        return certificateBlocker(f, opts) ?? probeFailed(o.error, 'isHealthy: true', undefined, f);
      }
      if (h.value.isHealthy) return { verdict: 'pass', observed: 'isHealthy: true' };
      return {
        verdict: 'fail',
        expected: 'isHealthy: true',
        observed: `isHealthy: false${h.value.reasons.length ? `: ${h.value.reasons.join('; ')}` : ' (no reasons given)'}`,
      };
    },
  },
  {
    id: 'milvus.credentials',
    area: 'milvus',
    needs: ['milvusAnonymous', 'milvusAuth', 'tls'],
    title: 'the given credentials are accepted (or none are needed)',
    severity: 'critical',
    hint: 'authorization is enabled on this Milvus: give a token (--token or MILVUS_TOKEN) or --user/--password',
    why: 'With authorizationEnabled, every call without valid credentials fails UNAUTHENTICATED "missing authorization". The doctor presents the given credentials only over TLS that verifies (against --ca or the system roots, for the server name): a certificate a client would refuse blocks this check instead of handing the secret to whoever serves it.',
    judge: (f, opts): Judgement => {
      const cut = interrupted(f.dataPath.milvusAuth);
      if (cut) return cut;
      if (f.target.credentials === 'none') {
        const anon = need(f.dataPath.milvusAnonymous, 'milvus.credentials');
        if (!anon.ok) return anon.judgement;
        if (refusedAuth(anon.value)) {
          return {
            verdict: 'fail',
            expected: 'credentials for a server with authorization enabled',
            observed: `${describe(anon.value)} and no --token/--user was given`,
          };
        }
        return { verdict: 'skip', reason: 'no credentials given, and none are required' };
      }
      const auth = need(f.dataPath.milvusAuth, 'milvus.credentials');
      if (!auth.ok) {
        const o = f.dataPath.milvusAuth;
        return o.status === 'error'
          ? (certificateBlocker(f, opts) ?? probeFailed(o.error, 'the credentials are accepted', 'the credential call failed: see observed', f))
          : auth.judgement;
      }
      if (accepted(auth.value)) return { verdict: 'pass', observed: `accepted (${f.target.credentials})` };
      // The credentials go only over a verified connection: a certificate a client refuses is why
      // they were never presented, not a refusal of the credentials.
      if (!refusedAuth(auth.value)) {
        const cert = certificateBlocker(f, opts);
        if (cert) return cert;
      }
      return {
        verdict: 'fail',
        expected: 'the credentials are accepted',
        observed: describe(auth.value),
        hint: 'the server refused the given credentials: check the token / user and password',
      };
    },
  },
  {
    id: 'security.authorization',
    area: 'security',
    needs: ['milvusAnonymous'],
    title: 'Milvus refuses calls without credentials (authorization is enabled)',
    severity: 'major',
    hint: 'anyone who reaches the load balancer can read and write: enable authorization',
    fix: 'extraConfigFiles:\n  user.yaml: |+\n    common:\n      security:\n        authorizationEnabled: true',
    why: 'An L7 load balancer with an internet-facing scheme publishes Milvus; without authorization every collection is open.',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.milvusAnonymous);
      if (cut) return cut;
      const anon = need(f.dataPath.milvusAnonymous, 'security.authorization');
      if (!anon.ok) {
        const o = f.dataPath.milvusAnonymous;
        return o.status === 'error' ? { verdict: 'error', observed: `the anonymous call failed: ${o.error.code}: ${o.error.message}` } : anon.judgement;
      }
      if (refusedAuth(anon.value)) return { verdict: 'pass', observed: `anonymous GetVersion refused: ${describe(anon.value)}` };
      if (accepted(anon.value)) {
        return { verdict: 'warn', expected: 'UNAUTHENTICATED without credentials', observed: 'anonymous calls are accepted: authorization is off' };
      }
      return { verdict: 'error', observed: `anonymous call answered gRPC code ${anon.value.grpcCode} "${anon.value.message}": cannot tell whether authorization is on` };
    },
  },
  {
    id: 'security.default-password',
    area: 'security',
    needs: ['milvusDefaultPassword', 'milvusAnonymous'],
    title: 'the default root password (root:Milvus) is refused',
    severity: 'critical',
    hint: 'rotate the root password: root:Milvus is public knowledge',
    fix: 'pymilvus: utility.reset_password("root", "Milvus", "<new>"); Node SDK: client.updateUser({ username: "root", oldPassword: "Milvus", newPassword: "<new>" })',
    why: 'Milvus ships with root:Milvus. Through a public load balancer, a deployment that kept it is open to anyone.',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.milvusDefaultPassword);
      if (cut) return cut;
      const d = need(f.dataPath.milvusDefaultPassword, 'security.default-password');
      if (!d.ok) {
        const o = f.dataPath.milvusDefaultPassword;
        return o.status === 'error' ? { verdict: 'error', observed: `the default-password call failed: ${o.error.code}: ${o.error.message}` } : d.judgement;
      }
      if (!accepted(d.value)) return { verdict: 'pass', observed: `root:Milvus refused: ${describe(d.value)}` };
      if (anonymousAccepted(f) === true) return { verdict: 'skip', reason: 'authorization is off, so any password is accepted (see security.authorization)' };
      return { verdict: 'fail', expected: 'root:Milvus refused', observed: 'root:Milvus is accepted through the load balancer' };
    },
  },
  {
    id: 'milvus.smoke',
    area: 'milvus',
    needs: ['smoke', 'tls'],
    title: 'a temporary collection can be created, written, searched and dropped',
    severity: 'major',
    hint: 'a data-plane call failed through the load balancer: see the failed step',
    why: 'With --smoke the doctor runs the calls an application makes (create, insert, search, drop) on a uniquely named collection, through the load balancer, and always drops it.',
    judge: (f, o): Judgement => {
      const cut = interrupted(f.dataPath.smoke);
      if (cut) return cut;
      if (!o.smoke) return { verdict: 'skip', reason: 'not requested (--smoke)' };
      const s = need(f.dataPath.smoke, 'milvus.smoke');
      if (!s.ok) {
        const out = f.dataPath.smoke;
        if (out.status !== 'error') return s.judgement;
        return certificateBlocker(f, o) ?? probeFailed(out.error, 'all steps succeed', undefined, f);
      }
      const steps = s.value.steps.map((st) => `${st.name} ${st.ok ? 'ok' : 'FAILED'} ${st.ms} ms`).join(', ');
      const failed = s.value.steps.find((st) => !st.ok);
      if (!failed && s.value.dropped) return { verdict: 'pass', observed: steps };
      return {
        verdict: 'fail',
        expected: 'create, insert, search and drop succeed',
        observed: `${steps}${failed?.error ? `; ${failed.name}: ${failed.error}` : ''}`,
        ...(s.value.dropped ? {} : { hint: `the collection ${s.value.collection} could not be dropped: drop it by hand` }),
      };
    },
  },
  {
    id: 'milvus.latency',
    area: 'milvus',
    needs: ['latency'],
    title: 'GetVersion round trips through the load balancer are fast enough',
    severity: 'minor',
    hint: 'calls are slow through the load balancer: compare with a call from inside the cluster',
    why: 'Evidence: p50/p95/max of N GetVersion calls through the whole path. A verdict only with --max-latency.',
    judge: (f, o): Judgement => {
      const cut = interrupted(f.dataPath.latency);
      if (cut) return cut;
      const l = need(f.dataPath.latency, 'grpc.sdk-version');
      if (!l.ok) return l.judgement;
      const v = l.value;
      const observed = `p50 ${v.p50} ms, p95 ${v.p95} ms, max ${v.max} ms over ${v.samples} calls${v.failed ? ` (${v.failed} failed)` : ''}`;
      const evidence = { p50: String(v.p50), p95: String(v.p95), max: String(v.max), samples: String(v.samples) };
      if (v.failed > 0) return { verdict: 'fail', expected: `${v.samples} successful calls`, observed, evidence, hint: 'some calls failed through the load balancer: look for resets (idle timeout) or unhealthy targets' };
      if (o.maxLatencyMs !== null && v.p95 > o.maxLatencyMs) return { verdict: 'fail', expected: `p95 ≤ ${o.maxLatencyMs} ms`, observed, evidence };
      return { verdict: 'pass', observed, evidence };
    },
  },
  {
    id: 'healthz.ready',
    area: 'healthz',
    needs: ['healthz'],
    title: '/healthz on 9091 answers 200 "OK"',
    severity: 'major',
    hint: 'Milvus reports components that are not ready: fix the ones named',
    why: 'The GKE health check probes /healthz on 9091 (BackendConfig); a 500 "Not all components are healthy, x/y" takes the endpoint out of the NEG.',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.healthz);
      if (cut) return cut;
      const h = need(f.dataPath.healthz, 'healthz.ready');
      if (!h.ok) {
        const o = f.dataPath.healthz;
        return o.status === 'error' ? probeFailed(o.error, '200 "OK"', 'the /healthz endpoint did not answer: check --healthz-url and that port 9091 is exposed', f) : h.judgement;
      }
      const v = h.value;
      if (v.status === 200 && v.body.trim() === 'OK') return { verdict: 'pass', observed: '200 OK' };
      const oneLine = v.body.replace(/\s+/g, ' ').trim();
      const html = /html/i.test(v.contentType ?? '') || /^<(!doctype|html)/i.test(oneLine);
      // Milvus answers 200 "OK" or 500 "Not all components are healthy, x/y": anything else is another server.
      if (v.status === 404 || html || (v.status !== 500 && v.ready === null)) {
        return {
          verdict: 'fail',
          expected: '200 "OK" from Milvus\'s /healthz on its metrics port 9091',
          observed: `this is not Milvus's /healthz (${v.status}${v.contentType ? ` ${v.contentType.split(';')[0]}` : ''}): "${oneLine.slice(0, 120)}"`,
          hint: '--healthz-url reaches some other server: Milvus serves /healthz on its metrics port 9091 (the Service port named metrics, or a pod\'s 9091)',
          fix: 'kubectl -n <namespace> port-forward svc/<release>-milvus 9091:9091, then --healthz-url http://127.0.0.1:9091/healthz',
        };
      }
      const detail = v.ready !== null && v.total !== null ? ` (${v.ready}/${v.total} ready${v.unhealthyComponents.length ? `; not ready: ${v.unhealthyComponents.join(', ')}` : ''})` : '';
      return { verdict: 'fail', expected: '200 "OK"', observed: `${v.status} "${oneLine.slice(0, 160)}"${detail}` };
    },
  },
]);
