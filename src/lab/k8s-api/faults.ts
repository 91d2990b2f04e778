// Faults of the lab's Kubernetes side: each one a mutation of the healthy objects that reproduces one real
// failure (FAILURES.md row `reproduces`), plus, where the real world's data path would change as well, a
// flag the lab's data path reads (`dataPath`). `expectFail` names the checks that must fail under it; the
// check ids are a contract with src/checks.

import type { LabWorld } from '../world.js';
import { LabFaultError } from './fault-edits.js';
import { ROUTING_FAULTS } from './faults-routing.js';
import { SERVING_FAULTS } from './faults-serving.js';
import { COMPUTE_FAULTS } from '../gcp/faults.js';
import type { LabProvider } from './resources.js';
import { AWS_FAULTS } from '../aws/faults.js';

export { LabFaultError };

export interface DataPathFlags {
  /** What the LB meets on 19530: Milvus without TLS, or Milvus demanding client certificates. */
  readonly backendProtocol?: 'plaintext' | 'mtls';
  /** The LB serves the expired certificate from the Secret. */
  readonly servedCert?: 'expired';
  /** The LB speaks HTTP/1.1 to the pods (a backend service ingress-gce left on HTTP). */
  readonly frontToBackend?: 'http1';
  /** What the lab's DNS answers for the host, when it must not be the load balancer's address. */
  readonly dnsAddress?: string;
  /** The LB answers every gRPC request with this status (ALB: 464 when the target group is not GRPC; GKE: 502 when no endpoint can take the call). */
  readonly frontStatus?: 464 | 502;
  /** The LB's host rule is for another name (GKE: the URL map has no rule for the host). */
  readonly hostRule?: 'other';
  /** The front serves the leaf without its intermediate (an ACM import without its chain). */
  readonly leafOnly?: true;
  /** The served leaf is for another name (an ACM certificate for another domain). */
  readonly leafName?: 'other';
  /** The front offers HTTP/1.1 only (routing.http2.enabled=false). */
  readonly noH2?: true;
}

export interface K8sFault {
  readonly name: string;
  readonly provider: LabProvider | 'any';
  readonly description: string;
  /**
   * The FAILURES.md row id. One exception, `l4-leftover`: the guides' own first step (`--set
   * service.type=ClusterIP`) left undone, which no tracker row covers.
   */
  readonly reproduces: string;
  readonly expectFail: readonly string[];
  /** Checks that must warn (a fault whose finding is a warning exits 0). */
  readonly expectWarn?: readonly string[];
  readonly dataPath?: DataPathFlags;
  readonly apply: (world: LabWorld) => void;
}

/** In the order `lab --list-faults` shows them. */
export const K8S_FAULTS: readonly K8sFault[] = [...ROUTING_FAULTS, ...SERVING_FAULTS, ...COMPUTE_FAULTS, ...AWS_FAULTS];

export function k8sFault(name: string): K8sFault | undefined {
  return K8S_FAULTS.find((f) => f.name === name);
}

/** Validates first (unknown names, wrong provider), then applies in the order given. */
export function applyK8sFaults(world: LabWorld, names: readonly string[]): DataPathFlags {
  const faults = names.map((name) => {
    const f = k8sFault(name);
    if (!f) throw new LabFaultError('K8S_LAB_UNKNOWN_FAULT', `unknown fault "${name}" (known: ${K8S_FAULTS.map((x) => x.name).join(', ')})`);
    if (f.provider !== 'any' && f.provider !== world.provider) throw new LabFaultError('K8S_LAB_FAULT_PROVIDER', `fault "${name}" applies to the ${f.provider} lab, not ${world.provider}`);
    return f;
  });
  let flags: DataPathFlags = {};
  for (const f of faults) {
    f.apply(world);
    flags = { ...flags, ...f.dataPath };
  }
  return flags;
}

/** The data-path flags of a set of faults, without building a world: for the lab's data path to read. */
export function k8sFaultDataPath(names: readonly string[]): DataPathFlags {
  let flags: DataPathFlags = {};
  for (const name of names) flags = { ...flags, ...k8sFault(name)?.dataPath };
  return flags;
}
