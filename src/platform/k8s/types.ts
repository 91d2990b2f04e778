// The Kubernetes snapshot: what the doctor read from the cluster (live) or from YAML files (offline), as
// plain JSON. Each piece is an Outcome so that a 403 on one list never hides what the other reads found.
// No secret material is ever stored here: a TLS Secret is reduced to what its certificate says and
// whether its key matches; the Milvus ConfigMap to the two settings the checks judge.
import type { OutcomeMap } from '../../facts/types.js';
import type { K8sValues } from '../../sources/values.js';

export type K8sSource = 'live' | 'manifests';

/** Why a live-only piece is absent in offline mode (the checks surface it as their skip reason). */
export const OFFLINE_REASON = 'offline (--manifests): needs a live cluster';

export interface ServicePortFact {
  readonly name: string | null;
  readonly port: number;
  /** A number, a container port name, or null when unset (then it equals `port`). */
  readonly targetPort: number | string | null;
  readonly protocol: string;
  readonly nodePort: number | null;
  readonly appProtocol: string | null;
}

export interface ServiceFact {
  readonly name: string;
  readonly namespace: string;
  readonly type: string; // ClusterIP, LoadBalancer, NodePort, ExternalName
  readonly clusterIP: string | null;
  readonly ports: readonly ServicePortFact[];
  readonly selector: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** status.loadBalancer.ingress[] ip or hostname (a leftover L4 load balancer shows here). */
  readonly loadBalancerAddresses: readonly string[];
}

export interface EndpointFact {
  readonly addresses: readonly string[];
  /** conditions.ready; null means unknown, which consumers treat as ready (as kube-proxy does). */
  readonly ready: boolean | null;
  readonly serving: boolean | null;
  readonly terminating: boolean | null;
  readonly podName: string | null;
}

export interface EndpointSliceFact {
  readonly name: string;
  readonly service: string | null;
  readonly addressType: string;
  readonly ports: readonly { readonly name: string | null; readonly port: number | null; readonly protocol: string }[];
  readonly endpoints: readonly EndpointFact[];
}

export interface ContainerPortFact {
  readonly name: string | null;
  readonly containerPort: number;
  readonly protocol: string;
}

export interface ContainerFact {
  readonly name: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly ports: readonly ContainerPortFact[];
  /** waiting.reason (CrashLoopBackOff, ImagePullBackOff) or null. */
  readonly waitingReason: string | null;
  readonly lastTerminationReason: string | null;
}

export interface PodConditionFact {
  readonly type: string; // Ready, cloud.google.com/load-balancer-neg-ready, ...
  readonly status: string; // True, False, Unknown
  readonly reason: string | null;
  readonly message: string | null;
}

export interface PodFact {
  readonly name: string;
  readonly phase: string | null;
  readonly podIP: string | null;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerFact[];
  readonly conditions: readonly PodConditionFact[];
}

/** A Deployment/StatefulSet pod template (offline stand-in for pods: labels and container ports). */
export interface WorkloadFact {
  readonly kind: string;
  readonly name: string;
  readonly replicas: number | null;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly containerPorts: readonly ContainerPortFact[];
}

export interface MilvusConfigFact {
  readonly configMap: string;
  /** Data keys present (default.yaml, milvus.yaml, user.yaml, ...). */
  readonly files: readonly string[];
  /** common.security.tlsMode after user.yaml overrides the base file; null when set nowhere (= 0). */
  readonly tlsMode: number | null;
  readonly tlsModeFrom: string | null;
  readonly authorizationEnabled: boolean | null;
  readonly authorizationFrom: string | null;
  /** tls.serverPemPath / serverKeyPath / caPemPath when set (paths, not contents). */
  readonly tlsPaths: Readonly<Record<string, string>>;
  readonly parseErrors: readonly string[];
}

export interface IngressBackendRef {
  readonly serviceName: string | null;
  readonly portNumber: number | null;
  readonly portName: string | null;
}

export interface IngressPathFact extends IngressBackendRef {
  readonly path: string | null;
  readonly pathType: string | null;
}

export interface IngressRuleFact {
  readonly host: string | null;
  readonly paths: readonly IngressPathFact[];
}

export interface IngressFact {
  readonly name: string;
  readonly namespace: string;
  readonly ingressClassName: string | null;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly IngressRuleFact[];
  readonly defaultBackend: IngressBackendRef | null;
  readonly tls: readonly { readonly hosts: readonly string[]; readonly secretName: string | null }[];
  /** status.loadBalancer.ingress[]. */
  readonly addresses: readonly { readonly ip: string | null; readonly hostname: string | null }[];
  readonly finalizers: readonly string[];
  /** Whether the object carried a status block at all (offline manifests usually do not). */
  readonly hasStatus: boolean;
  /** metadata.creationTimestamp: a young Ingress's load balancer may not exist yet (--wait waits it out). */
  readonly createdAt?: string | null;
}

