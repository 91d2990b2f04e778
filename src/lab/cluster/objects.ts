// The lab's Kubernetes objects: the guide's objects from src/render, as the cluster and its controllers
// leave them once the load balancer is up (seeds/000 AWS, seeds/002 GCP).

import { renderGuide } from '../../render/guide.js';
import type { K8sObject } from '../../render/object.js';
import { awsClusterObjects } from './aws.js';
import { clusterTimes, labGuideParams, type ClusterContext, type RenderInput } from './context.js';
import { gcpClusterObjects, stuckManagedCertificate } from './gcp.js';
import { labIdentifiers, stableUid, type LabIdentifiers } from './ids.js';

export function clusterContext(input: RenderInput, ids: LabIdentifiers): ClusterContext {
  const params = labGuideParams(input, ids);
  return { input, ids, params, guide: renderGuide(params), ...clusterTimes(input.now ?? new Date()) };
}

let resourceVersionCounter = 1000;

/** Gives every object a uid (the one stableUid(`Kind:name`) names in references) and a resourceVersion. */
export function finishObjects(objects: K8sObject[]): K8sObject[] {
  for (const o of objects) {
    o.metadata.uid ??= stableUid(`${o.kind}:${o.metadata.name}`);
    o.metadata.resourceVersion ??= String(++resourceVersionCounter);
  }
  return objects;
}

/** The healthy lab: every object the guide of `input.provider` creates, consistent with the lab's data path. */
export function renderLabObjects(input: RenderInput, ids = labIdentifiers(input.provider, input.namespace, input.release)): K8sObject[] {
  const ctx = clusterContext(input, ids);
  return finishObjects(input.provider === 'aws' ? awsClusterObjects(ctx) : gcpClusterObjects(ctx));
}

/** GCP: the Google-managed certificate some faults add, stuck provisioning. */
export function renderManagedCertificateObject(input: RenderInput, ids = labIdentifiers(input.provider, input.namespace, input.release)): K8sObject {
  const [mc] = finishObjects([stuckManagedCertificate(clusterContext(input, ids))]);
  return mc;
}
