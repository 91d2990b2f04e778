// The one registry of checks. Reporters, `explain`, docs/checks.md and the suites all read it.
import type { CheckDef } from './checks/define.js';
import { AREAS } from './model.js';
import { networkChecks } from './checks/network.js';
import { tlsChecks } from './checks/tls.js';
import { grpcChecks } from './checks/grpc.js';
import { milvusChecks } from './checks/milvus.js';
import { k8sChecks } from './checks/k8s/index.js';
import { awsChecks } from './checks/aws/index.js';
import { gcpChecks } from './checks/gcp/index.js';

export const CATALOG: readonly CheckDef[] = [
  ...networkChecks,
  ...tlsChecks,
  ...grpcChecks,
  ...milvusChecks,
  ...k8sChecks,
  ...awsChecks,
  ...gcpChecks,
];

export function findCheck(id: string): CheckDef | undefined {
  return CATALOG.find((c) => c.id === id);
}

/** The order every output lists checks in: by area along the request's path (AREAS), then catalogue order. */
const REPORT_RANK = new Map(CATALOG.map((c, i) => [c.id, AREAS.indexOf(c.area) * CATALOG.length + i]));
export function byReportOrder(a: string, b: string): number {
  return (REPORT_RANK.get(a) ?? 0) - (REPORT_RANK.get(b) ?? 0);
}
