// The edits faults make to the lab world's objects, each failing loudly (K8S_LAB_FAULT_TARGET) when the
// object it breaks is not there, so a fault never silently does nothing.

import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { isRecord, type K8sObject } from '../../render/object.js';
import type { LabWorld } from '../world.js';

export class LabFaultError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'LabFaultError';
  }
}

export function find(world: LabWorld, kind: string, name?: string): K8sObject {
  const o = world.objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `the lab has no ${kind}${name ? ` ${name}` : ''} to break`);
  return o;
}

export function findAll(world: LabWorld, kind: string): K8sObject[] {
  return world.objects.filter((x) => x.kind === kind);
}

export function remove(world: LabWorld, kind: string, name: string): void {
  world.objects = world.objects.filter((x) => !(x.kind === kind && x.metadata.name === name));
}

export function rec(v: unknown, what: string): Record<string, unknown> {
  if (!isRecord(v)) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `${what} is not an object`);
  return v;
}

export function records(v: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `${what} is not a list`);
  return v.map((x, i) => rec(x, `${what}[${i}]`));
}

export function annotations(o: K8sObject): Record<string, string> {
  o.metadata.annotations ??= {};
  return o.metadata.annotations;
}

export function service(world: LabWorld): K8sObject {
  return find(world, 'Service', world.ids.service);
}

export function servicePort(world: LabWorld, port: number): Record<string, unknown> {
  const p = records(rec(service(world).spec, 'Service spec').ports, 'Service ports').find((x) => x.port === port);
  if (!p) throw new LabFaultError('K8S_LAB_FAULT_TARGET', `the Service has no port ${port}`);
  return p;
}

export function setUserYaml(world: LabWorld, text: string): void {
  const cm = find(world, 'ConfigMap', world.ids.configMap);
  rec(cm.data, 'ConfigMap data')['user.yaml'] = text;
}

/** A Warning event a controller keeps repeating on the Ingress (count, first and last seen). */
export function warningEvent(world: LabWorld, reason: string, message: string, count: number, component: string): K8sObject {
  const ingress = find(world, 'Ingress', world.ids.ingress);
  const now = new Date();
  const first = new Date(now.getTime() - 35 * 60_000).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${world.ids.ingress}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}`, namespace: world.ids.namespace, creationTimestamp: first },
    involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: world.ids.ingress, namespace: world.ids.namespace, uid: ingress.metadata.uid, resourceVersion: ingress.metadata.resourceVersion },
    reason,
    message,
    source: { component },
    firstTimestamp: first,
    lastTimestamp: new Date(now.getTime() - 60_000).toISOString(),
    count,
    type: 'Warning',
    reportingComponent: '',
    reportingInstance: '',
  };
}

/** A fresh private key of the same type (and curve or size) as `keyPem`, so only "key ≠ certificate" is wrong. */
export function otherKeyLike(keyPem: string): string {
  const key = createPrivateKey(keyPem);
  const details = key.asymmetricKeyDetails ?? {};
  const enc = { format: 'pem', type: 'pkcs8' } as const;
  if (key.asymmetricKeyType === 'ec') return generateKeyPairSync('ec', { namedCurve: details.namedCurve ?? 'prime256v1', privateKeyEncoding: enc, publicKeyEncoding: { format: 'pem', type: 'spki' } }).privateKey;
  if (key.asymmetricKeyType === 'ed25519') return generateKeyPairSync('ed25519', { privateKeyEncoding: enc, publicKeyEncoding: { format: 'pem', type: 'spki' } }).privateKey;
  return generateKeyPairSync('rsa', { modulusLength: details.modulusLength ?? 2048, privateKeyEncoding: enc, publicKeyEncoding: { format: 'pem', type: 'spki' } }).privateKey;
}

export function tlsSecretData(world: LabWorld): Record<string, unknown> {
  return rec(find(world, 'Secret', world.ids.tlsName).data, 'Secret data');
}

export const b64 = (s: string) => Buffer.from(s).toString('base64');
