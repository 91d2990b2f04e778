// What a suite test hands to the main thread through vitest's task meta.
import type { CheckResult } from '../model.js';

export type CheckMeta = Omit<CheckResult, 'durationMs'>;

declare module '@vitest/runner' {
  interface TaskMeta {
    doctor?: CheckMeta;
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    /** The BroadcastChannel the run's facts arrive on (channel.ts). */
    doctorChannel: string;
  }
}
