// HTTP/2 and gRPC through the load balancer: does a gRPC request for the host reach Milvus.
import { defineChecks, interrupted, need, skippedJudgement, type Judgement, probeFailed } from './define.js';
import type { Facts, GrpcHttpFact } from '../facts/types.js';
import { certificateBlocker } from './tls.js';
import { K8S_OBJECTS, k8sView } from './k8s/view.js';
import { appProtocolOfMilvusPort } from './gcp/shared.js';
import { gcpOutcome } from './gcp/compute-shared.js';
import { AWS_WIRE_STATE, awsWireState, type WireState } from './aws/wire-state.js';
import { milvusServicePort } from '../platform/k8s/discover.js';

/** What an HTTP status from an L7 load balancer means for a gRPC call (FAILURES.md, data path). */
export const LB_STATUS_MEANING: Record<number, { meaning: string; hint: string; fix?: string }> = {
  400: {
    meaning: 'the front rejected the request as bad HTTP',
    hint: 'a plaintext or HTTP/1.1-only listener in front, or a client sending plaintext to 443: use TLS with HTTP/2 end to end',
  },
  404: {
    meaning: 'no rule matched — the load balancer\'s default 404',
    hint: 'no Ingress rule matches :authority = the host: fix spec.rules[].host, or use the name the rule has. grpc-js reports this as UNIMPLEMENTED "Received HTTP status code 404", and the Node SDK turns it into an empty success',
    fix: 'kubectl -n <ns> get ingress <name> -o jsonpath=\'{.spec.rules[*].host}\' — the host must equal the name clients use',
  },
  464: {
    meaning: 'ALB: the target group protocol version is not GRPC',
    hint: 'the ALB target group was created for HTTP/1 or HTTP/2, not gRPC: set the backend protocol version annotation (the target group is recreated)',
    fix: 'kubectl -n <ns> annotate ingress <name> alb.ingress.kubernetes.io/backend-protocol-version=GRPC --overwrite',
  },
  502: {
    meaning: 'the load balancer could not talk to the target (protocol or TLS mismatch, or the target reset the connection)',
    hint: 'the protocol between the load balancer and Milvus does not match: ALB gRPC targets get plaintext h2c (tlsMode 0); GKE HTTP2 backends need Milvus with TLS (tlsMode 1) and app-protocols {"<port name>":"HTTP2"} keyed by the port NAME',
  },
  503: {
    meaning: 'no registered or healthy targets behind the load balancer',
    hint: 'the target group / NEG has no ready endpoints: check the pods, the health check (ALB gRPC health check; GKE BackendConfig HTTP :9091 /healthz) and target registration',
  },
  504: {
    meaning: 'the target did not answer in time',
    hint: 'the load balancer reaches no one on 19530: security groups / firewall rules must allow the load balancer to the pods on 19530 (and 9091 for GKE health checks)',
  },
};

function isGrpcAnswer(h: GrpcHttpFact): boolean {
  return h.grpcStatus !== null;
}

function describeAnswer(h: GrpcHttpFact): string {
  const parts = [`HTTP ${h.status ?? '?'}`];
  if (h.contentType) parts.push(h.contentType);
  if (h.grpcStatus !== null) parts.push(`grpc-status ${h.grpcStatus}${h.grpcMessage ? ` "${h.grpcMessage}"` : ''}`);
  if (h.server) parts.push(`server: ${h.server}`);
  return parts.join(', ');
}

function hostTargetsAddress(f: Facts): boolean {
  if (f.target.address === null) return true;
  const dns = f.dataPath.dns;
  if (dns.status !== 'ok') return false;
  const wanted = dns.value.addressResolved ?? [f.target.address];
  return dns.value.addresses.some((a) => wanted.includes(a));
}

/**
 * When the Kubernetes objects are right and the wire is wrong, the fix is not in the objects: say what the
 * objects show and where the gap is (the controller, the target), instead of repeating the object fix.
 */
