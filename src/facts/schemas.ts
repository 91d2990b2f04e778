// Runtime schemas for every fact value the doctor gathers, so that a saved snapshot (--from-snapshot) can be
// checked fact by fact and a garbage one rejected with one line naming the field. Each schema is declared
// as `z.ZodType<Interface>` and built through `exact<Interface>()`, so the compiler proves both directions:
// everything the schema accepts is an Interface, and every Interface value is accepted (modulo the value
// checks zod adds: finite numbers, integers, ISO dates). Unknown keys are stripped (plain z.object), so a
// snapshot written by a newer version still loads.
// Cheap to import: zod, plus AREAS from the dependency-free model.ts; everything else is type-only.
import { z } from 'zod';
import { AREAS } from '../model.js';
import type { ErrorCode, Outcome, ProbeErrorInfo } from '../model.js';
import type {
  CertInfo,
  ChainAnalysis,
  DnsFact,
  GrpcHealthFact,
  GrpcHttpFact,
  HealthzFact,
  LatencyFact,
  MilvusAuthProbe,
  MilvusHealthFact,
  MilvusVersionFact,
  SmokeFact,
  SmokeStep,
  TcpFact,
  TlsFact,
} from './types.js';
import type {
  BackendConfigFact,
  BackendConfigHealthCheck,
  BackendProtocolFact,
  BackendTlsOutcome,
  ContainerFact,
  ContainerPortFact,
  EndpointFact,
  EndpointSliceFact,
  EventFact,
  HealthzReading,
  IngressBackendRef,
  IngressClassFact,
  IngressFact,
  IngressPathFact,
  IngressRuleFact,
  ManagedCertificateFact,
  MilvusConfigFact,
  PodConditionFact,
  PodFact,
  SecretCertFact,
  ServiceFact,
  ServicePortFact,
  TargetGroupBindingFact,
  TlsSecretFact,
  WorkloadFact,
} from '../platform/k8s/types.js';

// ---------------------------------------------------------------------------------------------------------
// The compile-time proof. `z.ZodType<T>` alone only proves "output ⊆ T": a schema that forgets an enum
// member, or requires a field T marks optional, would still type-check. `exact<T>()` adds "T ⊆ output".

/** T with readonly removed at every depth (zod's outputs are mutable; readonly arrays are not assignable to them). */
type Writable<T> = T extends readonly (infer U)[]
  ? Writable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> }
    : T;

