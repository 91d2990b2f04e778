// A grpc-js channel the way the SDK builds one through an L7 LB: TLS, SNI = server name,
// :authority = the host. Certificate verification is off: TLS is judged by its own probe.
import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import type { Area } from '../model.js';
import { type ProbeContext, hostPort, withDeadline } from './deadline.js';
import { sniFor } from './tls.js';

export interface GrpcTarget {
  readonly address: string;
  readonly port: number;
  readonly serverName: string | null;
  readonly authority: string;
  readonly ca: readonly string[] | null;
}

export type ProtoJson = Parameters<typeof fromJSON>[0];

export function openClient(target: GrpcTarget): Client {
  const sni = sniFor(target.serverName);
  const creds = credentials.createSsl(target.ca ? Buffer.from(target.ca.join('\n')) : null, null, null, {
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  return new Client(hostPort(target.address, target.port), creds, {
    'grpc.default_authority': target.authority,
    ...(sni ? { 'grpc.ssl_target_name_override': sni } : {}),
    // One attempt: a probe reports what happened, it does not paper over it.
    'grpc.enable_retries': 0,
    'grpc.max_reconnect_backoff_ms': 1_000,
  });
}

/** The serializers of one method from a protobufjs JSON descriptor. */
export function methodOf(json: ProtoJson, service: string, method: string, options: Parameters<typeof fromJSON>[1] = {}) {
  const definition = fromJSON(json, options)[service];
  if (!definition || !(method in definition)) throw new Error(`${service}/${method} is not in the descriptor`);
  const m = (definition as Record<string, unknown>)[method];
  if (!isMethod(m)) throw new Error(`${service}/${method} is not a method`);
  return m;
}

/** A method definition from proto-loader: the client and the server halves. */
interface MethodShape {
  readonly path: string;
  readonly requestSerialize: (value: object) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => object;
  readonly requestDeserialize: (bytes: Buffer) => object;
  readonly responseSerialize: (value: object) => Buffer;
}

function isMethod(m: unknown): m is MethodShape {
  return typeof m === 'object' && m !== null && 'path' in m && 'requestSerialize' in m && 'responseDeserialize' in m && 'requestDeserialize' in m && 'responseSerialize' in m;
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

export function grpcCodeName(code: number): string {
  return GrpcStatus[code] ?? `CODE_${code}`;
}

export function grpcError(layer: Area, prefix: string, error: ServiceError): ProbeError {
  const name = grpcCodeName(error.code);
  return new ProbeError(layer, `${prefix}_${name}`, `${name}: ${error.details}`, { grpcCode: error.code, details: error.details });
}

export { Metadata };
