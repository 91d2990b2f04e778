// Discovery and the public endpoints: /version, /healthz and friends, /api, /apis and each group's
// resource list (server-side apply reads these before any write).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from './context.js';
import { apiGroup, apiGroupList, apiResourceList } from './resources.js';
import { NOT_FOUND_PATH, sendJson, sendStatus } from './status.js';

/** Answered without a token, as a cluster's anonymous health and version endpoints are. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/version', '/healthz', '/livez', '/readyz']);

/** Answers a discovery or public path; false when the path is a resource URL instead. */
export function serveDiscovery(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, segs: readonly string[]): boolean {
  const path = '/' + segs.join('/');
  if (path === '/version') {
    sendJson(res, 200, versionInfo(ctx.world.ids.kubernetesVersion));
    return true;
  }
  if (PUBLIC_PATHS.has(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok');
    return true;
  }
  if (path === '/api') {
    const address = req.socket.localAddress ?? '127.0.0.1';
    sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${address}:${req.socket.localPort ?? 0}` }] });
    return true;
  }
  if (path === '/apis') {
    sendJson(res, 200, apiGroupList(ctx.resources));
    return true;
  }
  if (path === '/api/v1') {
    sendJson(res, 200, apiResourceList(ctx.resources, '', 'v1'));
    return true;
  }
  if (segs[0] === 'apis' && (segs.length === 2 || segs.length === 3)) {
    const body = segs.length === 2 ? apiGroup(ctx.resources, segs[1]) : apiResourceList(ctx.resources, segs[1], segs[2]);
    if (body) sendJson(res, 200, body);
    else sendStatus(res, NOT_FOUND_PATH);
    return true;
  }
  return false;
}

function versionInfo(gitVersion: string): Record<string, string> {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m ? m[1] : '1',
    minor: m ? (gitVersion.includes('-eks-') ? `${m[2]}+` : m[2]) : '30',
    gitVersion,
    gitCommit: '9c3c2a6f4a1b8e0d7c5b3a2f1e0d9c8b7a6f5e4d',
    gitTreeState: 'clean',
    buildDate: '2024-09-11T21:22:08Z',
    goVersion: 'go1.22.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
