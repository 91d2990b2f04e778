// The one rule both guides' Ingresses carry.

import { MILVUS_PORT } from './params.js';

/**
 * Every path of the host to the Service's gRPC port. The host must be what clients put in :authority;
 * a client that sends the LB address instead meets the LB's default 404 (FAILURES.md: authority).
 */
export function ingressRule(host: string, service: string): Record<string, unknown> {
  return {
    host,
    http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: MILVUS_PORT.port } } } }] },
  };
}
