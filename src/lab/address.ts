// Where a lab component listens, and where a pod's port lands in the lab.

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function parseHostPort(s: string, what: string): HostPort {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
  if (!m) throw new Error(`${what}: expected ip:port, got ${JSON.stringify(s)}`);
  return { host: m[1], port: Number(m[2]) };
}

/** Where a pod's port lands, or the error the kubelet would report for it. */
export type PortTarget = { readonly target: HostPort } | { readonly error: string };
