// The lab's named faults: each reproduces one row of FAILURES.md on the wire, and names the checks
// that must fail (and only those) when the doctor runs against it.
import { UsageError } from '../errors.js';

export interface FaultDef {
  readonly name: string;
  readonly description: string;
  /** The FAILURES.md row id this fault reproduces. */
  readonly reproduces: string;
  /** Check ids that must fail against a lab with only this fault. */
  readonly expectFail: readonly string[];
  readonly expectWarn?: readonly string[];
  /**
   * Checks that fail as well in the aws flavour (the lab's default): the ALB serves the ACM certificate,
   * so a fault in the served certificate is a fault in ACM too.
   */
  readonly alsoOnAws?: readonly string[];
  /** Faults in the same group replace the same part of the lab and cannot be combined. */
  readonly exclusive?: 'front' | 'validity' | 'name';
}

export const FAULTS = [
  {
    name: 'expired-cert',
    description: 'the served leaf expired yesterday',
    reproduces: 'expiry',
    expectFail: ['tls.validity'],
    alsoOnAws: ['aws.acm.status'],
    exclusive: 'validity',
  },
  {
    name: 'expiring-cert',
    description: 'the served leaf expires in 5 days',
    reproduces: 'expiry',
    expectFail: ['tls.expiry'],
    alsoOnAws: ['aws.acm.status'],
    exclusive: 'validity',
  },
  {
    name: 'missing-intermediate',
    description: 'the front serves the leaf without its intermediate',
    reproduces: 'missing-chain',
    expectFail: ['tls.chain'],
    alsoOnAws: ['aws.acm.chain'],
  },
  {
    name: 'name-mismatch',
    description: 'the served leaf is for another name',
    reproduces: 'name-mismatch',
    expectFail: ['tls.san'],
    alsoOnAws: ['aws.acm.domains'],
    exclusive: 'name',
  },
  {
    name: 'cn-only',
    description: 'the served leaf names the host only in its CN (no subjectAltName extension)',
    reproduces: 'cn-only',
    expectFail: ['tls.san-present'],
    exclusive: 'name',
  },
  {
    name: 'untrusted-ca',
    description: 'the served chain is complete but issued by a second root the client does not trust',
    reproduces: 'missing-chain',
    expectFail: ['tls.trusted'],
  },
  {
    name: 'no-h2',
    description: 'the front listener does not offer HTTP/2 (ALPN selects http/1.1)',
    reproduces: 'no-h2',
    expectFail: ['alpn.h2'],
  },
  {
    name: 'host-rule-404',
    description: "the front's host rule is for another name: requests for the host fall through to the default 404",
    reproduces: 'authority',
    expectFail: ['http2.grpc'],
  },
  {
    name: 'not-grpc-464',
    description: 'the front answers gRPC requests with HTTP 464, as an ALB does when the target group is not GRPC',
    reproduces: '464',
    expectFail: ['http2.grpc'],
  },
  {
    name: 'backend-down',
    description: 'the front forwards to a closed port and answers 502',
    reproduces: '502/503/504',
    expectFail: ['http2.grpc'],
  },
  {
    name: 'healthz-not-ready',
    description: '/healthz answers 500 "Not all components are healthy, 3/5"',
    reproduces: 'health-body',
    expectFail: ['healthz.ready', 'healthz.service-proxy', 'healthz.pods'],
  },
  {
    name: 'milvus-unhealthy',
    description: 'CheckHealth answers isHealthy=false with reasons',
    reproduces: 'health-body',
    expectFail: ['milvus.health'],
  },
  {
    name: 'auth-required',
    description: 'authorization is on and the lab does not hand its credentials to the doctor',
    reproduces: 'auth',
    expectFail: ['milvus.credentials'],
  },
  {
    name: 'default-password',
    description: 'root:Milvus (the default password) is accepted as well',
    reproduces: 'default-password',
    expectFail: ['security.default-password'],
  },
  {
    name: 'tarpit',
    description: 'the front port accepts TCP connections and never speaks (a black-holing middlebox)',
    reproduces: 'scheme',
    expectFail: ['tls.handshake'],
    exclusive: 'front',
  },
  {
    name: 'refused',
    description: 'nothing listens on the front port (no HTTPS listener)',
    reproduces: 'listener',
    expectFail: ['tcp.connect'],
    exclusive: 'front',
  },
  {
    name: 'plaintext-front',
    description: 'the front port speaks plain HTTP/1.1 (an HTTP listener where HTTPS was meant)',
    reproduces: 'listener',
    expectFail: ['tls.handshake'],
    exclusive: 'front',
  },
] as const satisfies readonly FaultDef[];

export type FaultName = (typeof FAULTS)[number]['name'];

export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((f) => f.name);

export function listFaults(): readonly FaultDef[] {
  return FAULTS;
}

function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/**
 * Validates fault names up front: unknown names and conflicting combinations are usage errors
 * that list what is valid. Duplicates collapse.
 */
export function parseFaults(names: readonly string[]): ReadonlySet<FaultName> {
  const result = new Set<FaultName>();
  for (const name of names) {
    if (!isFaultName(name)) {
      throw new UsageError(`unknown fault "${name}"; valid faults: ${FAULT_NAMES.join(', ')}`, 'LAB_UNKNOWN_FAULT');
    }
    result.add(name);
  }
  const byGroup = new Map<string, string[]>();
  for (const def of FAULTS) {
    if (!result.has(def.name) || !('exclusive' in def)) continue;
    const group = byGroup.get(def.exclusive) ?? [];
    group.push(def.name);
    byGroup.set(def.exclusive, group);
  }
  for (const [group, members] of byGroup) {
    if (members.length > 1) {
      throw new UsageError(`faults ${members.join(' and ')} cannot be combined (both change the ${group})`, 'LAB_FAULT_CONFLICT');
    }
  }
  return result;
}
