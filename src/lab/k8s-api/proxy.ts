// The services/proxy and pods/proxy subresources: the apiserver relays an HTTP request to a pod's port,
// here to where that port lands in the lab (its /healthz on 9091), or answers what a fault made the
// pod answer.

import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { isRecord, type K8sObject } from '../../render/object.js';
import { containerPorts, podIp, podPortTarget, type HealthzAnswer } from '../world.js';
import type { ApiContext } from './context.js';
import type { ResourceRequest } from './request.js';
import { findResource } from './resources.js';
import { getObject } from './store.js';
import { sendStatus, StatusError } from './status.js';

/** A pod's /healthz answer as Milvus gives it (internal/http/healthz): JSON with components when asked for it. */
export function sendHealthzAnswer(req: IncomingMessage, res: ServerResponse, answer: HealthzAnswer): void {
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const detail = [
      { name: 'rootcoord', code: 1 },
      { name: 'datacoord', code: 1 },
      { name: 'querycoord', code: 1 },
      { name: 'querynode', code: 2 },
      { name: 'datanode', code: 2 },
    ];
    const text = JSON.stringify({ state: answer.body, detail });
    res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    return void res.end(text);
  }
  res.writeHead(answer.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

function serviceUnavailable(message: string): StatusError {
  return new StatusError({ code: 503, reason: 'ServiceUnavailable', message });
}

function resolvePodPort(pod: K8sObject, port: string | undefined): number {
  if (port === undefined || port === '') return 80;
  if (/^\d+$/.test(port)) return Number(port);
  const named = containerPorts(pod).find((p) => p.name === port);
  if (!named) throw serviceUnavailable(`error trying to reach service: no such port "${port}" on pod "${pod.metadata.name}"`);
  return named.containerPort;
}

/** The first ready endpoint of the Service port, from its EndpointSlices, as kube-proxy would pick one. */
function serviceEndpoint(ctx: ApiContext, svc: K8sObject, portSpec: string | undefined): { pod: string; port: number } {
  const name = svc.metadata.name;
  const spec = isRecord(svc.spec) ? svc.spec : {};
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isRecord);
  const svcPort = portSpec === undefined || portSpec === '' ? ports[0] : ports.find((p) => p.name === portSpec || String(p.port) === portSpec);
  const noEndpoints = serviceUnavailable(`no endpoints available for service "${portSpec ? `${name}:${portSpec}` : name}"`);
  if (!svcPort) throw noEndpoints;
  const portName = typeof svcPort.name === 'string' ? svcPort.name : '';
  const slices = ctx.world.objects.filter((o) => o.kind === 'EndpointSlice' && o.metadata.namespace === svc.metadata.namespace && o.metadata.labels?.['kubernetes.io/service-name'] === name);
  for (const slice of slices) {
    const slicePort = (Array.isArray(slice.ports) ? slice.ports : []).filter(isRecord).find((p) => (p.name ?? '') === portName);
    if (!slicePort || typeof slicePort.port !== 'number') continue;
    for (const ep of (Array.isArray(slice.endpoints) ? slice.endpoints : []).filter(isRecord)) {
      const ready = isRecord(ep.conditions) ? ep.conditions.ready !== false : true;
      if (ready && isRecord(ep.targetRef) && typeof ep.targetRef.name === 'string') return { pod: ep.targetRef.name, port: slicePort.port };
    }
  }
  throw noEndpoints;
}

function proxyToPod(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, podName: string, port: number, r: ResourceRequest, search: string): void {
  const pods = findResource(ctx.resources, '', 'v1', 'pods');
  if (!pods) throw new Error('pods missing from the resource table');
  const pod = getObject(ctx, pods, ctx.world.ids.namespace, podName);
  const { rest, trailingSlash } = r;
  const path = '/' + rest.map(encodeURIComponent).join('/') + (trailingSlash && rest.length > 0 ? '/' : '') + search;
  const override = port === 9091 && rest.join('/') === 'healthz' ? ctx.world.healthzOverrides.get(podName) : undefined;
  if (override) return sendHealthzAnswer(req, res, override);
  const where = podPortTarget(ctx.world, podName, port);
  const unreachable = (detail: string) => sendStatus(res, serviceUnavailable(`error trying to reach service: dial tcp ${podIp(pod)}:${port}: ${detail}`).status);
  if ('error' in where) return unreachable('connect: connection refused');
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    // The apiserver never hands the caller's credentials to the pod.
    if (v === undefined || k === 'authorization' || k === 'host' || k === 'connection') continue;
    headers[k] = v;
  }
  const upstream = httpRequest({ host: where.target.host, port: where.target.port, method: req.method, path, headers, timeout: 10_000 }, (up) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding') out[k] = v;
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  upstream.on('timeout', () => upstream.destroy(new Error('i/o timeout')));
  upstream.on('error', (e: NodeJS.ErrnoException) => {
    // Worded as the apiserver's Go dialer words it, without the lab's loopback address.
    if (!res.headersSent) unreachable(e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message);
    else res.destroy();
  });
  req.pipe(upstream);
}

export function serveProxy(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, r: ResourceRequest, search: string): void {
  // `name`, `name:port` or `scheme:name:port`, as `kubectl get --raw` and client-node send it.
  const parts = (r.name ?? '').split(':');
  const name = parts.length === 3 ? parts[1] : parts[0];
  const port = parts.length === 3 ? parts[2] : parts[1];
  if (r.res.resource === 'services') {
    const ep = serviceEndpoint(ctx, getObject(ctx, r.res, r.namespace, name), port);
    return proxyToPod(ctx, req, res, ep.pod, ep.port, r, search);
  }
  const pod = getObject(ctx, r.res, r.namespace, name);
  return proxyToPod(ctx, req, res, name, resolvePodPort(pod, port), r, search);
}
