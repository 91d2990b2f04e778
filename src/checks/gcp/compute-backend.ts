// The load balancer's back as the Compute API reports it (area gcp): the backend service's protocol and
// timeout, the health check against the BackendConfig, each NEG endpoint's health against the ready pods,
// and the firewall that lets the health checks in. Each finding is traced back to the Kubernetes object
// ingress-gce derived it from, so the fix names that object.
import type { CheckDef, Judgement } from '../define.js';
import { K8S_OBJECTS, annotationJson, evidenceOf, got, k8sView } from '../k8s/view.js';
import { APP_PROTOCOLS, APP_PROTOCOLS_ALPHA, annotateService } from './shared.js';
import { resolveBackendConfig } from './backendconfig.js';
import { PROBE_RANGES, behind, clusterSide, gcloud, gcpOutcome, gotGcp, notCreated, projectOf } from './compute-shared.js';
import type { Facts } from '../../facts/types.js';
import { METRICS_PORT, MILVUS_PORT, milvusServicePort } from '../../platform/k8s/discover.js';
import type { BackendConfigFact } from '../../platform/k8s/types.js';
import type { GcpFirewallFact, GcpGroupHealthFact, GcpInstanceFact } from '../../sources/gcp/values.js';

const NEG_READY = 'cloud.google.com/load-balancer-neg-ready';
/** The owner of the backend service read: the other checks that read it are blocked by it on a 404. */
const PROTOCOL = 'gcp.backend-service.protocol';

/** Why the backend service speaks what it speaks: the app-protocols annotation as ingress-gce reads it. */
function protocolOrigin(facts: Facts): { why: string; fix: string | null } {
  const { svc } = clusterSide(facts);
  if (!svc) return { why: 'the app-protocols annotation of the Service decides it', fix: null };
  const port = milvusServicePort(svc);
  const name = port?.name ?? null;
  const want = `{"${name ?? 'milvus'}":"HTTP2"}`;
  const fix = annotateService(svc, APP_PROTOCOLS, want) + (svc.annotations[APP_PROTOCOLS_ALPHA] !== undefined ? `\nkubectl -n ${svc.namespace} annotate service ${svc.name} ${APP_PROTOCOLS_ALPHA}-` : '');
  const alpha = annotationJson(svc.annotations, APP_PROTOCOLS_ALPHA);
  const ga = annotationJson(svc.annotations, APP_PROTOCOLS);
  const used = alpha.present ? alpha : ga;
  const key = alpha.present ? APP_PROTOCOLS_ALPHA : APP_PROTOCOLS;
  if (!used.present) return { why: `the Service ${svc.name} has no ${APP_PROTOCOLS}: ingress-gce defaults to HTTP`, fix };
  if (!name) return { why: `the Service port ${MILVUS_PORT} has no name, and ${key} is keyed by port name: ingress-gce defaults to HTTP`, fix };
  const map = used.value && typeof used.value === 'object' ? (used.value as Record<string, unknown>) : {};
  if (!(name in map)) {
    const byNumber = String(port?.port) in map;
    return { why: `${key}: ${used.raw} has no entry for the port name ${name}${byNumber ? ' (it is keyed by the port number, which ingress-gce ignores)' : ''}: ingress-gce defaults to HTTP`, fix };
  }
  return { why: `${key}: ${used.raw} says ${String(map[name])}${alpha.present && ga.present ? ` (the alpha key wins over ${APP_PROTOCOLS})` : ''}`, fix };
}

function backendConfigOf(facts: Facts): BackendConfigFact | null {
  const v = k8sView(facts);
  if (!v?.svc || v.k8s.backendConfigs.status !== 'ok') return null;
  const r = resolveBackendConfig(v, v.svc);
  return r.ok ? r.bc : null;
}

function readyPodIps(facts: Facts): { ips: Map<string, string>; negReady: Record<string, string> } | null {
  const v = k8sView(facts);
  if (!v) return null;
  const pods = got(v.k8s.pods);
  if (!pods.ok) return null;
  const ips = new Map(pods.value.filter((p) => p.ready && p.podIP).map((p) => [p.podIP as string, p.name]));
  const negReady = Object.fromEntries(
    pods.value.flatMap((p) => p.conditions.filter((c) => c.type === NEG_READY).map((c) => [`neg-ready/${p.name}`, `${c.status}${c.reason ? ` ${c.reason}` : ''}`])),
  );
  return { ips, negReady };
}

