// What the lab's L7 layer does, independent of who implements it (nginx or the Node proxy).
//
// front: the load balancer. TLS (or plaintext under `plaintext-front`) with a host rule on
//   :authority; the rule forwards gRPC to the pod over h2c (as an ALB target group with protocol
//   version GRPC does), every other :authority gets the default 404.
// pod: what Milvus's :19530 looks like from the LB. milvus-lite has no authorization and no
//   grpc.health.v1, so the pod routes by gRPC method path and by `authorization` metadata:
//   valid credentials → the backend, anything else → the stub, which answers UNAUTHENTICATED.
export interface FrontPlan {
  readonly port: number;
  readonly tls: boolean;
  readonly h2: boolean;
  /** server_name of the host rule. */
  readonly hostRule: string;
  /**
   * Forward to this loopback port — over h2c (an ALB target group with protocol version GRPC), or
   * over TLS (a GKE backend service with protocol HTTP2) — or answer every request with a status.
   */
  readonly action:
    | {
        readonly kind: 'forward';
        readonly port: number;
        readonly tls: boolean;
        /** Speak HTTP/1.1 to the target, as ingress-gce does when app-protocols is not keyed by the port name. */
        readonly http1?: boolean;
      }
    | { readonly kind: 'status'; readonly status: number };
  readonly certFile: string;
  readonly keyFile: string;
}

export interface PodPlan {
  /** h2c listener: what an ALB target group (GRPC) reaches. */
  readonly port: number;
  /** TLS + ALPN h2 listener (Milvus tlsMode 1), for the GKE flavour. */
  readonly tlsPort: number | null;
  readonly certFile: string;
  readonly keyFile: string;
  /** milvus-lite (or the stub when milvus-lite is absent). */
  readonly backendPort: number;
  readonly stubPort: number;
  /** `authorization` values routed to the backend; null = authorization disabled. */
  readonly authorized: readonly string[] | null;
  /** CheckHealth always goes to the stub (the `milvus-unhealthy` fault). */
  readonly checkHealthToStub: boolean;
}

export const HEALTH_PATH_PREFIX = '/grpc.health.v1.Health/';
export const CHECK_HEALTH_PATH = '/milvus.proto.milvus.MilvusService/CheckHealth';

/** The pod's routing decision for one request. */
export function podTarget(plan: PodPlan, path: string, authorization: string | undefined): number {
  if (path.startsWith(HEALTH_PATH_PREFIX)) return plan.stubPort;
  if (plan.checkHealthToStub && path === CHECK_HEALTH_PATH) return plan.stubPort;
  if (plan.authorized === null) return plan.backendPort;
  return authorization !== undefined && plan.authorized.includes(authorization) ? plan.backendPort : plan.stubPort;
}

/** Host part of :authority / Host, lower-cased, without port. */
export function authorityHost(authority: string | undefined): string {
  if (!authority) return '';
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':')[0];
  return host.toLowerCase();
}
