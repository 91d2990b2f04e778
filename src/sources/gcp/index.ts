// The GCP sources: one record per Compute read, each with the IAM permission it uses.
import type { SourceDef } from '../define.js';
import type { GcpKey } from '../values.js';

export const GCP_SOURCES: { readonly [K in GcpKey]: SourceDef<K> } = {};
