// Facts: everything gather() learned in one run, as plain JSON. Judges (src/judge) read only this,
// so a run can be saved with --snapshot and judged again with --from-snapshot.
import type { Outcome } from '../model.js';
import type { K8sFacts } from '../platform/k8s/types.js';
import type { AwsValues, DataPathValues, GcpValues } from '../sources/values.js';
import type { SelectionFact } from '../sources/selection.js';

/** One Outcome per source value. */
export type OutcomeMap<V> = { readonly [K in keyof V]: Outcome<V[K]> };

/** What the run was pointed at, after discovery. No secrets: only whether credentials were given. */
export interface TargetInfo {
  readonly host: string | null;
  readonly address: string | null;
  readonly port: number;
  readonly serverName: string | null;
  readonly healthzUrl: string | null;
  readonly caFile: string | null;
  readonly credentials: 'token' | 'user-password' | 'none';
  readonly provider: 'aws' | 'gcp' | 'unknown';
  readonly dnsServer: string | null;
}

export interface DnsFact {
  readonly host: string;
  /** A and AAAA records of the host, in the order the resolver gave them. */
  readonly addresses: readonly string[];
  readonly server: string | null;
  /** When --address is a name: its own addresses, to compare with the host's. */
  readonly addressResolved: readonly string[] | null;
}

export interface TcpFact {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly connectMs: number;
}

/** One certificate as served (leaf first). Fields are what the checks compare. */
export interface CertInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string | null;
  /** subjectAltName entries as `DNS:name` / `IP Address:1.2.3.4`; null when the extension is absent. */
  readonly subjectAltNames: readonly string[] | null;
  readonly notBefore: string; // ISO 8601
  readonly notAfter: string; // ISO 8601
  readonly fingerprint256: string;
  readonly serialNumber: string;
  readonly isCA: boolean;
  readonly selfSigned: boolean;
  readonly pem: string;
}

export interface ChainAnalysis {
  /** Each served cert is issued (and signed) by the one after it. */
  readonly inOrder: boolean;
  /** Index of the first cert not issued by its successor, when not in order. */
  readonly brokenAt: number | null;
  /** The last served cert is issued by a trust anchor (or is one). */
  readonly anchoredBy: string | null;
  /** Whether the anchor is from --ca or the system roots. */
  readonly anchorSource: 'ca-file' | 'system' | null;
  /** The served chain alone verifies to a trusted root (false when an intermediate is missing). */
  readonly complete: boolean;
  /** Verification as a real client does it, with intermediates taken only from what was served. */
  readonly verifyError: string | null;
}

export interface TlsFact {
  readonly protocol: string | null; // 'TLSv1.3'
  readonly cipher: string | null;
  readonly alpn: string | null; // 'h2', 'http/1.1' or null
  readonly sni: string | null;
  readonly chain: readonly CertInfo[];
  readonly analysis: ChainAnalysis;
  readonly handshakeMs: number;
  /**
   * 'wire': `chain` is the Certificate message as sent. 'node': it could not be read, so `chain` is
   * Node's issuer-ordered view (which may end with a local trust anchor) and `inOrder` proves little.
   */
  readonly chainSource?: 'wire' | 'node';
}

/** What the front answered to one raw HTTP/2 gRPC request (GetVersion). */
export interface GrpcHttpFact {
  readonly authority: string;
  readonly status: number | null;
  readonly contentType: string | null;
  readonly grpcStatus: number | null;
  readonly grpcMessage: string | null;
  readonly server: string | null;
  readonly bodyBytes: number;
  /** First bytes of a non-gRPC body (HTML error pages name the LB), trimmed. */
  readonly bodySnippet: string | null;
}

export interface GrpcHealthFact {
  readonly status: string; // SERVING, NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN
}

export interface MilvusVersionFact {
  readonly version: string;
  readonly connectMs: number;
}

export interface MilvusHealthFact {
  readonly isHealthy: boolean;
  readonly reasons: readonly string[];
}

/** A call made without credentials (or with root:Milvus) and what came back. */
export interface MilvusAuthProbe {
  readonly grpcCode: number; // 0 = OK, 16 = UNAUTHENTICATED, ...
  readonly message: string;
  /**
   * The call really succeeded: gRPC OK, Milvus status Success and a non-empty version. grpcCode 0
   * alone is not enough: Milvus reports some refusals in the response status of an OK call.
   */
  readonly accepted?: boolean;
  /** The Milvus `status.code` of an OK response (0 = success); null when the call failed in gRPC. */
  readonly milvusCode?: number | null;
  /** The Milvus `status.error_code` name when it was not Success. */
  readonly milvusErrorCode?: string | null;
}

export interface LatencyFact {
  readonly samples: number;
  readonly failed: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface SmokeStep {
  readonly name: 'create' | 'insert' | 'search' | 'drop';
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

export interface SmokeFact {
  readonly collection: string;
  readonly steps: readonly SmokeStep[];
  readonly dropped: boolean;
}

export interface HealthzFact {
  readonly url: string;
  readonly status: number;
  readonly body: string;
  /** The Content-Type answered (an HTML page is some other server, not Milvus's /healthz). */
  readonly contentType?: string | null;
  /** Parsed from a 500 body "Not all components are healthy, x/y" or its JSON form. */
  readonly ready: number | null;
  readonly total: number | null;
  readonly unhealthyComponents: readonly string[];
}

/** Every data-path source's outcome, keyed as the registry keys them (src/sources/values.ts). */
export type DataPathFacts = OutcomeMap<DataPathValues>;

/** Options judges need (thresholds), provided to the suites beside the facts. */
export interface JudgeOptions {
  readonly warnDays: number;
  readonly failDays: number;
  readonly maxLatencyMs: number | null;
  readonly smoke: boolean;
  readonly now: string; // ISO 8601, the run's clock, so snapshots judge the same way
}

export interface Facts {
  readonly schema: 2;
  readonly target: TargetInfo;
  readonly gatheredAt: string;
  readonly gatherMs: number;
  /**
   * How late the doctor's own timers fired while it gathered (event-loop delay, ms): a timeout under a
   * busy machine is told apart from a silent network.
   */
  readonly loopDelay?: { readonly p99Ms: number; readonly maxMs: number };
  /** The Service, Ingress, host, address and provider this run judges, decided once, and why. */
  readonly selection: Outcome<SelectionFact>;
  readonly dataPath: DataPathFacts;
  /** Absent when no cluster or manifests were given. */
  readonly k8s?: K8sFacts;
  /** The AWS APIs' view (ELBv2, ACM, EC2), one Outcome per source; absent in snapshots of older doctors. */
  readonly aws?: OutcomeMap<AwsValues>;
  /** The Compute API's view, one Outcome per source; absent in snapshots of older doctors. */
  readonly gcp?: OutcomeMap<GcpValues>;
}