export interface IngressClassFact {
  readonly name: string;
  readonly controller: string | null;
  readonly isDefault: boolean;
}

export interface EventFact {
  readonly involvedKind: string | null;
  readonly involvedName: string | null;
  readonly type: string | null; // Normal, Warning
  readonly reason: string | null;
  readonly message: string;
  readonly count: number;
  readonly lastSeen: string | null; // ISO 8601
  readonly source: string | null;
}

export interface BackendConfigHealthCheck {
  readonly type: string | null;
  readonly port: number | null;
  readonly requestPath: string | null;
  readonly checkIntervalSec: number | null;
  readonly timeoutSec: number | null;
  readonly healthyThreshold: number | null;
  readonly unhealthyThreshold: number | null;
}

export interface BackendConfigFact {
  readonly name: string;
  readonly namespace: string;
  readonly apiVersion: string;
  readonly healthCheck: BackendConfigHealthCheck | null;
  /** spec.timeoutSec: the backend service timeout (GKE default 30 s). */
  readonly timeoutSec: number | null;
}

export interface ManagedCertificateFact {
  readonly name: string;
  readonly namespace: string;
  readonly domains: readonly string[];
  readonly certificateStatus: string | null;
  readonly domainStatus: readonly { readonly domain: string; readonly status: string }[];
  readonly certificateName: string | null;
  readonly expireTime: string | null;
  readonly hasStatus: boolean;
}

/** One certificate from a Secret's tls.crt; the same vocabulary as the data path's CertInfo. */
export interface SecretCertFact {
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string | null;
  readonly subjectAltNames: readonly string[] | null;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprint256: string;
  readonly serialNumber: string;
  readonly isCA: boolean;
  readonly selfSigned: boolean;
}

export interface TlsSecretFact {
  readonly name: string;
  readonly namespace: string;
  readonly type: string | null;
  readonly hasCert: boolean;
  readonly hasKey: boolean;
  /** Why tls.crt did not parse (null when it did). */
  readonly certError: string | null;
  /** Why tls.key did not parse (null when it did or is absent). The key itself is never kept. */
  readonly keyError: string | null;
  /** Leaf first, in the order of tls.crt. */
  readonly chain: readonly SecretCertFact[];
  readonly keyMatchesCert: boolean | null;
  readonly keyType: string | null;
}

export interface TargetGroupBindingFact {
  readonly name: string;
  readonly serviceName: string | null;
  readonly servicePort: number | string | null;
  readonly targetGroupARN: string | null;
  readonly targetType: string | null;
  readonly observedGeneration: number | null;
  readonly generation: number | null;
  readonly events: readonly EventFact[];
}

export interface HealthzReading {
  /** What was asked: `services/<svc>:9091` or `pods/<pod>:9091`. */
  readonly target: string;
  readonly status: number | null;
  readonly body: string;
  readonly ready: number | null;
  readonly total: number | null;
  /** Set when this one request failed (its code, e.g. K8S_FORBIDDEN), leaving status null. */
  readonly error: string | null;
}

export type BackendTlsOutcome = 'tls' | 'plaintext' | 'client-cert-required' | 'error';

/** What a load balancer meets on the pod's 19530 (through a port-forward). */
export interface BackendProtocolFact {
  readonly pod: string;
  readonly port: number;
  readonly tls: {
    readonly outcome: BackendTlsOutcome;
    readonly alpn: string | null;
    readonly protocol: string | null;
    readonly error: string | null;
    readonly leafFingerprint256: string | null;
  };
  readonly h2c: {
    readonly ok: boolean;
    readonly status: number | null;
    readonly contentType: string | null;
    readonly grpcStatus: number | null;
    readonly grpcMessage: string | null;
    readonly error: string | null;
  };
}

/** Where the Kubernetes facts came from and what the user asked for. */
export interface K8sMeta {
  readonly source: K8sSource;
  readonly namespace: string;
  readonly context: string | null;
  /** What the user named (flags); the selection fills the rest from the objects. */
  readonly requested: {
    readonly release: string | null;
    readonly service: string | null;
    readonly ingress: string | null;
  };
  /** Files read in offline mode (for evidence), empty live. */
  readonly files: readonly string[];
}

/** The meta and one Outcome per Kubernetes source (src/sources/values.ts: K8sValues). */
export type K8sFacts = K8sMeta & OutcomeMap<K8sValues>;

/** Where the doctor looks in a cluster (or in manifests), as the user named it on the command line. */
export interface K8sSelection {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly release?: string;
  readonly service?: string;
  readonly ingress?: string;
}
