// Faults in what routes traffic to Milvus: the Service (type, port names, GKE's annotations), the
// BackendConfig health check, the IngressClass. Each reproduces one FAILURES.md row.

import type { K8sFault } from './faults.js';
import { annotations, find, findAll, rec, records, remove, service, servicePort } from './fault-edits.js';

export const ROUTING_FAULTS: readonly K8sFault[] = [
  {
    name: 'service-loadbalancer',
    provider: 'any',
    description: 'The Milvus Service is still type LoadBalancer: the guides\' `--set service.type=ClusterIP` was not applied, so an L4 load balancer still exposes 19530 beside the L7 one.',
    reproduces: 'l4-leftover',
    expectFail: ['k8s.service.clusterip'],
    apply(world) {
      const svc = service(world);
      const spec = rec(svc.spec, 'Service spec');
      spec.type = 'LoadBalancer';
      spec.externalTrafficPolicy = 'Cluster';
      spec.allocateLoadBalancerNodePorts = true;
      records(spec.ports, 'Service ports').forEach((p, i) => {
        p.nodePort = [31530, 30991][i] ?? 32000 + i;
      });
      const lb = world.provider === 'aws' ? { hostname: 'a3f9c1e27b4d54e0f8a1b2c3d4e5f607-1843920751.us-east-2.elb.amazonaws.com' } : { ip: '34.122.87.201', ipMode: 'VIP' };
      svc.status = { loadBalancer: { ingress: [lb] } };
    },
  },
  {
    name: 'port-unnamed',
    provider: 'any',
    description: 'The Service port 19530 has no name, so nothing can refer to it by name (GKE app-protocols is keyed by port name: the backend silently falls back to HTTP/1.1).',
    reproduces: 'app-protocols-key',
    expectFail: ['k8s.service.port-named'],
    apply(world) {
      delete servicePort(world, 19530).name;
      const unname = (ports: Record<string, unknown>[]) => ports.filter((p) => p.port === 19530).forEach((p) => (p.name = ''));
      unname(records(find(world, 'EndpointSlice').ports, 'EndpointSlice ports'));
      for (const subset of records(find(world, 'Endpoints', world.ids.service).subsets, 'Endpoints subsets')) unname(records(subset.ports, 'Endpoints ports'));
    },
  },
  {
    name: 'app-protocols-by-number',
    provider: 'gcp',
    description: 'cloud.google.com/app-protocols is keyed by the port number ({"19530":"HTTP2"}) instead of its name: GKE ignores it, the backend service speaks HTTP/1.1, backends stay HEALTHY and clients get 502.',
    reproduces: 'app-protocols-key',
    expectFail: ['gcp.service.app-protocols', 'gcp.backend-service.protocol', 'http2.grpc'],
    dataPath: { frontToBackend: 'http1' },
    apply(world) {
      annotations(service(world))['cloud.google.com/app-protocols'] = '{"19530":"HTTP2"}';
    },
  },
  {
    name: 'app-protocols-alpha-leftover',
    provider: 'gcp',
    description: 'A leftover service.alpha.kubernetes.io/app-protocols ({"milvus":"HTTPS"}) sits beside the cloud.google.com/ key and wins over it: the backend service speaks HTTPS (HTTP/1.1), not HTTP2.',
    reproduces: 'app-protocols-value',
    expectFail: ['gcp.service.app-protocols', 'gcp.backend-service.protocol'],
    apply(world) {
      annotations(service(world))['service.alpha.kubernetes.io/app-protocols'] = '{"milvus":"HTTPS"}';
    },
  },
  {
    name: 'neg-missing',
    provider: 'gcp',
    description: 'The Service lacks cloud.google.com/neg {"ingress": true}, so no NEG exists (no cloud.google.com/neg-status) and a ClusterIP Service cannot back a GKE Ingress.',
    reproduces: 'neg-off',
    expectFail: ['gcp.service.neg', 'gcp.neg.endpoints'],
    apply(world) {
      const a = annotations(service(world));
      delete a['cloud.google.com/neg'];
      delete a['cloud.google.com/neg-status'];
      // Without a NEG, GKE injects no NEG readiness gate into the pods.
      for (const pod of findAll(world, 'Pod')) {
        const spec = rec(pod.spec, 'Pod spec');
        delete spec.readinessGates;
        const status = rec(pod.status, 'Pod status');
        status.conditions = records(status.conditions, 'Pod conditions').filter((c) => c.type !== 'cloud.google.com/load-balancer-neg-ready');
      }
    },
  },
  {
    name: 'backendconfig-wrong-port',
    provider: 'gcp',
    description: 'The BackendConfig health check probes port 19530 (TLS/gRPC) with plain HTTP instead of 9091 /healthz.',
    reproduces: 'health-check',
    expectFail: ['gcp.backendconfig.health-check', 'gcp.health-check.config', 'gcp.neg.health'],
    apply(world) {
      const bc = find(world, 'BackendConfig', world.ids.backendConfig);
      rec(rec(bc.spec, 'BackendConfig spec').healthCheck, 'healthCheck').port = 19530;
    },
  },
  {
    name: 'backendconfig-on-ingress',
    provider: 'gcp',
    description: 'cloud.google.com/backend-config is on the Ingress instead of the Service: GKE ignores it there and uses the default health check (HTTP2 on the serving port, path /).',
    reproduces: 'backendconfig-ref',
    expectFail: ['gcp.service.backend-config', 'gcp.backend-service.timeout', 'gcp.health-check.config', 'gcp.neg.health'],
    apply(world) {
      const svcAnn = annotations(service(world));
      const value = svcAnn['cloud.google.com/backend-config'];
      delete svcAnn['cloud.google.com/backend-config'];
      annotations(find(world, 'Ingress', world.ids.ingress))['cloud.google.com/backend-config'] = value;
    },
  },
  {
    name: 'backendconfig-missing',
    provider: 'gcp',
    description: 'The Service names a BackendConfig that does not exist in its namespace (never applied, or applied to another namespace as the guide\'s `namespace: default` does).',
    reproduces: 'backendconfig-ref',
    expectFail: ['gcp.service.backend-config', 'gcp.backend-service.timeout', 'gcp.health-check.config', 'gcp.neg.health'],
    apply(world) {
      find(world, 'BackendConfig', world.ids.backendConfig);
      remove(world, 'BackendConfig', world.ids.backendConfig);
    },
  },
  {
    name: 'ingressclass-missing',
    provider: 'aws',
    description: 'IngressClass alb does not exist (controller reinstalled without it, or removed): no controller reconciles the Ingress any more, though the ALB it once made still answers.',
    reproduces: 'no-ingressclass',
    expectFail: ['k8s.ingress.class'],
    apply(world) {
      find(world, 'IngressClass', 'alb');
      remove(world, 'IngressClass', 'alb');
      remove(world, 'IngressClassParams', 'alb');
    },
  },
];
