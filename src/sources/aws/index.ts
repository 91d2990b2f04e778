// The AWS sources: one record per ELBv2 / ACM / EC2 read, each with the IAM action it uses.
import type { SourceDef } from '../define.js';
import type { AwsKey } from '../values.js';

export const AWS_SOURCES: { readonly [K in AwsKey]: SourceDef<K> } = {};
