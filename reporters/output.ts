// Writing to stdout/stderr from a reporter: a closed pipe (`| head`) must end the output quietly, not
// crash the run with an unhandled 'error' event; and onEnd must not resolve before the bytes are handed
// to the OS, or the CLI's exit would cut the tail off.

interface StreamState {
  closed: boolean;
}

const states = new WeakMap<NodeJS.WritableStream, StreamState>();

function stateOf(stream: NodeJS.WritableStream): StreamState {
  let state = states.get(stream);
  if (!state) {
    const s: StreamState = { closed: false };
    state = s;
    states.set(stream, s);
    // EPIPE when the reader went away; any other error on our own output leaves nothing sensible to do
    // either. Everything after is dropped on purpose, and the listener keeps the process alive.
    stream.on('error', () => {
      s.closed = true;
    });
  }
  return state;
}

/** Makes a stream safe to write to after its reader has gone; idempotent. */
export function guardStream(stream: NodeJS.WritableStream): void {
  stateOf(stream);
}

export function isStreamClosed(stream: NodeJS.WritableStream): boolean {
  return stateOf(stream).closed;
}

/** Writes unless the reader has gone; resolves once the chunk has been flushed (or dropped). */
export function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> {
  const state = stateOf(stream);
  if (state.closed || text.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      stream.write(text, (err?: Error | null) => {
        if (err) state.closed = true;
        resolve();
      });
    } catch {
      state.closed = true;
      resolve();
    }
  });
}

/** Resolves once everything written so far has been handed to the OS (or dropped if the reader left). */
export function flushOut(stream: NodeJS.WritableStream): Promise<void> {
  const state = stateOf(stream);
  if (state.closed) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      state.closed = true;
      resolve();
    }
  });
}
