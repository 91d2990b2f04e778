// What a suite test hands to the main thread through vitest's task meta.
import type { CheckResult } from '../model.js';
import type { Facts, JudgeOptions } from '../facts/types.js';

export type CheckMeta = Omit<CheckResult, 'durationMs'>;

declare module '@vitest/runner' {
  interface TaskMeta {
    doctor?: CheckMeta;
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    doctorFacts: Facts;
    doctorJudgeOptions: JudgeOptions;
    doctorSelected: string[];
  }
}
