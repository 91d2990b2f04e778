// A tiny authoritative DNS server so the doctor's --dns-server resolves the lab's host:
// A <host> → 127.0.0.1, no AAAA (NOERROR, empty), NXDOMAIN for every other name.
import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { LOOPBACK } from './ports.js';

export interface DnsServer {
  readonly port: number;
  close(): Promise<void>;
}

const NXDOMAIN = 3;

export async function startDns(options: { host: string; address: string }): Promise<DnsServer> {
  const host = options.host.toLowerCase().replace(/\.$/, '');
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    const known = name === host;
    const answers: dnsPacket.Answer[] = known && question.type === 'A'
      ? [{ type: 'A', name: question.name, ttl: 5, class: 'IN', data: options.address }]
      : [];
    const response = dnsPacket.encode({
      id: query.id,
      type: 'response',
      // QR, AA, RD copied, RA; RCODE in the low bits.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | (known ? 0 : NXDOMAIN),
      questions: [question],
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, LOOPBACK, () => resolve());
  });
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
