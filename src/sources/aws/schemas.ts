// The schema of each AWS source's value, for snapshots; the compiler holds each to src/sources/aws/values.ts.
import type { z } from 'zod';
import type { AwsValues } from './values.js';

export const AWS_SCHEMAS: { readonly [K in keyof AwsValues]: z.ZodType<AwsValues[K]> } = {};
