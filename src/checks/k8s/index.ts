// The Kubernetes checks, one file per family. `k8sChecks` joins them in the order a person reads them
// (Service, what backs it, config, Ingress, TLS Secret, then the backend seen from inside), which is
// the report order and the order of docs/checks.md.
import { defineChecks, type CheckDef } from '../define.js';
import { serviceChecks } from './service.js';
import { endpointPodChecks } from './endpoints-pods.js';
import { configChecks } from './config.js';
import { ingressChecks } from './ingress.js';
import { ingressEventChecks } from './ingress-events.js';
import { tlsSecretChecks } from './tls-secret.js';
import { backendChecks } from './backend.js';

export const k8sChecks: readonly CheckDef[] = defineChecks([
  ...serviceChecks,
  ...endpointPodChecks,
  ...configChecks,
  ...ingressChecks,
  ...ingressEventChecks,
  ...tlsSecretChecks,
  ...backendChecks,
]);
