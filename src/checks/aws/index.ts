// The AWS checks, in report order: the ALB annotations the guide sets on the Ingress and the
// TargetGroupBinding (src/checks/aws/annotations.ts), then what the AWS APIs say of the ALB itself.
import type { CheckDef } from '../define.js';
import { annotationChecks } from './annotations.js';
import { apiChecks } from './api.js';

export const awsChecks: readonly CheckDef[] = [...annotationChecks, ...apiChecks];
