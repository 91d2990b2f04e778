// Loopback ports for components that take a port number rather than binding port 0 themselves
// (nginx, milvus-lite), and for the lab's wiring, which needs every port before anything starts.
//
// A port reserved by binding port 0 and releasing it lies in the kernel's ephemeral range, where any
// process's next bind(0) or outgoing connection may take it before the component binds it: with test
// files running side by side, CI saw exactly that (EADDRINUSE). So ports are drawn at random from
// *below* the ephemeral range, which the kernel never hands out by itself, checked free by binding
// them, and not handed out twice by this process. What is left (another process drawing the same
// port in the same second) is caught by startLab, which retries on an address-in-use failure.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** The lowest port drawn from; below it live the well-known and registered services people run. */
const FLOOR = 20_000;
/** How many candidates to try per port before falling back to an ephemeral one. */
const ATTEMPTS = 50;

/** The kernel's ephemeral range (Linux), or the IANA default elsewhere. */
export function ephemeralRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low <= high) return [low, high];
  } catch {
    // Not Linux: fall through.
  }
  return [49_152, 65_535];
}

const handedOut = new Set<number>();

function listenOn(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function holdOne(low: number, high: number): Promise<Server> {
  if (high > low) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = low + Math.floor(Math.random() * (high - low));
      if (handedOut.has(port)) continue;
      const server = await listenOn(port);
      if (server) return server;
    }
  }
  const server = await listenOn(0);
  if (!server) throw new Error('cannot bind any loopback port');
  return server;
}

/** `count` distinct free loopback ports, outside the ephemeral range when there is room below it. */
export async function reservePorts(count: number): Promise<number[]> {
  const [ephemeralLow] = ephemeralRange();
  const servers: Server[] = [];
  try {
    // One after another, so the same candidate is never held twice.
    for (let i = 0; i < count; i++) servers.push(await holdOne(FLOOR, ephemeralLow));
    const ports = servers.map(portOf);
    for (const port of ports) handedOut.add(port);
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** True when an error (or what a child process said) is a bind that lost a race for its port. */
export function isAddressInUse(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
    if (/EADDRINUSE|Address already in use|Failed to bind to address/i.test(e.message)) return true;
  }
  return false;
}
