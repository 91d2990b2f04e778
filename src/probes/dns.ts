// DNS: what the host (and --address, when it is a name) resolve to, through a given server or the
// system resolver, so judges can compare the public name with where the LB actually is.
import { Resolver, lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsFact } from '../facts/types.js';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import { type ProbeContext, errnoOf, messageOf, withDeadline } from './deadline.js';

export interface DnsOptions {
  /** `ip` or `ip:port` (`[v6]:port`); null = the system resolver. */
  readonly server?: string | null;
  readonly address?: string | null;
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA', 'NXDOMAIN']);

export async function probeDns(host: string, options: DnsOptions, ctx: ProbeContext): Promise<DnsFact> {
  const server = options.server ?? null;
  return withDeadline(ctx, 'dns', () => new ProbeTimeoutError('dns', 'answer', ctx.timeoutMs, 'DNS_TIMEOUT'), async (signal) => {
    const resolve = (name: string): Promise<string[]> => resolveName(name, server, ctx.timeoutMs, signal);
    const address = options.address ?? null;
    const [addresses, addressResolved] = await Promise.all([
      resolve(host),
      address === null ? null : isIP(address) ? [address] : resolve(address).catch(() => []),
    ]);
    return { host, addresses, server, addressResolved };
  });
}

async function resolveName(name: string, server: string | null, timeoutMs: number, signal: AbortSignal): Promise<string[]> {
  if (isIP(name)) return [name];
  if (server === null) {
    try {
      const found = await lookup(name, { all: true, verbatim: true });
      return found.map((a) => a.address);
    } catch (err) {
      throw classify(err, name, null);
    }
  }
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    resolver.setServers([server]);
  } catch (err) {
    throw new ProbeError('dns', 'DNS_BAD_SERVER', `not a DNS server address: ${server}`, { server }, { cause: err });
  }
  const cancel = (): void => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (addresses.length > 0) return addresses;
    // Both failed or were empty: report the more telling failure (a timeout or SERVFAIL over NODATA).
    const reasons = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    const telling = reasons.find((e) => !NOT_FOUND.has(errnoOf(e) ?? '')) ?? reasons[0];
    if (telling === undefined) throw new ProbeError('dns', 'DNS_NOT_FOUND', `${name} has no A or AAAA records`, { name, server });
    throw classify(telling, name, server);
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

function classify(err: unknown, name: string, server: string | null): ProbeError {
  const errno = errnoOf(err) ?? 'UNKNOWN';
  const detail = { name, server, errno };
  if (NOT_FOUND.has(errno)) return new ProbeError('dns', 'DNS_NOT_FOUND', `${name} does not resolve (${errno})`, detail, { cause: err });
  if (errno === 'ETIMEOUT' || errno === 'ECANCELLED') {
    return new ProbeError('dns', 'DNS_TIMEOUT', `no answer for ${name} from ${server ?? 'the system resolver'}`, detail, { cause: err });
  }
  return new ProbeError('dns', 'DNS_SERVER_FAILED', `resolving ${name} failed: ${messageOf(err)}`, detail, { cause: err });
}