function endpointsLine(groups: readonly GcpGroupHealthFact[]): Record<string, string> {
  return Object.fromEntries(groups.flatMap((g) => g.endpoints.map((e) => [`${g.zone ?? '?'}/${e.ipAddress ?? '?'}:${e.port ?? '?'}`, e.healthState ?? 'UNKNOWN'])));
}

/** IPv4 CIDR a ⊇ b. */
function cidrCovers(a: string, b: string): boolean {
  const parse = (c: string): [number, number] | null => {
    const [ip, len] = c.split('/');
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return null;
    return [((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0, len === undefined ? 32 : Number(len)];
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y || x[1] > y[1]) return false;
  const mask = x[1] === 0 ? 0 : (~0 << (32 - x[1])) >>> 0;
  return (x[0] & mask) === (y[0] & mask);
}

function admitsPort(f: GcpFirewallFact, port: number): boolean {
  return f.rules.some((r) => (r.protocol === 'tcp' || r.protocol === 'all') && (r.ports.length === 0 || r.ports.some((p) => {
    const [lo, hi] = p.split('-').map(Number);
    return lo <= port && port <= (Number.isFinite(hi) ? hi : lo);
  })));
}

/**
 * Whether a firewall rule applies to a VM: on its network, and targeting one of its tags (a rule without
 * targetTags applies to every VM of its network). Unknown on either side counts, rather than guess it away.
 */
function ruleAppliesTo(f: GcpFirewallFact, vm: GcpInstanceFact): boolean {
  const project = vm.networkProject === null || f.networkProject === null || f.networkProject === vm.networkProject;
  const network = project && (vm.network === null || f.network === null || f.network === vm.network);
  return network && (f.targetTags.length === 0 || f.targetTags.some((t) => vm.tags.includes(t)));
}

const byPriority = (a: GcpFirewallFact, b: GcpFirewallFact) => (a.priority ?? 1000) - (b.priority ?? 1000);

/**
 * ingress-gce's word that it may not write the firewall (a Shared VPC): the reason XPN, or, as current
 * versions send it, a Normal Sync (older: LoadBalancerManualChange) event whose message carries the gcloud command.
 */
function xpnEvent(facts: Facts): string | null {
  const events = facts.k8s?.ingressEvents.status === 'ok' ? facts.k8s.ingressEvents.value : [];
  return events.find((e) => e.reason === 'XPN' || /Firewall change required by (network|security) admin/i.test(e.message))?.message ?? null;
}

function firewallJudgement(facts: Facts): Judgement {
  const fw = gotGcp(facts, 'firewalls');
  if (!fw.ok) return fw.judgement;
  const hc = gotGcp(facts, 'healthCheck');
  // A check on the serving port needs no other port open; without the health check, Milvus's is 9091.
  const hcPort = hc.ok ? (hc.value.port ?? MILVUS_PORT) : METRICS_PORT;
  const ports = [...new Set([MILVUS_PORT, hcPort])];
  const active = fw.value.filter((f) => !f.disabled);
  const inst = gcpOutcome(facts, 'instances');
  // The VMs that host Milvus's endpoints decide which rules count; without them every rule does (and we say so).
  const vms = inst.status === 'ok' && inst.value.length > 0 ? inst.value : null;
  const targets = vms ? vms.map((vm) => ({ vm: vm.name, rules: active.filter((f) => ruleAppliesTo(f, vm)) })) : [{ vm: null, rules: active }];
  const missing = new Map<string, string[]>();
  const denied = new Map<string, string[]>();
  const evidence: Record<string, string> = {};
  const add = (m: Map<string, string[]>, key: string, vm: string | null) => m.set(key, [...(m.get(key) ?? []), ...(vm ? [vm] : [])]);
  const probes = (f: GcpFirewallFact, range: string, port: number) => f.sourceRanges.some((r) => cidrCovers(r, range)) && admitsPort(f, port);
  for (const t of targets) {
    for (const range of PROBE_RANGES) {
      for (const port of ports) {
        const allow = t.rules.filter((f) => f.action === 'allow' && probes(f, range, port)).sort(byPriority)[0];
        const deny = t.rules.filter((f) => f.action === 'deny' && probes(f, range, port)).sort(byPriority)[0];
        // At equal priority a deny wins (Google's rule order).
        if (!allow) add(missing, `${range} → tcp:${port}`, t.vm);
        else if (deny && (deny.priority ?? 1000) <= (allow.priority ?? 1000)) add(denied, `${range} → tcp:${port} (deny ${deny.name} priority ${deny.priority ?? 1000} ≤ allow ${allow.name} ${allow.priority ?? 1000})`, t.vm);
        else evidence[`${range} tcp:${port}`] ??= `${allow.name} (priority ${allow.priority ?? 1000})`;
      }
    }
  }
  const project = projectOf(facts);
  // A network in another project is a Shared VPC's: name it with its host project.
  const networkName = (name: string | null, of: string | null) => (name === null ? null : of && of !== project ? `${name} (project ${of})` : name);
  const networks = [...new Set((vms ?? []).map((v) => networkName(v.network, v.networkProject)).filter((n): n is string => n !== null))];
  const tags = [...new Set((vms ?? []).flatMap((v) => v.tags))];
  if (vms) {
    evidence.network = networks.join(', ') || '(unknown)';
    evidence.nodeTags = tags.join(', ') || '(none)';
    // Rules that would admit the probes but not on these VMs: a rule on another VPC or for another node pool.
    const elsewhere = active.filter((f) => f.action === 'allow' && PROBE_RANGES.some((r) => ports.some((p) => probes(f, r, p))) && !vms.every((vm) => ruleAppliesTo(f, vm)));
    if (elsewhere.length > 0) {
      evidence.notCounted = elsewhere.map((f) => `${f.name} (network ${networkName(f.network, f.networkProject) ?? '?'}, targetTags ${f.targetTags.join(',') || 'all'})`).join('; ');
    }
  } else {
    evidence.note = inst.status === 'error'
      ? `the VMs behind the NEG endpoints could not be read (${inst.error.message}): every rule of the project was counted, whatever its network and target tags`
      : 'no NEG endpoint to take the VMs from: every rule of the project was counted, whatever its network and target tags';
  }
  const xpn = xpnEvent(facts);
  if (xpn) evidence.xpn = xpn;
  if (missing.size === 0 && denied.size === 0) return { verdict: 'pass', observed: `the health-check ranges reach tcp:${ports.join(', tcp:')}${vms ? ` on ${vms.map((v) => v.name).join(', ')}` : ''}`, evidence };
  const list = (m: Map<string, string[]>) => [...m].map(([k, on]) => (vms && on.length < vms.length ? `${k} on ${on.join(', ')}` : k)).join(', ');
  const l7 = active.find((f) => f.name.startsWith('k8s-fw-l7-') && (!vms || vms.every((vm) => ruleAppliesTo(f, vm))));
  const vm0 = vms?.[0];
  const where = `${vm0?.network ? ` --network ${vm0.network}` : ' --network <network>'}${tags.length ? ` --target-tags ${tags[0]}` : ''}`;
  return {
    verdict: 'fail',
    expected: `allow ${PROBE_RANGES.join(', ')} to tcp:${ports.join(', tcp:')} on the nodes' network${networks.length ? ` (${networks.join(', ')})` : ''}${tags.length ? ` and tags (${tags.join(', ')})` : ''}`,
    observed: [...(missing.size ? [`not allowed: ${list(missing)}`] : []), ...(denied.size ? [`denied: ${list(denied)}`] : [])].join('; '),
    hint: xpn
      ? `Shared VPC: ingress-gce cannot write the firewall in the host project; run what its XPN event says: ${xpn}`
      : `the load balancer's health checks (from ${PROBE_RANGES.join(', ')}) never reach port ${hcPort}: every endpoint turns UNHEALTHY${evidence.notCounted ? '; a rule that would admit them is on another network or targets other tags' : ''}`,
    fix: l7
      ? gcloud(`firewall-rules update ${l7.name} --allow tcp:${ports.join(',tcp:')}`, project)
      : gcloud(`firewall-rules create milvus-lb-health${where} --direction INGRESS --source-ranges ${PROBE_RANGES.join(',')} --allow tcp:${ports.join(',tcp:')}`, project),
    evidence,
  };
}

export const computeBackendChecks: CheckDef[] = [
  {
    id: 'gcp.backend-service.protocol',
    area: 'gcp',
    // Its only warning is a resource the controller is still creating for a new Ingress.
    settles: true,
    needs: [...K8S_OBJECTS, 'gcp.backendService'],
    appliesTo: { provider: 'gcp' },
    title: 'the Milvus backend service speaks HTTP2 to the pods',
    severity: 'critical',
    hint: 'key cloud.google.com/app-protocols by the Service port NAME: {"milvus":"HTTP2"}',
    fix: 'kubectl -n <namespace> annotate service <service> cloud.google.com/app-protocols=\'{"milvus":"HTTP2"}\' --overwrite',
    why: 'gRPC needs HTTP/2 end to end. With HTTP or HTTPS the load balancer speaks HTTP/1.1 to Milvus: the health check (HTTP on 9091) stays HEALTHY while every client gets 502.',
    judge(facts, options) {
      const bs = gotGcp(facts, 'backendService', notCreated(facts, options, 'the Milvus backend service', 'ingress.kubernetes.io/backends'));
      if (!bs.ok) return bs.judgement;
      const v = bs.value;
      const evidence = evidenceOf({ backendService: v.name, portName: v.portName, connectionDraining: v.connectionDrainingSec === null ? null : `${v.connectionDrainingSec}s`, logging: v.logEnabled === null ? null : String(v.logEnabled), chosenBy: v.from });
      if (v.protocol === 'HTTP2') return { verdict: 'pass', observed: `${v.name}: HTTP2`, evidence };
      const origin = protocolOrigin(facts);
      return {
        verdict: 'fail',
        expected: 'protocol HTTP2',
        observed: `${v.name}: ${v.protocol ?? '(unset: HTTP)'} — the load balancer speaks HTTP/1.1 to Milvus: 502 while the backends are HEALTHY`,
        hint: `${origin.why}; key it by the port name with HTTP2`,
        ...(origin.fix ? { fix: origin.fix } : { fix: gcloud(`backend-services update ${v.name} --global --protocol HTTP2`, projectOf(facts)) }),
        evidence,
      };
    },
  },
  {
    id: 'gcp.backend-service.timeout',
    area: 'gcp',
    needs: [...K8S_OBJECTS, 'gcp.backendService', 'k8s.backendConfigs'],
    appliesTo: { provider: 'gcp' },
    title: 'the backend service timeout is longer than the 30 s default',
    severity: 'major',
    hint: 'set timeoutSec in the BackendConfig (e.g. 600): the backend service cuts every call at timeoutSec',
    fix: 'kubectl -n <namespace> patch backendconfig <backendconfig> --type=merge -p \'{"spec":{"timeoutSec":600}}\'',
    why: 'Searches over large collections, bulk inserts and streams run past 30 s; the load balancer then answers 502/UNAVAILABLE whatever the client deadline.',
    judge(facts) {
      const bs = gotGcp(facts, 'backendService', behind(PROTOCOL));
      if (!bs.ok) return bs.judgement;
      const t = bs.value.timeoutSec ?? 30;
      const bc = backendConfigOf(facts);
      const evidence = evidenceOf({ backendConfig: bc ? `${bc.name} timeoutSec ${bc.timeoutSec ?? '(unset)'}` : null });
      if (t > 30) return { verdict: 'pass', observed: `${bs.value.name}: timeoutSec ${t}`, evidence };
      return {
        verdict: 'fail',
        expected: 'timeoutSec > 30 (the longest call you make)',
        observed: `${bs.value.name}: timeoutSec ${t}${t === 30 ? ' (the default)' : ''}: calls longer than ${t} s end in 502`,
        hint: bc ? `the BackendConfig ${bc.name} sets ${bc.timeoutSec === null ? 'no timeoutSec' : `timeoutSec ${bc.timeoutSec}`}` : 'set timeoutSec in the BackendConfig the Service names',
        fix: bc ? `kubectl -n ${bc.namespace} patch backendconfig ${bc.name} --type=merge -p '{"spec":{"timeoutSec":600}}'` : gcloud(`backend-services update ${bs.value.name} --global --timeout 600`, projectOf(facts)),
        evidence,
      };
    },
  },
  {
    id: 'gcp.health-check.config',
    area: 'gcp',
    // Its only warning is a resource the controller is still creating for a new Ingress.
    settles: true,
    needs: [...K8S_OBJECTS, 'gcp.backendService', 'gcp.healthCheck', 'k8s.backendConfigs'],
    appliesTo: { provider: 'gcp' },
    title: 'the backend service\'s health check is the BackendConfig\'s: HTTP on 9091 /healthz',
    severity: 'critical',
    hint: 'BackendConfig spec.healthCheck: type HTTP, port 9091, requestPath /healthz, timeoutSec ≤ checkIntervalSec, on the Service',
    fix: 'spec:\n  healthCheck:\n    type: HTTP\n    port: 9091\n    requestPath: /healthz',
    why: 'Milvus answers health checks only over HTTP/1 on 9091 /healthz; any other check marks every endpoint UNHEALTHY and the load balancer sends nothing.',
    judge(facts, options) {
      const hc = gotGcp(facts, 'healthCheck', notCreated(facts, options, 'the health check of the backend service', null));
      if (!hc.ok) return hc.judgement;
      const h = hc.value;
      const bc = backendConfigOf(facts);
      const problems: string[] = [];
      if (h.type !== 'HTTP') problems.push(`type ${h.type ?? '?'} (want HTTP)`);
      if (h.port !== METRICS_PORT) problems.push(`port ${h.port ?? `(${h.portSpecification ?? 'serving port'})`} (want ${METRICS_PORT})`);
      if (h.portSpecification !== null && h.portSpecification !== 'USE_FIXED_PORT') problems.push(`portSpecification ${h.portSpecification} (want USE_FIXED_PORT)`);
      if (h.requestPath !== '/healthz') problems.push(`requestPath ${h.requestPath ?? '/'} (want /healthz)`);
      if (h.timeoutSec !== null && h.checkIntervalSec !== null && h.timeoutSec > h.checkIntervalSec) problems.push(`timeoutSec ${h.timeoutSec} > checkIntervalSec ${h.checkIntervalSec}`);
      const observed = `${h.name}: ${h.type ?? '?'} port ${h.port ?? '?'} (${h.portSpecification ?? '?'}) ${h.requestPath ?? '/'}, interval ${h.checkIntervalSec ?? '?'}s, timeout ${h.timeoutSec ?? '?'}s`;
      const asked = bc?.healthCheck ? `the BackendConfig ${bc.name} asks for ${bc.healthCheck.type ?? '?'} port ${bc.healthCheck.port ?? '?'} ${bc.healthCheck.requestPath ?? '/'}` : null;
      if (problems.length === 0) return { verdict: 'pass', observed, ...(asked ? { evidence: { backendConfig: asked } } : {}) };
      const bcSaysRight = bc?.healthCheck && (bc.healthCheck.type ?? '').toUpperCase() === 'HTTP' && bc.healthCheck.port === METRICS_PORT && bc.healthCheck.requestPath === '/healthz';
      const { svc } = clusterSide(facts);
      const hint = bcSaysRight
        ? `${asked}, but the health check differs: ingress-gce has not reconciled it yet, or it was edited outside Kubernetes (it is put back on the next sync: kubectl describe ingress)`
        : bc
          ? `${asked}: fix the BackendConfig`
          : svc
            ? `the Service ${svc.name} names no BackendConfig that exists, so ingress-gce uses its default check (the serving port, path /)`
            : 'align the health check with Milvus: HTTP, 9091, /healthz';
      return {
        verdict: 'fail',
        expected: 'HTTP, port 9091 (USE_FIXED_PORT), /healthz, timeoutSec ≤ checkIntervalSec',
        observed: `${problems.join('; ')} — ${observed}`,
        hint,
        fix: bcSaysRight
          ? gcloud(`health-checks update http ${h.name} --port ${METRICS_PORT} --request-path /healthz`, projectOf(facts))
          : `kubectl -n ${bc?.namespace ?? svc?.namespace ?? '<namespace>'} edit backendconfig ${bc?.name ?? '<backendconfig>'}   # spec.healthCheck: {type: HTTP, port: 9091, requestPath: /healthz}`,
      };
    },
  },
  {
    id: 'gcp.neg.health',
    area: 'gcp',
    // Its only warning is a resource the controller is still creating for a new Ingress.
    settles: true,
    needs: [...K8S_OBJECTS, 'gcp.backendService', 'gcp.backendHealth', 'gcp.negEndpoints', 'k8s.pods'],
    appliesTo: { provider: 'gcp' },
    title: 'every NEG endpoint of the Milvus backend service is HEALTHY',
    severity: 'critical',
    hint: 'an UNHEALTHY endpoint fails the health check: its /healthz on 9091, the health check port and path, the firewall for 130.211.0.0/22 and 35.191.0.0/16',
    fix: 'gcloud compute backend-services get-health <backend-service> --global',
    why: 'ingress-gce\'s backends annotation says HEALTHY when any endpoint is; the load balancer sends traffic only to HEALTHY endpoints, so a partly unhealthy NEG loses capacity and a wholly unhealthy one answers 502.',
    judge(facts, options) {
      const bh = gotGcp(facts, 'backendHealth', notCreated(facts, options, 'the health of each NEG of the backend service', 'cloud.google.com/neg-status'));
      if (!bh.ok) return bh.judgement;
      const ne = gotGcp(facts, 'negEndpoints');
      const pods = readyPodIps(facts);
      const evidence = { ...endpointsLine(bh.value), ...(pods?.negReady ?? {}) };
      const all = bh.value.flatMap((g) => g.endpoints.map((e) => ({ ...e, neg: g.neg, zone: g.zone })));
      if (all.length === 0) return { verdict: 'blocked', blockedBy: 'gcp.neg.endpoints', reason: 'the NEGs have no endpoints to be healthy' };
      // listNetworkEndpoints may know a state getHealth does not report yet; either one UNHEALTHY counts.
      const listed = ne.ok ? ne.value.flatMap((g) => g.endpoints) : [];
      const stateOf = (ip: string | null, port: number | null) => {
        const a = all.find((e) => e.ipAddress === ip && e.port === port)?.healthState ?? null;
        const b = listed.find((e) => e.ipAddress === ip && e.port === port)?.healthState ?? null;
        return a !== 'HEALTHY' ? a : b !== null && b !== 'HEALTHY' ? b : a;
      };
      const bad = all.filter((e) => stateOf(e.ipAddress, e.port) !== 'HEALTHY');
      if (bad.length === 0) return { verdict: 'pass', observed: `${all.length} endpoint(s) HEALTHY`, evidence };
      const timeout = Object.values(pods?.negReady ?? {}).some((s) => s.includes('LoadBalancerNegTimeout'));
      const names = bad.map((e) => `${e.ipAddress ?? '?'}:${e.port ?? '?'}${pods?.ips.get(e.ipAddress ?? '') ? ` (${pods.ips.get(e.ipAddress ?? '')})` : ''} ${stateOf(e.ipAddress, e.port) ?? 'UNKNOWN'}`);
      const bs = gotGcp(facts, 'backendService');
      return {
        verdict: 'fail',
        expected: 'every endpoint HEALTHY',
        observed: `${bad.length} of ${all.length} endpoint(s) not HEALTHY: ${names.join(', ')}`,
        hint: `${bad.length === all.length ? 'no endpoint passes the health check: the load balancer answers 502; ' : ''}check each pod's /healthz on 9091, the health check (gcp.health-check.config) and the firewall (gcp.firewall.health-check)${timeout ? '; pods report LoadBalancerNegTimeout: the check never passed since they started' : ''}`,
        fix: gcloud(`backend-services get-health ${bs.ok ? bs.value.name : '<backend-service>'} --global`, projectOf(facts)),
        evidence,
      };
    },
  },
  {
    id: 'gcp.neg.endpoints',
    area: 'gcp',
    // Its only warning is a resource the controller is still creating for a new Ingress.
    settles: true,
    needs: [...K8S_OBJECTS, 'gcp.backendService', 'gcp.negEndpoints', 'k8s.pods'],
    appliesTo: { provider: 'gcp' },
    title: 'the NEGs hold exactly the ready Milvus pods on 19530',
    severity: 'critical',
    hint: 'the NEG controller syncs endpoints from the Service\'s ready pods: a stale or empty NEG means it is behind or failing (kubectl describe service, NEG events)',
    fix: 'kubectl -n <namespace> describe service <service>; gcloud compute network-endpoint-groups list-network-endpoints <neg> --zone <zone>',
    why: 'The load balancer sends traffic to the NEG\'s endpoints, not to the Service: an endpoint of a pod that is gone times out, a ready pod missing from the NEG never gets traffic, an empty NEG answers 502.',
    judge(facts, options) {
      const bs = gotGcp(facts, 'backendService', behind(PROTOCOL));
      if (!bs.ok) return bs.judgement;
      const ne = gotGcp(facts, 'negEndpoints', notCreated(facts, options, 'the NEGs of the Milvus Service', 'cloud.google.com/neg-status'));
      if (!ne.ok) return ne.judgement;
      const listed = ne.value.flatMap((g) => g.endpoints.map((e) => ({ ...e, neg: g.neg, zone: g.zone })));
      const evidence = Object.fromEntries(ne.value.map((g) => [`${g.zone ?? '?'}/${g.neg}`, g.endpoints.map((e) => `${e.ipAddress}:${e.port}`).join(', ') || '(empty)']));
      if (bs.value.backends.length === 0) return { verdict: 'fail', expected: 'the Milvus NEGs as backends', observed: `${bs.value.name} has no backends`, evidence };
      if (listed.length === 0) {
        return {
          verdict: 'fail',
          expected: 'the ready Milvus pods as NEG endpoints',
          observed: `every NEG is empty (${ne.value.map((g) => `${g.zone}/${g.neg}`).join(', ')}): the load balancer has nowhere to send traffic (502)`,
          hint: 'the NEG controller has not attached any pod: are the pods ready, does the Service select them, is cloud.google.com/neg set?',
          evidence,
        };
      }
      const pods = readyPodIps(facts);
      if (!pods) return { verdict: 'pass', observed: `${listed.length} endpoint(s)`, evidence: { ...evidence, note: 'pods not read: endpoints not compared with them' } };
      const problems: string[] = [];
      const wrongPort = listed.filter((e) => e.port !== MILVUS_PORT);
      if (wrongPort.length) problems.push(`on the wrong port: ${wrongPort.map((e) => `${e.ipAddress}:${e.port}`).join(', ')}`);
      const stale = listed.filter((e) => !pods.ips.has(e.ipAddress ?? ''));
      if (stale.length) problems.push(`stale (no ready pod has the IP): ${stale.map((e) => `${e.ipAddress}:${e.port}`).join(', ')}`);
      const missing = [...pods.ips].filter(([ip]) => !listed.some((e) => e.ipAddress === ip));
      if (missing.length) problems.push(`missing ready pods: ${missing.map(([ip, name]) => `${name} (${ip})`).join(', ')}`);
      const notReady = Object.entries(pods.negReady).filter(([, s]) => !s.startsWith('True'));
      if (problems.length === 0 && notReady.length === 0) return { verdict: 'pass', observed: `${listed.length} endpoint(s): the ready pods on ${MILVUS_PORT}`, evidence: { ...evidence, ...pods.negReady } };
      return {
        verdict: 'fail',
        expected: `the ready pods (${[...pods.ips.keys()].join(', ') || 'none'}) on ${MILVUS_PORT}`,
        observed: [...problems, ...notReady.map(([k, s]) => `${k}: ${s}`)].join('; '),
        hint: stale.length ? 'the NEG still lists endpoints of pods that are gone: the NEG controller is behind (check its events on the Service) and the load balancer sends calls into the void' : 'the NEG controller has not attached every ready pod',
        evidence: { ...evidence, ...pods.negReady },
      };
    },
  },
  {
    id: 'gcp.firewall.health-check',
    area: 'gcp',
    needs: ['k8s.ingressEvents', 'gcp.firewalls', 'gcp.healthCheck', 'gcp.instances'],
    appliesTo: { provider: 'gcp' },
    title: 'the firewall admits the load balancer\'s health checks and traffic (130.211.0.0/22, 35.191.0.0/16) to 19530 and 9091 on the nodes',
    severity: 'critical',
    hint: 'allow 130.211.0.0/22 and 35.191.0.0/16 to tcp:19530 and tcp:9091 (ingress-gce\'s k8s-fw-l7-* rule), with no higher-priority deny',
    fix: 'gcloud compute firewall-rules create milvus-lb-health --network <network> --source-ranges 130.211.0.0/22,35.191.0.0/16 --allow tcp:19530,tcp:9091',
    why: 'Google\'s front ends reach the pods from these ranges: without 9091 every health check times out (UNHEALTHY), without 19530 no call arrives.',
    judge: firewallJudgement,
  },
];
