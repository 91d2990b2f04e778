// The value type of each GCP source (Compute reads), keyed as `gcp.<field>` in the registry. The
// registry, the Facts type and the snapshot schema follow this map. Each value is the doctor's own
// plain shape, not the client's object: only the fields the checks judge, names rather than URLs where
// a name is what a user types, and never the client's generated `_field` keys.

export interface GcpForwardingRule {
  readonly name: string;
  readonly ipAddress: string | null;
  readonly portRange: string | null;
  readonly protocol: string | null;
  /** The target proxy's name (targetHttpsProxies/… or targetHttpProxies/…). */
  readonly target: string | null;
  readonly targetKind: 'targetHttpsProxies' | 'targetHttpProxies' | 'other' | null;
  readonly loadBalancingScheme: string | null;
}

export interface GcpForwardingRulesFact {
  /** Where the names came from: the Ingress annotations ingress-gce writes, or the rules on --address. */
  readonly from: 'ingress' | 'address';
  readonly https: GcpForwardingRule | null;
  /** A plain-HTTP rule (port 80), open unless kubernetes.io/ingress.allow-http is "false". */
  readonly http: GcpForwardingRule | null;
}

export interface GcpTargetProxyFact {
  readonly name: string;
  readonly urlMap: string | null;
  readonly sslCertificates: readonly string[];
  readonly sslPolicy: string | null;
}

export interface GcpUrlMapFact {
  readonly name: string;
  readonly defaultService: string | null;
  readonly hostRules: readonly { readonly hosts: readonly string[]; readonly pathMatcher: string }[];
  readonly pathMatchers: readonly { readonly name: string; readonly defaultService: string | null }[];
}

export interface GcpNegRef {
  readonly name: string;
  readonly zone: string | null;
  /** The group as the backend service names it (a path under projects/…), for getHealth. */
  readonly group: string;
}

export interface GcpBackendServiceFact {
  readonly name: string;
  /** How it was chosen: the URL map's host rule for the host, the Service's NEG, or the URL map's default. */
  readonly from: 'host-rule' | 'neg' | 'default-service';
  readonly protocol: string | null;
  readonly timeoutSec: number | null;
  readonly portName: string | null;
  readonly healthChecks: readonly string[];
  readonly backends: readonly GcpNegRef[];
  readonly connectionDrainingSec: number | null;
  readonly logEnabled: boolean | null;
}

export interface GcpHealthCheckFact {
  readonly name: string;
  readonly type: string | null;
  readonly port: number | null;
  readonly portSpecification: string | null;
  readonly requestPath: string | null;
  readonly checkIntervalSec: number | null;
  readonly timeoutSec: number | null;
  readonly healthyThreshold: number | null;
  readonly unhealthyThreshold: number | null;
}

export interface GcpEndpointHealth {
  readonly ipAddress: string | null;
  readonly port: number | null;
  /** HEALTHY, UNHEALTHY, DRAINING, TIMEOUT, UNKNOWN; null when the API gave none. */
  readonly healthState: string | null;
  readonly instance: string | null;
}

export interface GcpGroupHealthFact {
  readonly neg: string;
  readonly zone: string | null;
  readonly endpoints: readonly GcpEndpointHealth[];
}

export interface GcpFirewallFact {
  readonly name: string;
  readonly network: string | null;
  /** The project of the network (a Shared VPC's host project differs from the cluster's). */
  readonly networkProject: string | null;
  readonly direction: string | null;
  readonly priority: number | null;
  readonly action: 'allow' | 'deny';
  readonly disabled: boolean;
  readonly sourceRanges: readonly string[];
  readonly targetTags: readonly string[];
  readonly rules: readonly { readonly protocol: string; readonly ports: readonly string[] }[];
}

export interface GcpSslCertificateFact {
  readonly name: string;
  readonly type: string | null;
  readonly expireTime: string | null;
  readonly subjectAlternativeNames: readonly string[];
  /** SHA-256 of the leaf (self-managed, or managed once issued), as the data path's CertInfo writes it. */
  readonly fingerprint256: string | null;
  readonly managed: {
    readonly status: string | null;
    readonly domains: readonly string[];
    readonly domainStatus: Readonly<Record<string, string>>;
  } | null;
}

export interface GcpSslPolicyFact {
  /** null: no policy attached, so Google's default (COMPATIBLE, minimum TLS 1.0) applies. */
  readonly name: string | null;
  readonly minTlsVersion: string | null;
  readonly profile: string | null;
}

/** Who the Compute reads are made as, and for which project. */
export interface GcpAccessFact {
  readonly project: string;
  /** --gcp-project, a node's providerID, GOOGLE_CLOUD_PROJECT (and the like), or the ADC file. */
  readonly projectFrom: 'flag' | 'providerID' | 'env' | 'adc';
  /** Which node's providerID gave it, or why the nodes could not tell (evidence); null when nothing to say. */
  readonly projectNote: string | null;
  readonly credentials: 'token' | 'adc';
  readonly endpoint: string | null;
}

/** A cluster node as Kubernetes lists it: on GKE its providerID is gce://PROJECT/ZONE/INSTANCE. */
export interface GcpNodeFact {
  readonly name: string;
  readonly providerID: string | null;
}

/** A VM behind the NEG endpoints (instances.get): the network tags and network the firewall matches on. */
export interface GcpInstanceFact {
  readonly name: string;
  readonly zone: string | null;
  readonly tags: readonly string[];
  /** The network of nic0 (a name), where the firewall rules that matter live. */
  readonly network: string | null;
  /** The network's project: on a Shared VPC, the host project, where ingress-gce may not write rules. */
  readonly networkProject: string | null;
}

export interface GcpValues {
  readonly access: GcpAccessFact;
  readonly forwardingRules: GcpForwardingRulesFact;
  readonly targetHttpsProxy: GcpTargetProxyFact;
  readonly sslCertificates: readonly GcpSslCertificateFact[];
  readonly sslPolicy: GcpSslPolicyFact;
  readonly urlMap: GcpUrlMapFact;
  readonly backendService: GcpBackendServiceFact;
  readonly healthCheck: GcpHealthCheckFact;
  /** backendServices.getHealth, one entry per NEG of the backend service. */
  readonly backendHealth: readonly GcpGroupHealthFact[];
  /** networkEndpointGroups.listNetworkEndpoints with health, one entry per NEG. */
  readonly negEndpoints: readonly GcpGroupHealthFact[];
  /** Every ingress firewall rule of the project; the check keeps those of the nodes' network and tags. */
  readonly firewalls: readonly GcpFirewallFact[];
  /** The cluster's Nodes (a Kubernetes read), for the project in their providerID. */
  readonly nodes: readonly GcpNodeFact[];
  /** The VMs that host the NEG endpoints. */
  readonly instances: readonly GcpInstanceFact[];
}
