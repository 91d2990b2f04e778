// The lab's Kubernetes objects: the guide's objects from src/render, as the cluster and its controllers
// leave them once the load balancer is up (seeds/000 AWS, seeds/002 GCP).

import { renderGuide } from '../../render/guide.js';
import type { K8sObject } from '../../render/object.js';
import { awsClusterObjects } from './aws.js';
import { clusterTimes, labGuideParams, type ClusterContext, type RenderInput } from './context.js';
import { gcpClusterObjects } from './gcp.js';
import type { LabIdentifiers } from './ids.js';

export function clusterContext(input: RenderInput, ids: LabIdentifiers): ClusterContext {
  const params = labGuideParams(input, ids);
  return { input, ids, params, guide: renderGuide(params), ...clusterTimes(input.now ?? new Date()) };
}

/** The healthy cluster: every object the guide of the provider creates, consistent with the lab's data path. */
export function clusterObjects(ctx: ClusterContext): K8sObject[] {
  return ctx.input.provider === 'aws' ? awsClusterObjects(ctx) : gcpClusterObjects(ctx);
}
