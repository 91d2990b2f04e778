// The ALB's health check, done for real against the lab's backend: gRPC over h2c (POST the target group's
// path, read grpc-status) for a GRPC target group, HTTP/1.1 GET for an HTTP1 one, each bounded by the
// check's timeout. The result maps to the state and reason DescribeTargetHealth reports.
import http from 'node:http';
import http2 from 'node:http2';
import type { HostPort } from '../address.js';

export interface HealthResult {
  readonly state: 'healthy' | 'unhealthy';
  readonly reason: string | null;
  readonly description: string | null;
}

function inMatcher(code: number, spec: string): boolean {
  return spec.split(',').some((part) => {
    const [lo, hi] = part.split('-').map((s) => Number(s.trim()));
    return hi === undefined ? code === lo : code >= lo && code <= hi;
  });
}

function grpcCode(target: HostPort, path: string, timeoutMs: number): Promise<number | 'timeout' | 'failed'> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://${target.host}:${target.port}`);
    let settled = false;
    const done = (r: number | 'timeout' | 'failed') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    session.on('error', () => done('failed'));
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    let status: number | null = null;
    const take = (h: http2.IncomingHttpHeaders) => {
      const s = h['grpc-status'];
      if (s !== undefined) status = Number(s);
    };
    req.on('response', take);
    req.on('trailers', take);
    req.on('error', () => done('failed'));
    req.on('data', () => {});
    req.on('end', () => done(status ?? 'failed'));
    req.end(Buffer.alloc(5));
  });
}

function httpCode(target: HostPort, path: string, timeoutMs: number): Promise<number | 'timeout' | 'failed'> {
  return new Promise((resolve) => {
    const req = http.get({ host: target.host, port: target.port, path, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 'failed');
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', () => resolve('failed'));
  });
}

export async function healthCheck(target: HostPort, spec: { grpc?: string; http?: string; path: string }, timeoutMs: number): Promise<HealthResult> {
  const got = spec.grpc !== undefined ? await grpcCode(target, spec.path, timeoutMs) : await httpCode(target, spec.path, timeoutMs);
  if (got === 'timeout') return { state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' };
  if (got === 'failed') return { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
  const matcher = spec.grpc ?? spec.http ?? '200';
  if (inMatcher(got, matcher)) return { state: 'healthy', reason: null, description: null };
  return { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${got}]` };
}