function withObjects(f: Facts, status: number, host: string | null): { hint: string; fix?: string; generic?: true } | null {
  if (status === 404 && host === null) {
    return { hint: 'no --host was given, so the request carried :authority = the address, which no host rule matches: pass --host with the name in the Ingress rule and certificate' };
  }
  const v = k8sView(f);
  if (!v?.ing) return null;
  const ing = v.ing;
  const ns = ing.namespace;
  if (status === 464 && v.provider === 'aws' && ing.annotations['alb.ingress.kubernetes.io/backend-protocol-version'] === 'GRPC') {
    return {
      hint: `the Ingress ${ns}/${ing.name} already asks for a GRPC target group, yet the ALB answers 464: the controller has not reconciled it, or the target group was not recreated (its protocol version cannot change in place) — look at the Ingress events and the TargetGroupBinding`,
      fix: `kubectl -n ${ns} describe ingress ${ing.name}; kubectl -n ${ns} get targetgroupbindings -o wide; kubectl -n kube-system logs deploy/aws-load-balancer-controller | grep -i ${ing.name}`,
    };
  }
  if (status === 404 && host !== null && ing.rules.some((r) => r.host === host)) {
    return {
      hint: `the Ingress ${ns}/${ing.name} has a rule for ${host}, yet this load balancer answers 404 for :authority ${host}: it does not carry the rule (the controller has not reconciled — see k8s.ingress.events), or the address is another load balancer; clients that dial an address must also send :authority ${host} (Node SDK: grpc.default_authority), or they meet the same 404`,
      fix: `kubectl -n ${ns} describe ingress ${ing.name}  # events, and the ADDRESS clients must reach`,
    };
  }
  const tlsMode = v.k8s.milvusConfig.status === 'ok' ? v.k8s.milvusConfig.value.tlsMode ?? 0 : null;
  const gkeProtocol = v.svc ? appProtocolOfMilvusPort(v.svc) : null;
  if (status === 502 && tlsMode === 2) {
    return {
      hint: `Milvus asks every client for a certificate (tlsMode 2, mutual TLS), and the load balancer presents none: set tlsMode 1 in user.yaml (the load balancer terminates the clients' TLS; mutual TLS cannot pass through it)`,
      fix: `helm upgrade <release> milvus/milvus -n ${ns} --reuse-values -f tls-mode-1.yaml  # extraConfigFiles.user.yaml: common.security.tlsMode: 1`,
    };
  }
  if (status === 502 && v.provider === 'gcp' && v.svc && gkeProtocol !== 'HTTP2') {
    return {
      hint: `cloud.google.com/app-protocols on ${ns}/${v.svc.name} ${gkeProtocol === null ? 'does not name the gRPC port by its name' : `says ${gkeProtocol}`}, so ingress-gce makes the backend service speak HTTP/1.1 to Milvus (backends stay HEALTHY, every call gets 502); key it by the port name with HTTP2`,
      fix: `kubectl -n ${ns} annotate service ${v.svc.name} cloud.google.com/app-protocols='{"${milvusServicePort(v.svc)?.name ?? 'milvus'}":"HTTP2"}' --overwrite`,
    };
  }
  const protocolsMatch =
    tlsMode !== null &&
    ((v.provider === 'aws' && ing.annotations['alb.ingress.kubernetes.io/backend-protocol-version'] === 'GRPC' && tlsMode === 0) ||
      (v.provider === 'gcp' && gkeProtocol === 'HTTP2' && tlsMode === 1));
  if ((status === 502 || status === 503) && protocolsMatch) {
    return {
      hint: `the objects agree on the protocol (${v.provider === 'aws' ? 'GRPC target group, Milvus h2c' : 'HTTP2 backend, Milvus TLS'}), so the load balancer reaches no ready target: the targets are unreachable or not ready — look at the endpoints, the pods and the target / NEG health`,
      fix: `kubectl -n ${ns} get endpointslices -l kubernetes.io/service-name=${v.svc?.name ?? '<service>'} -o wide; kubectl -n ${ns} get pods -o wide`,
      // Where the cloud's own state was read, it says which targets and why: this guess then gives way.
      generic: true,
    };
  }
  return null;
}

/** The Compute facts a data-path finding reads on GKE. */
const GCP_WIRE_STATE = ['gcp.urlMap', 'gcp.backendService', 'gcp.backendHealth'] as const;

function hostRuleMatches(hosts: readonly string[], host: string): boolean {
  const h = host.toLowerCase();
  return hosts.some((x) => x === '*' || x.toLowerCase() === h || (x.startsWith('*.') && h.endsWith(x.slice(1).toLowerCase())));
}

