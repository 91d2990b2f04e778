// A TCP relay that adds a fixed one-way delay to every byte in both directions, so the bench can
// measure the doctor and the hand-run tools over a round-trip time like the one between an SRE's
// laptop or a CI runner and a cloud load balancer, not only over loopback. Bytes keep their order
// (timers of one duration fire in the order they were set); a close is delayed like the data.
import { createServer, connect } from 'node:net';

export function startDelayRelay(upstreamPort, oneWayMs, host = '127.0.0.1') {
  const sockets = new Set();
  // Half-open allowed on both legs: a FIN is passed on (late, like the data) and each side closes its
  // own half, as TCP does. Tearing a leg down when the other closed raced the last bytes and the
  // peer's close_notify into resets that no real network would produce.
  const pipeDelayed = (from, to) => {
    from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), oneWayMs));
    from.on('end', () => setTimeout(() => to.end(), oneWayMs));
    from.on('close', (hadError) => hadError && setTimeout(() => to.destroy(), oneWayMs));
    from.on('error', () => undefined);
  };
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host, port: upstreamPort, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      // Transparent: no Nagle here, or a small write waits for a delayed ACK (~40 ms on Linux).
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    // On loopback the client's connect completes at once; on a real network the SYN/SYN-ACK costs a
    // round trip before its first byte leaves. Holding its first bytes back one round trip, then the
    // one-way delay, lands them when they would land: 1.5 round trips after connect() began.
    client.pause();
    setTimeout(() => {
      pipeDelayed(client, upstream);
      pipeDelayed(upstream, client);
      client.resume();
    }, 2 * oneWayMs);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () =>
      resolve({
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}
