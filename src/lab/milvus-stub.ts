// A Milvus-protocol gRPC server built from the Node SDK's bundled protobufjs JSON. It plays three
// parts in the lab:
//  - the whole backend when milvus-lite is not installed (GetVersion, Connect, CheckHealth, the
//    collection calls a smoke test makes; every other method answers a success Status);
//  - the authorization gate beside milvus-lite. milvus-lite has no authorization at all, so the
//    front routes requests whose `authorization` metadata is not a valid credential here, and this
//    server answers them as a Milvus proxy with authorizationEnabled does: gRPC UNAUTHENTICATED (16)
//    for every MilvusService method. That reproduces Milvus's wire behaviour, not its code;
//  - what milvus-lite lacks: the grpc.health.v1 service, and an unhealthy CheckHealth for the
//    `milvus-unhealthy` fault.
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { fromJSON, type AnyDefinition, type ServiceDefinition } from '@grpc/proto-loader';

type ProtoJson = Parameters<typeof fromJSON>[0];

const require = createRequire(import.meta.url);
const milvusProto = (require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js') as { default: ProtoJson }).default;

const HEALTH_PROTO: ProtoJson = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                },
                Health: { methods: { Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse', comment: '' } } },
              },
            },
          },
        },
      },
    },
  },
};

const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

export const MILVUS_SERVICE = 'milvus.proto.milvus.MilvusService';
/** DescribeCollectionResponse.schema: the field number the raw CollectionSchema bytes are written under. */
const DESCRIBE_SCHEMA_FIELD = 2;

export interface MilvusStubOptions {
  /** Valid `authorization` metadata values (base64 of "user:password"); null = authorization disabled. */
  readonly validAuthorizations: readonly string[] | null;
  /** CheckHealth answers isHealthy=false with these reasons. */
  readonly unhealthyReasons?: readonly string[];
  readonly version?: string;
}

/** What credential a call carried: tests prove with it what reached the server (never the secret itself). */
export type StubCredential = 'none' | 'default-password' | 'accepted' | 'refused';
export interface StubCall {
  readonly method: string;
  readonly credential: StubCredential;
}

export interface MilvusStub {
  readonly port: number;
  /** Every call that reached the stub, in order. */
  readonly calls: readonly StubCall[];
  close(): Promise<void>;
}

const DEFAULT_PASSWORD_AUTHORIZATION = Buffer.from('root:Milvus').toString('base64');

interface Collection {
  readonly id: string;
  readonly schema: Buffer;
  rows: number;
}

const OK_STATUS = { error_code: 'Success', code: 0, reason: '' };

function statusError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

function field<T>(request: unknown, name: string, fallback: T): T {
  if (typeof request === 'object' && request !== null && name in request) {
    const value: unknown = Reflect.get(request, name);
    if (value !== undefined && value !== null) return value as T;
  }
  return fallback;
}