/** What the Compute API says of a 404 or a 502 on GKE: the URL map's host rules, the backend service's protocol, NEG health. */
function gcpWireState(f: Facts, status: number, host: string | null): WireState | null {
  if (f.target.provider !== 'gcp') return null;
  const ing = k8sView(f)?.ing ?? null;
  if (status === 404) {
    const um = gcpOutcome(f, 'urlMap');
    if (um.status !== 'ok' || host === null || um.value.hostRules.some((r) => hostRuleMatches(r.hosts, host))) return null;
    const inIngress = ing?.rules.some((r) => r.host === host) ?? false;
    const why = ing
      ? inIngress
        ? `; the Ingress ${ing.namespace}/${ing.name} has a rule for ${host}, so ingress-gce has not synced it (the Ingress's Sync events), or the map was edited outside Kubernetes`
        : `; the Ingress ${ing.namespace}/${ing.name} has no rule for ${host} either: use the host in its spec.rules, or pass --host with it`
      : '';
    return {
      hint: `the URL map ${um.value.name} has no host rule for ${host} (Compute API): every request for it goes to the default service ${um.value.defaultService ?? '(none)'}, which answers 404${why}`,
      fix: ing ? `kubectl -n ${ing.namespace} describe ingress ${ing.name}  # the Sync events: ingress-gce writes the host rule from spec.rules[].host` : `gcloud compute url-maps describe ${um.value.name}`,
      evidence: { urlMap: `${um.value.name}: hosts ${um.value.hostRules.flatMap((r) => r.hosts).join(', ') || '(none)'}; default service ${um.value.defaultService ?? '(none)'}` },
    };
  }
  if (status !== 502 && status !== 503) return null;
  const bs = gcpOutcome(f, 'backendService');
  if (bs.status === 'ok' && bs.value.protocol !== 'HTTP2') {
    return {
      hint: `backend service ${bs.value.name} protocol ${bs.value.protocol ?? 'unset (HTTP)'} (Compute API), not HTTP2: the load balancer speaks HTTP/1.1 to Milvus's gRPC port, however HEALTHY the endpoints are`,
      evidence: { backendService: `${bs.value.name}: protocol ${bs.value.protocol ?? '?'}` },
    };
  }
  const health = gcpOutcome(f, 'backendHealth');
  if (health.status !== 'ok') return null;
  const name = bs.status === 'ok' ? bs.value.name : 'the backend service';
  const groups = health.value;
  const evidence = Object.fromEntries(groups.flatMap((g) => g.endpoints.map((e) => [`neg/${g.neg}/${e.ipAddress ?? '?'}:${e.port ?? '?'}`, e.healthState ?? 'UNKNOWN'])));
  const total = groups.reduce((n, g) => n + g.endpoints.length, 0);
  if (total === 0) {
    return {
      hint: `every NEG of ${name} is empty (Compute API: ${groups.map((g) => `${g.neg} in ${g.zone ?? '?'}`).join(', ') || 'no NEG'}): the load balancer has no endpoint to send to — look at the ready pods and the Service's cloud.google.com/neg-status`,
      evidence,
    };
  }
  const bad = groups.flatMap((g) => {
    const not = g.endpoints.filter((e) => e.healthState !== 'HEALTHY');
    return not.length ? [`${g.neg} (${g.zone ?? '?'}): ${not.map((e) => `${e.ipAddress ?? '?'}:${e.port ?? '?'} ${e.healthState ?? 'UNKNOWN'}`).join(', ')}`] : [];
  });
  if (bad.length > 0) {
    return {
      hint: `endpoints not HEALTHY per NEG of ${name} (Compute API): ${bad.join('; ')} — the health check (BackendConfig HTTP :9091 /healthz) fails on them: see gcp.health-check.config and gcp.firewall.health-check`,
      fix: `gcloud compute backend-services get-health ${name} --global`,
      evidence,
    };
  }
  const v = k8sView(f);
  const tlsMode = v && v.k8s.milvusConfig.status === 'ok' ? (v.k8s.milvusConfig.value.tlsMode ?? 0) : null;
  return {
    hint: `backend service ${name} speaks HTTP2 and every endpoint is HEALTHY (${total}/${total}, Compute API) while calls get ${status}: the health check (HTTP :9091 /healthz) never touches 19530, where the load balancer needs TLS with ALPN h2 — Milvus tlsMode 1${tlsMode !== null ? ` (it is ${tlsMode})` : ''}`,
    evidence,
  };
}

/** The cloud state behind a status, where the cloud's facts were gathered. */
function wireState(f: Facts, status: number, host: string | null): WireState | null {
  return awsWireState(f, status, host) ?? gcpWireState(f, status, host);
}

