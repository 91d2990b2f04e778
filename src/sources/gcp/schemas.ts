// The schema of each GCP source's value, for snapshots; the compiler holds each to src/sources/gcp/values.ts.
import type { z } from 'zod';
import type { GcpValues } from './values.js';

export const GCP_SCHEMAS: { readonly [K in keyof GcpValues]: z.ZodType<GcpValues[K]> } = {};
