// Faults in what serves the traffic: the certificates (TLS Secret, ManagedCertificate), Milvus's own TLS,
// the load balancer controllers' view (events, target type) and one pod's health. Each reproduces one
// FAILURES.md row; those the wire would show too set a data-path flag.

import { tlsCertificateChain } from '../../render/gcp.js';
import { milvusUserYaml } from '../../render/milvus.js';
import { stuckManagedCertificate } from '../cluster/gcp.js';
import { stamp } from '../world.js';
import type { K8sFault } from './faults.js';
import { annotations, b64, find, LabFaultError, otherKeyLike, rec, setUserYaml, tlsSecretData, warningEvent } from './fault-edits.js';

export const SERVING_FAULTS: readonly K8sFault[] = [
  {
    name: 'tls-secret-key-mismatch',
    provider: 'gcp',
    description: 'The TLS Secret\'s tls.key does not belong to its tls.crt (regenerated one without the other).',
    reproduces: 'tls-secret',
    expectFail: ['k8s.tls-secret'],
    apply(world) {
      tlsSecretData(world)['tls.key'] = b64(otherKeyLike(world.tls.keyPem));
    },
  },
  {
    name: 'tls-secret-expired',
    provider: 'gcp',
    description: 'The TLS Secret holds an expired certificate, and the load balancer serves it.',
    reproduces: 'tls-secret',
    expectFail: ['k8s.tls-secret', 'tls.validity', 'gcp.ssl-certificate.expiry'],
    dataPath: { servedCert: 'expired' },
    apply(world) {
      const expired = world.tls.expiredCertPem;
      if (!expired) throw new LabFaultError('K8S_LAB_FAULT_INPUT', 'fault tls-secret-expired needs tls.expiredCertPem');
      const data = tlsSecretData(world);
      data['tls.crt'] = b64(tlsCertificateChain({ certPem: expired, chainPem: world.tls.chainPem }));
      data['tls.key'] = b64(world.tls.expiredKeyPem ?? world.tls.keyPem);
    },
  },
  {
    name: 'managed-cert-provisioning',
    provider: 'gcp',
    description: 'The Ingress uses a Google-managed certificate (networking.gke.io/managed-certificates) that is stuck Provisioning: the domain is FailedNotVisible because its DNS does not point at the Ingress IP.',
    reproduces: 'managed-cert',
    expectFail: ['gcp.managed-certificate', 'gcp.target-proxy.certificates'],
    // The host resolves elsewhere (a loopback address nothing listens on), as a record not yet moved.
    dataPath: { dnsAddress: '127.0.0.2' },
    apply(world) {
      const ingress = find(world, 'Ingress', world.ids.ingress);
      delete rec(ingress.spec, 'Ingress spec').tls;
      const a = annotations(ingress);
      a['networking.gke.io/managed-certificates'] = world.ids.tlsName;
      a['ingress.kubernetes.io/ssl-cert'] = 'mcrt-34446a53-d639-4764-8438-346d7871a76e';
      // The Secret stays: Milvus itself still serves TLS (tlsMode 1) with it.
      world.objects.push(...stamp(world, [stuckManagedCertificate(world.cluster)]));
    },
  },
  {
    name: 'plaintext-backend',
    provider: 'gcp',
    description: 'Milvus runs without TLS (tlsMode missing from user.yaml; the chart ignores `--set common.security.tlsMode`): the LB speaks TLS to a plaintext port and clients get 502 while backends are HEALTHY.',
    reproduces: 'plaintext-backend',
    expectFail: ['http2.backend-protocol', 'k8s.config.tls-mode', 'http2.grpc'],
    dataPath: { backendProtocol: 'plaintext' },
    apply(world) {
      setUserYaml(world, milvusUserYaml({ ...world.cluster.params, milvus: { tlsMode: 0 } }));
      world.milvusBackend = 'h2c';
    },
  },
  {
    name: 'mtls-backend',
    provider: 'gcp',
    description: 'Milvus runs with tlsMode 2 (mutual TLS): it demands a client certificate the LB cannot present, so clients get 502.',
    reproduces: 'mtls-backend',
    expectFail: ['http2.backend-protocol', 'k8s.config.tls-mode', 'http2.grpc'],
    dataPath: { backendProtocol: 'mtls' },
    apply(world) {
      // Milvus verifies clients against tls.caPemPath; no Google or AWS LB presents a client certificate.
      setUserYaml(world, milvusUserYaml({ ...world.cluster.params, milvus: { tlsMode: 2 } }));
      world.milvusBackend = 'mtls';
    },
  },
  {
    name: 'build-model-event',
    provider: 'aws',
    description: 'The AWS Load Balancer Controller cannot build the model: Warning FailedBuildModel, subnets lack the kubernetes.io/role/elb tag.',
    reproduces: 'build-model',
    expectFail: ['k8s.ingress.events'],
    apply(world) {
      world.objects.push(
        ...stamp(world, [
          warningEvent(
            world,
            'FailedBuildModel',
            "Failed build model due to couldn't auto-discover subnets: unable to resolve at least one subnet (0 match VPC and tags: [kubernetes.io/role/elb])",
            12,
            'ingress',
          ),
        ]),
      );
    },
  },
  {
    name: 'target-type-instance',
    provider: 'aws',
    description: 'alb.ingress.kubernetes.io/target-type is instance: the ALB would target node ports, which a ClusterIP Service does not have.',
    reproduces: 'build-model',
    expectFail: ['aws.ingress.target-type'],
    apply(world) {
      annotations(find(world, 'Ingress', world.ids.ingress))['alb.ingress.kubernetes.io/target-type'] = 'instance';
    },
  },
  {
    name: 'healthz-not-ready-pod',
    provider: 'any',
    description: 'One Milvus proxy pod\'s /healthz on 9091 answers 500 "Not all components are healthy, 3/5" (its readiness probe has not caught up yet).',
    reproduces: 'health-body',
    expectFail: ['healthz.pods'],
    apply(world) {
      world.healthzOverrides.set(world.ids.pods[1].name, { status: 500, body: 'Not all components are healthy, 3/5' });
    },
  },
];