export const grpcChecks = defineChecks([
  {
    id: 'http2.grpc',
    area: 'http2',
    // The objects tell a wire failure the controller has not caught up with from one in the objects; the
    // cloud's own state (target group, target and NEG health, URL map) says which it is.
    needs: ['http2Host', 'http2Address', ...K8S_OBJECTS, 'k8s.milvusConfig'],
    uses: [...AWS_WIRE_STATE, ...GCP_WIRE_STATE],
    title: 'a gRPC request for the host reaches a gRPC server',
    severity: 'critical',
    hint: 'the load balancer must route :authority = host over HTTP/2 to Milvus\'s gRPC port',
    why: 'A raw HTTP/2 gRPC request (GetVersion, content-type application/grpc, te: trailers) shows the real :status the load balancer returns, which gRPC clients hide behind UNIMPLEMENTED/UNAVAILABLE — and the Node SDK behind an empty success. Where the cloud API was read, the finding names the load balancer\'s own state behind the status: the ALB\'s listener rule (404), target group protocol version (464) and target health (502/503); the URL map\'s host rules (404), the backend service\'s protocol and each NEG endpoint\'s health (502) on GKE.',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.http2Host);
      if (cut) return cut;
      const h = need(f.dataPath.http2Host, 'http2.grpc');
      if (!h.ok) {
        if (f.dataPath.http2Host.status === 'error') {
          const e = f.dataPath.http2Host.error;
          return { verdict: 'fail', expected: 'an HTTP/2 response with grpc-status', observed: `${e.code}: ${e.message}`, hint: 'the HTTP/2 exchange itself failed: see observed' };
        }
        return h.judgement;
      }
      const v = h.value;
      if (isGrpcAnswer(v)) return { verdict: 'pass', observed: describeAnswer(v) };
      const known = v.status !== null ? LB_STATUS_MEANING[v.status] : undefined;
      const evidence: Record<string, string> = {};
      if (v.bodySnippet) evidence.body = v.bodySnippet;
      const other = f.dataPath.http2Address;
      if (other.status === 'ok') evidence[`:authority ${other.value.authority}`] = describeAnswer(other.value);
      if (known && v.status !== null) {
        const cloud = wireState(f, v.status, k8sView(f)?.host ?? f.target.host);
        const objects = withObjects(f, v.status, f.target.host);
        // The cloud's state first; the objects' word beside it where it adds a cause (app-protocols, tlsMode 2),
        // not where the cloud already answers it (the target group of a 464, the URL map of a 404, target health).
        const keepObjects = objects !== null && (cloud === null || (!objects.generic && v.status !== 464 && v.status !== 404));
        const parts = [cloud, keepObjects ? objects : null].filter((p): p is { hint: string; fix?: string } => p !== null);
        const fix = [...parts].reverse().find((p) => p.fix)?.fix ?? known.fix;
        return {
          verdict: 'fail',
          expected: 'a gRPC answer (grpc-status) for :authority ' + v.authority,
          observed: `${describeAnswer(v)}: ${known.meaning}`,
          hint: parts.length ? parts.map((p) => p.hint).join('; ') : known.hint,
          ...(fix ? { fix } : {}),
          evidence: { ...evidence, ...cloud?.evidence },
        };
      }
      return {
        verdict: 'fail',
        expected: 'a gRPC answer (grpc-status) for :authority ' + v.authority,
        observed: `${describeAnswer(v)}: not a gRPC server`,
        hint: 'something that is not Milvus\'s gRPC port answered: check the Ingress backend service port (19530) and the load balancer protocol (gRPC / HTTP2)',
        evidence,
      };
    },
  },
  {
    id: 'http2.authority',
    area: 'http2',
    needs: ['http2Host', 'http2Address', 'dns'],
    title: 'requests reach Milvus with the :authority clients will send',
    severity: 'major',
    hint: 'clients that dial the address must send :authority = host, or the host rule sends them to the default 404',
    fix: 'pymilvus: connect(host=<address>, secure=True, server_name=<host>) sets :authority; Node SDK: channelOptions: { "grpc.default_authority": "<host>" } besides tls.serverName; or point DNS at the load balancer',
    why: 'The Node SDK\'s tls.serverName sets only SNI: :authority stays the dialled address, the host rule does not match, the load balancer answers 404, grpc-js maps it to UNIMPLEMENTED, and the SDK returns an empty "success". The doctor sends the request twice, with :authority = host and = address, to tell which clients work.',
    judge: (f): Judgement => {
      const host = need(f.dataPath.http2Host, 'http2.grpc');
      if (!host.ok) return host.judgement;
      const addr = need(f.dataPath.http2Address, 'http2.grpc');
      if (!addr.ok) return addr.judgement;
      const hostOk = isGrpcAnswer(host.value);
      const addrOk = isGrpcAnswer(addr.value);
      const h = host.value.authority;
      const a = addr.value.authority;
      if (hostOk && addrOk) return { verdict: 'pass', observed: `both ${h} and ${a} reach gRPC (host-less rule)` };
      if (hostOk && !addrOk) {
        const observed = `${h} → gRPC; ${a} → ${describeAnswer(addr.value)}`;
        if (hostTargetsAddress(f)) return { verdict: 'pass', observed: `${observed} (clients dial the host, so they send the right :authority)` };
        // Whether clients dial the host depends on DNS: a resolver that failed tells nothing, so do not guess.
        const dns = f.dataPath.dns;
        if (dns.status === 'error' && dns.error.code !== 'DNS_NOT_FOUND') {
          return { verdict: 'blocked', blockedBy: 'dns.resolves', reason: `whether clients dial the host depends on DNS, which did not answer (${dns.error.code})` };
        }
        return {
          verdict: 'warn',
          expected: `clients can reach gRPC at ${a}`,
          observed: `${observed}; the host does not resolve to this address${dns.status === 'error' ? ' (no DNS record yet)' : ''}, so clients must dial ${a} and override :authority`,
        };
      }
      if (!hostOk && addrOk) {
        return {
          verdict: 'fail',
          expected: `:authority ${h} is routed to Milvus`,
          observed: `${h} → ${describeAnswer(host.value)}; ${a} → gRPC`,
          hint: 'the rule routes the address but not the host: the Ingress rule names another host',
        };
      }
      return { verdict: 'blocked', blockedBy: 'http2.grpc', reason: 'neither authority reaches gRPC' };
    },
  },
  {
    id: 'grpc.health',
    area: 'grpc',
    needs: ['grpcHealth'],
    title: 'grpc.health.v1 Health/Check answers SERVING over 443',
    severity: 'major',
    hint: 'the gRPC health service reports the server is not serving',
    why: 'The standard gRPC health check through the load balancer, as load balancer health checks and service meshes use it.',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.grpcHealth);
      if (cut) return cut;
      const g = f.dataPath.grpcHealth;
      if (g.status === 'ok') {
        return g.value.status === 'SERVING'
          ? { verdict: 'pass', observed: 'SERVING' }
          : { verdict: 'fail', expected: 'SERVING', observed: g.value.status };
      }
      if (g.status === 'error') {
        if (g.error.code === 'GRPC_HEALTH_UNIMPLEMENTED') {
          return {
            verdict: 'warn',
            expected: 'grpc.health.v1.Health implemented',
            observed: 'UNIMPLEMENTED',
            hint: 'the server has no gRPC health service: point the ALB health check at a path Milvus answers (default /AWS.ALB/healthcheck with success codes 12)',
          };
        }
        return probeFailed(g.error, 'SERVING', undefined, f);
      }
      return skippedJudgement(g);
    },
  },
  {
    id: 'grpc.sdk-version',
    area: 'grpc',
    needs: ['milvusVersion', 'tls'],
    title: 'the Milvus SDK connects through the load balancer and GetVersion returns a version',
    severity: 'critical',
    hint: 'the SDK could not get a version through the load balancer',
    fix: 'new MilvusClient({ address: "<host>:443", ssl: true, tls: { serverName: "<host>" }, channelOptions: { "grpc.default_authority": "<host>" } })',
    why: 'The real @zilliz/milvus2-sdk-node, connected the way the guides connect (TLS, server name, :authority = host). An empty version is a failure: the SDK turns UNIMPLEMENTED (a 404 at the load balancer) into an empty success.',
    judge: (f, opts): Judgement => {
      const cut = interrupted(f.dataPath.milvusVersion);
      if (cut) return cut;
      const v = need(f.dataPath.milvusVersion, 'grpc.sdk-version');
      if (v.ok) return { verdict: 'pass', observed: `${v.value.version} (connected in ${v.value.connectMs} ms)` };
      const o = f.dataPath.milvusVersion;
      if (o.status !== 'error') return v.judgement;
      const cert = certificateBlocker(f, opts);
      if (cert) return cert;
      if (o.error.code === 'MILVUS_EMPTY_VERSION') {
        return {
          verdict: 'fail',
          expected: 'a non-empty server version',
          observed: 'an empty version: the SDK hid an UNIMPLEMENTED / HTTP 404 from the load balancer',
          hint: 'the SDK\'s call did not reach Milvus: set channelOptions grpc.default_authority to the host (tls.serverName sets SNI only)',
        };
      }
      return probeFailed(o.error, 'a server version', undefined, f);
    },
  },
]);
