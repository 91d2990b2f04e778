// grpc.health.v1 Check through the LB: what an ALB gRPC health check (or a mesh) would see.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { GrpcHealthFact } from '../facts/types.js';
import { ProbeError } from '../errors.js';
import type { ProbeContext } from './deadline.js';
import { type GrpcTarget, Metadata, type ProtoJson, grpcError, methodOf, openClient, unary } from './grpc-channel.js';

// The two messages and one method of grpc/health/v1/health.proto, as a protobufjs descriptor.
const HEALTH_PROTO: ProtoJson = {
  nested: {
    grpc: { nested: { health: { nested: { v1: { nested: {
      HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
      HealthCheckResponse: {
        fields: { status: { type: 'ServingStatus', id: 1 } },
        nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
      },
      Health: { methods: { Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse', comment: '' } } },
    } } } } } },
  },
};

let check: ReturnType<typeof methodOf> | undefined;

export async function probeGrpcHealth(target: GrpcTarget, ctx: ProbeContext, service = ''): Promise<GrpcHealthFact> {
  check ??= methodOf(HEALTH_PROTO, 'grpc.health.v1.Health', 'Check', { enums: String, defaults: true });
  const client = openClient(target);
  try {
    const result = await unary(client, check, { service }, new Metadata(), ctx, 'grpc');
    if (!result.ok) {
      if (result.error.code === GrpcStatus.UNIMPLEMENTED) {
        throw new ProbeError('grpc', 'GRPC_HEALTH_UNIMPLEMENTED', 'the server does not implement grpc.health.v1', { grpcCode: 12, details: result.error.details });
      }
      throw grpcError('grpc', 'GRPC', result.error);
    }
    const status = 'status' in result.value ? String(result.value.status) : 'UNKNOWN';
    return { status };
  } finally {
    client.close();
  }
}
