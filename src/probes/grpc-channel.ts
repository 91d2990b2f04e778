// A grpc-js channel the way the SDK builds one through an L7 LB: TLS, SNI = server name,
// :authority = the host. Certificate verification is off by default (TLS is judged by its own probe),
// and on for a call that carries the user's credentials: a secret never goes to a server that a
// verifying client would refuse.
import { Client, Metadata, credentials, type ServiceError } from '@grpc/grpc-js';
import protobuf, { type IConversionOptions, type INamespace } from 'protobufjs';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import { GRPC_STATUS_NAMES, type Area, type GrpcStatusName } from '../model.js';
import { type ProbeContext, hostPort, withDeadline } from './deadline.js';
import { sniFor } from './tls.js';

export interface GrpcTarget {
  readonly address: string;
  readonly port: number;
  readonly serverName: string | null;
  readonly authority: string;
  readonly ca: readonly string[] | null;
}

export type ProtoJson = INamespace;

export function openClient(target: GrpcTarget, options: { readonly verify?: boolean } = {}): Client {
  const sni = sniFor(target.serverName);
  // Verifying: the --ca bundle or the system roots, and the certificate must name the server name.
  const creds = credentials.createSsl(
    target.ca ? Buffer.from(target.ca.join('\n')) : null,
    null,
    null,
    options.verify ? {} : { rejectUnauthorized: false, checkServerIdentity: () => undefined },
  );
  return new Client(hostPort(target.address, target.port), creds, {
    'grpc.default_authority': target.authority,
    ...(sni ? { 'grpc.ssl_target_name_override': sni } : {}),
    // One attempt: a probe reports what happened, it does not paper over it.
    'grpc.enable_retries': 0,
    'grpc.max_reconnect_backoff_ms': 1_000,
  });
}

/**
 * The serializers of one method from a protobufjs JSON descriptor, built with protobufjs itself: only
 * the method's two types are resolved, where proto-loader's fromJSON walks every type of every service
 * into descriptors (the Milvus descriptor: ~250 ms of CPU at start-up, against ~130 ms here).
 * Field names stay as the JSON spells them (proto-loader's keepCase).
 */
export function methodOf(json: ProtoJson, service: string, method: string, options: IConversionOptions = {}): MethodShape {
  let m: protobuf.Method | undefined;
  try {
    m = protobuf.Root.fromJSON(json).lookupService(service).methods[method];
  } catch {
    m = undefined;
  }
  if (!m) throw new Error(`${service}/${method} is not in the descriptor`);
  m.resolve();
  const request = m.resolvedRequestType;
  const response = m.resolvedResponseType;
  if (!request || !response) throw new Error(`${service}/${method} is not a method`);
  const serialize = (type: protobuf.Type) => (value: object): Buffer => Buffer.from(type.encode(type.fromObject(value as Record<string, unknown>)).finish());
  const deserialize = (type: protobuf.Type) => (bytes: Buffer): object => type.toObject(type.decode(bytes), options);
  return {
    path: `/${service}/${method}`,
    requestSerialize: serialize(request),
    requestDeserialize: deserialize(request),
    responseSerialize: serialize(response),
    responseDeserialize: deserialize(response),
  };
}

/** One method: the client and the server halves. */
export interface MethodShape {
  readonly path: string;
  readonly requestSerialize: (value: object) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => object;
  readonly requestDeserialize: (bytes: Buffer) => object;
  readonly responseSerialize: (value: object) => Buffer;
}

export type UnaryResult = { readonly ok: true; readonly value: object } | { readonly ok: false; readonly error: ServiceError };

/** One unary call with a deadline; never rejects for a gRPC status, only for our deadline or abort. */
export function unary(
  client: Client,
  method: MethodShape,
  request: object,
  metadata: Metadata,
  ctx: ProbeContext,
  layer: Area,
): Promise<UnaryResult> {
  return withDeadline(ctx, layer, () => new ProbeTimeoutError(layer, 'call', ctx.timeoutMs), (signal) =>
    new Promise<UnaryResult>((resolve) => {
      const call = client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + ctx.timeoutMs + 500 },
        (error, value) => resolve(error ? { ok: false, error } : { ok: true, value: value ?? {} }),
      );
      signal.addEventListener('abort', () => call.cancel(), { once: true });
    }),
  );
}

export function grpcCodeName(code: number): GrpcStatusName | `CODE_${number}` {
  return GRPC_STATUS_NAMES[code] ?? `CODE_${code}`;
}

export function grpcError(layer: Area, prefix: 'GRPC' | 'MILVUS', error: ServiceError): ProbeError {
  const name = grpcCodeName(error.code);
  return new ProbeError(layer, `${prefix}_${name}`, `${name}: ${error.details}`, { grpcCode: error.code, details: error.details });
}

export { Metadata };
