// Checking the lab's GKE flavour through the real CLI, as a user would point it at a cluster: the data path,
// the lab's Kubernetes API and its Compute stand-in with the lab's own token.
import type { LabHandle } from '../../src/lab/lab.js';

/** The arguments of such a run; without `project` the project is left to the nodes' providerID. */
export function gkeLabArgs(lab: LabHandle, options: { readonly project?: boolean } = {}): string[] {
  const k = lab.kubernetes;
  const g = lab.gcp;
  if (!k || !g) throw new Error('the gcp lab started no Kubernetes or Compute stand-in');
  return [
    '--host', lab.host, '--address', lab.address, '--port', String(lab.port), '--ca', lab.caFile, '--dns-server', lab.dnsServer,
    '--kubeconfig', k.kubeconfigPath, '-n', k.namespace, '--release', k.release, '--provider', 'gcp',
    ...(options.project === false ? [] : ['--gcp-project', g.project]), '--gcp-endpoint', g.endpoint,
  ];
}

/** The lab's Google token, and no project from the environment (ADC's variables come after the nodes). */
export function gkeLabEnv(lab: LabHandle): NodeJS.ProcessEnv {
  if (!lab.gcp) throw new Error('the lab serves no Compute API');
  return { GOOGLE_OAUTH_ACCESS_TOKEN: lab.gcp.token, GOOGLE_CLOUD_PROJECT: '', GCLOUD_PROJECT: '', CLOUDSDK_CORE_PROJECT: '' };
}
