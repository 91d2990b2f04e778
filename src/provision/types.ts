// The vocabulary of `provision`: a plan is a list of steps, one per piece of a guide, each with its state
// and the changes that would put it in place. Plain JSON: `-o json` prints it as it is.
import { DoctorError } from '../errors.js';

export type StepState = 'done' | 'missing' | 'wrong' | 'blocked';
export const STEP_STATES: readonly StepState[] = ['done', 'missing', 'wrong', 'blocked'];

/** Who makes a change: a server-side apply of one object, Helm, or ACM. */
export type ChangeAction = 'apply' | 'helm-upgrade' | 'acm-import' | 'delete' | 'acm-delete';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Change {
  readonly action: ChangeAction;
  /** `Kind/namespace/name`, or the ACM certificate's domain. */
  readonly target: string;
  /** Lines of a YAML diff, each starting with '+', '-' or ' ' (secrets redacted). */
  readonly diff: readonly string[];
  /** helm-upgrade: the exact command, and where its values file was written. */
  readonly command?: string;
  readonly valuesFile?: string;
  /** Fields another manager owns that --force-conflicts takes over. */
  readonly takesOver?: readonly { readonly field: string; readonly managers: readonly string[] }[];
}

export interface Step {
  readonly id: string;
  /** The healthy state, as a check's title. */
  readonly title: string;
  readonly layer: 'k8s' | 'aws' | 'helm';
  readonly state: StepState;
  /** What the guide needs and what is there now. */
  readonly expected: string;
  readonly observed: string;
  /** What makes it done: the command to run, or why it cannot be done and what to do. */
  readonly fix: string | null;
  readonly changes: readonly Change[];
}

export interface Plan {
  readonly provider: 'aws' | 'gcp';
  readonly namespace: string;
  readonly release: string;
  readonly host: string;
  readonly steps: readonly Step[];
}

export function pending(plan: Pick<Plan, 'steps'>): readonly Step[] {
  return plan.steps.filter((s) => s.state !== 'done');
}

/** The cluster or AWS could not be read or written (exit 3): names the call and what the server said. */
export class ProvisionError extends DoctorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROVISION_FAILED', message, options);
  }
}
