// Events the lab's controllers leave on the Ingress, as `kubectl describe ingress` lists them.

import type { K8sObject } from '../../render/object.js';
import type { ClusterContext } from './context.js';
import { shortHash, stableUid } from './ids.js';

/** The Normal event a controller leaves on the Ingress it reconciled. */
export function reconciledEvent(ctx: ClusterContext, reason: string, message: string, component: string): K8sObject {
  const { ids } = ctx;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${ids.ingress}.${shortHash(`${ids.ingress}-event`, 16)}`, namespace: ids.namespace, creationTimestamp: ctx.started },
    involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: ids.ingress, namespace: ids.namespace, uid: stableUid(`Ingress:${ids.ingress}`) },
    reason,
    message,
    source: { component },
    firstTimestamp: ctx.started,
    lastTimestamp: ctx.started,
    count: 1,
    type: 'Normal',
    reportingComponent: '',
    reportingInstance: '',
  };
}