/** Appends a length-delimited field to an encoded message: protobuf lets fields be concatenated. */
function appendBytesField(message: Buffer, fieldNumber: number, bytes: Buffer): Buffer {
  const header: number[] = [(fieldNumber << 3) | 2];
  let n = bytes.length;
  while (n > 0x7f) {
    header.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  header.push(n);
  return Buffer.concat([message, Buffer.from(header), bytes]);
}

function serviceOf(definition: AnyDefinition | undefined, method: string): ServiceDefinition {
  if (!definition || 'format' in definition || !(method in definition)) {
    throw new Error(`the lab's protos do not define a service with ${method}`);
  }
  return definition;
}

let services: { milvusService: ServiceDefinition; healthService: ServiceDefinition } | undefined;

/** Building the definitions from the SDK's JSON costs a few hundred ms of CPU: once per process. */
function loadServices(): { milvusService: ServiceDefinition; healthService: ServiceDefinition } {
  services ??= {
    milvusService: serviceOf(fromJSON(milvusProto, LOADER_OPTIONS)[MILVUS_SERVICE], 'Connect'),
    healthService: serviceOf(fromJSON(HEALTH_PROTO, LOADER_OPTIONS)['grpc.health.v1.Health'], 'Check'),
  };
  return services;
}

export async function startMilvusStub(options: MilvusStubOptions, port = 0): Promise<MilvusStub> {
  const { milvusService, healthService } = loadServices();

  const collections = new Map<string, Collection>();
  let nextId = 450_000_000_000_000_000n;
  const rawSchemas = new WeakMap<object, Buffer>();
  const version = options.version ?? 'v2.6.0-lab-stub';

  const calls: StubCall[] = [];
  function record(method: string, metadata: grpc.Metadata): void {
    const given = metadata.get('authorization')[0];
    const credential: StubCredential =
      given === undefined || given === ''
        ? 'none'
        : given === DEFAULT_PASSWORD_AUTHORIZATION
          ? 'default-password'
          : options.validAuthorizations === null || (typeof given === 'string' && options.validAuthorizations.includes(given))
            ? 'accepted'
            : 'refused';
    calls.push({ method, credential });
  }

  function authorize(metadata: grpc.Metadata): grpc.ServiceError | null {
    if (options.validAuthorizations === null) return null;
    const given = metadata.get('authorization')[0];
    if (given === undefined || given === '') return statusError(grpc.status.UNAUTHENTICATED, 'missing authorization in header');
    if (typeof given === 'string' && options.validAuthorizations.includes(given)) return null;
    return statusError(grpc.status.UNAUTHENTICATED, 'auth check failure, please check username, password or token are correct');
  }

  const implementations: Record<string, (request: unknown) => object> = {
    GetVersion: () => ({ status: OK_STATUS, version }),
    Connect: () => ({
      status: OK_STATUS,
      server_info: { build_tags: version, build_time: '', git_commit: 'lab-stub', go_version: '', deploy_mode: 'STANDALONE', reserved: {} },
      // The Node SDK treats a zero identifier as "Connect unimplemented".
      identifier: String(Date.now()),
    }),
    CheckHealth: () =>
      options.unhealthyReasons && options.unhealthyReasons.length > 0
        ? { status: OK_STATUS, isHealthy: false, reasons: [...options.unhealthyReasons], quota_states: [] }
        : { status: OK_STATUS, isHealthy: true, reasons: [], quota_states: [] },
    ShowCollections: () => ({
      status: OK_STATUS,
      collection_names: [...collections.keys()],
      collection_ids: [...collections.values()].map((c) => c.id),
    }),
    CreateCollection: (request) => {
      const name = field(request, 'collection_name', '');
      if (collections.has(name)) return { ...OK_STATUS, error_code: 'UnexpectedError', code: 65535, reason: `collection ${name} already exists` };
      collections.set(name, { id: String(nextId++), schema: field(request, 'schema', Buffer.alloc(0)), rows: 0 });
      return OK_STATUS;
    },
    HasCollection: (request) => ({ status: OK_STATUS, value: collections.has(field(request, 'collection_name', '')) }),
    DescribeCollection: (request) => {
      const name = field(request, 'collection_name', '');
      const collection = collections.get(name);
      if (!collection) {
        return { status: { error_code: 'CollectionNotExists', code: 100, reason: `can't find collection[${name}]` } };
      }
      const response = { status: OK_STATUS, collectionID: collection.id, collection_name: name, shards_num: 1, consistency_level: 'Bounded' };
      rawSchemas.set(response, collection.schema);
      return response;
    },
    DropCollection: (request) => {
      collections.delete(field(request, 'collection_name', ''));
      return OK_STATUS;
    },
    Insert: (request) => {
      const collection = collections.get(field(request, 'collection_name', ''));
      const rows = Number(field(request, 'num_rows', 0));
      if (!collection) return { status: { error_code: 'CollectionNotExists', code: 100, reason: 'collection not found' } };
      const first = collection.rows;
      collection.rows += rows;
      const ids = Array.from({ length: rows }, (_, i) => String(first + i + 1));
      return { status: OK_STATUS, IDs: { int_id: { data: ids } }, succ_index: ids.map((_, i) => i), insert_cnt: String(rows) };
    },
    Search: (request) => {
      // One hit per query (the first inserted row) once the collection holds rows: enough for a client
      // to see its data come back, as the smoke test checks.
      const name = field(request, 'collection_name', '');
      const nq = Math.max(1, Number(field(request, 'nq', 1)) || 1);
      const hits = (collections.get(name)?.rows ?? 0) > 0 ? 1 : 0;
      return {
        status: OK_STATUS,
        collection_name: name,
        results: {
          num_queries: String(nq),
          top_k: String(hits),
          scores: Array.from({ length: nq * hits }, () => 1),
          ids: { int_id: { data: Array.from({ length: nq * hits }, () => '1') } },
          topks: Array.from({ length: nq }, () => String(hits)),
          fields_data: [],
        },
      };
    },
    GetLoadState: () => ({ status: OK_STATUS, state: 'LoadStateLoaded' }),
    GetLoadingProgress: () => ({ status: OK_STATUS, progress: '100', refresh_progress: '100' }),
  };

  const handlers: grpc.UntypedServiceImplementation = {};
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const [method, def] of Object.entries(milvusService)) {
    // The replication streams are not part of any client path the doctor checks.
    if (def.requestStream || def.responseStream) continue;
    const serialize = def.responseSerialize;
    definition[method] = {
      ...def,
      responseSerialize: (value: object) => {
        const encoded = serialize(value);
        const schema = rawSchemas.get(value);
        return schema ? appendBytesField(encoded, DESCRIBE_SCHEMA_FIELD, schema) : encoded;
      },
    };
    const respondsWithStatus = field<string>(def.responseType.type, 'name', '') === 'Status';
    const implementation = implementations[method];
    handlers[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      record(method, call.metadata);
      const denied = authorize(call.metadata);
      if (denied) return callback(denied);
      if (implementation) return callback(null, implementation(call.request));
      callback(null, respondsWithStatus ? OK_STATUS : { status: OK_STATUS });
    };
  }

  const server = new grpc.Server();
  server.addService(definition, handlers);
  server.addService(healthService, {
    Check: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const name = field(call.request, 'service', '');
      if (name === '' || name === MILVUS_SERVICE) return callback(null, { status: 'SERVING' });
      callback(statusError(grpc.status.NOT_FOUND, `unknown service ${name}`));
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p)));
  });
  return {
    port: bound,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Open HTTP/2 sessions from the front would hold tryShutdown; the lab is going away anyway.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}
