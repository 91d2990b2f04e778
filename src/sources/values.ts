// The value type of every source, once. The Facts type (src/facts/types.ts) is derived from these maps,
// and the registry (src/sources/registry.ts) must hold exactly one record per key: the compiler ties them.
import type {
  DnsFact, GrpcHealthFact, GrpcHttpFact, HealthzFact, LatencyFact, MilvusAuthProbe, MilvusHealthFact, MilvusVersionFact, SmokeFact,
  TcpFact, TlsFact,
} from '../facts/types.js';
import type {
  BackendConfigFact, BackendProtocolFact, EndpointSliceFact, EventFact, HealthzReading, IngressClassFact, IngressFact,
  ManagedCertificateFact, MilvusConfigFact, PodFact, ServiceFact, TargetGroupBindingFact, TlsSecretFact, WorkloadFact,
} from '../platform/k8s/types.js';
import type { ClusterHandle } from './k8s/cluster.js';
import type { SelectionFact } from './selection.js';
import type { SdkWorker } from '../probes/sdk-worker.js';
import type { AwsValues } from './aws/values.js';
import type { GcpValues } from './gcp/values.js';
import type { ComputeApi } from './gcp/compute.js';

export type { AwsValues, GcpValues };

/** The data path: what a client meets on its way through the load balancer to Milvus. */
export interface DataPathValues {
  readonly dns: DnsFact;
  readonly tcp: TcpFact;
  readonly tls: TlsFact;
  /** What is served without SNI (evidence). */
  readonly tlsNoSni: TlsFact;
  readonly http2Host: GrpcHttpFact;
  readonly http2Address: GrpcHttpFact;
  readonly grpcHealth: GrpcHealthFact;
  readonly milvusVersion: MilvusVersionFact;
  readonly milvusHealth: MilvusHealthFact;
  /** With the given credentials (skipped when none were given). */
  readonly milvusAuth: MilvusAuthProbe;
  readonly milvusAnonymous: MilvusAuthProbe;
  readonly milvusDefaultPassword: MilvusAuthProbe;
  readonly latency: LatencyFact;
  readonly smoke: SmokeFact;
  readonly healthz: HealthzFact;
}

/** The Kubernetes objects, live from the API server or offline from --manifests. */
export interface K8sValues {
  /** Every Service in the namespace (small; a leftover LoadBalancer Service is found among them). */
  readonly services: readonly ServiceFact[];
  readonly ingresses: readonly IngressFact[];
  readonly ingressClasses: readonly IngressClassFact[];
  /** EndpointSlices of the Milvus Service. */
  readonly endpointSlices: readonly EndpointSliceFact[];
  /** Pods selected by the Milvus Service. */
  readonly pods: readonly PodFact[];
  /** Offline: Deployments/StatefulSets whose template the Milvus Service selects. */
  readonly workloads: readonly WorkloadFact[];
  readonly milvusConfig: MilvusConfigFact;
  /** Events whose involved object is the selected Ingress, verbatim. */
  readonly ingressEvents: readonly EventFact[];
  readonly backendConfigs: readonly BackendConfigFact[];
  readonly managedCertificates: readonly ManagedCertificateFact[];
  /** The Secret named by the selected Ingress's tls for the host. */
  readonly tlsSecret: TlsSecretFact;
  readonly targetGroupBindings: readonly TargetGroupBindingFact[];
  readonly healthzService: HealthzReading;
  readonly healthzPods: readonly HealthzReading[];
  readonly backendProtocol: BackendProtocolFact;
}

export type K8sField = keyof K8sValues;
export type AwsField = keyof AwsValues & string;
export type GcpField = keyof GcpValues & string;
export type AwsKey = `aws.${AwsField}`;
export type GcpKey = `gcp.${GcpField}`;
export type K8sKey = `k8s.${K8sField}`;
export type DataPathKey = keyof DataPathValues;

/** What the run is pointed at: the endpoint before DNS, and the address to dial after it. */
export interface EndpointValue {
  readonly host: string | null;
  readonly address: string | null;
  readonly serverName: string | null;
}

/** Sources that hold something for other sources (a client, a session) and are never stored. */
export interface InternalValues {
  readonly endpoint: EndpointValue;
  readonly dial: { readonly address: string };
  readonly sdkSession: SdkWorker;
  readonly 'k8s.cluster': ClusterHandle;
  /** The Compute client's thread, for the project and credentials gcp.access settled. */
  readonly gcpApi: ComputeApi;
}

export interface TopValues {
  /** The Service, Ingress, host, address and provider the run judges, and why each was chosen. */
  readonly selection: SelectionFact;
}

export type SourceKey = DataPathKey | K8sKey | AwsKey | GcpKey | keyof InternalValues | keyof TopValues;

export type ValueOf<K extends SourceKey> = K extends DataPathKey
  ? DataPathValues[K]
  : K extends `aws.${infer F}`
    ? F extends AwsField
      ? AwsValues[F]
      : never
  : K extends `gcp.${infer F}`
    ? F extends GcpField
      ? GcpValues[F]
      : never
  : K extends `k8s.${infer F}`
    ? F extends K8sField
      ? K8sValues[F]
      : K extends keyof InternalValues
        ? InternalValues[K]
        : never
    : K extends keyof InternalValues
      ? InternalValues[K]
      : K extends keyof TopValues
        ? TopValues[K]
        : never;

export function k8sField(key: K8sKey): K8sField {
  return key.slice('k8s.'.length) as K8sField;
}
