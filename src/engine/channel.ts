// How the facts reach the suites. Vitest is started before the facts exist (its start-up overlaps the
// probes), so they cannot travel in `provide`, which is fixed when the run starts: the suites wait at
// collection for one message on a BroadcastChannel that every thread of the process can open. Only
// the channel's name is provided. The suites ask first and the main thread answers every ask, so a
// message sent before a suite listened is never the only one.
import { BroadcastChannel } from 'node:worker_threads';
import type { Facts, JudgeOptions } from '../facts/types.js';

export interface Judging {
  readonly facts: Facts;
  readonly options: JudgeOptions;
  readonly selected: readonly string[];
}

export type ToSuites = { readonly type: 'judge'; readonly judging: Judging } | { readonly type: 'abandon' };
export type FromSuites = { readonly type: 'want' };

export function channelName(): string {
  return `milvus-l7-doctor-facts-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** The main thread's side: holds the answer once there is one and repeats it to every ask. */
export class FactsChannel {
  private readonly channel: BroadcastChannel;
  private answer: ToSuites | null = null;

  constructor(readonly name: string) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (e) => {
      if ((e as { data?: FromSuites }).data?.type === 'want' && this.answer) this.channel.postMessage(this.answer);
    };
    // Never the reason the process stays up.
    this.channel.unref();
  }

  send(answer: ToSuites): void {
    this.answer = answer;
    this.channel.postMessage(answer);
  }

  close(): void {
    this.channel.close();
  }
}

/** A suite's side: resolves with the run's facts, or null when the run ended before it had any. */
export function receiveJudging(name: string): Promise<Judging | null> {
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (e) => {
      const m = (e as { data?: ToSuites | FromSuites }).data;
      if (m?.type !== 'judge' && m?.type !== 'abandon') return;
      channel.close();
      resolve(m.type === 'judge' ? m.judging : null);
    };
    channel.postMessage({ type: 'want' } satisfies FromSuites);
  });
}
