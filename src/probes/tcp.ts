// TCP: can we open a connection to the LB address at all, and how long does it take.
import { connect, type Socket } from 'node:net';
import type { TcpFact } from '../facts/types.js';
import { ProbeError, ProbeTimeoutError } from '../errors.js';
import { type ProbeContext, errnoOf, hostPort, messageOf, withDeadline } from './deadline.js';

export async function probeTcp(address: string, port: number, ctx: ProbeContext): Promise<TcpFact> {
  const started = performance.now();
  const socket = await withDeadline(ctx, 'tcp', () => new ProbeTimeoutError('tcp', 'connect', ctx.timeoutMs), (signal) =>
    connectSocket(address, port, signal),
  );
  const fact = { remoteAddress: socket.remoteAddress ?? address, remotePort: socket.remotePort ?? port, connectMs: Math.round(performance.now() - started) };
  socket.destroy();
  return fact;
}

/** Connects a socket, destroyed on failure or when `signal` aborts first; maps errors to TCP_* codes. */
export function connectSocket(address: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: address, port });
    const onAbort = (): void => {
      socket.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(classifyConnectError(err, address, port));
    });
  });
}

export function classifyConnectError(err: unknown, address: string, port: number): ProbeError {
  const errno = errnoOf(err) ?? 'UNKNOWN';
  const target = hostPort(address, port);
  const detail = { address, port, errno };
  switch (errno) {
    case 'ECONNREFUSED':
      return new ProbeError('tcp', 'TCP_REFUSED', `${target} refused the connection`, detail, { cause: err });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ProbeError('tcp', 'TCP_UNREACHABLE', `${target} is unreachable (${errno})`, detail, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return new ProbeError('tcp', 'TCP_DNS', `${address} does not resolve (${errno})`, detail, { cause: err });
    case 'ETIMEDOUT':
      return new ProbeError('tcp', 'TCP_CONNECT_TIMEOUT', `connecting to ${target} timed out`, detail, { cause: err });
    default:
      return new ProbeError('tcp', 'TCP_CONNECT_FAILED', `connecting to ${target} failed: ${messageOf(err)}`, detail, { cause: err });
  }
}
