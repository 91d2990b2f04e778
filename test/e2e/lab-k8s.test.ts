// The real CLI against the lab's Kubernetes flavours: each Kubernetes fault fails exactly its own
// checks (some also show on the data path, as they do in the field: plaintext-backend → 502).
import { describe, test } from 'vitest';
import { listFaults } from '../../src/lab/lab.js';
import { FAULT_NAMES } from '../../src/lab/faults.js';
import { assertFault } from './faults.js';

describe('lab, one Kubernetes fault at a time', () => {
  const FAULTS = listFaults().filter((f) => !(FAULT_NAMES as readonly string[]).includes(f.name));
  test.each(FAULTS.map((f) => [f.name, f] as const))('%s', async (_name, fault) => {
    await assertFault(fault);
  });
});
