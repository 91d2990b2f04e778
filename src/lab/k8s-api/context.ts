// What every handler of the lab's Kubernetes API works with: the world it serves, the API's resource
// table, the doctor's identity and what RBAC denies it, and the long-lived streams stop() must end.

import type { ServerResponse } from 'node:http';
import type { LabWorld } from '../world.js';
import type { ApiResource } from './resources.js';

export interface Forbidden {
  readonly verb: string;
  /** As in a Role: `services`, `pods/portforward`, `ingresses`. */
  readonly resource: string;
}

export interface ApiContext {
  readonly world: LabWorld;
  readonly resources: readonly ApiResource[];
  readonly token: string;
  /** The doctor's identity in 403 messages. */
  readonly user: string;
  readonly forbidden: readonly Forbidden[];
  readonly watches: Set<ServerResponse>;
  /** Port-forward sessions, each torn down by its function. */
  readonly sessions: Set<() => void>;
}
