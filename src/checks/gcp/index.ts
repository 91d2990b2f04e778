// The GKE checks, one file per family, skipped on other providers. `gcpChecks` joins them in the order
// of the guide (Service annotations, BackendConfig, Ingress, managed certificate), then the load balancer
// itself as the Compute API reports it, front to back: the report order.
import { defineChecks, type CheckDef } from '../define.js';
import { gcpServiceChecks } from './service-annotations.js';
import { backendConfigChecks } from './backendconfig.js';
import { gcpIngressChecks } from './ingress.js';
import { managedCertificateChecks } from './managed-certificate.js';
import { computeFrontendChecks } from './compute-frontend.js';
import { computeBackendChecks } from './compute-backend.js';

export const gcpChecks: readonly CheckDef[] = defineChecks([
  ...gcpServiceChecks,
  ...backendConfigChecks,
  ...gcpIngressChecks,
  ...managedCertificateChecks,
  ...computeFrontendChecks,
  ...computeBackendChecks,
]);
