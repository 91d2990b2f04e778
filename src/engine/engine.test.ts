// The CLI owns SIGINT/SIGTERM and unhandled rejections; what vitest and vite add while the engine lives is taken off again, and
// nothing else is (the end-to-end proof, a real interrupt after the engine started, is in
// test/e2e/run-control.test.ts).
import { afterEach, expect, test } from 'vitest';
import { keepCliEventsFromEngine } from './engine.js';

const added: Array<[NodeJS.Signals, () => void]> = [];
afterEach(() => {
  for (const [event, fn] of added.splice(0)) process.off(event, fn);
});
function add(event: NodeJS.Signals, once = false): () => void {
  const fn = () => undefined;
  added.push([event, fn]);
  if (once) process.once(event, fn);
  else process.on(event, fn);
  return fn;
}
const has = (event: NodeJS.Signals, fn: () => void) =>
  process.rawListeners(event).some((l) => l === fn || (l as { listener?: unknown }).listener === fn);

test('unhandledRejection listeners added while the engine lives are gone too (vitest\'s would exit the process)', async () => {
  const release = keepCliEventsFromEngine();
  const fn = () => undefined;
  try {
    process.on('unhandledRejection', fn);
    await Promise.resolve();
    expect(process.listeners('unhandledRejection')).not.toContain(fn);
  } finally {
    process.off('unhandledRejection', fn);
    release();
  }
});

test('SIGINT and SIGTERM listeners added while the engine lives are gone before the event loop turns', async () => {
  const before = add('SIGINT');
  const release = keepCliEventsFromEngine();
  try {
    const onInt = add('SIGINT', true);
    const onTerm = add('SIGTERM');
    // Still there in the same tick: the removal is a microtask, not a synchronous veto.
    expect(has('SIGINT', onInt)).toBe(true);
    await Promise.resolve();
    expect(has('SIGINT', onInt)).toBe(false);
    expect(has('SIGTERM', onTerm)).toBe(false);
    expect(has('SIGINT', before)).toBe(true);
  } finally {
    release();
  }
});

test('other events are left alone, and after release nothing is taken off', async () => {
  const release = keepCliEventsFromEngine();
  const onHup = add('SIGHUP');
  release();
  const later = add('SIGINT');
  await Promise.resolve();
  expect(has('SIGHUP', onHup)).toBe(true);
  expect(has('SIGINT', later)).toBe(true);
});
