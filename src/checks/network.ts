// DNS and TCP: can a client find and reach the load balancer at all.
import { defineChecks, interrupted, need, skippedJudgement, type Judgement } from './define.js';
import type { Facts } from '../facts/types.js';

const TCP_HINTS: Record<string, { observed: string; hint: string }> = {
  TCP_REFUSED: {
    observed: 'connection refused',
    hint: 'nothing listens on this port at the address: is it the load balancer\'s address, and does it have an HTTPS listener on this port (ALB: listen-ports \'[{"HTTPS":443}]\'; GKE: the Ingress opens 443 only with spec.tls or a managed certificate)?',
  },
  TCP_CONNECT_TIMEOUT: {
    observed: 'no answer to the connection attempt (packets dropped)',
    hint: 'a firewall or security group drops the traffic: the ALB security group must allow 443 from the clients; an internal ALB (the controller default) is unreachable from outside the VPC',
  },
  TCP_UNREACHABLE: {
    observed: 'no route to the address',
    hint: 'the address is not reachable from here: check the VPC/network path, or whether the load balancer is internal',
  },
  TCP_DNS: {
    observed: 'the address does not resolve',
    hint: 'the --address name does not resolve: use the hostname or IP from the Ingress status (kubectl get ingress)',
  },
};

function dnsRecordAdvice(f: Facts): string {
  const address = f.target.address ?? '<address>';
  if (f.target.provider === 'aws') return `a Route 53 alias (or CNAME) ${f.target.host ?? '<host>'} → ${address}`;
  if (f.target.provider === 'gcp') return `an A record ${f.target.host ?? '<host>'} → ${address} (reserve it as a static IP)`;
  return `${f.target.host ?? '<host>'} → ${address}: an A record for an IP, a CNAME or alias for a DNS name`;
}

export const networkChecks = defineChecks([
  {
    id: 'dns.resolves',
    area: 'dns',
    needs: ['dns'],
    title: 'the public host name resolves',
    severity: 'critical',
    hint: 'create an A/AAAA (or CNAME) record for the host pointing at the load balancer address',
    fix: 'AWS: a Route 53 alias record to the ALB DNS name; GCP: an A record to the Ingress IP (reserve a static IP)',
    why: 'Clients connect to the name in the Ingress rule and certificate. Until it resolves, every client must dial the load balancer address and override the server name and :authority itself.',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.dns);
      if (cut) return cut;
      const dns = f.dataPath.dns;
      if (dns.status === 'skipped') return { verdict: 'skip', reason: dns.reason };
      if (dns.status === 'ok') {
        return { verdict: 'pass', observed: `${dns.value.host} → ${dns.value.addresses.join(', ')}`, evidence: { server: dns.value.server ?? 'system resolver' } };
      }
      if (dns.error.code === 'DNS_NOT_FOUND') {
        const address = f.target.address;
        // The guides verify through the load balancer's address before (or without) a DNS record: with the
        // address known, clients can work; they must dial it and name the host themselves.
        if (address !== null) {
          const host = f.target.host ?? '<host>';
          return {
            verdict: 'warn',
            expected: `A or AAAA records for ${host}`,
            observed: `no records yet (${dns.error.message}); clients must dial ${address} and send ${host} as the server name and :authority`,
            hint: `until the DNS record exists, dial ${address} with the server name and authority set to ${host} (see fix, per SDK)`,
            fix: `pymilvus: connections.connect(uri="https://${address}:${f.target.port}", server_name="${host}", ...) — server_name sets SNI and :authority; Node SDK: new MilvusClient({ address: "${address}:${f.target.port}", ssl: true, tls: { serverName: "${host}" }, channelOptions: { "grpc.default_authority": "${host}" } }); then create the record (${dnsRecordAdvice(f)})`,
          };
        }
        return { verdict: 'fail', expected: `A or AAAA records for ${f.target.host}`, observed: `no records (${dns.error.message})` };
      }
      return { verdict: 'error', observed: `the resolver did not answer: ${dns.error.message}`, hint: 'check the DNS server (--dns-server) or the network path to it' };
    },
  },
  {
    id: 'dns.address-match',
    area: 'dns',
    needs: ['dns'],
    title: 'the host\'s records point at the load balancer address',
    severity: 'major',
    hint: 'point the host\'s DNS record at the load balancer, or have clients dial the address with an explicit server name',
    fix: 'pymilvus: connections.connect(host=<address>, port=443, secure=True, server_name=<host>); Node SDK: tls.serverName = <host> and channelOptions {"grpc.default_authority": <host>}',
    why: 'When the host resolves somewhere else, clients that use the name never reach this load balancer, and clients that dial the address must set both SNI and :authority to the host for the host rule to match.',
    judge: (f): Judgement => {
      const d = f.dataPath.dns;
      if (d.status === 'error' && d.error.code === 'DNS_NOT_FOUND' && f.target.address !== null) {
        return { verdict: 'skip', reason: `${f.target.host ?? 'the host'} has no DNS record yet: clients dial ${f.target.address} (see dns.resolves)` };
      }
      const dns = need(d, 'dns.resolves');
      if (!dns.ok) return dns.judgement;
      const address = f.target.address;
      if (address === null) return { verdict: 'pass', observed: 'no separate address given: clients dial the host itself' };
      const wanted = dns.value.addressResolved ?? [address];
      const overlap = dns.value.addresses.filter((a) => wanted.includes(a));
      if (overlap.length > 0) return { verdict: 'pass', observed: `${f.target.host} → ${overlap.join(', ')} (the load balancer)` };
      return {
        verdict: 'warn',
        expected: `${f.target.host} resolves to ${wanted.join(', ')}`,
        observed: `${f.target.host} → ${dns.value.addresses.join(', ')}`,
        hint: 'clients that dial the host do not reach this load balancer; clients that dial the address must override the server name and :authority',
      };
    },
  },
  {
    id: 'tcp.connect',
    area: 'tcp',
    needs: ['tcp'],
    title: 'the load balancer accepts TCP connections on the port',
    severity: 'critical',
    hint: 'make the load balancer listen on this port and let the clients through',
    why: 'Nothing else can be checked until a TCP connection opens. Refused and timed out mean different things: refused is "no listener", timed out is "dropped by a firewall or security group".',
    judge: (f): Judgement => {
      const cut = interrupted(f.dataPath.tcp);
      if (cut) return cut;
      const tcp = f.dataPath.tcp;
      if (tcp.status === 'skipped') return skippedJudgement(tcp);
      if (tcp.status === 'ok') {
        return { verdict: 'pass', observed: `connected to ${tcp.value.remoteAddress}:${tcp.value.remotePort} in ${tcp.value.connectMs} ms` };
      }
      const known = TCP_HINTS[tcp.error.code];
      return {
        verdict: 'fail',
        expected: `a listener at ${f.target.address ?? f.target.host}:${f.target.port}`,
        observed: known ? `${known.observed} (${tcp.error.message})` : tcp.error.message,
        hint: known?.hint ?? 'the connection could not be opened',
      };
    },
  },
]);