/** Identity at runtime. At compile time the argument is rejected unless its output type is exactly T. */
function exact<T>() {
  return <S extends z.ZodType<T>>(
    schema: S & ([Writable<T>] extends [z.output<S>] ? unknown : { 'schema rejects values the interface allows': Writable<T> }),
  ): z.ZodType<T> => schema;
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks.

/** What the probes produce for ports, HTTP and gRPC status codes and counts. */
const int = z.number().int();
const count = z.number().int().nonnegative();
const port = z.number().int().min(0).max(65535);
const millis = z.number().nonnegative();
/** Certificate dates are `Date#toISOString()` output. */
const isoDate = z.iso.datetime();
const nullableString = z.string().nullable();
/** Kubernetes numbers are passed through from the objects as read (any finite number), so no int check. */
const k8sNumber = z.number();
const k8sNullableNumber = z.number().nullable();
const stringMap = z.record(z.string(), z.string());
const strings = z.array(z.string());

// ---------------------------------------------------------------------------------------------------------
// src/model.ts

export const areaSchema = z.enum(AREAS);

/**
 * An error code as the doctor writes them (UPPER_SNAKE). Its shape is checked rather than the list, so a
 * snapshot from a newer doctor with a code this one does not know still loads.
 */
export const errorCodeSchema = z.custom<ErrorCode>((v) => typeof v === 'string' && /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(v), { message: 'not an error code (UPPER_SNAKE)' });

export const probeErrorInfoSchema: z.ZodType<ProbeErrorInfo> = exact<ProbeErrorInfo>()(
  z.object({
    code: errorCodeSchema,
    layer: areaSchema,
    message: z.string(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  }),
);

/** An Outcome of a fact: `ok` carries a value that must match `value`; `error` and `skipped` carry none. */
export function outcomeSchema<T>(value: z.ZodType<T>): z.ZodType<Outcome<T>> {
  return z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), value, ms: millis }),
    z.object({ status: z.literal('error'), error: probeErrorInfoSchema, ms: millis }),
    z.object({ status: z.literal('skipped'), reason: z.string(), blockedBy: z.string().optional() }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// src/facts/types.ts: the data path.

export const dnsFactSchema: z.ZodType<DnsFact> = exact<DnsFact>()(
  z.object({
    host: z.string(),
    addresses: strings,
    server: nullableString,
    addressResolved: strings.nullable(),
  }),
);

export const tcpFactSchema: z.ZodType<TcpFact> = exact<TcpFact>()(
  z.object({
    remoteAddress: z.string(),
    remotePort: port,
    connectMs: millis,
  }),
);

/** The fields CertInfo and SecretCertFact share (SecretCertFact is CertInfo without the PEM). */
const certFields = {
  subject: z.string(),
  issuer: z.string(),
  commonName: nullableString,
  subjectAltNames: strings.nullable(),
  notBefore: isoDate,
  notAfter: isoDate,
  fingerprint256: z.string(),
  serialNumber: z.string(),
  isCA: z.boolean(),
  selfSigned: z.boolean(),
};

export const certInfoSchema: z.ZodType<CertInfo> = exact<CertInfo>()(z.object({ ...certFields, pem: z.string() }));

export const chainAnalysisSchema: z.ZodType<ChainAnalysis> = exact<ChainAnalysis>()(
  z.object({
    inOrder: z.boolean(),
    brokenAt: count.nullable(),
    anchoredBy: nullableString,
    anchorSource: z.enum(['ca-file', 'system']).nullable(),
    complete: z.boolean(),
    verifyError: nullableString,
  }),
);

export const tlsFactSchema: z.ZodType<TlsFact> = exact<TlsFact>()(
  z.object({
    protocol: nullableString,
    cipher: nullableString,
    alpn: nullableString,
    sni: nullableString,
    chain: z.array(certInfoSchema),
    analysis: chainAnalysisSchema,
    handshakeMs: millis,
    chainSource: z.enum(['wire', 'node']).optional(),
  }),
);

export const grpcHttpFactSchema: z.ZodType<GrpcHttpFact> = exact<GrpcHttpFact>()(
  z.object({
    authority: z.string(),
    status: count.nullable(),
    contentType: nullableString,
    grpcStatus: count.nullable(),
    grpcMessage: nullableString,
    server: nullableString,
    bodyBytes: count,
    bodySnippet: nullableString,
  }),
);

export const grpcHealthFactSchema: z.ZodType<GrpcHealthFact> = exact<GrpcHealthFact>()(
  // SERVING, NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN, but kept open: a newer server may answer another name.
  z.object({ status: z.string() }),
);

export const milvusVersionFactSchema: z.ZodType<MilvusVersionFact> = exact<MilvusVersionFact>()(
  z.object({ version: z.string(), connectMs: millis }),
);

export const milvusHealthFactSchema: z.ZodType<MilvusHealthFact> = exact<MilvusHealthFact>()(
  z.object({ isHealthy: z.boolean(), reasons: strings }),
);

export const milvusAuthProbeSchema: z.ZodType<MilvusAuthProbe> = exact<MilvusAuthProbe>()(
  z.object({
    grpcCode: count,
    message: z.string(),
    accepted: z.boolean().optional(),
    milvusCode: int.nullable().optional(),
    milvusErrorCode: nullableString.optional(),
  }),
);

export const latencyFactSchema: z.ZodType<LatencyFact> = exact<LatencyFact>()(
  z.object({
    samples: count,
    failed: count,
    p50: millis,
    p95: millis,
    max: millis,
  }),
);

export const smokeStepSchema: z.ZodType<SmokeStep> = exact<SmokeStep>()(
  z.object({
    name: z.enum(['create', 'insert', 'search', 'drop']),
    ok: z.boolean(),
    ms: millis,
    error: z.string().optional(),
  }),
);

export const smokeFactSchema: z.ZodType<SmokeFact> = exact<SmokeFact>()(
  z.object({ collection: z.string(), steps: z.array(smokeStepSchema), dropped: z.boolean() }),
);

export const healthzFactSchema: z.ZodType<HealthzFact> = exact<HealthzFact>()(
  z.object({
    url: z.string(),
    status: count,
    body: z.string(),
    contentType: z.string().nullable().optional(),
    ready: count.nullable(),
    total: count.nullable(),
    unhealthyComponents: strings,
  }),
);

// ---------------------------------------------------------------------------------------------------------
// src/platform/k8s/types.ts: the cluster snapshot. Numbers here come from objects (or YAML) as written.

export const servicePortFactSchema: z.ZodType<ServicePortFact> = exact<ServicePortFact>()(
  z.object({
    name: nullableString,
    port: k8sNumber,
    targetPort: z.union([k8sNumber, z.string()]).nullable(),
    protocol: z.string(),
    nodePort: k8sNullableNumber,
    appProtocol: nullableString,
  }),
);

export const serviceFactSchema: z.ZodType<ServiceFact> = exact<ServiceFact>()(
  z.object({
    name: z.string(),
    namespace: z.string(),
    type: z.string(),
    clusterIP: nullableString,
    ports: z.array(servicePortFactSchema),
    selector: stringMap,
    labels: stringMap,
    annotations: stringMap,
    loadBalancerAddresses: strings,
  }),
);

export const endpointFactSchema: z.ZodType<EndpointFact> = exact<EndpointFact>()(
  z.object({
    addresses: strings,
    ready: z.boolean().nullable(),
    serving: z.boolean().nullable(),
    terminating: z.boolean().nullable(),
    podName: nullableString,
  }),
);

export const endpointSliceFactSchema: z.ZodType<EndpointSliceFact> = exact<EndpointSliceFact>()(
  z.object({
    name: z.string(),
    service: nullableString,
    addressType: z.string(),
    ports: z.array(z.object({ name: nullableString, port: k8sNullableNumber, protocol: z.string() })),
    endpoints: z.array(endpointFactSchema),
  }),
);

export const containerPortFactSchema: z.ZodType<ContainerPortFact> = exact<ContainerPortFact>()(
  z.object({ name: nullableString, containerPort: k8sNumber, protocol: z.string() }),
);

export const containerFactSchema: z.ZodType<ContainerFact> = exact<ContainerFact>()(
  z.object({
    name: z.string(),
    ready: z.boolean(),
    restartCount: k8sNumber,
    ports: z.array(containerPortFactSchema),
    waitingReason: nullableString,
    lastTerminationReason: nullableString,
  }),
);

export const podConditionFactSchema: z.ZodType<PodConditionFact> = exact<PodConditionFact>()(
  z.object({ type: z.string(), status: z.string(), reason: nullableString, message: nullableString }),
);

export const podFactSchema: z.ZodType<PodFact> = exact<PodFact>()(
  z.object({
    name: z.string(),
    phase: nullableString,
    podIP: nullableString,
    ready: z.boolean(),
    labels: stringMap,
    containers: z.array(containerFactSchema),
    conditions: z.array(podConditionFactSchema),
  }),
);

export const workloadFactSchema: z.ZodType<WorkloadFact> = exact<WorkloadFact>()(
  z.object({
    kind: z.string(),
    name: z.string(),
    replicas: k8sNullableNumber,
    podLabels: stringMap,
    containerPorts: z.array(containerPortFactSchema),
  }),
);

export const milvusConfigFactSchema: z.ZodType<MilvusConfigFact> = exact<MilvusConfigFact>()(
  z.object({
    configMap: z.string(),
    files: strings,
    tlsMode: k8sNullableNumber,
    tlsModeFrom: nullableString,
    authorizationEnabled: z.boolean().nullable(),
    authorizationFrom: nullableString,
    tlsPaths: stringMap,
    parseErrors: strings,
  }),
);

const ingressBackendRefFields = {
  serviceName: nullableString,
  portNumber: k8sNullableNumber,
  portName: nullableString,
};

export const ingressBackendRefSchema: z.ZodType<IngressBackendRef> = exact<IngressBackendRef>()(z.object(ingressBackendRefFields));

export const ingressPathFactSchema: z.ZodType<IngressPathFact> = exact<IngressPathFact>()(
  z.object({ ...ingressBackendRefFields, path: nullableString, pathType: nullableString }),
);

export const ingressRuleFactSchema: z.ZodType<IngressRuleFact> = exact<IngressRuleFact>()(
  z.object({ host: nullableString, paths: z.array(ingressPathFactSchema) }),
);

export const ingressFactSchema: z.ZodType<IngressFact> = exact<IngressFact>()(
  z.object({
    name: z.string(),
    namespace: z.string(),
    ingressClassName: nullableString,
    annotations: stringMap,
    labels: stringMap,
    rules: z.array(ingressRuleFactSchema),
    defaultBackend: ingressBackendRefSchema.nullable(),
    tls: z.array(z.object({ hosts: strings, secretName: nullableString })),
    addresses: z.array(z.object({ ip: nullableString, hostname: nullableString })),
    finalizers: strings,
    hasStatus: z.boolean(),
    createdAt: nullableString.optional(),
  }),
);

export const ingressClassFactSchema: z.ZodType<IngressClassFact> = exact<IngressClassFact>()(
  z.object({ name: z.string(), controller: nullableString, isDefault: z.boolean() }),
);

export const eventFactSchema: z.ZodType<EventFact> = exact<EventFact>()(
  z.object({
    involvedKind: nullableString,
    involvedName: nullableString,
    type: nullableString,
    reason: nullableString,
    message: z.string(),
    count: k8sNumber,
    // ISO 8601 from the live client, but verbatim from YAML offline: not checked as a date.
    lastSeen: nullableString,
    source: nullableString,
  }),
);

export const backendConfigHealthCheckSchema: z.ZodType<BackendConfigHealthCheck> = exact<BackendConfigHealthCheck>()(
  z.object({
    type: nullableString,
    port: k8sNullableNumber,
    requestPath: nullableString,
    checkIntervalSec: k8sNullableNumber,
    timeoutSec: k8sNullableNumber,
    healthyThreshold: k8sNullableNumber,
    unhealthyThreshold: k8sNullableNumber,
  }),
);

export const backendConfigFactSchema: z.ZodType<BackendConfigFact> = exact<BackendConfigFact>()(
  z.object({
    name: z.string(),
    namespace: z.string(),
    apiVersion: z.string(),
    healthCheck: backendConfigHealthCheckSchema.nullable(),
    timeoutSec: k8sNullableNumber,
  }),
);

export const managedCertificateFactSchema: z.ZodType<ManagedCertificateFact> = exact<ManagedCertificateFact>()(
  z.object({
    name: z.string(),
    namespace: z.string(),
    domains: strings,
    certificateStatus: nullableString,
    domainStatus: z.array(z.object({ domain: z.string(), status: z.string() })),
    certificateName: nullableString,
    expireTime: nullableString,
    hasStatus: z.boolean(),
  }),
);

export const secretCertFactSchema: z.ZodType<SecretCertFact> = exact<SecretCertFact>()(z.object(certFields));

export const tlsSecretFactSchema: z.ZodType<TlsSecretFact> = exact<TlsSecretFact>()(
  z.object({
    name: z.string(),
    namespace: z.string(),
    type: nullableString,
    hasCert: z.boolean(),
    hasKey: z.boolean(),
    certError: nullableString,
    keyError: nullableString,
    chain: z.array(secretCertFactSchema),
    keyMatchesCert: z.boolean().nullable(),
    keyType: nullableString,
  }),
);

export const targetGroupBindingFactSchema: z.ZodType<TargetGroupBindingFact> = exact<TargetGroupBindingFact>()(
  z.object({
    name: z.string(),
    serviceName: nullableString,
    servicePort: z.union([k8sNumber, z.string()]).nullable(),
    targetGroupARN: nullableString,
    targetType: nullableString,
    observedGeneration: k8sNullableNumber,
    generation: k8sNullableNumber,
    events: z.array(eventFactSchema),
  }),
);

export const healthzReadingSchema: z.ZodType<HealthzReading> = exact<HealthzReading>()(
  z.object({
    target: z.string(),
    status: count.nullable(),
    body: z.string(),
    ready: count.nullable(),
    total: count.nullable(),
    error: nullableString,
  }),
);

export const backendTlsOutcomeSchema: z.ZodType<BackendTlsOutcome> = exact<BackendTlsOutcome>()(
  z.enum(['tls', 'plaintext', 'client-cert-required', 'error']),
);

export const backendProtocolFactSchema: z.ZodType<BackendProtocolFact> = exact<BackendProtocolFact>()(
  z.object({
    pod: z.string(),
    port: port,
    tls: z.object({
      outcome: backendTlsOutcomeSchema,
      alpn: nullableString,
      protocol: nullableString,
      error: nullableString,
      leafFingerprint256: nullableString,
    }),
    h2c: z.object({
      ok: z.boolean(),
      status: count.nullable(),
      contentType: nullableString,
      grpcStatus: count.nullable(),
      grpcMessage: nullableString,
      error: nullableString,
    }),
  }),
);
